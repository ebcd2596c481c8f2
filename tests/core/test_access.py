"""Every endpoint declares who may use it, and each role gets what it should.

The table below is the access policy, endpoint by endpoint. A new endpoint fails
``test_every_endpoint_has_a_rule_and_an_expectation`` until it declares a rule and is added here.
"""

from __future__ import annotations

import pytest

from oep.core.access import access_rule_for

ROLES = ["anonymous", "contact_a", "contact_b", "trainer_other_site", "trainer_of_site", "coordinator"]

OK, LOGIN, FORBIDDEN, MISSING = "ok", "login", "403", "404"


def row(anonymous, contact_a, contact_b, trainer_other_site, trainer_of_site, coordinator):
    return dict(
        zip(ROLES, (anonymous, contact_a, contact_b, trainer_other_site, trainer_of_site, coordinator), strict=True)
    )


EVERYONE = row(OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(LOGIN, OK, OK, OK, OK, OK)
COORDINATOR_ONLY = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
STAFF = row(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
STAFF_OF_SITE = row(LOGIN, FORBIDDEN, FORBIDDEN, MISSING, OK, OK)
ORG_A_READERS = row(LOGIN, OK, MISSING, MISSING, OK, OK)
ORG_A_EDITORS = row(LOGIN, OK, MISSING, FORBIDDEN, FORBIDDEN, OK)
CONTACT_A_ONLY = row(LOGIN, OK, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN)

POLICY = {
    "static": EVERYONE,
    "public.home": EVERYONE,
    "public.healthz": EVERYONE,
    "public.set_language": EVERYONE,
    "accounts.login": EVERYONE,
    "accounts.logout": EVERYONE,
    "accounts.forgot_password": EVERYONE,
    "accounts.reset_password": EVERYONE,
    "accounts.accept_invitation": EVERYONE,
    "accounts.change_password": SIGNED_IN,
    "accounts.users": COORDINATOR_ONLY,
    "accounts.set_active": COORDINATOR_ONLY,
    "dashboard.index": SIGNED_IN,
    "programmes.index": STAFF,
    "programmes.new": COORDINATOR_ONLY,
    "programmes.detail": STAFF,  # both trainers work in this programme
    "programmes.edit": COORDINATOR_ONLY,
    "programmes.emblem": EVERYONE,
    "programmes.signature": STAFF,
    "programmes.new_site": COORDINATOR_ONLY,
    "programmes.site": STAFF_OF_SITE,
    "programmes.edit_site": COORDINATOR_ONLY,
    "programmes.new_committee_member": COORDINATOR_ONLY,
    "programmes.edit_committee_member": COORDINATOR_ONLY,
    "programmes.delete_committee_member": COORDINATOR_ONLY,
    "programmes.new_module": COORDINATOR_ONLY,
    "programmes.edit_module": COORDINATOR_ONLY,
    "programmes.move_module": COORDINATOR_ONLY,
    "programmes.delete_module": COORDINATOR_ONLY,
    "organisations.register": EVERYONE,
    "organisations.review": STAFF,
    "organisations.decide": STAFF_OF_SITE,
    "organisations.index": STAFF,
    "organisations.detail": ORG_A_READERS,
    "organisations.edit": ORG_A_EDITORS,
    "organisations.withdraw": ORG_A_EDITORS,
    "organisations.enrol": row(LOGIN, OK, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "organisations.participants": ORG_A_READERS,
    "organisations.new_participant": ORG_A_EDITORS,
    "organisations.edit_participant": ORG_A_EDITORS,
    "organisations.delete_participant": ORG_A_EDITORS,
    "organisations.import_participants": ORG_A_EDITORS,
    "organisations.participants_template": SIGNED_IN,
    "organisations.edit_competences": ORG_A_EDITORS,
    "organisations.competences": COORDINATOR_ONLY,
    "organisations.edit_competence": COORDINATOR_ONLY,
    "organisations.delete_competence": COORDINATOR_ONLY,
    "scheduling.my_schedule": STAFF,
    "scheduling.site_schedule": STAFF_OF_SITE,
    "scheduling.programme_schedule": STAFF,
    "scheduling.organisation_schedule": ORG_A_READERS,
    "scheduling.new_session": STAFF_OF_SITE,
    "scheduling.edit": STAFF_OF_SITE,
    "scheduling.change_status": STAFF_OF_SITE,
    "scheduling.headcount": row(LOGIN, MISSING, MISSING, MISSING, OK, OK),  # and the workshop's pairing
    "scheduling.detail": ORG_A_READERS,
    "scheduling.book": CONTACT_A_ONLY,
    "scheduling.cancel_booking": ORG_A_READERS,
    "scheduling.give_notice": CONTACT_A_ONLY,
    "scheduling.withdraw_notice": CONTACT_A_ONLY,
    "scheduling.site_feed": EVERYONE,
    "scheduling.organisation_feed": EVERYONE,
    "scheduling.public_feed": EVERYONE,
    "scheduling.reset_site_feed": STAFF_OF_SITE,
    "scheduling.reset_organisation_feed": row(LOGIN, OK, MISSING, FORBIDDEN, FORBIDDEN, OK),
    "scheduling.events": EVERYONE,
    "scheduling.public_event": EVERYONE,
    "attendance.take": STAFF_OF_SITE,
    "attendance.checkin_display": STAFF_OF_SITE,
    "attendance.checkin_state": STAFF_OF_SITE,
    "attendance.enter_code": EVERYONE,
    "attendance.self_checkin": EVERYONE,
    "attendance.site_overview": STAFF_OF_SITE,
    "attendance.site_export": STAFF_OF_SITE,
    "attendance.session_export": STAFF_OF_SITE,
    "attendance.organisation_overview": ORG_A_READERS,
    "attendance.organisation_export": ORG_A_READERS,
    "attendance.participant": ORG_A_READERS,
    "pairings.site": STAFF_OF_SITE,
    "pairings.run": STAFF_OF_SITE,
    "pairings.swap": STAFF_OF_SITE,
    "pairings.pair_manually": STAFF_OF_SITE,
    "pairings.remove_suggestion": STAFF_OF_SITE,
    "pairings.confirm": STAFF_OF_SITE,
    "pairings.rules": STAFF_OF_SITE,
    "pairings.add_constraint": STAFF_OF_SITE,
    "pairings.remove_constraint": STAFF_OF_SITE,
    "pairings.workspace": ORG_A_READERS,
    "pairings.add_meeting": ORG_A_READERS,
    "pairings.save_project": ORG_A_READERS,
    "pairings.end": STAFF_OF_SITE,
    "pairings.mine": row(LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "pairings.programme_overview": STAFF,
    "certificates.site": STAFF_OF_SITE,
    "certificates.issue_all": STAFF_OF_SITE,
    "certificates.issue_programme": COORDINATOR_ONLY,
    "certificates.issue_one": STAFF_OF_SITE,
    "certificates.revoke": STAFF_OF_SITE,
    "certificates.download": ORG_A_READERS,
    "certificates.credential": ORG_A_READERS,
    "certificates.credential_jwt": ORG_A_READERS,
    "certificates.badge": ORG_A_READERS,
    "certificates.site_zip": STAFF_OF_SITE,
    "certificates.organisation": ORG_A_READERS,
    "certificates.organisation_zip": ORG_A_READERS,
    "certificates.verify": EVERYONE,
    "certificates.verify_code": EVERYONE,
    "certificates.did_document": EVERYONE,
    "certificates.jwks": EVERYONE,
    "certificates.issuer_profile": EVERYONE,
    "certificates.status_list": EVERYONE,  # rate-limited per address
    "jobs.detail": row(LOGIN, MISSING, MISSING, MISSING, OK, OK),  # the trainer who started it
    "jobs.state": row(LOGIN, MISSING, MISSING, MISSING, OK, OK),
    "feedback.answer": EVERYONE,  # with the session's key in the link
    "feedback.session_results": STAFF_OF_SITE,
    "feedback.self_assessment": ORG_A_EDITORS,
    "reports.index": STAFF,
    "reports.preview": STAFF,
    "reports.generate": STAFF,
    "reports.download": STAFF_OF_SITE,  # a report of site 1
    "reports.narratives": STAFF_OF_SITE,
    "reports.organisation_summary": ORG_A_READERS,
    "reports.organisation_summary_file": ORG_A_READERS,
}

#: URL values that differ from the world's defaults for some endpoints.
URL_OVERRIDES = {
    "pairings.remove_suggestion": {"pairing_id": "proposed_pairing_id"},
    "organisations.decide": {"enrolment_id": "pending_enrolment_id"},
    "scheduling.public_event": {"session_id": "public_session_id"},
    "scheduling.site_feed": {"token": "site_token"},
    "scheduling.organisation_feed": {"token": "organisation_token"},
}
#: Query-string values some endpoints need (from the world's ids).
URL_QUERY = {
    "feedback.answer": {"k": "feedback_token"},
}


def test_every_endpoint_has_a_rule_and_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    without_rule = sorted(e for e in endpoints if access_rule_for(app, e) is None)
    assert without_rule == [], f"endpoints without an access rule: {without_rule}"
    untested = sorted(endpoints - POLICY.keys())
    assert untested == [], f"endpoints missing from the access policy table: {untested}"
    assert sorted(POLICY.keys() - endpoints) == [], "policy lists endpoints that no longer exist"


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    if response.status_code in (403, 404):
        return str(response.status_code)
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    return OK


def _cases():
    for endpoint, expected in sorted(POLICY.items()):
        for role in ROLES:
            yield pytest.param(endpoint, role, expected[role], id=f"{endpoint}-{role}")


@pytest.mark.parametrize("endpoint,role,expected", list(_cases()))
def test_role_gets_expected_answer(app, client, world, endpoint, role, expected):
    people, ids = world
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        overrides = URL_OVERRIDES.get(endpoint, {})
        query = {name: ids[key] for name, key in URL_QUERY.get(endpoint, {}).items()}
        url = url_for(endpoint, **{arg: ids[overrides.get(arg, arg)] for arg in rule.arguments}, **query)
    if people[role] is not None:
        client.login(people[role])
    response = client.get(url) if "GET" in rule.methods else client.post(url, data={})
    assert _outcome(response) == expected, f"{role} on {endpoint} ({url}): {response.status_code}"
