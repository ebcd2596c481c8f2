"""Writes for accounts: creating users, passwords, log-in checks, reset and invitation links."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from oep.accounts.models import Role, User, new_session_token
from oep.core import throttle
from oep.core.db import utcnow
from oep.core.errors import Conflict, DomainError, InvalidInput
from oep.core.i18n import is_interface_language, supported_language
from oep.core.mail import send_template
from oep.core.validation import Problems, column_length, email_address

log = logging.getLogger(__name__)

#: The longest password taken (a passphrase fits; hashing megabytes would not be fair to others).
PASSWORD_MAX_LENGTH = 200
#: Checked against when an address is unknown, so that a log-in takes as long either way.
_DUMMY_HASH_CACHE: dict[str, str] = {}


def normalise_email(email: str) -> str:
    """An e-mail address as accounts store and look it up: trimmed and lower-cased."""
    return email_address(email)


def hash_password(password: str) -> str:
    """The salted hash of ``password`` by PASSWORD_HASH_METHOD (scrypt unless configured)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _password_problem(password: str):
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("The password must have at least %(n)d characters.", n=minimum)
    if password.isdigit() or len(set(password)) < 4:
        return _("This password is too easy to guess.")
    if len(password) > PASSWORD_MAX_LENGTH:
        return _("At most %(n)s characters.", n=format_decimal(PASSWORD_MAX_LENGTH))
    return None


def check_password_strength(password: str) -> None:
    """Refuse a password that is too weak to protect an account.

    Raises ``InvalidInput`` (field ``password``) when it is shorter than PASSWORD_MIN_LENGTH
    characters (10 by default, NIST SP 800-63B asks at least 8), only digits or fewer than four
    different characters, or longer than ``PASSWORD_MAX_LENGTH``.
    """
    problem = _password_problem(password)
    if problem:
        raise InvalidInput(problem, field="password")


def account_problems(*, email: str, name: str, password: str | None = None, name_field: str = "name") -> Problems:
    """Every rule a new account's data must keep, checked without the database: a name of at
    most 200 characters, a well-formed e-mail address of at most 254 (its domain is not looked
    up), and a strong enough password (``check_password_strength``) when one is given.

    ``name_field`` is the field the name's problem is reported under (the registration form
    calls it ``contact_name``). Returns the problems found (empty when none).
    """
    problems = Problems()
    problems.text(name_field, name.strip(), column_length(User.name), required=True)
    problems.email("email", email, required=True)
    if password is not None:
        problems.require("password", bool(password))
        problem = _password_problem(password) if password else None
        if problem:
            problems.add("password", problem)
    return problems


def email_taken(session: Session, email: str) -> bool:
    """Whether an account (active or not) already uses ``email``, whatever its case."""
    return session.scalar(sa.select(sa.func.count()).where(User.email == normalise_email(email))) > 0


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None = None,
    organisation=None,
    locale: str = "en",
    password_hash: str | None = None,
) -> User:
    """Create an account and return it (flushed). ``email`` is stored lower-cased; ``locale``
    is the interface and mail language ("en", "da", ...); ``organisation`` is required for a
    contact and None otherwise. Without ``password`` (or a ready ``password_hash``, as the demo
    uses) the account cannot sign in until a password is set through an invitation link.

    Raises ``InvalidInput`` with every problem of ``account_problems``, and ``Conflict`` (field
    ``email``) when another account uses the address.
    """
    account_problems(email=email, name=name, password=password).raise_if_any()
    email = normalise_email(email)
    if email_taken(session, email):
        raise Conflict(_("An account with this e-mail address already exists."), field="email")
    if password is not None:
        password_hash = hash_password(password)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        organisation=organisation,
        locale=locale,
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Set ``user``'s new password; every other session of the user is signed out and every
    earlier reset or invitation link stops working (the session token changes).

    Raises ``InvalidInput`` (field ``password``) as ``check_password_strength`` does.
    """
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    session.flush()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace ``user``'s password by ``new`` once ``current`` proves it is them; other sessions
    are signed out as with ``set_password``.

    Raises ``InvalidInput`` (field ``current_password``) when ``current`` is wrong, and as
    ``check_password_strength`` does (field ``password``) for a weak ``new``.
    """
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise InvalidInput(_("The current password is not correct."), field="current_password")
    set_password(session, user, new)


# --- logging in -----------------------------------------------------------------------------


def _login_key(email: str) -> str:
    return f"login:{normalise_email(email)}"


def _ip_key(ip: str | None) -> str:
    return f"login-ip:{ip or 'unknown'}"


def authenticate(session: Session, email: str, password: str, ip: str | None = None) -> User:
    """Return the active user whose address and password match, and note when they signed in.
    ``ip`` is the client's address, counted against attempts on many accounts.

    After LOGIN_MAX_FAILURES failures for one address within LOGIN_FAILURE_WINDOW seconds the
    address is blocked for the rest of the window (and an IP trying many accounts, after ten
    times as many), as OWASP's authentication cheat sheet advises. Raises ``DomainError`` (no
    field) when blocked (the message says how many minutes to wait), for a deactivated
    account, and for a wrong address or password (one message for both, so that the form
    does not tell which addresses have accounts).
    """
    cfg = current_app.config
    limit, window = cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_FAILURE_WINDOW"]
    for key, key_limit in ((_login_key(email), limit), (_ip_key(ip), limit * 10)):
        wait = throttle.retry_after(session, key, key_limit, window)
        if wait:
            minutes = max(1, round(wait / 60))
            raise DomainError(
                _(
                    "Too many failed attempts. For your safety, signing in is blocked for %(minutes)d more minute(s).",
                    minutes=minutes,
                )
            )
    user = session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.password_hash:
        _spend_hash_time(password)
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password)
    if not ok or not user.is_active:
        throttle.record(_login_key(email))
        throttle.record(_ip_key(ip))
        if ok and not user.is_active:
            raise DomainError(_("This account has been deactivated. Ask your coordinator."))
        raise DomainError(_("The e-mail address or the password is not correct."))
    throttle.clear(_login_key(email))
    user.last_login_at = utcnow()
    return user


