"""Forms for programmes, sites, modules and committee members.

They read what is typed into typed values; the services judge the values (``Hint`` only tells
the browser a rule), so that every way in is refused alike.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired

from oep.core.choices import country_choices, interface_language_choices, language_choices, timezone_choices
from oep.core.forms import (
    Form,
    Hint,
    LocalDecimalField,
    MultiCheckboxField,
    TranslatedField,
    enum_or_none,
    options,
    strip,
)
from oep.programmes.models import CommitteeCategory

IMAGE_TYPES = FileAllowed(["png", "jpg", "jpeg"], _l("Please upload a PNG or JPEG picture."))


def _number(label, default, low, high):
    """A whole number the service checks against its range (the form only reads it)."""
    return IntegerField(
        label,
        default=default,
        validators=[InputRequired(message=_l("Enter a number.")), Hint(required=True, min=low, max=high)],
    )


class ProgrammeForm(Form):
    """The programme's settings. The form reads them; ``services.programme_problems`` judges
    them (the hints only tell the browser)."""

    name = TranslatedField(_l("Name"), validators=[Hint(required=True, maxlength=200)])
    description = TranslatedField(_l("Public description"), validators=[Hint(maxlength=5000)], multiline=True)
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(message=_l("Enter a date.")), Hint(required=True)])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(message=_l("Enter a date.")), Hint(required=True)])
    languages = MultiCheckboxField(_l("Languages of the programme"), validate_choice=False)
    registration_open = BooleanField(_l("Organisations may register now"))
    completion_min_attendance_percent = _number(_l("Share of course hours needed for completion (%)"), 80, 0, 100)
    completion_requires_mandatory_modules = BooleanField(_l("Every mandatory module must be attended"), default=True)
    left_early_credit_percent = _number(_l("“Left early” counts for this share of a session's hours (%)"), 50, 0, 100)
    warning_min_held_sessions = _number(_l("Warn about low attendance after this many held sessions"), 3, 1, 100)
    warning_consecutive_absences = _number(_l("Warn after this many absences in a row"), 3, 1, 100)
    checkin_opens_minutes = _number(_l("Self check-in opens this many minutes before the start"), 30, 0, 1440)
    checkin_grace_minutes = _number(
        _l("Checked in later than this many minutes after the start counts as late"), 10, 0, 240
    )
    checkin_code_seconds = _number(_l("The check-in code changes every … seconds"), 30, 10, 600)
    certificate_signatory_name = StringField(
        _l("Certificate signatory"), validators=[Hint(maxlength=200)], filters=[strip]
    )
    certificate_signatory_title = TranslatedField(_l("Signatory's title"), validators=[Hint(maxlength=200)])
    certificate_signature = FileField(_l("Signature picture (PNG or JPEG)"), validators=[IMAGE_TYPES])
    funder_acknowledgement = TranslatedField(
        _l("Funder acknowledgement"), validators=[Hint(maxlength=1000)], multiline=True
    )
    emblem = FileField(_l("Funder emblem (PNG or JPEG)"), validators=[IMAGE_TYPES])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = options(interface_language_choices())


class SiteForm(Form):
    city = TranslatedField(_l("City"), validators=[Hint(required=True, maxlength=120)])
    country = SelectField(_l("Country"), validators=[Hint(required=True)], validate_choice=False)
    timezone = SelectField(_l("Time zone"), validators=[Hint(required=True)], validate_choice=False)
    local_language = SelectField(_l("Local language"), validators=[Hint(required=True)], validate_choice=False)
    partner_organisation = StringField(_l("Partner organisation"), validators=[Hint(maxlength=200)], filters=[strip])
    trainers = MultiCheckboxField(_l("Trainers"), coerce=int, validate_choice=False)

    def __init__(self, *args, trainer_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = options(country_choices())
        self.timezone.choices = options(timezone_choices())
        self.local_language.choices = options(language_choices())
        self.trainers.choices = options(trainer_choices)


class ModuleForm(Form):
    title = TranslatedField(_l("Title"), validators=[Hint(required=True, maxlength=200)])
    summary = TranslatedField(_l("Summary"), validators=[Hint(maxlength=5000)], multiline=True)
    learning_outcomes = TranslatedField(_l("Learning outcomes"), validators=[Hint(maxlength=5000)], multiline=True)
    hours = LocalDecimalField(
        _l("Hours"),
        places=1,
        validators=[InputRequired(message=_l("Enter the number of hours.")), Hint(required=True, min=0.5, max=999)],
    )
    mandatory = BooleanField(_l("Mandatory"), default=True)


class CommitteeMemberForm(Form):
    name = StringField(_l("Name"), validators=[Hint(required=True, maxlength=200)], filters=[strip])
    organisation = StringField(_l("Organisation"), validators=[Hint(maxlength=200)], filters=[strip])
    category = SelectField(
        _l("Represents"),
        choices=options((c.value, c.label) for c in CommitteeCategory),
        coerce=enum_or_none(CommitteeCategory),
        validate_choice=False,
        validators=[Hint(required=True)],
    )
