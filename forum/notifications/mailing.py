"""Notification e-mail: one mail per notification (preference "immediately") or one digest a day ("daily"),
each with a link that switches e-mail off without logging in (a signed token for the user id).

Mails name who did what where and link to it; they never quote a post, so a post redacted later for client
data leaves no copy in the outbox.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from forum.accounts.models import User
from forum.clock import utcnow
from forum.discussion.models import Thread
from forum.extensions import db
from forum.moderation.models import OUTCOMES, REASONS
from forum.notifications.models import Notification
from forum.notifications.outbox import absolute_url, queue_mails
from forum.permissions import can_view_notification

DIGEST_PERIOD = timedelta(days=1)
DIGEST_BATCH = 200  # people per round of queries while building digests


@dataclass(frozen=True)
class MailItem:
    """What one notification says, for the mail templates (`mail/_notification.txt`)."""

    kind: str
    actor: User | None = None
    thread: object = None
    idea: object = None
    event: object = None
    post_id: int | None = None
    reason: str = ""
    detail: str = ""  # the reason key of a hidden post or report, the outcome of a resolved report

    def of_kind(self, kind: str) -> MailItem:
        """The same item as another kind (a reply that mentions the reader is a mention)."""
        return replace(self, kind=kind)

    @property
    def url(self) -> str:
        """Where the notification leads: the post, the follow-up thread or the idea."""
        if self.kind in ("reply", "mention", "post_hidden", "report_resolved"):
            return absolute_url("discussion.post", post_id=self.post_id)
        if self.kind == "report":
            return absolute_url("moderation.case", post_id=self.post_id)
        if self.kind == "follow_up":
            return absolute_url("discussion.show", thread_id=self.thread.id)
        if self.kind == "data_export":
            return absolute_url("accounts.profile") + "#meine-daten"
        if self.kind == "event_report":
            return absolute_url("events.show", event_id=self.event.id) + "#abschlussbericht"
        return absolute_url("ideas.show", idea_id=self.idea.id)

    @classmethod
    def of(cls, notification: Notification) -> MailItem:
        """The item of a stored notification (for the digest)."""
        return cls(notification.kind, actor=notification.actor, thread=notification.thread, idea=notification.idea,
                   event=notification.event, post_id=notification.post_id, detail=notification.detail)

    @property
    def detail_label(self) -> str:
        """The German (or English) words for `detail`: a reason of moderation.models.REASONS or an outcome."""
        labels = OUTCOMES if self.kind == "report_resolved" else REASONS
        return str(labels.get(self.detail, self.detail))


# --- unsubscribe --------------------------------------------------------------------------------------------

def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_unsubscribe_token(user: User, *, salt: str = "unsubscribe") -> str:
    """A signed, non-expiring token for the user id: it can only switch off the mails of its salt (notification
    e-mails by default; announcements use their own)."""
    return _serializer(salt).dumps(user.id)


def user_from_unsubscribe_token(token: str, *, salt: str = "unsubscribe") -> User | None:
    """The account the token was made for; None for a tampered token, one of another salt, or an account that is
    gone."""
    try:
        user_id = _serializer(salt).loads(token)
    except BadSignature:
        return None
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.status != "deleted" else None


def unsubscribe(user: User) -> bool:
    """No more notification e-mails (in-app notifications go on); False when they were off already."""
    if user.email_notifications == "never":
        return False
    user.email_notifications = "never"
    db.session.flush()
    return True


def _footer(person: User) -> dict:
    return {"user": person, "settings_url": absolute_url("accounts.profile"),
            "unsubscribe_url": absolute_url("notifications.unsubscribe", token=make_unsubscribe_token(person))}


def notification_mail(person: User, item: MailItem) -> tuple[str, str, str, dict]:
    """(recipient, template, language, context) of the mail for one notification, for queue_mails()."""
    return person.email, f"notification_{item.kind}", person.language, {"item": item, **_footer(person)}


# --- daily digest -------------------------------------------------------------------------------------------

def send_digests(*, now=None) -> int:
    """Put one digest per person who chose "daily" into the outbox, with their notifications of the last day
    not mailed yet, and mark those as mailed. Returns the number of digests.

    The notifications are claimed first (UPDATE … RETURNING), so a second run — also a parallel one — finds
    nothing to send twice.
    """
    now = now or utcnow()
    daily = select(User.id).where(User.email_notifications == "daily", User.status == "active")
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.emailed_at.is_(None), Notification.created_at >= now - DIGEST_PERIOD,
               Notification.user_id.in_(daily))
        .values(emailed_at=now).returning(Notification.id, Notification.user_id)
        .execution_options(synchronize_session=False)).all()
    by_person: dict[int, list[int]] = defaultdict(list)
    for notification_id, user_id in claimed:
        by_person[user_id].append(notification_id)
    people_ids = sorted(by_person)
    sent = 0
    for start in range(0, len(people_ids), DIGEST_BATCH):
        batch = people_ids[start:start + DIGEST_BATCH]
        people = {person.id: person for person in db.session.scalars(select(User).where(User.id.in_(batch)))}
        items: dict[int, list[MailItem]] = defaultdict(list)
        for notification in db.session.scalars(
                select(Notification)
                .options(joinedload(Notification.actor), joinedload(Notification.thread).joinedload(Thread.idea),
                         joinedload(Notification.idea), joinedload(Notification.event))
                .where(Notification.id.in_([n for person_id in batch for n in by_person[person_id]]))
                .order_by(Notification.user_id, Notification.created_at, Notification.id)):
            if can_view_notification(people[notification.user_id], notification):
                items[notification.user_id].append(MailItem.of(notification))
        sent += queue_mails([
            (people[person_id].email, "notification_digest", people[person_id].language,
             {"items": items[person_id], "notifications_url": absolute_url("notifications.index"),
              **_footer(people[person_id])})
            for person_id in batch if items[person_id]])
    return sent
