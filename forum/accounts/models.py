"""Users: one role and one status each; a second factor (TOTP, recovery codes); one row per login session, so
every session can be listed and ended."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, Index, String, true
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.clock import UTCDateTime, to_berlin, utcnow
from forum.extensions import db
from forum.organisations.models import Organisation

ROLE_LABELS = {
    "member": _l("Mitglied"),
    "organiser": _l("Veranstalter"),
    "moderator": _l("Moderation"),
    "admin": _l("Administration"),
}
STATUS_LABELS = {
    "pending": _l("wartet"),
    "active": _l("aktiv"),
    "suspended": _l("gesperrt"),
    "rejected": _l("abgelehnt"),
    "deleted": _l("gelöscht"),
}
LANGUAGE_LABELS = {"de": "Deutsch", "en": "English"}
# What a deleted account is called (privacy/deletion.py): stored in German, shown in the reader's language.
FORMER_MEMBER = "ehemaliges Mitglied"
FORMER_MEMBER_LABEL = _l("ehemaliges Mitglied")
NEWS_WINDOW = timedelta(days=30)  # how far back "Neu seit Ihrem letzten Besuch" looks at most


class User(UserMixin, db.Model):
    """A registered person; e-mail is stored lower-cased so it is unique case-insensitively."""

    __tablename__ = "users"
    __table_args__ = (Index("ix_users_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The name as stored; read `display_name`, which shows a deleted account in the reader's language.
    stored_name: Mapped[str] = mapped_column("display_name", String(120))
    function: Mapped[str] = mapped_column(String(120), default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: until a moderator lifts it
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(2), default="de")
    # The second factor: a TOTP secret (base32), active from second_factor_at; the last time step a code was
    # accepted for, so no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    second_factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    email_notifications: Mapped[str] = mapped_column(String(12), default="immediately", server_default="immediately")
    announcement_emails: Mapped[bool] = mapped_column(default=True, server_default=true())  # Mitteilungen by mail
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the user last chose "Alles als gelesen markieren": what is older is no longer new to them.
    news_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Outer, not inner: an inner join nested in the outer joins of joinedload(…author) makes SQLite scan all users.
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    # The key of the UserSession this request runs in (set at login and by security.load_user); not a column.
    session_key = None

    def get_id(self) -> str:
        """Flask-Login stores this in the session and the remember cookie: the user and their session row, so
        ending the row ends every copy of the session and the cookie."""
        return f"{self.id}:{self.session_key}"

    @hybrid_property
    def display_name(self) -> str:
        """The name shown; a deleted account is "ehemaliges Mitglied" / "former member" whatever was stored. In
        SQL (filters, order) the stored name."""
        return str(FORMER_MEMBER_LABEL) if self.status == "deleted" else self.stored_name

    @display_name.inplace.setter
    def _display_name_setter(self, value: str) -> None:
        self.stored_name = value

    @display_name.inplace.expression
    @classmethod
    def _display_name_expression(cls):
        return cls.stored_name

    @property
    def has_second_factor(self) -> bool:
        return self.second_factor_at is not None and bool(self.totp_secret)

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def is_email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def awaits_approval(self) -> bool:
        return self.status == "pending" and self.is_email_confirmed

    @property
    def suspended_through(self):
        """The last day (in Berlin) of a suspension with an end; it ends at midnight after that day."""
        return to_berlin(self.suspended_until - timedelta(seconds=1)).date() if self.suspended_until else None

    @property
    def news_since(self) -> datetime:
        """Since when things count as new (and posts as unread) for this user: since they last marked everything
        read, at most NEWS_WINDOW back — so a new account starts with a month of news, not the whole archive."""
        floor = utcnow() - NEWS_WINDOW
        return max(self.news_read_at, floor) if self.news_read_at else floor

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def email_domain(self) -> str:
        return self.email.rpartition("@")[2]

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(db.Model):
    """One login (a browser on a device): ends when deleted, after its absolute lifetime or when idle too long.

    `key` (random) is in the signed session cookie and the remember-me cookie; `id` names it in forms."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # the absolute end
    remember: Mapped[bool] = mapped_column(default=False)  # "Angemeldet bleiben": no idle timeout
    # What the user agent says, summarised (e.g. "Firefox", "Windows"); no IP address is kept.
    browser: Mapped[str] = mapped_column(String(40), default="")
    system: Mapped[str] = mapped_column(String(40), default="")


class RecoveryCode(db.Model):
    """A one-time code for a lost device; only its SHA-256 is stored (the codes are random, not chosen)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
