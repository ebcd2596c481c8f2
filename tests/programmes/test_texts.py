"""The programme's own texts in each of its languages: the text type and its fallback, the
forms (one input per language), the services' rules, and pages in the reader's language."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from oep.core.errors import Conflict, InvalidInput
from oep.core.i18n_text import I18nText
from oep.extensions import db
from oep.organisations import services as organisation_services
from oep.programmes import services
from oep.programmes.models import Module, Programme, Site


def test_a_text_is_shown_in_the_readers_language_else_the_main_one_else_any():
    title = I18nText({"en": "Fundraising", "it": "Raccolta fondi"})
    assert title.localize("it") == "Raccolta fondi"
    assert title.localize("de") == "Fundraising"  # the main language: the first given
    assert title.localize("de", ["it", "en"]) == "Raccolta fondi"  # or the programme's languages in order
    assert title.source_language("de") == "en" and title.source_language("it") == "it"
    assert I18nText({"el": "Άντληση πόρων"}).localize("en") == "Άντληση πόρων"  # any given
    assert I18nText().localize("en") == "" and not I18nText({"en": ""})
    assert I18nText("Palermo").localize("el") == "Palermo" and I18nText("Palermo").has("el")  # no language: all
    with force_locale("it"):
        assert str(title) == "Raccolta fondi" and f"«{title}»" == "«Raccolta fondi»"
        assert sorted([I18nText({"en": "Zebra", "it": "Asino"}), title])[0].main == "Zebra"  # "Asino" first in Italian
    with force_locale("en_GB"):
        assert str(title) == "Fundraising"


def programme_in(*languages, **fields) -> Programme:
    data = services.ProgrammeData(
        name=fields.pop("name", {"en": "OEP 2027", "it": "OEP 2027 (it)"}),
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 1),
        languages=list(languages),
        **fields,
    )
    return services.create_programme(db.session, data)


def test_the_services_refuse_unknown_languages_and_missing_main_texts(make):
    programme = programme_in("en", "it")
    with pytest.raises(InvalidInput) as refused:
        services.add_module(
            db.session,
            programme,
            services.ModuleData(title={"en": "Fundraising", "xx": "Klingon"}, hours=Decimal(4)),
        )
    assert refused.value.field == "title"
    assert refused.value.message == "Texts can be given in English, Italian, not in “xx”."
    with pytest.raises(InvalidInput, match="not in “de”"):  # an interface language, not the programme's
        services.add_module(db.session, programme, services.ModuleData(title={"de": "Fundraising"}, hours=4))
    with pytest.raises(InvalidInput) as refused:
        services.add_module(db.session, programme, services.ModuleData(title={"it": "Raccolta"}, hours=4))
    assert refused.value.message == "Enter the text in English, the main language."
    with pytest.raises(InvalidInput) as refused:
        services.create_site(
            db.session,
            programme,
            services.SiteData(
                city={"en": "Rome", "it": "R" * 121}, country="IT", timezone="Europe/Rome", local_language="it"
            ),
        )
    assert (refused.value.field, refused.value.message) == ("city", "At most 120 characters in Italian.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Module)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Site)) == 0
    with pytest.raises(InvalidInput, match="not in “el”"):
        organisation_services.add_competence(db.session, {"en": "Fundraising", "el": "Άντληση πόρων"})


def test_names_stay_unique_in_the_main_language_whatever_their_case(make):
    programme = programme_in("en", "it")
    site = services.create_site(
        db.session,
        programme,
        services.SiteData(
            city={"en": "Athens", "it": "Atene"}, country="GR", timezone="Europe/Athens", local_language="el"
        ),
    )
    assert site.city_key == "athens" and programme.name_key == "oep 2027"
    with pytest.raises(Conflict, match="This programme already has a site in ATHENS."):
        services.create_site(
            db.session,
            programme,
            services.SiteData(city=" ATHENS ", country="GR", timezone="Europe/Athens", local_language="el"),
        )
    with pytest.raises(Conflict, match="Another programme already has this name."):
        programme_in("it", "en", name={"it": "oep  2027"})  # another programme whose main language is Italian


def test_the_funder_line_defaults_to_the_eus_wording_in_the_programmes_eu_languages(make):
    programme = programme_in("it", "el", "ar", name={"it": "OEP"})
    assert programme.funder_acknowledgement.as_dict() == {
        "it": "Cofinanziato dall’Unione europea",
        "el": "Με τη συγχρηματοδότηση της Ευρωπαϊκής Ένωσης",
    }
    assert programme.funder_acknowledgement.localize("ar", programme.languages) == "Cofinanziato dall’Unione europea"


def test_a_module_form_round_trip_in_two_languages(client, make):
    programme = make.programme(languages=["en", "it"])
    client.login(make.coordinator())
    form = client.get(f"/programmes/{programme.id}/modules/new").get_data(as_text=True)
    assert {"title-en", "title-it", "summary-en", "summary-it"} <= set(re.findall(r'name="([\w-]+)"', form))
    assert 'name="title-de"' not in form  # only the programme's languages
    assert re.search(r'<input type="text"[^>]*name="title-en"[^>]*required', form)
    response = client.post(
        f"/programmes/{programme.id}/modules/new",
        data={
            "title-en": " Fundraising ",
            "title-it": "Raccolta  fondi",
            "summary-it": "Bandi e donatori",
            "hours": "4",
        },
    )
    assert response.status_code == 302
    module = db.session.scalar(sa.select(Module))
    assert module.title.as_dict() == {"en": "Fundraising", "it": "Raccolta fondi"}
    assert module.summary.as_dict() == {"it": "Bandi e donatori"}
    form = client.get(f"/programmes/modules/{module.id}/edit").get_data(as_text=True)
    assert re.search(r'name="title-it"[^>]*value="Raccolta fondi"', form) and ">Bandi e donatori</textarea>" in form
    # Emptying the Italian title keeps the English one; the main language cannot be emptied.
    client.post(f"/programmes/modules/{module.id}/edit", data={"title-en": "Fundraising", "title-it": "", "hours": "4"})
    assert module.title.as_dict() == {"en": "Fundraising"}
    refused = client.post(
        f"/programmes/modules/{module.id}/edit", data={"title-en": "", "title-it": "Raccolta", "hours": "4"}
    )
    assert refused.status_code == 422
    assert "Enter the text in English, the main language." in refused.get_data(as_text=True)
    db.session.refresh(module)
    assert module.title.as_dict() == {"en": "Fundraising"}


def test_a_page_in_italian_shows_the_italian_module_title(client, make):
    programme = make.programme(languages=["en", "it"])
    make.module(programme, title=I18nText({"en": "Fundraising", "it": "Raccolta fondi"}))
    make.module(programme, title=I18nText({"en": "Mediation"}))
    client.login(make.coordinator())
    client.post("/language", data={"lang": "it"})
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Raccolta fondi" in page and "Fundraising" not in page
    assert "Mediation" in page  # not given in Italian: the main language's
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Fundraising" in page and "Raccolta fondi" not in page


def test_the_programme_form_offers_the_eus_wording_and_shows_the_ticked_languages(client, make):
    programme = make.programme(languages=["en", "it"], funder_acknowledgement=I18nText({"en": "Funded by us"}))
    client.login(make.coordinator())
    form = client.get(f"/programmes/{programme.id}/edit").get_data(as_text=True)
    # Every interface language has its inputs; those of languages not ticked wait hidden.
    assert re.search(r'data-translation-lang="it"(?! hidden)', form)
    assert re.search(r'data-translation-lang="de" hidden', form)
    sent = {
        "name-en": programme.name.main,
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-01",
        "languages": ["en", "it", "ar"],
        "completion_min_attendance_percent": "80",
        "left_early_credit_percent": "50",
        "warning_min_held_sessions": "3",
        "warning_consecutive_absences": "3",
        "checkin_opens_minutes": "30",
        "checkin_grace_minutes": "10",
        "checkin_code_seconds": "30",
        "funder_acknowledgement-en": "Funded by us",
        "funder_acknowledgement-ar": "بتمويل مشترك",
    }
    page = client.post(f"/programmes/{programme.id}/edit", data=sent | {"use_eu_wording": "1"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200  # shown again to check, not saved
    assert ">Co-funded by the European Union</textarea>" in text
    assert ">Cofinanziato dall’Unione europea</textarea>" in text
    assert ">بتمويل مشترك</textarea>" in text  # Arabic is no EU language: what was typed stays
    assert programme.funder_acknowledgement.as_dict() == {"en": "Funded by us"}
    # Saving keeps the texts of the ticked languages only.
    client.post(f"/programmes/{programme.id}/edit", data=sent | {"languages": ["en"], "name-it": "OEP (it)"})
    db.session.refresh(programme)
    assert programme.languages == ["en"] and programme.name.languages == ["en"]
