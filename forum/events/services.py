"""Event life cycle, registration with waiting list, documentation, attachments, calendars, follow-ups."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from forum import markup
from forum.accounts.models import User
from forum.clock import utcnow
from forum.dates import format_datetime
from forum.discussion.models import Thread
from forum.discussion.services import start_thread
from forum.events.models import REGISTRATION_STATUSES, Event, EventRegistration
from forum.exports import excel_csv
from forum.extensions import db
from forum.languages import written_in
from forum.audit import event_snapshot, record
from forum.notifications.following import follow
from forum.notifications.inbox import notify_follow_up
from forum.notifications.outbox import absolute_url, queue_mail
from forum.rules import RuleBroken
from forum.search import index as search_index

class EventError(RuleBroken):
    """A rule about events was broken; the message is German (or the user's language) for the page."""


@dataclass
class EventData:
    """Clean values for one event, from the organiser's form (times aware UTC)."""

    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    online_url: str
    land: str | None
    description: str
    agenda: str
    capacity: int | None
    registration_deadline: datetime | None
    status: str
    reminder_days: int | None = None  # None: keep the event's (3 for a new one); 0: no reminder


def _lock(event: Event) -> Event:
    """Take the event's row lock (PostgreSQL; SQLite's writing requests hold the database lock already) and
    re-read it, so registrations for one event are counted and changed one request at a time."""
    return db.session.execute(
        select(Event).where(Event.id == event.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _check(data: EventData) -> None:
    """The rules the form checks too, enforced here for every caller (CLI, demo data)."""
    if data.ends_at < data.starts_at:
        raise EventError(_("Das Ende muss nach dem Beginn liegen."))
    if data.capacity is not None and data.capacity < 0:
        raise EventError(_("Die Zahl der Plätze darf nicht negativ sein."))
    if data.registration_deadline is not None and data.registration_deadline > data.starts_at:
        raise EventError(_("Die Anmeldefrist darf nicht nach dem Beginn liegen."))
    if not (data.location.strip() or data.online_url.strip()):
        raise EventError(_("Bitte geben Sie einen Veranstaltungsort oder einen Online-Link an."))


def _apply(event: Event, data: EventData) -> None:
    event.kind, event.title, event.status = data.kind, data.title.strip(), data.status
    event.starts_at, event.ends_at = data.starts_at, data.ends_at
    event.location, event.online_url, event.land = data.location.strip(), data.online_url.strip(), data.land
    event.description_source, event.description_html = data.description, markup.render(data.description)
    event.agenda_source, event.agenda_html = data.agenda, markup.render(data.agenda)
    event.capacity, event.registration_deadline = data.capacity, data.registration_deadline
    if data.reminder_days is not None:
        event.reminder_days = data.reminder_days
    event.updated_at = utcnow()


def create_event(data: EventData, *, actor, copied_from: Event | None = None) -> Event:
    """Create an event with its main discussion thread (titled like the event); audited. A copy (the next event
    of a series) keeps the template's reminder days unless the form gives its own, and the log names the
    template."""
    _check(data)
    event = Event(created_by=actor, language=written_in(actor),
                  reminder_days=copied_from.reminder_days if copied_from is not None else 3)
    _apply(event, data)
    db.session.add(event)
    db.session.flush()
    start_thread(event.title, author=actor, event=event)
    search_index.index_event(event)
    snapshot = {"after": event_snapshot(event)}
    if copied_from is not None:
        snapshot["copied_from"] = {"id": copied_from.id, "title": copied_from.title}
    record(actor, "event.create", event, snapshot=snapshot)
    return event


def update_event(event: Event, data: EventData, *, actor) -> Event:
    """Change an event; more places (or re-opening) move waiting people up, oldest first; a new date makes the
    reminder due again; audited."""
    _check(data)
    event = _lock(event)
    before, starts_at = event_snapshot(event), event.starts_at
    _apply(event, data)
    if event.starts_at != starts_at:  # a reminder names the date: one for the new date is due again
        db.session.execute(update(EventRegistration).where(
            EventRegistration.event_id == event.id, EventRegistration.reminded_at.is_not(None))
            .values(reminded_at=None).execution_options(synchronize_session=False))
    event.ical_sequence = Event.ical_sequence + 1
    if event.main_thread is not None and event.main_thread.title != event.title:
        event.main_thread.title = event.title
    db.session.flush()
    search_index.index_event(event)
    _fill_free_places(event)
    record(actor, "event.update", event, snapshot={"before": before, "after": event_snapshot(event)})
    return event


def cancel_event(event: Event, *, actor, reason: str = "") -> int:
    """Cancel an event and mail everyone registered or waiting; returns how many were told; audited."""
    event = _lock(event)
    if event.status in ("cancelled", "done"):
        raise EventError(_("Die Veranstaltung ist schon abgesagt oder abgeschlossen."))
    event.status, event.updated_at = "cancelled", utcnow()
    event.ical_sequence = Event.ical_sequence + 1
    people = db.session.scalars(
        select(User).join(EventRegistration, EventRegistration.user_id == User.id)
        .where(EventRegistration.event_id == event.id, EventRegistration.status.in_(("registered", "waiting")))
        .order_by(User.id)
    ).all()
    for person in people:
        queue_mail(person.email, "event_cancelled", language=person.language, user=person, event=event,
                   reason=reason.strip(), event_url=absolute_url("events.show", event_id=event.id))
    db.session.flush()
    record(actor, "event.cancel", event, reason=reason.strip(),
           snapshot={"after": event_snapshot(event), "notified": len(people)})
    return len(people)


def complete_event(event: Event, *, actor) -> Event:
    """Mark an event as held (abgeschlossen): registration closes, documentation follows; audited."""
    event = _lock(event)
    if event.status in ("cancelled", "done"):
        raise EventError(_("Die Veranstaltung ist schon abgesagt oder abgeschlossen."))
    event.status, event.updated_at = "done", utcnow()
    db.session.flush()
    record(actor, "event.complete", event, snapshot={"after": event_snapshot(event)})
    return event


# --- registration -------------------------------------------------------------------------------------------

def _count(event: Event, status: str) -> int:
    return db.session.scalar(select(func.count(EventRegistration.id)).where(
        EventRegistration.event_id == event.id, EventRegistration.status == status))


def register(user, event: Event) -> str:
    """Register a member: "registered" while places are free (capacity None = unlimited), else "waiting" at the
    end of the list; they follow the event. Registering again is harmless; after cancelling it queues anew.
    Raises EventError when registration is closed."""
    event = _lock(event)
    reason = event.registration_closed_reason()
    if reason:
        raise EventError(reason)
    registration = db.session.scalar(select(EventRegistration).where(
        EventRegistration.event_id == event.id, EventRegistration.user_id == user.id))
    if registration is not None and registration.status in ("registered", "waiting"):
        return registration.status
    full = event.capacity is not None and _count(event, "registered") >= event.capacity
    status = "waiting" if full else "registered"
    now = utcnow()
    if registration is None:
        registration = EventRegistration(event_id=event.id, user_id=user.id)
        db.session.add(registration)
    registration.status, registration.queued_at, registration.updated_at = status, now, now
    registration.reminded_at = None  # registered anew after withdrawing: the reminder is due again
    db.session.flush()
    follow(user, event)
    return status


@dataclass
class Withdrawal:
    """What cancelling one's registration did: the status given up, and whether the place went to someone
    waiting (so the page says so only when it is true)."""

    previous: str
    place_passed_on: bool = False


def cancel_registration(user, event: Event) -> Withdrawal | None:
    """Withdraw a registration or a place on the waiting list; a freed place goes to the oldest waiting person,
    who gets an e-mail. Returns what was withdrawn, or None if there was nothing to withdraw."""
    event = _lock(event)
    registration = registration_of(user, event)
    if registration is None:
        return None
    withdrawal = Withdrawal(registration.status)
    registration.status, registration.updated_at = "cancelled", utcnow()
    db.session.flush()
    if withdrawal.previous == "registered":
        withdrawal.place_passed_on = bool(_fill_free_places(event))
    return withdrawal


def _fill_free_places(event: Event) -> list[EventRegistration]:
    """Move waiting people up, oldest first, into the places that are free; each gets an e-mail."""
    if event.status in ("cancelled", "done"):
        return []
    query = (select(EventRegistration).where(EventRegistration.event_id == event.id,
                                             EventRegistration.status == "waiting")
             .order_by(EventRegistration.queued_at, EventRegistration.id))
    if event.capacity is not None:
        free = event.capacity - _count(event, "registered")
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    now = utcnow()
    for registration in promoted:
        registration.status, registration.updated_at = "registered", now
        person = registration.user
        queue_mail(person.email, "event_place_free", language=person.language, user=person, event=event,
                   event_url=absolute_url("events.show", event_id=event.id),
                   ics_url=absolute_url("events.ics", event_id=event.id))
    db.session.flush()
    return promoted


def registration_counts(event_ids: list[int]) -> dict[int, dict[str, int]]:
    """{event id: {"registered": n, "waiting": m}} for the given events, in one query."""
    counts = {event_id: {"registered": 0, "waiting": 0} for event_id in event_ids}
    if not event_ids:
        return counts
    rows = db.session.execute(
        select(EventRegistration.event_id, EventRegistration.status, func.count(EventRegistration.id))
        .where(EventRegistration.event_id.in_(event_ids), EventRegistration.status.in_(("registered", "waiting")))
        .group_by(EventRegistration.event_id, EventRegistration.status))
    for event_id, status, count in rows:
        counts[event_id][status] = count
    return counts


def registration_states(user, event_ids: list[int]) -> dict[int, str]:
    """{event id: "registered" or "waiting"} of one user for the given events, in one query."""
    if not event_ids:
        return {}
    rows = db.session.execute(select(EventRegistration.event_id, EventRegistration.status).where(
        EventRegistration.user_id == user.id, EventRegistration.event_id.in_(event_ids),
        EventRegistration.status.in_(("registered", "waiting"))))
    return dict(rows.all())


def upcoming_events(*, limit: int, not_for=None) -> list[Event]:
    """The next events that have not ended and are not cancelled, soonest first (for the dashboard); with
    `not_for`, only those that user is not registered or waiting for (their own are listed apart)."""
    query = select(Event).where(Event.ends_at >= utcnow(), Event.status.in_(("planned", "open")))
    if not_for is not None:
        query = query.where(Event.id.not_in(select(EventRegistration.event_id).where(
            EventRegistration.user_id == not_for.id, EventRegistration.status.in_(("registered", "waiting")))))
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id).limit(limit)))


