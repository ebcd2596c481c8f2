"""Forms for programmes, sites, modules and committee members."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from oep.core.choices import country_choices, interface_language_choices, language_choices, timezone_choices
from oep.core.forms import LocalDecimalField, MultiCheckboxField, options, strip
from oep.programmes.models import CommitteeCategory

IMAGE_TYPES = FileAllowed(["png", "jpg", "jpeg"], _l("Please upload a PNG or JPEG picture."))


class ProgrammeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    description = TextAreaField(_l("Public description"), validators=[Length(max=5000)])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(message=_l("Enter a date."))])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(message=_l("Enter a date."))])
    languages = MultiCheckboxField(
        _l("Languages of the programme"), validators=[DataRequired(message=_l("Choose at least one language."))]
    )
    registration_open = BooleanField(_l("Organisations may register now"))
    completion_min_attendance_percent = IntegerField(
        _l("Share of course hours needed for completion (%)"),
        default=80,
        validators=[
            InputRequired(message=_l("Enter a number.")),
            NumberRange(0, 100, message=_l("Enter a number between 0 and 100.")),
        ],
    )
    completion_requires_mandatory_modules = BooleanField(_l("Every mandatory module must be attended"), default=True)
    left_early_credit_percent = IntegerField(
        _l("“Left early” counts for this share of a session's hours (%)"),
        default=50,
        validators=[
            InputRequired(message=_l("Enter a number.")),
            NumberRange(0, 100, message=_l("Enter a number between 0 and 100.")),
        ],
    )
    warning_min_held_sessions = IntegerField(
        _l("Warn about low attendance after this many held sessions"),
        default=3,
        validators=[
            InputRequired(message=_l("Enter a number.")),
            NumberRange(1, 100, message=_l("Enter a number between 1 and 100.")),
        ],
    )
    warning_consecutive_absences = IntegerField(
        _l("Warn after this many absences in a row"),
        default=3,
        validators=[
            InputRequired(message=_l("Enter a number.")),
            NumberRange(1, 100, message=_l("Enter a number between 1 and 100.")),
        ],
    )
    checkin_opens_minutes = IntegerField(
        _l("Self check-in opens this many minutes before the start"),
        default=30,
        validators=[
            InputRequired(message=_l("Enter a number.")),
            NumberRange(0, 1440, message=_l("Enter a number between 0 and 1440.")),
        ],
    )
    checkin_grace_minutes = IntegerField(
        _l("Checked in later than this many minutes after the start counts as late"),
        default=10,
        validators=[
            InputRequired(message=_l("Enter a number.")),
            NumberRange(0, 240, message=_l("Enter a number between 0 and 240.")),
        ],
    )
    checkin_code_seconds = IntegerField(
        _l("The check-in code changes every … seconds"),
        default=30,
        validators=[
            InputRequired(message=_l("Enter a number.")),
            NumberRange(10, 600, message=_l("Enter a number between 10 and 600.")),
        ],
    )
    certificate_signatory_name = StringField(_l("Certificate signatory"), validators=[Length(max=200)], filters=[strip])
    certificate_signatory_title = StringField(_l("Signatory's title"), validators=[Length(max=200)], filters=[strip])
    certificate_signature = FileField(_l("Signature picture (PNG or JPEG)"), validators=[IMAGE_TYPES])
    funder_acknowledgement = TextAreaField(_l("Funder acknowledgement"), validators=[Length(max=1000)])
    emblem = FileField(_l("Funder emblem (PNG or JPEG)"), validators=[IMAGE_TYPES])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = options(interface_language_choices())


class SiteForm(FlaskForm):
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()])
    local_language = SelectField(_l("Local language"), validators=[DataRequired()])
    partner_organisation = StringField(_l("Partner organisation"), validators=[Length(max=200)], filters=[strip])
    trainers = MultiCheckboxField(_l("Trainers"), coerce=int)

    def __init__(self, *args, trainer_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = options(country_choices())
        self.timezone.choices = options(timezone_choices())
        self.local_language.choices = options(language_choices())
        self.trainers.choices = options(trainer_choices)


class ModuleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=5000)])
    learning_outcomes = TextAreaField(_l("Learning outcomes"), validators=[Length(max=5000)])
    hours = LocalDecimalField(
        _l("Hours"),
        places=1,
        validators=[
            InputRequired(message=_l("Enter the number of hours.")),
            NumberRange(min=0.5, max=999, message=_l("Enter between 0.5 and 999 hours.")),
        ],
    )
    mandatory = BooleanField(_l("Mandatory"), default=True)


class CommitteeMemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)], filters=[strip])
    category = SelectField(
        _l("Represents"),
        choices=options((c.value, c.label) for c in CommitteeCategory),
        validators=[DataRequired()],
    )
