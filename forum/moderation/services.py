"""Moderation of posts and threads, and the Moderationsprotokoll page (its filters and CSV export).

Each action is a conditional UPDATE (`… WHERE hidden_at IS NULL`), so two moderators acting at once change the
row once; the second gets False and a message, never a double action or a second audit entry. Reports and the
report queue are in `forum/moderation/reports.py`, redaction in `forum/moderation/redaction.py`.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, select, update
from sqlalchemy.orm import joinedload, selectinload

from forum.accounts.models import User
from forum.audit import AuditEntry, post_snapshot, record, thread_snapshot
from forum.clock import from_berlin, utcnow
from forum.dates import format_datetime
from forum.discussion.models import Board, Post, Thread
from forum.exports import excel_csv
from forum.extensions import db
from forum.moderation.models import REASONS, Report
from forum.notifications.inbox import notify_post_hidden, notify_report_resolved
from forum.permissions import staff_users
from forum.rules import RuleBroken
from forum.search import index as search_index


class ModerationError(RuleBroken):
    """A moderation rule was broken; the message is in the user's language, for the form."""


def _reason_text(reason: str, note: str) -> str:
    """The audit log's "why": the reason's words and the moderator's note."""
    label = str(REASONS.get(reason, reason))
    return f"{label}: {note}" if note else label


def _change(model, row_id: int, condition, **values) -> bool:
    """UPDATE one row only if the condition still holds; True when this request changed it."""
    return db.session.execute(update(model).where(model.id == row_id, condition).values(**values)
                              .execution_options(synchronize_session=False)).rowcount == 1


# --- posts --------------------------------------------------------------------------------------------------

def set_hidden(post: Post, *, actor, reason: str, note: str = "") -> bool:
    """Hide a post (placeholder for members) and tell the author; False when it was hidden already — except
    that a moderator confirms (and so replaces) an automatic hiding by a client-data report.

    `actor` None: hidden automatically by a report of client data, pending review (the audit entry names the
    reporter then, see reports.report_post). Open reports are not touched here.
    """
    note = note.strip()
    shown = Post.hidden_at.is_(None)
    # A moderator's decision replaces an automatic hiding "pending review" (its reason and note).
    condition = shown if actor is None else shown | Post.hidden_by_id.is_(None)
    if not _change(Post, post.id, condition, hidden_at=utcnow(), hidden_by_id=getattr(actor, "id", None),
                   hidden_reason=reason, hidden_note=note):
        return False
    db.session.expire(post)
    search_index.follow_post_state(post)
    notify_post_hidden(post, actor=actor, reason=reason, note=note)
    return True


def hide_post(post: Post, *, actor, reason: str, note: str = "") -> bool:
    """A moderator hides a post with a reason; open reports of it are closed as "hidden" (reporters told).
    False (and nothing written) when the post was hidden already."""
    if not set_hidden(post, actor=actor, reason=reason, note=note):
        return False
    record(actor, "post.hide", post, reason=_reason_text(reason, note.strip()), snapshot=post_snapshot(post))
    close_reports(post, actor=actor, outcome="hidden", note=note)
    return True


def unhide_post(post: Post, *, actor, reason: str = "") -> bool:
    """Show a hidden post again; False when it was not hidden (any more)."""
    if not _change(Post, post.id, Post.hidden_at.is_not(None), hidden_at=None, hidden_by_id=None,
                   hidden_reason="", hidden_note=""):
        return False
    db.session.expire(post)
    search_index.follow_post_state(post)
    record(actor, "post.unhide", post, reason=reason.strip(), snapshot=post_snapshot(post))
    return True


def pin_post(post: Post, *, actor) -> bool:
    """Pin a shown post to the top of its thread; False when it is pinned already (or hidden, withdrawn)."""
    if not _change(Post, post.id, Post.pinned_at.is_(None) & Post.hidden_at.is_(None) & Post.withdrawn_at.is_(None),
                   pinned_at=utcnow()):
        return False
    db.session.expire(post)
    record(actor, "post.pin", post, snapshot=post_snapshot(post))
    return True


def unpin_post(post: Post, *, actor) -> bool:
    """Take a post from the top of its thread; False when it was not pinned."""
    if not _change(Post, post.id, Post.pinned_at.is_not(None), pinned_at=None):
        return False
    db.session.expire(post)
    record(actor, "post.unpin", post, snapshot=post_snapshot(post))
    return True


def record_moderator_edit(post: Post, previous: str, *, editor) -> None:
    """A moderator changed someone else's post: audited with the text before, open reports closed as "edited"."""
    record(editor, "post.edit", post, snapshot={**post_snapshot(post), "before": previous})
    close_reports(post, actor=editor, outcome="edited")


def close_reports(post: Post, *, actor, outcome: str, note: str = "") -> list[tuple[int, str]]:
    """Close every open report of the post with an outcome; tell the reporters; audit it once.

    Returns (reporter id, reason) of the reports this call closed — empty when none was open.
    """
    closed = db.session.execute(
        update(Report).where(Report.post_id == post.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id, outcome=outcome, resolution_note=note.strip())
        .returning(Report.reporter_id, Report.reason).execution_options(synchronize_session=False)).all()
    if not closed:
        return []
    reasons = Counter(reason for _reporter, reason in closed)
    record(actor, "report.resolve", post, reason=note.strip(),
           snapshot={**post_snapshot(post), "outcome": outcome, "reports": len(closed), "reasons": dict(reasons)})
    notify_report_resolved(post, reporter_ids=[reporter for reporter, _reason in closed], outcome=outcome,
                           actor=actor)
    return [tuple(row) for row in closed]


