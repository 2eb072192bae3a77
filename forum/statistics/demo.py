"""The statistics' part of `flask seed-demo`: the moderation exports last quarter's figures once, through the
service, so the audit log has a "Programmstatistik exportiert" entry (the figures come from the other packages'
demo data: past events with attendance, ideas, votes, posts, reports)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from forum.accounts.models import User
from forum.audit import AuditEntry
from forum.clock import to_berlin, utcnow
from forum.extensions import db
from forum.moderation.demo import days_ago
from forum.statistics import services
from forum.statistics.figures import Scope
from forum.statistics.period import Period


def seed_statistics() -> int:
    """Export last quarter's statistics as the demo moderator, unless that was done before; returns 1 or 0."""
    if db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "statistics.export").limit(1)):
        return 0
    moderator = db.session.scalar(select(User).where(User.email == "moderation@servicestelle.example"))
    if moderator is None:
        return 0
    today: date = to_berlin(utcnow()).date()
    quarter = (today.month - 1) // 3  # the last complete quarter: 0 means the fourth of last year
    period = Period.quarter(today.year, quarter) if quarter else Period.quarter(today.year - 1, 4)
    with days_ago(3):
        services.export_csv(Scope(period), actor=moderator)
    return 1
