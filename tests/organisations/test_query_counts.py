"""List pages load what they show in a fixed number of queries, whatever the data size."""

from __future__ import annotations

import pytest

from oep.organisations.models import EnrolmentStatus


def build(make, organisations: int, participants_each: int):
    programme = make.programme()
    site = make.site(programme)
    competence = make.competence()
    orgs = []
    for i in range(organisations):
        status = EnrolmentStatus.PENDING if i % 2 else EnrolmentStatus.ACCEPTED
        organisation = make.organisation(site, status=status)
        make.declares(organisation, competence, "offer")
        for _ in range(participants_each):
            make.participant(organisation)
        orgs.append(organisation)
    return site, orgs


PAGES = {
    "organisations": lambda orgs: "/organisations",
    "organisations filtered": lambda orgs: "/organisations?status=pending&q=organisation",
    "review queue": lambda orgs: "/review",
    "participants": lambda orgs: f"/organisations/{orgs[0].id}/participants",
    "organisation": lambda orgs: f"/organisations/{orgs[0].id}",
    "dashboard": lambda orgs: "/dashboard",
}


@pytest.mark.parametrize("page", PAGES)
def test_query_count_does_not_grow_with_the_data(app, client, make, count_queries, page):
    counts = []
    for organisations, participants_each in ((2, 2), (12, 15)):
        site, orgs = build(make, organisations, participants_each)
        client.login(make.trainer([site]))
        url = PAGES[page](orgs)
        client.get(url)  # warm caches (e.g. the compiled templates)
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries with little data, {counts[1]} with more"
    assert counts[1] <= 12


def test_long_lists_are_paginated(client, make):
    site = make.site()
    for i in range(55):
        make.organisation(site, name=f"Org {i:02d}", contact=False)
    client.login(make.coordinator())
    first = client.get("/organisations").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Org 00" in first and "Org 54" not in first
    assert 'rel="next"' in first
    second = client.get("/organisations?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "Org 54" in second and 'rel="prev"' in second
    beyond = client.get("/organisations?page=99").get_data(as_text=True)
    assert "Page 2 of 2" in beyond
