"""Threads: the discussion of an event or an idea (its main thread), or a follow-up of an event."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.clock import UTCDateTime, utcnow
from forum.extensions import db


class Thread(db.Model):
    """A discussion. `event_id`/`idea_id` mark the one main thread of an event/idea; `follow_up_event_id`
    marks a follow-up discussion of an event. Posts, boards and read state come with the discussions issue."""

    __tablename__ = "threads"
    __table_args__ = (Index("ix_threads_follow_up_event_id_created_at", "follow_up_event_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), unique=True)
    follow_up_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    post_count: Mapped[int] = mapped_column(default=0)

    event = relationship("Event", foreign_keys=[event_id], back_populates="main_thread")
    idea = relationship("Idea", foreign_keys=[idea_id], back_populates="thread")
    follow_up_event = relationship("Event", foreign_keys=[follow_up_event_id], back_populates="follow_ups")
    created_by = relationship("User")

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_pinned(self) -> bool:
        return self.pinned_at is not None

    @property
    def is_standalone(self) -> bool:
        """Not the main thread of an event or idea (only such threads can become follow-ups)."""
        return self.event_id is None and self.idea_id is None
