"""Migrations build the schema from empty on SQLite and PostgreSQL, and agree with the models."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from oep.extensions import db
from tests.conftest import make_test_app
from tests.support import postgres_url


def _fresh_postgres(url: str) -> str:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    return _fresh_postgres(postgres_url(suffix="_migrations"))


def test_upgrade_from_empty_to_head_matches_the_models(empty_database, tmp_path):
    app = make_test_app(empty_database, tmp_path)
    with app.app_context():
        upgrade()
        inspector = sa.inspect(db.engine)
        assert "alembic_version" in inspector.get_table_names()
        assert set(db.metadata.tables) <= set(inspector.get_table_names())
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations differ: {differences}"
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_upgrading_keeps_existing_rows_and_fills_new_required_columns(empty_database, tmp_path):
    """Data written under the first migration survives the later ones, which fill the new
    required columns (calendar tokens, programme settings) for it."""
    app = make_test_app(empty_database, tmp_path)
    with app.app_context():
        upgrade(revision="0001_foundation")
        with db.engine.begin() as conn:
            for name in ("First", "Second"):
                conn.execute(
                    sa.text(
                        "INSERT INTO organisations (name, name_key, type, sector, "
                        "city, website, languages, description, created_at)"
                        " VALUES (:n, :k, 'cso', '', '', '', '[]', '', :t)"
                    ),
                    {"n": name, "k": name.lower(), "t": "2026-01-01 00:00:00"},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO programmes (name, description, starts_on, ends_on, languages, registration_open,"
                    " completion_min_attendance_percent, "
                    "completion_requires_mandatory_modules, certificate_signatory_name,"
                    " certificate_signatory_title, funder_acknowledgement, created_at)"
                    " VALUES ('P', '', '2026-01-01', '2026-06-30', '[]', :t, 80, :t, '', '', '', '2026-01-01 00:00:00')"
                ),
                {"t": True},
            )
        upgrade()
        with db.engine.connect() as conn:
            tokens = conn.execute(sa.text("SELECT calendar_token FROM organisations")).scalars().all()
            settings = conn.execute(
                sa.text("SELECT left_early_credit_percent, checkin_code_seconds FROM programmes")
            ).one()
        assert len(tokens) == 2 and len(set(tokens)) == 2 and all(len(t) >= 24 for t in tokens)
        assert tuple(settings) == (50, 30)
        downgrade(revision="base")
        db.engine.dispose()


def test_upgrading_keeps_the_programmes_texts_as_their_main_languages(empty_database, tmp_path):
    """Texts written before they could be given in several languages become the text in their
    programme's main language (the catalogue's: the default language); rows that refer to a
    table the migration copies (enrolments to sites) survive it; downgrading gives them back."""
    app = make_test_app(empty_database, tmp_path)
    with app.app_context():
        upgrade(revision="0007_stored_files")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO programmes (id, name, description, starts_on, ends_on, languages,"
                    " registration_open, completion_min_attendance_percent, completion_requires_mandatory_modules,"
                    " left_early_credit_percent, warning_min_held_sessions, warning_consecutive_absences,"
                    " checkin_opens_minutes, checkin_grace_minutes, checkin_code_seconds, pairing_type_rule,"
                    " pairing_common_language, pairing_no_repeat, pairing_allow_triads,"
                    " certificate_signatory_name, certificate_signatory_title, funder_acknowledgement, created_at)"
                    " VALUES (1, 'Πόλεις μαζί', 'Περιγραφή', '2026-01-01', '2026-06-30', :languages, :t, 80, :t,"
                    " 50, 3, 3, 30, 10, 30, 'any', :t, :t, :t, '', 'Συντονίστρια',"
                    " 'Με τη συγχρηματοδότηση', '2026-01-01 00:00:00')"
                ),
                {"t": True, "languages": '["el", "en"]'},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO sites (id, programme_id, city, country, timezone, local_language,"
                    " partner_organisation, calendar_token)"
                    " VALUES (1, 1, 'Αθήνα', 'GR', 'Europe/Athens', 'el', '', 'x')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO modules (programme_id, position, title, summary, learning_outcomes, hours, mandatory)"
                    " VALUES (1, 1, 'Άντληση πόρων', '', '', 4, :t)"
                ),
                {"t": True},
            )
            conn.execute(sa.text("INSERT INTO competences (name, description) VALUES ('Fundraising', 'Grants')"))
            conn.execute(
                sa.text(
                    "INSERT INTO organisations (id, name, name_key, type, sector, city, website, languages,"
                    " description, calendar_token, created_at)"
                    " VALUES (1, 'O', 'o', 'cso', '', '', '', '[]', '', 'y', '2026-01-01 00:00:00')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO enrolments (organisation_id, site_id, status, decision_reason, created_at)"
                    " VALUES (1, 1, 'accepted', '', '2026-01-01 00:00:00')"
                )
            )
        upgrade()

        def read(sql):
            with db.engine.connect() as conn:
                row = conn.execute(sa.text(sql)).one()
            return [json.loads(value) if isinstance(value, str) and value.startswith("{") else value for value in row]

        assert read("SELECT name, name_key, description, certificate_signatory_title FROM programmes") == [
            {"el": "Πόλεις μαζί"},
            "Πόλεις μαζί".casefold(),
            {"el": "Περιγραφή"},
            {"el": "Συντονίστρια"},
        ]
        assert read("SELECT city, city_key FROM sites") == [{"el": "Αθήνα"}, "Αθήνα".casefold()]
        assert read("SELECT title, summary FROM modules") == [{"el": "Άντληση πόρων"}, {}]
        assert read("SELECT name, name_key, description FROM competences") == [
            {"en": "Fundraising"},
            "fundraising",
            {"en": "Grants"},
        ]
        assert read("SELECT count(*) FROM enrolments") == [1]
        downgrade(revision="0007_stored_files")
        assert read("SELECT name, funder_acknowledgement FROM programmes") == ["Πόλεις μαζί", "Με τη συγχρηματοδότηση"]
        assert read("SELECT city FROM sites") == ["Αθήνα"]
        assert read("SELECT count(*) FROM enrolments") == [1]
        downgrade(revision="base")
        db.engine.dispose()
