"""Demo barrier reports for `flask seed-demo`: one in each status (new, in Bearbeitung, erledigt), anonymous and from
a member, played through the services so the office mails, the acknowledgement and the audited status changes
exist. Only when the office mailbox is a demo address: the reports are mailed there."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.extensions import db
from forum.feedback import services
from forum.feedback.models import BarrierReport

ADMIN = "admin@servicestelle.example"
MEMBER = "mitglied@jobcenter-dortmund.example"


def seed_barrier_reports() -> int:
    """Add the demo reports if there are none yet; returns how many were added."""
    admin = db.session.scalar(select(User).where(User.email == ADMIN))
    member = db.session.scalar(select(User).where(User.email == MEMBER))
    if (admin is None or member is None or db.session.scalar(select(func.count(BarrierReport.id)))
            or not current_app.config["BARRIER_REPORT_RECIPIENT"].endswith(".example")):
        return 0
    services.submit_barrier_report(
        page_url="/events/", description="Im Kalender der Veranstaltungen kann ich mit der Tastatur den nächsten "
        "Monat nicht erreichen. Ich nutze NVDA mit Firefox.", name="Kim Berg", email="kim.berg@beispiel.example")
    working = services.submit_barrier_report(
        page_url="/statistics/", description="Die Diagramme der Programmstatistik haben zu wenig Kontrast, "
        "wenn ich den Hochkontrastmodus von Windows einschalte.", name=member.display_name, email=member.email,
        user=member)
    services.change_status(working, "in_progress", actor=admin)
    done = services.submit_barrier_report(
        page_url="/pages/impressum", description="Die PDF-Dokumentation der Regionalkonferenz hat keine "
        "Überschriften, der Screenreader liest alles als Fließtext.")
    services.change_status(done, "in_progress", actor=admin)
    services.change_status(done, "done", actor=admin)
    return 3
