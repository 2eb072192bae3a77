"""Writing the audit log; every moderator and admin service calls record()."""
from __future__ import annotations

from forum.extensions import db
from forum.moderation.models import AuditEntry


def record(actor, action: str, target, *, reason: str = "", snapshot: dict | None = None) -> AuditEntry:
    """Add one audit entry (who, what, on which object, why) with a snapshot of the target; flushes."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__tablename__ if target is not None else "",
        target_id=getattr(target, "id", None),
        reason=reason or "",
        snapshot=snapshot or {},
    )
    db.session.add(entry)
    db.session.flush()
    return entry
