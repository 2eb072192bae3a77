"""The search itself: one module that hides which database answers.

A search is two statements whatever the data size: the counts per kind with one page of matching documents,
and (per kind on that page) the rows to show. Every document passes the same rule as its page — the
permissions.visible_* filters, applied in SQL — and posts only with the text everyone sees (never a hidden,
pending or withdrawn post, also not for its author or the moderation: they have the thread page for that).

Speed with a million posts (bench/search.py): a common word matches hundreds of thousands of documents, and
counting or ranking them all took seconds. So each kind contributes at most its CANDIDATES + 1 latest matching
documents the user may see (newest index rows first, read in that order from the full-text index and stopped
early), the tabs say "200+" beyond that, and relevance orders those candidates. Below CANDIDATES nothing
differs from counting and ranking everything. Visibility and filters are correlated EXISTS checks per document
(_among) instead of IN-lists of every visible post.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime, time, timedelta

from flask import url_for
from markupsafe import Markup
from flask_babel import format_number
from sqlalchemy import (case, column, desc, exists, false, func, literal, literal_column, null, or_, select, table,
                        text, union_all)
from sqlalchemy.orm import joinedload

from forum import permissions
from forum.accounts.models import User
from forum.clock import from_berlin, utcnow
from forum.discussion.models import Post, Thread
from forum.events.models import Event, EventAttachment
from forum.extensions import db
from forum.ideas.models import Idea, IdeaEvent, idea_terms
from forum.organisations.models import Organisation
from forum.queries import Page
from forum.search.models import KINDS, SearchDocument
from forum.search.text import Query, fts5_expression, snippet, tsquery_expression

PER_PAGE = 20
MAX_PAGE = 10  # deep pages of a full-text search are never what anyone wants; a filter or the date order is
CANDIDATES = PER_PAGE * MAX_PAGE  # per kind: counted up to this ("200+" beyond) and ranked (see above)
# PostgreSQL reads at least this many newest matches of audience "all" (then keeps CANDIDATES + 1) when no filter
# narrows them. It chooses between walking the newest documents and sorting the GIN index's matches by the limit;
# a word too rare for its statistics is estimated at about 2,000 posts of a million, and for 201 of those it
# walked all million posts when the few matches lay far back (550 ms to 1.7 s instead of 30 ms). Measured with
# the benchmark's rare words, 301 already kept the sort; 501 leaves a margin, and walks common words 15-20 ms
# faster than 1,001 did. A filter lowers its estimate enough to keep it off the walk, and with a filter each of
# the 501 was walked for (Land: 190 -> 150 ms with 201).
PLANNED_LIMIT = 501
_EPOCH = date(2000, 1, 1)
RECENCY_DAYS = 730.0  # a two-year-old document counts half as much as one of today with the same words


@dataclass
class Filters:
    """What the filters of the search page narrow to (None: not narrowed)."""

    board_id: int | None = None
    event_id: int | None = None
    topic_id: int | None = None
    land: str | None = None
    organisation_id: int | None = None
    author_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Result:
    kind: str
    title: str
    url: str
    snippet: Markup
    when: datetime | None = None
    details: list[str] = field(default_factory=list)
    author: tuple[int, str] | None = None  # (id, name): the results page offers "more by this person"
    # The languages the title and the snippet were written in (template filter `lang`); None: not user text.
    title_language: str | None = None
    language: str | None = None


@dataclass
class Results(Page):
    """One page of results (items: Result) with the number of candidates per kind, for the tabs."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def label(self, kind: str | None = None) -> str:
        """The number of results of a kind (or of all) as the page shows it: "1.000+" when a kind has more than
        CANDIDATES, which are not counted further."""
        kinds = [kind] if kind else list(self.counts)
        shown = sum(min(self.counts[k], CANDIDATES) for k in kinds)
        return format_number(shown) + ("+" if any(self.counts[k] > CANDIDATES for k in kinds) else "")


# --- matching -----------------------------------------------------------------------------------------------

