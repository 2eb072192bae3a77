"""Demo announcements for `flask seed-demo`: one sent to the members in Nordrhein-Westfalen (notifications and
mails created by the same service as `flask send-announcements`) and one draft to the people registered for an
upcoming event, changed once — played through the services, so the audit log has every announcement action.

Only when every active account is a demo account (.example): a real member must never get a demo mail.
"""
from __future__ import annotations

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.announcements import services
from forum.announcements.models import Announcement
from forum.clock import utcnow
from forum.events.models import Event
from forum.extensions import db

MODERATOR = "moderation@servicestelle.example"
SENT_SUBJECT = "Neue Termine der Werkstattgespräche in Nordrhein-Westfalen"
SENT_TEXT = """Liebe Kolleginnen und Kollegen in Nordrhein-Westfalen,

die Termine der **Werkstattgespräche im nächsten Halbjahr** stehen fest. Sie finden sie unter „Veranstaltungen“.

- Gesundheitsorientierung im Fallmanagement
- Zusammenarbeit mit Schuldner- und Suchtberatung

Wir freuen uns auf Ihre Anmeldungen.
Ihre Servicestelle SGB II"""
DRAFT_SUBJECT = "Hinweise zur Anreise"
DRAFT_TEXT = """Guten Tag,

bitte planen Sie für die Anreise etwas mehr Zeit ein: Am Veranstaltungsort wird gebaut.
Die Räume sind barrierefrei erreichbar."""


def seed_announcements() -> int:
    """Add the demo announcements not there yet; returns how many were added."""
    moderator = db.session.scalar(select(User).where(User.email == MODERATOR))
    if moderator is None or _real_members():
        return 0
    existing = set(db.session.scalars(select(Announcement.subject)))
    created = 0
    if SENT_SUBJECT not in existing:
        announcement = services.create_announcement(services.AnnouncementData(
            subject=SENT_SUBJECT, body=SENT_TEXT, segment="land", segment_value="NW"), actor=moderator)
        services.queue_announcement(announcement, actor=moderator)
        services.fix_recipients()
        while services.send_batch():
            pass
        services.finish_sent()
        created += 1
    if DRAFT_SUBJECT not in existing:
        event = db.session.scalar(select(Event).where(Event.status == "open", Event.starts_at > utcnow())
                                  .order_by(Event.starts_at).limit(1))
        data = services.AnnouncementData(subject=DRAFT_SUBJECT, body=DRAFT_TEXT, segment="all")
        announcement = services.create_announcement(data, actor=moderator)
        if event is not None:
            data.segment, data.segment_target_id = "event_participants", event.id
        data.body += "\n\nBei Fragen erreichen Sie uns unter servicestelle@servicestelle.example."
        services.update_announcement(announcement, data, actor=moderator)
        created += 1
    return created


def _real_members() -> bool:
    return db.session.scalar(select(func.count(User.id)).where(
        User.status == "active", ~User.email.endswith(".example"))) > 0
