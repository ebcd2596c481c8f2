"""A small world with one person of each role, for the access and bad-input tests."""

from __future__ import annotations

import pytest

from oep.core import storage
from oep.feedback.services import feedback_token
from oep.organisations.models import EnrolmentStatus


@pytest.fixture(autouse=True)
def jobs_stay_queued(monkeypatch):
    """Access and bad-input tests start jobs without running them (no thread outlives a test)."""
    from oep.jobs import services

    monkeypatch.setattr(services, "dispatch", lambda app, job_id: None)


@pytest.fixture
def world(make, app):
    """Two organisations at two sites of one programme, and one person of each role."""
    programme = make.programme()
    storage.current().write("uploads/emblem-test.png", _PNG)
    programme.emblem_file = "emblem-test.png"
    programme.certificate_signature_file = "emblem-test.png"
    site_1 = make.site(programme)
    site_2 = make.site(programme)
    org_a = make.organisation(site_1)
    org_b = make.organisation(site_2)
    org_c = make.organisation(site_1, status=EnrolmentStatus.PENDING, contact=False)
    people = {
        "anonymous": None,
        "contact_a": make.contact_of(org_a),
        "contact_b": make.contact_of(org_b),
        "trainer_other_site": make.trainer([site_2]),
        "trainer_of_site": make.trainer([site_1]),
        "coordinator": make.coordinator(),
    }
    make.site(make.programme(name="Next edition"))  # an open site org A could still join
    participant_a = make.participant(org_a)
    module = make.module(programme)
    course = make.session(site_1, module=module)
    workshop = make.session(site_1, kind="workshop", is_public=True, starts_in_days=3)
    booking = make.booking(workshop, participant_a)
    notice = make.notice(course, participant_a)
    org_d, org_e, org_f = (make.organisation(site_1, contact=False) for _ in range(3))
    active = make.pairing(site_1, [org_a, org_d])
    proposed = make.pairing(site_1, [org_e, org_f], status="proposed")
    constraint = make.pair_constraint(site_1, org_a, org_e)
    certificate = make.certificate(site_1, participant_a)
    job = make.job(people["trainer_of_site"])
    report_file = _report_file(site_1, people["coordinator"])
    ids = {
        "programme_id": programme.id,
        "site_id": site_1.id,
        "org_id": org_a.id,
        "participant_id": participant_a.id,
        "enrolment_id": org_a.enrolments[0].id,
        "pending_enrolment_id": org_c.enrolments[0].id,
        "member_id": make.committee_member(site_1).id,
        "module_id": module.id,
        "session_id": course.id,
        "public_session_id": workshop.id,
        "booking_id": booking.id,
        "notice_id": notice.id,
        "pairing_id": active.id,
        "proposed_pairing_id": proposed.id,
        "constraint_id": constraint.id,
        "certificate_id": certificate.id,
        "code": certificate.code,
        "list_number": 1,
        "job_id": job.id,
        "uid": course.uid,
        "fmt": "xlsx",
        "competence_id": make.competence().id,
        "user_id": people["trainer_other_site"].id,
        "token": "not-a-valid-token",
        "site_token": site_1.calendar_token,
        "organisation_token": org_a.calendar_token,
        "filename": "css/oep.css",
        "file_id": report_file.id,
        "feedback_token": feedback_token(course),
    }
    return people, ids


def _report_file(site, by):
    from oep.extensions import db
    from oep.reports.models import ReportFile, ReportFormat
    from oep.reports.services import store

    name, stored = store(b"PK test workbook", "xlsx")
    record = ReportFile(
        programme_id=site.programme_id,
        site_id=site.id,
        period_from=site.programme.starts_on,
        period_to=site.programme.ends_on,
        format=ReportFormat.XLSX,
        language="en",
        title="Test report",
        file_name=name,
        download_name="test.xlsx",
        size=stored.size,
        sha256=stored.sha256,
        created_by_id=by.id,
    )
    db.session.add(record)
    db.session.flush()
    return record


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
