"""Languages: one list of interface languages drives every choice of language, right-to-left
pages, texts people wrote in their own direction, and the form library's messages in the
reader's language."""

from __future__ import annotations

import re

import pytest

from oep.core.i18n import direction_of, native_name, text_direction
from tests.conftest import make_test_app


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def test_swedish_arabic_and_ukrainian_are_in_the_language_switch(client):
    page = client.get("/").get_data(as_text=True)
    switch = page[page.index('class="language-switch"') :]
    for code, name in [("sv", "Svenska"), ("ar", "العربية"), ("uk", "Українська"), ("da", "Dansk")]:
        assert f'value="{code}"' in switch and f">{name}</button>" in switch


@pytest.mark.parametrize("code,direction", [("ar", "rtl"), ("uk", "ltr"), ("sv", "ltr"), ("en", "ltr")])
def test_a_page_declares_its_language_and_direction(client, code, direction):
    client.post("/language", data={"lang": code})
    page = client.get("/").get_data(as_text=True)
    assert html_tag(page) == f'<html lang="{code}" dir="{direction}" data-theme="light">'


def test_an_arabic_page_points_its_arrows_the_reading_way(client, make):
    organisation = make.organisation(make.site())
    for n in range(60):
        make.participant(organisation, name=f"Person {n:02d}")
    client.login(make.contact_of(organisation))
    url = f"/organisations/{organisation.id}/participants?page=2"
    assert 'rel="prev">← ' in client.get(url).get_data(as_text=True)
    client.post("/language", data={"lang": "ar"})
    assert 'rel="prev">→ ' in client.get(url).get_data(as_text=True)


def test_adding_a_language_is_one_line_of_configuration(database_url, tmp_path):
    """Finnish, with no catalogue yet: listed once in LANGUAGES, it is in the language switch
    (named in Finnish), and can be chosen for certificates, reports and invitations."""
    from oep.extensions import db

    app = make_test_app(database_url, tmp_path, LANGUAGES=["en", "de", "fi"])
    with app.app_context():
        from tests.factories import Factory

        make = Factory(db.session)
        site = make.site()
        coordinator = make.coordinator()
        db.session.commit()
        browser = app.test_client()
        with browser.session_transaction() as sess:
            sess["_user_id"] = coordinator.get_id()
        home = browser.get("/").get_data(as_text=True)
        assert ">Suomi</button>" in home and ">Deutsch</button>" in home and "Dansk" not in home
        for url in ("/people", f"/sites/{site.id}/certificates", "/reports"):
            page = browser.get(url).get_data(as_text=True)
            assert '<option value="fi">Suomi</option>' in page, url
            assert '<option value="da">' not in page, url
        browser.post("/language", data={"lang": "fi"})
        assert 'lang="fi"' in browser.get("/").get_data(as_text=True)
        db.session.remove()
        from tests.conftest import _empty_all_tables

        _empty_all_tables()


def test_directions_come_from_the_locale_data():
    assert [text_direction(code) for code in ("ar", "fa", "he", "uk", "el", "en")] == [
        "rtl",
        "rtl",
        "rtl",
        "ltr",
        "ltr",
        "ltr",
    ]
    assert native_name("sv") == "Svenska" and native_name("uk") == "Українська" and native_name("ar") == "العربية"


def test_a_text_takes_the_direction_of_its_first_letter():
    assert direction_of("جمعية الجالية السورية (مستوى A1–B1).") == "rtl"
    assert direction_of("(2026) Associazione Arcobaleno — جمعية") == "ltr"
    assert direction_of("انجمن فرهنگی افغان‌ها") == "rtl"  # Persian
    assert direction_of("2026 – 12.5 %") is None


def test_an_arabic_description_reads_right_to_left_inside_an_english_page(client, make):
    organisation = make.organisation(make.site(), name="Syrian Cultural Association")
    organisation.description = "جمعية ثقافية في باليرمو.\nدورات لغة (مستوى A1–B1).\n\nWe also teach English."
    client.login(make.coordinator())
    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert 'dir="ltr"' in html_tag(page)
    assert (
        '<p class="user-text" dir="rtl">جمعية ثقافية في باليرمو.<br>دورات لغة (مستوى A1–B1).</p>'
        '<p class="user-text" dir="ltr">We also teach English.</p>'
    ) in page


def test_a_latin_name_keeps_its_direction_inside_an_arabic_page(client, make):
    organisation = make.organisation(make.site(), name="Associazione Arcobaleno (Palermo)")
    client.login(make.contact_of(organisation))
    client.post("/language", data={"lang": "ar"})
    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert 'dir="rtl"' in html_tag(page)
    assert '<h1><bdi dir="ltr">Associazione Arcobaleno (Palermo)</bdi></h1>' in page


def test_fields_people_type_into_take_the_direction_of_what_they_type(client, make):
    make.site()
    page = client.get("/register").get_data(as_text=True)
    assert '<textarea dir="auto" id="description"' in page
    assert re.search(r'<input [^>]*dir="auto" id="name"', page)
    assert re.search(r'<input [^>]*id="email"', page) and not re.search(r'<input [^>]*dir="auto" id="email"', page)


@pytest.mark.parametrize(
    "language,required,email",
    [
        ("de", "Dieses Feld ist erforderlich.", "Ungültige E-Mail-Adresse."),
        ("da", "Dette felt skal udfyldes.", "Ugyldig e-mailadresse."),  # WTForms has no Danish of its own
    ],
)
def test_the_form_librarys_messages_are_in_the_readers_language(client, language, required, email):
    client.post("/language", data={"lang": language})
    response = client.post("/login", data={"email": "not an address", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert required in page and email in page
    assert "This field is required." not in page and "Invalid email address." not in page


def test_length_date_and_number_messages_are_translated_too(client, make):
    site = make.site()
    client.login(make.coordinator())
    client.post("/language", data={"lang": "de"})
    response = client.post(
        f"/sites/{site.id}/sessions/new",
        data={"venue": "x" * 300, "kind": "course", "day": "2026-02-31", "start": "10:00", "end": "12:00"}
        | {"capacity": "many"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Das Feld darf höchstens 200 Zeichen lang sein." in page
    assert "Kein gültiges Datum." in page and "Keine gültige ganze Zahl." in page


@pytest.mark.parametrize("language,script", [("sv", "äåöÄÅÖ"), ("ar", "\u0600-\u06ff"), ("uk", "\u0400-\u04ff")])
def test_the_form_librarys_messages_are_not_english_in_the_new_languages(client, language, script):
    """Before (and after) their catalogues arrive, Swedish, Arabic and Ukrainian readers get the
    form library's messages in their language, not in English."""
    client.post("/language", data={"lang": language})
    page = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    errors = re.findall(r'<small class="field-errors" id="email-errors">(.*?)</small>', page)
    assert errors and "This field is required." not in errors[0]
    assert re.search(f"[{script}]", errors[0]), errors[0]
