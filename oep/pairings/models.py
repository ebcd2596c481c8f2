"""Pairings of organisations, the rules the matcher follows, and each pairing's workspace."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oep.core.db import UTCDateTime, enum_type, utcnow
from oep.core.enums import LabelledEnum
from oep.extensions import db

if TYPE_CHECKING:
    from oep.accounts.models import User
    from oep.organisations.models import Competence, Organisation
    from oep.programmes.models import Site


class PairingStatus(LabelledEnum):
    PROPOSED = "proposed", _l("Suggested")
    ACTIVE = "active", _l("Active")
    COMPLETED = "completed", _l("Completed")
    DISSOLVED = "dissolved", _l("Dissolved")


#: Statuses in which an organisation is taken (it cannot be in another pairing of the site).
CURRENT_STATUSES = (PairingStatus.PROPOSED, PairingStatus.ACTIVE)


class ConstraintKind(LabelledEnum):
    FORBIDDEN = "forbidden", _l("Never pair")
    FIXED = "fixed", _l("Always pair")


class PairConstraint(db.Model):
    """A pair the matcher must never make (forbidden) or must keep (fixed), at one site."""

    __tablename__ = "pair_constraints"
    __table_args__ = (
        sa.UniqueConstraint("site_id", "organisation_a_id", "organisation_b_id"),
        sa.CheckConstraint("organisation_a_id < organisation_b_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    organisation_a_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    organisation_b_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[ConstraintKind] = mapped_column(enum_type(ConstraintKind, "constraint_kind"))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    site: Mapped[Site] = relationship()
    organisation_a: Mapped[Organisation] = relationship(foreign_keys=[organisation_a_id])
    organisation_b: Mapped[Organisation] = relationship(foreign_keys=[organisation_b_id])


class MatchRun(db.Model):
    """One run of the matcher at a site: what it was given and what it left out, and why."""

    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    organisations: Mapped[int] = mapped_column(default=0)
    total_score: Mapped[int] = mapped_column(default=0)
    method: Mapped[str] = mapped_column(sa.String(40), default="")
    milliseconds: Mapped[int] = mapped_column(default=0)
    #: The rules in force: {"type_rule": ..., "common_language": ..., ...}
    rules: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: [{"organisation_id": 12, "reasons": ["no_eligible_partner", "no_common_language"]}, ...]
    unpaired: Mapped[list] = mapped_column(sa.JSON, default=list)


class Pairing(db.Model):
    """Two (sometimes three) organisations of one site learning from each other."""

    __tablename__ = "pairings"
    __table_args__ = (sa.CheckConstraint("status <> 'dissolved' OR end_reason <> ''", name="dissolved_has_reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("match_runs.id", ondelete="SET NULL"))
    status: Mapped[PairingStatus] = mapped_column(
        enum_type(PairingStatus, "pairing_status"), default=PairingStatus.PROPOSED, index=True
    )
    #: The two-way fit when suggested (or last edited).
    score: Mapped[int] = mapped_column(default=0)
    fixed: Mapped[bool] = mapped_column(default=False)
    end_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship()
    members: Mapped[list[PairingMember]] = relationship(
        back_populates="pairing", cascade="all, delete-orphan", passive_deletes=True, order_by="PairingMember.id"
    )
    exchanges: Mapped[list[PairingExchange]] = relationship(
        back_populates="pairing", cascade="all, delete-orphan", passive_deletes=True, order_by="PairingExchange.id"
    )
    meetings: Mapped[list[PairingMeeting]] = relationship(
        back_populates="pairing",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PairingMeeting.held_on.desc()",
    )
    project: Mapped[ProjectIdea | None] = relationship(
        back_populates="pairing", cascade="all, delete-orphan", passive_deletes=True, uselist=False
    )

    @property
    def organisations(self) -> list[Organisation]:
        return [m.organisation for m in self.members]

    @property
    def is_triad(self) -> bool:
        return len(self.members) == 3


class PairingMember(db.Model):
    """An organisation in a pairing. ``current`` is set while the pairing is suggested or
    active, and a partial unique index keeps an organisation in one current pairing per site."""

    __tablename__ = "pairing_members"
    __table_args__ = (
        sa.UniqueConstraint("pairing_id", "organisation_id"),
        sa.Index(
            "uq_pairing_members_current_per_site",
            "organisation_id",
            "site_id",
            unique=True,
            sqlite_where=sa.text("current"),
            postgresql_where=sa.text("current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(sa.ForeignKey("pairings.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"))
    current: Mapped[bool] = mapped_column(default=True)

    pairing: Mapped[Pairing] = relationship(back_populates="members")
    organisation: Mapped[Organisation] = relationship()


class PairingExchange(db.Model):
    """A competence one member teaches another, recorded when the pairing is confirmed."""

    __tablename__ = "pairing_exchanges"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(sa.ForeignKey("pairings.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    competence_id: Mapped[int] = mapped_column(sa.ForeignKey("competences.id", ondelete="RESTRICT"))
    offer_level: Mapped[int]
    need_level: Mapped[int]

    pairing: Mapped[Pairing] = relationship(back_populates="exchanges")
    teacher: Mapped[Organisation] = relationship(foreign_keys=[teacher_id])
    learner: Mapped[Organisation] = relationship(foreign_keys=[learner_id])
    competence: Mapped[Competence] = relationship()


class PairingMeeting(db.Model):
    """An entry of a pairing's meeting log."""

    __tablename__ = "pairing_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(sa.ForeignKey("pairings.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    attendees: Mapped[str] = mapped_column(sa.String(500), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    next_steps: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pairing: Mapped[Pairing] = relationship(back_populates="meetings")
    created_by: Mapped[User | None] = relationship()


class ProjectStatus(LabelledEnum):
    IDEA = "idea", _l("Idea")
    PLANNING = "planning", _l("Being planned")
    READY = "ready", _l("Ready to deliver")
    DELIVERED = "delivered", _l("Delivered")


class ProjectIdea(db.Model):
    """The project a pairing develops together."""

    __tablename__ = "project_ideas"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(sa.ForeignKey("pairings.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    target_group: Mapped[str] = mapped_column(sa.String(300), default="")
    resources_needed: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ProjectStatus] = mapped_column(
        enum_type(ProjectStatus, "project_status"), default=ProjectStatus.IDEA
    )
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    pairing: Mapped[Pairing] = relationship(back_populates="project")