def my_upcoming_registrations(user, *, limit: int) -> list[EventRegistration]:
    """The user's registrations and waiting-list places for events still to come, soonest first."""
    return list(db.session.scalars(
        select(EventRegistration).join(EventRegistration.event).options(joinedload(EventRegistration.event))
        .where(EventRegistration.user_id == user.id, EventRegistration.status.in_(("registered", "waiting")),
               Event.ends_at >= utcnow(), Event.status != "cancelled")
        .order_by(Event.starts_at).limit(limit)))


def registration_of(user, event: Event) -> EventRegistration | None:
    """The user's current registration or waiting-list place for the event (not a cancelled one)."""
    return db.session.scalar(select(EventRegistration).where(
        EventRegistration.event_id == event.id, EventRegistration.user_id == user.id,
        EventRegistration.status.in_(("registered", "waiting"))))


def waiting_position(registration: EventRegistration) -> int | None:
    """1 for the first person on the waiting list; None for a registration that is not waiting."""
    if registration.status != "waiting":
        return None
    ahead = db.session.scalar(select(func.count(EventRegistration.id)).where(
        EventRegistration.event_id == registration.event_id, EventRegistration.status == "waiting",
        (EventRegistration.queued_at < registration.queued_at)
        | ((EventRegistration.queued_at == registration.queued_at) & (EventRegistration.id < registration.id))))
    return ahead + 1


