"""Delete my account (Art. 17 DSGVO), by the member or by an admin: the person is anonymised, not the rows.

What stays, without anything that names the person: the account row itself as "ehemaliges Mitglied" (status
"deleted", a placeholder address on the reserved .invalid domain, no function, an unusable password), so that
- their posts stay in their threads, shown as by "ehemaliges Mitglied" (unless they chose to withdraw them:
  discussion.services.withdraw_post, which also takes the text out of the search index);
- their votes stay counted: the vote rows keep pointing at the anonymised row, which no longer says who it was,
  so `Idea.vote_count` and a recount agree and one vote per account still holds;
- ideas they submitted stay with their Jobcenter (the organisation is not personal data); the author is shown
  as "ehemaliges Mitglied" and the idea's contact line is cleared;
- attendance of past events stays as a count for the closing reports.
What goes: follows, notifications, read positions, the calendar feed, export files, unsent mails to the
address, the name and address on barriers they reported (the report stays for the office), registrations for
events still to come (through events.services.cancel_registration, so the waiting list moves up), every
session. Names and addresses in earlier audit snapshots about the account are replaced.
The deletion itself is audited with role, organisation and counts — never the name or the address.
"""
from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from forum.accounts import services as account_services
from forum.accounts.models import FORMER_MEMBER, User
from forum.audit import AuditEntry, record
from forum.clock import utcnow
from forum.discussion import mentions, quotes
from forum.discussion.models import Post, PostRevision, ThreadRead
from forum.discussion.services import render_post, withdraw_post
from forum.events.calendar import revoke_calendar_feed
from forum.events.models import Event, EventRegistration
from forum.events.services import cancel_registration
from forum.extensions import db
from forum.feedback.models import BarrierReport
from forum.ideas.models import Idea
from forum.notifications.models import Follow, Notification, OutboxMessage
from forum.privacy.exports import delete_export_file
from forum.privacy.models import DataExport
from forum.rules import RuleBroken
from forum.search.index import index_idea, index_post

PLACEHOLDER_DOMAIN = "geloescht.invalid"  # RFC 2606: .invalid never resolves, so no mail can reach anyone


class DeletionError(RuleBroken):
    """An account that may not be deleted now."""


def placeholder_email(user_id: int) -> str:
    """A unique address no mail can be delivered to."""
    return f"geloescht-{user_id}@{PLACEHOLDER_DOMAIN}"


def is_last_admin(user) -> bool:
    """Whether this is the only active admin (deleting it would leave nobody to run the extranet)."""
    if user.role != "admin" or user.status != "active":
        return False
    others = db.session.scalar(select(func.count(User.id)).where(User.role == "admin", User.status == "active",
                                                                 User.id != user.id))
    return others == 0


def delete_account(user: User, *, actor: User, withdraw_posts: bool = False) -> dict[str, int]:
    """Anonymise the account (see the module docstring); returns what was done, counted. `actor` is the user
    themself or the admin who deleted it. Raises DeletionError for the last admin or an account deleted already."""
    if user.status == "deleted":
        raise DeletionError(_("Dieses Konto ist bereits gelöscht."))
    if is_last_admin(user):
        raise DeletionError(_("Das letzte Administrationskonto kann nicht gelöscht werden. Bitte geben Sie zuerst "
                              "einer anderen Person die Rolle Administration."))
    counts = {"posts_withdrawn": 0, "registrations_cancelled": 0}
    if withdraw_posts:
        for post in db.session.scalars(select(Post).where(Post.author_id == user.id, Post.withdrawn_at.is_(None))
                                       .order_by(Post.id)).all():
            counts["posts_withdrawn"] += withdraw_post(post, actor=user)
    upcoming = db.session.scalars(
        select(Event).join(EventRegistration, EventRegistration.event_id == Event.id)
        .where(EventRegistration.user_id == user.id, EventRegistration.status.in_(("registered", "waiting")),
               Event.starts_at > utcnow()).order_by(Event.id)).all()
    for event in upcoming:
        counts["registrations_cancelled"] += cancel_registration(user, event) is not None
    old_email, old_name = user.email, user.display_name
    for model in (Follow, Notification, ThreadRead):
        db.session.execute(delete(model).where(model.user_id == user.id))
    revoke_calendar_feed(user)
    for export in db.session.scalars(select(DataExport).where(DataExport.user_id == user.id)).all():
        delete_export_file(export)
        db.session.delete(export)
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == old_email,
                                                   OutboxMessage.sent_at.is_(None)))
    for idea in db.session.scalars(select(Idea).where(Idea.author_id == user.id)).all():
        idea.contact = ""
    db.session.execute(update(BarrierReport).where(BarrierReport.user_id == user.id).values(name="", email=""))
    counts["posts_renamed"] = forget_in_posts(user, old_name)
    anonymise(user)
    account_services.end_all_sessions(user)
    forget_in_audit(user.id, old_email, old_name)
    for idea in db.session.scalars(select(Idea).where(Idea.author_id == user.id)).all():
        index_idea(idea)
    action = "user.delete_self" if actor.id == user.id else "user.delete"
    record(actor, action, user, snapshot={"role": user.role, "organisation": user.organisation.name,
                                          "withdraw_posts": withdraw_posts, **counts})
    return counts


