"""Writes for accounts: creating users, passwords, log-in checks, reset and invitation links."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from oep.accounts.models import Role, User, new_session_token
from oep.core import throttle
from oep.core.db import utcnow
from oep.core.errors import Conflict, DomainError, InvalidInput
from oep.core.mail import send_template

log = logging.getLogger(__name__)

#: Checked against when an address is unknown, so that a log-in takes as long either way.
_DUMMY_HASH_CACHE: dict[str, str] = {}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_strength(password: str) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise InvalidInput(_("The password must have at least %(n)d characters.", n=minimum), field="password")
    if password.isdigit() or len(set(password)) < 4:
        raise InvalidInput(_("This password is too easy to guess."), field="password")


def email_taken(session: Session, email: str) -> bool:
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
    email = normalise_email(email)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidInput(_("This is not a valid e-mail address."), field="email") from None
    if email_taken(session, email):
        raise Conflict(_("An account with this e-mail address already exists."), field="email")
    if password is not None:
        check_password_strength(password)
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
    """Set a new password; every other session of the user is signed out."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    session.flush()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise InvalidInput(_("The current password is not correct."), field="current_password")
    set_password(session, user, new)


# --- logging in -----------------------------------------------------------------------------


def _login_key(email: str) -> str:
    return f"login:{normalise_email(email)}"


def _ip_key(ip: str | None) -> str:
    return f"login-ip:{ip or 'unknown'}"


def authenticate(session: Session, email: str, password: str, ip: str | None = None) -> User:
    """Return the user if the address and password match; refuse with a readable reason.

    After LOGIN_MAX_FAILURES failures for one address within LOGIN_FAILURE_WINDOW seconds the
    address is blocked for the rest of the window (and an address trying many accounts from
    one IP, after ten times as many); the message says how long to wait.
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
    """A signed link token, bound to the user's session token so that it works once: setting
    a password changes the session token and so voids every earlier link."""
    return _serializer(purpose).dumps({"u": user.id, "t": user.session_token})


def user_from_token(session: Session, token: str, purpose: str, max_age: int) -> User:
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
    """Mail a reset link if the address belongs to an account. Says nothing either way, so
    that the form cannot be used to find out who has an account."""
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


def invite_user(session: Session, *, email: str, name: str, role: Role, invited_by: User, sites=()) -> User:
    """Create a trainer or coordinator account without a password and mail them a link to
    choose one."""
    if role is Role.CONTACT:
        raise InvalidInput(_("Organisation contacts register through the public form."), field="role")
    user = create_user(session, email=email, name=name, role=role, locale=invited_by.locale)
    if role is Role.TRAINER:
        user.sites = list(sites)
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


def set_active(session: Session, user: User, active: bool, acting: User) -> None:
    if user.id == acting.id and not active:
        raise Conflict(_("You cannot deactivate your own account."))
    user.is_active = active
    if not active:
        user.session_token = new_session_token()


def external_url(endpoint: str, **values) -> str:
    """An absolute link for mails and documents, built on BASE_URL (not the request's host,
    which a client could forge)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context(base_url=base):
        return base + url_for(endpoint, **values)
