"""Demo events for `flask seed-demo`: past and upcoming, every format, with registrations, a waiting list,
documentation and a follow-up discussion. Idempotent: events are looked up by title."""
from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from forum.accounts.models import User
from forum.clock import from_berlin, to_berlin, utcnow
from forum.events import services
from forum.events.models import Event, EventRegistration
from forum.extensions import db

ORGANISER_EMAIL = "veranstaltung@servicestelle.example"

# (title, kind, days from today, start hour, hours, place, online link, Land, capacity, status, description)
EVENTS = (
    ("Werkstattgespräch: Gesundheitsförderung mit Krankenkassen", "workshop", 21, 10, 6,
     "Jobcenter Dortmund, Steinstraße 39, Raum 3.12", "", "NW", 25, "open",
     "Wie Jobcenter und Krankenkassen gemeinsam **gesundheitsorientierte Beratung** anbieten – mit Beispielen "
     "aus Dortmund und dem Emsland."),
    ("Regionalkonferenz Ost: Netzwerke vor Ort stärken", "regional_conference", 45, 9, 8,
     "Kongresshalle am Zoo, Leipzig", "", "SN", 120, "open",
     "Austausch der Jobcenter aus Sachsen, Sachsen-Anhalt und Thüringen über Kooperationen mit Kommunen, "
     "Schuldner- und Suchtberatung."),
    ("Online-Sprechstunde: Förderung nach § 16i SGB II", "online", 9, 14, 2,
     "", "https://meet.servicestelle.example/sprechstunde", None, 3, "open",
     "Fragen und Antworten zur Teilhabe am Arbeitsmarkt – die Plätze sind bewusst knapp, es gibt eine Warteliste."),
    ("Fachveranstaltung Berlin: Zwei Jahre Netzwerke ABC", "federal_event", 80, 10, 7,
     "Bundesministerium für Arbeit und Soziales, Wilhelmstraße 49, Berlin", "", "BE", 200, "planned",
     "Bilanz des Programms mit dem Ministerium, Wissenschaft und Praxis. Die Anmeldung öffnet im Frühjahr."),
    ("Werkstattgespräch: Junge Menschen am Übergang Schule–Beruf", "workshop", -35, 10, 6,
     "Jobcenter München, Raum 0.14", "", "BY", 30, "done",
     "Zusammenarbeit mit Jugendämtern und Jugendberufsagenturen."),
    ("Regionalkonferenz Nord: Suchtberatung und Arbeitsförderung", "regional_conference", -70, 9, 7,
     "Landeshaus Kiel", "", "SH", 80, "done",
     "Wege in Beschäftigung für Menschen mit Suchterkrankungen – Erfahrungen aus drei Ländern."),
    ("Online-Format: Digitale Beratung im Jobcenter", "online", -14, 13, 2,
     "", "https://meet.servicestelle.example/digital", None, None, "done",
     "Videoberatung, Terminbuchung und barrierefreie Kommunikation."),
    ("Werkstattgespräch: Schuldnerberatung im ländlichen Raum", "workshop", 30, 10, 5,
     "Kreishaus Emsland, Meppen", "", "NI", 20, "cancelled",
     "Wegen zu weniger Anmeldungen abgesagt; ein neuer Termin folgt."),
)
AGENDA = "- 10:00 Ankommen und Kaffee\n- 10:30 Impulse aus der Praxis\n- 12:30 Mittagspause\n- 13:30 Werkstattrunden"
DOCUMENTATION = ("### Ergebnisse\n\n- Kooperationsvereinbarungen sind der Schlüssel.\n- Die Präsentationen stehen "
                 "unten zum Download bereit.\n")


def seed_events() -> int:
    """Add the demo events that are missing, with registrations of the demo members; returns how many."""
    organiser = db.session.scalar(select(User).where(User.email == ORGANISER_EMAIL))
    members = list(db.session.scalars(select(User).where(User.status == "active", User.role == "member")
                                      .order_by(User.id)))
    existing = set(db.session.scalars(select(Event.title)))
    today = to_berlin(utcnow()).date()
    created = 0
    for title, kind, days, hour, hours, place, link, land, capacity, status, description in EVENTS:
        if title in existing:
            continue
        starts_at = from_berlin(today + timedelta(days=days), time(hour))
        deadline = from_berlin(today + timedelta(days=days - 7), time(23, 59)) if days > 14 else None
        event = services.create_event(services.EventData(
            kind=kind, title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), location=place,
            online_url=link, land=land, description=description, agenda=AGENDA if kind != "online" else "",
            capacity=capacity, registration_deadline=deadline, status=status), actor=organiser)
        _register(event, members[: (capacity or 6) + 2] if days > 0 else members[:8], past=days < 0)
        if status == "done":
            services.update_documentation(event, DOCUMENTATION, actor=organiser)
        if title.startswith("Regionalkonferenz Nord"):
            services.start_follow_up(event, "Nach der Regionalkonferenz Nord: Kooperationen mit Suchtberatungen",
                                     actor=organiser)
        created += 1
    db.session.flush()
    return created


def _register(event: Event, people: list[User], *, past: bool) -> None:
    """Registrations as members made them: through the service while registration is open, directly for past
    events (whose registration is closed now)."""
    for person in people:
        if event.status == "open":
            services.register(person, event)
        elif past:
            db.session.add(EventRegistration(event_id=event.id, user_id=person.id, status="registered",
                                             queued_at=event.starts_at - timedelta(days=20)))
    db.session.flush()
