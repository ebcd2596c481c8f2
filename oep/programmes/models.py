"""Programme, Site, Module and the site's committee."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal
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
    from oep.organisations.models import Enrolment

DEFAULT_FUNDER_ACKNOWLEDGEMENT = "Co-funded by the European Union"

#: The EU's own wording of "Co-funded by the European Union" in each official language of the
#: Union, as it stands beside the EU emblem (the Commission's visibility rules for 2021-2027).
EU_CO_FUNDED = {
    "bg": "Съфинансирано от Европейския съюз",
    "cs": "Spolufinancováno Evropskou unií",
    "da": "Medfinansieret af Den Europæiske Union",
    "de": "Kofinanziert von der Europäischen Union",
    "el": "Με τη συγχρηματοδότηση της Ευρωπαϊκής Ένωσης",
    "en": "Co-funded by the European Union",
    "es": "Cofinanciado por la Unión Europea",
    "et": "Kaasrahastanud Euroopa Liit",
    "fi": "Euroopan unionin osarahoittama",
    "fr": "Cofinancé par l’Union européenne",
    "ga": "Arna chómhaoiniú ag an Aontas Eorpach",
    "hr": "Sufinancira Europska unija",
    "hu": "Az Európai Unió társfinanszírozásával",
    "it": "Cofinanziato dall’Unione europea",
    "lt": "Bendrai finansuoja Europos Sąjunga",
    "lv": "Līdzfinansējusi Eiropas Savienība",
    "mt": "Kofinanzjat mill-Unjoni Ewropea",
    "nl": "Medegefinancierd door de Europese Unie",
    "pl": "Współfinansowane przez Unię Europejską",
    "pt": "Cofinanciado pela União Europeia",
    "ro": "Cofinanțat de Uniunea Europeană",
    "sk": "Spolufinancované Európskou úniou",
    "sl": "Sofinancira Evropska unija",
    "sv": "Medfinansieras av Europeiska unionen",
}


def eu_co_funded(languages: list[str]) -> I18nText:
    """The EU's wording of "Co-funded by the European Union" in those of ``languages`` that are
    official languages of the Union, in their order (others then fall back to the first)."""
    return I18nText({code: EU_CO_FUNDED[code] for code in languages if code in EU_CO_FUNDED})


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class Programme(db.Model):
    """One edition of the programme."""

    __tablename__ = "programmes"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("completion_min_attendance_percent BETWEEN 0 AND 100", name="attendance_percent_range"),
        sa.CheckConstraint("left_early_credit_percent BETWEEN 0 AND 100", name="left_early_range"),
        sa.CheckConstraint("warning_min_held_sessions >= 1", name="warning_sessions_positive"),
        sa.CheckConstraint("warning_consecutive_absences >= 1", name="warning_absences_positive"),
        sa.CheckConstraint("checkin_opens_minutes BETWEEN 0 AND 1440", name="checkin_opens_range"),
        sa.CheckConstraint("checkin_grace_minutes BETWEEN 0 AND 240", name="checkin_grace_range"),
        sa.CheckConstraint("checkin_code_seconds BETWEEN 10 AND 600", name="checkin_code_range"),
        sa.CheckConstraint(
            "pairing_type_rule IN ('migrant_with_non_migrant', 'different_types', 'any')", name="pairing_type_rule"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The programme's texts are given in its languages (``I18nText``, main language first).
    name: Mapped[I18nText] = translated_column(200, key="name_key")
    #: The name in the main language, casefolded: what programmes are sorted by and unique by.
    name_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[I18nText] = translated_column(5000)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    #: Language codes the programme runs in (course and certificate languages).
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Organisations may register for its sites while this is set.
    registration_open: Mapped[bool] = mapped_column(default=False)

    # Completion rule
    completion_min_attendance_percent: Mapped[int] = mapped_column(default=80)
    completion_requires_mandatory_modules: Mapped[bool] = mapped_column(default=True)
    #: Share of a session's hours that "left early" counts for.
    left_early_credit_percent: Mapped[int] = mapped_column(default=50)

    # Attendance warnings
    #: Warn when a participant's attendance falls below the completion share after this many
    #: held course sessions...
    warning_min_held_sessions: Mapped[int] = mapped_column(default=3)
    #: ...or after this many absences in a row.
    warning_consecutive_absences: Mapped[int] = mapped_column(default=3)

    # Self check-in
    checkin_opens_minutes: Mapped[int] = mapped_column(default=30)
    checkin_grace_minutes: Mapped[int] = mapped_column(default=10)
    checkin_code_seconds: Mapped[int] = mapped_column(default=30)

    # Pairing rules (each can be switched off)
    #: "migrant_with_non_migrant" (default), "different_types" or "any"
    pairing_type_rule: Mapped[str] = mapped_column(sa.String(30), default="migrant_with_non_migrant")
    pairing_common_language: Mapped[bool] = mapped_column(default=True)
    pairing_no_repeat: Mapped[bool] = mapped_column(default=True)
    pairing_allow_triads: Mapped[bool] = mapped_column(default=True)

    # Certificates and funder
    certificate_signatory_name: Mapped[str] = mapped_column(sa.String(200), default="")
    certificate_signatory_title: Mapped[I18nText] = translated_column(200)
    certificate_signature_file: Mapped[str | None] = mapped_column(sa.String(100))
    funder_acknowledgement: Mapped[I18nText] = translated_column(
        1000, default=lambda: I18nText({"en": DEFAULT_FUNDER_ACKNOWLEDGEMENT})
    )
    emblem_file: Mapped[str | None] = mapped_column(sa.String(100))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sites: Mapped[list[Site]] = relationship(
        back_populates="programme", order_by="Site.city_key", cascade="all, delete-orphan", passive_deletes=True
    )
    modules: Mapped[list[Module]] = relationship(
        back_populates="programme",
        order_by="[Module.position, Module.id]",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def main_language(self) -> str:
        """The language the programme's texts must be given in (the first of its languages)."""
        return self.languages[0] if self.languages else "en"

    def __repr__(self) -> str:
        return f"<Programme {self.id} {self.name_key!r}>"


