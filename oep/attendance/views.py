"""Taking attendance, self check-in, completion and warnings, attendance reports and exports."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oep.accounts.models import Role
from oep.accounts.services import external_url
from oep.attendance import checkin, exports, queries, services
from oep.attendance.models import AttendanceStatus
from oep.core import throttle
from oep.core.access import public, roles_required
from oep.core.db import utcnow
from oep.core.errors import DomainError
from oep.core.forms import Form
from oep.core.tables import safe_filename, to_csv, to_xlsx
from oep.core.timezones import to_local
from oep.extensions import db
from oep.organisations import queries as org_queries
from oep.organisations.models import Participant
from oep.programmes import queries as programme_queries
from oep.scheduling import queries as schedule_queries
from oep.scheduling.models import ScheduledSession

bp = Blueprint("attendance", __name__)

STAFF = (Role.COORDINATOR, Role.TRAINER)
EVERYONE = (Role.COORDINATOR, Role.TRAINER, Role.CONTACT)

#: Self check-in attempts allowed per address and session within the window below.
CHECKIN_ATTEMPTS = 20
CHECKIN_WINDOW_SECONDS = 10 * 60


# --- taking attendance ----------------------------------------------------------------------------


def _parse_marks(rows) -> tuple[list[services.Mark], dict[int, str]]:
    marks, errors = [], {}
    for row in rows:
        pid = row.participant.id
        raw = request.form.get(f"status-{pid}", "")
        remark = request.form.get(f"remark-{pid}", "")
        if len(remark.strip()) > services.REMARK_LIMIT:
            # Found here too so that every row with a long remark is shown at once.
            errors[pid] = _("A remark has at most %(n)d characters.", n=services.REMARK_LIMIT)
            continue
        if raw and raw not in AttendanceStatus._value2member_map_:
            errors[pid] = _("Choose one of the statuses.")
            continue
        marks.append(services.Mark(pid, AttendanceStatus(raw) if raw else None, remark))
    return marks, errors


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@roles_required(*STAFF)
def take(session_id):
    sched = schedule_queries.get_managed_session_or_404(current_user, session_id)
    rows = schedule_queries.roster(sched)
    form = Form()
    errors: dict = {}
    walk_in_error = None
    if request.method == "POST" and form.validate_on_submit():
        marks, errors = _parse_marks(rows)
        walk_in_name = request.form.get("walk_in_name", "").strip()
        if not errors:
            try:
                if walk_in_name:
                    walk_in = services.WalkIn(
                        name=walk_in_name,
                        organisation_id=request.form.get("walk_in_organisation", type=int),
                        consent=bool(request.form.get("walk_in_consent")),
                    )
                    services.add_walk_in(db.session, sched, walk_in, current_user)
                result = services.save_marks(
                    db.session,
                    sched,
                    marks,
                    current_user,
                    mark_unmarked_present=request.form.get("action") == "mark_all_present",
                )
            except DomainError as err:
                db.session.rollback()
                walk_in_error = err.message
            else:
                flash(
                    _(
                        "Attendance saved: %(new)d new, %(changed)d changed.",
                        new=result.created + bool(walk_in_name),
                        changed=result.changed,
                    ),
                    "success",
                )
                return redirect(url_for("attendance.take", session_id=sched.id))
    elif request.method == "POST":
        abort(400)
    return (
        render_template(
            "attendance/take.html",
            sched=sched,
            rows=rows,
            form=form,
            errors=errors,
            walk_in_error=walk_in_error,
            statuses=list(AttendanceStatus),
            organisations=queries.accepted_organisations(sched.site_id),
            tz=sched.site.timezone,
            submitted=request.form if request.method == "POST" else None,
            checkin_open=checkin.is_open(sched, sched.site.programme, utcnow()),
        ),
        422 if (errors or walk_in_error) else 200,
    )


# --- self check-in -----------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/checkin")
@roles_required(*STAFF)
def checkin_display(session_id):
    """What the trainer shows in the room: the rotating QR code and short code, and who is in."""
    sched = schedule_queries.get_managed_session_or_404(current_user, session_id)
    return render_template("attendance/checkin_display.html", sched=sched, state=_checkin_state(sched))


def _checkin_state(sched: ScheduledSession) -> dict:
    programme = sched.site.programme
    now = utcnow()
    opens, closes = checkin.window(sched, programme)
    state = {
        "open": checkin.is_open(sched, programme, now),
        "opens_at": to_local(opens, sched.site.timezone).strftime("%H:%M"),
        "closes_at": to_local(closes, sched.site.timezone).strftime("%H:%M"),
        "count": queries.checked_in_count(sched),
        "expected": queries.expected_count(sched),
        "refresh_seconds": programme.checkin_code_seconds,
    }
    if state["open"]:
        shown = checkin.current_code(sched, programme, now)
        link = external_url("attendance.self_checkin", uid=sched.uid, code=shown.code)
        state.update(
            code=shown.code,
            seconds_left=max(1, int((shown.expires_at - now).total_seconds())),
            link=link,
            qr_svg=queries.qr_svg(link),
        )
    return state


@bp.route("/sessions/<int:session_id>/checkin/state.json")
@roles_required(*STAFF)
def checkin_state(session_id):
    sched = schedule_queries.get_managed_session_or_404(current_user, session_id)
    response = jsonify(_checkin_state(sched))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/checkin", methods=["GET", "POST"])
@public
def enter_code():
    """For those who cannot scan: type the six digits shown in the room."""
    code = "".join(ch for ch in request.values.get("code", "") if ch.isdigit())
    error = None
    if request.method == "POST":
        key = f"checkin-code:{request.remote_addr}"
        if throttle.retry_after(db.session, key, CHECKIN_ATTEMPTS, CHECKIN_WINDOW_SECONDS):
            error = _("Too many attempts. Please wait a few minutes, or ask the trainer.")
        else:
            sched = queries.session_for_code(code, utcnow())
            if sched is not None:
                return redirect(url_for("attendance.self_checkin", uid=sched.uid, code=code))
            throttle.record(key)
            error = _("No session is open for check-in with this code. Check the digits, or scan the code again.")
    return render_template("attendance/enter_code.html", code=code, error=error, form=Form()), (422 if error else 200)


@bp.route("/checkin/<uid>", methods=["GET", "POST"])
@public
def self_checkin(uid):
    sched = db.session.scalar(sa.select(ScheduledSession).where(ScheduledSession.uid == uid))
    if sched is None:
        abort(404)
    programme = sched.site.programme
    code = "".join(ch for ch in request.values.get("code", "") if ch.isdigit())
    now = utcnow()
    key = f"checkin:{sched.id}:{request.remote_addr}"
    form = Form()
    error, result, people = None, None, []
    if throttle.retry_after(db.session, key, CHECKIN_ATTEMPTS, CHECKIN_WINDOW_SECONDS):
        error = _("Too many attempts. Please wait a few minutes, or ask the trainer.")
    else:
        try:
            checkin.ensure_open(sched, programme, now)
            if not checkin.verify(sched, programme, code, now):
                raise DomainError(_("This code has expired or is wrong. Scan the code shown in the room again."))
            people = queries.roster_for_checkin(sched)
            if request.method == "POST":
                if not form.validate_on_submit():
                    abort(400)
                participant = _chosen_participant(people)
                result = services.self_check_in(db.session, sched, participant, code, now)
        except DomainError as err:
            db.session.rollback()
            throttle.record(key)
            error = err.message
    return (
        render_template(
            "attendance/self_checkin.html",
            sched=sched,
            code=code,
            error=error,
            result=result,
            people=people,
            form=form,
            tz=sched.site.timezone,
        ),
        422 if error else 200,
    )


def _chosen_participant(people: list[Participant]) -> Participant:
    chosen_id = request.form.get("participant_id", type=int)
    typed = " ".join(request.form.get("name", "").split()).casefold()
    if chosen_id:
        match = [p for p in people if p.id == chosen_id]
    elif typed:
        match = [p for p in people if p.name.casefold() == typed]
    else:
        raise DomainError(_("Choose your name from the list, or type it."))
    if len(match) != 1:
        raise DomainError(_("Your name is not on this session's list. Please ask the trainer."))
    return match[0]


# --- progress, warnings and reports --------------------------------------------------------------------


@bp.route("/sites/<int:site_id>/attendance")
@roles_required(*STAFF)
def site_overview(site_id):
    site = programme_queries.get_site_or_404(current_user, site_id)
    report = queries.site_report(site)
    return render_template("attendance/site_overview.html", site=site, report=report)


@bp.route("/sites/<int:site_id>/attendance.<fmt>")
@roles_required(*STAFF)
def site_export(site_id, fmt):
    site = programme_queries.get_site_or_404(current_user, site_id)
    tables = exports.site_tables(site, queries.site_report(site))
    return _export(tables, fmt, f"attendance-{site.city}")


@bp.route("/sessions/<int:session_id>/attendance.<fmt>")
@roles_required(*STAFF)
def session_export(session_id, fmt):
    sched = schedule_queries.get_managed_session_or_404(current_user, session_id)
    return _export(exports.session_tables(sched), fmt, f"attendance-session-{sched.id}")


@bp.route("/organisations/<int:org_id>/attendance")
@roles_required(*EVERYONE)
def organisation_overview(org_id):
    organisation = org_queries.get_organisation_or_404(current_user, org_id)
    return render_template(
        "attendance/organisation_overview.html",
        organisation=organisation,
        report=queries.organisation_report(organisation, current_user),
    )


@bp.route("/organisations/<int:org_id>/attendance.<fmt>")
@roles_required(*EVERYONE)
def organisation_export(org_id, fmt):
    organisation = org_queries.get_organisation_or_404(current_user, org_id)
    tables = exports.organisation_tables(queries.organisation_report(organisation, current_user))
    return _export(tables, fmt, f"attendance-{organisation.id}")


@bp.route("/organisations/<int:org_id>/participants/<int:participant_id>/attendance")
@roles_required(*EVERYONE)
def participant(org_id, participant_id):
    person = org_queries.get_participant_or_404(current_user, org_id, participant_id)
    return render_template(
        "attendance/participant.html", person=person, record=queries.participant_record(person, current_user)
    )


def _export(tables, fmt: str, name: str) -> Response:
    if fmt == "xlsx":
        return Response(
            to_xlsx(tables),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{safe_filename(name)}.xlsx"'},
        )
    if fmt == "csv":
        wanted = request.args.get("table") or tables[0].key
        table = next((t for t in tables if t.key == wanted), None)
        if table is None:
            abort(404)
        return Response(
            to_csv(table),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{safe_filename(name)}-{table.key}.csv"'},
        )
    abort(404)
