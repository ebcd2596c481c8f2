"""The package as an operator installs it: ``pip install .`` (not editable) into a new virtual
environment, then ``flask --app oep db upgrade`` from an empty folder far from the checkout.
The installed package must carry its migrations, templates, static files and compiled
catalogues. Heavy: installing every dependency takes a minute or two; it runs once per CI run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from babel.messages.pofile import read_po

from tests.support import postgres_url

pytestmark = [pytest.mark.heavy, pytest.mark.postgres]

PROJECT = Path(__file__).resolve().parents[2]
LANGUAGES = sorted(p.parent.parent.name for p in (PROJECT / "oep/translations").glob("*/LC_MESSAGES/messages.po"))

#: Run in the new environment: where oep was imported from, what it holds, and the log-in page
#: in German rendered by the installed package.
PROBE = """
import json, sys
from pathlib import Path
import oep
package = Path(oep.__file__).parent
app = oep.create_app({"DATABASE_URL": sys.argv[1]})
page = app.test_client().get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
print(json.dumps({
    "package": str(package),
    "migrations": sorted(p.name for p in (package / "migrations/versions").glob("*.py")),
    "catalogues": sorted(p.parent.parent.name for p in package.glob("translations/*/LC_MESSAGES/messages.mo")),
    "templates": (package / "templates/base.html").is_file(),
    "static": sorted(p.name for p in (package / "static/fonts").glob("*.ttf"))[:1],
    "login_page": page,
}))
"""


def fresh_database() -> str:
    url = postgres_url(suffix="_package")
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def german(msgid: str) -> str:
    with (PROJECT / "oep/translations/de/LC_MESSAGES/messages.po").open("rb") as po:
        return read_po(po)[msgid].string


def test_pip_install_then_db_upgrade_from_any_folder(tmp_path):
    import json

    database = fresh_database()
    venv, anywhere = tmp_path / "venv", tmp_path / "anywhere"
    anywhere.mkdir()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OEP_", "PYTHONPATH", "VIRTUAL_ENV"))}
    env.update(OEP_DATABASE_URL=database, OEP_INSTANCE_PATH=str(tmp_path / "instance"))
    # A copy of what is kept in the project, as a fresh clone has it: a checkout's build/ folder
    # (left by an earlier build) could otherwise carry files the package itself no longer has.
    source = tmp_path / "source"
    shutil.copytree(PROJECT / "oep", source / "oep", ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(PROJECT / name, source / name)
    install = subprocess.run(
        [str(venv / "bin/pip"), "install", "--quiet", "--disable-pip-version-check", str(source)],
        cwd=anywhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    upgrade = subprocess.run(
        [str(venv / "bin/flask"), "--app", "oep", "db", "upgrade"],
        cwd=anywhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    engine = sa.create_engine(database)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == head
        assert "certificates" in sa.inspect(conn).get_table_names()
    engine.dispose()

    probe = subprocess.run(
        [str(venv / "bin/python"), "-c", PROBE, database],
        cwd=anywhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert Path(found["package"]).is_relative_to(venv)  # the installed copy, not the checkout
    assert found["migrations"] == sorted(p.name for p in (PROJECT / "oep/migrations/versions").glob("*.py"))
    assert found["catalogues"] == LANGUAGES and found["templates"] and found["static"]
    assert german("Sign in") in found["login_page"]


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT / "oep/migrations"))
    return config
