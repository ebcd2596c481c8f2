"""Organisations, their enrolments, participants, consents and competences."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oep.core.db import UTCDateTime, enum_type, utcnow
from oep.core.enums import LabelledEnum
from oep.core.i18n_text import I18nText, translated_column
from oep.extensions import db
from oep.programmes.models import new_calendar_token

if TYPE_CHECKING:
    from oep.accounts.models import User
    from oep.programmes.models import Site


class OrganisationType(LabelledEnum):
    CSO = "cso", _l("Civil-society organisation (CSO)")
    MIGRANT_ASSOCIATION = "migrant_association", _l("Migrant / ethnic-minority association")
    FAITH_COMMUNITY = "faith_community", _l("Faith community")
    LOCAL_AUTHORITY = "local_authority", _l("Local authority")
    KEY_PERSON = "key_person", _l("Key person / community leader")
    BUSINESS = "business", _l("Business")
    EDUCATION = "education", _l("Education / library")
    UNION = "union", _l("Trade union")
    OTHER = "other", _l("Other")


def name_key(name: str) -> str:
    """The form of a name used to find duplicates: case and spacing ignored."""
    return " ".join(name.split()).casefold()


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    type: Mapped[OrganisationType] = mapped_column(enum_type(OrganisationType, "organisation_type"))
    sector: Mapped[str] = mapped_column(sa.String(120), default="")
    city: Mapped[str] = mapped_column(sa.String(120), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Unguessable token of the organisation's private calendar feed (can be reset).
    calendar_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_calendar_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contacts: Mapped[list[User]] = relationship(back_populates="organisation", passive_deletes=True)
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", passive_deletes=True
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="organisation",
        order_by="Participant.name",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    competences: Mapped[list[OrganisationCompetence]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", passive_deletes=True
    )

    def set_name(self, name: str) -> None:
        self.name = " ".join(name.split())
        self.name_key = name_key(name)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class EnrolmentStatus(LabelledEnum):
    PENDING = "pending", _l("Pending review")
    ACCEPTED = "accepted", _l("Accepted")
    WAITLISTED = "waitlisted", _l("Waitlisted")
    DECLINED = "declined", _l("Declined")
    WITHDRAWN = "withdrawn", _l("Withdrawn")


#: Which decisions may follow which status.
ENROLMENT_TRANSITIONS: dict[EnrolmentStatus, set[EnrolmentStatus]] = {
    EnrolmentStatus.PENDING: {
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.WAITLISTED,
        EnrolmentStatus.DECLINED,
        EnrolmentStatus.WITHDRAWN,
    },
    EnrolmentStatus.WAITLISTED: {
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.DECLINED,
        EnrolmentStatus.WITHDRAWN,
    },
    EnrolmentStatus.ACCEPTED: {EnrolmentStatus.WITHDRAWN},
    EnrolmentStatus.DECLINED: set(),
    EnrolmentStatus.WITHDRAWN: set(),
}


class Enrolment(db.Model):
    """An organisation's enrolment at a site, and the decision on it."""

    __tablename__ = "enrolments"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "site_id"),
        sa.CheckConstraint("status <> 'declined' OR decision_reason <> ''", name="declined_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(
        enum_type(EnrolmentStatus, "enrolment_status"), default=EnrolmentStatus.PENDING, index=True
    )
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(back_populates="enrolments")
    site: Mapped[Site] = relationship(back_populates="enrolments")
    decided_by: Mapped[User | None] = relationship()


class Consent(db.Model):
    """A consent given to the processing of data: the exact text shown, its version and when."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[str] = mapped_column(sa.String(40))
    locale: Mapped[str] = mapped_column(sa.String(8))
    text: Mapped[str] = mapped_column(sa.Text)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Participant(db.Model):
    """A person of an organisation who takes part. Personal data kept minimal."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    preferred_language: Mapped[str] = mapped_column(sa.String(8), default="en")
    #: When the organisation recorded the person's consent, and to which version of the text.
    consent_given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consent_version: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="participants")

    def __repr__(self) -> str:
        return f"<Participant {self.id} {self.name!r}>"


class Competence(db.Model):
    """An entry of the shared competence catalogue kept by coordinators."""

    __tablename__ = "competences"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Name and description in the catalogue's languages (``catalogue_languages``).
    name: Mapped[I18nText] = translated_column(120, key="name_key")
    #: The name in the default language, casefolded: the catalogue is sorted and unique by it.
    name_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[I18nText] = translated_column(1000)


class CompetenceDirection(LabelledEnum):
    OFFER = "offer", _l("Can offer")
    NEED = "need", _l("Needs")


class OrganisationCompetence(db.Model):
    """What an organisation can offer, or needs, with a level 1–3 and a note."""

    __tablename__ = "organisation_competences"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "competence_id", "direction"),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    competence_id: Mapped[int] = mapped_column(sa.ForeignKey("competences.id", ondelete="RESTRICT"), index=True)
    direction: Mapped[CompetenceDirection] = mapped_column(enum_type(CompetenceDirection, "competence_direction"))
    level: Mapped[int] = mapped_column(default=2)
    note: Mapped[str] = mapped_column(sa.String(300), default="")

    organisation: Mapped[Organisation] = relationship(back_populates="competences")
    competence: Mapped[Competence] = relationship()
