"""Threads: the discussion of an event or an idea (its main thread), or a follow-up of an event."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.clock import UTCDateTime, utcnow
from forum.extensions import db
from forum.languages import language_column
from forum.moderation.models import REASONS


POSTS_PER_PAGE = 25


class Board(db.Model):
    """A Fachforum: a standing discussion area set up by admins, shown in `position` order."""

    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Thread(db.Model):
    """A discussion. `event_id`/`idea_id` mark the one main thread of an event/idea; `follow_up_event_id`
    marks a follow-up discussion of an event; `board_id` a thread of a Fachforum. `post_count` numbers the
    posts (UPDATE … SET post_count = post_count + 1 RETURNING), so permalinks and counters stay exact."""

    __tablename__ = "threads"
    __table_args__ = (
        Index("ix_threads_follow_up_event_id_created_at", "follow_up_event_id", "created_at"),
        Index("ix_threads_board_id_pinned_at_last_activity_at", "board_id", "pinned_at", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = language_column()  # of the title
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"))
    last_post_author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), unique=True)
    follow_up_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lock_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    post_count: Mapped[int] = mapped_column(default=0)

    event = relationship("Event", foreign_keys=[event_id], back_populates="main_thread")
    idea = relationship("Idea", foreign_keys=[idea_id], back_populates="thread")
    follow_up_event = relationship("Event", foreign_keys=[follow_up_event_id], back_populates="follow_ups")
    created_by = relationship("User", foreign_keys=[created_by_id])
    board = relationship("Board")
    last_post_author = relationship("User", foreign_keys=[last_post_author_id])
    locked_by = relationship("User", foreign_keys=[locked_by_id])

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

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)



# PostgreSQL only, declared beside the table (forum/search/models.py is_engine_object leaves it out of the schema
# comparison; migration 0020): a board's thread list in its order — pinned first, the unpinned (NULL) last — read
# along this index to the page's rows. The plain index above cannot give "DESC NULLS LAST", so PostgreSQL sorted all
# 43,000 threads of a board (76 ms; 0.5 ms along this one). SQLite sorts NULLs last in DESC anyway, and refuses
# NULLS LAST in an index.
BOARD_LIST_INDEX = "ix_threads_board_list"
event.listen(Thread.__table__, "after_create", DDL(
    f"CREATE INDEX {BOARD_LIST_INDEX} ON threads (board_id, pinned_at DESC NULLS LAST, last_activity_at DESC, id DESC)"
).execute_if(dialect="postgresql"))

class Post(db.Model):
    """A Beitrag: markdown source and its sanitised HTML (rendered once, when written), numbered in its thread.

    Withdrawn by the author or hidden by a moderator, a post keeps its row; a placeholder is shown instead."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("thread_id", "number"),
                      Index("ix_posts_author_id_created_at", "author_id", "created_at"),
                      Index("ix_posts_thread_id_pinned_at", "thread_id", "pinned_at"),
                      Index("ix_posts_created_at", "created_at"))  # what is new since a moment (main/news.py)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = language_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")  # a key of moderation.models.REASONS
    hidden_note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread: Mapped[Thread] = relationship()
    author = relationship("User", foreign_keys=[author_id])
    hidden_by = relationship("User", foreign_keys=[hidden_by_id])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_pinned(self) -> bool:
        return self.pinned_at is not None

    @property
    def is_pending_review(self) -> bool:
        """Hidden automatically by a report of client data, until a moderator decides (no hidden_by)."""
        return self.hidden_at is not None and self.hidden_by_id is None

    @property
    def hidden_reason_label(self) -> str:
        return str(REASONS.get(self.hidden_reason, self.hidden_reason))

    @property
    def page(self) -> int:
        """The page of its thread the post is on (permalinks open it there)."""
        return (self.number - 1) // POSTS_PER_PAGE + 1


class PostRevision(db.Model):
    """The text of a post before an edit, visible to its author and moderators."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    body_source: Mapped[str] = mapped_column(Text)

    editor = relationship("User")


class ThreadRead(db.Model):
    """How far a user has read a thread (number of the last post seen); written only when it grows."""

    __tablename__ = "thread_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    last_read_number: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PostMonth(db.Model):
    """How many posts a person wrote in a calendar month (Berlin), kept by forum/discussion/monthly.py in the
    transaction that writes the post: the statistics count a year from about 12 rows per person instead of every
    post. `thread_id` 0 stands for the threads every member sees; posts of a thread not every member sees (the
    discussion of a submitted idea) are counted under that thread, which the statistics check per viewer."""

    __tablename__ = "post_months"
    __table_args__ = (UniqueConstraint("month", "author_id", "thread_id"),
                      # everything the statistics read of a period's rows, from the index alone (SQLite read the
                      # posts column of a year's 60,000 rows from the table: 42 ms instead of 6)
                      Index("ix_post_months_month_author_id_thread_id_posts", "month", "author_id", "thread_id",
                            "posts"))

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[datetime] = mapped_column(UTCDateTime)  # the first moment of the month in Berlin, in UTC
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    thread_id: Mapped[int] = mapped_column(default=0)  # 0, or a thread whose visibility is checked per viewer
    posts: Mapped[int] = mapped_column(default=0)
