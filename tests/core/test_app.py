"""The application shell: health check, settings, error pages, CSRF, headers, languages."""

from __future__ import annotations

import pytest

from oep import create_app
from tests.conftest import make_test_app


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "storage": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = make_test_app("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["database"] == "unreachable" and body["reason"]


def test_healthz_reports_an_unreachable_store(database_url, tmp_path):
    app = make_test_app(
        database_url,
        tmp_path,
        STORAGE_BACKEND="s3",
        S3_BUCKET="oep",
        S3_ENDPOINT_URL="http://127.0.0.1:1",
        S3_ACCESS_KEY_ID="x",
        S3_SECRET_ACCESS_KEY="y",
        S3_REGION="us-east-1",
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["storage"] == "unreachable" and body["database"] == "ok" and "127.0.0.1:1" in body["reason"]


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("OEP_SECRET_KEY", raising=False)
    first = create_app({"DATABASE_URL": "sqlite://"}, instance_path=str(tmp_path))
    second = create_app({"DATABASE_URL": "sqlite://"}, instance_path=str(tmp_path))
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("key", [None, "dev", "short-key"])
def test_production_refuses_a_weak_or_missing_key(tmp_path, monkeypatch, key):
    monkeypatch.delenv("OEP_SECRET_KEY", raising=False)
    config = {"ENV": "production", "DATABASE_URL": "sqlite://"}
    if key:
        config["SECRET_KEY"] = key
    with pytest.raises(RuntimeError, match="strong secret key"):
        create_app(config, instance_path=str(tmp_path))


def test_production_starts_with_a_strong_key_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("OEP_SECRET_KEY", "k" * 20 + "0123456789abcdef")
    monkeypatch.setenv("OEP_ENV", "production")
    app = create_app({"DATABASE_URL": "sqlite://"}, instance_path=str(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["MAIL_BACKEND"] == "smtp"


def test_postgres_urls_use_psycopg3(tmp_path):
    app = create_app({"DATABASE_URL": "postgresql://u@h/db", "SECRET_KEY": "x" * 40}, instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_not_found_page_is_in_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Not found" in page and "Skip to content" in page


def test_unexpected_error_gets_the_500_page_not_a_traceback(app, client, monkeypatch):
    from oep.public import views

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(views, "render_template", broken)
    response = client.get("/")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page and "ZeroDivisionError" not in page


def test_forms_need_a_csrf_token(database_url, instance_dir, make):
    from tests.conftest import IsolatedClient

    app = make_test_app(database_url, instance_dir, WTF_CSRF_ENABLED=True)
    app.test_client_class = IsolatedClient
    site = make.site()
    client = app.test_client()
    response = client.post("/register", data={"site": site.id, "name": "No Token"})
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)
    response = client.post("/logout")
    assert response.status_code == 400


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_use_no_outside_resources(client):
    page = client.get("/").get_data(as_text=True)
    assert "http://" not in page.replace("http://oep.test", "") and "https://" not in page


def test_language_switch_changes_the_interface(client, make):
    make.site()
    assert "Register your organisation" in client.get("/register").get_data(as_text=True)
    response = client.post("/language", data={"lang": "da", "next": "/register"})
    assert response.headers["Location"].endswith("/register")
    page = client.get("/register").get_data(as_text=True)
    assert 'lang="da"' in page and "Register your organisation" not in page
    client.post("/language", data={"lang": "el"})
    assert 'lang="el"' in client.get("/").get_data(as_text=True)


def test_language_follows_the_browser_until_chosen(client):
    page = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert 'lang="de"' in page


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_signed_in_users_choice_is_remembered_on_their_account(client, make):
    from oep.extensions import db

    user = make.coordinator()
    client.login(user)
    client.post("/language", data={"lang": "it"})
    db.session.refresh(user)
    assert user.locale == "it"


def test_every_catalogue_translates_every_message():
    from pathlib import Path

    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parents[2] / "oep" / "translations"
    for po in folder.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as f:
            catalog = read_po(f)
        # A plural entry needs every form its language has (Arabic: six).
        missing = [m.id for m in catalog if m.id and (not m.string or not all(m.string if m.pluralizable else [1]))]
        fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
        assert not missing and not fuzzy, f"{po.parent.parent.name}: {len(missing)} untranslated, {len(fuzzy)} fuzzy"


def test_catalogues_hold_every_string_in_the_code():
    """Every gettext string in the code and templates is in every catalogue (run
    `make extract-messages` after adding strings, then translate them)."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    method_map = [("oep/**.py", "python"), ("oep/templates/**.html", "jinja2"), ("oep/templates/**.txt", "jinja2")]
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "_l": None,
        "lazy_gettext": None,
        "_nl": (1, 2),
        "lazy_ngettext": (1, 2),
    }
    in_code = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(str(root), method_map, keywords=keywords):
        in_code.add(message if isinstance(message, str) else message[0])
    for po in (root / "oep" / "translations").glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as f:
            known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
        assert not (in_code - known), f"{po.parent.parent.name} lacks: {sorted(in_code - known)[:10]}"


def test_forbidden_page_is_in_the_layout(client, make):
    organisation = make.organisation(make.site())
    client.login(make.contact_of(organisation))
    response = client.get("/programmes/")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Not allowed" in page and "You do not have permission" in page and "Skip to content" in page


def test_domain_conflict_left_uncaught_gets_the_409_page(app, client, make, monkeypatch):
    from oep.core.errors import Conflict
    from oep.organisations import services

    def refuse(*args, **kwargs):
        raise Conflict("Someone else changed this first.")

    monkeypatch.setattr(services, "remove_participant", refuse)
    organisation = make.organisation(make.site())
    person = make.participant(organisation)
    client.login(make.contact_of(organisation))
    response = client.post(f"/organisations/{organisation.id}/participants/{person.id}/delete")
    assert response.status_code == 409
    assert "Someone else changed this first." in response.get_data(as_text=True)
