"""Counting attempts per key in a sliding window, to slow down guessing.

Used for failed log-ins, password-reset requests and, later, code guesses. The counts live in
the database (``ThrottleEvent``) so that all worker processes share them.
"""

from __future__ import annotations

import math
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from oep.core.db import utcnow
from oep.core.models import ThrottleEvent
from oep.extensions import db

#: Events older than this are deleted when new ones are recorded.
RETENTION = timedelta(days=1)


def attempts(session: Session, key: str, window_seconds: int) -> int:
    since = utcnow() - timedelta(seconds=window_seconds)
    return session.scalar(sa.select(sa.func.count()).where(ThrottleEvent.key == key, ThrottleEvent.created_at > since))


def retry_after(session: Session, key: str, limit: int, window_seconds: int) -> int:
    """Seconds until ``key`` may try again (0 if it may now)."""
    since = utcnow() - timedelta(seconds=window_seconds)
    times = session.scalars(
        sa.select(ThrottleEvent.created_at)
        .where(ThrottleEvent.key == key, ThrottleEvent.created_at > since)
        .order_by(ThrottleEvent.created_at.desc())
        .limit(limit)
    ).all()
    if len(times) < limit:
        return 0
    oldest_counted = times[-1]
    return max(1, math.ceil((oldest_counted + timedelta(seconds=window_seconds) - utcnow()).total_seconds()))


def record(key: str) -> None:
    """Count one attempt. Committed at once on its own connection: an attempt counts even
    when the request that made it is rolled back (a refused log-in, a wrong code)."""
    now = utcnow()
    with Session(db.engine) as own:
        own.add(ThrottleEvent(key=key, created_at=now))
        own.execute(sa.delete(ThrottleEvent).where(ThrottleEvent.created_at < now - RETENTION))
        own.commit()


def clear(key: str) -> None:
    with Session(db.engine) as own:
        own.execute(sa.delete(ThrottleEvent).where(ThrottleEvent.key == key))
        own.commit()