def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _without_jit() -> None:
    """PostgreSQL: no JIT compilation and no parallel workers in this transaction (one statement). The planner
    prices each per-candidate check (EXISTS … OFFSET 0) as a run over its whole table, which lifts a search over
    jit_above_cost; compiling then took 2 s for a statement that runs in 20 ms. Parallel workers were started
    for parts that find a few rows (7 ms for none, most of it starting them)."""
    if _postgresql():
        db.session.execute(text("SELECT set_config('jit', 'off', true), "
                                "set_config('max_parallel_workers_per_gather', '0', true)"))


COMPLETIONS = 64  # words a prefix may stand for before SQLite is left to expand it itself


def _completions(query: Query) -> list[str] | None:
    """SQLite: the indexed words that start with the word being typed (query.prefix_last), from the list of
    indexed terms (search/models.py); None when there is no prefix, on PostgreSQL, or when there are more than
    COMPLETIONS. FTS5 merges the lists of all words of a prefix before it can return the first row, once per kind,
    which cost 20 ms per kind with a million posts; the same words OR-ed are read lazily, newest first, and stop
    early."""
    if not query.prefix_last or _postgresql():
        return None
    prefix = query.required[-1][-1]
    words = list(db.session.scalars(select(column("term")).select_from(table("search_fts_terms"))
                                    .where(column("term") >= prefix, column("term") < prefix + "\U0010ffff")
                                    .limit(COMPLETIONS + 1)))
    return words if len(words) <= COMPLETIONS else None


def _fts5(query: Query, completions: list[str] | None) -> str:
    """text.fts5_expression, with the prefix replaced by its completions when there are few."""
    if completions is None:
        return fts5_expression(query)
    if not completions:
        completions = query.required[-1]  # nothing starts so: match the word itself (which is not there)
    words = "(" + " OR ".join(f'"{word}"' for word in completions) + ")"
    rest = Query(required=query.required[:-1], excluded=query.excluded)
    return f"{fts5_expression(rest)} AND {words}" if rest.required else \
        words + "".join(" NOT " + fts5_expression(Query(required=[group])) for group in query.excluded)


def _match(query: Query, kind: str, completions: list[str] | None = None):
    """(FROM clause, WHERE condition, relevance: higher is better, latest first) of a query for the documents
    of one kind.

    The kind is written into the statement (not a parameter) so that PostgreSQL plans each kind with its own
    numbers; SQLite's FTS5 table holds the kind as a column, so the full-text index itself narrows to it, and
    gives its rows newest first when asked for its own rowid (not search_documents.id, the same number)."""
    if _postgresql():
        vector = literal_column("search_documents.vector")
        tsquery = func.to_tsquery(literal_column("'simple'::regconfig"),
                                  literal(tsquery_expression(query), literal_execute=True))
        return (SearchDocument.__table__, vector.op("@@")(tsquery), func.ts_rank_cd(vector, tsquery),
                desc(SearchDocument.id))
    fts = literal_column("search_fts")
    joined = SearchDocument.__table__.join(_FTS, _FTS.c.rowid == SearchDocument.id)
    expression = f"kind : {kind} AND {{title_terms body_terms}} : ({_fts5(query, completions)})"
    relevance = _term_relevance(tuple(tuple(group) for group in query.required), query.prefix_last)
    return joined, fts.op("MATCH")(expression), relevance, desc(_FTS.c.rowid)


@lru_cache(maxsize=256)
def _term_relevance(required: tuple[tuple[str, ...], ...], prefix_last: bool):
    """SQLite's relevance of the wanted words and phrases (Query.required): per word or phrase, how often it
    occurs in the title (weighing 4) and the text, saturating (1 occurrence 0.5, 3 occurrences 0.75 …), summed.
    Computed from the stored terms of the candidates only: FTS5's bm25() first counts every document holding
    each phrase of the query, and the kind is one of them (a million posts), which took longer than the whole
    budget. The same expression serves every kind and repeated searches (built once: 2 ms a search)."""
    score = literal(0.0)
    for i, group in enumerate(required):
        needle = " " + " ".join(group) + ("" if prefix_last and i == len(required) - 1 else " ")
        weight = 4 * _occurrences(SearchDocument.title_terms, needle) \
            + _occurrences(SearchDocument.body_terms, needle)
        score = score + weight / (weight + 1.0)
    return score


