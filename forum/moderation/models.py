"""Reports (Meldungen) of posts, and the reasons and outcomes moderators choose from."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.clock import UTCDateTime, utcnow
from forum.extensions import db


# Why a member reports a post, and why a moderator hides one (the same list; the key is stored).
REASONS = {
    "client_data": _l("Sozialdaten (Daten von Leistungsberechtigten)"),
    "insult": _l("Beleidigung oder persönlicher Angriff"),
    "off_topic": _l("Nicht zum Thema (off-topic)"),
    "spam": _l("Spam oder Werbung"),
    "other": _l("Sonstiges"),
}
# How a moderator closed a case.
OUTCOMES = {
    "hidden": _l("Beitrag ausgeblendet"),
    "redacted": _l("Beitrag geschwärzt"),
    "edited": _l("Beitrag bearbeitet"),
    "dismissed": _l("Kein Verstoß festgestellt"),
}


class Report(db.Model):
    """A Meldung: a member flags a post with a reason; open until a moderator resolves the case of the post.

    One open report per member and post is a partial unique index, so a double click or parallel requests
    never add a second one; after the case is resolved the member may report the post again."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("uq_reports_open_post_id_reporter_id", "post_id", "reporter_id", unique=True,
              sqlite_where=text("resolved_at IS NULL"), postgresql_where=text("resolved_at IS NULL")),
        Index("ix_reports_resolved_at_post_id_created_at", "resolved_at", "post_id", "created_at"),  # the queue
        Index("ix_reports_post_id_created_at", "post_id", "created_at"),  # the reports of one post
        Index("ix_reports_reporter_id_created_at", "reporter_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(20), default="")
    resolution_note: Mapped[str] = mapped_column(String(1000), default="")

    post = relationship("Post")
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def reason_label(self) -> str:
        return str(REASONS.get(self.reason, self.reason))

    @property
    def outcome_label(self) -> str:
        return str(OUTCOMES.get(self.outcome, self.outcome))
