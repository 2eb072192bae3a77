"""An announcement, written as a draft, queued by a moderator and sent by `flask send-announcements`; one
recipient row per person of its segment, claimed when that person's notification and mail are created."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.clock import UTCDateTime, utcnow
from forum.extensions import db
from forum.languages import language_column

ANNOUNCEMENT_STATUSES = {
    "draft": _l("Entwurf"),
    "queued": _l("wird versendet"),
    "sent": _l("versendet"),
}
SEGMENTS = {
    "all": _l("Alle aktiven Mitglieder"),
    "land": _l("Mitglieder eines Landes"),
    "jobcenter_type": _l("Mitglieder einer Jobcenter-Form (gE oder zkT)"),
    "event_participants": _l("Angemeldete einer Veranstaltung"),
    "event_attendees": _l("Teilnehmende einer Veranstaltung (anwesend)"),
    "idea_followers": _l("Wer einem Ansatz folgt"),
    "thread_followers": _l("Wer einer Diskussion folgt"),
}


class Announcement(db.Model):
    """A Mitteilung of the service office; `segment` with `segment_value` (a Land or a Jobcenter type) or
    `segment_target_id` (an event, idea or thread) says who gets it."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = language_column()  # of subject and text
    segment: Mapped[str] = mapped_column(String(30))
    segment_value: Mapped[str] = mapped_column(String(10), default="", server_default="")
    segment_target_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="draft", server_default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recipients_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the command fixed the recipients
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipient_count: Mapped[int] = mapped_column(default=0, server_default="0")  # people in the segment
    mailed_count: Mapped[int] = mapped_column(default=0, server_default="0")  # of them, by e-mail too

    created_by = relationship("User", foreign_keys=[created_by_id])
    queued_by = relationship("User", foreign_keys=[queued_by_id])

    @property
    def status_label(self) -> str:
        return str(ANNOUNCEMENT_STATUSES.get(self.status, self.status))

    @property
    def segment_label(self) -> str:
        return str(SEGMENTS.get(self.segment, self.segment))


class AnnouncementRecipient(db.Model):
    """One person of an announcement's segment; `claimed_at` is set by the run that notifies and mails them,
    in the same transaction, so parallel runs never send twice."""

    __tablename__ = "announcement_recipients"
    __table_args__ = (UniqueConstraint("announcement_id", "user_id"),
                      Index("ix_announcement_recipients_pending", "claimed_at", "announcement_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
