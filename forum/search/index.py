"""Keeping the search index equal to the data: each service that writes searchable text calls the matching
function here in its own transaction, so a search never finds text that is no longer there (edited, redacted,
withdrawn) and always finds what was just written. Who may see a result is not stored here: the search applies
the permissions.visible_* filters when it reads (forum/search/engine.py), so hiding, publishing or moving
needs no re-indexing.

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

from sqlalchemy import delete, select
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


def _write(kind: str, object_id: int, *, title: str, body: str, author_id: int | None,
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


def forget(kind: str, object_id: int) -> None:
    """Remove a thing from the index (withdrawn, deleted)."""
    db.session.execute(delete(SearchDocument).where(SearchDocument.kind == kind,
                                                    SearchDocument.object_id == object_id))


def post_text(post: Post) -> str:
    """The words of a post that are its own: stored HTML as plain text, quotes of other posts left out."""
    quoted = markup.quoted_post_ids(post.body_html)
    html = markup.replace_quotes(post.body_html, {post_id: "" for post_id in quoted})
    return markup.plain_text(html)


def index_post(post: Post) -> None:
    if post.withdrawn_at is not None:
        forget("post", post.id)
        return
    _write("post", post.id, title="", body=post_text(post), author_id=post.author_id, created_at=post.created_at)


def index_thread(thread: Thread) -> None:
    if thread.event_id is not None or thread.idea_id is not None:
        return
    _write("thread", thread.id, title=thread.title, body="", author_id=thread.created_by_id,
           created_at=thread.created_at)


def index_idea(idea: Idea) -> None:
    words = [idea.summary, markup.plain_text(idea.description_html), " ".join(term.name for term in idea.terms)]
    _write("idea", idea.id, title=idea.title, body="\n".join(words), author_id=idea.author_id,
           created_at=idea.created_at)


def index_event(event: Event) -> None:
    words = [event.location, markup.plain_text(event.description_html), markup.plain_text(event.agenda_html),
             markup.plain_text(event.documentation_html)]
    _write("event", event.id, title=event.title, body="\n".join(w for w in words if w),
           author_id=event.created_by_id, created_at=event.starts_at)


def index_document(attachment: EventAttachment, text: str) -> None:
    _write("document", attachment.id, title=attachment.filename, body=text, author_id=attachment.uploaded_by_id,
           created_at=attachment.created_at)


def index_organisation(organisation: Organisation) -> None:
    body = " ".join(part for part in (organisation.region, str(LAENDER.get(organisation.land or "", ""))) if part)
    _write("organisation", organisation.id, title=organisation.name, body=body, author_id=None,
           created_at=organisation.created_at)


def reindex_all(*, batch: int = 1000, documents_text=None) -> dict[str, int]:
    """Rebuild the whole index from the data (after a restore, or after changing what is indexed); returns
    the number of documents per kind. Posts and threads, the big kinds, are inserted in batches without a
    lookup. `documents_text(attachment)` reads an attachment's text (the command passes the extractor); by
    default documents keep the text they were indexed with."""
    kept = {}
    if documents_text is None:
        kept = dict(db.session.execute(select(SearchDocument.object_id, SearchDocument.body)
                                       .where(SearchDocument.kind == "document")).all())
    db.session.execute(delete(SearchDocument))
    counts = dict.fromkeys(("post", "thread", "idea", "event", "document", "organisation"), 0)
    rows: list[dict] = []

    def insert(kind, object_id, title, body, author_id, created_at) -> None:
        body = body[:MAX_BODY_CHARS]
        rows.append({"kind": kind, "object_id": object_id, "title": title, "body": body,
                     "title_terms": terms(title), "body_terms": terms(body), "author_id": author_id,
                     "created_at": created_at, "day": (created_at.date() - _EPOCH).days})
        counts[kind] += 1
        if len(rows) >= batch:
            db.session.execute(SearchDocument.__table__.insert(), rows)
            rows.clear()

    def each(statement):
        return db.session.scalars(statement.execution_options(yield_per=batch))

    for post in each(select(Post).where(Post.withdrawn_at.is_(None)).order_by(Post.id)):
        insert("post", post.id, "", post_text(post), post.author_id, post.created_at)
    for thread in each(select(Thread).where(Thread.event_id.is_(None), Thread.idea_id.is_(None))):
        insert("thread", thread.id, thread.title, "", thread.created_by_id, thread.created_at)
    if rows:
        db.session.execute(SearchDocument.__table__.insert(), rows)
    for idea in db.session.scalars(select(Idea).options(selectinload(Idea.terms))):
        index_idea(idea)
        counts["idea"] += 1
    for event_ in db.session.scalars(select(Event)):
        index_event(event_)
        counts["event"] += 1
    for attachment in db.session.scalars(select(EventAttachment)):
        index_document(attachment, documents_text(attachment) if documents_text else kept.get(attachment.id, ""))
        counts["document"] += 1
    for organisation in db.session.scalars(select(Organisation)):
        index_organisation(organisation)
        counts["organisation"] += 1
    return counts
