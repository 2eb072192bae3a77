"""Ideas with their revisions, votes, adoptions, event links and the reference lists they are tagged with."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.clock import UTCDateTime, utcnow
from forum.extensions import db
from forum.languages import language_column

IDEA_STATUSES = {
    "submitted": _l("eingereicht"),
    "published": _l("veröffentlicht"),
    "in_trial": _l("in Erprobung"),
    "proven": _l("bewährt"),
    "archived": _l("archiviert"),
}
# Where a moderator may move an idea from each status ("and back where sensible").
STATUS_TRANSITIONS = {
    "submitted": ("published", "archived"),
    "published": ("in_trial", "proven", "archived", "submitted"),
    "in_trial": ("proven", "published", "archived"),
    "proven": ("in_trial", "archived"),
    "archived": ("published", "in_trial", "proven"),
}
VOTABLE_STATUSES = ("published", "in_trial", "proven")
# The sections of the structured description, in order; headings and labels in forum/ideas/sections.py.
SECTION_KEYS = ("situation", "goal", "implementation", "results", "transferability")
REFERENCE_KINDS = {
    "topic": _l("Handlungsfeld"),
    "target_group": _l("Zielgruppe"),
    "partner_type": _l("Kooperationspartner"),
}

idea_terms = Table(
    "idea_terms", db.metadata,
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("reference_terms.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ReferenceTerm(db.Model):
    """One entry of a reference list (Handlungsfeld, Zielgruppe, Kooperationspartner); data, edited by admins."""

    __tablename__ = "reference_terms"
    __table_args__ = (UniqueConstraint("kind", "name"), Index("ix_reference_terms_kind_position", "kind", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def kind_label(self) -> str:
        return str(REFERENCE_KINDS.get(self.kind, self.kind))


class IdeaEvent(db.Model):
    """"Presented at": an idea was presented at an event (linked by an organiser or moderator)."""

    __tablename__ = "idea_events"

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True, index=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    idea = relationship("Idea", back_populates="event_links")
    event = relationship("Event")


class Idea(db.Model):
    """An approach (Ansatz) a Jobcenter presents; `vote_count` is kept in SQL next to the unique votes."""

    __tablename__ = "ideas"
    __table_args__ = (
        Index("ix_ideas_status_vote_count", "status", "vote_count"),
        Index("ix_ideas_status_created_at", "status", "created_at"),
        Index("ix_ideas_status_last_activity_at", "status", "last_activity_at"),
        # what visible_ideas() asks (status, author) with the id, read from the index alone: the list of ideas a
        # member may see is built from it in 2 ms instead of 11 ms from the table (the search's checks of a
        # discussion of a submitted idea, at 20,000 ideas)
        Index("ix_ideas_status_author_id_id", "status", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = language_column()  # of title, summary and description
    # The sections of the description (forum/ideas/sections.py), as written; description_source is their
    # composition under German headings, description_html its rendering.
    situation_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    goal_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    implementation_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    results_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    transferability_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    description_source: Mapped[str] = mapped_column(Text)
    description_html: Mapped[str] = mapped_column(Text)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    contact: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vote_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation")
    author = relationship("User")
    terms: Mapped[list[ReferenceTerm]] = relationship(secondary=idea_terms, order_by=ReferenceTerm.position)
    event_links: Mapped[list[IdeaEvent]] = relationship(back_populates="idea", cascade="all, delete-orphan")
    thread = relationship("Thread", foreign_keys="Thread.idea_id", back_populates="idea", uselist=False)

    @property
    def status_label(self) -> str:
        return str(IDEA_STATUSES.get(self.status, self.status))

    def terms_of(self, kind: str) -> list[ReferenceTerm]:
        return [term for term in self.terms if term.kind == kind]

    @property
    def sections(self) -> dict[str, str]:
        """{section key: text} of the description's sections (keys of forum/ideas/sections.py)."""
        return {key: getattr(self, f"{key}_source") for key in SECTION_KEYS}


class IdeaRevision(db.Model):
    """The text of an idea before an edit: who changed it and when. The description is kept composed (all
    sections under their headings): a revision is read and redacted as one text and is never edited."""

    __tablename__ = "idea_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300))
    description_source: Mapped[str] = mapped_column(Text)

    editor = relationship("User")


class IdeaVote(db.Model):
    """One vote per user per idea: the primary key is the guarantee."""

    __tablename__ = "idea_votes"
    __table_args__ = (Index("ix_idea_votes_created_at", "created_at"),)  # votes per period (statistics)

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdeaAdoption(db.Model):
    """A Jobcenter has adopted (übernommen) an idea; one entry per organisation, with an optional note."""

    __tablename__ = "idea_adoptions"
    __table_args__ = (UniqueConstraint("idea_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation")
    user = relationship("User")
