"""Feedback pages: the public form reached by a session's link or QR code (no account), the
session's results for its trainers, and an organisation's self-assessment."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oep.accounts.models import Role
from oep.accounts.services import external_url
from oep.attendance.queries import qr_svg, roster_for_checkin
from oep.core import throttle
from oep.core.access import public, roles_required
from oep.core.db import utcnow
from oep.core.errors import DomainError, InvalidInput
from oep.core.forms import attach_error, render_form
from oep.extensions import db
from oep.feedback import queries, services
from oep.feedback.forms import FeedbackForm, SelfAssessmentForm
from oep.feedback.models import QUESTIONS, AssessmentPhase
from oep.organisations import queries as org_queries
from oep.scheduling import queries as scheduling_queries
from oep.scheduling.models import ScheduledSession

bp = Blueprint("feedback", __name__)

#: Answers refused for who sent them (already answered, not on the list) per address and
#: session before a pause: it stops someone answering in everybody's name, while a room
#: sharing one address (the venue's Wi-Fi) is not locked out by a few slips. A form sent
#: with a rating missing is not counted.
FEEDBACK_ATTEMPTS = 30
FEEDBACK_WINDOW_SECONDS = 10 * 60


def feedback_link(sched: ScheduledSession) -> str:
    return external_url("feedback.answer", uid=sched.uid, k=services.feedback_token(sched))


@bp.route("/feedback/<uid>", methods=["GET", "POST"])
@public
def answer(uid):
    """The feedback form: pick your name, three ratings, a comment; anonymous unless you
    choose to sign. The link's key (``k``) is what makes it this session's form."""
    sched = db.session.scalar(sa.select(ScheduledSession).where(ScheduledSession.uid == uid))
    if sched is None or not services.check_token(sched, request.args.get("k", "")):
        abort(404)
    tz = sched.site.timezone
    key = f"feedback:{sched.id}:{request.remote_addr}"
    people = roster_for_checkin(sched)
    form = FeedbackForm(people)
    context = dict(sched=sched, tz=tz, questions=QUESTIONS)
    try:
        services.ensure_open(sched)
    except DomainError as err:
        return render_template("feedback/answer.html", form=form, closed=err.message, **context), 409
    if throttle.retry_after(db.session, key, FEEDBACK_ATTEMPTS, FEEDBACK_WINDOW_SECONDS):
        form.form_errors.append(_("Too many attempts. Please wait a few minutes, or ask the trainer."))
        return render_template("feedback/answer.html", form=form, **context), 429
    if form.validate_on_submit():
        participant = next((p for p in people if p.id == form.participant_id.data), None)
        try:
            services.submit(
                db.session,
                sched,
                participant,
                {q: getattr(form, q).data for q in QUESTIONS},
                form.comment.data or "",
                signed=form.sign.data,
            )
        except DomainError as err:
            db.session.rollback()
            if not isinstance(err, InvalidInput):  # a slip in the form is not counted
                throttle.record(key)
            attach_error(form, err)
        else:
            return render_template("feedback/thanks.html", **context)
    return render_form("feedback/answer.html", form, **context)


@bp.route("/sessions/<int:session_id>/feedback")
@roles_required(Role.COORDINATOR, Role.TRAINER)
def session_results(session_id):
    """For the trainers: the link and QR code to show in the room, and what people said."""
    sched = scheduling_queries.get_managed_session_or_404(current_user, session_id)
    link = feedback_link(sched)
    return render_template(
        "feedback/session.html",
        sched=sched,
        tz=sched.site.timezone,
        link=link,
        qr=qr_svg(link),
        summary=queries.session_summary(sched),
        questions=QUESTIONS,
    )


def _ratings_from_request(needs) -> dict[int, int]:
    """The ratings posted for the organisation's needed competences; anything else is bad input."""
    allowed = {str(n.competence_id) for n in needs}
    ratings = {}
    for name, value in request.form.items():
        if not name.startswith("rating-") or value == "":
            continue
        competence_id = name[len("rating-") :]
        if competence_id not in allowed or value not in {"1", "2", "3", "4", "5"}:
            raise DomainError(_("Ratings go from 1 to 5, for the competences your organisation needs."))
        ratings[int(competence_id)] = int(value)
    return ratings


@bp.route("/organisations/<int:org_id>/self-assessment", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.CONTACT)
def self_assessment(org_id):
    """The organisation rates itself, 1 to 5, on the competences it needs: when it joins,
    and again at the end of the programme."""
    organisation = org_queries.get_organisation_or_404(current_user, org_id)
    needs = services.needs_of(db.session, organisation)
    today = utcnow().date()
    rounds = queries.assessment_rounds(organisation, today)
    form = SelfAssessmentForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        chosen = next((r for r in rounds if str(r.programme.id) == request.form.get("programme_id", "")), None)
        try:
            phase = AssessmentPhase(request.form.get("phase", ""))
        except ValueError:
            phase = None
        try:
            if chosen is None or phase is None:
                raise DomainError(_("Choose the programme and the moment you are rating."))
            ratings = _ratings_from_request(needs)
            services.save_self_assessment(db.session, organisation, chosen.programme, phase, ratings, chosen.end_open)
        except DomainError as err:
            db.session.rollback()
            form.form_errors.append(err.message)
            status = 422
        else:
            flash(_("Thank you: your self-assessment is saved."), "success")
            return redirect(url_for("feedback.self_assessment", org_id=org_id))
    return render_template(
        "feedback/self_assessment.html",
        organisation=organisation,
        needs=needs,
        rounds=rounds,
        form=form,
        phases=AssessmentPhase,
    ), status
