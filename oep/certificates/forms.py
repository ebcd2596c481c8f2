"""Forms for issuing, revoking and verifying certificates."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from oep.core.forms import options, strip
from oep.core.i18n import INTERFACE_LANGUAGES


def language_options(default_label):
    return options([("", default_label)] + list(INTERFACE_LANGUAGES.items()))


class IssueForm(FlaskForm):
    language = SelectField(_l("Language"))
    mail = BooleanField(_l("Also e-mail each certificate to participants who have an address"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_options(_l("Each participant's preferred language"))


class IssueOneForm(FlaskForm):
    language = SelectField(_l("Language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_options(_l("Preferred language"))


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Say why the certificate is revoked.")), Length(max=1000)],
        filters=[strip],
    )


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form anyone may use

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=40)], filters=[strip])
