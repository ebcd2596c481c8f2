"""Converting between a site's local time (what people enter and read) and UTC (what is stored)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def to_utc(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of a local date and time in zone ``tz``.

    A time that does not exist (skipped by a spring DST change) is moved forward by the gap,
    and a time that exists twice (autumn) means its first occurrence, as calendar programs do
    (both follow from ``fold=0``).
    """
    return datetime.combine(day, at).replace(tzinfo=ZoneInfo(tz), fold=0).astimezone(UTC)


def to_local(value: datetime, tz: str) -> datetime:
    return value.astimezone(ZoneInfo(tz))


def local_today(tz: str, now: datetime | None = None) -> date:
    return to_local(now or datetime.now(UTC), tz).date()
