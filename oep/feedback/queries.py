"""Reads for feedback: a session's answers, an organisation's self-assessment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from oep.extensions import db
from oep.feedback.models import QUESTIONS, AssessmentPhase, SelfAssessment, SessionFeedback
from oep.organisations.models import Organisation
from oep.organisations.queries import accepted_sites
from oep.programmes.models import Programme, Site
from oep.scheduling.models import ScheduledSession, SessionKind, SessionStatus

#: The end-of-programme self-assessment opens this long before the programme ends (or as
#: soon as the organisation's site has held all its course sessions).
END_ASSESSMENT_OPENS = timedelta(days=42)


@dataclass
class FeedbackSummary:
    """A session's feedback: how many ``answers``, each question's average rating (1-5; None
    without answers) and distribution (how many gave 1, 2, 3, 4, 5), and the comments."""

    answers: int
    averages: dict[str, float | None]
    distribution: dict[str, list[int]]  # per question: how many gave 1, 2, 3, 4, 5
    comments: list[SessionFeedback] = field(default_factory=list)


def session_summary(sched: ScheduledSession) -> FeedbackSummary:
    """``sched``'s feedback: the ratings counted per question, and the comments (newest first,
    with who signed them). One query per question and one for the comments. Not scoped: pass
    a session the user may see."""
    distribution = {q: [0] * 5 for q in QUESTIONS}
    answers = 0
    for q in QUESTIONS:
        column = getattr(SessionFeedback, q)
        rows = db.session.execute(
            sa.select(column, sa.func.count()).where(SessionFeedback.session_id == sched.id).group_by(column)
        ).all()
        for value, n in rows:
            distribution[q][value - 1] = n
        answers = sum(distribution[q])
    averages = {
        q: (sum((i + 1) * n for i, n in enumerate(counts)) / sum(counts) if sum(counts) else None)
        for q, counts in distribution.items()
    }
    comments = db.session.scalars(
        sa.select(SessionFeedback)
        .where(SessionFeedback.session_id == sched.id, SessionFeedback.comment != "")
        .options(joinedload(SessionFeedback.participant))
        .order_by(SessionFeedback.created_at.desc())
    ).all()
    return FeedbackSummary(answers, averages, distribution, comments)


@dataclass
class AssessmentRound:
    """An organisation's self-assessment in one programme: its ratings at the start and at
    the end, and whether the end can be given yet."""

    programme: Programme
    sites: list[Site]
    start: dict[int, int]
    end: dict[int, int]
    end_open: bool
    end_opens_on: date


def site_finished(site_ids: list[int]) -> bool:
    """Whether the sites ``site_ids`` have held course sessions and have none left to hold
    (tentative or confirmed); one query."""
    rows = dict(
        db.session.execute(
            sa.select(ScheduledSession.status, sa.func.count())
            .where(ScheduledSession.site_id.in_(site_ids), ScheduledSession.kind == SessionKind.COURSE)
            .group_by(ScheduledSession.status)
        ).all()
    )
    pending = rows.get(SessionStatus.TENTATIVE, 0) + rows.get(SessionStatus.CONFIRMED, 0)
    return bool(rows.get(SessionStatus.HELD)) and not pending


def assessment_rounds(organisation: Organisation, today: date) -> list[AssessmentRound]:
    """``organisation``'s self-assessment in each programme it is accepted in: the ratings given
    at the start and the end, and whether the end is open on ``today`` (a calendar date;
    ``END_ASSESSMENT_OPENS`` before the programme ends, or once its sites have held all their
    course sessions). Two queries, and one per programme whose end is not open by date yet."""
    sites = accepted_sites(organisation.id)
    by_programme: dict[int, list[Site]] = {}
    for site in sites:
        by_programme.setdefault(site.programme_id, []).append(site)
    ratings = db.session.scalars(
        sa.select(SelfAssessment).where(
            SelfAssessment.organisation_id == organisation.id, SelfAssessment.programme_id.in_(list(by_programme))
        )
    ).all()
    rounds = []
    for programme_id, programme_sites in by_programme.items():
        programme = programme_sites[0].programme
        mine = [r for r in ratings if r.programme_id == programme_id]
        opens_on = programme.ends_on - END_ASSESSMENT_OPENS
        rounds.append(
            AssessmentRound(
                programme=programme,
                sites=programme_sites,
                start={r.competence_id: r.rating for r in mine if r.phase is AssessmentPhase.START},
                end={r.competence_id: r.rating for r in mine if r.phase is AssessmentPhase.END},
                end_open=today >= opens_on or site_finished([s.id for s in programme_sites]),
                end_opens_on=opens_on,
            )
        )
    return rounds
