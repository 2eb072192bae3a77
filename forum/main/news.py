"""What is new for a user since their last visit ("Neu seit Ihrem letzten Besuch"): threads with unread posts,
new ideas and status changes of ideas, new and changed events and their documentation — each through the
visibility rules of the pages (forum/permissions.py) — and "Alles als gelesen markieren".

The last visit is `User.news_since`: when the user last marked everything read, at most `NEWS_WINDOW` back.
Threads also drop out one by one as the user reads them (ThreadRead, written by the thread page). What the user
did themselves (their posts, ideas, events, status changes) is never new to them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, or_, select, union_all, update
from sqlalchemy.orm import joinedload

from forum.accounts.models import NEWS_WINDOW, User
from forum.audit import AuditEntry
from forum.clock import utcnow
from forum.discussion.models import Thread
from forum.discussion.services import page_of, unread_posts
from forum.events.models import Event, EventAttachment
from forum.extensions import db
from forum.ideas.models import Idea
from forum.permissions import visible_ideas

NEWS_LIMIT = 50  # per kind on the page, newest first
# Unread posts are counted in the threads most recently active since the last visit, at most this many (twice
# the threads the page lists): the page says "Mindestens … oder mehr" beyond. Counting every post since then read
# all of them (dashboard at a million posts, 180,000 of them in the last 30 days: 756 ms; 100 threads: 40 ms).
THREADS_COUNTED = 100
EVENT_CHANGES = {  # what happened to an event, in the order the page names it
    "new": _l("neu"),
    "event.update": _l("geändert"),
    "event.cancel": _l("abgesagt"),
    "event.complete": _l("abgeschlossen"),
    "event.documentation": _l("Dokumentation aktualisiert"),
    "attachment": _l("neue Dateien"),
}


@dataclass
class ThreadNews:
    thread: Thread
    unread: int
    first_unread: int
    latest: datetime

    @property
    def first_unread_page(self) -> int:
        return page_of(self.first_unread)


@dataclass
class IdeaNews:
    idea: Idea
    is_new: bool  # submitted (or, for moderators and its author, created) since the last visit
    status_changed: bool  # someone else moved it to its current status since the last visit


@dataclass
class EventNews:
    event: Event
    changes: list[str]
    latest: datetime

    @property
    def change_labels(self) -> list[str]:
        return [str(EVENT_CHANGES[change]) for change in self.changes]


@dataclass
class News:
    since: datetime
    marked: bool  # `since` is when the user marked everything read (else the start of NEWS_WINDOW)
    threads: list[ThreadNews] = field(default_factory=list)
    ideas: list[IdeaNews] = field(default_factory=list)
    events: list[EventNews] = field(default_factory=list)
    thread_count: int = 0  # threads with unread posts, also beyond the limit
    unread_count: int = 0  # unread posts in them
    more: bool = False  # more threads were active than THREADS_COUNTED: the counts are at least these

    def __bool__(self) -> bool:
        return bool(self.threads or self.ideas or self.events)

    @property
    def window_days(self) -> int:
        return NEWS_WINDOW.days


def _not_by(column, user: User):
    """SQL: the row was not made by the user (an unknown author counts as someone else)."""
    return column.is_distinct_from(user.id)


def whats_new(user: User, *, limit: int = NEWS_LIMIT) -> News:
    """Everything new for the user, up to `limit` of each kind, in four queries whatever the data size."""
    since = user.news_since
    threads, thread_count, unread_count, more = _threads(user, since, limit)
    return News(since, since == user.news_read_at, threads, _ideas(user, since, limit), _events(user, since, limit),
                thread_count, unread_count, more)


def _threads(user: User, since: datetime, limit: int) -> tuple[list[ThreadNews], int, int, bool]:
    """The threads with unread posts among the THREADS_COUNTED most recently active since `since` (a thread
    with a post since then was active since then), their number and unread posts, and whether more threads
    were active. The unread posts are counted once (at most THREADS_COUNTED rows), the listed threads loaded
    after."""
    active = (select(Thread.id).where(Thread.last_activity_at > since)
              .order_by(Thread.last_activity_at.desc(), Thread.id.desc()))  # who may see which, unread_posts decides
    stats = unread_posts(user, select(active.limit(THREADS_COUNTED).subquery().c.id)).subquery()
    beyond = select(func.count()).select_from(active.limit(THREADS_COUNTED + 1).subquery()).scalar_subquery()
    rows = db.session.execute(select(stats, beyond.label("active"))).all()
    rows.sort(key=lambda row: (row.latest, row.thread_id), reverse=True)
    shown = rows[:limit]
    threads = {thread.id: thread for thread in db.session.scalars(
        select(Thread).where(Thread.id.in_([row.thread_id for row in shown])).options(joinedload(Thread.board)))}
    news = [ThreadNews(threads[row.thread_id], row.unread, row.first_unread, row.latest) for row in shown]
    more = bool(rows) and rows[0].active > THREADS_COUNTED
    return news, len(rows), sum(row.unread for row in rows), more


def _ideas(user: User, since: datetime, limit: int) -> list[IdeaNews]:
    changed = (select(AuditEntry.target_id)
               .where(AuditEntry.action == "idea.status", AuditEntry.created_at > since,
                      AuditEntry.target_type == "ideas", _not_by(AuditEntry.actor_id, user)))
    is_new = (Idea.created_at > since) & (Idea.author_id != user.id)
    status_changed = Idea.id.in_(changed)
    rows = db.session.execute(
        visible_ideas(user, select(Idea, is_new, status_changed)).options(joinedload(Idea.organisation))
        .where(or_(is_new, status_changed))
        .order_by(func.coalesce(Idea.status_changed_at, Idea.created_at).desc(), Idea.id.desc()).limit(limit))
    return [IdeaNews(idea, bool(new), bool(status)) for idea, new, status in rows]


def _events(user: User, since: datetime, limit: int) -> list[EventNews]:
    """Events are visible to every member (permissions.can_view_event): new ones, audited changes and new files."""
    happened = union_all(
        select(Event.id.label("event_id"), literal("new").label("change"), Event.created_at.label("at"))
        .where(Event.created_at > since, _not_by(Event.created_by_id, user)),
        select(AuditEntry.target_id, AuditEntry.action, AuditEntry.created_at)
        .where(AuditEntry.action.in_([key for key in EVENT_CHANGES if key.startswith("event.")]),
               AuditEntry.created_at > since, AuditEntry.target_type == "events", _not_by(AuditEntry.actor_id, user)),
        select(EventAttachment.event_id, literal("attachment"), EventAttachment.created_at)
        .where(EventAttachment.created_at > since, _not_by(EventAttachment.uploaded_by_id, user)),
    ).subquery()
    latest = func.max(happened.c.at).label("latest")
    per_event = (select(happened.c.event_id, latest).group_by(happened.c.event_id)
                 .order_by(latest.desc(), happened.c.event_id.desc()).limit(limit).subquery())
    changes = (select(happened.c.event_id, happened.c.change).distinct()
               .where(happened.c.event_id.in_(select(per_event.c.event_id))).subquery())
    rows = db.session.execute(
        select(Event, per_event.c.latest, changes.c.change)
        .join(per_event, per_event.c.event_id == Event.id).join(changes, changes.c.event_id == Event.id)
        .order_by(per_event.c.latest.desc(), Event.id.desc()))
    found: dict[int, EventNews] = {}
    for event, at, change in rows:
        found.setdefault(event.id, EventNews(event, [], at)).changes.append(change)
    order = list(EVENT_CHANGES)
    for news in found.values():
        news.changes.sort(key=order.index)
    return list(found.values())


def mark_all_read(user: User) -> bool:
    """"Alles als gelesen markieren": whatever happened until now is no longer new to the user (threads too, as
    unread_posts counts only posts after `news_since`). One conditional UPDATE that never moves the mark back (two
    tabs); False when it was already later."""
    now = utcnow()
    changed = db.session.execute(
        update(User).where(User.id == user.id, or_(User.news_read_at.is_(None), User.news_read_at < now))
        .values(news_read_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.expire(user, ["news_read_at"])
    return bool(changed)
