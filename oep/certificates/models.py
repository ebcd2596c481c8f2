"""Issued certificates: each one a record with its stored file, never regenerated."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oep.core.db import UTCDateTime, enum_type, utcnow
from oep.core.enums import LabelledEnum
from oep.extensions import db

if TYPE_CHECKING:
    from oep.accounts.models import User
    from oep.organisations.models import Participant
    from oep.programmes.models import Programme, Site

#: Crockford's base-32 letters: no I, L, O or U to misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_code() -> str:
    """An unguessable verification code: 60 random bits, like OEP-7KQ2-9XMC-4TRA."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"OEP-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(text: str) -> str:
    """What a person typed, in the canonical form (case, spaces and lookalikes forgiven)."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"}))
    if cleaned.startswith("0EP"):
        cleaned = "OEP" + cleaned[3:]
    if cleaned.startswith("OEP"):
        cleaned = cleaned[3:]
    if len(cleaned) != 12:
        return ""
    return f"OEP-{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"


class CertificateKind(LabelledEnum):
    COMPLETION = "completion", _l("Certificate of completion")
    PARTICIPATION = "participation", _l("Certificate of participation")


class CertificateStatus(LabelledEnum):
    VALID = "valid", _l("Valid")
    SUPERSEDED = "superseded", _l("Replaced by a newer version")
    REVOKED = "revoked", _l("Revoked")


class Certificate(db.Model):
    """One issued certificate. What it says is kept here as issued (and in its file), so
    that a later change of a name or of the template never changes it."""

    __tablename__ = "certificates"
    __table_args__ = (
        sa.CheckConstraint("status <> 'revoked' OR revoked_at IS NOT NULL", name="revoked_has_time"),
        sa.Index("ix_certificates_participant_id_status", "participant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True, default=new_code)
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[CertificateKind] = mapped_column(enum_type(CertificateKind, "certificate_kind"))
    language: Mapped[str] = mapped_column(sa.String(8))
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[CertificateStatus] = mapped_column(
        enum_type(CertificateStatus, "certificate_status"), default=CertificateStatus.VALID
    )
    supersedes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id", ondelete="SET NULL"))
    # As issued
    holder_name: Mapped[str] = mapped_column(sa.String(200))
    organisation_name: Mapped[str] = mapped_column(sa.String(200))
    programme_name: Mapped[str] = mapped_column(sa.String(200))
    city: Mapped[str] = mapped_column(sa.String(120))
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(6, 1))
    modules: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Salt of the holder's hashed identity in the Open Badges credential.
    identity_salt: Mapped[str] = mapped_column(sa.String(32), default=lambda: secrets.token_hex(16))
    # The file
    file_name: Mapped[str] = mapped_column(sa.String(200))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str] = mapped_column(sa.Text, default="")
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[Participant | None] = relationship()
    programme: Mapped[Programme] = relationship()
    site: Mapped[Site] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])

    credential: Mapped[BadgeCredential | None] = relationship(back_populates="certificate", uselist=False)

    @property
    def download_name(self) -> str:
        safe = "".join(ch if ch.isalnum() else "-" for ch in self.holder_name).strip("-")[:60] or "certificate"
        return f"{safe}-{self.code}.pdf"


#: Bits in one status list: the W3C Bitstring Status List minimum (16 KiB), so that what one
#: list shows hides among many. A list takes new credentials until half of it is used, so that
#: a free index drawn at random is found at once.
STATUS_LIST_SIZE = 131072
STATUS_LIST_CAPACITY = STATUS_LIST_SIZE // 2


class BadgeCredential(db.Model):
    """A certificate's signed Open Badges 3.0 credential, and its place in a status list.

    Made when the certificate is issued (for certificates issued before credentials were
    signed: when it is first downloaded) and never changed: the holder keeps what was signed.
    Its bit in the revocation list is set while its certificate is not valid (revoked or
    replaced by a new version), as /verify says. A new credential takes an index at random
    (the spec's advice, so that the order of issue does not show); the unique constraint keeps
    two credentials, even ones signed at the same moment, off the same bit.
    """

    __tablename__ = "badge_credentials"
    __table_args__ = (
        sa.UniqueConstraint("status_list", "status_index"),
        sa.CheckConstraint("status_list >= 1", name="status_list_positive"),
        sa.CheckConstraint(f"status_index >= 0 AND status_index < {STATUS_LIST_SIZE}", name="status_index_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Empty only between the signing and the storing of a new certificate (its bit is unset
    #: meanwhile: no one holds it yet).
    certificate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificates.id", ondelete="SET NULL"), unique=True
    )
    status_list: Mapped[int]
    status_index: Mapped[int]
    #: The issuer key that signed it (a DID URL, e.g. did:web:oep.example.org#key-1).
    key_id: Mapped[str] = mapped_column(sa.String(300))
    #: The credential secured as a VC-JWT (compact JWS).
    jwt: Mapped[str] = mapped_column(sa.Text)
    #: The same credential secured with an embedded Data Integrity proof (JSON), made when it
    #: is first asked for.
    data_integrity: Mapped[str | None] = mapped_column(sa.Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    certificate: Mapped[Certificate | None] = relationship(back_populates="credential")
