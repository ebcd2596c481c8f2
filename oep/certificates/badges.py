"""Open Badges 3.0: a certificate as a verifiable credential (JSON-LD), with the holder's
identity hashed — the name never appears in the credential, only its salted SHA-256."""

from __future__ import annotations

import hashlib

from oep.accounts.services import external_url
from oep.certificates.models import Certificate, CertificateKind, CertificateStatus

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def identity_hash(name: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((name.strip() + salt).encode("utf-8")).hexdigest()


def credential(certificate: Certificate) -> dict:
    verify = external_url("certificates.verify_code", code=certificate.code)
    kind = "completion" if certificate.kind is CertificateKind.COMPLETION else "participation"
    achievement_name = f"{certificate.programme_name} — {kind}"
    document = {
        "@context": CONTEXT,
        "id": verify,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement_name,
        "issuer": {
            "id": external_url("public.home"),
            "type": ["Profile"],
            "name": f"OEP — {certificate.programme_name}",
        },
        "validFrom": certificate.issued_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(certificate.holder_name, certificate.identity_salt),
                    "identityType": "name",
                    "hashed": True,
                    "salt": certificate.identity_salt,
                }
            ],
            "achievement": {
                "id": external_url("public.home") + f"#programme-{certificate.programme_id}-{kind}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": achievement_name,
                "description": (
                    f"{'Completed' if kind == 'completion' else 'Took part in'} the Organisational Empowerment "
                    f"Programme “{certificate.programme_name}” in "
                    f"{certificate.city}, attending {certificate.hours} hours."
                ),
                "criteria": {
                    "narrative": "Attendance recorded session by session; completion requires the programme's share "
                    "of course hours and every mandatory module."
                },
            },
            "result": [{"type": ["Result"], "value": str(certificate.hours)}],
        },
        "evidence": [{"type": ["Evidence"], "id": verify, "name": certificate.code}],
    }
    if certificate.status is CertificateStatus.REVOKED:
        document["credentialStatus"] = {
            "type": "OEPStatus",
            "status": "revoked",
            "revokedAt": certificate.revoked_at.isoformat(),
        }
    return document
