"""Events, their registrations (with waiting list), documentation attachments and personal calendar feeds."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.clock import UTCDateTime, utcnow
from forum.extensions import db
from forum.languages import language_column

EVENT_KINDS = {
    "workshop": _l("Werkstattgespräch"),
    "regional_conference": _l("Regionalkonferenz"),
    "federal_event": _l("Fachveranstaltung"),
    "online": _l("Online-Format"),
}
EVENT_STATUSES = {
    "planned": _l("geplant"),
    "open": _l("Anmeldung offen"),
    "done": _l("abgeschlossen"),
    "cancelled": _l("abgesagt"),
}
MAX_REMINDER_DAYS = 60  # send-reminders looks this far ahead
# What an event's badge says, everywhere it is shown (list, event page, dashboard); Event.state() decides.
EVENT_STATES = {
    "planned": _l("Anmeldung noch nicht offen"),
    "open": _l("Anmeldung offen"),
    "waiting_list": _l("Nur noch Warteliste"),
    "full": _l("Ausgebucht"),
    "closed": _l("Anmeldung geschlossen"),
    "past": _l("Vergangen"),
    "cancelled": _l("Abgesagt"),
}
REGISTRATION_STATUSES = {
    "registered": _l("angemeldet"),
    "waiting": _l("Warteliste"),
    "cancelled": _l("abgemeldet"),
}


class Event(db.Model):
    """A Werkstattgespräch, Regionalkonferenz, Fachveranstaltung or online format of the service office."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        Index("ix_events_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = language_column()  # of title, description, agenda, documentation
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    land: Mapped[str | None] = mapped_column(String(2), index=True)
    description_source: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    agenda_source: Mapped[str] = mapped_column(Text, default="")
    agenda_html: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None]
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    documentation_source: Mapped[str] = mapped_column(Text, default="")
    documentation_html: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # iCalendar SEQUENCE: counted up with every change calendars must apply (an edit, a cancellation).
    ical_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # Days before the start when `send-reminders` mails registered people and the waiting list.
    reminder_days: Mapped[int] = mapped_column(default=3, server_default="3")

    main_thread = relationship("Thread", foreign_keys="Thread.event_id", back_populates="event", uselist=False)
    follow_ups = relationship("Thread", foreign_keys="Thread.follow_up_event_id", back_populates="follow_up_event",
                              order_by="Thread.created_at")
    attachments: Mapped[list[EventAttachment]] = relationship(back_populates="event", order_by="EventAttachment.id",
                                                              cascade="all, delete-orphan")
    created_by = relationship("User")
    report: Mapped[EventReport | None] = relationship(back_populates="event", uselist=False,
                                                      cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        return str(EVENT_KINDS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return str(EVENT_STATUSES.get(self.status, self.status))

    def registration_closed_reason(self, now: datetime | None = None) -> str | None:
        """Why registration for this event is closed, as a message for the page; None while it is open."""
        now = now or utcnow()
        if self.status == "cancelled":
            return gettext("Die Veranstaltung wurde abgesagt.")
        if self.status == "done":
            return gettext("Die Veranstaltung ist abgeschlossen.")
        if self.ends_at <= now:
            return gettext("Die Veranstaltung hat bereits stattgefunden.")
        if self.status != "open":
            return gettext("Die Anmeldung ist noch nicht geöffnet.")
        if now > (self.registration_deadline or self.starts_at):
            return gettext("Die Anmeldefrist ist abgelaufen.")
        return None

    @property
    def registration_ends_at(self) -> datetime:
        """The last moment to register: the deadline, or the start when there is none."""
        return self.registration_deadline or self.starts_at

    def is_over(self, now: datetime | None = None) -> bool:
        """Held (marked as done) or ended: no places, deadline or registration to speak of any more."""
        return self.status == "done" or self.ends_at <= (now or utcnow())

    def state(self, registered: int, now: datetime | None = None) -> str:
        """The one key of EVENT_STATES this event is in, given how many people hold a place: cancelled, past,
        planned (registration not open yet), open (places free), waiting_list (registering puts one on the
        waiting list), full (no place left and registration closed), closed (deadline passed or begun)."""
        now = now or utcnow()
        if self.status == "cancelled":
            return "cancelled"
        if self.is_over(now):
            return "past"
        no_place_left = self.capacity is not None and registered >= self.capacity
        if self.registration_closed_reason(now) is None:
            return "waiting_list" if no_place_left else "open"
        if no_place_left:
            return "full"
        return "planned" if self.status == "planned" else "closed"

    @staticmethod
    def state_label(state: str) -> str:
        return str(EVENT_STATES[state])

    @property
    def is_online(self) -> bool:
        return self.kind == "online" or (bool(self.online_url) and not self.location)


class EventRegistration(db.Model):
    """One person's registration; the waiting list is ordered by `queued_at` (oldest first)."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_event_registrations_event_status_queued", "event_id", "status", "queued_at"),
        Index("ix_event_registrations_queued_at", "queued_at"),  # registrations per period (statistics)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set when an organiser marks them present
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the reminder mail was queued

    event: Mapped[Event] = relationship()
    user = relationship("User")

    @property
    def status_label(self) -> str:
        return str(REGISTRATION_STATUSES.get(self.status, self.status))


class EventAttachment(db.Model):
    """A documentation file; stored under instance/uploads/ by a random name, served only to members."""

    __tablename__ = "event_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="attachments")


class CalendarFeed(db.Model):
    """A user's secret calendar feed token (calendar apps cannot log in); a new token revokes the old one."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventWalkIn(db.Model):
    """An attendee who came without registering: a name and an organisation (from the directory or as typed)."""

    __tablename__ = "event_walk_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    event: Mapped[Event] = relationship()
    organisation = relationship("Organisation")

    @property
    def organisation_label(self) -> str:
        return self.organisation.name if self.organisation else self.organisation_name


class EventReport(db.Model):
    """The closing report (Abschlussbericht) of a past event; a draft (published_at None) is for organisers only."""

    __tablename__ = "event_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    summary_source: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    results_source: Mapped[str] = mapped_column(Text, default="")
    results_html: Mapped[str] = mapped_column(Text, default="")
    next_steps_source: Mapped[str] = mapped_column(Text, default="")
    next_steps_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = language_column()
    # Set by organisers when walk-ins or late corrections make the numbers derived from attendance wrong.
    attendees_override: Mapped[int | None]
    jobcenters_override: Mapped[int | None]
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    event: Mapped[Event] = relationship(back_populates="report")
    updated_by = relationship("User")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
