"""Sessions, their series, trainers and speakers, bookings and notices of absence."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oep.core.db import UTCDateTime, enum_type, utcnow
from oep.core.enums import LabelledEnum
from oep.core.i18n_text import I18nText, translated_column
from oep.extensions import db

if TYPE_CHECKING:
    from oep.accounts.models import User
    from oep.organisations.models import Participant
    from oep.pairings.models import Pairing
    from oep.programmes.models import Module, Site


class SessionKind(LabelledEnum):
    COURSE = "course", _l("Course session")
    WORKSHOP = "workshop", _l("Skill-transfer workshop")
    EVENT = "event", _l("Public event or seminar")
    MEETING = "meeting", _l("Committee or network meeting")

    @property
    def takes_bookings(self) -> bool:
        """Course sessions expect their roster; the others take bookings."""
        return self is not SessionKind.COURSE


class SessionStatus(LabelledEnum):
    TENTATIVE = "tentative", _l("Not yet confirmed")
    CONFIRMED = "confirmed", _l("Confirmed")
    HELD = "held", _l("Held")
    CANCELLED = "cancelled", _l("Cancelled")


SESSION_TRANSITIONS = {
    SessionStatus.TENTATIVE: {SessionStatus.CONFIRMED, SessionStatus.HELD, SessionStatus.CANCELLED},
    SessionStatus.CONFIRMED: {SessionStatus.TENTATIVE, SessionStatus.HELD, SessionStatus.CANCELLED},
    SessionStatus.HELD: {SessionStatus.CONFIRMED},  # undo a mistaken "held"
    SessionStatus.CANCELLED: {SessionStatus.TENTATIVE, SessionStatus.CONFIRMED},  # reinstated
}


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SessionSeries(db.Model):
    """A repeating pattern that created several sessions: weekdays, every N weeks, until a date."""

    __tablename__ = "session_series"
    __table_args__ = (sa.CheckConstraint("interval_weeks BETWEEN 1 AND 12", name="interval_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    #: ISO weekdays, Monday = 0
    weekdays: Mapped[list[int]] = mapped_column(sa.JSON)
    interval_weeks: Mapped[int] = mapped_column(default=1)
    first_date: Mapped[date]
    until: Mapped[date]
    start_time: Mapped[time]
    end_time: Mapped[time]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


session_trainers = sa.Table(
    "session_trainers",
    db.metadata,
    sa.Column("session_id", sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ScheduledSession(db.Model):
    """One scheduled meeting at a site. Times are stored in UTC and shown in the site's zone."""

    __tablename__ = "sessions"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("kind <> 'course' OR module_id IS NOT NULL", name="course_has_module"),
        sa.CheckConstraint("status <> 'cancelled' OR cancel_reason <> ''", name="cancelled_has_reason"),
        sa.CheckConstraint(
            "headcount_total IS NULL OR (headcount_total >= 0"
            " AND coalesce(headcount_newcomers, 0) >= 0 AND coalesce(headcount_residents, 0) >= 0"
            " AND coalesce(headcount_newcomers, 0) + coalesce(headcount_residents, 0) <= headcount_total)",
            name="headcount_consistent",
        ),
        sa.Index("ix_sessions_site_id_starts_at", "site_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable identifier for calendar applications (iCalendar UID).
    uid: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: secrets.token_hex(16))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[SessionKind] = mapped_column(enum_type(SessionKind, "session_kind"))
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("modules.id", ondelete="RESTRICT"), index=True)
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("session_series.id", ondelete="SET NULL"), index=True)
    #: The pairing that co-delivers a skill-transfer workshop.
    pairing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pairings.id", ondelete="SET NULL"), index=True)
    #: Title and description in the programme's languages (a course session's title starts as
    #: its module's).
    title: Mapped[I18nText] = translated_column(200)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: ends_at - starts_at, kept with the times: hour sums then stay plain SQL aggregates on
    #: every database (SQLite and PostgreSQL subtract datetimes differently).
    duration_minutes: Mapped[int]
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    capacity: Mapped[int | None]
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    description: Mapped[I18nText] = translated_column(5000)
    is_public: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SessionStatus] = mapped_column(
        enum_type(SessionStatus, "session_status"), default=SessionStatus.TENTATIVE
    )
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: iCalendar SEQUENCE: goes up with every change a calendar should pick up.
    sequence: Mapped[int] = mapped_column(default=0)
    #: Bumped under lock by every booking change, so that concurrent bookings queue up.
    booking_revision: Mapped[int] = mapped_column(default=0)
    #: Secret behind the rotating self check-in codes.
    checkin_secret: Mapped[str] = mapped_column(sa.String(64), default=new_token)
    # Community headcount (workshops and events)
    headcount_total: Mapped[int | None]
    headcount_newcomers: Mapped[int | None]
    headcount_residents: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    site: Mapped[Site] = relationship()
    module: Mapped[Module | None] = relationship()
    series: Mapped[SessionSeries | None] = relationship()
    pairing: Mapped[Pairing | None] = relationship()
    trainers: Mapped[list[User]] = relationship(secondary=session_trainers, order_by="User.name")
    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Speaker.position", passive_deletes=True
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status is SessionStatus.CANCELLED

    @property
    def hours(self) -> float:
        return self.duration_minutes / 60

    def __repr__(self) -> str:
        return f"<ScheduledSession {self.id} {self.title!r} {self.starts_at:%Y-%m-%d %H:%M}>"


class Speaker(db.Model):
    """Someone who speaks at a session (not necessarily a user): name, role, organisation."""

    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    confirmed: Mapped[bool] = mapped_column(default=True)

    session: Mapped[ScheduledSession] = relationship(back_populates="speakers")


class BookingStatus(LabelledEnum):
    CONFIRMED = "confirmed", _l("Booked")
    WAITLISTED = "waitlisted", _l("On the waiting list")
    CANCELLED = "cancelled", _l("Cancelled")


class Booking(db.Model):
    """A participant's place at a session that takes bookings."""

    __tablename__ = "bookings"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "participant_id"),
        sa.Index("ix_bookings_session_id_status", "session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    status: Mapped[BookingStatus] = mapped_column(enum_type(BookingStatus, "booking_status"))
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the booking last changed status (a waitlisted booking keeps its place by created_at).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[ScheduledSession] = relationship()
    participant: Mapped[Participant] = relationship()


class AbsenceNotice(db.Model):
    """Said before a session: this participant will not come, and why."""

    __tablename__ = "absence_notices"
    __table_args__ = (sa.UniqueConstraint("session_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    given_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[ScheduledSession] = relationship()
    participant: Mapped[Participant] = relationship()
    given_by: Mapped[User | None] = relationship()
