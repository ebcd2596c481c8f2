"""The certificate services refuse bad input themselves: the page, a job, the command line and
the API get the same refusal."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from oep.certificates import services
from oep.certificates.models import Certificate, CertificateStatus
from oep.core.errors import InvalidInput
from oep.extensions import db


def test_issuing_in_a_language_that_is_not_offered_is_refused(course_site):
    """Not only issue_one's page: the bulk issue (which a job runs) refuses it too, before
    anything is rendered."""
    site, trainer, _people = course_site
    decisions = services.decisions_for_site(db.session, site)
    with pytest.raises(InvalidInput, match="Choose one of the certificate languages.") as refused:
        services.issue(db.session, site, decisions, trainer, language="tlh")
    assert refused.value.field == "language"
    assert db.session.scalars(sa.select(Certificate)).all() == []


def test_revoking_needs_a_reason_of_at_most_1000_characters(course_site, make):
    site, trainer, people = course_site
    certificate = make.certificate(site, people["eleni"])
    for reason, message in (("  ", "Say why the certificate is revoked."), ("R" * 1001, "At most 1,000 characters.")):
        with pytest.raises(InvalidInput, match=message) as refused:
            services.revoke(db.session, certificate, reason, trainer)
        assert refused.value.field == "reason"
    assert certificate.status is CertificateStatus.VALID
