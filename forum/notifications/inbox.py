"""In-app notifications: created for the right people in one INSERT (mailed at once to those who want that),
counted for the header bell, listed, marked as read."""
from __future__ import annotations

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import joinedload

from forum.accounts.models import User
from forum.clock import utcnow
from forum.extensions import db
from forum.notifications.following import followers_query
from forum.notifications.mailing import MailItem, notification_mail
from forum.notifications.models import Notification
from forum.notifications.outbox import queue_mails
from forum.permissions import can_view_idea, moderator_accounts, thread_readers, visible_notifications

PER_PAGE = 20


def _people(*conditions, exclude: int | None, readers=None) -> list[User]:
    """Active accounts matching any of the conditions, without `exclude` (the one who acted), by id; with
    `readers` (a permissions condition such as thread_readers()) only those who may see what it is about."""
    query = select(User).where(or_(*conditions), User.status == "active").order_by(User.id)
    if readers is not None:
        query = query.where(readers)
    if exclude is not None:
        query = query.where(User.id != exclude)
    return list(db.session.scalars(query))


def _create(recipients: list[tuple[User, str]], item: MailItem, **columns) -> int:
    """One notification per (person, kind) in one INSERT; the mails for people who want them at once go
    into the outbox together (one more INSERT). Returns the number of notifications."""
    if not recipients:
        return 0
    now = utcnow()
    rows, mails = [], []
    for person, kind in recipients:
        at_once = person.email_notifications == "immediately"
        rows.append({"user_id": person.id, "kind": kind, "created_at": now, "read_at": None,
                     "emailed_at": now if at_once else None, "actor_id": None, "thread_id": None,
                     "post_id": None, "idea_id": None, "event_id": None, "detail": "", **columns})
        if at_once:
            mails.append(notification_mail(person, item.of_kind(kind)))
    db.session.execute(insert(Notification.__table__), rows)
    queue_mails(mails)
    return len(rows)


def notify_new_post(post, *, mentioned=()) -> int:
    """After a post is added: notify the thread's followers (not the author) of a reply and the mentioned
    users of a mention (each person once, mention wins); queue e-mails for those who want them immediately.
    Returns the number of notifications created.

    Who follows an idea or an event also follows its main thread. People who may not see the thread (e.g. of
    an idea still waiting for review) are never notified. `mentioned`: users (or their ids).
    """
    thread = post.thread
    mentioned_ids = {getattr(person, "id", person) for person in mentioned}
    followers = [User.id.in_(followers_query("thread", thread.id))]
    if thread.idea_id is not None:
        followers.append(User.id.in_(followers_query("idea", thread.idea_id)))
    if thread.event_id is not None:
        followers.append(User.id.in_(followers_query("event", thread.event_id)))
    people = _people(*followers, User.id.in_(mentioned_ids), exclude=post.author_id, readers=thread_readers(thread))
    recipients = [(person, "mention" if person.id in mentioned_ids else "reply") for person in people]
    if not recipients:
        return 0
    item = MailItem("reply", actor=post.author, thread=thread, post_id=post.id)
    return _create(recipients, item, actor_id=post.author_id, thread_id=thread.id, post_id=post.id)


def notify_follow_up(thread, event, *, actor) -> int:
    """A follow-up thread of an event was started or linked: notify the event's followers."""
    people = _people(User.id.in_(followers_query("event", event.id)), exclude=actor.id,
                     readers=thread_readers(thread))
    recipients = [(person, "follow_up") for person in people]
    item = MailItem("follow_up", actor=actor, thread=thread, event=event)
    return _create(recipients, item, actor_id=actor.id, thread_id=thread.id, event_id=event.id)


def notify_event_report(event, *, actor) -> int:
    """An event's closing report was published: notify the event's followers (registering follows the event)."""
    people = _people(User.id.in_(followers_query("event", event.id)), exclude=actor.id)
    recipients = [(person, "event_report") for person in people]
    item = MailItem("event_report", actor=actor, event=event)
    return _create(recipients, item, actor_id=actor.id, event_id=event.id)


