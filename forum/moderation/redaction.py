"""Redaction (Schwärzen): a moderator removes a passage — typically client data — from a post so that it is gone
from everything the extranet keeps: the post and quotes of it in the same thread, every earlier version, e-mails
not sent yet, the notes of reports and the earlier audit snapshots of those posts. (Notifications and notification
mails never quote posts; there is no search index yet.) The audit entry of the redaction records that it happened
and where, never the passage.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select, update

from forum.clock import utcnow
from forum.discussion.models import Post, PostRevision
from forum.extensions import db
from forum.moderation.models import AuditEntry, Report
from forum.moderation.services import ModerationError, record, unhide_post
from forum.notifications.models import OutboxMessage

MIN_PASSAGE_CHARS = 3


@dataclass
class Redaction:
    """Where the passage was removed."""

    post_numbers: list[int] = field(default_factory=list)
    revisions: int = 0
    mails: int = 0


def _occurrences(passage: str) -> re.Pattern:
    """The passage as it stands in a post and as discussion.services.quote() copies it into replies: there a
    passage of several lines has "> " before each line (also nested, "> > ")."""
    return re.compile(r"\n(?:[ \t]*>[ \t]?)*".join(re.escape(line) for line in passage.split("\n")))


def _scrub(value, replace: Callable[[str], str]):
    """The value (a snapshot: dicts, lists, strings) with every occurrence of the passage replaced."""
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, dict):
        return {key: _scrub(item, replace) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, replace) for item in value]
    return value


def redact_post(post: Post, passage: str, *, actor, replacement: str, show_again: bool = False,
                note: str = "") -> Redaction:
    """Replace `passage` by `replacement` in the post, the quotes of it in its thread and every copy kept of
    them; close the post's open reports as "redacted"; with `show_again` show a hidden post again.

    Raises ModerationError when the passage is too short or occurs neither in the post nor in its versions.
    """
    from forum.discussion.services import render_post
    from forum.moderation.reports import close_reports

    passage = passage.replace("\r\n", "\n")
    if len(passage.strip()) < MIN_PASSAGE_CHARS:
        raise ModerationError(_("Bitte geben Sie die Stelle mit mindestens %(count)s Zeichen an.",
                                count=MIN_PASSAGE_CHARS))
    if passage in replacement:
        raise ModerationError(_("Der Ersatztext darf die zu entfernende Stelle nicht enthalten."))
    pattern = _occurrences(passage)
    probe = max(passage.split("\n"), key=len)  # in every occurrence, quoted or not: narrows the search in SQL

    def replace(text: str) -> str:
        return pattern.sub(lambda _match: replacement, text)

    thread_posts = select(Post.id).where(Post.thread_id == post.thread_id)
    posts = [each for each in db.session.scalars(
        select(Post).where(Post.thread_id == post.thread_id, Post.body_source.contains(probe, autoescape=True))
        .order_by(Post.number)) if pattern.search(each.body_source)]
    revisions = [revision for revision in db.session.scalars(
        select(PostRevision).where(PostRevision.post_id.in_(thread_posts),
                                   PostRevision.body_source.contains(probe, autoescape=True)))
        if pattern.search(revision.body_source)]
    if post not in posts and not any(revision.post_id == post.id for revision in revisions):
        raise ModerationError(_("Diese Stelle kommt weder im Beitrag noch in seinen früheren Fassungen vor. "
                                "Bitte kopieren Sie sie genau aus dem Text."))
    now = utcnow()
    for each in posts:
        source = replace(each.body_source)
        db.session.execute(update(Post).where(Post.id == each.id).values(
            body_source=source, body_html=render_post(source)[0], redacted_at=now, version=Post.version + 1)
            .execution_options(synchronize_session=False))
        db.session.expire(each)
    for revision in revisions:
        revision.body_source = replace(revision.body_source)
    changed_ids = {each.id for each in posts} | {revision.post_id for revision in revisions} | {post.id}
    mails = _scrub_copies(changed_ids, probe, replace)
    db.session.flush()
    result = Redaction(sorted({each.number for each in posts} | _numbers(revisions)), len(revisions), mails)
    record(actor, "post.redact", post, snapshot={
        "thread": post.thread.title, "thread_id": post.thread_id, "number": post.number,
        "author": post.author.display_name, "posts": result.post_numbers, "revisions": result.revisions,
        "mails": result.mails})
    close_reports(post, actor=actor, outcome="redacted", note=note.replace(passage, replacement))
    if show_again and post.is_hidden:
        unhide_post(post, actor=actor, reason=_("Nach der Schwärzung wieder eingeblendet."))
    return result


def _numbers(revisions: list[PostRevision]) -> set[int]:
    if not revisions:
        return set()
    return set(db.session.scalars(select(Post.number).where(Post.id.in_({r.post_id for r in revisions}))))


def _scrub_copies(post_ids: set[int], probe: str, replace: Callable[[str], str]) -> int:
    """Remove the passage from unsent mails, the reports of the posts and their audit snapshots; returns the
    number of mails changed. `probe` is a part of the passage for the SQL search, `replace` removes it."""
    mails = 0
    for message in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.body.contains(probe, autoescape=True) | OutboxMessage.subject.contains(
                probe, autoescape=True))):
        body, subject = replace(message.body), replace(message.subject)
        if (body, subject) != (message.body, message.subject):
            message.body, message.subject = body, subject
            mails += 1
    for post in db.session.scalars(select(Post).where(Post.id.in_(post_ids),
                                                      Post.hidden_note.contains(probe, autoescape=True))):
        post.hidden_note = replace(post.hidden_note)
    for report in db.session.scalars(select(Report).where(Report.post_id.in_(post_ids))):
        report.note = replace(report.note)
        report.resolution_note = replace(report.resolution_note)
    # The only change ever made to audit entries: data protection outranks the letter of a snapshot.
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "posts",
                                                             AuditEntry.target_id.in_(post_ids))):
        entry.snapshot = _scrub(entry.snapshot, replace)
        entry.reason = replace(entry.reason)
    return mails
