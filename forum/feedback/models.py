"""A reported barrier (Barrieremeldung) and the states the service office moves it through."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.clock import UTCDateTime, utcnow
from forum.extensions import db

STATUS_LABELS = {
    "new": _l("neu"),
    "in_progress": _l("in Bearbeitung"),
    "done": _l("erledigt"),
}


class BarrierReport(db.Model):
    """What a person (signed in or not) reported about a barrier; name and e-mail only if they gave them."""

    __tablename__ = "barrier_reports"
    __table_args__ = (Index("ix_barrier_reports_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_url: Mapped[str] = mapped_column(String(500), default="")  # where the barrier is, as the sender says
    description: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str] = mapped_column(String(2), default="de")  # of the acknowledgement mail
    status: Mapped[str] = mapped_column(String(20), default="new")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))