def notify_idea_status(idea, *, actor, reason: str = "") -> int:
    """An idea's status changed: notify its author (in-app, e-mail per preference).

    `reason` (the moderator's) goes into the immediate e-mail only; it is kept in the audit log."""
    author = idea.author
    if author is None or author.id == actor.id or not can_view_idea(author, idea):
        return 0
    item = MailItem("idea_status", actor=actor, idea=idea, reason=reason.strip())
    return _create([(author, "idea_status")], item, actor_id=actor.id, idea_id=idea.id)


def notify_post_hidden(post, *, actor, reason: str, note: str = "") -> int:
    """A moderator (or a report of client data, `actor` None) hid a post: tell its author why."""
    author = post.author
    if author is None or (actor is not None and author.id == actor.id) or author.status != "active":
        return 0
    item = MailItem("post_hidden", actor=actor, thread=post.thread, post_id=post.id, reason=note.strip(),
                    detail=reason)
    return _create([(author, "post_hidden")], item, actor_id=getattr(actor, "id", None), thread_id=post.thread_id,
                   post_id=post.id, detail=reason)


def notify_new_report(post, *, reporter, reason: str) -> int:
    """A post was reported: tell every moderator who has no unread notice of a report of it yet (so ten
    reports of one post make one notice each, not ten)."""
    pending = select(Notification.user_id).where(Notification.kind == "report", Notification.post_id == post.id,
                                                  Notification.read_at.is_(None))
    people = _people(moderator_accounts(), exclude=reporter.id)
    already = set(db.session.scalars(pending)) if people else set()
    recipients = [(person, "report") for person in people if person.id not in already]
    item = MailItem("report", thread=post.thread, post_id=post.id, detail=reason)
    return _create(recipients, item, thread_id=post.thread_id, post_id=post.id, detail=reason)


def notify_report_resolved(post, *, reporter_ids: list[int], outcome: str, actor) -> int:
    """A moderator closed the case of a post: tell each reporter (who can still see the thread) the outcome."""
    if not reporter_ids:
        return 0
    people = _people(User.id.in_(set(reporter_ids)), exclude=actor.id, readers=thread_readers(post.thread))
    recipients = [(person, "report_resolved") for person in people]
    item = MailItem("report_resolved", actor=actor, thread=post.thread, post_id=post.id, detail=outcome)
    return _create(recipients, item, actor_id=actor.id, thread_id=post.thread_id, post_id=post.id, detail=outcome)


def notify_data_export(user) -> int:
    """The copy of a member's data is ready (forum/privacy/exports.py): tell them, by mail too if they wish."""
    return _create([(user, "data_export")], MailItem("data_export"))


# --- reading ------------------------------------------------------------------------------------------------

def unread_count(user, *, limit: int | None = None) -> int:
    """How many of the user's notifications are unread — of those the list shows —, counted up to `limit` (one
    query on the index user_id/read_at/created_at)."""
    unread = visible_notifications(user, select(Notification.id)).where(Notification.user_id == user.id,
                                                                        Notification.read_at.is_(None))
    if limit is not None:
        unread = unread.limit(limit)
    return db.session.scalar(select(func.count()).select_from(unread.subquery()))


def notifications_page(user, *, page: int, per_page: int = PER_PAGE):
    """The user's notifications, newest first, with who did it and what it is about (two queries)."""
    query = (visible_notifications(user, select(Notification))
             .options(joinedload(Notification.actor), joinedload(Notification.thread),
                      joinedload(Notification.idea), joinedload(Notification.event),
                      joinedload(Notification.announcement))
             .where(Notification.user_id == user.id)
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def mark_read(user, notification_id: int) -> bool:
    """Mark one of the user's own notifications as read; False when it was read already or is not theirs."""
    return db.session.execute(
        update(Notification).where(Notification.id == notification_id, Notification.user_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount == 1


def mark_all_read(user) -> int:
    """Mark every unread notification of the user as read; returns how many."""
    return db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount
