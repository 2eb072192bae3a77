"""Redaction (Schwärzen): a moderator removes a passage — typically client data — in one action from everything
the extranet keeps of a text, and the audit entry records that it happened and where, never the passage.

- A post: the post and every post of its thread holding the passage, every quote of it in any other thread
  (quotes link their source post, see discussion/quotes.py; quotes of quotes too), the earlier versions of all
  of them, e-mails not sent yet, the notes of their reports and their earlier audit snapshots.
- A thread's title: the title, e-mails not sent yet (subjects too) and the audit snapshots naming the thread
  (its own, its posts', the follow-up links of events) — also the "before" of a `thread.rename`.
- An idea: its title, summary, description (the whole and each section) and contact, every earlier version,
  its discussion's title, e-mails not sent yet and the audit snapshots of the idea, its discussion and the
  discussion's posts.

(Notifications and notification mails never quote posts; there is no search index yet.)
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Column, or_, select, update

from forum import markup
from forum.audit import AuditEntry, record
from forum.clock import utcnow
from forum.discussion import quotes
from forum.discussion.models import Post, PostRevision, Thread
from forum.discussion.services import render_post
from forum.extensions import db
from forum.ideas.models import Idea, IdeaRevision
from forum.moderation.models import Report
from forum.moderation.services import ModerationError, close_reports, unhide_post
from forum.notifications.models import OutboxMessage
from forum.search import index as search_index

MIN_PASSAGE_CHARS = 3
QUOTE_ROUNDS = 5  # quotes of quotes of quotes … followed this deep across threads


@dataclass
class Redaction:
    """Where the passage was removed from a post: posts of its thread (numbers), quotes in other threads
    ((thread id, number)), earlier versions, unsent mails."""

    post_numbers: list[int] = field(default_factory=list)
    revisions: int = 0
    mails: int = 0
    elsewhere: list[tuple[int, int]] = field(default_factory=list)

    @property
    def post_count(self) -> int:
        return len(self.post_numbers) + len(self.elsewhere)


@dataclass
class TextRedaction:
    """Where the passage was removed from a thread's title or an idea: the fields (names), earlier versions,
    unsent mails and audit entries."""

    fields: list[str] = field(default_factory=list)
    revisions: int = 0
    mails: int = 0
    entries: int = 0


@dataclass(frozen=True)
class _Passage:
    """A checked passage: how to find it (also quoted over several lines), a part of it for SQL, the replacement."""

    pattern: re.Pattern
    probe: str
    replacement: str

    def replace(self, text: str) -> str:
        return self.pattern.sub(lambda _match: self.replacement, text)

    def found_in(self, text: str | None) -> bool:
        return bool(text) and self.pattern.search(text) is not None


def _occurrences(passage: str) -> re.Pattern:
    """The passage as it stands in a text and as discussion.quotes.quote() copies it into replies: there a
    passage of several lines has "> " before each line (also nested, "> > ")."""
    return re.compile(r"\n(?:[ \t]*>[ \t]?)*".join(re.escape(line) for line in passage.split("\n")))


def _checked(passage: str, replacement: str) -> _Passage:
    """Raises ModerationError for a passage too short or contained in its replacement."""
    passage = passage.replace("\r\n", "\n")
    if len(passage.strip()) < MIN_PASSAGE_CHARS:
        raise ModerationError(_("Bitte geben Sie die Stelle mit mindestens %(count)s Zeichen an.",
                                count=MIN_PASSAGE_CHARS))
    if passage in replacement:
        raise ModerationError(_("Der Ersatztext darf die zu entfernende Stelle nicht enthalten."))
    # in every occurrence, quoted or not: narrows the search in SQL
    return _Passage(_occurrences(passage), max(passage.split("\n"), key=len), replacement)


def _scrub(value, replace: Callable[[str], str]):
    """The value (a snapshot: dicts, lists, strings) with every occurrence of the passage replaced."""
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, dict):
        return {key: _scrub(item, replace) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, replace) for item in value]
    return value


def _one_line(text: str, limit: int) -> str:
    """A title-like field after a replacement: one line, within its column's length."""
    return " ".join(text.split())[:limit]


