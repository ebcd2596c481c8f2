"""What the report says: every figure worked out by hand from the world in conftest.py."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from flask_babel import force_locale

from oep.extensions import db
from oep.reports import data
from oep.reports.data import Period
from tests.reports.conftest import period_of


def build(world, sites=None, period=None, **kw):
    sites = sites or [world.palermo, world.athens]
    with force_locale("en"):
        return data.build(
            db.session, world.programme, sites, period or period_of(world.programme), consolidated=len(sites) > 1, **kw
        )


def figure(report, key):
    return next(f for f in report.figures if f.key == key).value


def test_key_figures_of_the_consolidated_report(world):
    report = build(world)
    assert figure(report, "organisations") == 3
    assert figure(report, "participants") == 4
    assert figure(report, "sessions") == 4
    assert figure(report, "hours") == 9.0
    assert figure(report, "attendance") == pytest.approx(6 / 10)
    assert figure(report, "completion") == pytest.approx(2 / 4)
    assert figure(report, "certificates") == 1
    assert figure(report, "pairings") == 1
    assert figure(report, "workshops") == 1
    assert figure(report, "reached") == 30
    assert figure(report, "projects") == 1
    assert figure(report, "feedback") == 2
    assert figure(report, "empowerment") == pytest.approx(1.5)
    assert report.totals.newcomers == 12 and report.totals.residents == 10
    assert report.totals.feedback_average == 4.0


def test_each_site_has_its_own_figures(world):
    report = build(world)
    athens, palermo = report.sites  # in the order of their names
    assert (athens.city, palermo.city) == ("Athens", "Palermo")
    assert palermo.totals.attendance_rate == pytest.approx(5 / 9)
    assert (palermo.totals.complete, palermo.totals.participants) == (1, 3)
    assert athens.totals.attendance_rate == 1.0
    assert athens.totals.course_hours_held == 3.0


def test_organisations_by_type(world):
    report = build(world)
    assert sorted((str(label), n) for label, n in report.organisation_types.rows) == [
        ("Civil-society organisation (CSO)", 1),
        ("Faith community", 1),
        ("Migrant / ethnic-minority association", 1),
    ]


def test_attendance_per_module_and_over_time(world):
    report = build(world)
    palermo = report.sites[1]
    modules = {row[0]: row for row in palermo.modules.rows}
    assert modules["Fundraising"][2:] == [2, 4.0, 6, 3, 0.5]  # sessions, hours, marks, attended, rate
    assert modules["Intercultural mediation"][2:] == [1, 2.0, 3, 2, pytest.approx(2 / 3)]
    weeks = palermo.weeks.rows
    assert sum(row[2] for row in weeks) == 9 and sum(row[3] for row in weeks) == 5
    assert all(row[0].weekday() == 0 for row in weeks)  # weeks start on Monday


def test_pairings_show_what_each_side_taught_and_learned(world):
    palermo = build(world).sites[1]
    (pairing,) = palermo.pairings
    assert sorted(pairing.exchanges) == [
        ("Associazione Arcobaleno", "Sunugal", "Fundraising"),
        ("Sunugal", "Associazione Arcobaleno", "Intercultural mediation"),
    ]
    assert pairing.project == "Grant clinic for volunteers"
    assert (pairing.workshops, pairing.reached) == (1, 30)
    assert palermo.workshops.rows[0][2] == "Fundraising for beginners"
    assert palermo.workshops.rows[0][4:] == [30, 12, 10]


def test_committee_against_its_rule(world):
    palermo = build(world).sites[1]
    assert sum(row[1] for row in palermo.committee.rows) == 3
    assert any("at least 6" in problem for problem in palermo.committee_problems)
    assert any("Local authority" in problem for problem in palermo.committee_problems)


def test_competence_map_counts_offers_and_needs(world):
    report = build(world)
    rows = {row[0]: row for row in report.competence_map.rows}
    assert rows["Fundraising"][1:4] == [1, 2, -1]  # offered by 1, needed by 2 (Sunugal, Kyriakos)
    assert rows["Intercultural mediation"][1:4] == [1, 1, 0]


def test_empowerment_change_per_competence_and_type(world):
    report = build(world)
    by_competence = {row[0]: row for row in report.empowerment_competences.rows}
    assert by_competence["Intercultural mediation"][3:6] == [2.0, 4.0, 2.0]
    assert by_competence["Fundraising"][1:6] == [1, 1, 1.0, 2.0, 1.0]  # Kyriakos rated the start only
    by_type = {str(row[0]): row for row in report.empowerment_types.rows}
    assert by_type["Civil-society organisation (CSO)"][5] == 2.0
    assert by_type["Migrant / ethnic-minority association"][5] == 1.0
    assert "Faith community" not in by_type
    assert "2 organisations rated themselves at the start and at the end" in report.empowerment_summary
    assert "(3 at the start)" in report.empowerment_summary


def test_feedback_averages_per_question(world):
    report = build(world)
    rows = {row[0]: row for row in report.feedback_questions.rows}
    useful = rows["How useful was this session for you and your organisation?"]
    assert useful[1:6] == [0, 0, 0, 1, 1] and useful[6:] == [2, 4.5]
    assert report.sites[1].comments == ["Very practical."]


def test_a_period_counts_only_what_happened_in_it(world):
    first, second = world.sessions[0], world.sessions[1]
    start = first.starts_at.date() + timedelta(days=1)  # after the first Palermo session
    end = second.starts_at.date() + timedelta(days=1)
    report = build(world, sites=[world.palermo], period=Period(start, end))
    assert figure(report, "sessions") == 1  # only the second session
    assert figure(report, "attendance") == pytest.approx(1 / 3)  # Amina present, Luca and Moussa absent
    assert figure(report, "feedback") == 0  # the answers were about the first session
    assert figure(report, "workshops") == 0
    assert [row[3] for row in report.annex_sessions.rows] == [second.title]


def test_the_period_is_read_in_the_site_time_zone(make, world):
    from datetime import datetime

    # 23:30 in Palermo on 1 March is 22:30 UTC: it belongs to 1 March there.
    late = make.session(world.palermo, kind="event", starts_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC), status="held")
    march_first = build(world, sites=[world.palermo], period=Period(date(2026, 3, 1), date(2026, 3, 1)))
    march_second = build(world, sites=[world.palermo], period=Period(date(2026, 3, 2), date(2026, 3, 2)))
    assert [row[3] for row in march_first.annex_sessions.rows] == [late.title]
    assert march_second.annex_sessions.rows == []


def test_a_site_report_holds_only_its_site(world):
    report = build(world, sites=[world.athens])
    assert [s.city for s in report.sites] == ["Athens"]
    assert figure(report, "participants") == 1
    assert [row[0] for row in report.annex_organisations.rows] == ["Σύλλογος Κυψέλης"]
    assert not report.consolidated


def test_participants_are_named_only_when_asked(world):
    report = build(world)
    assert report.annex_participants is None
    text = repr([t.rows for t in report.tables()])
    assert "Amina Haddad" not in text and "Moussa Diop" not in text
    named = build(world, include_participants=True)
    rows = {row[0]: row for row in named.annex_participants.rows}
    assert rows["Amina Haddad"][3:] == [6.0, 1.0, "yes"]
    assert rows["Luca Bianchi"][5] == "no"


def test_falling_attendance_is_said(make, world):
    world.programme.starts_on = date.today() - timedelta(days=60)
    site = world.athens
    eleni = world.people["eleni"]
    module = world.sessions[3].module
    others = [make.participant(world.kyriakos) for _ in range(3)]
    for week in range(6):  # six weekly sessions: everyone comes for three weeks, then one in four
        sched = make.session(site, module=module, starts_in_days=-7 * (6 - week) + 0.5, status="held")
        for n, person in enumerate([eleni, *others]):
            make.mark(sched, person, "present" if week < 3 or n == 0 else "absent")
    report = build(world)
    assert any("Attendance in Athens fell from" in alert for alert in report.alerts)
    assert "Athens fell from" in report.sites[0].falling
    assert report.sites[1].falling == ""


def test_the_figures_take_the_same_queries_whatever_the_size(make, world, count_queries):
    """Aggregates in the database: more participants, sessions and marks, no more queries."""
    db.session.commit()
    db.session.expire_all()
    with count_queries() as small:
        build(world)
    module = world.sessions[0].module
    people = [make.participant(world.arcobaleno) for _ in range(15)]
    for day in range(5):
        sched = make.session(world.palermo, module=module, starts_in_days=-25 + day, status="held")
        for person in people:
            make.mark(sched, person, "present")
        make.feedback(sched, people[day])
    db.session.commit()
    db.session.expire_all()
    with count_queries() as large:
        build(world)
    assert large.count == small.count
