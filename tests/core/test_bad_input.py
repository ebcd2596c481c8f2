"""Bad input on every form: a clear answer, never a 500, and nothing half-written.

Every endpoint that takes a POST is sent empty, oversized, hostile and malformed values for
every field its page shows, by someone allowed to use it.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import url_for

from oep.extensions import db

PAYLOADS = {
    "empty": lambda name: "",
    "huge": lambda name: "x" * 20000,
    "hostile": lambda name: "<script>alert(1)</script>' OR '1'='1; DROP TABLE users; --",
    "negative": lambda name: "-1",
    "nul byte": lambda name: "abc\x00def",
    "unicode": lambda name: "Ελένη 😀 \u202e evil",
    "float": lambda name: "1e309",
}

#: The signed-in person allowed to post to each endpoint (default: the coordinator).
ACTOR = {
    "organisations.enrol": "contact_a",
    "scheduling.book": "contact_a",
    "scheduling.give_notice": "contact_a",
    "scheduling.withdraw_notice": "contact_a",
}
ANONYMOUS = {
    "accounts.login",
    "accounts.forgot_password",
    "organisations.register",
    "attendance.enter_code",
    "attendance.self_checkin",
    "feedback.answer",
}


def _post_endpoints(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            yield rule


def _row_counts():
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name != "throttle_events"  # failed attempts are counted on purpose
    }


def _field_names(page: str) -> set[str]:
    names = set(re.findall(r'name="([a-zA-Z0-9_-]+)"', page))
    return names - {"csrf_token", "lang", "next"}


def _cases(app_for_ids=None):
    return [
        (endpoint, payload)
        for endpoint in [
            "accounts.login",
            "accounts.forgot_password",
            "accounts.reset_password",
            "accounts.accept_invitation",
            "accounts.change_password",
            "accounts.users",
            "accounts.set_active",
            "public.set_language",
            "programmes.new",
            "programmes.edit",
            "programmes.new_site",
            "programmes.edit_site",
            "programmes.new_committee_member",
            "programmes.edit_committee_member",
            "programmes.delete_committee_member",
            "programmes.new_module",
            "programmes.edit_module",
            "programmes.move_module",
            "programmes.delete_module",
            "organisations.register",
            "organisations.decide",
            "organisations.edit",
            "organisations.withdraw",
            "organisations.enrol",
            "organisations.new_participant",
            "organisations.edit_participant",
            "organisations.delete_participant",
            "organisations.import_participants",
            "organisations.edit_competences",
            "organisations.competences",
            "organisations.edit_competence",
            "organisations.delete_competence",
            "scheduling.new_session",
            "scheduling.edit",
            "scheduling.change_status",
            "scheduling.headcount",
            "scheduling.book",
            "scheduling.cancel_booking",
            "scheduling.give_notice",
            "scheduling.withdraw_notice",
            "scheduling.reset_site_feed",
            "scheduling.reset_organisation_feed",
            "attendance.take",
            "attendance.enter_code",
            "attendance.self_checkin",
            "pairings.run",
            "pairings.swap",
            "pairings.pair_manually",
            "pairings.remove_suggestion",
            "pairings.confirm",
            "pairings.rules",
            "pairings.add_constraint",
            "pairings.remove_constraint",
            "pairings.add_meeting",
            "pairings.save_project",
            "pairings.end",
            "certificates.issue_all",
            "certificates.issue_programme",
            "certificates.issue_one",
            "certificates.revoke",
            "feedback.answer",
            "feedback.self_assessment",
            "reports.generate",
            "reports.narratives",
        ]
        for payload in PAYLOADS
    ]


def test_the_list_covers_every_post_endpoint(app):
    listed = {endpoint for endpoint, _ in _cases()}
    posting = {rule.endpoint for rule in _post_endpoints(app)} - {"accounts.logout"}
    assert posting == listed


@pytest.mark.parametrize("endpoint,payload", _cases())
def test_bad_input_never_breaks_anything(app, client, world, endpoint, payload):
    people, ids = world
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from tests.core.test_access import URL_OVERRIDES, URL_QUERY

        overrides = URL_OVERRIDES.get(endpoint, {})
        query = {name: ids[key] for name, key in URL_QUERY.get(endpoint, {}).items()}
        url = url_for(endpoint, **{arg: ids[overrides.get(arg, arg)] for arg in rule.arguments}, **query)
    actor = people[ACTOR.get(endpoint, "coordinator")]
    if endpoint not in ANONYMOUS:
        client.login(actor)
    fields = {
        "name",
        "email",
        "reason",
        "decision",
        "direction",
        "active",
        "step",
        "csv_text",
        "site",
        "code",
        "participant_id",
        "participant_ids",
        "walk_in_name",
        "walk_in_organisation",
        "action",
        "first",
        "second",
        "organisation_ids",
        "apply",
        "pairing_id",
        "held_on",
        "title",
        "status",
        "kind",
        "language",
        "mail",
        "scope",
        "date_from",
        "date_to",
        "formats",
        "include_participants",
        "useful",
        "clear",
        "organised",
        "comment",
        "sign",
        "programme_id",
        "phase",
    }
    if "GET" in rule.methods:
        page = client.get(url)
        if page.status_code == 200:
            fields |= _field_names(page.get_data(as_text=True))
    data = {name: PAYLOADS[payload](name) for name in fields}
    before = _row_counts()
    response = client.post(url, data=data)
    assert response.status_code < 500, response.get_data(as_text=True)[:3000]
    if response.status_code >= 400:
        assert _row_counts() == before, "a refused request changed the database"
