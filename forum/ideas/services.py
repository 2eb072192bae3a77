"""Ideas: submit and edit (with revisions), the status workflow, votes, adoptions and "presented at" links.

The reference lists (Handlungsfelder, Zielgruppen, Kooperationspartner) live in `forum/ideas/terms.py`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, case, delete, distinct, func, select, update
from sqlalchemy.orm import contains_eager, joinedload

from forum import markup
from forum.accounts.models import User
from forum.clock import utcnow
from forum.dates import format_date
from forum.discussion import monthly
from forum.discussion.models import Thread
from forum.discussion.services import start_thread
from forum.events.models import Event
from forum.extensions import db
from forum.languages import written_in
from forum.ideas.models import (IDEA_STATUSES, STATUS_TRANSITIONS, Idea, IdeaAdoption, IdeaEvent, IdeaRevision,
                                IdeaVote, ReferenceTerm, idea_terms)
from forum.ideas.sections import KEYS, compose_description, trim_section
from forum.audit import idea_snapshot, record
from forum.notifications import following, inbox
from forum.organisations.models import Organisation
from forum.permissions import visible_ideas
from forum.queries import insert_new
from forum.rules import RuleBroken
from forum.search import index as search_index


class IdeaError(RuleBroken):
    """A rule of the ideas exchange was broken; the message is in the user's language, for the form."""


@dataclass
class IdeaData:
    """Clean values of the submit and edit forms; `sections` is {section key: markdown} (forum/ideas/sections.py),
    missing keys are empty."""

    title: str
    summary: str
    sections: dict[str, str]
    contact: str
    terms: list[ReferenceTerm] = field(default_factory=list)

    @property
    def section_texts(self) -> dict[str, str]:
        return {key: trim_section(self.sections.get(key) or "") for key in KEYS}

    @property
    def description(self) -> str:
        return compose_description(self.section_texts)


# --- the list -----------------------------------------------------------------------------------------------

SORT_ORDERS = {
    "active": (Idea.last_activity_at.desc(), Idea.id.desc()),
    "votes": (Idea.vote_count.desc(), Idea.created_at.desc(), Idea.id.desc()),
    "newest": (Idea.created_at.desc(), Idea.id.desc()),
}


def ideas_query(user: User, *, term_ids: Iterable[int] = (), land: str | None = None, status: str | None = None,
                event_id: int | None = None, sort: str = "active") -> Select:
    """The ideas the user may see carrying all the terms, of a Jobcenter in the Land, in the status and
    presented at the event (each filter optional), sorted; with their Jobcenter loaded."""
    query = select(Idea).join(Idea.organisation).options(contains_eager(Idea.organisation))
    for term_id in term_ids:
        query = query.where(Idea.id.in_(select(idea_terms.c.idea_id).where(idea_terms.c.term_id == term_id)))
    if land:
        query = query.where(Organisation.land == land)
    if status:
        query = query.where(Idea.status == status)
    if event_id is not None:
        query = query.where(Idea.id.in_(select(IdeaEvent.idea_id).where(IdeaEvent.event_id == event_id)))
    return visible_ideas(user, query).order_by(*SORT_ORDERS[sort])


# --- submit and edit ----------------------------------------------------------------------------------------

def submit_idea(data: IdeaData, *, author: User, organisation: Organisation) -> Idea:
    """Create an idea in status "eingereicht" with its main discussion thread; the description is rendered now
    and the author follows the idea."""
    now = utcnow()
    idea = Idea(title=data.title, summary=data.summary, description_source=data.description,
                description_html=markup.render(data.description), contact=data.contact, organisation=organisation,
                author=author, status="submitted", terms=list(data.terms), created_at=now, updated_at=now,
                language=written_in(author),
                last_activity_at=now)
    _set_sections(idea, data.section_texts)
    db.session.add(idea)
    db.session.flush()
    start_thread(idea.title, author=author, idea=idea)
    search_index.index_idea(idea)
    following.follow(author, idea)
    return idea


