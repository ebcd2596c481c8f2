"""Forms for issuing, revoking and verifying certificates."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from oep.core.forms import Form, options, strip
from oep.core.i18n import interface_language_choices


def language_options(default_label):
    return options([("", default_label)] + interface_language_choices())


class IssueForm(Form):
    language = SelectField(_l("Language"))
    mail = BooleanField(_l("Also e-mail each certificate to participants who have an address"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_options(_l("Each participant's preferred language"))


class IssueOneForm(Form):
    language = SelectField(_l("Language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_options(_l("Preferred language"))


class RevokeForm(Form):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Say why the certificate is revoked.")), Length(max=1000)],
        filters=[strip],
    )


class VerifyForm(Form):
    class Meta:
        csrf = False  # a GET form anyone may use

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=40)], filters=[strip])
