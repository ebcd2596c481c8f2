"""The programme's own texts on certificates: a Greek certificate says everything the
programme wrote in Greek, a missing Greek text falls back to the programme's main language, and
the certificate page lists what is missing before anything is issued."""

from __future__ import annotations

import html
import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from oep.certificates.models import Certificate
from oep.core.i18n_text import I18nText
from oep.extensions import db
from oep.programmes.models import Module, eu_co_funded

GREEK_FUNDER = "Με τη συγχρηματοδότηση της Ευρωπαϊκής Ένωσης"


def pdf_text(data: bytes) -> str:
    """The certificate's words, its lines joined by spaces (a sentence may wrap)."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def in_greek_and_english(site):
    """The programme's texts in English (its main language) and Greek."""
    programme = site.programme
    programme.languages = ["en", "el"]
    programme.name = I18nText({"en": "Cities Learning Together", "el": "Πόλεις που μαθαίνουν μαζί"})
    programme.certificate_signatory_title = I18nText(
        {"en": "Programme Coordinator", "el": "Συντονίστρια του προγράμματος"}
    )
    programme.funder_acknowledgement = eu_co_funded(["en", "el"])
    site.city = I18nText({"en": "Athens", "el": "Αθήνα"})
    [module] = programme.modules
    module.title = I18nText({"en": "Fundraising", "el": "Άντληση πόρων"})
    db.session.flush()


def issue(client, site, trainer, participant, language="") -> tuple[Certificate, bytes]:
    client.login(trainer)
    response = client.post(f"/sites/{site.id}/certificates/participants/{participant.id}", data={"language": language})
    assert response.status_code == 302
    certificate = db.session.scalars(
        sa.select(Certificate).where(Certificate.participant_id == participant.id).order_by(Certificate.id.desc())
    ).first()
    return certificate, client.get(f"/certificates/{certificate.id}.pdf").data


def test_a_greek_certificate_has_every_programme_text_in_greek(client, course_site):
    site, trainer, people = course_site
    in_greek_and_english(site)
    certificate, data = issue(client, site, trainer, people["eleni"])
    text = pdf_text(data)
    assert certificate.language == "el"
    assert "στην πόλη Αθήνα" in text
    assert "Πόλεις που μαθαίνουν μαζί" in text
    assert "Ενότητες: Άντληση πόρων" in text
    assert "Συντονίστρια του προγράμματος" in text
    assert text.rstrip().endswith(GREEK_FUNDER) or GREEK_FUNDER in text
    for english in ("Athens", "Fundraising", "Cities Learning Together", "Programme Coordinator", "Co-funded"):
        assert english not in text
    # The record keeps what the certificate says.
    assert (certificate.city, certificate.modules) == ("Αθήνα", ["Άντληση πόρων"])
    # The same programme in English for an English reader.
    _certificate, english = issue(client, site, trainer, people["jonas"])
    english_text = pdf_text(english)
    assert "in Athens" in english_text and "Fundraising" in english_text
    assert "Co-funded by the European Union" in english_text and "Αθήνα" not in english_text


def test_a_text_missing_in_greek_falls_back_to_the_main_language(client, course_site):
    site, trainer, people = course_site
    in_greek_and_english(site)
    site.city = I18nText({"en": "Athens"})  # no Greek name given
    site.programme.certificate_signatory_title = I18nText({"el": "Συντονίστρια"})  # only in Greek
    db.session.flush()
    certificate, data = issue(client, site, trainer, people["mette"])  # Danish: nothing given in Danish
    text = pdf_text(data)
    assert certificate.language == "da"
    assert "Athens" in text and "Fundraising" in text and "Cities Learning Together" in text
    assert "Συντονίστρια" in text  # given in no other language: any given
    assert "Co-funded by the European Union" in text  # Danish not chosen for the programme: English
    _greek, greek = issue(client, site, trainer, people["eleni"])
    assert "στην πόλη Athens" in pdf_text(greek) and "Άντληση πόρων" in pdf_text(greek)


def test_the_certificate_page_lists_the_texts_missing_in_the_holders_languages(client, course_site):
    site, trainer, _people = course_site
    in_greek_and_english(site)
    site.city = I18nText({"en": "Athens"})
    db.session.flush()
    client.login(trainer)
    page = client.get(f"/sites/{site.id}/certificates").get_data(as_text=True)
    [section] = re.findall(r'<article class="missing-texts".*?</article>', page, re.S)
    rows = [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split())
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]
    ]
    # The holders prefer Greek, Danish and English: Greek lacks the city; Danish, a language the
    # programme does not run in, lacks everything and gets the English (or the EU's) texts.
    assert ["Greek", "The city", "Athens (English)"] in rows
    assert ["Danish", "The module “Fundraising”", "Fundraising (English)"] in rows
    assert ["Danish", "The funder acknowledgement", "Co-funded by the European Union (English)"] in rows
    assert not any(row[0] == "English" for row in rows)
    assert not any(row[0] == "Greek" and row[1] != "The city" for row in rows)
    # Once everything is given in every holder's language, the list is gone.
    site.city = I18nText({"en": "Athens", "el": "Αθήνα", "da": "Athen"})
    programme = site.programme
    programme.languages = ["en", "el", "da"]
    for name in ("name", "certificate_signatory_title", "funder_acknowledgement"):
        text = getattr(programme, name)
        setattr(programme, name, I18nText({**text.as_dict(), "da": text.main + " (da)"}))
    module = db.session.scalar(sa.select(Module))
    module.title = I18nText({**module.title.as_dict(), "da": "Fundraising"})
    db.session.flush()
    page = client.get(f"/sites/{site.id}/certificates").get_data(as_text=True)
    assert 'data-testid="missing-texts"' not in page