site_trainers = sa.Table(
    "site_trainers",
    db.metadata,
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Site(db.Model):
    """The programme in one city."""

    __tablename__ = "sites"
    __table_args__ = (sa.UniqueConstraint("programme_id", "city_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"))
    #: The city as shown, in the programme's languages ("Athens", "Αθήνα").
    city: Mapped[I18nText] = translated_column(120, key="city_key")
    #: The city in the programme's main language, casefolded: sites are sorted and unique by it.
    city_key: Mapped[str] = mapped_column(sa.String(120))
    #: ISO 3166-1 alpha-2
    country: Mapped[str] = mapped_column(sa.String(2))
    #: IANA time zone name, e.g. Europe/Rome
    timezone: Mapped[str] = mapped_column(sa.String(64))
    local_language: Mapped[str] = mapped_column(sa.String(8))
    partner_organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Unguessable token of the site's private calendar feed (can be reset).
    calendar_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_calendar_token)

    programme: Mapped[Programme] = relationship(back_populates="sites")
    trainers: Mapped[list[User]] = relationship(secondary=site_trainers, back_populates="sites", order_by="User.name")
    committee_members: Mapped[list[CommitteeMember]] = relationship(
        back_populates="site",
        order_by="CommitteeMember.name",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="site", passive_deletes=True)

    @property
    def label(self) -> str:
        return f"{self.city} — {self.programme.name}"

    def __repr__(self) -> str:
        return f"<Site {self.id} {self.city_key}>"


class Module(db.Model):
    """A unit of the curriculum."""

    __tablename__ = "modules"
    __table_args__ = (sa.CheckConstraint("hours > 0", name="hours_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    #: Title, summary and outcomes in the programme's languages.
    title: Mapped[I18nText] = translated_column(200)
    summary: Mapped[I18nText] = translated_column(5000)
    learning_outcomes: Mapped[I18nText] = translated_column(5000)
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1))
    mandatory: Mapped[bool] = mapped_column(default=True)

    programme: Mapped[Programme] = relationship(back_populates="modules")

    def __repr__(self) -> str:
        return f"<Module {self.id} {self.title.main!r}>"


class CommitteeCategory(LabelledEnum):
    CSO = "cso", _l("Civil-society organisation")
    MIGRANT_ASSOCIATION = "migrant_association", _l("Migrant association")
    FAITH_COMMUNITY = "faith_community", _l("Faith community")
    KEY_PERSON = "key_person", _l("Community leader or key person")
    LOCAL_AUTHORITY = "local_authority", _l("Local authority")
    OTHER = "other", _l("Other")


class CommitteeMember(db.Model):
    """A member of a site's Intercultural City Committee."""

    __tablename__ = "committee_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    category: Mapped[CommitteeCategory] = mapped_column(enum_type(CommitteeCategory, "committee_category"))

    site: Mapped[Site] = relationship(back_populates="committee_members")