def _occurrences(column, needle: str):
    """How often `needle` (terms between spaces) occurs in a column of terms."""
    padded = literal(" ") + column + literal(" ")
    return (func.length(padded) - func.length(func.replace(padded, needle, ""))) / len(needle)


_FTS = table("search_fts", column("rowid"))  # SQLite's FTS5 table (forum/search/models.py)


def _candidates(user, query: Query, kind: str, filters: Filters, completions: list[str] | None, *,
                limit: int | None = CANDIDATES + 1):
    """The documents of one kind that match and that the user may see, latest first, at most `limit` (None:
    all), with their relevance; None when the filters exclude the kind."""
    conditions = _filtered(kind, filters)
    if conditions is None:
        return None
    source, matches, relevance, latest = _match(query, kind, completions)
    if _postgresql():
        return _newest_seen(user, query, matches, kind, conditions, limit)
    # On SQLite the per-document checks were as fast as the stored audience, which measured slower for members
    # (72 → 85 ms at a million posts).
    statement = (select(SearchDocument.id, SearchDocument.kind, SearchDocument.object_id, SearchDocument.created_at,
                        SearchDocument.day, relevance.label("relevance"))
                 .select_from(source)
                 # the filters before the visibility check: SQLite tests the conditions in this order, and a
                 # filter's IN list is cheaper than the correlated checks of who may see a document
                 .where(matches, SearchDocument.kind == literal(kind, literal_execute=True), *conditions,
                        _visible(user, kind))
                 .order_by(latest).limit(limit))
    return statement


def _newest_seen(user, query: Query, matches, kind: str, conditions: list, limit: int | None):
    """PostgreSQL: the newest `limit` matching documents of the kind that the user may see and that pass the
    filters, then their relevance.

    Who may see a document is read from its stored audience, in two parts: the newest matches of audience "all"
    (a column of the row, so the planner may read them along the kind's id index, newest first, stopping at the
    limit, or take them from the kind's GIN index and sort them, whichever it prices lower), and the newest
    matches of audience "some" (few: the discussions of submitted ideas, the submitted ideas; found through
    their own indexes, and only those newer than the oldest of the first part when it is full) checked by the
    visible_* rules after their limit, so that a check never weighs on the plan of the large part. Audience
    "none" is never found. Relevance reads the whole tsvector, so it is computed for the `limit` newest only."""
    if not permissions.can_search(user):
        return None
    planned = limit if conditions or limit is None else max(limit, PLANNED_LIMIT)

    def newest(audience: str, *beyond):
        found = (select(SearchDocument.id, SearchDocument.kind, SearchDocument.object_id, SearchDocument.created_at,
                        SearchDocument.day, literal_column("search_documents.vector").label("vector"))
                 .where(matches, SearchDocument.kind == literal(kind, literal_execute=True),
                        SearchDocument.audience == literal(audience, literal_execute=True), *conditions, *beyond)
                 .order_by(desc(SearchDocument.id)))
        return found.limit(_constant(planned)) if limit is not None else found

    everyone = newest("all").cte(f"all_{kind}")
    # A document older than the last of `limit` newest of audience "all" cannot be among the `limit` newest: the
    # "some" part looks only above it (for a common word, the last few hours), so few are checked.
    oldest = (select(func.min(everyone.c.id)).having(func.count() >= _constant(planned))
              if limit is not None else None)
    some = newest("some", *([SearchDocument.id > func.coalesce(oldest.scalar_subquery(), 0)]
                            if oldest is not None else [])).subquery(f"some_{kind}")
    parts = union_all(select(everyone), select(some).where(_visible(user, kind, some.c.object_id))).subquery()
    chosen = select(parts).order_by(desc(parts.c.id))
    chosen = (chosen.limit(_constant(limit)) if limit is not None else chosen).subquery(f"newest_{kind}")
    relevance = func.ts_rank_cd(chosen.c.vector, func.to_tsquery(
        literal_column("'simple'::regconfig"), literal(tsquery_expression(query), literal_execute=True)))
    return select(chosen.c.id, chosen.c.kind, chosen.c.object_id, chosen.c.created_at, chosen.c.day,
                  relevance.label("relevance"))


