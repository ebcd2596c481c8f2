"""Forms for registration, the organisation profile, decisions, participants and competences.

They read what is typed into typed values; the services judge the values (``Hint`` only tells
the browser a rule), so that the page, a CSV import and any other way in are refused alike.
"""

from flask_babel import lazy_gettext as _l
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
from wtforms.validators import DataRequired, EqualTo, Length

from oep.core.choices import language_choices
from oep.core.forms import Form, Hint, MultiCheckboxField, TranslatedField, enum_or_none, options, strip
from oep.organisations.models import ENROLMENT_TRANSITIONS, EnrolmentStatus, OrganisationType


def _type_choices():
    return [("", _l("Choose…"))] + [(t.value, t.label) for t in OrganisationType]


class OrganisationFields(Form):
    """The organisation's profile. The form reads it; ``services.organisation_problems`` judges
    it (the hints only tell the browser)."""

    name = StringField(_l("Organisation name"), validators=[Hint(required=True, maxlength=200)], filters=[strip])
    type = SelectField(
        _l("Type of organisation"),
        coerce=enum_or_none(OrganisationType),
        validate_choice=False,
        validators=[Hint(required=True)],
    )
    sector = StringField(_l("Sector or field of work"), validators=[Hint(maxlength=120)], filters=[strip])
    city = StringField(_l("City"), validators=[Hint(maxlength=120)], filters=[strip])
    website = StringField(_l("Website"), validators=[Hint(maxlength=300)], filters=[strip])
    languages = MultiCheckboxField(_l("Languages your organisation works in"), validate_choice=False)
    description = TextAreaField(_l("Short description"), validators=[Hint(maxlength=1000)], filters=[strip])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = options(_type_choices())
        self.languages.choices = options(language_choices())


class RegistrationForm(OrganisationFields):
    site = SelectField(_l("Programme and city"), coerce=int, validators=[DataRequired(message=_l("Choose a site."))])
    contact_name = StringField(_l("Your name"), validators=[Hint(required=True, maxlength=200)], filters=[strip])
    email = EmailField(_l("Your e-mail address"), validators=[Hint(required=True, maxlength=254)], filters=[strip])
    password = PasswordField(_l("Choose a password"), validators=[Hint(required=True, maxlength=200)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    consent = BooleanField(
        _l("I have read and agree to the processing of our data as described above."),
        validators=[Hint(required=True)],
    )


class OrganisationForm(OrganisationFields):
    pass


class DecisionForm(Form):
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
        validators=[Hint(maxlength=2000)],
        filters=[strip],
    )


def decision_form_for(enrolment, **kwargs) -> DecisionForm:
    """A decision form for one enrolment, offering only the decisions its status allows."""
    form = DecisionForm(prefix=f"e{enrolment.id}", **kwargs)
    allowed = {s.value for s in ENROLMENT_TRANSITIONS[enrolment.status]}
    form.decision.choices = [c for c in form.decision.choices if c.value in allowed]
    return form


class WithdrawForm(Form):
    reason = TextAreaField(_l("Why (optional)"), validators=[Hint(maxlength=2000)], filters=[strip])


class EnrolForm(Form):
    site = SelectField(_l("Programme and city"), coerce=int, validators=[DataRequired(message=_l("Choose a site."))])


class ParticipantForm(Form):
    """A participant. The form reads them; ``services.participant_problems`` judges them, as it
    judges every row of a CSV import (the hints only tell the browser)."""

    name = StringField(_l("Full name"), validators=[Hint(required=True, maxlength=200)], filters=[strip])
    email = EmailField(_l("E-mail (optional)"), validators=[Hint(maxlength=254)], filters=[strip])
    phone = StringField(_l("Phone (optional)"), validators=[Hint(maxlength=40)], filters=[strip])
    preferred_language = SelectField(_l("Preferred language"), default="en", validate_choice=False)
    consent = BooleanField(_l("Yes, this person has given their consent."), validators=[Hint(required=True)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferred_language.choices = options(language_choices())


class ParticipantEditForm(ParticipantForm):
    consent = None  # consent was recorded when the person was added


class ImportUploadForm(Form):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(message=_l("Choose a file.")),
            FileAllowed(["csv", "txt"], _l("Upload a .csv file (save your spreadsheet as CSV).")),
        ],
    )


class ImportConfirmForm(Form):
    csv_text = HiddenField(validators=[DataRequired()])


class CompetenceForm(Form):
    name = TranslatedField(_l("Competence"), validators=[Hint(required=True, maxlength=120)])
    description = TranslatedField(_l("Description"), validators=[Hint(maxlength=1000)], multiline=True)


LEVEL_CHOICES = [
    ("0", "—"),
    ("1", _l("1 – some")),
    ("2", _l("2 – good")),
    ("3", _l("3 – strong")),
]


def competences_form_class(catalogue):
    """A form with, per catalogue entry, a level and a note for offering and for needing it."""

    class CompetencesForm(Form):
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
