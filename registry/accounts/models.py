"""Accounts: who can sign in, with which role."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from registry.accounts.roles import Role
from registry.db import db, utcnow


class Account(UserMixin, db.Model):
    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint(
            "role IN ({})".format(", ".join(f"'{role.value}'" for role in Role)),
            name="role_known",
        ),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Part of the login cookie: raising it signs out every session of this account.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The organisation this account acts for (an agency's staff, an enterprise's user).
    # use_alter: agency.verified_by_id points back here, so the tables form a cycle.
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", use_alter=True), index=True
    )
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", use_alter=True), index=True
    )
    last_login_at: Mapped[datetime | None]
    # Shown to the holder on their workspace, so a sign-in they did not make stands out.
    previous_login_at: Mapped[datetime | None]

    agency = relationship("Agency", foreign_keys=[agency_id])
    enterprise = relationship("Enterprise", foreign_keys=[enterprise_id])

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.email} {self.role}>"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_other_sessions(self) -> None:
        self.session_version += 1
