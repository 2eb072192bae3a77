"""The audit log (Moderationsprotokoll) and reports (Meldungen) of posts."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.clock import UTCDateTime, utcnow
from forum.extensions import db


class AuditEntry(db.Model):
    """Who did what to which object, why and when; never edited or deleted."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_target", "target_type", "target_id"),
                      Index("ix_audit_entries_action_created_at", "action", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        from forum.moderation.services import ACTION_LABELS

        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def target_label(self) -> str:
        from forum.moderation.services import TARGET_LABELS

        return str(TARGET_LABELS.get(self.target_type, self.target_type or "–"))

    @property
    def subject(self) -> str:
        """The object's name as it was at the time ("Nr. 3 in „Titel“" for a post), whatever shape the action's
        snapshot has: a mapping, {"before": …, "after": …} of mappings or of plain values (a renamed title)."""
        snapshot = self.snapshot if isinstance(self.snapshot, dict) else {}
        state = snapshot.get("after", snapshot)
        if not isinstance(state, dict):
            state = {"title": state}
        if self.target_type == "posts" and state.get("number") is not None:
            return gettext("Nr. %(number)s in „%(title)s“", number=state.get("number"), title=state.get("thread") or "")
        for key in ("display_name", "name", "title", "email"):
            value = state.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
                return str(value)
        return ""


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
