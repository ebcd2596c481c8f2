"""Reads for certificates, scoped: coordinators all, trainers their sites', organisation
contacts their own participants'."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from oep.accounts.models import Role, User
from oep.certificates.models import BadgeCredential, Certificate, CertificateStatus
from oep.extensions import db
from oep.programmes.queries import site_ids_of_trainer


def visible_certificates_stmt(user: User):
    """A select of the certificates ``user`` may see: all for a coordinator, those of their
    sites for a trainer, their organisation's for an organisation contact."""
    stmt = sa.select(Certificate)
    if user.role is Role.COORDINATOR:
        return stmt
    if user.role is Role.TRAINER:
        return stmt.where(Certificate.site_id.in_(site_ids_of_trainer(user)))
    return stmt.where(Certificate.organisation_id == user.organisation_id)


def get_certificate_or_404(user: User, certificate_id: int) -> Certificate:
    """The certificate ``certificate_id`` (any status) if ``user`` may see it; aborts with 404
    otherwise."""
    certificate = db.session.scalar(visible_certificates_stmt(user).where(Certificate.id == certificate_id))
    if certificate is None:
        abort(404)
    return certificate


def current_by_participant(site_id: int) -> dict[int, Certificate]:
    """Each participant's latest certificate at a site (valid or revoked),
    ``{participant_id: Certificate}``. Not scoped: the caller has authorised the site."""
    rows = db.session.scalars(
        sa.select(Certificate)
        .where(Certificate.site_id == site_id, Certificate.status != CertificateStatus.SUPERSEDED)
        .order_by(Certificate.issued_at)
    ).all()
    return {c.participant_id: c for c in rows}


def certificates_of_site(site_id: int) -> list[Certificate]:
    """The valid certificates of a site, by organisation and holder name. Not scoped: the
    caller has authorised the site."""
    return db.session.scalars(
        sa.select(Certificate)
        .where(Certificate.site_id == site_id, Certificate.status == CertificateStatus.VALID)
        .order_by(Certificate.organisation_name, Certificate.holder_name)
    ).all()


def certificates_of_organisation(user: User, organisation_id: int, only_valid: bool = False) -> list[Certificate]:
    """The organisation's certificates that ``user`` may see (every version, or only the
    valid ones), by holder, newest version first."""
    stmt = visible_certificates_stmt(user).where(Certificate.organisation_id == organisation_id)
    if only_valid:
        stmt = stmt.where(Certificate.status == CertificateStatus.VALID)
    return db.session.scalars(stmt.order_by(Certificate.holder_name, Certificate.version.desc())).all()


def by_code(code: str) -> Certificate | None:
    """The certificate with this verification code, whatever its status; ``None`` for an
    unknown or empty code. For anyone: public verification."""
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code)) if code else None


def status_list_exists(number: int) -> bool:
    """Whether status list ``number`` has been started (list 1 always has)."""
    newest = db.session.scalar(sa.select(sa.func.max(BadgeCredential.status_list))) or 1
    return 1 <= number <= newest


def revoked_indices(number: int) -> list[int]:
    """The bits set in status list ``number``: its credentials whose certificate is revoked or
    replaced by a newer version — the certificates /verify does not show as valid."""
    return db.session.scalars(
        sa.select(BadgeCredential.status_index)
        .join(Certificate, Certificate.id == BadgeCredential.certificate_id)
        .where(BadgeCredential.status_list == number, Certificate.status != CertificateStatus.VALID)
    ).all()
