"""Event life cycle, registration with waiting list, documentation, attachments, calendars, follow-ups."""
from __future__ import annotations

from flask_babel import gettext as _

from forum.clock import utcnow


def registration_closed_reason(event, now=None) -> str | None:
    """Why registration for this event is closed, as a message for the page; None while it is open."""
    now = now or utcnow()
    if event.status == "cancelled":
        return _("Die Veranstaltung wurde abgesagt.")
    if event.status == "done":
        return _("Die Veranstaltung ist abgeschlossen.")
    if event.status != "open":
        return _("Die Anmeldung ist noch nicht geöffnet.")
    if now > (event.registration_deadline or event.starts_at):
        return _("Die Anmeldefrist ist abgelaufen.")
    return None
