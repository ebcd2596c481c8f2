"""Certificates: who qualifies, the PDF/A read back, records that never change, revocation,
verification, downloads and the Open Badges credential."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from oep.certificates.models import Certificate, CertificateKind, CertificateStatus, normalise_code
from oep.extensions import db


def issue(client, site, participant, language=""):
    return client.post(f"/sites/{site.id}/certificates/participants/{participant.id}", data={"language": language})


def the_certificate(participant=None):
    stmt = sa.select(Certificate).order_by(Certificate.id.desc())
    if participant is not None:
        stmt = stmt.where(Certificate.participant_id == participant.id)
    return db.session.scalars(stmt).first()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def translated(text: str, language: str) -> str:
    with force_locale(language):
        return gettext(text)


def test_the_trainer_sees_who_qualifies_and_why_not(client, course_site):
    site, trainer, people = course_site
    page = client.login(trainer).get(f"/sites/{site.id}/certificates").get_data(as_text=True)
    assert 'data-testid="completion-count">2<' in page
    assert "Certificate of participation" in page and "2.0 of 8.0 hours (25 %); completion needs 80 %." in page
    assert "No attendance recorded." in page


@pytest.mark.parametrize(
    "who,language,kind",
    [("eleni", "el", "completion"), ("mette", "da", "completion"), ("jonas", "el", "participation")],
)
def test_pdf_reads_back_in_the_holders_language(client, course_site, who, language, kind):
    site, trainer, people = course_site
    person = people[who]
    client.login(trainer)
    assert issue(client, site, person, language if who == "jonas" else "").status_code == 302
    certificate = the_certificate(person)
    assert certificate.language == language and certificate.kind is CertificateKind(kind)
    response = client.get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    title = translated(
        "Certificate of completion" if kind == "completion" else "Certificate of participation", language
    )
    assert title != ("Certificate of completion" if kind == "completion" else "Certificate of participation")
    assert title.split()[0] in text
    assert person.name in text and certificate.code in text
    assert "Σύλλογος Γυναικών Κυψέλης" in text and "Dr. Sofia Marino" in text
    assert hashlib.sha256(response.data).hexdigest() == certificate.sha256


def test_the_pdf_declares_pdf_a_3b_and_embeds_its_fonts(client, course_site):
    site, trainer, people = course_site
    client.login(trainer)
    issue(client, site, people["eleni"])
    data = client.get(f"/certificates/{the_certificate().id}.pdf").data
    reader = PdfReader(io.BytesIO(data))
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    assert "pdfaid:part" in raw and ("<pdfaid:part>3</pdfaid:part>" in raw or 'pdfaid:part="3"' in raw)
    assert ("<pdfaid:conformance>B</pdfaid:conformance>" in raw) or ('pdfaid:conformance="B"' in raw)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = (
                font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font.get_object()
                else font.get_object().get("/FontDescriptor")
            )
            if descriptor is not None:
                fonts.add(any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert fonts == {True}


def test_an_issued_certificate_never_changes(client, course_site, make):
    site, trainer, people = course_site
    client.login(trainer)
    issue(client, site, people["eleni"])
    certificate = the_certificate()
    before = client.get(f"/certificates/{certificate.id}.pdf").data
    people["eleni"].name = "Eleni Papadopoulou-Renamed"
    site.programme.certificate_signatory_name = "Someone Else"
    db.session.commit()
    after = client.get(f"/certificates/{certificate.id}.pdf").data
    assert after == before and hashlib.sha256(after).hexdigest() == certificate.sha256
    assert certificate.holder_name == "Ελένη Παπαδοπούλου"
    verify = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Ελένη Παπαδοπούλου" in verify and "Renamed" not in verify


def test_reissuing_makes_a_new_version_that_replaces_the_old(client, course_site):
    site, trainer, people = course_site
    client.login(trainer)
    issue(client, site, people["eleni"])
    first = the_certificate()
    issue(client, site, people["eleni"], "en")
    second = the_certificate()
    db.session.refresh(first)
    assert second.version == 2 and second.supersedes_id == first.id and second.code != first.code
    assert first.status is CertificateStatus.SUPERSEDED and second.status is CertificateStatus.VALID
    assert second.language == "en"
    page = client.get(f"/verify/{first.code}").get_data(as_text=True)
    assert "replaced by a newer version" in page


def test_revoked_certificate_says_so_and_when(client, course_site):
    site, trainer, people = course_site
    client.login(trainer)
    issue(client, site, people["mette"])
    certificate = the_certificate()
    bad = client.post(f"/certificates/{certificate.id}/revoke", data={"reason": ""})
    assert bad.status_code == 422 and certificate.status is CertificateStatus.VALID
    client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "Attendance recorded by mistake"})
    assert certificate.status is CertificateStatus.REVOKED and certificate.revoked_at is not None
    client.post("/logout")
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert 'data-testid="verify-status">This certificate was revoked on' in page


def test_verification_shows_the_minimum_and_leaks_nothing(client, course_site):
    site, trainer, people = course_site
    client.login(trainer)
    issue(client, site, people["eleni"])
    certificate = the_certificate()
    client.post("/logout")
    response = client.get(f"/verify/{certificate.code.lower().replace('-', ' ')}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "This certificate is valid." in page
    for shown in (
        "Ελένη Παπαδοπούλου",
        "OEP 2026 — Intercultural Cities",
        "Certificate of completion",
        certificate.code,
    ):
        assert shown in page
    for hidden in ("Σύλλογος Γυναικών Κυψέλης", "eleni@example.org", "8.0"):
        assert hidden not in page
    unknown = client.get("/verify/OEP-AAAA-BBBB-CCCC")
    assert unknown.status_code == 404 and "No certificate has the code" in unknown.get_data(as_text=True)
    form = client.get(f"/verify?code={certificate.code.lower()}")
    assert form.status_code == 302 and form.headers["Location"].endswith(f"/verify/{certificate.code}")
    assert client.get("/verify?code=not-a-code").status_code == 422


def test_guessing_codes_is_rate_limited(client, app):
    for _ in range(app.config["VERIFY_ATTEMPTS"]):
        client.get("/verify/OEP-0000-0000-0000")
    response = client.get("/verify/OEP-0000-0000-0001")
    assert response.status_code == 429 and "Too many lookups" in response.get_data(as_text=True)


def test_codes_are_unguessable_and_forgiving_to_type():
    from oep.certificates.models import new_code

    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    code = next(iter(codes))
    assert normalise_code(code.lower().replace("-", " ")) == code
    assert normalise_code("oep 1lo0 abcd efgh") == "OEP-1100-ABCD-EFGH"
    assert normalise_code("nonsense") == ""


def test_open_badges_credential_hashes_the_holder(client, course_site):
    site, trainer, people = course_site
    client.login(trainer)
    issue(client, site, people["eleni"])
    certificate = the_certificate()
    response = client.get(f"/certificates/{certificate.id}/credential.json")
    credential = json.loads(response.data)
    assert "https://www.w3.org/ns/credentials/v2" in credential["@context"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"].endswith(f"/verify/{certificate.code}")
    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True
    expected = hashlib.sha256(("Ελένη Παπαδοπούλου" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == "sha256$" + expected
    assert "Ελένη" not in response.get_data(as_text=True)


def test_contacts_download_their_own_participants_certificates_only(client_factory, course_site, make):
    site, trainer, people = course_site
    staff = client_factory().login(trainer)
    issue(staff, site, people["eleni"])
    certificate = the_certificate()
    own = client_factory().login(make.contact_of(people["eleni"].organisation))
    assert own.get(f"/certificates/{certificate.id}.pdf").status_code == 200
    other_org = make.organisation(site)
    stranger = client_factory().login(make.contact_of(other_org))
    assert stranger.get(f"/certificates/{certificate.id}.pdf").status_code == 404
    assert stranger.get(f"/certificates/{certificate.id}/credential.json").status_code == 404
    page = own.get(f"/organisations/{people['eleni'].organisation_id}/certificates").get_data(as_text=True)
    assert certificate.code in page


def test_zip_of_a_sites_certificates_is_streamed(client, course_site):
    site, trainer, people = course_site
    client.login(trainer)
    for who in ("eleni", "mette", "jonas"):
        issue(client, site, people[who])
    response = client.get(f"/sites/{site.id}/certificates.zip")
    assert response.status_code == 200 and response.is_streamed
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    assert len(names) == 3 and all(n.endswith(".pdf") for n in names)
    stored = {c.sha256 for c in db.session.scalars(sa.select(Certificate))}
    assert {hashlib.sha256(archive.read(n)).hexdigest() for n in names} == stored


def test_the_url_fetcher_refuses_files_and_the_network(app):
    from oep.core import pdf

    fetch = pdf.make_url_fetcher(pdf.Assets.of(app))
    for url in (
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data",
        "https://example.org/x.png",
        "oep://static/../../../etc/passwd",
        "oep://uploads/../secret_key",
    ):
        with pytest.raises(pdf.RefusedURL):
            fetch(url)
    assert fetch("oep://static/fonts/DejaVuSans.ttf").read()[:4] == b"\x00\x01\x00\x00"


def test_a_hostile_name_cannot_fetch_anything(client, course_site, caplog):
    site, trainer, people = course_site
    people["eleni"].name = '<img src="file:///etc/passwd"><img src="http://example.org/x.png">Eleni'
    client.login(trainer)
    assert issue(client, site, people["eleni"]).status_code == 302
    text = pdf_text(client.get(f"/certificates/{the_certificate().id}.pdf").data)
    assert "<img" in text  # shown as text, escaped, never loaded
