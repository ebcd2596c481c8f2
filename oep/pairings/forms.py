"""Forms for running the matcher, editing suggestions, the rules and the workspace."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from oep.core.forms import Form, MultiCheckboxField, options, strip
from oep.pairings.models import ConstraintKind, ProjectStatus

TYPE_RULE_CHOICES = [
    ("migrant_with_non_migrant", _l("A migrant or ethnic-minority association with a non-migrant organisation")),
    ("different_types", _l("Organisations of different types")),
    ("any", _l("Any two organisations")),
]


class RunForm(Form):
    organisation_ids = MultiCheckboxField(_l("Only these organisations (none chosen: all not yet paired)"), coerce=int)


class SwapForm(Form):
    first = SelectField(
        _l("Organisation"), coerce=int, validators=[DataRequired(message=_l("Choose an organisation."))]
    )
    second = SelectField(
        _l("changes places with"), coerce=int, validators=[DataRequired(message=_l("Choose an organisation."))]
    )


class ManualPairForm(Form):
    organisation_ids = MultiCheckboxField(_l("Pair these organisations"), coerce=int)


class RulesForm(Form):
    type_rule = RadioField(_l("Pairs join"), choices=options(TYPE_RULE_CHOICES))
    common_language = BooleanField(_l("Paired organisations share a working language"))
    no_repeat = BooleanField(_l("No pair that already worked together in an earlier edition"))
    allow_triads = BooleanField(_l("With an odd number, one group of three rather than leaving an organisation out"))


class ConstraintForm(Form):
    kind = SelectField(_l("Rule"), choices=options((k.value, k.label) for k in ConstraintKind))
    organisation_a_id = SelectField(
        _l("Organisation"), coerce=int, validators=[DataRequired(message=_l("Choose an organisation."))]
    )
    organisation_b_id = SelectField(
        _l("and"), coerce=int, validators=[DataRequired(message=_l("Choose an organisation."))]
    )
    note = StringField(_l("Why (for colleagues)"), validators=[Length(max=300)], filters=[strip])


class EndForm(Form):
    status = SelectField(
        _l("The pairing is"), choices=options([("completed", _l("completed")), ("dissolved", _l("dissolved"))])
    )
    reason = TextAreaField(_l("Reason (required when dissolving)"), validators=[Length(max=2000)], filters=[strip])


class MeetingForm(Form):
    held_on = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter a date."))])
    attendees = StringField(_l("Who attended"), validators=[Length(max=500)], filters=[strip])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)], filters=[strip])
    next_steps = TextAreaField(_l("Next steps"), validators=[Length(max=2000)], filters=[strip])


class ProjectForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)], filters=[strip])
    target_group = StringField(_l("Target group"), validators=[Length(max=300)], filters=[strip])
    resources_needed = TextAreaField(_l("Resources needed"), validators=[Length(max=2000)], filters=[strip])
    status = SelectField(_l("Status"), choices=options((s.value, s.label) for s in ProjectStatus))
