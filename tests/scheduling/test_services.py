"""The scheduling services refuse bad input themselves: the page, the command line, a job and
the API all get the same refusal, with the field it concerns."""

from __future__ import annotations

from datetime import date, time

import pytest
import sqlalchemy as sa

from oep.core.errors import InvalidInput
from oep.extensions import db
from oep.scheduling import services
from oep.scheduling.models import ScheduledSession, SessionKind, SessionSeries, SessionStatus


@pytest.fixture
def site_and_trainer(make):
    site = make.site(city="Palermo", timezone="Europe/Rome")
    return site, make.trainer([site])


def course(make, site, **overrides) -> services.SessionData:
    fields = {
        "kind": SessionKind.COURSE,
        "title": "",
        "day": date(2027, 3, 2),
        "start": time(17, 0),
        "end": time(20, 0),
        "module_id": make.module(site.programme, title="Fundraising").id,
        "language": "it",
    }
    fields.update(overrides)
    return services.SessionData(**fields)


def nothing_scheduled() -> bool:
    return (
        not db.session.scalars(sa.select(ScheduledSession)).all()
        and not db.session.scalars(sa.select(SessionSeries)).all()
    )


def test_a_series_needs_its_last_date(make, site_and_trainer):
    site, trainer = site_and_trainer
    repeat = services.Repeat(weekdays=[1], interval_weeks=1, until=None)
    with pytest.raises(InvalidInput, match="Give the last date of the series.") as refused:
        services.create_series(db.session, site, course(make, site), repeat, trainer)
    assert refused.value.field == "until"
    assert nothing_scheduled()


def test_renewing_a_feed_gives_a_new_address(make, site_and_trainer):
    site, _trainer = site_and_trainer
    organisation = make.organisation(site)
    old_site, old_organisation = site.calendar_token, organisation.calendar_token
    assert services.renew_site_feed(db.session, site) not in (old_site, "")
    assert services.renew_organisation_feed(db.session, organisation) not in (old_organisation, "")
    assert site.calendar_token != old_site and organisation.calendar_token != old_organisation


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"title": "T" * 201}, "title", "At most 200 characters."),
        ({"venue": "V" * 201}, "venue", "At most 200 characters."),
        ({"address": "A" * 301}, "address", "At most 300 characters."),
        ({"description": "D" * 5001}, "description", "At most 5,000 characters."),
        ({"online_url": "meet me at the bar"}, "online_url", "Enter a web address"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "Enter a web address"),
        ({"online_url": "https://meet.example.org/" + "x" * 480}, "online_url", "At most 500 characters."),
        ({"capacity": 10001}, "capacity", "Between 1 and 10000"),
        ({"capacity": 0}, "capacity", "Capacity is at least 1"),
        ({"language": "xx"}, "language", "Choose a language from the list."),
        ({"speakers": [services.SpeakerData(name=f"S{i}") for i in range(21)]}, None, "at most 20 speakers"),
        ({"speakers": [services.SpeakerData(name="N" * 201)]}, None, "At most 200 characters."),
    ],
)
def test_the_session_services_refuse_what_the_form_refuses(make, site_and_trainer, overrides, field, message):
    site, trainer = site_and_trainer
    with pytest.raises(InvalidInput, match=message) as refused:
        services.create_session(db.session, site, course(make, site, **overrides), trainer)
    assert refused.value.field == field
    assert nothing_scheduled()


def test_an_update_is_held_to_the_same_rules(make, site_and_trainer):
    site, trainer = site_and_trainer
    sched = services.create_session(db.session, site, course(make, site, venue="Centro Arcobaleno"), trainer)
    with pytest.raises(InvalidInput, match="At most 200 characters."):
        services.update_session(db.session, sched, course(make, site, venue="V" * 201), trainer)
    db.session.refresh(sched)
    assert sched.venue == "Centro Arcobaleno"


def test_a_long_reason_is_refused_not_cut(make, site_and_trainer):
    """A notice's reason used to be cut to 500 characters without a word; a cancellation's
    had no limit at all."""
    site, trainer = site_and_trainer
    organisation = make.organisation(site)
    person = make.participant(organisation)
    sched = make.session(site, starts_in_days=3)
    with pytest.raises(InvalidInput, match="At most 500 characters.") as refused:
        services.give_notice(db.session, sched, person, "R" * 501, make.contact_of(organisation))
    assert refused.value.field == "reason"
    with pytest.raises(InvalidInput, match="At most 2,000 characters.") as refused:
        services.set_status(db.session, sched, SessionStatus.CANCELLED, "R" * 2001, trainer)
    assert refused.value.field == "reason" and sched.status is SessionStatus.CONFIRMED


def test_a_headcount_above_the_largest_is_refused(make, site_and_trainer):
    site, _trainer = site_and_trainer
    workshop = make.session(site, kind="workshop", starts_in_days=-1)
    with pytest.raises(InvalidInput, match="between 0 and 100,000") as refused:
        services.record_headcount(db.session, workshop, 100001, None, None)
    assert refused.value.field == "headcount_total" and workshop.headcount_total is None