def participants(event: Event) -> list[EventRegistration]:
    """Every registration of the event with person and organisation: registered, waiting (in queue order),
    cancelled."""
    order = {"registered": 0, "waiting": 1, "cancelled": 2}
    rows = db.session.scalars(
        select(EventRegistration).where(EventRegistration.event_id == event.id)
        .options(joinedload(EventRegistration.user))
        .order_by(EventRegistration.queued_at, EventRegistration.id)
    ).all()
    return sorted(rows, key=lambda registration: order.get(registration.status, 3))


def export_participants(event: Event, *, actor) -> bytes:
    """The participant list for Excel (see forum/exports.py); personal data, so the export is audited."""
    header = [_("Status"), _("Wartelistenplatz"), _("Name"), _("Funktion"), _("Organisation"), _("Land"),
              _("E-Mail-Adresse"), _("Angemeldet am")]
    rows, position = [], 0
    for registration in participants(event):
        person = registration.user
        if registration.status == "waiting":
            position += 1
        rows.append((REGISTRATION_STATUSES.get(registration.status, registration.status),
                     position if registration.status == "waiting" else "",
                     person.display_name, person.function, person.organisation.name, person.organisation.land_name,
                     person.email, format_datetime(registration.queued_at)))
    record(actor, "event.participants_export", event, snapshot={"title": event.title, "rows": len(rows)})
    return excel_csv(header, rows)


