"""Open Badges 3.0 credentials: checked as a verifier elsewhere would check them.

Every credential is verified with openbadgeslib's verifier, which resolves OEP's did:web
document and fetches its status list exactly as it would over HTTPS (here its downloads are
answered by the test client), and also along a path that shares no code with the signing: the
JWS checked with ``cryptography`` alone against the key read from the DID document, and the
status bit read from the list by hand (base64url, gzip, bit order of the W3C spec).
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import threading
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from openbadgeslib.ob3 import OB3LdpVerifier, OB3VerificationError, OB3Verifier
from pypdf import PdfReader

from oep.certificates import badges, issuer, services
from oep.certificates.models import BadgeCredential, Certificate, CertificateStatus
from oep.extensions import db
from tests.certificates.test_certificates import issue, the_certificate

DID = "did:web:oep.test"  # BASE_URL is http://oep.test in the tests


@pytest.fixture(autouse=True)
def own_issuer_keys(app, tmp_path, monkeypatch):
    """Each test starts with an installation that has no key yet."""
    monkeypatch.setitem(app.config, "ISSUER_KEY_DIR", str(tmp_path / "issuer_keys"))


@pytest.fixture
def fetch(client):
    """What a verifier downloads, answered by OEP itself: the did:web document (which did:web
    resolves over https://oep.test/.well-known/did.json) and the status lists."""
    fetched = []

    def download(url: str) -> bytes:
        parts = urlsplit(url)
        assert parts.hostname == "oep.test", url
        fetched.append(parts.path)
        response = client.get(parts.path)
        assert response.status_code == 200, (url, response.status_code)
        return response.data

    download.fetched = fetched
    return download


def verify_jwt(token: str, fetch) -> None:
    """openbadgeslib's verifier, anchored to OEP's DID, checking the status list (and its own
    signature) too. Raises OB3VerificationError when anything is wrong."""
    OB3Verifier.for_issuer_did(DID, download=fetch).verify(token, check_status=True, download=fetch)


def verify_data_integrity(document: dict, fetch) -> None:
    OB3LdpVerifier.for_issuer_did(DID).verify(document, check_status=True, download=fetch)


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def independently_verified_payload(token: str, did_document: dict) -> dict:
    """The JWS checked with cryptography alone: the key its kid names, from the DID document."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(_b64decode(header_b64))
    assert header["alg"] == "EdDSA"
    [method] = [m for m in did_document["verificationMethod"] if m["id"] == header["kid"]]
    key = Ed25519PublicKey.from_public_bytes(_b64decode(method["publicKeyJwk"]["x"]))
    key.verify(_b64decode(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))  # raises if forged
    return json.loads(_b64decode(payload_b64))


def bit_by_hand(client, credential_payload: dict, did_document: dict) -> int:
    """The credential's status bit, read from OEP's status list without openbadgeslib."""
    status = credential_payload["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    served = client.get(urlsplit(status["statusListCredential"]).path).get_data(as_text=True)
    listing = independently_verified_payload(served, did_document)
    assert listing["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listing["issuer"] == credential_payload["issuer"]["id"] == DID
    encoded = listing["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")  # multibase base64url
    bits = gzip.decompress(_b64decode(encoded[1:]))
    assert len(bits) * 8 >= 131072  # the spec's minimum size
    index = int(status["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1


def issued(client, site, person) -> Certificate:
    assert issue(client, site, person).status_code == 302
    return the_certificate(person)


def test_a_new_certificate_verifies_in_both_proof_formats(client, course_site, fetch):
    site, trainer, people = course_site
    client.login(trainer)
    certificate = issued(client, site, people["eleni"])

    token = client.get(f"/certificates/{certificate.id}/credential.jwt").get_data(as_text=True)
    verify_jwt(token, fetch)
    assert "/.well-known/did.json" in fetch.fetched and "/badges/status/1" in fetch.fetched

    response = client.get(f"/certificates/{certificate.id}/credential.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{certificate.code}.json"'
    document = json.loads(response.data)
    assert document["proof"]["type"] == "DataIntegrityProof"
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert document["proof"]["verificationMethod"] == f"{DID}#key-1"
    verify_data_integrity(document, fetch)
    # The same credential in both formats.
    assert {k: v for k, v in document.items() if k != "proof"} == badges.document_of(token)
    assert document["id"] == f"http://oep.test/verify/{certificate.code}"
    assert document["issuer"]["id"] == DID


def test_a_credential_verifies_along_an_independent_path(client, course_site):
    site, trainer, people = course_site
    client.login(trainer)
    certificate = issued(client, site, people["mette"])
    did_document = client.get("/.well-known/did.json").get_json()
    token = client.get(f"/certificates/{certificate.id}/credential.jwt").get_data(as_text=True)
    payload = independently_verified_payload(token, did_document)
    assert payload["iss"] == DID and payload["jti"] == payload["id"]
    assert payload["credentialSubject"]["achievement"]["achievementType"] == "Certificate"
    assert bit_by_hand(client, payload, did_document) == 0

    client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "Issued to the wrong person"})
    assert bit_by_hand(client, payload, did_document) == 1


def test_a_revoked_certificate_is_reported_revoked_by_the_verifier_and_by_verify(client, course_site, fetch):
    site, trainer, people = course_site
    client.login(trainer)
    certificate = issued(client, site, people["eleni"])
    token = client.get(f"/certificates/{certificate.id}/credential.jwt").get_data(as_text=True)
    document = json.loads(client.get(f"/certificates/{certificate.id}/credential.json").data)

    response = client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "Attendance was wrong"})
    assert response.status_code == 302

    with pytest.raises(OB3VerificationError, match="revocation"):
        verify_jwt(token, fetch)
    with pytest.raises(OB3VerificationError, match="revocation"):
        verify_data_integrity(document, fetch)
    assert "revoked" in client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    # Downloaded after the revocation, it is the same credential, and says so too.
    assert client.get(f"/certificates/{certificate.id}/credential.jwt").get_data(as_text=True) == token


def test_a_reissued_certificate_has_a_valid_credential_and_the_old_one_reads_revoked(client, course_site, fetch):
    site, trainer, people = course_site
    client.login(trainer)
    first = issued(client, site, people["eleni"])
    old_token = client.get(f"/certificates/{first.id}/credential.jwt").get_data(as_text=True)
    second = issued(client, site, people["eleni"])  # again, e.g. in another language
    assert second.version == 2 and second.id != first.id
    db.session.refresh(first)
    assert first.status is CertificateStatus.SUPERSEDED

    new_token = client.get(f"/certificates/{second.id}/credential.jwt").get_data(as_text=True)
    verify_jwt(new_token, fetch)
    with pytest.raises(OB3VerificationError, match="revocation"):
        verify_jwt(old_token, fetch)
    old, new = (badges.payload_of(t)["credentialStatus"] for t in (old_token, new_token))
    assert old["statusListIndex"] != new["statusListIndex"]
    assert "replaced by a newer version" in client.get(f"/verify/{first.code}").get_data(as_text=True)


def test_the_certificate_pdf_carries_its_signed_credential(client, course_site, fetch):
    site, trainer, people = course_site
    client.login(trainer)
    certificate = issued(client, site, people["eleni"])
    data = client.get(f"/certificates/{certificate.id}.pdf").data
    reader = PdfReader(io.BytesIO(data))

    assert list(reader.attachments) == [f"{certificate.code}.jwt"]
    [embedded] = reader.attachments[f"{certificate.code}.jwt"]
    token = embedded.decode("ascii")
    verify_jwt(token, fetch)
    assert token == client.get(f"/certificates/{certificate.id}/credential.jwt").get_data(as_text=True)

    # PDF/A-3: an associated file of the document, with its relationship and media type, and
    # the PDF/A-3b declaration kept.
    catalog = reader.trailer["/Root"]
    [spec] = [ref.get_object() for ref in catalog["/AF"]]
    assert spec["/AFRelationship"] == "/Alternative"
    assert spec["/EF"]["/F"].get_object()["/Subtype"] == "/application/vc+jwt"
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>3</pdfaid:part>" in xmp or 'pdfaid:part="3"' in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp or 'pdfaid:conformance="B"' in xmp


def test_an_older_certificate_keeps_its_pdf_and_is_signed_when_first_downloaded(client, make, course_site, fetch):
    site, trainer, people = course_site
    certificate = make.certificate(site, people["jonas"], kind="participation")  # as issued before credentials
    db.session.commit()
    before = client.login(trainer).get(f"/certificates/{certificate.id}.pdf").data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BadgeCredential)) == 0

    token = client.get(f"/certificates/{certificate.id}/credential.jwt").get_data(as_text=True)
    verify_jwt(token, fetch)
    assert client.get(f"/certificates/{certificate.id}/credential.jwt").get_data(as_text=True) == token
    verify_data_integrity(json.loads(client.get(f"/certificates/{certificate.id}/credential.json").data), fetch)
    assert client.get(f"/certificates/{certificate.id}.pdf").data == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BadgeCredential)) == 1


def test_key_rotation_keeps_what_the_old_key_signed_verifiable(app, client, course_site, fetch):
    site, trainer, people = course_site
    client.login(trainer)
    before = issued(client, site, people["eleni"])
    old_token = client.get(f"/certificates/{before.id}/credential.jwt").get_data(as_text=True)
    old_document = json.loads(client.get(f"/certificates/{before.id}/credential.json").data)

    result = app.test_cli_runner().invoke(args=["oep", "rotate-issuer-key"])
    assert result.exit_code == 0, result.output
    assert f"{DID}#key-2" in result.output

    after = issued(client, site, people["mette"])
    new_token = client.get(f"/certificates/{after.id}/credential.jwt").get_data(as_text=True)
    did_document = client.get("/.well-known/did.json").get_json()
    newest_first = [f"{DID}#key-2", f"{DID}#key-1"]
    assert [m["id"] for m in did_document["verificationMethod"]] == newest_first
    assert [k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]] == newest_first
    assert json.loads(_b64decode(old_token.split(".")[0]))["kid"] == f"{DID}#key-1"
    assert json.loads(_b64decode(new_token.split(".")[0]))["kid"] == f"{DID}#key-2"
    for token in (old_token, new_token):
        verify_jwt(token, fetch)  # the status list is now signed by key-2
    verify_data_integrity(old_document, fetch)
    # The retired private key is gone; its public key stays.
    names = sorted(p.name for p in (issuer.key_dir()).iterdir())
    assert names == ["key-1.pub.pem", "key-2.pem", "key-2.pub.pem"]
    listing = app.test_cli_runner().invoke(args=["oep", "issuer-keys"]).output
    assert "key-2\tsigns" in listing and "key-1\tretired" in listing


def test_a_tampered_credential_is_refused(client, course_site, fetch):
    site, trainer, people = course_site
    client.login(trainer)
    certificate = issued(client, site, people["jonas"])
    token = client.get(f"/certificates/{certificate.id}/credential.jwt").get_data(as_text=True)
    header, payload, signature = token.split(".")
    claims = json.loads(_b64decode(payload))
    claims["credentialSubject"]["result"][0]["value"] = "120.0"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(OB3VerificationError, match="[Ss]ignature"):
        verify_jwt(f"{header}.{forged_payload}.{signature}", fetch)
    did_document = client.get("/.well-known/did.json").get_json()
    with pytest.raises(InvalidSignature):
        independently_verified_payload(f"{header}.{forged_payload}.{signature}", did_document)

    document = json.loads(client.get(f"/certificates/{certificate.id}/credential.json").data)
    document["credentialSubject"]["achievement"]["name"] = "Doctorate"
    with pytest.raises(OB3VerificationError):
        verify_data_integrity(document, fetch)


def test_unknown_certificates_and_lists_are_not_found(client, course_site):
    site, trainer, people = course_site
    client.login(trainer)
    for url in (
        "/certificates/999999/credential.json",
        "/certificates/999999/credential.jwt",
        "/certificates/999999/badge.svg",
        "/badges/status/2",
        "/badges/status/0",
        "/badges/status/one",
    ):
        assert client.get(url).status_code == 404, url
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BadgeCredential)) == 0


def test_status_list_fetches_are_limited_per_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "STATUS_LIST_ATTEMPTS", 3)
    answers = [client.get("/badges/status/1").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_the_baked_badge_carries_the_credential(client, course_site, fetch):
    site, trainer, people = course_site
    client.login(trainer)
    certificate = issued(client, site, people["eleni"])
    response = client.get(f"/certificates/{certificate.id}/badge.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.data
    assert "OEP 2026 — Intercultural Cities".encode() in svg
    token = OB3Verifier.extract_token_from_svg(svg)
    verify_jwt(token, fetch)
    assert token == client.get(f"/certificates/{certificate.id}/credential.jwt").get_data(as_text=True)


def test_the_issuer_publishes_its_profile_and_keys(client):
    profile = client.get("/badges/issuer").get_json()
    assert profile["id"] == DID and profile["type"] == ["Profile"] and profile["name"] == "OEP"
    document = client.get("/.well-known/did.json")
    assert document.mimetype == "application/did+json"
    assert document.get_json()["id"] == DID
    assert client.get("/did.json").get_json() == document.get_json()
    [key] = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and "d" not in key


# --- status bits: never shared ---------------------------------------------------------------------


def test_a_bit_taken_meanwhile_is_not_shared(app, make, course_site, monkeypatch):
    """A second signer whose view of the list is stale (another transaction took the bit after
    it looked) loses at the unique constraint and signs again at another bit."""
    site, trainer, people = course_site
    first = make.certificate(site, people["eleni"])
    second = make.certificate(site, people["mette"])
    db.session.commit()
    monkeypatch.setattr(services, "draw_indices", lambda count: list(range(7, 7 + count)))
    [a] = services.sign_credentials(db.session, [badges.CredentialFacts.of(first)], [first.id])
    db.session.commit()
    real = services._free_indices
    stale = iter([[7]])
    monkeypatch.setattr(services, "_free_indices", lambda *args: next(stale, None) or real(*args))
    monkeypatch.setattr(services, "draw_indices", lambda count: list(range(7, 7 + 2 * count + 8)))
    [b] = services.sign_credentials(db.session, [badges.CredentialFacts.of(second)], [second.id])
    db.session.commit()
    assert (a.status_index, b.status_index) == (7, 8)
    assert badges.payload_of(b.jwt)["credentialStatus"]["statusListIndex"] == "8"


@pytest.mark.postgres
def test_concurrent_signers_never_share_a_bit_on_postgresql(tmp_path):
    """Eight certificates first downloaded at the same moment, each on its own connection, all
    drawing the same bit first: eight credentials at eight different bits."""
    from tests.conftest import make_test_app
    from tests.factories import Factory
    from tests.support import postgres_url

    app = make_test_app(postgres_url(suffix="_badges"), tmp_path, ISSUER_KEY_DIR=str(tmp_path / "keys"))
    contenders = 8
    with app.app_context():
        db.drop_all()
        db.create_all()
        make = Factory(db.session)
        site = make.site()
        organisation = make.organisation(site)
        ids = [make.certificate(site, make.participant(organisation)).id for _ in range(contenders)]
        db.session.commit()
        issuer.signing_key()  # generated once, before the race

    barrier = threading.Barrier(contenders)
    errors, results = [], []
    draws = threading.local()

    def same_first_draw(count):
        draws.n = getattr(draws, "n", 0) + 1
        # Every signer's first draw starts at bit 7; later draws are random as usual.
        return list(range(7, 7 + count)) if draws.n == 1 else services._random.sample(range(131072), count)

    def sign(certificate_id):
        with app.app_context():
            try:
                certificate = db.session.get(Certificate, certificate_id)
                barrier.wait(timeout=30)
                results.append(services.credential_of(db.session, certificate).status_index)
                db.session.commit()
            except Exception as exc:  # collected and reported below
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    original = services.draw_indices
    services.draw_indices = same_first_draw
    try:
        threads = [threading.Thread(target=sign, args=(i,)) for i in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        services.draw_indices = original
    with app.app_context():
        stored = db.session.scalars(sa.select(BadgeCredential.status_index)).all()
        db.session.close()
        db.drop_all()
        db.engine.dispose()
    assert errors == []
    assert len(stored) == contenders == len(set(stored))
    assert 7 in stored