def _spend_hash_time(password: str) -> None:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    dummy = _DUMMY_HASH_CACHE.get(method)
    if dummy is None:
        dummy = _DUMMY_HASH_CACHE[method] = generate_password_hash("not a password", method=method)
    check_password_hash(dummy, password)


# --- signed links: password reset and invitation ----------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"oep-{purpose}")


def make_token(user: User, purpose: str) -> str:
    """A signed token for a link to ``user`` (``purpose``: "reset" or "invite"), bound to the
    user's session token so that it works once: setting a password changes the session token
    and so voids every earlier link. It carries no expiry; ``user_from_token`` applies one."""
    return _serializer(purpose).dumps({"u": user.id, "t": user.session_token})


def user_from_token(session: Session, token: str, purpose: str, max_age: int) -> User:
    """The user a link's ``token`` was made for (``make_token``), if it is at most ``max_age``
    seconds old and still unused.

    Raises ``DomainError`` (no field) when it has expired, was not made by OEP for this
    ``purpose`` (or was cut short), or was used already or belongs to a deactivated account.
    """
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise DomainError(_("This link has expired. Please ask for a new one.")) from None
    except BadSignature:
        raise DomainError(_("This link is not valid. Please check that you copied it whole.")) from None
    user = session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or user.session_token != data.get("t") or not user.is_active:
        raise DomainError(_("This link has already been used or is no longer valid."))
    return user


def request_password_reset(session: Session, email: str, ip: str | None = None) -> None:
    """Mail a reset link (valid PASSWORD_RESET_MAX_AGE seconds, two hours by default) if
    ``email`` belongs to an active account. Says nothing either way, so that the form cannot be
    used to find out who has an account; at most three links an hour per address. ``ip`` is
    not used yet. Raises nothing."""
    key = f"reset:{normalise_email(email)}"
    if throttle.retry_after(session, key, 3, 60 * 60):
        return
    throttle.record(key)
    user = session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        return
    link = external_url("accounts.reset_password", token=make_token(user, "reset"))
    send_template(
        session,
        user.email,
        "password_reset",
        locale=user.locale,
        user=user,
        link=link,
        hours=current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600,
    )


def invitation_language(invited_by: User, sites=(), requested: str | None = None) -> str:
    """The language of an invitation and of the invitee's account: ``requested`` if it is an
    interface language; else the local language of the invitee's sites when they share one
    that is an interface language; else the inviter's language."""
    if is_interface_language(requested):
        return requested
    site_languages = {site.local_language for site in sites}
    if len(site_languages) == 1 and is_interface_language(next(iter(site_languages))):
        return next(iter(site_languages))
    return supported_language(invited_by.locale)


def invite_user(
    session: Session, *, email: str, name: str, role: Role, invited_by: User, sites=(), locale: str | None = None
) -> User:
    """Create a trainer or coordinator account without a password and mail them a link to
    choose one (valid INVITATION_MAX_AGE seconds, a week by default), in ``locale`` (an
    interface language's code; None or "": see ``invitation_language``), which becomes the
    account's language. A trainer is given ``sites`` (``Site`` objects); others ignore them.
    Returns the new user.

    Raises ``InvalidInput`` (field ``role``) for an organisation contact (they register through
    the public form), (field ``language``) for a language that is not an interface language,
    and as ``create_user`` does.
    """
    if role is Role.CONTACT:
        raise InvalidInput(_("Organisation contacts register through the public form."), field="role")
    if locale and not is_interface_language(locale):
        raise InvalidInput(_("Choose one of the interface languages."), field="language")
    sites = list(sites) if role is Role.TRAINER else []
    language = invitation_language(invited_by, sites, locale)
    user = create_user(session, email=email, name=name, role=role, locale=language)
    if role is Role.TRAINER:
        user.sites = sites
    link = external_url("accounts.accept_invitation", token=make_token(user, "invite"))
    send_template(
        session,
        user.email,
        "invitation",
        locale=user.locale,
        user=user,
        invited_by=invited_by,
        link=link,
        days=current_app.config["INVITATION_MAX_AGE"] // 86400,
    )
    return user


def remember_language(session: Session, user: User, code: str | None) -> None:
    """Make ``code`` the user's language (pages, mails) if it is an interface language;
    anything else (None: nothing chosen) leaves the account as it is."""
    if is_interface_language(code) and user.locale != code:
        user.locale = code
        session.flush()


def set_active(session: Session, user: User, active: bool, acting: User) -> None:
    """Let ``user`` sign in (``active``) or not; a deactivated user is signed out everywhere.

    Raises ``Conflict`` when ``acting`` would deactivate their own account.
    """
    if user.id == acting.id and not active:
        raise Conflict(_("You cannot deactivate your own account."))
    user.is_active = active
    if not active:
        user.session_token = new_session_token()


def external_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` with its URL ``values``, for mails and documents,
    built on BASE_URL (not the request's host, which a client could forge). Raises werkzeug's
    ``BuildError`` for an unknown endpoint or missing values (a programming error)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context(base_url=base):
        return base + url_for(endpoint, **values)