# --- posts --------------------------------------------------------------------------------------------------

def _containing(column: Column, passage: _Passage):
    return column.contains(passage.probe, autoescape=True)


def _affected_posts(post: Post, passage: _Passage) -> tuple[list[Post], list[tuple[PostRevision, int]]]:
    """The posts and earlier versions (with their thread) holding the passage: those of the post's thread, and
    anywhere those quoting one of the posts found so far (followed QUOTE_ROUNDS deep)."""
    posts = {each.id: each for each in db.session.scalars(
        select(Post).where(Post.thread_id == post.thread_id, _containing(Post.body_source, passage)))
        if passage.found_in(each.body_source)}
    revisions = {revision.id: (revision, thread_id) for revision, thread_id in db.session.execute(
        select(PostRevision, Post.thread_id).join(Post, Post.id == PostRevision.post_id)
        .where(Post.thread_id == post.thread_id, _containing(PostRevision.body_source, passage)))
        if passage.found_in(revision.body_source)}
    sources = {post.id} | set(posts) | {revision.post_id for revision, _thread in revisions.values()}
    followed: set[int] = set()
    for _round in range(QUOTE_ROUNDS):
        new = sources - followed
        if not new:
            break
        followed |= new
        quoting_posts = or_(*(quotes.quoting_filter(post_id, Post.body_source) for post_id in sorted(new)))
        for each in db.session.scalars(select(Post).where(_containing(Post.body_source, passage), quoting_posts)):
            if (each.id not in posts and passage.found_in(each.body_source)
                    and quotes.quoted_ids(each.body_source) & new):
                posts[each.id] = each
                sources.add(each.id)
        quoting_revisions = or_(*(quotes.quoting_filter(post_id, PostRevision.body_source) for post_id in sorted(new)))
        for revision, thread_id in db.session.execute(
                select(PostRevision, Post.thread_id).join(Post, Post.id == PostRevision.post_id)
                .where(_containing(PostRevision.body_source, passage), quoting_revisions)):
            if (revision.id not in revisions and passage.found_in(revision.body_source)
                    and quotes.quoted_ids(revision.body_source) & new):
                revisions[revision.id] = (revision, thread_id)
                sources.add(revision.post_id)
    return (sorted(posts.values(), key=lambda each: (each.thread_id != post.thread_id, each.thread_id, each.number)),
            list(revisions.values()))


def redact_post(post: Post, passage: str, *, actor, replacement: str, show_again: bool = False,
                note: str = "") -> Redaction:
    """Replace `passage` by `replacement` in the post, the posts of its thread, the quotes of it anywhere and every
    copy kept of them; close the post's open reports as "redacted"; with `show_again` show a hidden post again.

    Raises ModerationError when the passage is too short or occurs neither in the post nor in its versions.
    """
    found = _checked(passage, replacement)
    posts, revisions = _affected_posts(post, found)
    if post not in posts and not any(revision.post_id == post.id for revision, _thread in revisions):
        raise ModerationError(_("Diese Stelle kommt weder im Beitrag noch in seinen früheren Fassungen vor. "
                                "Bitte kopieren Sie sie genau aus dem Text."))
    now = utcnow()
    for each in posts:
        source = found.replace(each.body_source)
        db.session.execute(update(Post).where(Post.id == each.id).values(
            body_source=source, body_html=render_post(source)[0], redacted_at=now, version=Post.version + 1)
            .execution_options(synchronize_session=False))
        db.session.expire(each)
    for revision, _thread in revisions:
        revision.body_source = found.replace(revision.body_source)
    changed_ids = {each.id for each in posts} | {revision.post_id for revision, _thread in revisions} | {post.id}
    mails = _scrub_mails(found)
    _scrub_post_copies(changed_ids, found)
    db.session.flush()
    for each in posts:
        search_index.index_post(each)
    places = _places(changed_ids)
    result = Redaction(sorted(number for thread_id, number in places if thread_id == post.thread_id),
                       len(revisions), mails,
                       sorted((thread_id, number) for thread_id, number in places if thread_id != post.thread_id))
    record(actor, "post.redact", post, snapshot={
        "thread": post.thread.title, "thread_id": post.thread_id, "number": post.number,
        "author": post.author.display_name, "posts": result.post_numbers, "revisions": result.revisions,
        "mails": result.mails, "elsewhere": [{"thread_id": thread_id, "number": number}
                                             for thread_id, number in result.elsewhere]})
    close_reports(post, actor=actor, outcome="redacted", note=found.replace(note.replace("\r\n", "\n")))
    if show_again and post.is_hidden:
        unhide_post(post, actor=actor, reason=_("Nach der Schwärzung wieder eingeblendet."))
    return result


