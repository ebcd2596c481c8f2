"""The scheduling services refuse bad input themselves: the page, the command line, a job and
the API all get the same refusal, with the field it concerns."""

from __future__ import annotations

from datetime import date, time

import pytest
import sqlalchemy as sa

from oep.core.errors import InvalidInput
from oep.extensions import db
from oep.scheduling import services
from oep.scheduling.models import ScheduledSession, SessionKind, SessionSeries


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
