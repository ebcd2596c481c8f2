"""The demo programme command."""

from __future__ import annotations

import sqlalchemy as sa

from oep.accounts.models import Role, User
from oep.extensions import db
from oep.organisations.models import Enrolment, EnrolmentStatus, Organisation, OrganisationType, Participant
from oep.programmes.models import Module, Site
from oep.programmes.queries import committee_check


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_loads_a_realistic_programme_and_prints_the_logins(app):
    result = app.test_cli_runner().invoke(args=["oep", "demo"])
    assert result.exit_code == 0, result.output
    for login in ("coordinator@example.org", "trainer.palermo@example.org", "contact@example.org"):
        assert login in result.output
    cities = set(db.session.scalars(sa.select(Site.city)))
    assert {"Palermo", "Athens", "Kassel", "Aarhus"} <= cities and len(cities) == 5
    assert 7 <= count(Module) <= 9
    assert 55 <= count(Organisation) <= 65
    assert 230 <= count(Participant) <= 270
    types = set(db.session.scalars(sa.select(Organisation.type)))
    assert {OrganisationType.CSO, OrganisationType.MIGRANT_ASSOCIATION} <= types and len(types) >= 5
    statuses = set(db.session.scalars(sa.select(Enrolment.status)))
    assert {EnrolmentStatus.ACCEPTED, EnrolmentStatus.PENDING, EnrolmentStatus.WAITLISTED} <= statuses
    sites = db.session.scalars(sa.select(Site)).all()
    assert all(site.trainers for site in sites)
    # Most committees meet the rule; the demo keeps one that falls short, to show the warning.
    assert sum(not committee_check(site.committee_members).ok for site in sites) == 1
    assert db.session.scalar(sa.select(User).where(User.email == "contact@example.org")).role is Role.CONTACT


def test_demo_logins_work(app, client):
    app.test_cli_runner().invoke(args=["oep", "demo"])
    for email, password in (
        ("coordinator@example.org", "demo-coordinator-2026"),
        ("trainer.palermo@example.org", "demo-trainer-2026"),
        ("contact@example.org", "demo-contact-2026"),
    ):
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, email
        assert client.get("/dashboard").status_code == 200
        client.post("/logout")


def test_demo_refuses_a_database_that_is_not_empty(app, make):
    make.coordinator()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["oep", "demo"])
    assert result.exit_code != 0 and "not empty" in result.output
    assert count(Organisation) == 0
    result = runner.invoke(args=["oep", "demo", "--if-empty"])
    assert result.exit_code == 0 and "already holds data" in result.output
    result = runner.invoke(args=["oep", "demo", "--reset"])
    assert result.exit_code == 0 and count(Organisation) >= 55
