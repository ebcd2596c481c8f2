"""Forms for the report: what it covers and in which formats, and a site's narratives."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Length

from oep.core.errors import InvalidInput
from oep.core.forms import Form, MultiCheckboxField, options, strip
from oep.core.i18n import interface_language_choices
from oep.reports import services
from oep.reports.data import Period
from oep.reports.models import NarrativeSection, ReportFormat


class ReportForm(Form):
    scope = SelectField(_l("Report on"), validators=[InputRequired(message=_l("Choose what the report covers."))])
    date_from = DateField(_l("From"), validators=[InputRequired(message=_l("Enter the first day of the period."))])
    date_to = DateField(_l("To"), validators=[InputRequired(message=_l("Enter the last day of the period."))])
    language = SelectField(_l("Language of the report"))
    formats = MultiCheckboxField(
        _l("Formats"),
        choices=options((f.value, f.label) for f in ReportFormat),
        default=["pdf", "xlsx"],
    )
    include_participants = BooleanField(
        _l(
            "Include an annex with each participant's name, attendance and "
            "completion (personal data: only if the recipient needs it)"
        )
    )

    def __init__(self, scopes, *args, may_include_participants=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = options(scopes)
        self.language.choices = options(interface_language_choices())
        self.may_include_participants = may_include_participants
        if not may_include_participants:
            del self.include_participants

    def validate_date_to(self, field):
        # The rule is the service's (a job or the API gets the same refusal); shown here next
        # to the field with the form's other problems.
        if self.date_from.data and field.data:
            try:
                services.check_period(Period(self.date_from.data, field.data))
            except InvalidInput as err:
                raise ValidationError(err.message) from err


class GenerateForm(ReportForm):
    def validate_formats(self, field):
        try:
            services.check_formats(field.data)
        except InvalidInput as err:
            raise ValidationError(err.message) from err


class NarrativeForm(Form):
    context = TextAreaField(NarrativeSection.CONTEXT.label, filters=[strip], validators=[Length(max=20000)])
    what_worked = TextAreaField(NarrativeSection.WHAT_WORKED.label, filters=[strip], validators=[Length(max=20000)])
    lessons = TextAreaField(NarrativeSection.LESSONS.label, filters=[strip], validators=[Length(max=20000)])
    recommendations = TextAreaField(
        NarrativeSection.RECOMMENDATIONS.label, filters=[strip], validators=[Length(max=20000)]
    )
