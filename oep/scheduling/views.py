"""Schedules (list, month and week), sessions and series, bookings, notices of absence,
calendar feeds and the public events page."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oep.accounts.models import Role, User
from oep.accounts.services import external_url
from oep.core.access import public, roles_required
from oep.core.db import utcnow
from oep.core.errors import DomainError
from oep.core.forms import attach_error, options, render_form
from oep.core.timezones import local_today, to_local
from oep.extensions import db
from oep.organisations import queries as org_queries
from oep.organisations.models import Organisation, Participant
from oep.pairings.queries import active_pairings_at
from oep.programmes import queries as programme_queries
from oep.programmes.models import Module, Site
from oep.scheduling import ical, queries, services
from oep.scheduling.forms import BookingForm, HeadcountForm, NoticeForm, SessionForm, SimpleActionForm, StatusForm
from oep.scheduling.models import AbsenceNotice, Booking, ScheduledSession, SessionKind, SessionStatus

bp = Blueprint("scheduling", __name__)

STAFF = (Role.COORDINATOR, Role.TRAINER)
EVERYONE = (Role.COORDINATOR, Role.TRAINER, Role.CONTACT)


def _date_arg(default: date) -> date:
    try:
        return date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        return default


def _view_arg() -> str:
    view = request.args.get("view", "list")
    return view if view in ("list", "month", "week") else "list"


def _schedule_page(title, stmt, tz, endpoint, endpoint_args, **extra):
    period = queries.period_for(_view_arg(), _date_arg(local_today(tz)))
    sessions = queries.in_local_range(
        queries.sessions_between(stmt, period.start, period.end, tz), period.start, period.end
    )
    return render_template(
        "scheduling/schedule.html",
        title=title,
        period=period,
        sessions=sessions,
        days=queries.by_local_day(sessions),
        weeks=queries.month_grid(period) if period.view == "month" else None,
        counts=queries.booking_counts([s.id for s in sessions]),
        endpoint=endpoint,
        endpoint_args=endpoint_args,
        today=local_today(tz),
        **extra,
    )


@bp.route("/sites/<int:site_id>/schedule")
@roles_required(*STAFF)
def site_schedule(site_id):
    site = programme_queries.get_site_or_404(current_user, site_id)
    stmt = sa.select(ScheduledSession).where(ScheduledSession.site_id == site.id)
    return _schedule_page(
        _("Schedule of %(city)s", city=site.city),
        stmt,
        site.timezone,
        "scheduling.site_schedule",
        {"site_id": site.id},
        site=site,
        feed_url=external_url("scheduling.site_feed", token=site.calendar_token),
    )


@bp.route("/schedule")
@roles_required(*STAFF)
def my_schedule():
    """The schedule a trainer or coordinator most likely wants: their only site's, or the
    latest programme's."""
    sites = queries.sites_for_scheduling(current_user)
    if len(sites) == 1:
        return redirect(url_for("scheduling.site_schedule", site_id=sites[0].id))
    programmes = programme_queries.programmes_for(current_user)
    if programmes:
        return redirect(url_for("scheduling.programme_schedule", programme_id=programmes[0].id))
    flash(_("There is no site to schedule yet."), "info")
    return redirect(url_for("dashboard.index"))


@bp.route("/programmes/<int:programme_id>/schedule")
@roles_required(*STAFF)
def programme_schedule(programme_id):
    programme = programme_queries.get_programme_or_404(current_user, programme_id)
    site_ids = [s.id for s in programme_queries.sites_of_programme_for(current_user, programme)]
    stmt = sa.select(ScheduledSession).where(ScheduledSession.site_id.in_(site_ids))
    tz = programme.sites[0].timezone if programme.sites else "UTC"
    return _schedule_page(
        _("Schedule of %(programme)s", programme=programme.name),
        stmt,
        tz,
        "scheduling.programme_schedule",
        {"programme_id": programme.id},
        programme=programme,
        show_site=True,
    )