# --- documentation ----------------------------------------------------------------------------------------

def update_documentation(event: Event, source: str, *, actor) -> Event:
    """Save the documentation text (markdown, rendered now); audited."""
    event.documentation_source, event.documentation_html = source, markup.render(source)
    event.updated_at = utcnow()
    db.session.flush()
    search_index.index_event(event)
    record(actor, "event.documentation", event, snapshot={"title": event.title, "documentation": source})
    return event


# --- follow-up threads --------------------------------------------------------------------------------------

def start_follow_up(event: Event, title: str, *, actor) -> Thread:
    """Start a new thread as a follow-up discussion of the event; audited; the event's followers are notified."""
    thread = start_thread(title, author=actor, follow_up_of=event)
    record(actor, "event.follow_up.start", event, snapshot={"title": event.title, "thread_id": thread.id,
                                                             "thread_title": thread.title})
    notify_follow_up(thread, event, actor=actor)
    return thread


def link_follow_up(event: Event, thread: Thread | None, *, actor) -> Thread:
    """Mark an existing standalone thread as a follow-up of the event; audited; the event's followers are
    notified."""
    if thread is None:
        raise EventError(_("Diese Diskussion gibt es nicht. Bitte prüfen Sie die Nummer oder die Adresse."))
    if not thread.is_standalone:
        raise EventError(_("Die Diskussion einer Veranstaltung oder Idee kann keine Folgediskussion sein."))
    if thread.follow_up_event_id == event.id:
        raise EventError(_("Diese Diskussion ist schon eine Folgediskussion dieser Veranstaltung."))
    if thread.follow_up_event_id is not None:
        raise EventError(_("Diese Diskussion ist schon Folgediskussion von „%(title)s“.",
                           title=thread.follow_up_event.title))
    thread.follow_up_event = event
    db.session.flush()
    record(actor, "event.follow_up.link", event, snapshot={"title": event.title, "thread_id": thread.id,
                                                            "thread_title": thread.title})
    notify_follow_up(thread, event, actor=actor)
    return thread


def unlink_follow_up(event: Event, thread: Thread, *, actor) -> bool:
    """Remove the follow-up mark (the thread stays); False if it was not a follow-up of this event; audited."""
    if thread.follow_up_event_id != event.id:
        return False
    thread.follow_up_event = None
    db.session.flush()
    record(actor, "event.follow_up.unlink", event, snapshot={"title": event.title, "thread_id": thread.id,
                                                              "thread_title": thread.title})
    return True