def _places(post_ids: set[int]) -> list[tuple[int, int]]:
    """(thread id, number) of the posts."""
    if not post_ids:
        return []
    return [tuple(row) for row in db.session.execute(select(Post.thread_id, Post.number)
                                                     .where(Post.id.in_(post_ids)))]


# --- a thread's title ----------------------------------------------------------------------------------------

def redact_thread(thread: Thread, passage: str, *, actor, replacement: str) -> TextRedaction:
    """Replace `passage` by `replacement` in the thread's title, in unsent mails and in the audit snapshots that
    name the thread; audited as "thread.redact" without the passage.

    Raises ModerationError when the passage is too short or not in the title.
    """
    found = _checked(passage, replacement)
    if not found.found_in(thread.title):
        raise ModerationError(_("Diese Stelle kommt im Titel der Diskussion nicht vor. Bitte kopieren Sie sie "
                                "genau aus dem Titel."))
    thread.title = _one_line(found.replace(thread.title), Thread.title.type.length)
    result = TextRedaction(fields=["title"], mails=_scrub_mails(found))
    db.session.flush()
    search_index.index_thread(thread)
    result.entries = _scrub_audit(found, *_thread_entries(thread))
    record(actor, "thread.redact", thread, snapshot={
        "title": thread.title, "board": thread.board.title if thread.board else None, "fields": result.fields,
        "mails": result.mails, "entries": result.entries})
    return result


def _thread_entries(thread: Thread) -> list:
    """Audit entries that name the thread: its own, its posts' and the follow-up links of events to it."""
    return [(AuditEntry.target_type == "threads") & (AuditEntry.target_id == thread.id),
            (AuditEntry.target_type == "posts") & AuditEntry.target_id.in_(select(Post.id).where(
                Post.thread_id == thread.id)),
            (AuditEntry.target_type == "events") & AuditEntry.action.startswith("event.follow_up.")]


# --- an idea ------------------------------------------------------------------------------------------------

IDEA_FIELDS = ("title", "summary", "description", "contact")


