"""A background job and its progress."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oep.core.db import UTCDateTime, enum_type, utcnow
from oep.core.enums import LabelledEnum
from oep.extensions import db


class JobStatus(LabelledEnum):
    QUEUED = "queued", _l("Waiting to start")
    RUNNING = "running", _l("Running")
    DONE = "done", _l("Finished")
    FAILED = "failed", _l("Failed")

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED)


def new_job_id() -> str:
    return uuid.uuid4().hex


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (sa.CheckConstraint("done >= 0 AND total >= 0", name="counts_positive"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_job_id)
    kind: Mapped[str] = mapped_column(sa.String(60))
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus, "job_status"), default=JobStatus.QUEUED, index=True)
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    #: [{"item": "Amina Haddad", "reason": "..."}]
    failures: Mapped[list] = mapped_column(sa.JSON, default=list)
    result: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User")

    @property
    def percent(self) -> int:
        if self.status is JobStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
