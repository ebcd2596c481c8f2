"""Session feedback and self-assessment."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oep.core.db import UTCDateTime, enum_type, utcnow
from oep.core.enums import LabelledEnum
from oep.extensions import db

#: The questions of the feedback form, each answered from 1 (poor) to 5 (excellent).
QUESTIONS = {
    "useful": _l("How useful was this session for you and your organisation?"),
    "clear": _l("How clear were the trainers or speakers?"),
    "organised": _l("How well was the session organised?"),
}
#: The same questions in a word, for the heads of table columns.
QUESTION_SHORT = {
    "useful": _l("Useful"),
    "clear": _l("Clear"),
    "organised": _l("Well organised"),
}


class SessionFeedback(db.Model):
    """One person's answer about one session. ``respondent`` is a keyed hash of the person
    and the session: it keeps answers to one per person without storing who answered,
    unless they chose to sign (``participant_id``)."""

    __tablename__ = "session_feedback"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "respondent"),
        sa.CheckConstraint(
            "useful BETWEEN 1 AND 5 AND clear BETWEEN 1 AND 5 AND organised BETWEEN 1 AND 5", name="ratings_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    respondent: Mapped[str] = mapped_column(sa.String(64))
    #: Set only when the person chose to sign their answer.
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    useful: Mapped[int]
    clear: Mapped[int]
    organised: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant = relationship("Participant")


class AssessmentPhase(LabelledEnum):
    START = "start", _l("At the start")
    END = "end", _l("At the end")


class SelfAssessment(db.Model):
    """An organisation's rating of itself, 1-5, on a competence it needs — at the start of
    the programme and again at the end, so that the change can be shown."""

    __tablename__ = "self_assessments"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "programme_id", "phase", "competence_id"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    competence_id: Mapped[int] = mapped_column(sa.ForeignKey("competences.id", ondelete="CASCADE"))
    phase: Mapped[AssessmentPhase] = mapped_column(enum_type(AssessmentPhase, "assessment_phase"))
    rating: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    competence = relationship("Competence")
