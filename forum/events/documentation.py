"""The documentation pack of held events (print view and PDF): what each event's pack holds for one reader, loaded
for one event or all events of a period with one query per part, and the audit entry of a download with names.

Everything passes the reader's filters: the closing report only as can_view_event_report allows (a draft for
organisers, marked as such), ideas through visible_ideas, pinned posts only when shown normally and readable
(readable_posts), follow-ups through visible_threads, files through visible_attachments, and attendees' names
only for those who may see the attendance (can_view_attendance).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from markupsafe import Markup
from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from forum.accounts.models import User
from forum.audit import record
from forum.clock import from_berlin
from forum.discussion.models import Post, Thread
from forum.discussion.quotes import shown_html
from forum.events.attendance import attendance_counts
from forum.events.models import Event, EventAttachment, EventRegistration, EventWalkIn
from forum.extensions import db
from forum.ideas.models import Idea, IdeaEvent
from forum.organisations.models import Organisation
from forum.permissions import (can_view_attendance, can_view_event_report, readable_posts, visible_attachments,
                               visible_documented_events, visible_ideas, visible_threads)

MAX_PERIOD_DAYS = 366  # a year at most: the report to the ministry is yearly at the longest


@dataclass
class Attendee:
    """One person who attended (registered and marked present, or a walk-in)."""

    name: str
    organisation: str


@dataclass
class EventPack:
    """What the documentation pack shows of one event to one reader."""

    event: Event
    report: object | None = None  # the EventReport the reader may see (a draft only for organisers)
    attendees_count: int = 0
    jobcenters_count: int = 0
    organisations: list[str] = field(default_factory=list)
    attendees: list[Attendee] | None = None  # None: the reader may not see names
    ideas: list[Idea] = field(default_factory=list)
    follow_ups: list[Thread] = field(default_factory=list)
    pinned: list[Post] = field(default_factory=list)
    shown: dict[int, Markup] = field(default_factory=dict)  # the pinned posts' HTML as the reader may see it
    attachments: list[EventAttachment] = field(default_factory=list)

    @property
    def has_names(self) -> bool:
        return bool(self.attendees)


def held_events_between(first: date, last: date, reader) -> list[Event]:
    """The held events starting from `first` to `last` (German dates, both included), by start (one query; their
    reports in a second)."""
    start, end = from_berlin(first, time(0)), from_berlin(last + timedelta(days=1), time(0))
    query = (select(Event).where(Event.starts_at >= start, Event.starts_at < end)
             .options(selectinload(Event.report)).order_by(Event.starts_at, Event.id))
    return list(db.session.scalars(visible_documented_events(reader, query)))


def documentation_packs(events: list[Event], reader, *, with_names: bool = True) -> list[EventPack]:
    """The packs of the events in their order, for the reader; a fixed number of queries for any number of events.
    `with_names=False` leaves the attendees' names out even for organisers (the period pack for the ministry)."""
    packs = {event.id: EventPack(event=event) for event in events}
    ids = list(packs)
    if not ids:
        return []
    for event_id, (attendees, jobcenters) in attendance_counts(ids).items():
        packs[event_id].attendees_count, packs[event_id].jobcenters_count = attendees, jobcenters
    for pack in packs.values():
        if can_view_event_report(reader, pack.event):
            pack.report = report = pack.event.report
            if report.attendees_override is not None:
                pack.attendees_count = report.attendees_override
            if report.jobcenters_override is not None:
                pack.jobcenters_count = report.jobcenters_override
    _add_attendees(packs, reader, with_names=with_names)
    ideas = (select(IdeaEvent.event_id, Idea).join(IdeaEvent, IdeaEvent.idea_id == Idea.id)
             .where(IdeaEvent.event_id.in_(ids)).options(joinedload(Idea.organisation)).order_by(Idea.title))
    for event_id, idea in db.session.execute(visible_ideas(reader, ideas)):
        packs[event_id].ideas.append(idea)
    follow_ups = select(Thread).where(Thread.follow_up_event_id.in_(ids)).order_by(Thread.created_at, Thread.id)
    for thread in db.session.scalars(visible_threads(reader, follow_ups)):
        packs[thread.follow_up_event_id].follow_ups.append(thread)
    pinned = (select(Thread.event_id, Post).join(Thread, Post.thread_id == Thread.id)
              .where(Thread.event_id.in_(ids), Post.pinned_at.is_not(None), Post.hidden_at.is_(None),
                     Post.withdrawn_at.is_(None))
              .options(joinedload(Post.author)).order_by(Post.number))
    posts = []
    for event_id, post in db.session.execute(readable_posts(reader, pinned)):
        packs[event_id].pinned.append(post)
        posts.append(post)
    shown = shown_html(posts, reader) if posts else {}
    for pack in packs.values():
        pack.shown = {post.id: shown[post.id] for post in pack.pinned}
    files = select(EventAttachment).where(EventAttachment.event_id.in_(ids)).order_by(EventAttachment.id)
    for attachment in db.session.scalars(visible_attachments(reader, files)):
        packs[attachment.event_id].attachments.append(attachment)
    return list(packs.values())


def _add_attendees(packs: dict[int, EventPack], reader, *, with_names: bool) -> None:
    """Participating organisations for everyone; names only where the reader may see the attendance (one query
    for registered attendees and walk-ins of all events)."""
    attended = (select(EventRegistration.event_id, User.display_name, Organisation.name, literal(""))
                .join(User, EventRegistration.user_id == User.id)
                .outerjoin(Organisation, User.organisation_id == Organisation.id)
                .where(EventRegistration.event_id.in_(list(packs)), EventRegistration.status == "registered",
                       EventRegistration.attended_at.is_not(None)))
    came = (select(EventWalkIn.event_id, EventWalkIn.name, Organisation.name, EventWalkIn.organisation_name)
            .outerjoin(Organisation, EventWalkIn.organisation_id == Organisation.id)
            .where(EventWalkIn.event_id.in_(list(packs))))
    people: dict[int, list[Attendee]] = defaultdict(list)
    for event_id, name, organisation, typed in db.session.execute(union_all(attended, came)):
        people[event_id].append(Attendee(name, organisation or typed or ""))
    for event_id, pack in packs.items():
        found = people.get(event_id, [])
        pack.organisations = sorted({person.organisation for person in found if person.organisation},
                                    key=str.casefold)
        if with_names and can_view_attendance(reader, pack.event):
            pack.attendees = sorted(found, key=lambda person: (person.name.casefold(), person.organisation))


def record_pack_download(event: Event, pack: EventPack, *, actor) -> None:
    """A PDF with attendees' names left the system: audited with the number of names, never the names."""
    record(actor, "event.documentation_pack", event, snapshot={
        "title": event.title, "names": len(pack.attendees or []), "organisations": len(pack.organisations)})