def _constant(value: int):
    """A number written into the statement, not a parameter. psycopg prepares a statement run five times; its
    generic plan then knows no limit and read a two-word search's posts from the GIN index (85 ms) instead of
    walking the newest (40 ms). With the numbers (and the query, the kind, the audience) written in, the generic
    plan is the custom one."""
    return literal(value, literal_execute=True)


def _union(statements):
    """The candidates of several kinds as one select (each part keeps its own order and limit)."""
    parts = [statement.subquery() for statement in statements]
    return union_all(*[select(*part.c) for part in parts])


# --- who may see what, and the filters, per kind --------------------------------------------------------------

def _among(statement, column=SearchDocument.object_id):
    """`column IN (statement)` (a select of one column) written as a correlated EXISTS: the same rows, but the
    database checks each matching document by key instead of first listing, e.g., every visible post. OFFSET 0
    keeps PostgreSQL from turning it back into a join over all visible posts (1.5 s): the check runs per
    candidate, in the order of the index, and stops with the limit."""
    return exists(statement.where(statement.selected_columns[0] == column).offset(0))


def _visible(user, kind: str, column=SearchDocument.object_id):
    """SQL condition on the object id `column` (of SearchDocument, or of a subquery of it): the documents of this
    kind the user may see as a result."""
    if kind == "post":
        # = _among(permissions.readable_posts(user, shown)): of shown posts, readable_posts keeps those of the
        # threads the user sees (visible_posts). Written with the thread check per post, because readable_posts
        # asks `thread_id IN (every visible thread)`, a list of 80,000 threads built for every search (40 ms on
        # SQLite). tests/test_search.py's leak test holds the two equal for every viewer.
        thread_seen = _among(permissions.visible_threads(user, select(Thread.id)), Post.thread_id)
        return _among(select(Post.id).where(Post.hidden_at.is_(None), Post.withdrawn_at.is_(None), thread_seen),
                      column)
    if kind == "thread":
        return _among(permissions.visible_threads(user, select(Thread.id)), column)
    if kind == "idea":
        return _among(permissions.visible_ideas(user, select(Idea.id)), column)
    if kind == "event":
        return _among(permissions.visible_events(user, select(Event.id)), column)
    if kind == "document":
        return _among(permissions.visible_attachments(user, select(EventAttachment.id)), column)
    return _among(permissions.visible_organisations(user, select(Organisation.id)), column)


def audience(kind: str):
    """SQL value of SearchDocument.audience for documents of this kind, from the same rule as the search reads
    (_visible): "all" when the stand-in plain member (permissions.ANY_MEMBER) may see it, so every active member
    may; "none" when not even a stand-in moderator may (moderators see every idea and thread; nobody finds a
    hidden post); "some" otherwise, checked per person (_seen)."""
    return case((_visible(permissions.ANY_MEMBER, kind), "all"),
                (_visible(permissions.ANY_MODERATOR, kind), "some"), else_="none")


def _seen(user, kind: str):
    """SQL condition on SearchDocument: what the user may see, read from the stored audience where it answers
    for everyone, and from the visible_* rules (_visible) only for documents of audience "some". _newest_seen
    applies it in two parts (audience "all"; audience "some" and _visible)."""
    if not permissions.can_search(user):
        return false()
    return or_(SearchDocument.audience == "all", (SearchDocument.audience == "some") & _visible(user, kind))


