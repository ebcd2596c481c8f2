"""OEP on several machines: two gunicorn servers and two RQ workers, each with an instance
folder of its own, sharing only what the README says machines share — one PostgreSQL
database, Redis, the file storage (in the database, or on S3), the secret key and the issuer's
key folder. A person's requests go to either server, as behind a load balancer.

It checks what a user of such an installation would notice: a bulk certificate job started
through one server runs on a worker and its ZIP downloads through the other; a report
likewise; a session signed in on one server is signed in on the other; failed log-ins and
check-in codes count across both. Heavy: it runs once per CI run, on the PostgreSQL pass.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from PIL import Image
from pypdf import PdfReader

from oep.attendance.models import Attendance, MarkSource
from oep.certificates.models import Certificate
from oep.core import storage
from oep.extensions import db
from oep.reports.models import ReportFile
from tests.conftest import make_test_app
from tests.factories import PASSWORD, Factory
from tests.support import postgres_url
from tests.support_jobs import redis_or_skip

pytestmark = [pytest.mark.heavy, pytest.mark.postgres, pytest.mark.redis]

SECRET_KEY = "several-machines-" + "k" * 40
EMBLEM_SIZE = (150, 100)
STARTUP_SECONDS = 90
JOB_SECONDS = 240


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database() -> str:
    url = postgres_url(suffix="_machines")
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


class Machines:
    """The processes of the installation, each in a process group of its own so that a server
    and its workers stop together; all of them are stopped on leaving, whatever happened."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: dict[str, subprocess.Popen] = {}

    def __enter__(self) -> Machines:
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def start(self, name: str, args: list[str], env: dict) -> None:
        with (self.folder / f"{name}.log").open("w") as log:
            self.processes[name] = subprocess.Popen(
                args, cwd=self.folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_healthy(self, name: str, url: str) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                pytest.fail(f"{name} stopped:\n{self.log(name)[-3000:]}")
            try:
                if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or its workers still starting
                pass
            time.sleep(0.3)
        pytest.fail(f"{name} did not answer within {STARTUP_SECONDS} s:\n{self.log(name)[-3000:]}")

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None


def machine_environment(folder: Path, name: str, settings: dict) -> dict:
    """What one machine is given: its own instance folder, and the shared settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OEP_")}
    env.update({f"OEP_{key}": str(value) for key, value in settings.items()})
    env["OEP_INSTANCE_PATH"] = str(folder / name)
    return env


def csrf_token(page: requests.Response) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page.text
    )
    assert found, f"no CSRF token on {page.url}"
    return found.group(1)


def post_form(browser: requests.Session, url: str, form_page: str, data: dict) -> requests.Response:
    """Send a form as a browser does: the page first (for its CSRF token), then the form."""
    token = csrf_token(browser.get(form_page))
    return browser.post(url, data={**data, "csrf_token": token}, allow_redirects=False)


def wait_for_job(browser: requests.Session, server: str, job_path: str) -> dict:
    deadline = time.monotonic() + JOB_SECONDS
    while time.monotonic() < deadline:
        state = browser.get(f"{server}{job_path}.json").json()
        if state["finished"]:
            return state
        time.sleep(0.5)
    pytest.fail(f"job {job_path} did not finish within {JOB_SECONDS} s")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 51, 153)).save(out, "PNG")
    return out.getvalue()


def seed(make: Factory) -> dict:
    """A programme whose emblem is in the shared storage, one site with four participants who
    qualify for certificates, a session open for check-in now, a coordinator and a trainer."""
    programme = make.programme(name="OEP on several machines", certificate_signatory_name="Dr. Sofia Marino")
    programme.emblem_file = "several-machines-emblem.png"
    storage.current().write("uploads/several-machines-emblem.png", png(EMBLEM_SIZE))
    site = make.site(programme, city="Aarhus", timezone="Europe/Copenhagen")
    module = make.module(programme, title="Fundraising")
    organisation = make.organisation(site, name="Foreningen Fællesskab")
    people = [make.participant(organisation, name=f"Deltager {n}", preferred_language="da") for n in range(1, 5)]
    for day in (-9, -8, -7):
        sched = make.session(site, module=module, starts_in_days=day, hours=2, status="held")
        for person in people:
            make.mark(sched, person, "present")
    open_now = make.session(site, module=module, starts_in_days=-2 / (24 * 60))  # started two minutes ago
    coordinator = make.coordinator(email="coordinator@example.org", name="Coordinator Of All")
    trainer = make.trainer([site], email="trainer@example.org")
    return {
        "programme": programme.id,
        "site": site.id,
        "open_uid": open_now.uid,
        "open_id": open_now.id,
        "participant": people[0].id,
        "coordinator": coordinator.email,
        "trainer": trainer.email,
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
    }


@pytest.mark.parametrize("backend", ["database", "s3"])
def test_two_servers_and_two_workers_share_everything(backend, tmp_path, request):
    database = fresh_database()
    redis_url = redis_or_skip()
    port_a, port_b = free_port(), free_port()
    server_a, server_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    shared = {
        "ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "JOB_QUEUE": f"oep-machines-{uuid.uuid4().hex[:8]}",
        "STORAGE_BACKEND": backend,
        "BASE_URL": server_a,  # the address of the proxy in front of both
        "ISSUER_KEY_DIR": str(tmp_path / "shared-issuer-keys"),
        "MAIL_BACKEND": "null",
        "SESSION_COOKIE_SECURE": "false",  # plain HTTP on loopback; behind TLS in production
        "REMEMBER_COOKIE_SECURE": "false",
        "LOGIN_MAX_FAILURES": 3,
        "RENDER_PROCESSES": 1,
    }
    if backend == "s3":
        shared.update(request.getfixturevalue("s3_emulator").settings())
    flask = [sys.executable, "-m", "flask", "--app", "oep"]
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "120", "oep:create_app()"]

    upgrade = subprocess.run(
        [*flask, "db", "upgrade"],
        cwd=tmp_path,
        env=machine_environment(tmp_path, "admin", shared),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    seeder = make_test_app(database, tmp_path / "seeder", **{k: v for k, v in shared.items() if k != "ENV"})
    with seeder.app_context():
        world = seed(Factory(db.session))
        db.session.commit()

    with Machines(tmp_path) as machines:
        machines.start(
            "server-a", [*gunicorn, "--bind", f"127.0.0.1:{port_a}"], machine_environment(tmp_path, "a", shared)
        )
        machines.start(
            "server-b", [*gunicorn, "--bind", f"127.0.0.1:{port_b}"], machine_environment(tmp_path, "b", shared)
        )
        for name in ("worker-1", "worker-2"):
            machines.start(name, [*flask, "oep", "worker"], machine_environment(tmp_path, name, shared))
        machines.wait_healthy("server-a", server_a)
        machines.wait_healthy("server-b", server_b)

        # The upload stored by another machine is served by both.
        for server in (server_a, server_b):
            emblem = requests.get(f"{server}/programmes/{world['programme']}/emblem")
            assert emblem.status_code == 200 and Image.open(io.BytesIO(emblem.content)).size == EMBLEM_SIZE

        # Signed in on A, signed in on B (cookies name the host, not the port, as behind a proxy).
        coordinator = requests.Session()
        signed_in = post_form(
            coordinator,
            f"{server_a}/login",
            f"{server_a}/login",
            {"email": world["coordinator"], "password": PASSWORD},
        )
        assert signed_in.status_code == 302
        page = coordinator.get(f"{server_b}/dashboard", allow_redirects=False)
        assert page.status_code == 200 and "Coordinator Of All" in page.text

        # Failed log-ins count across both servers: the fourth try, right or wrong, is refused.
        guesser = requests.Session()
        for server in (server_a, server_b, server_a):
            wrong = post_form(
                guesser, f"{server}/login", f"{server}/login", {"email": world["trainer"], "password": "wrong"}
            )
            assert wrong.status_code == 422
        blocked = post_form(
            guesser, f"{server_b}/login", f"{server_b}/login", {"email": world["trainer"], "password": PASSWORD}
        )
        assert blocked.status_code == 422 and "Too many failed attempts" in blocked.text
        assert guesser.get(f"{server_b}/dashboard", allow_redirects=False).status_code == 302

        # The code shown through A is accepted through B; wrong codes count across both.
        code = coordinator.get(f"{server_a}/sessions/{world['open_id']}/checkin/state.json").json()["code"]
        participant = requests.Session()
        checkin_page = participant.get(f"{server_b}/checkin/{world['open_uid']}", params={"code": code})
        assert checkin_page.status_code == 200 and "Deltager 1" in checkin_page.text
        checked_in = participant.post(
            f"{server_a}/checkin/{world['open_uid']}",
            data={"code": code, "participant_id": world["participant"], "csrf_token": csrf_token(checkin_page)},
        )
        assert checked_in.status_code == 200 and "you are checked in as" in checked_in.text
        wrong = str((int(code) + 1) % 1_000_000).zfill(6)
        for attempt in range(20):
            server = (server_a, server_b)[attempt % 2]
            assert participant.get(f"{server}/checkin/{world['open_uid']}", params={"code": wrong}).status_code == 422
        refused = participant.get(f"{server_b}/checkin/{world['open_uid']}", params={"code": code})
        assert refused.status_code == 422 and "Too many attempts" in refused.text

        # Certificates: started through A, made by a worker, downloaded through B (and A).
        site_page = f"{server_a}/sites/{world['site']}/certificates"
        started = post_form(coordinator, f"{site_page}/issue", site_page, {"language": ""})
        assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
        job_path = "/jobs/" + started.headers["Location"].rsplit("/jobs/", 1)[1]
        state = wait_for_job(coordinator, server_b, job_path)
        assert state["status"] == "done" and state["done"] == state["total"] == 4, state
        archive = zipfile.ZipFile(
            io.BytesIO(coordinator.get(f"{server_b}/sites/{world['site']}/certificates.zip").content)
        )
        with seeder.app_context():
            certificates = db.session.scalars(sa.select(Certificate)).all()
            mark = db.session.scalar(sa.select(Attendance).where(Attendance.session_id == world["open_id"]))
        assert mark.participant_id == world["participant"] and mark.source is MarkSource.SELF_CHECKIN
        assert len(certificates) == 4 and len(archive.namelist()) == 4
        assert {sha256(archive.read(name)) for name in archive.namelist()} == {c.sha256 for c in certificates}
        for name in archive.namelist():
            pictures = PdfReader(io.BytesIO(archive.read(name))).pages[0].images
            assert EMBLEM_SIZE in {(p.image.width, p.image.height) for p in pictures}  # the worker read the upload
        one = certificates[0]
        for server in (server_a, server_b):
            assert sha256(coordinator.get(f"{server}/certificates/{one.id}.pdf").content) == one.sha256

        # A report: started through B, made by a worker, downloaded through A (and B).
        report = post_form(
            coordinator,
            f"{server_b}/reports",
            f"{server_b}/reports",
            {
                "scope": f"site:{world['site']}",
                "date_from": world["starts_on"],
                "date_to": world["ends_on"],
                "language": "en",
                "formats": ["pdf", "xlsx"],
            },
        )
        assert report.status_code == 302 and "/jobs/" in report.headers["Location"]
        report_job = "/jobs/" + report.headers["Location"].rsplit("/jobs/", 1)[1]
        state = wait_for_job(coordinator, server_a, report_job)
        assert state["status"] == "done", state
        with seeder.app_context():
            files = db.session.scalars(sa.select(ReportFile).order_by(ReportFile.id)).all()
        assert [f.format.value for f in files] == ["pdf", "xlsx"]
        for record in files:
            for server in (server_a, server_b):
                download = coordinator.get(f"{server}/reports/files/{record.id}")
                assert download.status_code == 200 and sha256(download.content) == record.sha256

        # Both jobs ran on the workers (not in a web process), and every process is still up.
        worker_logs = machines.log("worker-1") + machines.log("worker-2")
        for path in (job_path, report_job):
            assert path.rsplit("/", 1)[1] in worker_logs
        assert all(machines.alive(name) for name in ("server-a", "server-b", "worker-1", "worker-2"))
