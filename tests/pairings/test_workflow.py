"""Running the matcher, reviewing and editing suggestions, confirming them, and the pairing
workspace."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from oep.extensions import db
from oep.organisations.models import OrganisationType
from oep.pairings.models import MatchRun, Pairing, PairingExchange, PairingMeeting, PairingStatus


@pytest.fixture
def site_with_organisations(make):
    """Two CSOs and two migrant associations whose needs and offers complement each other."""
    site = make.site(city="Palermo")
    fundraising, mediation, media, legal = (
        make.competence(n) for n in ("Fundraising", "Mediation", "Social media", "Legal advice")
    )
    arcobaleno = make.organisation(site, name="Arcobaleno", type=OrganisationType.CSO, languages=["it", "en"])
    santa = make.organisation(site, name="Santa Chiara", type=OrganisationType.CSO, languages=["it", "en"])
    donne = make.organisation(
        site, name="Donne Tunisine", type=OrganisationType.MIGRANT_ASSOCIATION, languages=["ar", "it"]
    )
    ghana = make.organisation(site, name="Ghanaian Union", type=OrganisationType.MIGRANT_ASSOCIATION, languages=["en"])
    make.declares(arcobaleno, fundraising, "offer", 3)
    make.declares(arcobaleno, mediation, "need", 3)
    make.declares(donne, mediation, "offer", 3)
    make.declares(donne, fundraising, "need", 2)
    make.declares(santa, media, "offer", 2)
    make.declares(santa, legal, "need", 1)
    make.declares(ghana, legal, "offer", 2)
    make.declares(ghana, media, "need", 3)
    trainer = make.trainer([site])
    orgs = {o.name: o for o in (arcobaleno, santa, donne, ghana)}
    site.competences = {c.name: c for c in (fundraising, mediation, media, legal)}  # for the tests' convenience
    return site, trainer, orgs


def groups(site, status=None):
    stmt = sa.select(Pairing).where(Pairing.site_id == site.id)
    if status:
        stmt = stmt.where(Pairing.status == PairingStatus(status))
    return {tuple(sorted(m.organisation.name for m in p.members)) for p in db.session.scalars(stmt)}


def test_matcher_suggests_the_best_pairs_and_explains_them(client, site_with_organisations):
    site, trainer, orgs = site_with_organisations
    client.login(trainer)
    response = client.post(f"/sites/{site.id}/pairings/run")
    assert response.status_code == 302
    assert groups(site, "proposed") == {("Arcobaleno", "Donne Tunisine"), ("Ghanaian Union", "Santa Chiara")}
    page = client.get(f"/sites/{site.id}/pairings").get_data(as_text=True)
    # Arcobaleno teaches fundraising (3 × 2) and learns mediation (3 × 3), plus the mutual bonus.
    assert "Fit: 20" in page and "offers level 3, needed at level 2" in page
    assert "including 5 for learning both ways" in page


def test_unpaired_are_listed_with_the_reason(client, site_with_organisations, make):
    site, trainer, orgs = site_with_organisations
    make.organisation(site, name="Comunità Bengalese", type=OrganisationType.MIGRANT_ASSOCIATION, languages=["bn"])
    site.programme.pairing_allow_triads = False
    client.login(trainer)
    client.post(f"/sites/{site.id}/pairings/run")
    run = db.session.scalar(sa.select(MatchRun))
    assert run.organisations == 5
    page = client.get(f"/sites/{site.id}/pairings").get_data(as_text=True)
    assert "Left out by the last run" in page
    assert "Comunità Bengalese" in page and "no shared working language" in page


def test_odd_number_gives_a_triad(client, site_with_organisations, make):
    site, trainer, orgs = site_with_organisations
    extra = make.organisation(
        site, name="Nigerian Association", type=OrganisationType.MIGRANT_ASSOCIATION, languages=["it", "en"]
    )
    make.declares(extra, site.competences["Fundraising"], "need", 1)
    client.login(trainer)
    client.post(f"/sites/{site.id}/pairings/run")
    sizes = sorted(len(g) for g in groups(site, "proposed"))
    assert sizes == [2, 3]
    assert "triad" in client.get(f"/sites/{site.id}/pairings").get_data(as_text=True)


def test_forbidden_and_fixed_pairs_are_respected(client, site_with_organisations):
    site, trainer, orgs = site_with_organisations
    client.login(trainer)
    a, d, s = orgs["Arcobaleno"], orgs["Donne Tunisine"], orgs["Santa Chiara"]
    assert (
        client.post(
            f"/sites/{site.id}/pairings/constraints",
            data={"kind": "forbidden", "organisation_a_id": a.id, "organisation_b_id": d.id},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/sites/{site.id}/pairings/constraints",
            data={"kind": "fixed", "organisation_a_id": s.id, "organisation_b_id": d.id, "note": "They asked"},
        ).status_code
        == 302
    )
    client.post(f"/sites/{site.id}/pairings/run")
    found = groups(site, "proposed")
    assert ("Donne Tunisine", "Santa Chiara") in found
    assert ("Arcobaleno", "Donne Tunisine") not in found
    # The same rule twice, or a pair with itself, is refused with a message.
    again = client.post(
        f"/sites/{site.id}/pairings/constraints",
        data={"kind": "forbidden", "organisation_a_id": d.id, "organisation_b_id": a.id},
    )
    assert again.status_code == 422 and "already a rule" in again.get_data(as_text=True)
    same = client.post(
        f"/sites/{site.id}/pairings/constraints",
        data={"kind": "forbidden", "organisation_a_id": a.id, "organisation_b_id": a.id},
    )
    assert same.status_code == 422


def test_swap_preview_shows_the_score_change_and_the_broken_rule(client, site_with_organisations):
    site, trainer, orgs = site_with_organisations
    client.login(trainer)
    client.post(f"/sites/{site.id}/pairings/run")
    donne, ghana = orgs["Donne Tunisine"], orgs["Ghanaian Union"]
    preview = client.get(f"/sites/{site.id}/pairings/swap?first={donne.id}&second={ghana.id}")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'data-testid="score-change"' in page and "Change of total fit: -" in page
    # Swapping two migrant associations keeps the type rule; nothing changes until applied.
    assert groups(site, "proposed") == {("Arcobaleno", "Donne Tunisine"), ("Ghanaian Union", "Santa Chiara")}
    applied = client.post(f"/sites/{site.id}/pairings/swap", data={"first": donne.id, "second": ghana.id, "apply": "1"})
    assert applied.status_code == 302, applied.get_data(as_text=True)[-3000:]
    assert groups(site, "proposed") == {("Arcobaleno", "Ghanaian Union"), ("Donne Tunisine", "Santa Chiara")}
    # Swapping a CSO with a migrant association would pair two CSOs: the preview warns.
    arcobaleno = orgs["Arcobaleno"]
    warn = client.get(f"/sites/{site.id}/pairings/swap?first={arcobaleno.id}&second={donne.id}").get_data(as_text=True)
    assert "breaks a rule" in warn and "pairs join a migrant association with a non-migrant organisation" in warn


def test_confirming_records_the_exchanges_and_tells_both_contacts(client, site_with_organisations, make, mailbox):
    site, trainer, orgs = site_with_organisations
    client.login(trainer)
    client.post(f"/sites/{site.id}/pairings/run")
    client.post(f"/sites/{site.id}/pairings/confirm")
    assert groups(site, "active") == {("Arcobaleno", "Donne Tunisine"), ("Ghanaian Union", "Santa Chiara")}
    exchanges = {
        (e.teacher.name, e.learner.name, e.competence.name) for e in db.session.scalars(sa.select(PairingExchange))
    }
    assert ("Arcobaleno", "Donne Tunisine", "Fundraising") in exchanges
    assert ("Donne Tunisine", "Arcobaleno", "Mediation") in exchanges
    recipients = sorted(m["To"] for m in mailbox.messages)
    assert recipients == sorted(make.contact_of(o).email for o in orgs.values())
    body = mailbox.body(mailbox.to(make.contact_of(orgs["Arcobaleno"]).email)[0])
    assert "Donne Tunisine" in body and "Fundraising" in body
    # A new run leaves active pairings alone.
    response = client.post(f"/sites/{site.id}/pairings/run", follow_redirects=True)
    assert "At least two organisations are needed" in response.get_data(as_text=True)


def test_contact_sees_only_their_own_pairing(client_factory, site_with_organisations, make):
    site, trainer, orgs = site_with_organisations
    staff = client_factory().login(trainer)
    staff.post(f"/sites/{site.id}/pairings/run")
    proposals = db.session.scalars(sa.select(Pairing)).all()
    contact = client_factory().login(make.contact_of(orgs["Arcobaleno"]))
    # Suggestions are not shown to organisations before they are confirmed.
    assert all(contact.get(f"/pairings/{p.id}").status_code == 404 for p in proposals)
    assert "not paired yet" in contact.get("/pairing").get_data(as_text=True)
    staff.post(f"/sites/{site.id}/pairings/confirm")
    mine = next(p for p in proposals if orgs["Arcobaleno"].id in [m.organisation_id for m in p.members])
    other = next(p for p in proposals if p.id != mine.id)
    response = contact.get("/pairing")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/pairings/{mine.id}")
    page = contact.get(f"/pairings/{mine.id}").get_data(as_text=True)
    assert "Donne Tunisine" in page and make.contact_of(orgs["Donne Tunisine"]).email in page
    assert contact.get(f"/pairings/{other.id}").status_code == 404
    assert contact.post(f"/pairings/{other.id}/meetings", data={"held_on": "2026-01-01"}).status_code == 404


def test_workspace_meeting_log_and_project_idea(client, make):
    site = make.site()
    a, b = make.organisation(site), make.organisation(site, type=OrganisationType.MIGRANT_ASSOCIATION)
    pairing = make.pairing(site, [a, b])
    client.login(make.contact_of(a))
    future = (date.today() + timedelta(days=3)).isoformat()
    bad = client.post(f"/pairings/{pairing.id}/meetings", data={"held_on": future, "notes": "Plan"})
    assert bad.status_code == 422 and "date is in the future" in bad.get_data(as_text=True)
    ok = client.post(
        f"/pairings/{pairing.id}/meetings",
        data={
            "held_on": date.today().isoformat(),
            "attendees": "Rosa, Fatima",
            "notes": "First talk",
            "next_steps": "Draft a budget",
        },
    )
    assert ok.status_code == 302
    assert db.session.scalar(sa.select(PairingMeeting)).next_steps == "Draft a budget"
    assert client.post(f"/pairings/{pairing.id}/project", data={"title": "", "status": "idea"}).status_code == 422
    client.post(
        f"/pairings/{pairing.id}/project",
        data={"title": "Crowdfunding for a women's café", "target_group": "Migrant women", "status": "planning"},
    )
    page = client.get(f"/pairings/{pairing.id}").get_data(as_text=True)
    assert "Crowdfunding for a women&#39;s café" in page or "Crowdfunding for a women's café" in page
    assert "Being planned" in page and "First talk" in page


def test_workshops_of_a_pairing_and_their_reach(client_factory, make):
    site = make.site()
    a, b = make.organisation(site), make.organisation(site, type=OrganisationType.MIGRANT_ASSOCIATION)
    pairing = make.pairing(site, [a, b])
    trainer = make.trainer([site])
    staff = client_factory().login(trainer)
    day = (date.today() - timedelta(days=2)).isoformat()
    response = staff.post(
        f"/sites/{site.id}/sessions/new",
        data={
            "kind": "workshop",
            "pairing_id": pairing.id,
            "title-en": "Fundraising for beginners",
            "day": day,
            "start": "18:00",
            "end": "20:00",
            "language": "it",
            "status": "confirmed",
        },
    )
    assert response.status_code == 302
    from oep.scheduling.models import ScheduledSession

    workshop = db.session.scalar(sa.select(ScheduledSession))
    assert workshop.pairing_id == pairing.id
    staff.post(f"/sessions/{workshop.id}/status", data={"status": "held"})
    # The pairing's own contact records how many came.
    contact = client_factory().login(make.contact_of(b))
    assert (
        contact.post(
            f"/sessions/{workshop.id}/headcount",
            data={"headcount_total": "35", "headcount_newcomers": "20", "headcount_residents": "15"},
        ).status_code
        == 302
    )
    page = contact.get(f"/pairings/{pairing.id}").get_data(as_text=True)
    assert "Fundraising for beginners" in page
    overview = staff.get(f"/programmes/{site.programme_id}/pairings").get_data(as_text=True)
    assert "20 newcomers, 15 residents" in overview
    # A course session cannot be attached to a pairing.
    bad = staff.post(
        f"/sites/{site.id}/sessions/new",
        data={
            "kind": "event",
            "pairing_id": pairing.id,
            "title-en": "X",
            "day": day,
            "start": "18:00",
            "end": "19:00",
            "language": "it",
            "status": "confirmed",
        },
    )
    assert bad.status_code == 422 and "Only a skill-transfer workshop" in bad.get_data(as_text=True)


def test_dissolving_needs_a_reason_and_frees_the_members(client, site_with_organisations):
    site, trainer, orgs = site_with_organisations
    client.login(trainer)
    client.post(f"/sites/{site.id}/pairings/run")
    client.post(f"/sites/{site.id}/pairings/confirm")
    pairing = db.session.scalars(sa.select(Pairing)).first()
    bad = client.post(f"/pairings/{pairing.id}/end", data={"status": "dissolved", "reason": ""})
    assert bad.status_code == 422 and pairing.status is PairingStatus.ACTIVE
    client.post(f"/pairings/{pairing.id}/end", data={"status": "dissolved", "reason": "One association closed"})
    assert pairing.status is PairingStatus.DISSOLVED
    assert client.post(f"/sites/{site.id}/pairings/run").status_code == 302  # its members can be paired again
    assert len(groups(site, "proposed")) == 1


def test_pairs_of_an_earlier_edition_are_not_repeated(client, make):
    earlier = make.programme(name="OEP 2025", starts_on=date(2025, 1, 10), ends_on=date(2025, 11, 30))
    current = make.programme(name="OEP 2026", starts_on=date(2026, 1, 10), ends_on=date(2026, 11, 30))
    old_site, site = make.site(earlier), make.site(current)
    a = make.organisation(site, type=OrganisationType.CSO)
    b = make.organisation(site, type=OrganisationType.MIGRANT_ASSOCIATION)
    make.enrolment(a, old_site)
    make.enrolment(b, old_site)
    make.pairing(old_site, [a, b], status="completed")
    client.login(make.trainer([site]))
    client.post(f"/sites/{site.id}/pairings/run")
    assert groups(site, "proposed") == set()
    assert "already paired in an earlier edition" in client.get(f"/sites/{site.id}/pairings").get_data(as_text=True)


def test_site_pairings_page_query_count_does_not_grow(client, make, count_queries):
    counts = []
    for size in (2, 12):
        site = make.site()
        competence = make.competence()
        orgs = []
        for i in range(size):
            org = make.organisation(site, type=OrganisationType.CSO if i % 2 else OrganisationType.MIGRANT_ASSOCIATION)
            make.declares(org, competence, "offer" if i % 2 else "need")
            orgs.append(org)
        for i in range(0, size, 2):
            make.pairing(site, orgs[i : i + 2], status="proposed" if i % 4 else "active")
        client.login(make.trainer([site]))
        client.get(f"/sites/{site.id}/pairings")
        with count_queries() as counter:
            assert client.get(f"/sites/{site.id}/pairings").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
