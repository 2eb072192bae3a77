"""iCalendar files of events and the personal calendar feed with its secret, revocable token."""
from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import select

from forum import markup
from forum.accounts.models import User
from forum.clock import utcnow
from forum.events.models import CalendarFeed, Event, EventRegistration
from forum.extensions import db
from forum.notifications.outbox import absolute_url

FEED_PAST_DAYS = 365  # the personal feed lists registered events from a year ago on
_ICAL_STATUS = {"planned": "TENTATIVE", "open": "CONFIRMED", "done": "CONFIRMED", "cancelled": "CANCELLED"}


def ics(events: list[Event], *, name: str | None = None, online_links: bool = True) -> bytes:
    """An iCalendar file (RFC 5545: escaped, folded at 75 octets, CRLF) with one VEVENT per event, in UTC;
    without `online_links` the video room's address is left out (it is for people holding a place)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Servicestelle SGB II//ABC-Extranet//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "abc-extranet"
    now = utcnow()
    for event in events:
        url = absolute_url("events.show", event_id=event.id)
        entry = CalendarEvent()
        entry.add("uid", f"event-{event.id}@{host}")
        entry.add("dtstamp", now)
        entry.add("dtstart", event.starts_at)
        entry.add("dtend", event.ends_at)
        entry.add("last-modified", event.updated_at)
        entry.add("sequence", event.ical_sequence)
        title = event.title if event.status != "cancelled" else _("Abgesagt: %(title)s", title=event.title)
        entry.add("summary", title)
        location = ", ".join(part for part in (event.location, event.online_url if online_links else "") if part)
        if location:
            entry.add("location", location)
        description = "\n\n".join(part for part in (event.kind_label, markup.plain_text(event.description_html),
                                                    _("Zur Veranstaltung im ABC-Extranet: %(url)s", url=url)) if part)
        entry.add("description", description)
        entry.add("url", url)
        entry.add("status", _ICAL_STATUS.get(event.status, "CONFIRMED"))
        calendar.add_component(entry)
    return calendar.to_ical()


def create_calendar_feed(user) -> CalendarFeed:
    """Give the user a new secret feed token; an earlier one stops working."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token, feed.created_at = secrets.token_urlsafe(32), utcnow()
    db.session.flush()
    return feed


def revoke_calendar_feed(user) -> bool:
    """Stop the user's feed; False if there was none."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    return True


def calendar_feed_of(user) -> CalendarFeed | None:
    """The user's feed, if they have one."""
    return db.session.get(CalendarFeed, user.id)


def user_for_feed_token(token: str) -> User | None:
    """The active user a feed token belongs to, or None for an unknown or revoked token."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
                             .where(CalendarFeed.token == token))
    return user if user is not None and user.is_active else None


def feed_events(user) -> list[Event]:
    """The events the user is registered for, from a year ago on; cancelled ones stay so calendars show it."""
    return list(db.session.scalars(
        select(Event).join(EventRegistration, EventRegistration.event_id == Event.id)
        .where(EventRegistration.user_id == user.id, EventRegistration.status == "registered",
               Event.ends_at >= utcnow() - timedelta(days=FEED_PAST_DAYS))
        .order_by(Event.starts_at)
    ))