def edit_idea(idea: Idea, data: IdeaData, *, editor: User, organisation: Organisation | None = None) -> bool:
    """Change an idea; the old text is kept as a revision (who, when). Terms no longer offered stay on the idea.

    A moderator's edit of someone else's idea is audited. Returns False when nothing changed.
    """
    terms = list(data.terms) + [term for term in idea.terms if not term.active and term not in data.terms]
    organisation = organisation or idea.organisation
    # The sections decide: a description written before the sections is recomposed only when the text changes.
    unchanged = (idea.title == data.title and idea.summary == data.summary and idea.sections == data.section_texts
                 and idea.contact == data.contact
                 and idea.organisation_id == organisation.id and {t.id for t in idea.terms} == {t.id for t in terms})
    if unchanged:
        return False
    before = idea_snapshot(idea)
    db.session.add(IdeaRevision(idea_id=idea.id, editor_id=editor.id, title=idea.title, summary=idea.summary,
                                description_source=idea.description_source))
    if idea.description_source != data.description:
        idea.description_html = markup.render(data.description)
    idea.title, idea.summary, idea.description_source = data.title, data.summary, data.description
    _set_sections(idea, data.section_texts)
    idea.contact, idea.organisation, idea.terms = data.contact, organisation, terms
    if idea.thread is not None:
        idea.thread.title = data.title  # the main thread carries the idea's title
    idea.updated_at = idea.last_activity_at = utcnow()
    db.session.flush()
    search_index.index_idea(idea)
    if editor.id != idea.author_id:
        record(editor, "idea.edit", idea, snapshot={"before": before, "after": idea_snapshot(idea)})
    return True


def _set_sections(idea: Idea, sections: dict[str, str]) -> None:
    for key, text in sections.items():
        setattr(idea, f"{key}_source", text)


def revisions_of(idea: Idea) -> list[IdeaRevision]:
    """Earlier versions of the idea's text, newest first, with their editors."""
    return list(db.session.scalars(select(IdeaRevision).options(joinedload(IdeaRevision.editor))
                                   .where(IdeaRevision.idea_id == idea.id)
                                   .order_by(IdeaRevision.created_at.desc(), IdeaRevision.id.desc())))


def count_revisions(idea: Idea) -> int:
    """How many earlier versions of the text there are."""
    return db.session.scalar(select(func.count(IdeaRevision.id)).where(IdeaRevision.idea_id == idea.id))


# --- status -------------------------------------------------------------------------------------------------

def allowed_statuses(idea: Idea) -> dict[str, object]:
    """{status: label} a moderator may move this idea to, in workflow order."""
    targets = STATUS_TRANSITIONS.get(idea.status, ())
    return {status: label for status, label in IDEA_STATUSES.items() if status in targets}


def set_idea_status(idea: Idea, status: str, *, actor: User, reason: str) -> None:
    """Move the idea along the workflow with a reason: audited, and the author is notified (in-app, and by
    e-mail as they chose)."""
    reason = reason.strip()
    if status not in STATUS_TRANSITIONS.get(idea.status, ()):
        raise IdeaError(_("Der Status „%(old)s“ kann nicht zu „%(new)s“ wechseln.", old=idea.status_label,
                          new=IDEA_STATUSES.get(status, status)))
    if not reason:
        raise IdeaError(_("Bitte begründen Sie die Änderung des Status."))
    old = idea.status
    idea.status = status
    idea.status_changed_at = idea.last_activity_at = utcnow()
    db.session.flush()
    search_index.follow_idea_status(idea)
    monthly.follow_threads(list(db.session.scalars(select(Thread.id).where(Thread.idea_id == idea.id))))
    record(actor, "idea.status", idea, reason=reason, snapshot={"title": idea.title, "from": old, "to": status})
    inbox.notify_idea_status(idea, actor=actor, reason=reason)


# --- votes and adoptions: exact under concurrent requests ----------------------------------------------------

