"""Rotating self check-in codes.

The code shown in the room changes every ``checkin_code_seconds`` (a programme setting). It
is an HMAC of the session's own secret and the current time step, cut to six digits: it
cannot be worked out from an earlier code or another session's, and a photo of it is useless
a minute later. The code of the step just before is still accepted, so that a participant who
scanned as it changed is not refused.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from oep.attendance.models import AttendanceStatus
from oep.core.errors import Conflict
from oep.scheduling.models import ScheduledSession, SessionStatus

DIGITS = 6


@dataclass
class ShownCode:
    code: str
    expires_at: datetime


def _step(programme, now: datetime) -> int:
    return int(now.timestamp()) // programme.checkin_code_seconds


def code_for_step(sched: ScheduledSession, step: int) -> str:
    key = f"{current_app.config['SECRET_KEY']}:{sched.checkin_secret}".encode()
    digest = hmac.new(key, str(step).encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") % (10**DIGITS)
    return f"{number:0{DIGITS}d}"


def current_code(sched: ScheduledSession, programme, now: datetime) -> ShownCode:
    step = _step(programme, now)
    expires = datetime.fromtimestamp((step + 1) * programme.checkin_code_seconds, tz=now.tzinfo)
    return ShownCode(code_for_step(sched, step), expires)


def verify(sched: ScheduledSession, programme, code: str, now: datetime) -> bool:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != DIGITS:
        return False
    step = _step(programme, now)
    return any(hmac.compare_digest(code, code_for_step(sched, s)) for s in (step, step - 1))


def window(sched: ScheduledSession, programme) -> tuple[datetime, datetime]:
    """From ``checkin_opens_minutes`` before the start to the end of the session."""
    return sched.starts_at - timedelta(minutes=programme.checkin_opens_minutes), sched.ends_at


def is_open(sched: ScheduledSession, programme, now: datetime) -> bool:
    opens, closes = window(sched, programme)
    return (
        sched.status in (SessionStatus.TENTATIVE, SessionStatus.CONFIRMED, SessionStatus.HELD)
        and opens <= now <= closes
    )


def ensure_open(sched: ScheduledSession, programme, now: datetime) -> None:
    opens, closes = window(sched, programme)
    if sched.is_cancelled:
        raise Conflict(_("This session is cancelled."))
    if now < opens:
        raise Conflict(_("Check-in for this session has not opened yet. It opens shortly before the start."))
    if now > closes:
        raise Conflict(_("This session is over; check-in is closed. Please ask the trainer."))


def status_at(sched: ScheduledSession, programme, now: datetime) -> AttendanceStatus:
    """Present until the grace period after the start has passed, late after it."""
    if now > sched.starts_at + timedelta(minutes=programme.checkin_grace_minutes):
        return AttendanceStatus.LATE
    return AttendanceStatus.PRESENT