@bp.route("/organisations/<int:org_id>/schedule")
@roles_required(*EVERYONE)
def organisation_schedule(org_id):
    organisation = org_queries.get_organisation_or_404(current_user, org_id)
    stmt = queries.organisation_sessions_stmt(organisation)
    enrolments = org_queries.organisation_enrolments(organisation, current_user)
    tz = enrolments[0].site.timezone if enrolments else "UTC"
    return _schedule_page(
        _("Schedule of %(name)s", name=organisation.name),
        stmt,
        tz,
        "scheduling.organisation_schedule",
        {"org_id": organisation.id},
        organisation=organisation,
        show_site=True,
        open_sessions=queries.open_for_booking(organisation),
        feed_url=external_url("scheduling.organisation_feed", token=organisation.calendar_token),
        can_reset_feed=current_user.role in (Role.COORDINATOR, Role.CONTACT),
    )


# --- creating and editing ------------------------------------------------------------------------------


def _site_staff(site: Site) -> list[User]:
    coordinators = db.session.scalars(
        sa.select(User).where(User.role == Role.COORDINATOR, User.is_active.is_(True)).order_by(User.name)
    ).all()
    return list(site.trainers) + [c for c in coordinators if c not in site.trainers]


def _pairings(site: Site):
    return active_pairings_at(site.id)


def _modules(site: Site) -> list[Module]:
    return db.session.scalars(
        sa.select(Module).where(Module.programme_id == site.programme_id).order_by(Module.position, Module.id)
    ).all()


def _session_data(form: SessionForm, site: Site) -> services.SessionData:
    languages = site.programme.languages
    return services.SessionData(
        kind=SessionKind(form.kind.data),
        title=form.title.data.only(languages),
        day=form.day.data,
        start=form.start.data,
        end=form.end.data,
        module_id=form.module_id.data or None,
        pairing_id=form.pairing_id.data or None,
        venue=form.venue.data or "",
        address=form.address.data or "",
        online_url=form.online_url.data or "",
        capacity=form.capacity.data,
        language=form.language.data,
        description=form.description.data.only(languages),
        is_public=form.is_public.data,
        status=SessionStatus(form.status.data),
        trainer_ids=form.trainer_ids.data or [],
        speakers=[
            services.SpeakerData(
                name=entry.form.name.data or "",
                role=entry.form.role.data or "",
                organisation=entry.form.organisation.data or "",
                confirmed=entry.form.confirmed.data,
            )
            for entry in form.speakers
        ],
    )


def _manageable_site_or_404(site_id: int) -> Site:
    site = programme_queries.get_site_or_404(current_user, site_id)
    return site


