"""Reminder mails before an event: everyone registered and everyone on the waiting list (with their position)
gets one, `Event.reminder_days` days before the start; `flask --app forum send-reminders` runs it."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from forum.accounts.models import User
from forum.clock import utcnow
from forum.events.models import MAX_REMINDER_DAYS, Event, EventRegistration
from forum.extensions import db
from forum.notifications.outbox import absolute_url, queue_mails

REMINDED_STATUSES = ("registered", "waiting")


def due_events(now: datetime) -> list[Event]:
    """Events not cancelled, not held, not begun, whose reminder day has come (0 reminder days: never)."""
    candidates = db.session.scalars(select(Event).where(
        Event.status.in_(("planned", "open")), Event.starts_at > now,
        Event.starts_at <= now + timedelta(days=MAX_REMINDER_DAYS), Event.reminder_days > 0,
    ).order_by(Event.starts_at, Event.id))
    return [event for event in candidates if event.starts_at - timedelta(days=event.reminder_days) <= now]


def _claim(event: Event, now: datetime) -> list[int]:
    """Mark the event's registrations still to be reminded as reminded, in one conditional UPDATE, and return
    their ids. A parallel run claims none of them: PostgreSQL re-checks `reminded_at IS NULL` once the other
    run's transaction ends, SQLite lets one writer at a time."""
    active = select(User.id).where(User.status == "active")
    claimed = db.session.execute(
        update(EventRegistration)
        .where(EventRegistration.event_id == event.id, EventRegistration.status.in_(REMINDED_STATUSES),
               EventRegistration.reminded_at.is_(None), EventRegistration.user_id.in_(active))
        .values(reminded_at=now).returning(EventRegistration.id)
        .execution_options(synchronize_session=False))
    return list(claimed.scalars())


def _waiting_positions(event: Event) -> dict[int, int]:
    """{registration id: place on the waiting list (1 = next)} in one query."""
    waiting = db.session.scalars(
        select(EventRegistration.id).where(EventRegistration.event_id == event.id,
                                           EventRegistration.status == "waiting")
        .order_by(EventRegistration.queued_at, EventRegistration.id))
    return {registration_id: position for position, registration_id in enumerate(waiting, start=1)}


def send_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that are due, each registration at most once (also when runs overlap); returns how
    many mails were queued. The mail links the .ics (the outbox carries no attachments); the online link only
    for people holding a place."""
    now = now or utcnow()
    queued = 0
    for event in due_events(now):
        ids = _claim(event, now)
        if not ids:
            continue
        positions = _waiting_positions(event)
        registrations = db.session.scalars(
            select(EventRegistration).where(EventRegistration.id.in_(ids))
            .options(joinedload(EventRegistration.user)).order_by(EventRegistration.id))
        event_url = absolute_url("events.show", event_id=event.id)
        ics_url = absolute_url("events.ics", event_id=event.id)
        mails = []
        for registration in registrations:
            person, waiting = registration.user, registration.status == "waiting"
            mails.append((person.email, "event_reminder", person.language, {
                "user": person, "event": event, "position": positions.get(registration.id) if waiting else None,
                "online_link": "" if waiting else event.online_url, "event_url": event_url, "ics_url": ics_url}))
        queued += queue_mails(mails)
    db.session.flush()
    return queued
