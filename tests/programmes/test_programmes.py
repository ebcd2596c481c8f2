"""Programmes, sites, modules and committees, as a coordinator keeps them."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PIL import Image

from oep.core import storage
from oep.core.errors import InvalidInput
from oep.extensions import db
from oep.programmes import services
from oep.programmes.models import Module, Programme, Site


def programme_form(**overrides):
    data = {
        "name": "OEP 2027",
        "description": "Learning together",
        "starts_on": "2027-01-15",
        "ends_on": "2027-11-30",
        "languages": ["en", "da"],
        "registration_open": "y",
        "completion_min_attendance_percent": "80",
        "completion_requires_mandatory_modules": "y",
        "left_early_credit_percent": "50",
        "warning_min_held_sessions": "3",
        "warning_consecutive_absences": "3",
        "checkin_opens_minutes": "30",
        "checkin_grace_minutes": "10",
        "checkin_code_seconds": "30",
        "certificate_signatory_name": "Dr. Sofia Marino",
        "certificate_signatory_title": "Coordinator",
        "funder_acknowledgement": "Co-funded by the European Union",
    }
    data.update(overrides)
    # The programme's texts have one input per language: "name-en", "name-da", ...
    return {(f"{k}-en" if k in TEXTS else k): v for k, v in data.items() if v is not None}


TEXTS = {"name", "description", "certificate_signatory_title", "funder_acknowledgement"}


def png_bytes(size=(20, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 51, 153)).save(out, "PNG")
    return out.getvalue()


def test_coordinator_creates_a_programme_with_an_emblem(client, make):
    client.login(make.coordinator())
    data = programme_form()
    data["emblem"] = (io.BytesIO(png_bytes()), "eu.png")
    response = client.post("/programmes/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    programme = db.session.scalar(sa.select(Programme))
    assert programme.starts_on == date(2027, 1, 15) and programme.languages == ["en", "da"]
    assert programme.emblem_file and programme.emblem_file.endswith(".png")
    emblem = client.get(f"/programmes/{programme.id}/emblem")
    assert emblem.status_code == 200 and emblem.data.startswith(b"\x89PNG")
    # Editing without a new upload keeps the emblem.
    client.post(f"/programmes/{programme.id}/edit", data=programme_form(name="OEP 2027 (renamed)"))
    assert programme.name == "OEP 2027 (renamed)" and programme.emblem_file


def test_an_uploaded_emblem_is_kept_and_served_by_every_backend(any_storage, client, make):
    client.login(make.coordinator())
    data = programme_form()
    data["emblem"] = (io.BytesIO(png_bytes((30, 20))), "eu.png")
    assert client.post("/programmes/new", data=data, content_type="multipart/form-data").status_code == 302
    programme = db.session.scalar(sa.select(Programme))
    assert list(storage.current().keys("uploads")) == [f"uploads/{programme.emblem_file}"]
    emblem = client.get(f"/programmes/{programme.id}/emblem")
    assert emblem.status_code == 200 and emblem.mimetype == "image/png"
    with Image.open(io.BytesIO(emblem.data)) as picture:
        assert picture.size == (30, 20)
    assert client.get(f"/programmes/{programme.id + 1}/emblem").status_code == 404


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"name": ""}, "Enter the text in English, the main language."),
        ({"ends_on": "2026-12-31"}, "The programme cannot end before it starts."),
        ({"starts_on": "15/01/2027"}, "Not a valid date value."),
        ({"completion_min_attendance_percent": "120"}, "Enter a number between 0 and 100."),
        ({"completion_min_attendance_percent": "eighty"}, "Not a valid integer value."),
        ({"languages": None}, "Choose at least one language."),
        ({"checkin_code_seconds": "5"}, "Enter a number between 10 and 600."),
        ({"left_early_credit_percent": "-1"}, "Enter a number between 0 and 100."),
    ],
)
def test_bad_programme_input(client, make, overrides, message):
    client.login(make.coordinator())
    response = client.post("/programmes/new", data=programme_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 0


def test_duplicate_programme_name(client, make):
    make.programme(name="OEP 2027")
    client.login(make.coordinator())
    response = client.post("/programmes/new", data=programme_form(name="oep 2027"))
    assert response.status_code == 422 and "already has this name" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "content,filename,message",
    [
        (b"<script>alert(1)</script>", "evil.png", "not a picture OEP can read"),
        (b"GIF89a....", "anim.gif", "Please upload a PNG or JPEG picture."),
        (b"", "empty.png", "The file is empty."),
        (b"", "", None),  # no file chosen
    ],
)
def test_bad_emblem_uploads_are_refused(client, make, content, filename, message):
    client.login(make.coordinator())
    data = programme_form()
    data["emblem"] = (io.BytesIO(content), filename)
    response = client.post("/programmes/new", data=data, content_type="multipart/form-data")
    if message is None:  # an empty file field means "no upload"
        assert response.status_code == 302
        assert db.session.scalar(sa.select(Programme)).emblem_file is None
    else:
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 0


def test_too_large_upload_gets_the_413_page(client, make, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    client.login(make.coordinator())
    data = programme_form()
    data["emblem"] = (io.BytesIO(b"x" * 5000), "big.png")
    response = client.post("/programmes/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "larger than allowed" in response.get_data(as_text=True)


def test_sites_with_trainers_and_their_rules(client, make):
    programme = make.programme()
    trainer = make.trainer(name="Giulia Russo")
    client.login(make.coordinator())
    data = {
        "city-en": "Palermo",
        "country": "IT",
        "timezone": "Europe/Rome",
        "local_language": "it",
        "trainers": [trainer.id],
    }
    assert client.post(f"/programmes/{programme.id}/sites/new", data=data).status_code == 302
    site = db.session.scalar(sa.select(Site))
    assert [t.name for t in site.trainers] == ["Giulia Russo"]
    again = client.post(f"/programmes/{programme.id}/sites/new", data={**data, "city-en": "palermo"})
    assert again.status_code == 422 and "already has a site in palermo" in again.get_data(as_text=True)
    bad_zone = client.post(
        f"/programmes/{programme.id}/sites/new", data={**data, "city-en": "Rome", "timezone": "Mars/Olympus"}
    )
    assert bad_zone.status_code == 422 and "Choose a time zone from the list." in bad_zone.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Site)) == 1


def test_committee_warning_until_the_rule_is_met(client, make):
    site = make.site()
    client.login(make.coordinator())
    page = client.get(f"/programmes/sites/{site.id}").get_data(as_text=True)
    assert 'data-testid="committee-warning"' in page
    assert "The committee has 0 member(s); it needs at least 6." in page
    for category in ["cso", "migrant_association", "key_person", "faith_community", "other"]:
        client.post(
            f"/programmes/sites/{site.id}/committee/new", data={"name": f"Member {category}", "category": category}
        )
    page = client.get(f"/programmes/sites/{site.id}").get_data(as_text=True)
    assert "The committee has 5 member(s)" in page
    assert "No member represents: Local authority." in page
    assert "No member represents: Civil-society organisation." not in page
    client.post(
        f"/programmes/sites/{site.id}/committee/new",
        data={"name": "Marco Lo Bianco", "organisation": "Comune", "category": "local_authority"},
    )
    page = client.get(f"/programmes/sites/{site.id}").get_data(as_text=True)
    assert 'data-testid="committee-warning"' not in page
    assert "The committee meets its rule." in page


def test_modules_are_ordered_and_can_be_moved(client, make):
    programme = make.programme()
    client.login(make.coordinator())
    for title in ("Governance", "Fundraising", "Mediation"):
        assert (
            client.post(
                f"/programmes/{programme.id}/modules/new", data={"title-en": title, "hours": "6", "mandatory": "y"}
            ).status_code
            == 302
        )
    ordered = lambda: [m.title for m in db.session.scalars(sa.select(Module).order_by(Module.position))]  # noqa: E731
    assert ordered() == ["Governance", "Fundraising", "Mediation"]
    mediation = db.session.scalars(sa.select(Module)).all()[-1]
    client.post(f"/programmes/modules/{mediation.id}/move", data={"direction": "up"})
    assert ordered() == ["Governance", "Mediation", "Fundraising"]
    bad = client.post(f"/programmes/{programme.id}/modules/new", data={"title-en": "Zero", "hours": "0"})
    assert bad.status_code == 422 and "Enter between 0.5 and 999 hours." in bad.get_data(as_text=True)
    bad = client.post(f"/programmes/{programme.id}/modules/new", data={"title-en": "Words", "hours": "six"})
    assert bad.status_code == 422


def test_trainer_sees_their_sites_but_cannot_edit(client, make):
    programme = make.programme()
    mine, other = make.site(programme, city="Palermo"), make.site(programme, city="Athens")
    client.login(make.trainer([mine]))
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Palermo" in page and "Athens" not in page and "Edit programme" not in page
    assert client.get(f"/programmes/sites/{other.id}").status_code == 404


def test_a_module_with_sessions_cannot_be_deleted(client, make):
    programme = make.programme()
    module = make.module(programme, title="Fundraising")
    make.session(make.site(programme), module=module)
    client.login(make.coordinator())
    page = client.post(f"/programmes/modules/{module.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "has scheduled sessions and cannot be deleted" in page
    assert db.session.get(Module, module.id) is not None


# --- one set of rules: the page and the service refuse alike -------------------------------------


def field_errors(page: str, field: str) -> str:
    """The messages shown next to a form field."""
    match = re.search(rf'id="{field}-errors">(.*?)</small>', page, re.S)
    return match.group(1) if match else ""


def test_a_programme_rule_is_the_same_on_the_page_and_in_the_service(client, make):
    client.login(make.coordinator())
    message = "The programme cannot end before it starts."
    page = client.post("/programmes/new", data=programme_form(starts_on="2027-03-01", ends_on="2027-02-28"))
    assert page.status_code == 422
    assert field_errors(page.get_data(as_text=True), "ends_on") == message
    data = services.ProgrammeData(name="OEP 2027", starts_on=date(2027, 3, 1), ends_on=date(2027, 2, 28))
    with pytest.raises(InvalidInput) as refused:
        services.create_programme(db.session, data)
    assert (refused.value.field, refused.value.message) == ("ends_on", message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 0


def test_the_service_refuses_what_only_the_form_used_to_check(make):
    """Without a form in front (the demo, a command, the API), out-of-range settings are refused
    with a message, not by a database constraint."""
    data = services.ProgrammeData(
        name="x" * 201,
        starts_on=None,
        ends_on=date(2027, 2, 28),
        languages=["en", "tlh"],
        checkin_code_seconds=5,
        warning_min_held_sessions=None,
    )
    with pytest.raises(InvalidInput) as refused:
        services.create_programme(db.session, data)
    found = {problem.field: problem.message for problem in refused.value.problems}
    assert found == {
        "name": "At most 200 characters in English.",
        "starts_on": "Enter a date.",
        "languages": "A programme runs in the languages OEP is translated into "
        "(en, da, de, it, el, sv, ar, uk), not in “tlh”.",
        "warning_min_held_sessions": "Enter a number.",
        "checkin_code_seconds": "Enter a number between 10 and 600.",
    }
    programme = make.programme(name="OEP 2027")
    with pytest.raises(InvalidInput, match="Enter a number between 0 and 100."):
        services.update_programme(
            db.session,
            programme,
            services.ProgrammeData(
                name="OEP 2027", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 1), left_early_credit_percent=101
            ),
        )
    db.session.refresh(programme)
    assert programme.left_early_credit_percent == 50


SITE_FORM = {"city": "Palermo", "country": "IT", "timezone": "Europe/Rome", "local_language": "it"}


def site_form(fields: dict) -> dict:
    """The site form as sent: the city has one input per language of the programme."""
    return {(f"{k}-en" if k == "city" else k): v for k, v in fields.items()}


SITE_RULES = {
    "time zone": ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone from the list."),
    "country": ({"country": "XX"}, "country", "Choose a country from the list."),
    "language": (
        {"local_language": "tlh"},
        "local_language",
        "Unknown language “tlh”; use a code such as en, da, de, it, el, ar.",
    ),
    "no city": ({"city": ""}, "city", "Enter the text in English, the main language."),
}


@pytest.mark.parametrize("changes,field,message", SITE_RULES.values(), ids=SITE_RULES.keys())
def test_a_site_rule_is_the_same_on_the_page_and_in_the_service(client, make, changes, field, message):
    programme = make.programme()
    client.login(make.coordinator())
    page = client.post(f"/programmes/{programme.id}/sites/new", data=site_form(SITE_FORM | changes))
    assert page.status_code == 422
    assert field_errors(page.get_data(as_text=True), field) == message
    with pytest.raises(InvalidInput) as refused:
        services.create_site(db.session, programme, services.SiteData(**(SITE_FORM | changes)))
    assert (refused.value.field, refused.value.message) == (field, message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Site)) == 0


def test_a_site_takes_trainers_only(make):
    programme = make.programme()
    coordinator = make.coordinator(name="Sofia Marino")
    with pytest.raises(InvalidInput, match="Sofia Marino is not a trainer."):
        services.create_site(db.session, programme, services.SiteData(**SITE_FORM, trainer_ids=[coordinator.id]))
    with pytest.raises(InvalidInput, match="Choose the trainers from the list."):
        services.create_site(db.session, programme, services.SiteData(**SITE_FORM, trainer_ids=[coordinator.id + 99]))


@pytest.mark.parametrize("hours", ["0", "0.4", "1000", "NaN", "Infinity"])
def test_a_module_rule_is_the_same_on_the_page_and_in_the_service(client, make, hours):
    programme = make.programme()
    client.login(make.coordinator())
    message = "Enter between 0.5 and 999 hours."
    page = client.post(f"/programmes/{programme.id}/modules/new", data={"title-en": "Fundraising", "hours": hours})
    assert page.status_code == 422
    assert field_errors(page.get_data(as_text=True), "hours") == message
    with pytest.raises(InvalidInput) as refused:
        services.add_module(db.session, programme, services.ModuleData(title="Fundraising", hours=Decimal(hours)))
    assert (refused.value.field, refused.value.message) == ("hours", message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Module)) == 0


def test_a_committee_member_represents_a_group(client, make):
    site = make.site()
    client.login(make.coordinator())
    page = client.post(f"/programmes/sites/{site.id}/committee/new", data={"name": "Marco", "category": "aliens"})
    assert page.status_code == 422
    assert field_errors(page.get_data(as_text=True), "category") == "Choose whom the member represents."
    member = make.committee_member(site, name="Marco")
    page = client.post(f"/programmes/committee/{member.id}/edit", data={"name": "", "category": "cso"})
    assert field_errors(page.get_data(as_text=True), "name") == "This field is required."
    with pytest.raises(InvalidInput, match="At most 200 characters."):
        services.update_committee_member(
            db.session, member, services.CommitteeMemberData(name="Marco", organisation="x" * 201, category=None)
        )


def test_a_value_the_form_cannot_read_does_not_hide_the_other_problems(client, make):
    client.login(make.coordinator())
    page = client.post(
        "/programmes/new", data=programme_form(name="", starts_on="15/01/2027", checkin_code_seconds="5")
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert field_errors(text, "starts_on") == "Not a valid date value."  # read by the form, said once
    assert field_errors(text, "name") == "Enter the text in English, the main language."
    assert field_errors(text, "checkin_code_seconds") == "Enter a number between 10 and 600."
    page = client.post(f"/programmes/{make.programme().id}/modules/new", data={"title-en": "", "hours": "six"})
    assert field_errors(page.get_data(as_text=True), "title") == "Enter the text in English, the main language."
