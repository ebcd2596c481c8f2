"""Taking attendance for a room: one request, one transaction, every change kept."""

from __future__ import annotations

import inspect

import pytest
import sqlalchemy as sa

from oep.attendance import services
from oep.attendance.models import Attendance, AttendanceChange, AttendanceStatus
from oep.core.errors import InvalidInput
from oep.extensions import db
from oep.organisations.models import Participant
from oep.scheduling.models import SessionStatus


@pytest.fixture
def room(make):
    site = make.site()
    organisations = [make.organisation(site) for _ in range(4)]
    people = [make.participant(organisations[i % 4], name=f"Person {i:02d}") for i in range(40)]
    sched = make.session(site, starts_in_days=-0.05)  # started a little while ago
    trainer = make.trainer([site])
    return sched, people, trainer, organisations


def marks():
    return {a.participant.name: (a.status.value, a.remark) for a in db.session.scalars(sa.select(Attendance))}


def test_a_room_of_40_is_saved_in_one_request_and_one_commit(client, room, count_queries):
    sched, people, trainer, _ = room
    client.login(trainer)
    page = client.get(f"/sessions/{sched.id}/attendance").get_data(as_text=True)
    assert page.count('type="radio"') == 40 * 5
    data = {f"status-{p.id}": "present" for p in people}
    data[f"status-{people[3].id}"] = "late"
    data[f"remark-{people[3].id}"] = "Bus strike"
    data[f"status-{people[7].id}"] = "absent"
    commits = []

    def count_commit(conn):
        # Commits made while the request is handled (not the test's own before it).
        if any("/oep/" in frame.filename for frame in inspect.stack()):
            commits.append(conn)

    sa.event.listen(db.engine, "commit", count_commit)
    try:
        response = client.post(f"/sessions/{sched.id}/attendance", data=data)
    finally:
        sa.event.remove(db.engine, "commit", count_commit)
    assert response.status_code == 302
    recorded = marks()
    assert len(recorded) == 40
    assert recorded["Person 03"] == ("late", "Bus strike") and recorded["Person 07"] == ("absent", "")
    assert sched.status is SessionStatus.HELD  # taking attendance marks a started session held
    assert len(commits) == 1


def test_mark_all_unmarked_as_present_keeps_what_was_marked(client, room):
    sched, people, trainer, _ = room
    client.login(trainer)
    data = {
        f"status-{people[0].id}": "absent",
        f"remark-{people[1].id}": "Arrived with her baby",
        "action": "mark_all_present",
    }
    assert client.post(f"/sessions/{sched.id}/attendance", data=data).status_code == 302
    recorded = marks()
    assert recorded["Person 00"] == ("absent", "")
    assert recorded["Person 01"] == ("present", "Arrived with her baby")
    assert all(status == "present" for name, (status, _) in recorded.items() if name != "Person 00")
    assert len(recorded) == 40


def test_corrections_are_kept_with_who_when_and_old_to_new(client_factory, room, make):
    sched, people, trainer, _ = room
    person = people[5]
    first = client_factory().login(trainer)
    first.post(f"/sessions/{sched.id}/attendance", data={f"status-{person.id}": "absent"})
    colleague = make.trainer([sched.site], name="Second Trainer")
    second = client_factory().login(colleague)
    second.post(
        f"/sessions/{sched.id}/attendance", data={f"status-{person.id}": "late", f"remark-{person.id}": "Came at 18:10"}
    )
    changes = db.session.scalars(sa.select(AttendanceChange).order_by(AttendanceChange.id)).all()
    assert [(c.old_status, c.new_status, c.changed_by.name) for c in changes] == [
        (None, AttendanceStatus.ABSENT, trainer.name),
        (AttendanceStatus.ABSENT, AttendanceStatus.LATE, "Second Trainer"),
    ]
    page = second.get(f"/sessions/{sched.id}/attendance").get_data(as_text=True)
    assert "Absent → Late" in page and "Second Trainer" in page and "2 changes" in page
    record = second.get(f"/organisations/{person.organisation_id}/participants/{person.id}/attendance").get_data(
        as_text=True
    )
    assert "Absent → Late" in record


def test_saving_the_same_marks_again_records_no_change(client, room):
    sched, people, trainer, _ = room
    client.login(trainer)
    data = {f"status-{p.id}": "present" for p in people[:3]}
    client.post(f"/sessions/{sched.id}/attendance", data=data)
    client.post(f"/sessions/{sched.id}/attendance", data=data)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceChange)) == 3


def test_a_bad_status_saves_nothing(client, room):
    sched, people, trainer, _ = room
    client.login(trainer)
    data = {f"status-{people[0].id}": "present", f"status-{people[1].id}": "sleeping"}
    response = client.post(f"/sessions/{sched.id}/attendance", data=data)
    assert response.status_code == 422
    assert "Choose one of the statuses." in response.get_data(as_text=True)
    assert marks() == {}


def test_someone_not_on_the_roster_cannot_be_marked(client, room, make):
    sched, people, trainer, _ = room
    stranger = make.participant(make.organisation(make.site()))
    client.login(trainer)
    client.post(f"/sessions/{sched.id}/attendance", data={f"status-{stranger.id}": "present"})
    assert marks() == {}


