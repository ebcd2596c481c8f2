"""Writes for feedback: a session's anonymous feedback, an organisation's self-assessment."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from oep.attendance.models import Attendance
from oep.core.db import utcnow
from oep.core.errors import Conflict, InvalidInput
from oep.core.validation import Problems
from oep.feedback.models import QUESTIONS, AssessmentPhase, SelfAssessment, SessionFeedback
from oep.organisations.models import CompetenceDirection, Organisation, OrganisationCompetence, Participant
from oep.programmes.models import Programme
from oep.scheduling.models import ScheduledSession
from oep.scheduling.services import is_expected

#: Feedback is taken from the session's start until this long after its end.
FEEDBACK_OPEN_FOR = timedelta(days=14)
#: The longest comment a person may leave (a few paragraphs).
COMMENT_MAX_LENGTH = 2000


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="oep-feedback")


def feedback_token(sched: ScheduledSession) -> str:
    """The key in a session's feedback link: it cannot be made up for another session."""
    return _serializer().dumps(sched.uid)


def check_token(sched: ScheduledSession, token: str) -> bool:
    """Whether ``token`` is the key of ``sched``'s feedback link (``feedback_token``)."""
    try:
        return _serializer().loads(token or "") == sched.uid
    except BadSignature:
        return False


def respondent_key(sched: ScheduledSession, participant: Participant) -> str:
    """Who answered, as a keyed hash: the same person gets the same key for a session (so
    they answer once), and nobody can turn the key back into a name."""
    message = f"{sched.id}:{participant.id}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()


def ensure_open(sched: ScheduledSession) -> None:
    """Refuse feedback on ``sched`` unless it is taken now: from the session's start until
    ``FEEDBACK_OPEN_FOR`` (14 days) after its end, compared in UTC.

    Raises ``Conflict`` when the session was cancelled, has not started, or closed for feedback.
    """
    now = utcnow()
    if sched.is_cancelled:
        raise Conflict(_("This session was cancelled."))
    if now < sched.starts_at:
        raise Conflict(_("Feedback opens when the session starts."))
    if now > sched.ends_at + FEEDBACK_OPEN_FOR:
        raise Conflict(_("Feedback for this session has closed."))


def submit(
    session: Session,
    sched: ScheduledSession,
    participant: Participant,
    ratings: dict[str, int],
    comment: str,
    signed: bool = False,
) -> SessionFeedback:
    """Record ``participant``'s answer about ``sched``: ``ratings`` maps each of ``QUESTIONS``
    ("useful", "clear", "organised") to 1 (poor) ... 5 (excellent); ``comment`` is optional.
    The answer is anonymous (keyed by ``respondent_key``) unless ``signed``. Returns it.

    Raises ``Conflict`` when feedback is not open (``ensure_open``), the person was neither
    marked at nor expected for the session, or has answered already (also when two answers
    race); ``InvalidInput`` for a question without a rating from 1 to 5 (field: the question)
    or a comment longer than ``COMMENT_MAX_LENGTH`` characters (field ``comment``).
    """
    ensure_open(sched)

    attended = session.scalar(
        sa.select(Attendance.id).where(Attendance.session_id == sched.id, Attendance.participant_id == participant.id)
    )
    if not attended and not is_expected(session, sched, participant):
        raise Conflict(_("Your name is not on this session's list."))
    problems = Problems()
    for question in QUESTIONS:
        problems.choice(
            question, ratings.get(question), (1, 2, 3, 4, 5), _("Choose a rating from 1 to 5 for every question.")
        )
    comment = (comment or "").strip()
    problems.text("comment", comment, COMMENT_MAX_LENGTH)
    problems.raise_if_any()
    key = respondent_key(sched, participant)
    if session.scalar(
        sa.select(SessionFeedback.id).where(SessionFeedback.session_id == sched.id, SessionFeedback.respondent == key)
    ):
        raise Conflict(_("You have already given your feedback on this session. Thank you!"))
    feedback = SessionFeedback(
        session_id=sched.id,
        respondent=key,
        participant_id=participant.id if signed else None,
        comment=comment,
        **{q: ratings[q] for q in QUESTIONS},
    )
    try:
        with session.begin_nested():  # two answers sent at once: the second is refused, not a 500
            session.add(feedback)
    except IntegrityError:
        raise Conflict(_("You have already given your feedback on this session. Thank you!")) from None
    return feedback


def needs_of(session: Session, organisation: Organisation) -> list[OrganisationCompetence]:
    """The competences ``organisation`` declared it needs (what it rates itself on), by
    competence id."""
    return session.scalars(
        sa.select(OrganisationCompetence)
        .where(
            OrganisationCompetence.organisation_id == organisation.id,
            OrganisationCompetence.direction == CompetenceDirection.NEED,
        )
        .order_by(OrganisationCompetence.competence_id)
    ).all()


def save_self_assessment(
    session: Session,
    organisation: Organisation,
    programme: Programme,
    phase: AssessmentPhase,
    ratings: dict[int, int],
    end_open: bool,
) -> list[SelfAssessment]:
    """Save ``organisation``'s self-assessment in ``programme`` at ``phase`` (start or end):
    ``ratings`` maps competence ids to 1 ("we are just starting") ... 5 ("we could teach it"),
    for competences the organisation needs; a rating given before is replaced. The end ratings are taken only once
    the end assessment is open (``end_open``, see ``queries.assessment_rounds``). Returns the
    saved ratings.

    Raises ``Conflict`` when the end assessment is not open yet or the organisation has
    declared no needs, and ``InvalidInput`` (no field) when nothing is rated, a competence it
    does not need is rated, or a rating is not 1 to 5.
    """
    if phase is AssessmentPhase.END and not end_open:
        raise Conflict(_("The end-of-programme assessment is not open yet."))
    if not ratings:
        raise InvalidInput(_("Rate at least one competence."))
    needed = {n.competence_id for n in needs_of(session, organisation)}
    if not needed:
        raise Conflict(_("Declare the competences your organisation needs first."))
    if set(ratings) - needed:
        raise InvalidInput(_("Rate only the competences your organisation needs."))
    if any(r not in (1, 2, 3, 4, 5) for r in ratings.values()):
        raise InvalidInput(_("Ratings go from 1 to 5."))
    existing = {
        a.competence_id: a
        for a in session.scalars(
            sa.select(SelfAssessment).where(
                SelfAssessment.organisation_id == organisation.id,
                SelfAssessment.programme_id == programme.id,
                SelfAssessment.phase == phase,
            )
        )
    }
    saved = []
    for competence_id, rating in ratings.items():
        entry = existing.get(competence_id) or SelfAssessment(
            organisation_id=organisation.id, programme_id=programme.id, competence_id=competence_id, phase=phase
        )
        entry.rating = rating
        session.add(entry)
        saved.append(entry)
    session.flush()
    return saved
