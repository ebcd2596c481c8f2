"""The language a person chose is the one they get: picked before signing in, it is kept on the
account; an invitation goes out in the language the inviter picks, and the account keeps it."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import force_locale, gettext

from oep.accounts.models import User
from oep.extensions import db
from tests.conftest import Mailbox
from tests.factories import PASSWORD


def in_german(text: str) -> str:
    with force_locale("de"):
        return gettext(text)


def link_in(message) -> str:
    return re.search(r"http://oep\.test(\S+)", Mailbox.body(message)).group(1)


def test_the_language_picked_on_the_log_in_page_is_kept_on_the_account(client_factory, make, mailbox):
    user = make.coordinator(email="sofia@example.org", locale="en")
    browser = client_factory()
    browser.post("/language", data={"lang": "de", "next": "/login"})
    assert 'lang="de"' in browser.get("/login").get_data(as_text=True)
    assert browser.post("/login", data={"email": "sofia@example.org", "password": PASSWORD}).status_code == 302
    db.session.refresh(user)
    assert user.locale == "de"
    # Another browser, with no choice of its own, shows the account's language; mails follow it.
    other = client_factory()
    other.post("/login", data={"email": "sofia@example.org", "password": PASSWORD})
    assert 'lang="de"' in other.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client_factory().post("/password/forgot", data={"email": "sofia@example.org"})
    [reset] = mailbox.to("sofia@example.org")
    assert reset["Subject"] == in_german("Choose a new OEP password") != "Choose a new OEP password"


def test_signing_in_without_picking_a_language_leaves_the_account_as_it_is(client, make):
    user = make.coordinator(email="sofia@example.org", locale="it")
    client.post("/login", data={"email": "sofia@example.org", "password": PASSWORD}, headers={"Accept-Language": "de"})
    db.session.refresh(user)
    assert user.locale == "it"


def invite(client, site=None, **data):
    form = {"name": "Anna Lindqvist", "email": "anna@example.org", "role": "trainer"}
    if site is not None:
        form["sites"] = [site.id]
    form.update(data)
    return client.post("/people", data=form)


def test_an_invitation_goes_out_in_the_language_the_inviter_picks(client_factory, make, mailbox):
    site = make.site(city="Palermo", local_language="it")
    coordinator = make.coordinator(locale="en")
    admin = client_factory().login(coordinator)
    assert 'name="language"' in admin.get("/people").get_data(as_text=True)
    assert invite(admin, site, language="de").status_code == 302
    anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.org"))
    assert anna.locale == "de"
    [message] = mailbox.to("anna@example.org")
    assert message["Subject"] == in_german("You are invited to OEP") != "You are invited to OEP"
    assert in_german("Open this link to choose your password:") in Mailbox.body(message)
    # The invitee's page is in German before she signs in, and her account keeps it.
    newcomer = client_factory()
    page = newcomer.get(link_in(message)).get_data(as_text=True)
    assert 'lang="de"' in page
    newcomer.post(link_in(message), data={"password": "annas own password", "confirm": "annas own password"})
    db.session.refresh(anna)
    assert anna.locale == "de" and anna.has_password
    assert 'lang="de"' in newcomer.get("/dashboard").get_data(as_text=True)


def test_by_default_a_trainer_is_invited_in_the_language_of_their_site(client, make, mailbox):
    site = make.site(city="Malmö", local_language="sv", country="SE", timezone="Europe/Stockholm")
    client.login(make.coordinator(locale="en"))
    assert invite(client, site, language="").status_code == 302
    anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.org"))
    assert anna.locale == "sv"


def test_by_default_a_coordinator_is_invited_in_the_inviters_language(client, make):
    client.login(make.coordinator(locale="el"))
    assert invite(client, role="coordinator", language="").status_code == 302
    assert db.session.scalar(sa.select(User.locale).where(User.email == "anna@example.org")) == "el"


def test_an_unknown_invitation_language_is_refused_next_to_the_field(client, make):
    client.login(make.coordinator())
    response = invite(client, language="xx")
    assert response.status_code == 422
    assert 'id="language-errors"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "anna@example.org")) is None