def test_the_service_refuses_marks_for_someone_off_the_roster(room, make):
    """Not only the page: the service itself reads the roster and says why, whoever calls it
    (its message used to be lost to a name clash with gettext, which made the refusal a
    crash; and a caller that did not pass the roster could mark anyone)."""
    sched, people, trainer, _ = room
    stranger = make.participant(make.organisation(make.site()))
    with pytest.raises(InvalidInput, match="not on this session's roster"):
        services.save_marks(
            db.session,
            sched,
            [services.Mark(people[0].id, AttendanceStatus.PRESENT, ""), services.Mark(stranger.id, None, "")],
            trainer,
        )
    assert marks() == {}


def test_the_service_refuses_an_over_long_remark_instead_of_cutting_it(room):
    sched, people, trainer, _ = room
    with pytest.raises(InvalidInput, match="at most 500 characters") as refused:
        services.save_marks(
            db.session,
            sched,
            [services.Mark(people[0].id, AttendanceStatus.PRESENT, "ok"), services.Mark(people[1].id, None, "R" * 501)],
            trainer,
        )
    assert refused.value.field == f"remark-{people[1].id}"
    assert marks() == {}


def test_someone_already_marked_stays_on_the_roster(room, make):
    """A participant marked before their organisation left the site can still be corrected."""
    sched, people, trainer, organisations = room
    leaver = make.participant(make.organisation(make.site()))
    make.mark(sched, leaver, "present")
    result = services.save_marks(db.session, sched, [services.Mark(leaver.id, AttendanceStatus.LATE, "")], trainer)
    assert result.changed == 1 and marks()[leaver.name] == ("late", "")


@pytest.mark.parametrize(
    "walk_in,field,message",
    [
        (dict(organisation_id=None), "walk_in_organisation", "Choose the walk-in's organisation."),
        (dict(consent=False), "walk_in_consent", "agrees to be recorded"),
        (dict(name="  "), "walk_in_name", "Enter the person's name."),
    ],
)
def test_the_service_refuses_a_walk_in_without_organisation_consent_or_name(room, walk_in, field, message):
    """The page, a command or the API: the walk-in's rules are the service's."""
    sched, _people, trainer, organisations = room
    entered = {"name": "Nuovo Arrivato", "organisation_id": organisations[0].id, "consent": True} | walk_in
    with pytest.raises(InvalidInput, match=message) as refused:
        services.add_walk_in(db.session, sched, services.WalkIn(**entered), trainer)
    assert refused.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 40


def test_walk_in_is_added_and_marked_present_without_losing_the_other_marks(client, room):
    sched, people, trainer, organisations = room
    client.login(trainer)
    data = {
        f"status-{people[0].id}": "late",
        "walk_in_name": "Nuovo Arrivato",
        "walk_in_organisation": str(organisations[1].id),
        "walk_in_consent": "1",
    }
    assert client.post(f"/sessions/{sched.id}/attendance", data=data).status_code == 302
    recorded = marks()
    assert recorded["Nuovo Arrivato"][0] == "present" and recorded["Person 00"][0] == "late"
    walk_in = db.session.scalar(sa.select(Participant).where(Participant.name == "Nuovo Arrivato"))
    assert walk_in.organisation_id == organisations[1].id


def test_walk_in_needs_consent_and_an_organisation_of_the_site(client, room, make):
    sched, people, trainer, _ = room
    client.login(trainer)
    response = client.post(
        f"/sessions/{sched.id}/attendance",
        data={
            f"status-{people[0].id}": "present",
            "walk_in_name": "X",
            "walk_in_organisation": str(make.organisation(make.site()).id),
            "walk_in_consent": "1",
        },
    )
    assert response.status_code == 422 and "Choose an organisation accepted at this site." in response.get_data(
        as_text=True
    )
    response = client.post(
        f"/sessions/{sched.id}/attendance",
        data={"walk_in_name": "X", "walk_in_organisation": str(people[0].organisation_id)},
    )
    assert response.status_code == 422 and "agrees to be recorded" in response.get_data(as_text=True)
    assert marks() == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant).where(Participant.name == "X")) == 0


def test_attendance_for_a_future_or_cancelled_session_is_refused(client, make):
    site = make.site()
    person = make.participant(make.organisation(site))
    trainer = make.trainer([site])
    future = make.session(site, starts_in_days=5)
    cancelled = make.session(site, starts_in_days=-1, status="cancelled")
    client.login(trainer)
    for sched, message in ((future, "not before"), (cancelled, "cancelled")):
        response = client.post(f"/sessions/{sched.id}/attendance", data={f"status-{person.id}": "present"})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert marks() == {}


def test_notice_shows_on_the_attendance_list_as_excused(client, make):
    site = make.site()
    organisation = make.organisation(site)
    person = make.participant(organisation, name="Fatima")
    sched = make.session(site, starts_in_days=-0.02)
    make.notice(sched, person, reason="Exam at university")
    make.mark(sched, person, "excused", source="notice", remark="Exam at university")
    client.login(make.trainer([site]))
    page = client.get(f"/sessions/{sched.id}/attendance").get_data(as_text=True)
    assert "Notice of absence:" in page and "Exam at university" in page
    assert f'name="status-{person.id}" value="excused" checked' in page


def test_attendance_page_query_count_does_not_grow_with_the_room(client, make, count_queries):
    counts = []
    for size in (5, 40):
        site = make.site()
        org = make.organisation(site)
        people = [make.participant(org) for _ in range(size)]
        sched = make.session(site, starts_in_days=-0.01)
        for p in people[: size // 2]:
            make.mark(sched, p, "present")
        make.notice(sched, people[-1])
        client.login(make.trainer([site]))
        client.get(f"/sessions/{sched.id}/attendance")
        with count_queries() as counter:
            assert client.get(f"/sessions/{sched.id}/attendance").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1] and counts[1] <= 14, counts
