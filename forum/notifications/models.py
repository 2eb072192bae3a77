"""The e-mail outbox, follows and in-app notifications."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.clock import UTCDateTime, utcnow
from forum.extensions import db


class OutboxMessage(db.Model):
    """One e-mail waiting for (or done with) delivery; failures are retried with a growing delay."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Extra mail headers, e.g. List-Unsubscribe of announcements: {name: value}.
    headers: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")


FOLLOW_TARGETS = ("thread", "idea", "event")
NOTIFICATION_KINDS = ("reply", "mention", "follow_up", "idea_status", "post_hidden", "report", "report_resolved",
                      "event_report", "announcement", "data_export")
EMAIL_PREFERENCES = ("immediately", "daily", "never")
EMAIL_PREFERENCE_LABELS = {
    "immediately": _l("sofort – eine E-Mail je Benachrichtigung"),
    "daily": _l("täglich – eine Zusammenfassung am Tag"),
    "never": _l("nie – nur hier im Extranet"),
}


class Follow(db.Model):
    """A member follows a thread, an idea or an event (one row per target)."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "target_type", "target_id"),
                      Index("ix_follows_target", "target_type", "target_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(db.Model):
    """An in-app notification; `emailed_at` marks it as sent (immediately or in a digest)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_read_at_created_at", "user_id", "read_at", "created_at"),
                      Index("ix_notifications_emailed_at", "emailed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(String(20), default="", server_default="")  # a reason or an outcome key

    actor = relationship("User", foreign_keys=[actor_id])
    thread = relationship("Thread")
    post = relationship("Post")
    idea = relationship("Idea")
    event = relationship("Event")
    announcement = relationship("Announcement")
