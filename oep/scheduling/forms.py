"""Forms for sessions, series, status changes, bookings and notices of absence."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from oep.core.choices import language_choices
from oep.core.forms import Form, Hint, MultiCheckboxField, Subform, TranslatedField, options, strip
from oep.scheduling.models import SessionKind, SessionStatus

WEEKDAYS = [
    (0, _l("Monday")),
    (1, _l("Tuesday")),
    (2, _l("Wednesday")),
    (3, _l("Thursday")),
    (4, _l("Friday")),
    (5, _l("Saturday")),
    (6, _l("Sunday")),
]


class SpeakerForm(Subform):
    """One speaker row (a sub-form: the CSRF token is the parent's)."""

    name = StringField(_l("Speaker"), validators=[Length(max=200)], filters=[strip])
    role = StringField(_l("Role or topic"), validators=[Length(max=200)], filters=[strip])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)], filters=[strip])
    confirmed = BooleanField(_l("Confirmed"), default=True)


class SessionForm(Form):
    kind = SelectField(_l("Kind"), choices=options((k.value, k.label) for k in SessionKind))
    module_id = SelectField(_l("Module"), coerce=int, default=0)
    pairing_id = SelectField(_l("Pairing that delivers it (workshops)"), coerce=int, default=0)
    title = TranslatedField(
        _l("Title"), validators=[Hint(maxlength=200)], description=_l("Leave empty to use the module's title.")
    )
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter a date."))])
    start = TimeField(_l("Starts at"), validators=[InputRequired(message=_l("Enter a time."))])
    end = TimeField(_l("Ends at"), validators=[InputRequired(message=_l("Enter a time."))])
    venue = StringField(_l("Venue"), validators=[Length(max=200)], filters=[strip])
    address = StringField(_l("Address"), validators=[Length(max=300)], filters=[strip])
    online_url = StringField(
        _l("Online link"),
        validators=[
            Optional(),
            Length(max=500),
            URL(message=_l("Enter a web address such as https://meet.example.org/abc.")),
        ],
        filters=[strip],
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[
            Optional(),
            NumberRange(min=1, max=10000, message=_l("Between 1 and 10000, or empty for no limit.")),
        ],
        description=_l(
            "Empty: no limit. Sessions other than course sessions take "
            "bookings up to this number, then keep a waiting list."
        ),
    )
    language = SelectField(_l("Language"))
    description = TranslatedField(_l("Description or agenda"), validators=[Hint(maxlength=5000)], multiline=True)
    is_public = BooleanField(_l("Public: show on the public events page"))
    status = SelectField(
        _l("Status"),
        choices=options((s.value, s.label) for s in (SessionStatus.TENTATIVE, SessionStatus.CONFIRMED)),
        default=SessionStatus.CONFIRMED.value,
    )
    trainer_ids = MultiCheckboxField(_l("Trainers"), coerce=int)
    speakers = FieldList(FormField(SpeakerForm), min_entries=2, max_entries=20)

    # Repeating
    repeat = BooleanField(_l("Repeat this session"))
    weekdays = MultiCheckboxField(_l("On"), coerce=int, choices=options(WEEKDAYS))
    interval_weeks = IntegerField(
        _l("Every … weeks"),
        default=1,
        validators=[Optional(), NumberRange(min=1, max=12, message=_l("Every 1 to 12 weeks."))],
    )
    until = DateField(_l("Until (last date)"), validators=[Optional()])

    # Editing an occurrence of a series
    scope = RadioField(
        _l("Apply the changes to"),
        choices=options(
            [("this", _l("this session only")), ("following", _l("this and the following sessions of the series"))]
        ),
        default="this",
    )

    def __init__(self, *args, modules=(), trainers=(), pairings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.module_id.choices = options([(0, "—")] + [(m.id, m.title) for m in modules])
        self.pairing_id.choices = options(
            [(0, "—")] + [(p.id, " + ".join(o.name for o in p.organisations)) for p in pairings]
        )
        self.trainer_ids.choices = options((u.id, u.name) for u in trainers)
        self.language.choices = options(language_choices())


class StatusForm(Form):
    status = SelectField(_l("New status"), choices=options((s.value, s.label) for s in SessionStatus))
    reason = TextAreaField(_l("Reason (required when cancelling)"), validators=[Length(max=2000)], filters=[strip])


class BookingForm(Form):
    participant_ids = MultiCheckboxField(
        _l("Who will come"), coerce=int, validators=[DataRequired(message=_l("Choose at least one participant."))]
    )


class NoticeForm(Form):
    participant_id = SelectField(
        _l("Who will be absent"), coerce=int, validators=[DataRequired(message=_l("Choose a participant."))]
    )
    reason = StringField(
        _l("Reason"), validators=[DataRequired(message=_l("Give a reason.")), Length(max=500)], filters=[strip]
    )


class HeadcountForm(Form):
    headcount_total = IntegerField(_l("Attendees in total"), validators=[Optional(), NumberRange(min=0, max=100000)])
    headcount_newcomers = IntegerField(_l("of whom newcomers"), validators=[Optional(), NumberRange(min=0, max=100000)])
    headcount_residents = IntegerField(
        _l("of whom long-time residents"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )


class SimpleActionForm(Form):
    """A button that only needs the CSRF token."""
