"""Bookings with a waiting list, promotion when a place frees up, notices of absence."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from oep.attendance.models import Attendance, AttendanceStatus
from oep.extensions import db
from oep.scheduling.models import AbsenceNotice, Booking, BookingStatus


@pytest.fixture
def workshop(make):
    site = make.site(city="Athens", timezone="Europe/Athens")
    organisation = make.organisation(site)
    people = [make.participant(organisation, name=f"Person {i}") for i in range(4)]
    sched = make.session(site, kind="workshop", title="Social media for associations", capacity=2, starts_in_days=7)
    return sched, organisation, people


def statuses(sched):
    return {
        b.participant.name: b.status.value
        for b in db.session.scalars(sa.select(Booking).where(Booking.session_id == sched.id))
    }


def test_bookings_beyond_capacity_wait_and_move_up(client, workshop, make, mailbox):
    sched, organisation, people = workshop
    client.login(make.contact_of(organisation))
    response = client.post(f"/sessions/{sched.id}/bookings", data={"participant_ids": [p.id for p in people[:3]]})
    assert response.status_code == 302
    assert statuses(sched) == {"Person 0": "confirmed", "Person 1": "confirmed", "Person 2": "waitlisted"}
    page = client.get(f"/sessions/{sched.id}").get_data(as_text=True)
    assert "On the waiting list" in page
    first = db.session.scalar(sa.select(Booking).where(Booking.participant_id == people[0].id))
    assert client.post(f"/bookings/{first.id}/cancel").status_code == 302
    assert statuses(sched) == {"Person 0": "cancelled", "Person 1": "confirmed", "Person 2": "confirmed"}
    [message] = mailbox.to(make.contact_of(organisation).email)
    assert "A place is free: Person 2 is booked" in message["Subject"]


def test_booking_twice_changes_nothing(client, workshop, make):
    sched, organisation, people = workshop
    client.login(make.contact_of(organisation))
    client.post(f"/sessions/{sched.id}/bookings", data={"participant_ids": [people[0].id]})
    response = client.post(f"/sessions/{sched.id}/bookings", data={"participant_ids": [people[0].id]})
    assert response.status_code == 302  # accepted, and idempotent
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1


def test_raising_capacity_promotes_the_waiting_list(client, workshop, make):
    sched, organisation, people = workshop
    for person in people[:2]:
        make.booking(sched, person)
    make.booking(sched, people[2], status="waitlisted")
    from oep.scheduling import services

    services._promote_waitlisted(db.session, sched)  # nothing free yet
    assert statuses(sched)["Person 2"] == "waitlisted"
    sched.capacity = 3
    services._promote_waitlisted(db.session, sched)
    assert statuses(sched)["Person 2"] == "confirmed"


def test_another_organisations_people_cannot_be_booked(client, workshop, make):
    sched, organisation, people = workshop
    other = make.organisation(sched.site)
    stranger = make.participant(other)
    client.login(make.contact_of(organisation))
    response = client.post(f"/sessions/{sched.id}/bookings", data={"participant_ids": [stranger.id]})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_course_sessions_take_no_bookings(client, make):
    site = make.site()
    organisation = make.organisation(site)
    person = make.participant(organisation)
    course = make.session(site, starts_in_days=3)
    client.login(make.contact_of(organisation))
    response = client.post(f"/sessions/{course.id}/bookings", data={"participant_ids": [person.id]})
    assert response.status_code == 422
    assert "Course sessions take no bookings" in response.get_data(as_text=True)


def test_notice_of_absence_makes_an_excused_mark_the_trainer_sees(client_factory, make):
    site = make.site()
    organisation = make.organisation(site)
    person = make.participant(organisation, name="Amina Haddad")
    course = make.session(site, starts_in_days=2)
    contact = client_factory().login(make.contact_of(organisation))
    response = contact.post(
        f"/sessions/{course.id}/notices", data={"participant_id": person.id, "reason": "Job interview"}
    )
    assert response.status_code == 302
    mark = db.session.scalar(sa.select(Attendance))
    assert mark.status is AttendanceStatus.EXCUSED and mark.remark == "Job interview"
    trainer = client_factory().login(make.trainer([site]))
    course.starts_at = course.starts_at.replace()  # unchanged; the list may be prepared on the day
    page = trainer.get(f"/sessions/{course.id}").get_data(as_text=True)
    assert "Amina Haddad: Job interview" in page
    # Withdrawn before the session: the excused mark goes too.
    notice = db.session.scalar(sa.select(AbsenceNotice))
    assert contact.post(f"/notices/{notice.id}/withdraw").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


@pytest.mark.parametrize(
    "data,message",
    [
        ({"reason": "Ill"}, "Choose a participant."),
        ({"participant_id": "PERSON", "reason": ""}, "Give a reason."),
    ],
)
def test_bad_notices(client, make, data, message):
    site = make.site()
    organisation = make.organisation(site)
    person = make.participant(organisation)
    course = make.session(site, starts_in_days=2)
    data = {k: (person.id if v == "PERSON" else v) for k, v in data.items()}
    client.login(make.contact_of(organisation))
    response = client.post(f"/sessions/{course.id}/notices", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AbsenceNotice)) == 0


def test_no_notice_after_the_start(client, make):
    site = make.site()
    organisation = make.organisation(site)
    person = make.participant(organisation)
    course = make.session(site, starts_in_days=-0.01)
    client.login(make.contact_of(organisation))
    response = client.post(f"/sessions/{course.id}/notices", data={"participant_id": person.id, "reason": "Late bus"})
    assert response.status_code == 422


@pytest.mark.postgres
def test_concurrent_bookings_never_overbook_on_postgresql(tmp_path):
    """Twelve browsers book the last places of a session at the same moment, each on its own
    connection: exactly `capacity` are confirmed, the rest wait."""
    from oep.accounts.models import User
    from oep.organisations.models import Participant
    from oep.scheduling import services
    from oep.scheduling.models import ScheduledSession
    from tests.conftest import make_test_app
    from tests.factories import Factory
    from tests.support import postgres_url

    app = make_test_app(postgres_url(suffix="_concurrency"), tmp_path)
    capacity, contenders = 5, 12
    with app.app_context():
        db.drop_all()
        db.create_all()
        make = Factory(db.session)
        site = make.site()
        organisation = make.organisation(site)
        people = [make.participant(organisation) for _ in range(contenders)]
        sched = make.session(site, kind="event", capacity=capacity, starts_in_days=5)
        contact = make.contact_of(organisation)
        db.session.commit()
        ids = (sched.id, [p.id for p in people], contact.id)

    barrier = threading.Barrier(contenders)
    errors = []

    def book(participant_id):
        with app.app_context():
            try:
                s = db.session.get(ScheduledSession, ids[0])
                person = db.session.get(Participant, participant_id)
                user = db.session.get(User, ids[2])
                barrier.wait(timeout=30)
                services.book(db.session, s, [person], user)
                db.session.commit()
            except Exception as exc:  # collected and reported below
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=book, args=(pid,)) for pid in ids[1]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with app.app_context():
        rows = db.session.execute(
            sa.select(Booking.status, sa.func.count()).where(Booking.session_id == ids[0]).group_by(Booking.status)
        ).all()
        counts = {status: n for status, n in rows}
        db.session.close()
        db.drop_all()
        db.engine.dispose()
    assert counts == {BookingStatus.CONFIRMED: capacity, BookingStatus.WAITLISTED: contenders - capacity}