def _authors(*conditions, few: bool = False):
    """SQL condition on SearchDocument: written by someone of the organisations that meet `conditions`. An IN
    over these people (a few hundred of a Land) is hashed once; checked per document (_among), PostgreSQL read
    every match of a common word from the GIN index first (750 ms at a million posts). "+ 0" keeps PostgreSQL off
    the author index, which holds every kind: for thread titles it read the 67,000 posts of a Land's people
    (190 ms). The people of one organisation (`few`) are read by that index: their few thousand documents
    instead of walking a million posts for the newest 201 of a common word (PostgreSQL: 260 -> 110 ms)."""
    people = select(User.id).join(Organisation, User.organisation_id == Organisation.id).where(*conditions)
    return (SearchDocument.author_id if few else SearchDocument.author_id + 0).in_(people)


def _filtered(kind: str, filters: Filters) -> list | None:
    """SQL conditions on SearchDocument for the filters, or None when this kind cannot match them (a Fachforum
    filter leaves no events)."""
    ids, conditions = SearchDocument.object_id, []
    if filters.board_id is not None:
        in_board = select(Thread.id).where(Thread.board_id == filters.board_id)
        if kind == "post":
            conditions.append(_among(select(Post.id).where(Post.thread_id.in_(in_board))))
        elif kind == "thread":
            conditions.append(_among(in_board))
        else:
            return None
    if filters.event_id is not None:
        event_threads = select(Thread.id).where(or_(Thread.event_id == filters.event_id,
                                                    Thread.follow_up_event_id == filters.event_id))
        by_kind = {
            "post": lambda: _among(select(Post.id).where(Post.thread_id.in_(event_threads))),
            "thread": lambda: _among(event_threads),
            "event": lambda: ids == filters.event_id,
            "document": lambda: _among(select(EventAttachment.id).where(
                EventAttachment.event_id == filters.event_id)),
            "idea": lambda: _among(select(IdeaEvent.idea_id).where(IdeaEvent.event_id == filters.event_id)),
        }
        if kind not in by_kind:
            return None
        conditions.append(by_kind[kind]())
    if filters.topic_id is not None:
        with_topic = select(idea_terms.c.idea_id).where(idea_terms.c.term_id == filters.topic_id)
        if kind == "idea":
            conditions.append(_among(with_topic))
        elif kind == "post":
            conditions.append(_among(select(Post.id).join(Thread, Post.thread_id == Thread.id)
                                      .where(Thread.idea_id.in_(with_topic))))
        else:
            return None
    if filters.land is not None:
        land = filters.land
        by_kind = {
            "post": lambda: _authors(Organisation.land == land),
            "thread": lambda: _authors(Organisation.land == land),
            # IN, hashed once (the ideas, events and organisations of one Land are a sixteenth of their table);
            # checked per document, a common word's ideas took 300 ms
            "idea": lambda: ids.in_(select(Idea.id).join(Organisation, Idea.organisation_id == Organisation.id)
                                    .where(Organisation.land == land)),
            "event": lambda: ids.in_(select(Event.id).where(Event.land == land)),
            "document": lambda: ids.in_(select(EventAttachment.id).join(Event, EventAttachment.event_id == Event.id)
                                        .where(Event.land == land)),
            "organisation": lambda: ids.in_(select(Organisation.id).where(Organisation.land == land)),
        }
        conditions.append(by_kind[kind]())
    if filters.organisation_id is not None:
        organisation_id = filters.organisation_id
        by_kind = {
            "post": lambda: _authors(Organisation.id == organisation_id, few=True),
            "thread": lambda: _authors(Organisation.id == organisation_id, few=True),
            "idea": lambda: _among(select(Idea.id).where(Idea.organisation_id == organisation_id)),
            "organisation": lambda: ids == organisation_id,
        }
        if kind not in by_kind:
            return None
        conditions.append(by_kind[kind]())
    if filters.author_id is not None:
        if kind not in ("post", "thread", "idea"):
            return None
        conditions.append(SearchDocument.author_id == filters.author_id)
    if filters.date_from is not None:
        conditions.append(SearchDocument.created_at >= from_berlin(filters.date_from, time(0)))
    if filters.date_to is not None:
        conditions.append(SearchDocument.created_at < from_berlin(filters.date_to + timedelta(days=1), time(0)))
    return conditions


