"""Users and their roles."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oep.core.db import UTCDateTime, enum_type, utcnow
from oep.core.enums import LabelledEnum
from oep.extensions import db

if TYPE_CHECKING:
    from oep.organisations.models import Organisation
    from oep.programmes.models import Site


class Role(LabelledEnum):
    COORDINATOR = "coordinator", _l("Coordinator")
    TRAINER = "trainer", _l("Trainer")
    CONTACT = "contact", _l("Organisation contact")  # an organisation's contact person


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("(role = 'contact') = (organisation_id IS NOT NULL)", name="contact_has_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; unique.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: None until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    #: Preferred interface and mail language.
    locale: Mapped[str] = mapped_column(sa.String(8), default="en")
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Changes with the password: signs out other sessions and "remember me" cookies, and
    #: makes earlier reset links useless.
    session_token: Mapped[str] = mapped_column(sa.String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship(back_populates="contacts")
    sites: Mapped[list[Site]] = relationship(
        secondary="site_trainers", back_populates="trainers", order_by="Site.city_key"
    )

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def is_coordinator(self) -> bool:
        return self.role is Role.COORDINATOR

    @property
    def is_trainer(self) -> bool:
        return self.role is Role.TRAINER

    @property
    def is_contact(self) -> bool:
        return self.role is Role.CONTACT

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"
