"""Settings: defaults, then ``instance/config.py``, then ``OEP_*`` environment variables.

Every setting can be given as an environment variable with the ``OEP_`` prefix
(``OEP_DATABASE_URL``, ``OEP_SECRET_KEY``, ``OEP_MAIL_SERVER`` ...). Values that parse as
JSON (numbers, booleans) are read as such, as Flask's ``from_prefixed_env`` does.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

#: Keys that are clearly not secret; production refuses them.
WEAK_SECRET_KEYS = {"", "dev", "development", "secret", "changeme", "change-me", "test", "oep"}
MIN_SECRET_KEY_LENGTH = 32


class DefaultConfig:
    #: "development" or "production". Production refuses weak secrets and never writes
    #: mail to the outbox folder unless told to.
    ENV = "development"

    #: SQLAlchemy URL. Default: a SQLite file in the instance folder (set in load_config).
    DATABASE_URL: str | None = None

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    #: Largest accepted request body (uploads, CSV imports); larger gets a 413 page.
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024

    #: Password hashing method passed to werkzeug (scrypt: memory-hard, the modern default).
    PASSWORD_HASH_METHOD = "scrypt"
    PASSWORD_MIN_LENGTH = 10
    #: Seconds a password-reset or invitation link stays valid.
    PASSWORD_RESET_MAX_AGE = 2 * 60 * 60
    INVITATION_MAX_AGE = 7 * 24 * 60 * 60

    #: Failed log-ins allowed per e-mail address within LOGIN_FAILURE_WINDOW seconds,
    #: after which the address is blocked for the rest of the window.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW = 15 * 60

    REMEMBER_COOKIE_DURATION = 30 * 24 * 60 * 60
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    #: Outgoing mail. With MAIL_BACKEND "outbox", each message is written to
    #: instance/outbox/ as an .eml file and logged; "smtp" sends through MAIL_SERVER.
    MAIL_BACKEND: str | None = None  # default: outbox in development, smtp in production
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "OEP <no-reply@oep.invalid>"
    MAIL_OUTBOX_DIR: str | None = None  # default: instance/outbox

    #: Public base URL used in mails and on certificates (no trailing slash).
    BASE_URL = "http://127.0.0.1:5000"
    #: How many reverse proxies stand in front of OEP (a TLS proxy, a load balancer): their
    #: X-Forwarded-For, -Proto and -Host headers are trusted that many hops deep, so that the
    #: throttles count per visitor rather than per proxy. 0: none (never trust the headers).
    TRUSTED_PROXIES = 0

    #: Where files are kept (uploads, certificates, reports; see oep.core.storage):
    #: "filesystem", "database" or "s3".
    STORAGE_BACKEND = "filesystem"
    #: The filesystem backend's folder: a folder per kind of file in it. Default: the instance folder.
    STORAGE_DIR: str | None = None
    #: Folders of single kinds of file on the filesystem (default: STORAGE_DIR/uploads, ...).
    UPLOAD_DIR: str | None = None
    CERTIFICATE_DIR: str | None = None
    REPORT_DIR: str | None = None
    #: The s3 backend: a bucket (made beforehand), an optional prefix for OEP's keys, the
    #: store's address (empty for AWS S3), region and credentials (empty: boto3 looks for them
    #: in AWS_* variables, its configuration files or the machine's role), and "path" or
    #: "virtual" addressing ("auto": boto3 decides; MinIO and Ceph usually want "path").
    S3_BUCKET: str | None = None
    S3_PREFIX = ""
    S3_ENDPOINT_URL: str | None = None
    S3_REGION: str | None = None
    S3_ACCESS_KEY_ID: str | None = None
    S3_SECRET_ACCESS_KEY: str | None = None
    S3_ADDRESSING_STYLE = "auto"

    #: Background jobs: with a Redis URL they go to an RQ queue served by
    #: `flask --app oep oep worker`; without, a thread of the web process runs them.
    REDIS_URL: str | None = None
    JOB_QUEUE = "oep"
    JOB_TIMEOUT = 60 * 60
    #: Worker processes that render certificates in parallel in a bulk job.
    RENDER_PROCESSES = 2

    #: Verification lookups allowed per address within 10 minutes.
    VERIFY_ATTEMPTS = 30

    #: Open Badges: the issuer's signing keys (generated once; several machines serving one
    #: installation must share this folder), the issuer's name in every credential, and how
    #: often one address may fetch a status list within 10 minutes.
    ISSUER_KEY_DIR: str | None = None  # default: instance/issuer_keys
    BADGE_ISSUER_NAME = "OEP"
    STATUS_LIST_ATTEMPTS = 120

    #: The interface languages, in the order the language switch shows them. The same list
    #: gives the languages of certificates, reports and mails. Adding one: put its catalogue in
    #: oep/translations/<code>/ and its code here (README, "Translations").
    LANGUAGES = ["en", "da", "de", "it", "el", "sv", "ar", "uk"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    #: Version and text of the consent an organisation gives when it registers. The exact
    #: text shown and this version are recorded with the time of consent.
    CONSENT_VERSION = "2026-01"


def _normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _secret_key_from_instance(instance_path: Path, production: bool) -> str | None:
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    if production:
        return None
    key = secrets.token_hex(32)
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    log.info("Generated a new secret key in %s", key_file)
    return key


def load_config(app, test_config: dict | None = None) -> None:
    """Fill ``app.config`` in order: defaults, instance/config.py, OEP_* environment, test_config."""
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)

    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("OEP")
    if test_config:
        app.config.from_mapping(test_config)

    cfg = app.config
    production = cfg["ENV"] == "production"

    url = cfg.get("DATABASE_URL") or f"sqlite:///{instance_path / 'oep.sqlite'}"
    cfg["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(url)
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = {"pool_pre_ping": True}
        options.update(cfg["SQLALCHEMY_ENGINE_OPTIONS"])
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = options

    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _secret_key_from_instance(instance_path, production)
    key = cfg.get("SECRET_KEY") or ""
    if production and (key.lower() in WEAK_SECRET_KEYS or len(key) < MIN_SECRET_KEY_LENGTH):
        raise RuntimeError(
            "OEP refuses to start in production without a strong secret key: set OEP_SECRET_KEY "
            f"to at least {MIN_SECRET_KEY_LENGTH} random characters "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )

    if cfg["MAIL_BACKEND"] is None:
        cfg["MAIL_BACKEND"] = "smtp" if production else "outbox"
    cfg["MAIL_OUTBOX_DIR"] = cfg["MAIL_OUTBOX_DIR"] or str(instance_path / "outbox")
    cfg["STORAGE_DIR"] = cfg["STORAGE_DIR"] or str(instance_path)
    cfg["ISSUER_KEY_DIR"] = cfg["ISSUER_KEY_DIR"] or str(instance_path / "issuer_keys")

    if production:
        # Cookies only over HTTPS, unless the deployment says otherwise explicitly.
        for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
            if f"OEP_{name}" not in os.environ:
                cfg[name] = True
