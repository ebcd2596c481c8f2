"""Forms for registration, the organisation profile, decisions, participants and competences."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Email, EqualTo, Length, Optional

from oep.core.choices import language_choices
from oep.core.forms import MultiCheckboxField, options, strip
from oep.organisations.models import ENROLMENT_TRANSITIONS, EnrolmentStatus, OrganisationType


def _type_choices():
    return [("", _l("Choose…"))] + [(t.value, t.label) for t in OrganisationType]


def _add_scheme(value):
    """Accept "example.org" as a website and store it as "https://example.org"."""
    if isinstance(value, str):
        value = value.strip()
        if value and "://" not in value:
            value = "https://" + value
    return value


class OrganisationFields(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    type = SelectField(_l("Type of organisation"), validators=[DataRequired(message=_l("Choose a type."))])
    sector = StringField(_l("Sector or field of work"), validators=[Length(max=120)], filters=[strip])
    city = StringField(_l("City"), validators=[Length(max=120)], filters=[strip])
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=300), URL(message=_l("Enter a web address such as https://example.org."))],
        filters=[_add_scheme],
    )
    languages = MultiCheckboxField(_l("Languages your organisation works in"))
    description = TextAreaField(
        _l("Short description"),
        validators=[Length(max=1000, message=_l("At most 1000 characters."))],
        filters=[strip],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = options(_type_choices())
        self.languages.choices = options(language_choices())


class RegistrationForm(OrganisationFields):
    site = SelectField(_l("Programme and city"), coerce=int, validators=[DataRequired(message=_l("Choose a site."))])
    contact_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    email = EmailField(
        _l("Your e-mail address"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip]
    )
    password = PasswordField(_l("Choose a password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    consent = BooleanField(
        _l("I have read and agree to the processing of our data as described above."),
        validators=[DataRequired(message=_l("The programme can only register you with your consent."))],
    )


class OrganisationForm(OrganisationFields):
    pass


class DecisionForm(FlaskForm):
    decision = SelectField(
        _l("Decision"),
        choices=options(
            [
                (EnrolmentStatus.ACCEPTED.value, _l("Accept")),
                (EnrolmentStatus.WAITLISTED.value, _l("Put on the waiting list")),
                (EnrolmentStatus.DECLINED.value, _l("Decline")),
            ]
        ),
    )
    reason = TextAreaField(
        _l("Reason or message to the organisation (required when declining)"),
        validators=[Length(max=2000)],
        filters=[strip],
    )


def decision_form_for(enrolment, **kwargs) -> DecisionForm:
    """A decision form for one enrolment, offering only the decisions its status allows."""
    form = DecisionForm(prefix=f"e{enrolment.id}", **kwargs)
    allowed = {s.value for s in ENROLMENT_TRANSITIONS[enrolment.status]}
    form.decision.choices = [c for c in form.decision.choices if c.value in allowed]
    return form


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why (optional)"), validators=[Length(max=2000)], filters=[strip])


class EnrolForm(FlaskForm):
    site = SelectField(_l("Programme and city"), coerce=int, validators=[DataRequired(message=_l("Choose a site."))])


class ParticipantForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    email = EmailField(_l("E-mail (optional)"), validators=[Optional(), Email(), Length(max=254)], filters=[strip])
    phone = StringField(_l("Phone (optional)"), validators=[Length(max=40)], filters=[strip])
    preferred_language = SelectField(_l("Preferred language"), default="en")
    consent = BooleanField(
        _l("Yes, this person has given their consent."),
        validators=[DataRequired(message=_l("Only people who have given their consent can be added."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferred_language.choices = options(language_choices())


class ParticipantEditForm(ParticipantForm):
    consent = None  # consent was recorded when the person was added


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(message=_l("Choose a file.")),
            FileAllowed(["csv", "txt"], _l("Upload a .csv file (save your spreadsheet as CSV).")),
        ],
    )


class ImportConfirmForm(FlaskForm):
    csv_text = HiddenField(validators=[DataRequired()])


class CompetenceForm(FlaskForm):
    name = StringField(_l("Competence"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    description = TextAreaField(_l("Description"), validators=[Length(max=1000)], filters=[strip])


LEVEL_CHOICES = [
    ("0", "—"),
    ("1", _l("1 – some")),
    ("2", _l("2 – good")),
    ("3", _l("3 – strong")),
]


def competences_form_class(catalogue):
    """A form with, per catalogue entry, a level and a note for offering and for needing it."""

    class CompetencesForm(FlaskForm):
        pass

    for competence in catalogue:
        for direction in ("offer", "need"):
            setattr(
                CompetencesForm,
                f"{direction}_{competence.id}",
                SelectField(competence.name, choices=options(LEVEL_CHOICES), default="0"),
            )
            setattr(
                CompetencesForm,
                f"{direction}_note_{competence.id}",
                StringField(_l("Note"), validators=[Length(max=300)], filters=[strip]),
            )
    return CompetencesForm
