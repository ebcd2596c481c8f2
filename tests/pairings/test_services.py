"""The pairing services refuse bad input themselves: the page, the command line and the API
get the same refusal, with the field it concerns."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from oep.core.errors import InvalidInput
from oep.extensions import db
from oep.pairings import services
from oep.pairings.models import ConstraintKind, PairConstraint, PairingMeeting, PairingStatus, ProjectIdea


@pytest.fixture
def pairing(make):
    site = make.site()
    organisations = [make.organisation(site), make.organisation(site)]
    return make.pairing(site, organisations, status="active"), make.trainer([site])


@pytest.mark.parametrize(
    "fields,field,message",
    [
        ({"attendees": "A" * 501}, "attendees", "At most 500 characters."),
        ({"notes": "N" * 5001}, "notes", "At most 5,000 characters."),
        ({"next_steps": "S" * 2001}, "next_steps", "At most 2,000 characters."),
    ],
)
def test_a_meeting_with_an_over_long_text_is_refused(pairing, fields, field, message):
    pairing_, trainer = pairing
    data = services.MeetingData(held_on=date(2026, 1, 15), **fields)
    with pytest.raises(InvalidInput, match=message) as refused:
        services.add_meeting(db.session, pairing_, data, trainer)
    assert refused.value.field == field
    assert db.session.scalars(sa.select(PairingMeeting)).all() == []


@pytest.mark.parametrize(
    "fields,field,message",
    [
        ({"title": "T" * 201}, "title", "At most 200 characters."),
        ({"description": "D" * 5001}, "description", "At most 5,000 characters."),
        ({"target_group": "G" * 301}, "target_group", "At most 300 characters."),
        ({"resources_needed": "R" * 2001}, "resources_needed", "At most 2,000 characters."),
    ],
)
def test_a_project_idea_with_an_over_long_text_is_refused(pairing, fields, field, message):
    pairing_, trainer = pairing
    data = services.ProjectData(**({"title": "Grant writing together"} | fields))
    with pytest.raises(InvalidInput, match=message) as refused:
        services.save_project(db.session, pairing_, data, trainer)
    assert refused.value.field == field
    assert db.session.scalars(sa.select(ProjectIdea)).all() == []


def test_a_long_note_or_reason_is_refused_not_cut(pairing):
    """A rule's note used to be cut to 300 characters without a word; the reason a pairing is
    dissolved had no limit at all."""
    pairing_, trainer = pairing
    a, b = (m.organisation_id for m in pairing_.members)
    with pytest.raises(InvalidInput, match="At most 300 characters.") as refused:
        services.add_constraint(db.session, pairing_.site, a, b, ConstraintKind.FORBIDDEN, "N" * 301, trainer)
    assert refused.value.field == "note" and db.session.scalars(sa.select(PairConstraint)).all() == []
    with pytest.raises(InvalidInput, match="At most 2,000 characters.") as refused:
        services.end(db.session, pairing_, PairingStatus.DISSOLVED, "R" * 2001, trainer)
    assert refused.value.field == "reason" and pairing_.status is PairingStatus.ACTIVE
