"""Open Badges 3.0: a certificate as a signed verifiable credential, and the status lists that
revoke credentials.

The credential is built and secured with openbadgeslib (the OB 3.0 data model, its context and
schema, Data Integrity proofs with eddsa-rdfc-2022, W3C Bitstring Status Lists, baking into
badge images); signatures are by the installation's issuer key (``issuer.py``). The holder's
identity is hashed — the name never appears in the credential, only its salted SHA-256.

A credential says where its revocation bit is (``credentialStatus``: a
``BitstringStatusListEntry`` pointing at ``/badges/status/<list>``); the list is itself a
credential, signed by the same issuer as a VC-JWT, valid for a day and made afresh on request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import jwt
from flask import current_app
from openbadgeslib import baking
from openbadgeslib.ob3 import (
    Achievement,
    IdentityObject,
    Issuer,
    OB3LdpSigner,
    OpenBadgeCredential,
    Result,
    build_status_list_credential,
    status_entry,
)

from oep.accounts.services import external_url
from oep.certificates import issuer
from oep.certificates.models import STATUS_LIST_SIZE, Certificate, CertificateKind
from oep.core.db import utcnow

#: How long a status list stays valid once served: a verifier refuses an older copy, so a
#: replayed list cannot hide a revocation for longer than this.
STATUS_LIST_VALIDITY = timedelta(days=1)
#: What a verifier may cache a status list for (the Bitstring Status List ``ttl``), and the
#: HTTP cache lifetime of its response: a revocation shows within this time.
STATUS_LIST_TTL = timedelta(minutes=5)
#: Claims that a VC-JWT adds to the credential (OB 3.0 §8.2.4.1).
JWT_CLAIMS = ("iss", "sub", "jti", "nbf", "exp", "iat")


def identity_hash(name: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((name.strip() + salt).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CredentialFacts:
    """What a credential says about a certificate, as issued."""

    code: str
    kind: str  # CertificateKind value
    programme_id: int
    programme_name: str
    city: str
    hours: Decimal
    holder_name: str
    identity_salt: str
    issued_at: datetime

    @classmethod
    def of(cls, certificate: Certificate) -> CredentialFacts:
        return cls(
            code=certificate.code,
            kind=certificate.kind.value,
            programme_id=certificate.programme_id,
            programme_name=certificate.programme_name,
            city=certificate.city,
            hours=certificate.hours,
            holder_name=certificate.holder_name,
            identity_salt=certificate.identity_salt,
            issued_at=certificate.issued_at,
        )


def status_list_url(number: int) -> str:
    return external_url("certificates.status_list", list_number=number)


def issuer_profile() -> Issuer:
    return Issuer(id=issuer.issuer_did(), name=current_app.config["BADGE_ISSUER_NAME"], url=external_url("public.home"))


def credential(facts: CredentialFacts, status_list: int, status_index: int) -> OpenBadgeCredential:
    """The certificate as an OpenBadgeCredential whose revocation bit is ``status_index`` of
    status list ``status_list``. Its id is the certificate's public verification page."""
    verify = external_url("certificates.verify_code", code=facts.code)
    kind = "completion" if facts.kind == CertificateKind.COMPLETION.value else "participation"
    achievement_name = f"{facts.programme_name} — {kind}"
    achievement = Achievement(
        id=external_url("public.home") + f"#programme-{facts.programme_id}-{kind}",
        name=achievement_name,
        description=(
            f"{'Completed' if kind == 'completion' else 'Took part in'} the Organisational Empowerment "
            f"Programme “{facts.programme_name}” in {facts.city}, attending {facts.hours} hours."
        ),
        criteria_narrative="Attendance recorded session by session; completion requires the programme's share "
        "of course hours and every mandatory module.",
        achievement_type="Certificate",
    )
    return OpenBadgeCredential(
        id=verify,
        issuer=issuer_profile(),
        recipient_id=None,
        achievement=achievement,
        name=achievement_name,
        issuance_date=facts.issued_at.replace(microsecond=0),
        identifiers=[
            IdentityObject(
                identity_hash=identity_hash(facts.holder_name, facts.identity_salt),
                identity_type="name",
                hashed=True,
                salt=facts.identity_salt,
            )
        ],
        results=[Result(value=str(facts.hours))],
        credential_status=[status_entry(status_list_url(status_list), "revocation", status_index)],
    )


def sign_jwt(document: OpenBadgeCredential, key: issuer.IssuerKey) -> str:
    """The credential as a VC-JWT: the credential is the payload, with iss, jti and nbf."""
    return issuer.sign_jwt(document.to_jwt_payload(), key)


def payload_of(token: str) -> dict:
    """The payload of a VC-JWT that OEP signed and stored (not checked again here)."""
    return jwt.decode(token, options={"verify_signature": False})


def document_of(token: str) -> dict:
    """The credential a stored VC-JWT carries, without the JWT's claims."""
    return {name: value for name, value in payload_of(token).items() if name not in JWT_CLAIMS}


def sign_data_integrity(token: str, key: issuer.IssuerKey) -> str:
    """The same credential as a stored VC-JWT, secured instead with an embedded Data Integrity
    proof (eddsa-rdfc-2022) by ``key``, as JSON text."""
    document = OpenBadgeCredential.from_jwt_payload(payload_of(token))
    signed = OB3LdpSigner(key.private_pem, verification_method=key.kid).sign(document)
    return json.dumps(signed, ensure_ascii=False, indent=2)


def status_list_jwt(number: int, revoked: Iterable[int]) -> str:
    """Status list ``number`` as a signed BitstringStatusListCredential (VC-JWT), with the bits
    of ``revoked`` set."""
    now = utcnow().replace(microsecond=0)
    document = build_status_list_credential(
        issuer.issuer_did(),
        status_list_url(number),
        "revocation",
        revoked,
        size_bits=STATUS_LIST_SIZE,
        issued=now,
        valid_until=now + STATUS_LIST_VALIDITY,
        ttl=int(STATUS_LIST_TTL.total_seconds() * 1000),
    )
    payload = {**document, "iss": document["issuer"], "jti": document["id"], "nbf": int(now.timestamp())}
    return issuer.sign_jwt(payload)


def bake_svg(svg: str, token: str) -> bytes:
    """The badge image with the VC-JWT baked in (OB 3.0 §5.3: an ``openbadges:credential``
    element whose ``verify`` attribute holds the compact JWS)."""
    return baking.bake_svg(svg.encode("utf-8"), token, element=baking.SVG_ELEMENT_OB3, namespace=baking.SVG_NS_OB3)
