"""Announcements (Mitteilungen): drafts, who a segment reaches, the test mail, queueing — and the run of
`flask send-announcements`, which fixes an announcement's recipients once and then claims them in batches, the
claim committed together with the notifications and mails it creates, so parallel or repeated runs never send
anything twice.

Sending never happens in a request: the moderator's confirmation only marks the announcement as queued.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Integer, exists, false, func, insert, literal, select, update

from forum import markup
from forum.accounts.models import User
from forum.announcements.models import Announcement, AnnouncementRecipient
from forum.audit import announcement_snapshot, record
from forum.clock import utcnow
from forum.discussion.models import Thread
from forum.events.models import EventRegistration
from forum.extensions import db
from forum.languages import written_in
from forum.ideas.models import Idea
from forum.notifications import mailing
from forum.notifications.following import followers_query
from forum.notifications.models import Notification
from forum.notifications.outbox import absolute_url, queue_mail, queue_mails
from forum.organisations.models import Organisation
from forum.permissions import idea_readers, thread_readers
from forum.rules import RuleBroken

BATCH_SIZE = 500  # recipients per claimed batch: one transaction of notifications and mails


class AnnouncementError(RuleBroken):
    """A rule about announcements was broken (e.g. it was queued meanwhile in another tab)."""


@dataclass
class AnnouncementData:
    """Clean values from the moderator's form."""

    subject: str
    body: str
    segment: str
    segment_value: str = ""
    segment_target_id: int | None = None


# --- who is reached -----------------------------------------------------------------------------------------

def segment_condition(segment: str, value: str = "", target_id: int | None = None):
    """SQL condition on User: the active accounts of a segment (inactive, suspended and deleted people never;
    followers only while they may see the idea or thread)."""
    active = User.status == "active"
    if segment == "all":
        return active
    if segment == "land":
        return active & User.organisation_id.in_(select(Organisation.id).where(Organisation.land == value))
    if segment == "jobcenter_type":
        return active & User.organisation_id.in_(select(Organisation.id).where(
            Organisation.kind == "jobcenter", Organisation.jobcenter_type == value))
    if segment == "event_participants":
        return active & User.id.in_(select(EventRegistration.user_id).where(
            EventRegistration.event_id == target_id, EventRegistration.status == "registered"))
    if segment == "event_attendees":
        return active & User.id.in_(select(EventRegistration.user_id).where(
            EventRegistration.event_id == target_id, EventRegistration.attended_at.is_not(None)))
    if segment == "idea_followers":
        idea = db.session.get(Idea, target_id) if target_id else None
        if idea is None:
            return false()
        return active & User.id.in_(followers_query("idea", idea.id)) & idea_readers(idea)
    if segment == "thread_followers":
        thread = db.session.get(Thread, target_id) if target_id else None
        if thread is None:
            return false()
        return active & User.id.in_(followers_query("thread", thread.id)) & thread_readers(thread)
    return false()


def count_recipients(segment: str, value: str = "", target_id: int | None = None) -> int:
    """How many people the segment reaches now (one COUNT)."""
    return db.session.scalar(select(func.count(User.id)).where(segment_condition(segment, value, target_id)))


def recipients_of(announcement: Announcement) -> int:
    """How many people the announcement's segment reaches now."""
    return count_recipients(announcement.segment, announcement.segment_value, announcement.segment_target_id)


# --- writing ----------------------------------------------------------------------------------------------------

def render_body(source: str) -> str:
    """The text as HTML; on its page it follows the subject (the h1), so its headings start at h2."""
    return markup.render(source, heading_level=1)


def create_announcement(data: AnnouncementData, *, actor) -> Announcement:
    """A new draft; audited without recipients (there are none yet)."""
    announcement = Announcement(subject=data.subject, body_source=data.body, body_html=render_body(data.body),
                                segment=data.segment, segment_value=data.segment_value,
                                segment_target_id=data.segment_target_id, created_by_id=actor.id,
                                language=written_in(actor))
    db.session.add(announcement)
    db.session.flush()
    record(actor, "announcement.create", announcement, snapshot=announcement_snapshot(announcement))
    return announcement