# --- the search ---------------------------------------------------------------------------------------------

def search(user, query: Query, *, kind: str | None = None, filters: Filters | None = None, sort: str = "relevance",
           page: int = 1, per_page: int = PER_PAGE) -> Results:
    """One page of what the user may find, with the number of results per kind (for the tabs). `kind` narrows
    the page to one kind; the counts always cover every kind."""
    filters = filters or Filters()
    if query.is_empty:
        return Results(counts=dict.fromkeys(KINDS, 0), items=[], page=1, pages=1)
    _without_jit()
    completions = _completions(query)
    per_kind = {k: _candidates(user, query, k, filters, completions) for k in KINDS}
    per_kind = {k: statement for k, statement in per_kind.items() if statement is not None}
    if not per_kind:
        return Results(counts=dict.fromkeys(KINDS, 0), items=[], page=1, pages=1)
    page = max(page, 1)
    counts, rows = _counts_and_page(per_kind, kind, sort, page, per_page)
    total = counts[kind] if kind else sum(counts.values())
    pages = max(1, min(MAX_PAGE, -(-total // per_page)))
    if page > pages:  # asked beyond the last page (an old link): show the last one
        page = pages
        counts, rows = _counts_and_page(per_kind, kind, sort, page, per_page)
    return Results(counts=counts, items=_results(rows, query), page=page, pages=pages)


def _counts_and_page(per_kind: dict, kind: str | None, sort: str, page: int, per_page: int):
    """({kind: candidates}, rows of the page) in one statement, so the candidates are found once: the
    candidates of every kind as a CTE, its page (of the tab's kind) and its count per kind as one result."""
    candidates = _union(per_kind.values()).cte("candidates")
    if sort == "date":
        order = (desc(candidates.c.created_at), desc(candidates.c.id))
    else:
        today = _constant((utcnow().date() - _EPOCH).days)
        recency = 1.0 / (1.0 + (today - candidates.c.day) / RECENCY_DAYS)
        order = (desc(candidates.c.relevance * case((candidates.c.day > today, 1.0), else_=recency)),
                 desc(candidates.c.id))
    shown = (select(candidates.c.id, candidates.c.kind, candidates.c.object_id,
                    func.row_number().over(order_by=order).label("position"))
             .order_by(*order).limit(_constant(per_page)).offset(_constant((page - 1) * per_page)))
    if kind:
        shown = shown.where(candidates.c.kind == kind)
    shown = shown.subquery("shown")
    with_text = select(shown.c.kind, shown.c.object_id, SearchDocument.body, shown.c.position).join_from(
        shown, SearchDocument, SearchDocument.id == shown.c.id)  # the text of the page's rows only
    counted = select(candidates.c.kind, null(), null(), -func.count()).group_by(candidates.c.kind)
    counts, rows = dict.fromkeys(KINDS, 0), []
    for row in db.session.execute(union_all(with_text, counted)).all():
        if row.position < 0:  # a count, negated to tell it from a position
            counts[row.kind] = -row.position
        else:
            rows.append(row)
    return counts, sorted(rows, key=lambda row: row.position)


SIMILAR_IDEAS = 5


def similar_ideas(user, query: Query, *, leave_out: int | None = None, limit: int = SIMILAR_IDEAS) -> list[Idea]:
    """The ideas the user may see that share the most words with a title and summary being written (query from
    text.any_of), best first: shown beside the idea form, so a Jobcenter joins an idea instead of repeating it."""
    if query.is_empty:
        return []
    _without_jit()
    candidates = _candidates(user, query, "idea", Filters(), _completions(query))
    candidates = candidates.subquery()  # the latest CANDIDATES + 1 ideas sharing a word, like a search's
    chosen = select(candidates.c.object_id).order_by(desc(candidates.c.relevance), desc(candidates.c.id))
    if leave_out is not None:  # the idea being edited is not similar to itself
        chosen = chosen.where(candidates.c.object_id != leave_out)
    ids = list(db.session.scalars(chosen.limit(limit)))
    ideas = _LOADERS["idea"](ids) if ids else {}
    return [ideas[id_] for id_ in ids if id_ in ideas]


def _results(rows, query: Query) -> list[Result]:
    """What the result list shows of each document: one statement per kind on the page."""
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row.kind, []).append(row.object_id)
    loaded = {kind: _LOADERS[kind](ids) for kind, ids in wanted.items()}
    results = []
    for row in rows:
        thing = loaded[row.kind].get(row.object_id)
        if thing is None:  # deleted meanwhile
            continue
        result = _DESCRIBE[row.kind](thing)
        result.snippet = snippet(row.body, query)
        results.append(result)
    return results


def _by_id(statement) -> dict:
    return {row.id: row for row in db.session.scalars(statement).unique()}


_LOADERS = {
    "post": lambda ids: _by_id(select(Post).where(Post.id.in_(ids)).options(
        joinedload(Post.author), joinedload(Post.thread).joinedload(Thread.board),
        joinedload(Post.thread).joinedload(Thread.event), joinedload(Post.thread).joinedload(Thread.idea))),
    "thread": lambda ids: _by_id(select(Thread).where(Thread.id.in_(ids)).options(
        joinedload(Thread.board), joinedload(Thread.created_by))),
    "idea": lambda ids: _by_id(select(Idea).where(Idea.id.in_(ids)).options(joinedload(Idea.organisation),
                                                                            joinedload(Idea.author))),
    "event": lambda ids: _by_id(select(Event).where(Event.id.in_(ids))),
    "document": lambda ids: _by_id(select(EventAttachment).where(EventAttachment.id.in_(ids)).options(
        joinedload(EventAttachment.event))),
    "organisation": lambda ids: _by_id(select(Organisation).where(Organisation.id.in_(ids))),
}


def _post_place(thread: Thread) -> str:
    if thread.board is not None:
        return thread.board.title
    if thread.event is not None:
        return thread.event.title
    return thread.idea.title if thread.idea is not None else ""


_DESCRIBE = {
    "post": lambda post: Result("post", post.thread.title, url_for("discussion.post", post_id=post.id), Markup(),
                                post.created_at, [post.author.display_name, _post_place(post.thread)],
                                (post.author.id, post.author.display_name), post.thread.language, post.language),
    "thread": lambda thread: Result("thread", thread.title, url_for("discussion.show", thread_id=thread.id),
                                    Markup(), thread.created_at,
                                    [thread.created_by.display_name if thread.created_by else "",
                                     thread.board.title if thread.board else ""],
                                    None, thread.language, thread.language),
    "idea": lambda idea: Result("idea", idea.title, url_for("ideas.show", idea_id=idea.id), Markup(),
                                idea.created_at, [idea.organisation.name, idea.status_label],
                                (idea.author_id, idea.author.display_name), idea.language, idea.language),
    "event": lambda event: Result("event", event.title, url_for("events.show", event_id=event.id), Markup(),
                                  event.starts_at, [event.location], None, event.language, event.language),
    "document": lambda attachment: Result(
        "document", attachment.filename, url_for("events.download", event_id=attachment.event_id,
                                                 attachment_id=attachment.id),
        Markup(), attachment.created_at, [attachment.event.title]),
    "organisation": lambda organisation: Result(
        "organisation", organisation.name, url_for("organisations.show", organisation_id=organisation.id),
        Markup(), None, [organisation.kind_label, organisation.land_name]),
}