@bp.route("/sites/<int:site_id>/sessions/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_session(site_id):
    site = _manageable_site_or_404(site_id)
    form = SessionForm(
        modules=_modules(site),
        trainers=_site_staff(site),
        pairings=_pairings(site),
        text_languages=site.programme.languages,
    )
    if request.method == "GET":
        form.language.data = site.local_language
        if request.args.get("kind") in SessionKind._value2member_map_:
            form.kind.data = request.args["kind"]
        form.pairing_id.data = request.args.get("pairing", 0, type=int)
        form.trainer_ids.data = [current_user.id] if current_user.is_trainer else []
        if request.args.get("date"):
            form.day.data = _date_arg(local_today(site.timezone))
    if form.validate_on_submit():
        data = _session_data(form, site)
        try:
            if form.repeat.data:
                created = services.create_series(
                    db.session,
                    site,
                    data,
                    services.Repeat(
                        weekdays=form.weekdays.data or [],
                        interval_weeks=form.interval_weeks.data or 1,
                        until=form.until.data,
                    ),
                    current_user,
                )
            else:
                created = [services.create_session(db.session, site, data, current_user)]
        except DomainError as err:
            attach_error(form, err)
        else:
            if len(created) == 1:
                flash(_("Session scheduled."), "success")
                return redirect(url_for("scheduling.detail", session_id=created[0].id))
            flash(_("%(n)d sessions scheduled.", n=len(created)), "success")
            return redirect(url_for("scheduling.site_schedule", site_id=site.id, date=data.day.isoformat()))
    return render_form("scheduling/session_form.html", form, site=site, sched=None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(session_id):
    sched = queries.get_managed_session_or_404(current_user, session_id)
    site = sched.site
    form = SessionForm(
        obj=sched,
        modules=_modules(site),
        trainers=_site_staff(site),
        pairings=_pairings(site),
        text_languages=site.programme.languages,
    )
    if form.pairing_id.data is None:  # the field is only shown when the site has pairings
        form.pairing_id.data = 0
    if request.method == "GET":
        start, end = to_local(sched.starts_at, site.timezone), to_local(sched.ends_at, site.timezone)
        form.kind.data, form.module_id.data = sched.kind.value, sched.module_id or 0
        form.day.data, form.start.data, form.end.data = start.date(), start.time(), end.time()
        form.trainer_ids.data = [t.id for t in sched.trainers]
        form.status.data = (
            sched.status.value if sched.status in (SessionStatus.TENTATIVE, SessionStatus.CONFIRMED) else "confirmed"
        )
        while len(form.speakers) > 0:
            form.speakers.pop_entry()
        for speaker in sched.speakers + [None, None]:
            entry = form.speakers.append_entry()
            if speaker is not None:
                entry.form.name.data, entry.form.role.data = speaker.name, speaker.role
                entry.form.organisation.data, entry.form.confirmed.data = speaker.organisation, speaker.confirmed
    if form.validate_on_submit():
        data = _session_data(form, site)
        data.status = sched.status
        try:
            changed = services.update_session(db.session, sched, data, current_user, scope=form.scope.data or "this")
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(
                _("Session saved.") if len(changed) == 1 else _("%(n)d sessions of the series saved.", n=len(changed)),
                "success",
            )
            return redirect(url_for("scheduling.detail", session_id=sched.id))
    return render_form("scheduling/session_form.html", form, site=site, sched=sched)


@bp.route("/sessions/<int:session_id>/status", methods=["POST"])
@roles_required(*STAFF)
def change_status(session_id):
    sched = queries.get_managed_session_or_404(current_user, session_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            services.set_status(db.session, sched, SessionStatus(form.status.data), form.reason.data, current_user)
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
        else:
            flash(_("The session is now: %(status)s.", status=sched.status.label), "success")
    else:
        flash(_("Choose a status."), "error")
    return redirect(url_for("scheduling.detail", session_id=session_id))


def _can_record_headcount(sched: ScheduledSession) -> bool:
    """Staff of the site, and the contacts of the pairing that delivered the workshop."""
    if queries.can_manage(current_user, sched):
        return True
    return (
        current_user.is_contact
        and sched.pairing is not None
        and any(m.organisation_id == current_user.organisation_id for m in sched.pairing.members)
    )


@bp.route("/sessions/<int:session_id>/headcount", methods=["POST"])
@roles_required(*EVERYONE)
def headcount(session_id):
    sched = queries.get_session_or_404(current_user, session_id)
    if not _can_record_headcount(sched):
        abort(404)
    form = HeadcountForm()
    if form.validate_on_submit():
        try:
            services.record_headcount(
                db.session,
                sched,
                form.headcount_total.data,
                form.headcount_newcomers.data,
                form.headcount_residents.data,
            )
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Headcount saved."), "success")
            return redirect(url_for("scheduling.detail", session_id=session_id) + "#headcount")
    return _detail_page(sched, headcount_form=form), 422


# --- a session's page ------------------------------------------------------------------------------


def _contact_organisation() -> Organisation | None:
    return current_user.organisation if current_user.is_contact else None


def _detail_page(sched: ScheduledSession, **forms):
    organisation = _contact_organisation()
    manage = queries.can_manage(current_user, sched)
    context = {
        "sched": sched,
        "manage": manage,
        "organisation": organisation,
        "tz": sched.site.timezone,
        "now": utcnow(),
        "counts": queries.booking_counts([sched.id]).get(sched.id, {}),
        "status_form": forms.get("status_form") or StatusForm(status=sched.status.value),
        "headcount_form": forms.get("headcount_form") or HeadcountForm(obj=sched),
        "action_form": SimpleActionForm(),
        "page_errors": [e for f in forms.values() for e in getattr(f, "form_errors", [])],
        "can_record_headcount": _can_record_headcount(sched)
        and sched.kind in (SessionKind.WORKSHOP, SessionKind.EVENT),
    }
    if manage:
        context["bookings"] = queries.bookings_of(sched) if sched.kind.takes_bookings else []
        context["notices"] = queries.notices_of(sched)
    if organisation is not None:
        people = db.session.scalars(
            sa.select(Participant).where(Participant.organisation_id == organisation.id).order_by(Participant.name)
        ).all()
        my_bookings = queries.bookings_of(sched, organisation) if sched.kind.takes_bookings else []
        booked_ids = {b.participant_id for b in my_bookings}
        booking_form = forms.get("booking_form") or BookingForm()
        booking_form.participant_ids.choices = options((p.id, p.name) for p in people if p.id not in booked_ids)
        my_notices = queries.notices_of(sched, organisation)
        noticed = {n.participant_id for n in my_notices}
        notice_form = forms.get("notice_form") or NoticeForm()
        expected = [p for p in people if p.id in booked_ids] if sched.kind.takes_bookings else people
        notice_form.participant_id.choices = options(
            [(0, _("Choose…"))] + [(p.id, p.name) for p in expected if p.id not in noticed]
        )
        context.update(
            my_bookings=my_bookings,
            booking_form=booking_form,
            my_notices=my_notices,
            notice_form=notice_form,
        )
    return render_template("scheduling/detail.html", **context)


@bp.route("/sessions/<int:session_id>")
@roles_required(*EVERYONE)
def detail(session_id):
    return _detail_page(queries.get_session_or_404(current_user, session_id))


# --- bookings and notices -------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/bookings", methods=["POST"])
@roles_required(Role.CONTACT)
def book(session_id):
    sched = queries.get_session_or_404(current_user, session_id)
    organisation = current_user.organisation
    form = BookingForm()
    form.participant_ids.choices = options(
        (p.id, p.name)
        for p in db.session.scalars(sa.select(Participant).where(Participant.organisation_id == organisation.id))
    )
    if form.validate_on_submit():
        try:
            people = services.organisation_participants(db.session, organisation, form.participant_ids.data)
            bookings = services.book(db.session, sched, people, current_user)
        except DomainError as err:
            attach_error(form, err)
        else:
            confirmed = sum(b.status.value == "confirmed" for b in bookings)
            waiting = len(bookings) - confirmed
            message = _("%(n)d booked.", n=confirmed)
            if waiting:
                message += " " + _(
                    "%(n)d on the waiting list: you will be told by mail when a place frees up.", n=waiting
                )
            flash(message, "success" if not waiting else "warning")
            return redirect(url_for("scheduling.detail", session_id=session_id))
    return _detail_page(sched, booking_form=form), 422


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@roles_required(*EVERYONE)
def cancel_booking(booking_id):
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    sched = queries.get_session_or_404(current_user, booking.session_id)
    allowed = queries.can_manage(current_user, sched) or (
        current_user.is_contact and booking.participant.organisation_id == current_user.organisation_id
    )
    if not allowed:
        abort(404)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    try:
        services.cancel_booking(db.session, booking, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(_("The booking of %(name)s is cancelled.", name=booking.participant.name), "success")
    return redirect(url_for("scheduling.detail", session_id=sched.id))


@bp.route("/sessions/<int:session_id>/notices", methods=["POST"])
@roles_required(Role.CONTACT)
def give_notice(session_id):
    sched = queries.get_session_or_404(current_user, session_id)
    organisation = current_user.organisation
    form = NoticeForm()
    form.participant_id.choices = options(
        [(0, "")]
        + [
            (p.id, p.name)
            for p in db.session.scalars(sa.select(Participant).where(Participant.organisation_id == organisation.id))
        ]
    )
    if form.validate_on_submit():
        try:
            [participant] = services.organisation_participants(db.session, organisation, [form.participant_id.data])
            services.give_notice(db.session, sched, participant, form.reason.data, current_user)
        except DomainError as err:
            attach_error(form, err)
        else:
            flash(_("Noted: %(name)s will be absent. The trainer will see it.", name=participant.name), "success")
            return redirect(url_for("scheduling.detail", session_id=session_id))
    return _detail_page(sched, notice_form=form), 422


@bp.route("/notices/<int:notice_id>/withdraw", methods=["POST"])
@roles_required(Role.CONTACT)
def withdraw_notice(notice_id):
    notice = db.session.get(AbsenceNotice, notice_id)
    if notice is None or notice.participant.organisation_id != current_user.organisation_id:
        abort(404)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_notice(db.session, notice, current_user)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(_("The notice of absence is withdrawn."), "success")
    return redirect(url_for("scheduling.detail", session_id=notice.session_id))


# --- calendar feeds --------------------------------------------------------------------------------


def _ics_response(sessions, name: str) -> Response:
    body = ical.feed(sessions, name, lambda s: external_url("scheduling.detail", session_id=s.id))
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": "inline; filename=oep.ics", "Cache-Control": "private, max-age=300"},
    )


def _feed_sessions(stmt):
    return db.session.scalars(
        stmt.options(sa.orm.joinedload(ScheduledSession.site)).order_by(ScheduledSession.starts_at)
    ).all()


@bp.route("/calendar/sites/<token>.ics")
@public
def site_feed(token):
    """A site's private feed: every session of the site. The token is the key."""
    site = db.session.scalar(sa.select(Site).where(Site.calendar_token == token))
    if site is None:
        abort(404)
    return _ics_response(
        _feed_sessions(sa.select(ScheduledSession).where(ScheduledSession.site_id == site.id)), f"OEP — {site.city}"
    )


@bp.route("/calendar/organisations/<token>.ics")
@public
def organisation_feed(token):
    """An organisation's private feed: the sessions its people are expected at or booked on."""
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.calendar_token == token))
    if organisation is None:
        abort(404)
    return _ics_response(_feed_sessions(queries.organisation_sessions_stmt(organisation)), f"OEP — {organisation.name}")


@bp.route("/events.ics")
@public
def public_feed():
    return _ics_response(queries.upcoming_public_sessions(limit=500), "OEP — public events")


@bp.route("/sites/<int:site_id>/calendar-token", methods=["POST"])
@roles_required(*STAFF)
def reset_site_feed(site_id):
    site = programme_queries.get_site_or_404(current_user, site_id)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    services.renew_site_feed(db.session, site)
    flash(
        _("The calendar address has changed; the old one no longer works. Subscribe again with the new one."), "success"
    )
    return redirect(url_for("scheduling.site_schedule", site_id=site.id))


@bp.route("/organisations/<int:org_id>/calendar-token", methods=["POST"])
@roles_required(Role.COORDINATOR, Role.CONTACT)
def reset_organisation_feed(org_id):
    organisation = org_queries.get_organisation_or_404(current_user, org_id)
    if not SimpleActionForm().validate_on_submit():
        abort(400)
    services.renew_organisation_feed(db.session, organisation)
    flash(
        _("The calendar address has changed; the old one no longer works. Subscribe again with the new one."), "success"
    )
    return redirect(url_for("scheduling.organisation_schedule", org_id=organisation.id))


# --- public -----------------------------------------------------------------------------------------


@bp.route("/events")
@public
def events():
    return render_template("scheduling/events.html", sessions=queries.upcoming_public_sessions())


@bp.route("/events/<int:session_id>")
@public
def public_event(session_id):
    return render_template("scheduling/public_event.html", sched=queries.get_public_session_or_404(session_id))
