"""Forms for signing in, passwords and invitations."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from oep.accounts.models import Role
from oep.core.forms import Form, Hint, MultiCheckboxField, options, strip
from oep.core.i18n import interface_language_choices


class LoginForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip])


class NewPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])


class InviteForm(Form):
    """A new staff account; ``services.account_problems`` judges the name and address."""

    name = StringField(_l("Name"), validators=[Hint(required=True, maxlength=200)], filters=[strip])
    email = EmailField(_l("E-mail address"), validators=[Hint(required=True, maxlength=254)], filters=[strip])
    role = SelectField(
        _l("Role"),
        choices=options([(Role.TRAINER.value, Role.TRAINER.label), (Role.COORDINATOR.value, Role.COORDINATOR.label)]),
    )
    sites = MultiCheckboxField(_l("Sites (for a trainer)"), coerce=int)
    #: The service judges the language (``services.invite_user``); empty: the automatic choice.
    language = SelectField(_l("Language of the invitation and of their account"), default="", validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        automatic = _l("Automatic: the language of their site, otherwise yours")
        self.language.choices = options([("", automatic)] + interface_language_choices())
