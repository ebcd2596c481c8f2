"""Signing in and out, throttling, "remember me", password reset, change and invitations."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from oep.accounts import services
from oep.accounts.models import Role, User
from oep.core.errors import InvalidInput
from oep.extensions import db
from tests.factories import PASSWORD


def sign_in(client, email, password, remember=False):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def test_sign_in_and_out(client, make):
    user = make.coordinator(email="sofia@example.org")
    response = sign_in(client, "Sofia@Example.org ", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert "Hello, " + user.name in client.get("/dashboard").get_data(as_text=True)
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_says_so_without_telling_which_part(client, make):
    make.coordinator(email="sofia@example.org")
    for email in ("sofia@example.org", "nobody@example.org"):
        response = sign_in(client, email, "wrong password")
        assert response.status_code == 422
        assert "The e-mail address or the password is not correct." in response.get_data(as_text=True)


def test_repeated_failures_block_the_address_for_a_while(client, make, app):
    make.coordinator(email="sofia@example.org")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(client, "sofia@example.org", "wrong")
    # Even the right password is refused now, with how long to wait.
    response = sign_in(client, "sofia@example.org", PASSWORD)
    assert response.status_code == 422
    assert "blocked for 15 more minute(s)" in response.get_data(as_text=True)
    # Another address is not affected.
    make.coordinator(email="jonas@example.org")
    assert sign_in(client, "jonas@example.org", PASSWORD).status_code == 302


def test_success_clears_earlier_failures(client, make, app):
    make.coordinator(email="sofia@example.org")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        sign_in(client, "sofia@example.org", "wrong")
    assert sign_in(client, "sofia@example.org", PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        sign_in(client, "sofia@example.org", "wrong")
    assert sign_in(client, "sofia@example.org", PASSWORD).status_code == 302


def test_deactivated_user_cannot_sign_in(client, make):
    make.coordinator(email="gone@example.org", is_active=False)
    response = sign_in(client, "gone@example.org", PASSWORD)
    assert response.status_code == 422
    assert "deactivated" in response.get_data(as_text=True)


def test_remember_me_sets_a_lasting_cookie(client, make):
    make.coordinator(email="sofia@example.org")
    response = sign_in(client, "sofia@example.org", PASSWORD, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "Expires=" in remember[0] and "HttpOnly" in remember[0]


def test_next_parameter_goes_back_but_never_to_another_site(client, make):
    make.coordinator(email="sofia@example.org")
    response = client.post("/login?next=/programmes/", data={"email": "sofia@example.org", "password": PASSWORD})
    assert response.headers["Location"].endswith("/programmes/")
    client.post("/logout")
    response = client.post(
        "/login?next=https://evil.example/", data={"email": "sofia@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/dashboard")


def _link(message) -> str:
    from tests.conftest import Mailbox

    return re.search(r"http://oep\.test(\S+)", Mailbox.body(message)).group(1)


def test_password_reset_by_mail_link_works_once(client, make, mailbox):
    make.coordinator(email="sofia@example.org")
    response = client.post("/password/forgot", data={"email": "sofia@example.org"})
    assert response.status_code == 302
    [message] = mailbox.to("sofia@example.org")
    assert "new OEP password" in message["Subject"]
    link = _link(message)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 302
    client.post("/logout")
    assert sign_in(client, "sofia@example.org", "a brand new password").status_code == 302
    client.post("/logout")
    # The same link does not work twice.
    response = client.get(link)
    assert response.status_code == 302
    assert "already been used" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_password_reset_for_unknown_address_says_the_same_and_sends_nothing(client, mailbox):
    response = client.post("/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert "If an account uses this address" in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_expired_reset_link_is_refused(client, make, app, monkeypatch):
    from oep.accounts import services

    user = make.coordinator()
    with app.test_request_context():
        token = services.make_token(user, "reset")
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.get(f"/password/reset/{token}", follow_redirects=True)
    assert "This link has expired" in response.get_data(as_text=True)


def test_tampered_reset_link_is_refused(client):
    response = client.get("/password/reset/garbage.token.here", follow_redirects=True)
    assert "This link is not valid" in response.get_data(as_text=True)


def test_change_password_signs_out_other_sessions(client_factory, make):
    user = make.coordinator(email="sofia@example.org")
    laptop, phone = client_factory(), client_factory()
    laptop.login(user)
    phone.login(user)
    response = laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "another good password", "confirm": "another good password"},
    )
    assert response.status_code == 302
    assert laptop.get("/dashboard").status_code == 200  # this session stays signed in
    assert phone.get("/dashboard").status_code == 302  # the other is signed out


def test_change_password_checks_the_current_one_and_strength(client, make):
    user = make.coordinator()
    client.login(user)
    response = client.post(
        "/account/password",
        data={"current_password": "nope", "password": "another good password", "confirm": "another good password"},
    )
    assert response.status_code == 422 and "The current password is not correct." in response.get_data(as_text=True)
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": "short", "confirm": "short"}
    )
    assert response.status_code == 422 and "at least 10 characters" in response.get_data(as_text=True)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "good long password", "confirm": "different one here"},
    )
    assert response.status_code == 422 and "The two passwords differ." in response.get_data(as_text=True)


def test_coordinator_invites_a_trainer_who_sets_a_password(client_factory, make, mailbox):
    coordinator = make.coordinator()
    site = make.site(city="Palermo")
    admin = client_factory().login(coordinator)
    response = admin.post(
        "/people",
        data={
            "name": "Giulia Russo",
            "email": "giulia@example.org",
            "role": "trainer",
            "sites": [site.id],
            "language": "en",
        },
    )
    assert response.status_code == 302
    trainer = db.session.scalar(sa.select(User).where(User.email == "giulia@example.org"))
    assert trainer.role is Role.TRAINER and [s.city for s in trainer.sites] == ["Palermo"]
    assert not trainer.has_password
    [message] = mailbox.to("giulia@example.org")
    link = _link(message)
    newcomer = client_factory()
    assert "Welcome, Giulia Russo" in newcomer.get(link).get_data(as_text=True)
    response = newcomer.post(link, data={"password": "giulia's own password", "confirm": "giulia's own password"})
    assert response.status_code == 302
    assert newcomer.get(f"/programmes/sites/{site.id}").status_code == 200


def test_invitation_refuses_a_taken_address(client, make):
    client.login(make.coordinator())
    make.trainer(email="taken@example.org")
    response = client.post("/people", data={"name": "X", "email": "taken@example.org", "role": "trainer"})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_coordinator_deactivates_a_trainer(client_factory, make):
    trainer = make.trainer()
    trainer_browser = client_factory().login(trainer)
    admin = client_factory().login(make.coordinator())
    assert admin.post(f"/people/{trainer.id}/active", data={"active": "0"}).status_code == 302
    assert trainer_browser.get("/dashboard").status_code == 302


def test_create_coordinator_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "oep",
            "create-coordinator",
            "first@example.org",
            "--name",
            "First One",
            "--password",
            "a long password 1",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "first@example.org"))
    assert user.role is Role.COORDINATOR and user.name == "First One"
    again = runner.invoke(args=["oep", "create-coordinator", "first@example.org", "--password", "a long password 1"])
    assert again.exit_code != 0 and "already exists" in again.output
    bad = runner.invoke(args=["oep", "create-coordinator", "not-an-address", "--password", "a long password 1"])
    assert bad.exit_code != 0 and "not a valid e-mail address" in bad.output


def test_the_invitation_the_command_and_the_service_refuse_alike(client, make, app):
    """The account rules live in the service: the page, the command line and a direct call
    give the same refusal with the same message."""
    message = "“giulia@example” is not a valid e-mail address."
    client.login(make.coordinator())
    page = client.post("/people", data={"name": "Giulia Russo", "email": "giulia@example", "role": "trainer"})
    assert page.status_code == 422
    assert re.search(r'id="email-errors">\s*' + re.escape(message), page.get_data(as_text=True))
    command = app.test_cli_runner().invoke(
        args=["oep", "create-coordinator", "giulia@example", "--name", "x" * 201, "--password", "a long password 1"]
    )
    assert command.exit_code != 0
    assert "At most 200 characters." in command.output and message in command.output
    with pytest.raises(InvalidInput) as refused:
        services.create_user(db.session, email="giulia@example", name="Giulia Russo", role=Role.TRAINER)
    assert (refused.value.field, refused.value.message) == ("email", message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
