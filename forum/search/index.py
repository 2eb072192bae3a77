"""Keeping the search index equal to the data: each service that writes searchable text calls the matching
function here in its own transaction, so a search never finds text that is no longer there (edited, redacted,
withdrawn) and always finds what was just written.

Who may find a document is decided by the permissions.visible_* filters (engine._visible). Each document also
stores its audience (engine.audience(): "all" members, "some", "none"), derived from those same filters by
refresh_audience(), so that a search checks the filters only for the few documents of audience "some". Every
change of what the filters answer for a document refreshes it in the same transaction: writing it (_write),
hiding and showing a post (moderation/services.py), an idea's status (ideas/services.py: its own document and
its discussion's posts). Moving a standalone thread between Fachforen changes nobody's view.

What is indexed of each kind:
- post: its text without the quotes of other posts (a quote is a copy; the quoted post is found by itself, and
  only by those who may read it); a withdrawn post is removed.
- thread: the title of a Fachforum or follow-up thread (main threads of events and ideas carry their title).
- idea: title, summary, structured text, Handlungsfelder, Zielgruppen and Kooperationspartner.
- event: title, place, description, agenda, documentation.
- document: an attachment's file name and the text extracted from it (forum/search/extract.py).
- organisation: name, region, Land.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select, text, true, update
from sqlalchemy.orm import selectinload

from forum import markup
from forum.clock import utcnow
from forum.discussion.models import Post, Thread
from forum.events.models import Event, EventAttachment
from forum.extensions import db
from forum.ideas.models import Idea
from forum.organisations.models import LAENDER, Organisation
from forum.search.models import SearchDocument
from forum.search.text import terms

MAX_BODY_CHARS = 100_000  # of plain text per document (a long PDF is indexed by its beginning)
_EPOCH = date(2000, 1, 1)


def _write(kind: str, object_id: int, title: str, body: str, author_id: int | None,
           created_at: datetime | None) -> None:
    body = body[:MAX_BODY_CHARS]
    created_at = created_at or utcnow()
    document = db.session.scalar(select(SearchDocument).where(SearchDocument.kind == kind,
                                                              SearchDocument.object_id == object_id))
    if document is None:
        document = SearchDocument(kind=kind, object_id=object_id)
        db.session.add(document)
    document.title, document.body = title, body
    document.title_terms, document.body_terms = terms(title), terms(body)
    document.author_id, document.created_at = author_id, created_at
    document.day = (created_at.date() - _EPOCH).days
    db.session.flush()
    refresh_audience(kind, SearchDocument.object_id == object_id)


def refresh_audience(kind: str, which) -> None:
    """Store who may find the documents of a kind that match `which` (a condition on SearchDocument), as
    engine.audience() derives it from the visible_* filters; rows that already say so are not written."""
    from forum.search.engine import audience  # the engine reads the index; the index asks it only here

    value = audience(kind)
    db.session.execute(update(SearchDocument).where(SearchDocument.kind == kind, which,
                                                    SearchDocument.audience != value)
                       .values(audience=value).execution_options(synchronize_session=False))


def follow_post_state(post: Post) -> None:
    """A post was hidden or shown again."""
    refresh_audience("post", SearchDocument.object_id == post.id)


def follow_idea_status(idea: Idea) -> None:
    """An idea's status changed: the idea and the posts of its discussion may be found by others now."""
    refresh_audience("idea", SearchDocument.object_id == idea.id)
    refresh_audience("post", SearchDocument.object_id.in_(
        select(Post.id).join(Thread, Post.thread_id == Thread.id).where(Thread.idea_id == idea.id)))


def forget(kind: str, object_id: int) -> None:
    """Remove a thing from the index (withdrawn, deleted)."""
    db.session.execute(delete(SearchDocument).where(SearchDocument.kind == kind,
                                                    SearchDocument.object_id == object_id))


def post_text(post: Post) -> str:
    """The words of a post that are its own: stored HTML as plain text, quotes of other posts left out."""
    quoted = markup.quoted_post_ids(post.body_html)
    html = markup.replace_quotes(post.body_html, {post_id: "" for post_id in quoted})
    return markup.plain_text(html)


# What is indexed of each kind: (kind, object id, title, body, author id, created at).

def _post(post) -> tuple:
    return "post", post.id, "", post_text(post), post.author_id, post.created_at


