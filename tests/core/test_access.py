"""Every endpoint declares who may use it, and each role gets what it should.

The table below is the access policy, endpoint by endpoint. A new endpoint fails
``test_every_endpoint_has_a_rule_and_an_expectation`` until it declares a rule and is added here.
"""

from __future__ import annotations

import pytest

from oep.core.access import access_rule_for
from oep.organisations.models import EnrolmentStatus

ROLES = ["anonymous", "contact_a", "contact_b", "trainer_other_site", "trainer_of_site", "coordinator"]

OK, LOGIN, FORBIDDEN, MISSING = "ok", "login", "403", "404"


def row(anonymous, contact_a, contact_b, trainer_other_site, trainer_of_site, coordinator):
    return dict(zip(ROLES, (anonymous, contact_a, contact_b, trainer_other_site, trainer_of_site, coordinator)))


EVERYONE = row(OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(LOGIN, OK, OK, OK, OK, OK)
COORDINATOR_ONLY = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
STAFF = row(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
STAFF_OF_SITE = row(LOGIN, FORBIDDEN, FORBIDDEN, MISSING, OK, OK)
ORG_A_READERS = row(LOGIN, OK, MISSING, MISSING, OK, OK)
ORG_A_EDITORS = row(LOGIN, OK, MISSING, FORBIDDEN, FORBIDDEN, OK)

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
}


def test_every_endpoint_has_a_rule_and_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    without_rule = sorted(e for e in endpoints if access_rule_for(app, e) is None)
    assert without_rule == [], f"endpoints without an access rule: {without_rule}"
    untested = sorted(endpoints - POLICY.keys())
    assert untested == [], f"endpoints missing from the access policy table: {untested}"
    assert sorted(POLICY.keys() - endpoints) == [], "policy lists endpoints that no longer exist"


@pytest.fixture
def world(make, app):
    """Two organisations at two sites of one programme, and one person of each role."""
    from oep.core.uploads import upload_dir

    programme = make.programme()
    (upload_dir() / "emblem-test.png").write_bytes(_PNG)
    programme.emblem_file = "emblem-test.png"
    programme.certificate_signature_file = "emblem-test.png"
    site_1 = make.site(programme)
    site_2 = make.site(programme)
    org_a = make.organisation(site_1, status=EnrolmentStatus.PENDING)
    org_b = make.organisation(site_2)
    people = {
        "anonymous": None,
        "contact_a": make.contact_of(org_a),
        "contact_b": make.contact_of(org_b),
        "trainer_other_site": make.trainer([site_2]),
        "trainer_of_site": make.trainer([site_1]),
        "coordinator": make.coordinator(),
    }
    make.site(make.programme(name="Next edition"))  # an open site org A could still join
    ids = {
        "programme_id": programme.id,
        "site_id": site_1.id,
        "org_id": org_a.id,
        "participant_id": make.participant(org_a).id,
        "enrolment_id": org_a.enrolments[0].id,
        "member_id": make.committee_member(site_1).id,
        "module_id": make.module(programme).id,
        "competence_id": make.competence().id,
        "user_id": people["trainer_other_site"].id,
        "token": "not-a-valid-token",
        "filename": "css/oep.css",
    }
    return people, ids


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


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

        url = url_for(endpoint, **{arg: ids[arg] for arg in rule.arguments})
    if people[role] is not None:
        client.login(people[role])
    if "GET" in rule.methods:
        response = client.get(url)
    else:
        response = client.post(url, data={})
    assert _outcome(response) == expected, f"{role} on {endpoint} ({url}): {response.status_code}"
