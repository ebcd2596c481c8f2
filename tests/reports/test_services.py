"""The report services refuse bad input themselves: the page, the report job and the API get
the same refusal, with the field it concerns."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from oep.core.errors import InvalidInput
from oep.extensions import db
from oep.reports import services
from oep.reports.data import Period
from oep.reports.models import Narrative, NarrativeSection, ReportFile, ReportFormat


@pytest.mark.parametrize(
    "period,message",
    [
        (Period(date(2026, 6, 1), date(2026, 5, 31)), "The period ends before it starts."),
        (Period(date(2020, 1, 1), date(2026, 1, 1)), "A report covers at most five years."),
    ],
)
def test_a_period_out_of_order_or_too_long_is_refused_before_anything_is_made(make, period, message):
    site = make.site()
    with pytest.raises(InvalidInput, match=message) as refused:
        services.make_files(
            db.session,
            site.programme,
            site,
            period,
            [ReportFormat.CSV],
            language="en",
            include_participants=False,
            by_id=None,
        )
    assert refused.value.field == "date_to"
    assert db.session.scalars(sa.select(ReportFile)).all() == []


def test_no_format_or_an_unknown_language_is_refused(make):
    site = make.site()
    period = Period(date(2026, 1, 1), date(2026, 6, 30))
    common = {"include_participants": False, "by_id": None}
    with pytest.raises(InvalidInput, match="Choose at least one format.") as refused:
        services.make_files(db.session, site.programme, site, period, [], language="en", **common)
    assert refused.value.field == "formats"
    with pytest.raises(InvalidInput, match="Choose a language from the list.") as refused:
        services.make_files(db.session, site.programme, site, period, [ReportFormat.CSV], language="tlh", **common)
    assert refused.value.field == "language"
    assert db.session.scalars(sa.select(ReportFile)).all() == []


def test_an_over_long_narrative_is_refused_and_none_is_saved(make):
    site = make.site()
    texts = {NarrativeSection.CONTEXT: "Fine.", NarrativeSection.LESSONS: "L" * 20001}
    with pytest.raises(InvalidInput, match="At most 20,000 characters.") as refused:
        services.save_narratives(db.session, site, texts, None)
    assert refused.value.field == NarrativeSection.LESSONS.value
    assert db.session.scalars(sa.select(Narrative)).all() == []