def redact_idea(idea, passage: str, *, actor, replacement: str) -> TextRedaction:
    """Replace `passage` by `replacement` in the idea's title, summary, description (the whole and its sections)
    and contact, in every earlier version, in its discussion's title, in unsent mails and in the audit snapshots
    of the idea, its discussion and the discussion's posts; audited as "idea.redact" (which fields, how many
    versions) without the passage.

    Raises ModerationError when the passage is too short or neither in the idea nor in its versions.
    """
    found = _checked(passage, replacement)
    revisions = [revision for revision in db.session.scalars(
        select(IdeaRevision).where(IdeaRevision.idea_id == idea.id).order_by(IdeaRevision.id))
        if any(found.found_in(text) for text in (revision.title, revision.summary, revision.description_source))]
    description = (idea.description_source, *idea.sections.values())
    fields = [name for name, found_here in zip(IDEA_FIELDS, (
        found.found_in(idea.title), found.found_in(idea.summary), any(found.found_in(text) for text in description),
        found.found_in(idea.contact))) if found_here]
    if not fields and not revisions:
        raise ModerationError(_("Diese Stelle kommt weder im Ansatz noch in seinen früheren Fassungen vor. "
                                "Bitte kopieren Sie sie genau aus dem Text."))
    if "title" in fields:
        idea.title = _one_line(found.replace(idea.title), Idea.title.type.length)
    if "summary" in fields:
        idea.summary = _one_line(found.replace(idea.summary), Idea.summary.type.length)
    if "description" in fields:  # the whole and every section: the whole may differ (written before sections)
        idea.description_source = found.replace(idea.description_source)
        idea.description_html = markup.render(idea.description_source)
        for key, text in idea.sections.items():
            setattr(idea, f"{key}_source", found.replace(text))
    if "contact" in fields:
        idea.contact = _one_line(found.replace(idea.contact), Idea.contact.type.length)
    for revision in revisions:
        revision.title = _one_line(found.replace(revision.title), IdeaRevision.title.type.length)
        revision.summary = _one_line(found.replace(revision.summary), IdeaRevision.summary.type.length)
        revision.description_source = found.replace(revision.description_source)
    thread = idea.thread
    if thread is not None and found.found_in(thread.title):
        thread.title = _one_line(found.replace(thread.title), Thread.title.type.length)
        fields.append("thread")
    result = TextRedaction(fields=fields, revisions=len(revisions), mails=_scrub_mails(found))
    db.session.flush()
    search_index.index_idea(idea)
    entries = [(AuditEntry.target_type == "ideas") & (AuditEntry.target_id == idea.id)]
    result.entries = _scrub_audit(found, *entries, *(_thread_entries(thread) if thread is not None else []))
    record(actor, "idea.redact", idea, snapshot={
        "title": idea.title, "fields": result.fields, "revisions": result.revisions, "mails": result.mails,
        "entries": result.entries})
    return result


# --- the copies ---------------------------------------------------------------------------------------------

def _scrub_mails(passage: _Passage) -> int:
    """Remove the passage from the subjects and bodies of mails not sent yet; returns how many changed."""
    mails = 0
    for message in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None),
            _containing(OutboxMessage.body, passage) | _containing(OutboxMessage.subject, passage))):
        body = passage.replace(message.body)
        subject = _one_line(passage.replace(message.subject), OutboxMessage.subject.type.length)
        if (body, subject) != (message.body, message.subject):
            message.body, message.subject = body, subject
            mails += 1
    return mails


def _scrub_post_copies(post_ids: set[int], passage: _Passage) -> None:
    """Remove the passage from the hide notes, the reports and the audit snapshots of the posts."""
    for post in db.session.scalars(select(Post).where(Post.id.in_(post_ids),
                                                      _containing(Post.hidden_note, passage))):
        post.hidden_note = passage.replace(post.hidden_note)
    for report in db.session.scalars(select(Report).where(Report.post_id.in_(post_ids))):
        report.note = passage.replace(report.note)
        report.resolution_note = passage.replace(report.resolution_note)
    _scrub_audit(passage, (AuditEntry.target_type == "posts") & AuditEntry.target_id.in_(post_ids))


def _scrub_audit(passage: _Passage, *conditions) -> int:
    """Remove the passage from the snapshots and reasons of the audit entries matching any of the conditions;
    returns how many changed. The only change ever made to audit entries: data protection outranks the letter
    of a snapshot. (Snapshots are JSON whose text may escape umlauts, so the passage is looked for in Python.)"""
    changed = 0
    for entry in db.session.scalars(select(AuditEntry).where(or_(*conditions))):
        snapshot, reason = _scrub(entry.snapshot, passage.replace), passage.replace(entry.reason)
        if (snapshot, reason) != (entry.snapshot, entry.reason):
            entry.snapshot, entry.reason = snapshot, reason
            changed += 1
    return changed
