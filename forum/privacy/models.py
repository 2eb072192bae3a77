"""A member's request for a copy of their data (Art. 15/20 DSGVO): built by `flask build-exports`, never in a
request; downloadable by that member only, until it expires."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.clock import UTCDateTime, utcnow
from forum.extensions import db

EXPORT_STATUS_LABELS = {
    "requested": _l("angefordert"),
    "building": _l("wird erstellt"),
    "ready": _l("bereit zum Herunterladen"),
    "expired": _l("abgelaufen"),
}


class DataExport(db.Model):
    """One requested export: requested → building (claimed by one run) → ready → expired (file deleted)."""

    __tablename__ = "data_exports"
    __table_args__ = (Index("ix_data_exports_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="requested")
    token: Mapped[str] = mapped_column(String(64), unique=True)  # in the download URL: unguessable
    file_name: Mapped[str] = mapped_column(String(100), default="")  # random name inside EXPORT_DIR
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def status_label(self) -> str:
        return str(EXPORT_STATUS_LABELS.get(self.status, self.status))

    @property
    def is_downloadable(self) -> bool:
        return self.status == "ready" and self.expires_at is not None and self.expires_at > utcnow()