def anonymise(user: User) -> None:
    """Overwrite everything that says who the person was; the row stays for what others still see."""
    user.display_name, user.email, user.function = FORMER_MEMBER, placeholder_email(user.id), ""
    user.password_hash = "!" + secrets.token_hex(32)  # matches no password (not a werkzeug hash)
    user.status, user.status_reason, user.suspended_until = "deleted", "", None
    user.email_notifications, user.announcement_emails = "never", False
    user.last_login_at = user.news_read_at = None
    db.session.flush()


def forget_in_posts(user: User, name: str) -> int:
    """Others' copies of the name: the attribution of quotes of the person's posts and the @mentions linked to
    them (their name and organisation), in posts and their earlier versions, now read "ehemaliges Mitglied";
    the posts are rendered and indexed again (their version goes up, so an edit begun before does not bring the
    name back). Quotes of a namesake stay theirs. Returns how many posts changed."""
    their_posts = set(db.session.scalars(select(Post.id).where(Post.author_id == user.id)))
    attribution = quotes.attribution_of(name)
    linked = mentions.linked_mention(name, user.organisation_id)
    mentioning = Post.body_html.contains(linked, autoescape=True)
    changed = []
    for post in db.session.scalars(select(Post).where(or_(Post.body_source.contains(attribution, autoescape=True),
                                                          mentioning)).order_by(Post.id)).all():
        source = quotes.rename_attribution(post.body_source, their_posts, name, FORMER_MEMBER)
        if linked in post.body_html:
            source = mentions.rename_mentions(source, name, FORMER_MEMBER)
        if source != post.body_source:
            post.body_source, post.body_html = source, render_post(source)[0]
            post.version += 1
            changed.append(post.id)
            index_post(post)
    for revision in db.session.scalars(select(PostRevision).where(or_(
            PostRevision.body_source.contains(attribution, autoescape=True), PostRevision.post_id.in_(changed)))):
        source = quotes.rename_attribution(revision.body_source, their_posts, name, FORMER_MEMBER)
        revision.body_source = mentions.rename_mentions(source, name, FORMER_MEMBER)
    db.session.flush()
    return len(changed)


def forget_in_audit(user_id: int, email: str, name: str) -> int:
    """Replace the name and address in snapshots of audit entries about the account, its posts (whose snapshots
    name the author) and its ideas (whose contact line is cleared); the entries, their times and reasons stay.
    Returns how many entries changed."""
    changed = 0
    their_posts = select(Post.id).where(Post.author_id == user_id)
    their_ideas = select(Idea.id).where(Idea.author_id == user_id)
    about = select(AuditEntry).where(or_(
        (AuditEntry.target_type == User.__tablename__) & (AuditEntry.target_id == user_id),
        (AuditEntry.target_type == Post.__tablename__) & AuditEntry.target_id.in_(their_posts),
        (AuditEntry.target_type == Idea.__tablename__) & AuditEntry.target_id.in_(their_ideas)))
    replacements = {email: placeholder_email(user_id), name: FORMER_MEMBER}
    for entry in db.session.scalars(about):
        snapshot = _replace(entry.snapshot, replacements)
        if snapshot != entry.snapshot:
            entry.snapshot = snapshot
            changed += 1
    db.session.flush()
    return changed


def _replace(value, replacements: dict[str, str]):
    """The value with the replacements made in every string of it, and every "contact" line emptied."""
    if isinstance(value, dict):
        return {key: "" if key == "contact" else _replace(item, replacements) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, replacements) for item in value]
    if isinstance(value, str) and value in replacements:
        return replacements[value]
    return value
