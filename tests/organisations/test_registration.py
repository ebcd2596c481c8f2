"""The public registration form: an organisation, its contact account, a pending enrolment
and the consent given, all or nothing."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from oep.accounts.models import Role, User
from oep.core.errors import InvalidInput
from oep.extensions import db
from oep.organisations import services
from oep.organisations.models import Consent, Enrolment, EnrolmentStatus, Organisation, OrganisationType


def form_data(site_id, **overrides):
    data = {
        "site": str(site_id),
        "name": "Somali Women's Association",
        "type": "migrant_association",
        "sector": "Women's rights",
        "city": "Aarhus",
        "website": "somaliwomen.example.org",
        "languages": ["so", "da"],
        "description": "We support Somali women in Aarhus.",
        "contact_name": "Hodan Ali",
        "email": "hodan@example.org",
        "password": "a sound password",
        "confirm": "a sound password",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Organisation, User, Enrolment, Consent)
    )


def test_registration_creates_organisation_contact_enrolment_and_consent(client, make, mailbox):
    site = make.site(city="Aarhus")
    coordinator = make.coordinator(email="coord@example.org")
    trainer = make.trainer([site], email="mette@example.org")
    other_trainer = make.trainer([make.site()], email="elsewhere@example.org")

    response = client.post("/register", data=form_data(site.id))
    assert response.status_code == 302

    organisation = db.session.scalar(sa.select(Organisation))
    assert organisation.name == "Somali Women's Association"
    assert organisation.website == "https://somaliwomen.example.org"
    assert organisation.languages == ["so", "da"]
    contact = organisation.contacts[0]
    assert contact.role is Role.CONTACT and contact.email == "hodan@example.org"
    assert contact.password_hash and "a sound password" not in contact.password_hash
    [enrolment] = organisation.enrolments
    assert enrolment.status is EnrolmentStatus.PENDING and enrolment.site_id == site.id
    consent = db.session.scalar(sa.select(Consent))
    assert consent.version == "2026-01" and consent.user_id == contact.id
    assert "process the data in this form" in consent.text and consent.given_at is not None

    # The contact is signed in and sees the status; reviewers are told, others are not.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pending review" in page
    assert len(mailbox.to(coordinator.email)) == 1
    assert len(mailbox.to(trainer.email)) == 1
    assert mailbox.to(other_trainer.email) == []
    [receipt] = mailbox.to("hodan@example.org")
    assert "We received your registration" in receipt["Subject"]


def test_form_shows_the_exact_consent_text_it_records(client, make):
    make.site()
    page = client.get("/register").get_data(as_text=True)
    assert (
        "I agree that the programme&#39;s coordinators" in page or "I agree that the programme's coordinators" in page
    )


BAD_INPUT = [
    ({"name": ""}, "name", "This field is required."),
    ({"name": "x" * 201}, "name", "At most 200 characters."),
    ({"type": ""}, "type", "Choose a type."),
    ({"type": "spaceship"}, "type", "Choose a type."),
    ({"website": "not a url at all"}, "website", "Enter a web address"),
    ({"description": "x" * 1001}, "description", "At most 1,000 characters."),
    ({"email": "hodan-at-example"}, "email", "“hodan-at-example” is not a valid e-mail address."),
    ({"contact_name": ""}, "contact_name", "This field is required."),
    ({"password": "short", "confirm": "short"}, "password", "at least 10 characters"),
    ({"confirm": "something else"}, "confirm", "The two passwords differ."),
    ({"consent": None}, "consent", "only register you with your consent"),
    ({"site": "0"}, "site", "Choose a site."),
    ({"site": "abc"}, "site", "Choose a site."),
    ({"languages": ["xx"]}, "languages", "Unknown language “xx”"),
]


@pytest.mark.parametrize(
    "overrides,field,message", BAD_INPUT, ids=[b[1] + "-" + str(i) for i, b in enumerate(BAD_INPUT)]
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written(client, make, overrides, field, message):
    site = make.site()
    before = counts()
    response = client.post("/register", data=form_data(site.id, **overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-errors"' in page
    assert message.lower() in page.lower()
    assert counts() == before


def test_duplicate_organisation_name_at_the_same_site_is_caught(client, make):
    site = make.site()
    make.organisation(site, name="Somali  women's ASSOCIATION")
    before = counts()
    response = client.post("/register", data=form_data(site.id))
    assert response.status_code == 422
    assert "is already registered at this site" in response.get_data(as_text=True)
    assert counts() == before


def test_same_name_at_another_site_is_fine(client, make):
    programme = make.programme()
    make.organisation(make.site(programme), name="Somali Women's Association")
    response = client.post("/register", data=form_data(make.site(programme).id))
    assert response.status_code == 302


def test_duplicate_email_is_caught(client, make):
    site = make.site()
    make.coordinator(email="hodan@example.org")
    before = counts()
    response = client.post("/register", data=form_data(site.id, email="HODAN@example.org"))
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert counts() == before


def test_closed_programme_takes_no_registration(client, make):
    site = make.site(make.programme(registration_open=False))
    page = client.get("/register").get_data(as_text=True)
    assert "No programme is taking registrations" in page
    response = client.post("/register", data=form_data(site.id))
    assert response.status_code == 422
    assert counts() == (0, 0, 0, 0)


def test_register_link_preselects_the_site(client, make):
    site = make.site(city="Kassel")
    page = client.get(f"/register?site={site.id}").get_data(as_text=True)
    assert f'<option selected value="{site.id}">' in page or f'value="{site.id}" selected' in page


def registration(**changes) -> services.RegistrationData:
    organisation = services.OrganisationData(
        name="Somali Women's Association", type=OrganisationType.MIGRANT_ASSOCIATION, languages=["so", "da"]
    )
    data = services.RegistrationData(
        organisation=organisation,
        contact_name="Hodan Ali",
        email="hodan@example.org",
        password="a sound password",
        consent=True,
    )
    for name, value in changes.items():  # the two have no field name in common
        setattr(organisation if hasattr(organisation, name) else data, name, value)
    return data


@pytest.mark.parametrize(
    "form,changes,field,message",
    [
        ({"consent": None}, {"consent": False}, "consent", "The programme can only register you with your consent."),
        (
            {"website": "http://not a site"},
            {"website": "http://not a site"},
            "website",
            "Enter a web address such as https://example.org.",
        ),
        ({"sector": "x" * 121}, {"sector": "x" * 121}, "sector", "At most 120 characters."),
        ({"contact_name": " "}, {"contact_name": " "}, "contact_name", "This field is required."),
    ],
    ids=["consent", "website", "sector", "contact"],
)
def test_the_registration_page_and_the_service_refuse_alike(client, make, form, changes, field, message):
    site = make.site()
    response = client.post("/register", data=form_data(site.id, **form))
    assert response.status_code == 422
    assert re.search(rf'id="{field}-errors">\s*{re.escape(message)}', response.get_data(as_text=True))
    with pytest.raises(InvalidInput) as refused:
        services.register_organisation(db.session, site, registration(**changes), notify=False)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert counts() == (0, 0, 0, 0)


def test_the_profile_page_and_the_service_refuse_alike(client, make):
    organisation = make.organisation(make.site(), name="Casa dei Popoli")
    client.login(make.contact_of(organisation))
    response = client.post(
        f"/organisations/{organisation.id}/edit",
        data={"name": "Casa dei Popoli", "type": "cso", "website": "casa", "languages": ["it", "zz"]},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a web address such as https://example.org." in page
    assert "Unknown language “zz”" in page
    data = services.OrganisationData(name="Casa dei Popoli", type=OrganisationType.CSO, website="casa")
    with pytest.raises(InvalidInput, match="Enter a web address such as https://example.org."):
        services.update_organisation(db.session, organisation, data)
    data.website, data.name = "casadeipopoli.example.org", "  Casa  dei Popoli APS "
    services.update_organisation(db.session, organisation, data)
    assert (organisation.name, organisation.website) == ("Casa dei Popoli APS", "https://casadeipopoli.example.org")


def test_every_problem_is_shown_at_once(client, make):
    site = make.site()
    response = client.post("/register", data=form_data(site.id, confirm="a different one", consent=None, name=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for field, message in [
        ("confirm", "The two passwords differ."),
        ("consent", "The programme can only register you with your consent."),
        ("name", "This field is required."),
    ]:
        assert re.search(rf'id="{field}-errors">\s*{re.escape(message)}', page), field
    assert counts() == (0, 0, 0, 0)
