"""Who attended an event: registered people marked present by the organisers, walk-ins added by name and
organisation, and the numbers derived from both (attendees, attending Jobcenters) for reports and statistics.

Attendance is personal data: the audit snapshots keep counts and organisations, never an attendee's name.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import case, func, select, union_all, update
from sqlalchemy.orm import joinedload

from forum.accounts.models import User
from forum.audit import record
from forum.clock import utcnow
from forum.events.models import Event, EventRegistration, EventWalkIn
from forum.events.services import EventError
from forum.extensions import db
from forum.organisations.models import Organisation


def _check_has_begun(event: Event) -> None:
    if event.status == "cancelled":
        raise EventError(_("Die Veranstaltung wurde abgesagt."))
    if event.starts_at > utcnow():
        raise EventError(_("Die Anwesenheit kann erst erfasst werden, wenn die Veranstaltung begonnen hat."))


def attendance_list(event: Event) -> list[EventRegistration]:
    """The registered people of the event with their organisations, by name (one query), for the checklist."""
    rows = db.session.scalars(
        select(EventRegistration).join(User, EventRegistration.user_id == User.id)
        .where(EventRegistration.event_id == event.id, EventRegistration.status == "registered")
        .options(joinedload(EventRegistration.user).joinedload(User.organisation))
        .order_by(func.lower(User.display_name), EventRegistration.id))
    return list(rows)


def walk_ins(event: Event) -> list[EventWalkIn]:
    """The event's walk-ins in the order they were added, with their organisations (one query)."""
    return list(db.session.scalars(select(EventWalkIn).where(EventWalkIn.event_id == event.id)
                                   .options(joinedload(EventWalkIn.organisation)).order_by(EventWalkIn.id)))


def mark_attendance(event: Event, present_ids: set[int], *, actor) -> int:
    """Set who of the registered people attended: exactly `present_ids` (registration ids) are present; others
    of the list are not. Two UPDATEs, so parallel saves cannot leave a half state. Returns how many people
    changed; audited with the counts only."""
    _check_has_begun(event)
    registered = (EventRegistration.event_id == event.id) & (EventRegistration.status == "registered")
    now = utcnow()
    marked = db.session.execute(
        update(EventRegistration).where(registered, EventRegistration.id.in_(present_ids or {0}),
                                        EventRegistration.attended_at.is_(None))
        .values(attended_at=now).execution_options(synchronize_session=False)).rowcount
    unmarked = db.session.execute(
        update(EventRegistration).where(registered, EventRegistration.id.not_in(present_ids or {0}),
                                        EventRegistration.attended_at.is_not(None))
        .values(attended_at=None).execution_options(synchronize_session=False)).rowcount
    db.session.expire_all()
    if marked or unmarked:
        present = db.session.scalar(select(func.count(EventRegistration.id)).where(
            registered, EventRegistration.attended_at.is_not(None)))
        record(actor, "event.attendance", event, snapshot={
            "title": event.title, "present": present, "marked_present": marked, "marked_absent": unmarked})
    return marked + unmarked


def mark_all_present(event: Event, *, actor) -> int:
    """The "Alle anwesend" shortcut: every registered person attended."""
    ids = set(db.session.scalars(select(EventRegistration.id).where(
        EventRegistration.event_id == event.id, EventRegistration.status == "registered")))
    return mark_attendance(event, ids, actor=actor)


def add_walk_in(event: Event, name: str, *, organisation: Organisation | None, organisation_name: str = "",
                actor) -> EventWalkIn:
    """Someone came without registering: their name and organisation (from the directory, or as typed)."""
    _check_has_begun(event)
    name = " ".join(name.split())
    if not name:
        raise EventError(_("Bitte geben Sie den Namen an."))
    walk_in = EventWalkIn(event_id=event.id, name=name, organisation=organisation,
                          organisation_name="" if organisation else " ".join(organisation_name.split()),
                          created_by_id=actor.id)
    db.session.add(walk_in)
    db.session.flush()
    record(actor, "event.walk_in.add", event, snapshot={
        "title": event.title, "walk_in_id": walk_in.id, "organisation": walk_in.organisation_label})
    return walk_in


def remove_walk_in(walk_in: EventWalkIn, *, actor) -> None:
    """A walk-in added by mistake is removed; audited with the organisation only."""
    event = walk_in.event
    record(actor, "event.walk_in.remove", event, snapshot={
        "title": event.title, "walk_in_id": walk_in.id, "organisation": walk_in.organisation_label})
    db.session.delete(walk_in)
    db.session.flush()


def attendance_counts(event_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{event id: (attendees, attending Jobcenters)}: registrations marked present plus walk-ins, and the distinct
    organisations of kind "jobcenter" among them (a walk-in typed as free text counts as a person, not as a
    Jobcenter). One aggregate query for any number of events; events without attendance get (0, 0)."""
    counts = {event_id: (0, 0) for event_id in event_ids}
    if not event_ids:
        return counts
    attended = (select(EventRegistration.event_id.label("event_id"), User.organisation_id.label("organisation_id"))
                .join(User, EventRegistration.user_id == User.id)
                .where(EventRegistration.event_id.in_(event_ids), EventRegistration.attended_at.is_not(None)))
    came = select(EventWalkIn.event_id.label("event_id"), EventWalkIn.organisation_id.label("organisation_id")).where(
        EventWalkIn.event_id.in_(event_ids))
    people = union_all(attended, came).subquery()
    jobcenter = case((Organisation.kind == "jobcenter", Organisation.id))
    rows = db.session.execute(
        select(people.c.event_id, func.count(), func.count(func.distinct(jobcenter)))
        .select_from(people).outerjoin(Organisation, Organisation.id == people.c.organisation_id)
        .group_by(people.c.event_id))
    for event_id, attendees, jobcenters in rows:
        counts[event_id] = (attendees, jobcenters)
    return counts
