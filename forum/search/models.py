"""The search index: one row per searchable thing, with its plain text (for snippets) and its German terms
(forum/search/text.py), read by the database's own full-text engine.

The rows are written by forum/search/index.py in the same transaction as the change they follow. What the
engine builds from them is declared here once, per dialect, and created with the table:

- PostgreSQL: a generated `tsvector` column (title terms weighted A, body terms B) with a GIN index per kind.
- SQLite: an FTS5 table `search_fts` kept equal to the rows by triggers; it also holds the kind, so that a
  search of one kind is narrowed by the full-text index itself. `search_fts_terms` lists every term indexed
  (the completions of a word being typed, engine.py), added by the same triggers.

The terms are already folded and stemmed, so both engines use their plain ("simple"/unicode61) tokenisers and
agree on every query. Migrations 0008, 0016 and 0017 create the same objects; ENGINE_OBJECTS names them for Alembic's
comparison, which does not know them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from forum.clock import UTCDateTime, utcnow
from forum.discussion.models import BOARD_LIST_INDEX
from forum.extensions import db

# The kinds of things the search finds, in the order of the result tabs.
KINDS = ("post", "thread", "idea", "event", "document", "organisation")
# PostgreSQL: the kinds whose newest matches are read along an index on id of their own, stopping early: a million
# posts, and the ideas (similar_ideas() asks for any of many words: most ideas match, 27 ms walked, 190 ms sorted);
# the others have some ten thousand documents, read along (kind, id) or sorted from the GIN index, as planned.
WALKED_KINDS = ("post", "idea")


class SearchDocument(db.Model):
    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("kind", "object_id"),
                      Index("ix_search_documents_kind_created_at", "kind", "created_at"),
                      # the latest matches of one kind first (engine.py's candidates on PostgreSQL)
                      Index("ix_search_documents_kind_id", "kind", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")  # plain text, for snippets (never HTML)
    title_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    day: Mapped[int] = mapped_column(Integer, default=0)  # created_at as days since 2000-01-01, for "recent first"
    # Who may find it (index.refresh_audience, from the visible_* rules): "all" every active member, "none"
    # nobody (a hidden post), "some" only those whose own rules let them (checked per person when searching).
    # A row not yet refreshed is "some": exact, only slower.
    audience: Mapped[str] = mapped_column(String(4), default="some", server_default="some")


# One GIN index per kind (a search asks one kind at a time, engine.py): PostgreSQL then finds a rare word's
# posts in the posts' index alone, instead of AND-ing its matches with the million rows of kind = 'post'.
POSTGRESQL_DDL = (
    "ALTER TABLE search_documents ADD COLUMN vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title_terms), 'A') || setweight(to_tsvector('simple', body_terms), 'B')"
    ") STORED",
    *(f"CREATE INDEX ix_search_documents_vector_{kind} ON search_documents USING gin (vector) WHERE kind = '{kind}'"
      for kind in KINDS),
    # The newest posts first (engine.py): with (kind, id) PostgreSQL still walked the primary key backwards past
    # every newer document of other kinds (84,000 ideas, events and threads after a reindex: 275 ms for the
    # newest 5,005 posts matching a word; 17 ms along this index).
    *(f"CREATE INDEX ix_search_documents_id_{kind} ON search_documents (id) WHERE kind = '{kind}'"
      for kind in WALKED_KINDS),
    # The few documents of audience "some" (engine.py reads them apart from the rest, checked per person): their
    # matches from a GIN index of their own, or their newest of a kind along (kind, id).
    "CREATE INDEX ix_search_documents_vector_some ON search_documents USING gin (vector) WHERE audience = 'some'",
    "CREATE INDEX ix_search_documents_some ON search_documents (kind, id) WHERE audience = 'some'",
)
# SQLite: the terms of the new row into search_fts_terms, split at the spaces between them (text.py) as the
# items of a JSON array (a quote or backslash, which no term should hold, escaped all the same).
_ESCAPED = "replace(replace(new.title_terms || ' ' || new.body_terms, '\\', '\\\\'), '\"', '\\\"')"
NEW_TERMS = ("INSERT OR IGNORE INTO search_fts_terms (term) SELECT value FROM json_each("
             f"'[\"' || replace({_ESCAPED}, ' ', '\",\"') || '\"]') WHERE value <> '';")
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title_terms, body_terms, kind, "
    "tokenize = 'unicode61 remove_diacritics 0')",
    # Every term ever indexed (terms of deleted documents stay until a reindex: they complete to nothing). FTS5's
    # own vocabulary table (fts5vocab) counts each term's documents while listing it: 13 ms for the words
    # beginning "berat" at a million posts, 0.05 ms from this table.
    "CREATE TABLE IF NOT EXISTS search_fts_terms (term TEXT PRIMARY KEY) WITHOUT ROWID",
    "CREATE TRIGGER IF NOT EXISTS search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts (rowid, title_terms, body_terms, kind) "
    f"VALUES (new.id, new.title_terms, new.body_terms, new.kind); {NEW_TERMS} END",
    "CREATE TRIGGER IF NOT EXISTS search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "DELETE FROM search_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS search_documents_au AFTER UPDATE OF title_terms, body_terms ON search_documents "
    "BEGIN UPDATE search_fts SET title_terms = new.title_terms, body_terms = new.body_terms WHERE rowid = old.id; "
    f"{NEW_TERMS} END",
)
SQLITE_DROP = ("DROP TABLE IF EXISTS search_fts_terms", "DROP TABLE IF EXISTS search_fts")
# What the engines add beside the model, so that the schema comparison of the migration test skips it.
ENGINE_OBJECTS = {"tables": ("search_fts",), "columns": ("vector",),
                  "indexes": (*(f"ix_search_documents_vector_{kind}" for kind in KINDS),
                              *(f"ix_search_documents_id_{kind}" for kind in WALKED_KINDS),
                              "ix_search_documents_vector_some", "ix_search_documents_some")}


def is_engine_object(name: str | None, type_: str) -> bool:
    """True for the objects declared beside the models for one database: the full-text objects declared here
    (and FTS5's shadow tables search_fts_*), and the board list's index (forum/discussion/models.py)."""
    if type_ == "table":
        return bool(name) and name.startswith("search_fts")
    if type_ == "column":
        return name in ENGINE_OBJECTS["columns"]
    if type_ == "index":
        return name in ENGINE_OBJECTS["indexes"] or name == BOARD_LIST_INDEX
    return False


for _statement in POSTGRESQL_DDL:
    event.listen(SearchDocument.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
for _statement in SQLITE_DDL:
    event.listen(SearchDocument.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in SQLITE_DROP:
    event.listen(SearchDocument.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))
