"""The competence catalogue (coordinators) and what an organisation offers and needs."""

from __future__ import annotations

import sqlalchemy as sa

from oep.extensions import db
from oep.organisations.models import Competence, CompetenceDirection, OrganisationCompetence


def test_coordinator_keeps_the_catalogue(client, make):
    client.login(make.coordinator())
    assert client.post("/competences", data={"name-en": "Fundraising", "description-en": "Grants"}).status_code == 302
    duplicate = client.post("/competences", data={"name-en": "  fundraising "})
    assert duplicate.status_code == 422 and "already has" in duplicate.get_data(as_text=True)
    competence = db.session.scalar(sa.select(Competence))
    assert (
        client.post(f"/competences/{competence.id}/edit", data={"name-en": "Fundraising and grants"}).status_code == 302
    )
    assert competence.name == "Fundraising and grants"
    assert client.post("/competences", data={"name-en": ""}).status_code == 422


def test_a_competence_in_use_cannot_be_deleted(client, make):
    competence = make.competence("Social media")
    make.declares(make.organisation(make.site()), competence, "offer")
    client.login(make.coordinator())
    page = client.post(f"/competences/{competence.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "cannot be deleted" in page
    assert db.session.get(Competence, competence.id) is not None
    unused_id = make.competence("Unused").id
    client.post(f"/competences/{unused_id}/delete")
    assert db.session.scalar(sa.select(Competence.name).where(Competence.id == unused_id)) is None


def test_contact_declares_offers_and_needs_with_levels_and_notes(client, make):
    organisation = make.organisation(make.site())
    fundraising, mediation, media = (
        make.competence("Fundraising"),
        make.competence("Mediation"),
        make.competence("Media"),
    )
    make.declares(organisation, media, "need", level=1)
    client.login(make.contact_of(organisation))
    page = client.get(f"/organisations/{organisation.id}/competences").get_data(as_text=True)
    assert "Fundraising" in page and "Mediation" in page
    response = client.post(
        f"/organisations/{organisation.id}/competences",
        data={
            f"offer_{mediation.id}": "3",
            f"offer_note_{mediation.id}": "Arabic, Tigrinya",
            f"need_{fundraising.id}": "2",
            f"need_{media.id}": "0",
        },
    )
    assert response.status_code == 302
    entries = {
        (e.competence.name, e.direction, e.level, e.note) for e in db.session.scalars(sa.select(OrganisationCompetence))
    }
    assert entries == {
        ("Mediation", CompetenceDirection.OFFER, 3, "Arabic, Tigrinya"),
        ("Fundraising", CompetenceDirection.NEED, 2, ""),
    }
    detail = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert "Mediation" in detail and "Arabic, Tigrinya" in detail


def test_invalid_level_is_refused_and_nothing_changes(client, make):
    organisation = make.organisation(make.site())
    competence = make.competence()
    client.login(make.contact_of(organisation))
    response = client.post(f"/organisations/{organisation.id}/competences", data={f"offer_{competence.id}": "7"})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrganisationCompetence)) == 0