def _count_vote(idea: Idea, step: int) -> None:
    """vote_count = vote_count ± 1 in SQL (never read-modify-write); the idea's loaded value is refreshed."""
    db.session.execute(update(Idea).where(Idea.id == idea.id)
                       .values(vote_count=Idea.vote_count + step, last_activity_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.expire(idea, ["vote_count", "last_activity_at"])


def vote(idea: Idea, user: User) -> bool:
    """Add the user's vote; False when they had already voted (a second vote changes nothing)."""
    added = insert_new(IdeaVote.__table__, ["idea_id", "user_id"], idea_id=idea.id, user_id=user.id,
                        created_at=utcnow())
    if added:
        _count_vote(idea, +1)
    return added


def withdraw_vote(idea: Idea, user: User) -> bool:
    """Remove the user's vote; False when there was none."""
    removed = db.session.execute(delete(IdeaVote.__table__).where(
        IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id)).rowcount == 1
    if removed:
        _count_vote(idea, -1)
    return removed


def has_voted(idea: Idea, user: User) -> bool:
    """Whether the user's vote is among the idea's votes."""
    return db.session.scalar(select(IdeaVote.idea_id).where(
        IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id)) is not None


def voting_jobcenters(idea_ids: list[int]) -> dict[int, int]:
    """{idea id: number of different Jobcenters its voters work for}, in one grouped query."""
    if not idea_ids:
        return {}
    jobcenter = case((Organisation.kind == "jobcenter", User.organisation_id))
    rows = db.session.execute(
        select(IdeaVote.idea_id, func.count(distinct(jobcenter)))
        .join(User, User.id == IdeaVote.user_id).join(Organisation, Organisation.id == User.organisation_id)
        .where(IdeaVote.idea_id.in_(idea_ids)).group_by(IdeaVote.idea_id))
    return {idea_id: count for idea_id, count in rows}


def adopt_idea(idea: Idea, *, user: User, note: str = "") -> bool:
    """Record that the user's Jobcenter adopted the idea (once per Jobcenter); False when it already had."""
    added = insert_new(IdeaAdoption.__table__, ["idea_id", "organisation_id"], idea_id=idea.id,
                        organisation_id=user.organisation_id, user_id=user.id, note=note.strip(),
                        created_at=utcnow())
    if added:
        idea.last_activity_at = utcnow()
        db.session.flush()
    return added


def withdraw_adoption(idea: Idea, *, organisation: Organisation) -> bool:
    """Remove the Jobcenter's adoption; False when there was none."""
    return db.session.execute(delete(IdeaAdoption.__table__).where(
        IdeaAdoption.idea_id == idea.id, IdeaAdoption.organisation_id == organisation.id)).rowcount == 1


def adoptions_of(idea: Idea) -> list[IdeaAdoption]:
    """The Jobcenters that adopted the idea, oldest first, with who recorded it."""
    return list(db.session.scalars(select(IdeaAdoption)
                                   .options(joinedload(IdeaAdoption.organisation), joinedload(IdeaAdoption.user))
                                   .where(IdeaAdoption.idea_id == idea.id)
                                   .order_by(IdeaAdoption.created_at, IdeaAdoption.id)))


# --- presented at events ------------------------------------------------------------------------------------

def link_event(idea: Idea, event: Event, *, actor: User) -> bool:
    """Record that the idea was presented at the event (audited); False when the link existed."""
    added = insert_new(IdeaEvent.__table__, ["idea_id", "event_id"], idea_id=idea.id, event_id=event.id,
                        linked_by_id=actor.id, created_at=utcnow())
    if added:
        db.session.expire(idea, ["event_links"])
        record(actor, "idea.link_event", idea, snapshot={"title": idea.title, "event_id": event.id,
                                                         "event": event.title})
    return added


def unlink_event(idea: Idea, event: Event, *, actor: User) -> bool:
    """Remove the "presented at" link (audited); False when there was none."""
    removed = db.session.execute(delete(IdeaEvent.__table__).where(
        IdeaEvent.idea_id == idea.id, IdeaEvent.event_id == event.id)).rowcount == 1
    if removed:
        db.session.expire(idea, ["event_links"])
        record(actor, "idea.unlink_event", idea, snapshot={"title": idea.title, "event_id": event.id,
                                                           "event": event.title})
    return removed


def events_of(idea: Idea) -> list[Event]:
    """Events where the idea was presented, newest first."""
    return list(db.session.scalars(select(Event).join(IdeaEvent, IdeaEvent.event_id == Event.id)
                                   .where(IdeaEvent.idea_id == idea.id).order_by(Event.starts_at.desc())))


def linkable_events(idea: Idea) -> dict[int, str]:
    """{event id: "title (date)"} of events the idea is not linked to yet (not cancelled), newest first."""
    linked = select(IdeaEvent.event_id).where(IdeaEvent.idea_id == idea.id)
    rows = db.session.execute(select(Event.id, Event.title, Event.starts_at)
                              .where(Event.status != "cancelled", Event.id.not_in(linked))
                              .order_by(Event.starts_at.desc()))
    return {event_id: f"{title} ({format_date(starts_at)})" for event_id, title, starts_at in rows}


def events_with_ideas() -> dict[int, str]:
    """{event id: title} of events at which any idea was presented, for the list filter; newest first."""
    rows = db.session.execute(select(Event.id, Event.title).where(
        Event.id.in_(select(IdeaEvent.event_id))).order_by(Event.starts_at.desc()))
    return {event_id: title for event_id, title in rows}


def ideas_presented_at(event: Event, user: User) -> list[Idea]:
    """The ideas this user may see that were presented at the event, by title (one query), for the event page."""
    query = (select(Idea).join(IdeaEvent, IdeaEvent.idea_id == Idea.id).where(IdeaEvent.event_id == event.id)
             .options(joinedload(Idea.organisation)).order_by(Idea.title))
    return list(db.session.scalars(visible_ideas(user, query)))
