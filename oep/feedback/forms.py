"""The feedback form (public, no account) and the self-assessment form."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired

from oep.core.forms import Form, Hint, options, strip
from oep.feedback.models import QUESTIONS

RATING_CHOICES = options((n, str(n)) for n in range(1, 6))


def optional_int(value):
    """An id from a select whose first option ("choose…") is empty."""
    if value in ("", None):
        return None
    return int(value)


class FeedbackForm(Form):
    participant_id = SelectField(
        _l("Who are you?"),
        coerce=optional_int,
        validate_choice=True,
        validators=[InputRequired(message=_l("Choose your name."))],
    )
    useful = RadioField(
        QUESTIONS["useful"],
        choices=RATING_CHOICES,
        coerce=int,
        validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))],
    )
    clear = RadioField(
        QUESTIONS["clear"],
        choices=RATING_CHOICES,
        coerce=int,
        validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))],
    )
    organised = RadioField(
        QUESTIONS["organised"],
        choices=RATING_CHOICES,
        coerce=int,
        validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(
        _l("Anything you would like to tell the trainers? (optional)"),
        filters=[strip],
        validators=[Hint(maxlength=2000)],
    )
    sign = BooleanField(_l("Show my name with my answer (otherwise it stays anonymous)"))

    def __init__(self, people, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant_id.choices = options([("", _l("Choose your name…"))] + [(p.id, p.name) for p in people])


class SelfAssessmentForm(Form):
    """Only the CSRF token: the ratings are one radio group per needed competence, read by
    the view (the competences differ from one organisation to the next)."""