def _thread(thread: Thread) -> tuple:
    return "thread", thread.id, thread.title, "", thread.created_by_id, thread.created_at


def _idea(idea: Idea) -> tuple:
    words = [idea.summary, markup.plain_text(idea.description_html), " ".join(term.name for term in idea.terms)]
    return "idea", idea.id, idea.title, "\n".join(words), idea.author_id, idea.created_at


def _event(event: Event) -> tuple:
    words = [event.location, markup.plain_text(event.description_html), markup.plain_text(event.agenda_html),
             markup.plain_text(event.documentation_html)]
    return "event", event.id, event.title, "\n".join(w for w in words if w), event.created_by_id, event.starts_at


def _document(attachment: EventAttachment, text: str) -> tuple:
    return ("document", attachment.id, attachment.filename, text, attachment.uploaded_by_id,
            attachment.created_at)


def _organisation(organisation: Organisation) -> tuple:
    body = " ".join(part for part in (organisation.region, str(LAENDER.get(organisation.land or "", ""))) if part)
    return "organisation", organisation.id, organisation.name, body, None, organisation.created_at


def index_post(post: Post) -> None:
    if post.withdrawn_at is not None:
        forget("post", post.id)
        return
    _write(*_post(post))


def index_thread(thread: Thread) -> None:
    if thread.event_id is not None or thread.idea_id is not None:
        return
    _write(*_thread(thread))


def index_idea(idea: Idea) -> None:
    _write(*_idea(idea))


def index_event(event: Event) -> None:
    _write(*_event(event))


def index_document(attachment: EventAttachment, text: str) -> None:
    _write(*_document(attachment, text))


def index_organisation(organisation: Organisation) -> None:
    _write(*_organisation(organisation))


def reindex_all(*, batch: int = 1000, documents_text=None) -> dict[str, int]:
    """Rebuild the whole index from the data (after a restore, or after changing what is indexed); returns
    the number of documents per kind. Every kind is inserted in batches without a lookup (posts read as plain
    rows, not objects), then the audience of each kind is stored with one statement. `documents_text(attachment)`
    reads an attachment's text (the command passes the extractor); by default documents keep the text they were
    indexed with."""
    kept = {}
    if documents_text is None:
        kept = dict(db.session.execute(select(SearchDocument.object_id, SearchDocument.body)
                                       .where(SearchDocument.kind == "document")).all())
    db.session.execute(delete(SearchDocument))
    if db.session.get_bind().dialect.name == "sqlite":  # the terms of documents gone go too (models.py)
        db.session.execute(text("DELETE FROM search_fts_terms"))
    counts = dict.fromkeys(("post", "thread", "idea", "event", "document", "organisation"), 0)
    rows: list[dict] = []

    def insert(kind, object_id, title, body, author_id, created_at) -> None:
        body = body[:MAX_BODY_CHARS]
        rows.append({"kind": kind, "object_id": object_id, "title": title, "body": body,
                     "title_terms": terms(title), "body_terms": terms(body), "author_id": author_id,
                     "created_at": created_at, "day": (created_at.date() - _EPOCH).days, "audience": "all"})
        counts[kind] += 1
        if len(rows) >= batch:
            db.session.execute(SearchDocument.__table__.insert(), rows)
            rows.clear()

    def each(statement):
        return db.session.scalars(statement.execution_options(yield_per=batch))

    posts = select(Post.id, Post.body_html, Post.author_id, Post.created_at).where(Post.withdrawn_at.is_(None))
    for post in db.session.execute(posts.order_by(Post.id).execution_options(yield_per=batch)):
        insert(*_post(post))
    for thread in each(select(Thread).where(Thread.event_id.is_(None), Thread.idea_id.is_(None))):
        insert(*_thread(thread))
    for idea in each(select(Idea).options(selectinload(Idea.terms))):
        insert(*_idea(idea))
    for event_ in each(select(Event)):
        insert(*_event(event_))
    for attachment in db.session.scalars(select(EventAttachment)):
        insert(*_document(attachment, documents_text(attachment) if documents_text else kept.get(attachment.id, "")))
    for organisation in db.session.scalars(select(Organisation)):
        insert(*_organisation(organisation))
    if rows:
        db.session.execute(SearchDocument.__table__.insert(), rows)
    for kind in counts:  # inserted as "all": only the rows the filters answer otherwise are written again
        refresh_audience(kind, true())
    return counts
