"""Completion figures against a hand count, warnings mailed once per trigger, and exports."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from oep.attendance import completion
from oep.attendance.models import WarningKind, WarningNotice
from oep.extensions import db


@pytest.fixture
def course(make):
    """Five held course sessions (12 hours) and a cancelled one, and five participants.

    Hand count (left early = 50 %, 80 % of 12 h = 9.6 h needed, M1 and M2 mandatory):
      A: 3 + 2 (late) + 1.5 (left early) + 2 + 2 = 10.5 h -> complete
      B: 3 + 2 + 0 (absent, M2 missed) + 2 + 2 = 9 h -> not complete (75 %, M2 missing)
      C: 3 + 2 + 3 + 0 (excused) + 2 = 10 h -> complete
      D: 0 + 0 + 3 + 2 + 2 = 7 h -> not complete (M1 missing)
      E: nothing marked -> 0 h
    """
    site = make.site(city="Kassel")
    programme = site.programme
    programme.completion_min_attendance_percent = 80
    programme.left_early_credit_percent = 50
    m1 = make.module(programme, title="M1", mandatory=True)
    m2 = make.module(programme, title="M2", mandatory=True)
    m3 = make.module(programme, title="M3", mandatory=False)
    org = make.organisation(site)
    people = {name: make.participant(org, name=name) for name in "ABCDE"}
    plan = [(m1, 3), (m1, 2), (m2, 3), (m3, 2), (m3, 2)]
    sessions = [
        make.session(site, module=module, hours=hours, starts_in_days=-30 + 5 * i, status="held")
        for i, (module, hours) in enumerate(plan)
    ]
    make.session(site, module=m3, hours=3, starts_in_days=-3, status="cancelled")
    marks = {
        "A": ["present", "late", "left_early", "present", "present"],
        "B": ["present", "present", "absent", "present", "present"],
        "C": ["present", "present", "present", "excused", "present"],
        "D": ["absent", "absent", "present", "present", "present"],
    }
    for name, statuses in marks.items():
        for sched, status in zip(sessions, statuses, strict=True):
            make.mark(sched, people[name], status)
    return site, people, sessions


def test_completion_matches_the_hand_count(course):
    site, people, _ = course
    progress = completion.progress_for_participants(db.session, site, [p.id for p in people.values()])
    by_name = {name: progress[p.id] for name, p in people.items()}
    assert {n: p.attended_hours for n, p in by_name.items()} == {"A": 10.5, "B": 9.0, "C": 10.0, "D": 7.0, "E": 0.0}
    assert {n: p.complete for n, p in by_name.items()} == {"A": True, "B": False, "C": True, "D": False, "E": False}
    assert by_name["A"].planned_hours == 12.0 and round(by_name["A"].share_of_planned, 3) == 0.875
    assert len(by_name["B"].missing_mandatory) == 1 and len(by_name["D"].missing_mandatory) == 1
    assert (by_name["C"].excused, by_name["B"].absent, by_name["A"].left_early) == (1, 1, 1)


def test_completion_is_shown_on_the_site_and_organisation_pages(client, course, make):
    site, people, _ = course
    client.login(make.trainer([site]))
    page = client.get(f"/sites/{site.id}/attendance").get_data(as_text=True)
    assert 'data-testid="complete-count">2<' in page
    assert "10.5 / 12.0" in page and "88 %" in page  # A: 10.5 h, 87.5 % of planned
    org_id = people["A"].organisation_id
    org_page = client.get(f"/organisations/{org_id}/attendance").get_data(as_text=True)
    assert org_page.count("Complete</span>") == 2


def test_xlsx_export_has_typed_cells_and_a_sheet_per_table(client, course, make):
    site, people, sessions = course
    client.login(make.trainer([site]))
    response = client.get(f"/sites/{site.id}/attendance.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Participants", "Sessions", "Modules", "Organisations", "Absentees"]
    sheet = workbook["Participants"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=False)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["A"]["Hours attended"] == 10.5 and isinstance(rows["A"]["Hours attended"], float)
    assert rows["A"]["Complete"] is True and rows["B"]["Complete"] is False
    assert rows["B"]["Absent"] == 1
    session_rows = list(workbook["Sessions"].iter_rows(min_row=2, values_only=True))
    assert len(session_rows) == 5 and isinstance(session_rows[0][0], datetime)
    modules = {r[0]: r for r in workbook["Modules"].iter_rows(min_row=2, values_only=True)}
    assert modules["M1"][2] == 2  # two sessions held


def test_csv_export_of_one_table(client, course, make):
    site, _, _ = course
    client.login(make.trainer([site]))
    response = client.get(f"/sites/{site.id}/attendance.csv?table=absentees")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and text.startswith("\ufeffParticipant,")
    names = [line.split(",")[0] for line in text.splitlines()[1:]]
    assert set(names) == {"B", "D"}
    assert client.get(f"/sites/{site.id}/attendance.csv?table=nope").status_code == 404
    assert client.get(f"/sites/{site.id}/attendance.pdf").status_code == 404


def test_warnings_are_raised_and_mailed_once_per_trigger(client, make, mailbox):
    site = make.site()
    programme = site.programme
    programme.warning_min_held_sessions = 3
    programme.warning_consecutive_absences = 2
    org = make.organisation(site)
    x, y = make.participant(org, name="Xenia"), make.participant(org, name="Yusuf")
    trainer = make.trainer([site], email="trainer@example.org")
    sessions = [make.session(site, starts_in_days=-10 + 2 * i, hours=2) for i in range(4)]
    client.login(trainer)

    def save(sched, x_status, y_status="present"):
        client.post(f"/sessions/{sched.id}/attendance", data={f"status-{x.id}": x_status, f"status-{y.id}": y_status})

    save(sessions[0], "absent")
    assert mailbox.messages == []
    save(sessions[1], "absent")  # two in a row
    subjects = [m["Subject"] for m in mailbox.messages]
    assert subjects.count("Xenia has missed several sessions in a row") == 2  # the contact and the trainer
    assert sorted(m["To"] for m in mailbox.messages) == sorted([make.contact_of(org).email, "trainer@example.org"])
    save(sessions[1], "absent")  # saved again: no new mail
    assert len(mailbox.messages) == 2
    save(sessions[2], "present")  # attends again: run over; but 2 h of 6 h is below 80 % after 3 sessions
    open_kinds = {
        w.kind for w in db.session.scalars(sa.select(WarningNotice).where(WarningNotice.resolved_at.is_(None)))
    }
    assert open_kinds == {WarningKind.LOW_ATTENDANCE}
    assert mailbox.messages[-1]["Subject"] == "Attendance warning: Xenia"
    assert "33%" in mailbox.body(mailbox.messages[-1])
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Xenia" in dashboard


def test_participant_page_shows_record_and_progress(client, course, make):
    site, people, _ = course
    a = people["A"]
    client.login(make.contact_of(a.organisation))
    page = client.get(f"/organisations/{a.organisation_id}/participants/{a.id}/attendance").get_data(as_text=True)
    assert "10.5" in page and "Left early" in page and "Late" in page


@pytest.mark.parametrize("page", ["site_overview", "schedule"])
def test_report_pages_query_count_does_not_grow(client, make, count_queries, page):
    counts = []
    for size in (3, 25):
        site = make.site()
        org = make.organisation(site)
        people = [make.participant(org) for _ in range(size)]
        sessions = [make.session(site, starts_in_days=-20 + i, status="held") for i in range(size // 3 + 2)]
        for sched in sessions:
            for p in people:
                make.mark(sched, p, "present")
        make.session(site, kind="event", starts_in_days=1, capacity=5)
        client.login(make.trainer([site]))
        url = f"/sites/{site.id}/attendance" if page == "site_overview" else f"/sites/{site.id}/schedule?view=month"
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
