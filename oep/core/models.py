"""Tables that belong to no single feature."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from oep.core.db import UTCDateTime, utcnow
from oep.extensions import db


class ThrottleEvent(db.Model):
    """One attempt counted against a key (a failed log-in for an address, a guess of a code).

    Kept in the database so that every worker process of a deployment sees the same counts.
    """

    __tablename__ = "throttle_events"
    __table_args__ = (sa.Index("ix_throttle_events_key_created_at", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
