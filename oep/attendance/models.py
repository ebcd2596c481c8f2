"""Attendance marks, their history and the warnings already sent."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oep.core.db import UTCDateTime, enum_type, utcnow
from oep.core.enums import LabelledEnum
from oep.extensions import db

if TYPE_CHECKING:
    from oep.accounts.models import User
    from oep.organisations.models import Participant
    from oep.scheduling.models import ScheduledSession


class AttendanceStatus(LabelledEnum):
    PRESENT = "present", _l("Present")
    LATE = "late", _l("Late")
    LEFT_EARLY = "left_early", _l("Left early")
    EXCUSED = "excused", _l("Excused")
    ABSENT = "absent", _l("Absent")

    @property
    def short(self):
        return ATTENDANCE_STATUS_SHORT[self]

    @property
    def attended(self) -> bool:
        return self in (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)


#: One-letter labels for the compact buttons of the attendance page.
ATTENDANCE_STATUS_SHORT = {
    AttendanceStatus.PRESENT: _l("P"),
    AttendanceStatus.LATE: _l("L"),
    AttendanceStatus.LEFT_EARLY: _l("E"),
    AttendanceStatus.EXCUSED: _l("X"),
    AttendanceStatus.ABSENT: _l("A"),
}


class MarkSource(enum.StrEnum):
    TRAINER = "trainer"
    SELF_CHECKIN = "self_checkin"
    NOTICE = "notice"  # a notice of absence given beforehand


class Attendance(db.Model):
    """A participant's attendance at one session."""

    __tablename__ = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "participant_id"),
        sa.Index("ix_attendance_participant_id_status", "participant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    status: Mapped[AttendanceStatus] = mapped_column(enum_type(AttendanceStatus, "attendance_status"))
    remark: Mapped[str] = mapped_column(sa.String(500), default="")
    source: Mapped[MarkSource] = mapped_column(enum_type(MarkSource, "mark_source"), default=MarkSource.TRAINER)
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[ScheduledSession] = relationship()
    participant: Mapped[Participant] = relationship()
    marked_by: Mapped[User | None] = relationship()
    changes: Mapped[list[AttendanceChange]] = relationship(
        back_populates="attendance",
        order_by="AttendanceChange.changed_at",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class AttendanceChange(db.Model):
    """One change of a mark: who, when, old -> new (status and remark)."""

    __tablename__ = "attendance_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(sa.ForeignKey("attendance.id", ondelete="CASCADE"), index=True)
    old_status: Mapped[AttendanceStatus | None] = mapped_column(enum_type(AttendanceStatus, "old_status"))
    new_status: Mapped[AttendanceStatus] = mapped_column(enum_type(AttendanceStatus, "new_status"))
    old_remark: Mapped[str] = mapped_column(sa.String(500), default="")
    new_remark: Mapped[str] = mapped_column(sa.String(500), default="")
    source: Mapped[MarkSource] = mapped_column(enum_type(MarkSource, "mark_source"))
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendance: Mapped[Attendance] = relationship(back_populates="changes")
    changed_by: Mapped[User | None] = relationship()


class WarningKind(enum.StrEnum):
    LOW_ATTENDANCE = "low_attendance"
    CONSECUTIVE_ABSENCES = "consecutive_absences"


class WarningNotice(db.Model):
    """A warning raised for a participant, remembered so that it is mailed once per trigger."""

    __tablename__ = "warning_notices"
    __table_args__ = (sa.UniqueConstraint("participant_id", "kind", "trigger"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    kind: Mapped[WarningKind] = mapped_column(enum_type(WarningKind, "warning_kind"))
    #: What raised it: the session that completed a run of absences, or "below" for a rate.
    trigger: Mapped[str] = mapped_column(sa.String(40))
    detail: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the cause went away (the participant attended again, the rate recovered).
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[Participant] = relationship()