def update_announcement(announcement: Announcement, data: AnnouncementData, *, actor) -> bool:
    """Change a draft (a conditional UPDATE: one queued meanwhile in another tab stays as it was sent)."""
    changed = db.session.execute(
        update(Announcement).where(Announcement.id == announcement.id, Announcement.status == "draft")
        .values(subject=data.subject, body_source=data.body, body_html=render_body(data.body),
                segment=data.segment, segment_value=data.segment_value, segment_target_id=data.segment_target_id,
                updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount == 1
    if not changed:
        raise AnnouncementError(_("Diese Mitteilung ist schon zum Versand freigegeben und kann nicht mehr "
                                  "geändert werden."), status=409)
    db.session.refresh(announcement)
    record(actor, "announcement.update", announcement, snapshot=announcement_snapshot(announcement))
    return True


def queue_announcement(announcement: Announcement, *, actor) -> int:
    """Release a draft for `flask send-announcements`; returns the number of recipients it reaches now.
    Audited with the segment and that number (never names)."""
    count = recipients_of(announcement)
    if count == 0:
        raise AnnouncementError(_("Diese Mitteilung erreicht niemanden. Bitte wählen Sie eine andere Zielgruppe."))
    queued = db.session.execute(
        update(Announcement).where(Announcement.id == announcement.id, Announcement.status == "draft")
        .values(status="queued", queued_at=utcnow(), queued_by_id=actor.id, recipient_count=count)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not queued:
        raise AnnouncementError(_("Diese Mitteilung ist schon zum Versand freigegeben."), status=409)
    db.session.refresh(announcement)
    record(actor, "announcement.queue", announcement, snapshot=announcement_snapshot(announcement))
    return count


def send_test_mail(announcement: Announcement, *, actor) -> None:
    """The mail as the recipients will get it, only to the moderator themself (nothing else happens)."""
    queue_mail(actor.email, "announcement", language=actor.language, headers=unsubscribe_headers(actor),
               **_mail_context(announcement, actor, test=True))


# --- one-click unsubscribe (RFC 8058) ---------------------------------------------------------------------------

UNSUBSCRIBE_SALT = "unsubscribe-announcements"  # a notification mail's token cannot switch announcements off


def make_unsubscribe_token(user: User) -> str:
    """A signed token for the user id that can only switch announcement e-mails off."""
    return mailing.make_unsubscribe_token(user, salt=UNSUBSCRIBE_SALT)


def user_from_unsubscribe_token(token: str) -> User | None:
    """The account of an announcement unsubscribe token; None for a tampered or foreign token or a gone account."""
    return mailing.user_from_unsubscribe_token(token, salt=UNSUBSCRIBE_SALT)


def unsubscribe_headers(user: User) -> dict:
    """List-Unsubscribe with the https address of the one-click POST, and List-Unsubscribe-Post (RFC 8058)."""
    url = absolute_url("announcements.unsubscribe", token=make_unsubscribe_token(user))
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe(user: User) -> bool:
    """No more announcements by e-mail (they still appear under "Benachrichtigungen"); False when off already."""
    if not user.announcement_emails:
        return False
    user.announcement_emails = False
    db.session.flush()
    return True


def has_received(user, announcement: Announcement) -> bool:
    """Whether the announcement reached the user (their recipient row was sent)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(AnnouncementRecipient.id).where(
        AnnouncementRecipient.announcement_id == announcement.id, AnnouncementRecipient.user_id == user.id,
        AnnouncementRecipient.claimed_at.is_not(None))) is not None


# --- the sending run (flask send-announcements) -----------------------------------------------------------------

def fix_recipients() -> int:
    """Write the recipients of each queued announcement once (INSERT … SELECT of its segment), claimed by a
    conditional UPDATE so that a parallel run does not do it again; returns how many announcements."""
    fixed = 0
    for announcement in db.session.scalars(select(Announcement).where(
            Announcement.status == "queued", Announcement.recipients_at.is_(None)).order_by(Announcement.id)):
        claimed = db.session.execute(
            update(Announcement).where(Announcement.id == announcement.id, Announcement.recipients_at.is_(None))
            .values(recipients_at=utcnow()).execution_options(synchronize_session=False)).rowcount == 1
        if not claimed:
            continue
        condition = segment_condition(announcement.segment, announcement.segment_value,
                                      announcement.segment_target_id)
        db.session.execute(insert(AnnouncementRecipient.__table__).from_select(
            ["announcement_id", "user_id"], select(literal(announcement.id, Integer), User.id).where(condition)))
        count = db.session.scalar(select(func.count(AnnouncementRecipient.id)).where(
            AnnouncementRecipient.announcement_id == announcement.id))
        db.session.execute(update(Announcement).where(Announcement.id == announcement.id)
                           .values(recipient_count=count).execution_options(synchronize_session=False))
        fixed += 1
    db.session.flush()
    return fixed


def send_batch(limit: int = BATCH_SIZE) -> int:
    """Claim up to `limit` recipients not yet sent (SKIP LOCKED on PostgreSQL; SQLite's write lock queues the
    runs), create their in-app notifications (everyone) and mails (who wants announcements by mail) in the same
    transaction; returns how many were claimed (0: nothing left)."""
    now = utcnow()
    pending = (select(AnnouncementRecipient.id).where(AnnouncementRecipient.claimed_at.is_(None))
               .order_by(AnnouncementRecipient.id).limit(limit).with_for_update(skip_locked=True))
    claimed = db.session.execute(
        update(AnnouncementRecipient)
        .where(AnnouncementRecipient.id.in_(pending), AnnouncementRecipient.claimed_at.is_(None))
        .values(claimed_at=now)
        .returning(AnnouncementRecipient.announcement_id, AnnouncementRecipient.user_id)
        .execution_options(synchronize_session=False)).all()
    if not claimed:
        return 0
    by_announcement: dict[int, list[int]] = defaultdict(list)
    for announcement_id, user_id in claimed:
        by_announcement[announcement_id].append(user_id)
    announcements = {a.id: a for a in db.session.scalars(select(Announcement).where(
        Announcement.id.in_(by_announcement)))}
    people = {person.id: person for person in db.session.scalars(select(User).where(
        User.id.in_({user_id for _id, user_id in claimed}), User.status == "active"))}
    rows, mails = [], []
    for announcement_id, user_ids in by_announcement.items():
        announcement = announcements[announcement_id]
        reached = [people[user_id] for user_id in user_ids if user_id in people]
        rows += [{"user_id": person.id, "kind": "announcement", "created_at": now, "read_at": None,
                  "emailed_at": now, "actor_id": announcement.queued_by_id, "thread_id": None, "post_id": None,
                  "idea_id": None, "event_id": None, "announcement_id": announcement.id, "detail": ""}
                 for person in reached]  # emailed_at: never part of a notification digest
        wanted = [person for person in reached if person.announcement_emails]
        mails += [(person.email, "announcement", person.language, _mail_context(announcement, person),
                   unsubscribe_headers(person)) for person in wanted]
        db.session.execute(update(Announcement).where(Announcement.id == announcement.id)
                           .values(mailed_count=Announcement.mailed_count + len(wanted))
                           .execution_options(synchronize_session=False))
    if rows:
        db.session.execute(insert(Notification.__table__), rows)
    queue_mails(mails)
    return len(claimed)


def finish_sent() -> int:
    """Mark queued announcements whose recipients are all sent as sent (once, by a conditional UPDATE) and
    audit each with its segment and numbers; returns how many."""
    unsent = exists().where(AnnouncementRecipient.announcement_id == Announcement.id,
                            AnnouncementRecipient.claimed_at.is_(None))
    finished = 0
    for announcement in db.session.scalars(select(Announcement).where(
            Announcement.status == "queued", Announcement.recipients_at.is_not(None), ~unsent)
            .order_by(Announcement.id)):
        done = db.session.execute(
            update(Announcement).where(Announcement.id == announcement.id, Announcement.status == "queued")
            .values(status="sent", sent_at=utcnow()).execution_options(synchronize_session=False)).rowcount == 1
        if done:
            db.session.refresh(announcement)
            record(None, "announcement.send", announcement, snapshot=announcement_snapshot(announcement))
            finished += 1
    return finished


def _mail_context(announcement: Announcement, person: User, *, test: bool = False) -> dict:
    return {"announcement": announcement, "user": person, "test": test,
            "announcement_url": absolute_url("announcements.show", announcement_id=announcement.id),
            "settings_url": absolute_url("accounts.profile"),
            "unsubscribe_url": absolute_url("announcements.unsubscribe", token=make_unsubscribe_token(person))}


# --- reading ------------------------------------------------------------------------------------------------

def announcements_query():
    """Every announcement for the moderators' list, newest first."""
    return select(Announcement).order_by(Announcement.created_at.desc(), Announcement.id.desc())