def pinned_posts(thread: Thread) -> list[Post]:
    """The thread's pinned posts that are shown, in thread order, with their authors (one query)."""
    return list(db.session.scalars(
        select(Post).options(joinedload(Post.author))
        .where(Post.thread_id == thread.id, Post.pinned_at.is_not(None), Post.hidden_at.is_(None),
               Post.withdrawn_at.is_(None))
        .order_by(Post.number)))


# --- threads ------------------------------------------------------------------------------------------------

def pin_thread(thread: Thread, *, actor) -> bool:
    """Pin a thread to the top of its list; False when it is pinned already."""
    if not _change(Thread, thread.id, Thread.pinned_at.is_(None), pinned_at=utcnow()):
        return False
    db.session.expire(thread)
    record(actor, "thread.pin", thread, snapshot=thread_snapshot(thread))
    return True


def unpin_thread(thread: Thread, *, actor) -> bool:
    """Back into the order of latest activity; False when it was not pinned."""
    if not _change(Thread, thread.id, Thread.pinned_at.is_not(None), pinned_at=None):
        return False
    db.session.expire(thread)
    record(actor, "thread.unpin", thread, snapshot=thread_snapshot(thread))
    return True


def lock_thread(thread: Thread, *, actor, reason: str) -> bool:
    """Close a thread for replies; the thread shows who closed it, when and why. False when it was locked."""
    reason = reason.strip()
    if not _change(Thread, thread.id, Thread.locked_at.is_(None), locked_at=utcnow(), locked_by_id=actor.id,
                   lock_reason=reason):
        return False
    db.session.expire(thread)
    record(actor, "thread.lock", thread, reason=reason, snapshot=thread_snapshot(thread))
    return True


def unlock_thread(thread: Thread, *, actor) -> bool:
    """Open a locked thread for replies again; False when it was not locked."""
    if not _change(Thread, thread.id, Thread.locked_at.is_not(None), locked_at=None, locked_by_id=None,
                   lock_reason=""):
        return False
    db.session.expire(thread)
    record(actor, "thread.unlock", thread, snapshot=thread_snapshot(thread))
    return True


def move_thread(thread: Thread, board: Board, *, actor, reason: str = "") -> bool:
    """Move a standalone thread into another Fachforum; False when it is there already."""
    if thread.board_id == board.id:
        return False
    before = thread.board.title if thread.board else None
    thread.board = board
    db.session.flush()
    record(actor, "thread.move", thread, reason=reason.strip(),
           snapshot={"title": thread.title, "from": before, "to": board.title})
    return True


def rename_thread(thread: Thread, title: str, *, actor, reason: str = "") -> bool:
    """Give a thread a new title (also to remove client data from it); False when nothing changed."""
    title = " ".join(title.split())
    if title == thread.title:
        return False
    before = thread.title
    thread.title = title
    db.session.flush()
    search_index.index_thread(thread)
    record(actor, "thread.rename", thread, reason=reason.strip(), snapshot={"before": before, "after": title})
    return True


def board_choices() -> dict[int, str]:
    """Every Fachforum as {id: title}, in the order of the overview (for the move form)."""
    return dict(db.session.execute(select(Board.id, Board.title).order_by(Board.position, Board.title)).all())


# --- the audit log ------------------------------------------------------------------------------------------



@dataclass(frozen=True)
class AuditFilter:
    """The filters of the audit log page and its export (all optional)."""

    actor_id: int | None = None
    action: str = ""
    target_type: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_dict(self) -> dict:
        return {key: str(value) for key, value in self.__dict__.items() if value not in (None, "")}


def audit_query(filters: AuditFilter) -> Select:
    """Entries matching the filters, newest first, with their actors (dates are days in Berlin, inclusive)."""
    query = (select(AuditEntry).options(selectinload(AuditEntry.actor))
             .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()))
    if filters.actor_id is not None:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.date_from:
        query = query.where(AuditEntry.created_at >= _start_of(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.created_at < _start_of(filters.date_to + timedelta(days=1)))
    return query


def _start_of(day: date) -> datetime:
    return from_berlin(day, time(0, 0)) or from_berlin(day, time(1, 0))


def audit_actors() -> dict[int, str]:
    """Everyone who may appear as an actor (staff accounts), {id: name}, for the filter."""
    return dict(db.session.execute(select(User.id, User.display_name).where(staff_users())
                                   .order_by(User.display_name)).all())


EXPORT_MAX_ROWS = 50_000


def export_audit_log(filters: AuditFilter, *, actor) -> bytes:
    """The filtered log as CSV for Excel (at most EXPORT_MAX_ROWS, newest first); the export is audited."""
    header = [_("Zeitpunkt"), _("Wer"), _("Aktion"), _("Betrifft"), _("Nummer"), _("Begründung"),
              _("Stand zum Zeitpunkt")]
    entries = db.session.scalars(audit_query(filters).limit(EXPORT_MAX_ROWS))
    rows = [(format_datetime(entry.created_at), entry.actor.display_name if entry.actor else _("System"),
             entry.action_label, f"{entry.target_label}: {entry.subject}" if entry.subject else entry.target_label,
             entry.target_id or "", entry.reason,
             json.dumps(entry.snapshot, ensure_ascii=False)) for entry in entries]
    record(actor, "audit_log.export", None, snapshot={"filters": filters.as_dict(), "rows": len(rows)})
    return excel_csv(header, rows)
