"""Demo events for `flask seed-demo`: past and upcoming, every format and every state — planned, open, full with a
waiting list, registration deadline passed, running today, held but not yet marked as done, done with
documentation and files, cancelled — with registrations, follow-up discussions linked and unlinked, and the
organiser's changes played through the real services (so the audit log has them): a new venue, a cancellation,
events marked as done, files uploaded and deleted, a participant list exported.

Idempotent: events are looked up by title, each later change by its audit entry.
"""
from __future__ import annotations

import io
from datetime import time, timedelta

from sqlalchemy import select

from forum.accounts.models import User
from forum.clock import from_berlin, to_berlin, utcnow
from forum.discussion.models import Thread
from forum.events import attendance, reports, services
from forum.events.attachments import add_attachment, delete_attachment
from forum.events.documentation import documentation_packs, record_pack_download
from forum.events.models import Event, EventRegistration, EventWalkIn
from forum.extensions import db
from forum.moderation.demo import days_ago
from forum.audit import AuditEntry
from forum.notifications.following import follow
from forum.organisations.models import Organisation

ORGANISER_EMAIL = "veranstaltung@servicestelle.example"

# (title, kind, days from today, start hour, hours, place, online link, Land, capacity, registration deadline in
# days before the start, status, description). Day 0 starts an hour ago: the event is running.
EVENTS = (
    ("Werkstattgespräch: Gesundheitsförderung mit Krankenkassen", "workshop", 21, 10, 6,
     "Jobcenter Dortmund, Steinstraße 39, Raum 3.12", "", "NW", 25, 7, "open",
     "Wie Jobcenter und Krankenkassen gemeinsam **gesundheitsorientierte Beratung** anbieten – mit Beispielen "
     "aus Dortmund und dem Emsland."),
    ("Regionalkonferenz Ost: Netzwerke vor Ort stärken", "regional_conference", 45, 9, 8,
     "Kongresshalle am Zoo, Leipzig", "", "SN", 100, 7, "open",
     "Austausch der Jobcenter aus Sachsen, Sachsen-Anhalt und Thüringen über Kooperationen mit Kommunen, "
     "Schuldner- und Suchtberatung."),
    ("Online-Sprechstunde: Förderung nach § 16i SGB II", "online", 9, 14, 2,
     "", "https://meet.servicestelle.example/sprechstunde", None, 3, None, "open",
     "Fragen und Antworten zur Teilhabe am Arbeitsmarkt – die Plätze sind bewusst knapp, es gibt eine Warteliste."),
    ("Fachveranstaltung Berlin: Zwei Jahre Netzwerke ABC", "federal_event", 80, 10, 7,
     "Bundesministerium für Arbeit und Soziales, Wilhelmstraße 49, Berlin", "", "BE", 200, 7, "planned",
     "Bilanz des Programms mit dem Ministerium, Wissenschaft und Praxis. Die Anmeldung öffnet im Frühjahr."),
    ("Werkstattgespräch: Arbeitgeberservice gemeinsam gestalten", "workshop", 5, 10, 5,
     "Jobcenter Köln, Luxemburger Straße 121, Raum E.04", "", "NW", 20, 6, "open",
     "Wie gemeinsame Einrichtungen und Arbeitgeberservice Stellen für Langzeitarbeitslose erschließen. Die "
     "Anmeldefrist ist abgelaufen."),
    ("Werkstattgespräch: Kommunale Eingliederungsleistungen", "workshop", 2, 10, 5,
     "Jobcenter Leipzig, Georg-Schumann-Straße 150, Raum 2.07", "", "SN", 4, 4, "open",
     "Schuldner-, Sucht- und psychosoziale Beratung nach § 16a SGB II im Verbund – ausgebucht, die Anmeldefrist "
     "ist abgelaufen."),
    ("Online-Format: Netzwerkcafé am Mittag", "online", 0, 0, 3,
     "", "https://meet.servicestelle.example/netzwerkcafe", None, None, None, "open",
     "Offener Austausch ohne Tagesordnung – kommen Sie einfach dazu, auch für ein paar Minuten."),
    ("Online-Sprechstunde: Bürgergeld in der Praxis", "online", -3, 14, 2,
     "", "https://meet.servicestelle.example/buergergeld", None, 30, None, "open",
     "Fragen aus den Jobcentern zu den Regelungen des Bürgergelds. Die Servicestelle schließt die Veranstaltung "
     "ab, sobald die Antworten zusammengefasst sind."),
    ("Werkstattgespräch: Junge Menschen am Übergang Schule–Beruf", "workshop", -35, 10, 6,
     "Jobcenter München, Raum 0.14", "", "BY", 30, None, "done",
     "Zusammenarbeit mit Jugendämtern und Jugendberufsagenturen."),
    ("Regionalkonferenz Nord: Suchtberatung und Arbeitsförderung", "regional_conference", -70, 9, 7,
     "Landeshaus Kiel", "", "SH", 80, None, "done",
     "Wege in Beschäftigung für Menschen mit Suchterkrankungen – Erfahrungen aus drei Ländern."),
    ("Online-Format: Digitale Beratung im Jobcenter", "online", -14, 13, 2,
     "", "https://meet.servicestelle.example/digital", None, None, None, "done",
     "Videoberatung, Terminbuchung und barrierefreie Kommunikation."),
    ("Werkstattgespräch: Schuldnerberatung im ländlichen Raum", "workshop", 30, 10, 5,
     "Kreishaus Emsland, Meppen", "", "NI", 20, 7, "cancelled",
     "Wegen zu weniger Anmeldungen abgesagt; ein neuer Termin folgt."),
)
AGENDA = "- 10:00 Ankommen und Kaffee\n- 10:30 Impulse aus der Praxis\n- 12:30 Mittagspause\n- 13:30 Werkstattrunden"
DOCUMENTATION = ("### Ergebnisse\n\n- Kooperationsvereinbarungen sind der Schlüssel.\n- Die Präsentationen stehen "
                 "unten zum Download bereit.\n")
CANCEL_REASON = "Leider gab es zu wenige Anmeldungen. Wir bieten einen neuen Termin im Herbst an."
FULL_VENUE = "Kongresshalle am Zoo, Pfaffendorfer Straße 31, Leipzig (Weißer Saal)"
FILES_EVENT = "Werkstattgespräch: Junge Menschen am Übergang Schule–Beruf"
# (event, follow-up thread): linked for good; linked by mistake and unlinked again.
FOLLOW_UP_LINKED = (FILES_EVENT, "Kinderbetreuung während der Beratung")
FOLLOW_UP_UNLINKED = ("Regionalkonferenz Nord: Suchtberatung und Arbeitsförderung",
                      "Netzwerkkonferenz im ländlichen Raum")


def seed_events() -> int:
    """Add the demo events that are missing, with registrations of the demo members, and play the organiser's
    changes not played yet; returns how many events were added."""
    organiser = db.session.scalar(select(User).where(User.email == ORGANISER_EMAIL))
    members = list(db.session.scalars(select(User).where(User.status == "active", User.role == "member")
                                      .order_by(User.id)))
    existing = set(db.session.scalars(select(Event.title)))
    now = utcnow()
    today = to_berlin(now).date()
    created = 0
    for (title, kind, days, hour, hours, place, link, land, capacity, deadline, status,
         description) in EVENTS:
        if title in existing:
            continue
        if days == 0:
            starts_at = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        else:
            starts_at = from_berlin(today + timedelta(days=days), time(hour))
        closes = from_berlin(today + timedelta(days=days - deadline), time(23, 59)) if deadline else None
        # Cancelled and held events were open for registration first; the history below changes them.
        with days_ago(max(10, 40 - days)):
            event = services.create_event(services.EventData(
                kind=kind, title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
                location=place, online_url=link, land=land, description=description,
                agenda=AGENDA if kind != "online" else "", capacity=capacity, registration_deadline=closes,
                status="open" if status in ("cancelled", "done") else status), actor=organiser)
            _register(event, members[: (capacity or 6) + 2] if days > 0 else members[:8])
        created += 1
    db.session.flush()
    _play_history(organiser)
    return created


def _register(event: Event, people: list[User]) -> None:
    """Registrations as members made them: through the service while registration is open, directly (weeks
    before) once it is closed, the places first, then the waiting list; they follow the event, as registering
    through the page does."""
    for number, person in enumerate(people):
        if event.registration_closed_reason() is None:
            services.register(person, event)
        elif event.status == "open":
            place = event.capacity is None or number < event.capacity
            db.session.add(EventRegistration(event_id=event.id, user_id=person.id,
                                             status="registered" if place else "waiting",
                                             queued_at=event.starts_at - timedelta(days=20 - number / 24)))
            follow(person, event)
    db.session.flush()


def _play_history(organiser: User | None) -> None:
    """The organiser's changes after creating the events, each played once."""
    if organiser is None:
        return
    events = {event.title: event for event in db.session.scalars(select(Event))}
    for title, _kind, days, *_rest, status, _description in EVENTS:
        event = events.get(title)
        if event is None:
            continue
        if status == "cancelled" and event.status == "open":
            with days_ago(5):
                services.cancel_event(event, actor=organiser, reason=CANCEL_REASON)
        if status == "done" and event.status == "open":
            with days_ago(-days - 1):
                services.complete_event(event, actor=organiser)
            with days_ago(-days - 3):
                services.update_documentation(event, DOCUMENTATION, actor=organiser)
            if title.startswith("Regionalkonferenz Nord"):
                with days_ago(-days - 4):
                    services.start_follow_up(event, "Nach der Regionalkonferenz Nord: Kooperationen mit "
                                                    "Suchtberatungen", actor=organiser)
    full = events.get("Online-Sprechstunde: Förderung nach § 16i SGB II")
    if full is not None and not _audited("event.participants_export", full):
        with days_ago(2):
            services.export_participants(full, actor=organiser)
    venue = events.get("Regionalkonferenz Ost: Netzwerke vor Ort stärken")
    if venue is not None and not _audited("event.update", venue):
        with days_ago(8):
            services.update_event(venue, _data(venue, location=FULL_VENUE, capacity=120), actor=organiser)
    files = events.get(FILES_EVENT)
    if files is not None and files.status == "done" and not _action_recorded("event.attachment.add"):
        _add_files(files, organiser)


def _add_files(event: Event, organiser: User) -> None:
    """The slides and the minutes; a draft of the minutes uploaded first by mistake and deleted."""
    with days_ago(30):
        draft = add_attachment(event, filename="Ergebnisprotokoll_Entwurf.pdf",
                               stream=io.BytesIO(_pdf(["Ergebnisprotokoll (Entwurf)", "Nicht verteilen."])),
                               actor=organiser)
    with days_ago(29.9):
        delete_attachment(draft, actor=organiser)
    with days_ago(29.8):
        for filename, lines in (
                ("Ergebnisprotokoll.pdf", ["Ergebnisprotokoll", event.title, "1. Kooperation mit dem Jugendamt",
                                           "2. Gemeinsame Fallbesprechungen", "3. Übergänge begleiten"]),
                ("Präsentation Jugendberufsagentur München.pdf", ["Jugendberufsagentur München",
                                                                  "Drei Partner, ein Empfang"])):
            add_attachment(event, filename=filename, stream=io.BytesIO(_pdf(lines)), actor=organiser)


def seed_follow_up_links() -> int:
    """An organiser marks a Fachforum thread as follow-up of an event (its followers are notified), and removes
    a link made by mistake; needs the demo discussions. Returns how many links were changed."""
    organiser = db.session.scalar(select(User).where(User.email == ORGANISER_EMAIL))
    if organiser is None:
        return 0
    changed = 0
    event, thread = _event_and_thread(*FOLLOW_UP_LINKED)
    if event is not None and thread is not None and thread.follow_up_event_id is None and not _audited(
            "event.follow_up.link", event):
        with days_ago(20):
            services.link_follow_up(event, thread, actor=organiser)
        changed += 1
    event, thread = _event_and_thread(*FOLLOW_UP_UNLINKED)
    if event is not None and thread is not None and thread.follow_up_event_id is None and not _audited(
            "event.follow_up.unlink", event):
        with days_ago(19):
            services.link_follow_up(event, thread, actor=organiser)
        with days_ago(18.9):
            services.unlink_follow_up(event, thread, actor=organiser)
        changed += 1
    return changed


# --- helpers ------------------------------------------------------------------------------------------------

def _data(event: Event, **changes) -> services.EventData:
    """The event's current values as EventData, with some changed."""
    values = {"kind": event.kind, "title": event.title, "starts_at": event.starts_at, "ends_at": event.ends_at,
              "location": event.location, "online_url": event.online_url, "land": event.land,
              "description": event.description_source, "agenda": event.agenda_source, "capacity": event.capacity,
              "registration_deadline": event.registration_deadline, "status": event.status}
    return services.EventData(**{**values, **changes})


def _event_and_thread(event_title: str, thread_title: str) -> tuple[Event | None, Thread | None]:
    return (db.session.scalar(select(Event).where(Event.title == event_title)),
            db.session.scalar(select(Thread).where(Thread.title == thread_title, Thread.board_id.is_not(None))))


def _audited(action: str, event: Event) -> bool:
    return db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == action, AuditEntry.target_type == "events", AuditEntry.target_id == event.id)
        .limit(1)) is not None


def _action_recorded(action: str) -> bool:
    return db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == action).limit(1)) is not None


def _pdf(lines: list[str]) -> bytes:
    """A small, valid one-page PDF showing the lines (Helvetica, Windows-1252), for the demo documentation."""
    def escape(line: str) -> bytes:
        return line.encode("cp1252", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    text = b"BT /F1 14 Tf 20 TL 72 770 Td " + b" ".join(b"(" + escape(line) + b") '" for line in lines) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- after the events: attendance, walk-ins, closing reports -------------------------------------------------

# (event, registered people absent, walk-ins as (name, organisation in the directory or None, typed organisation),
# report: None, "draft" or "published")
AFTERWARDS = (
    (FILES_EVENT, 2, (("Lena Vogt", "Jobcenter München", ""), ("Tobias Brandl", None, "Jugendamt München")),
     "published"),
    ("Regionalkonferenz Nord: Suchtberatung und Arbeitsförderung", 0, (), "draft"),
    ("Online-Format: Digitale Beratung im Jobcenter", 3, (("Jana Roth", None, "Stadt Flensburg"),), None),
)
REPORT = {
    "summary": "Rund zwei Dutzend Fachleute aus Jobcentern, Jugendämtern und Jugendberufsagenturen haben "
               "einen Tag lang über **Übergänge von der Schule in den Beruf** gesprochen.",
    "results": "- Gemeinsame Fallbesprechungen mit dem Jugendamt wirken, wenn sie fest verabredet sind.\n"
               "- Ein gemeinsamer Empfang (Jugendberufsagentur) senkt die Schwelle für junge Menschen.\n",
    "next_steps": "- Die Servicestelle sammelt bis Ende des Quartals Kooperationsvereinbarungen.\n"
                  "- Folgetreffen als Online-Format im Frühjahr.\n",
}
DRAFT = {"summary": "Entwurf: Zusammenfassung folgt nach Abstimmung mit den Referierenden.", "results": "",
         "next_steps": ""}


def seed_attendance_and_reports() -> int:
    """Attendance of held events (some present, some absent, walk-ins, one added by mistake and removed) and their
    closing reports, one published (its followers are notified) and one draft (published too early and taken
    back); each played once, through the services. Returns how many events got attendance."""
    organiser = db.session.scalar(select(User).where(User.email == ORGANISER_EMAIL))
    if organiser is None:
        return 0
    changed = 0
    for title, absent, walk_ins, report in AFTERWARDS:
        event = db.session.scalar(select(Event).where(Event.title == title))
        if event is None or _audited("event.attendance", event):
            continue
        days = max(1, (utcnow() - event.ends_at).days)
        registered = list(db.session.scalars(select(EventRegistration.id).where(
            EventRegistration.event_id == event.id, EventRegistration.status == "registered")
            .order_by(EventRegistration.id)))
        with days_ago(days):
            if absent:
                attendance.mark_attendance(event, set(registered[:-absent]), actor=organiser)
            else:
                attendance.mark_all_present(event, actor=organiser)
            for name, directory_name, typed in walk_ins:
                organisation = db.session.scalar(select(Organisation).where(Organisation.name == directory_name)) \
                    if directory_name else None
                attendance.add_walk_in(event, name, organisation=organisation, organisation_name=typed,
                                       actor=organiser)
        if walk_ins and not _action_recorded("event.walk_in.remove"):
            with days_ago(days - 0.5):
                mistake = attendance.add_walk_in(event, "Testeintrag", organisation=None,
                                                 organisation_name="Servicestelle", actor=organiser)
                attendance.remove_walk_in(db.session.get(EventWalkIn, mistake.id), actor=organiser)
        if report is not None:
            with days_ago(max(0.5, days - 2)):
                reports.save_report(event, reports.ReportData(**(REPORT if report == "published" else DRAFT)),
                                    publish=False, actor=organiser)
            if report == "published":
                with days_ago(max(0.4, days - 3)):
                    reports.save_report(event, reports.ReportData(**REPORT), publish=True, actor=organiser)
            else:  # the draft was published too early and taken back
                with days_ago(max(0.4, days - 3)):
                    reports.save_report(event, reports.ReportData(**DRAFT), publish=True, actor=organiser)
                with days_ago(max(0.3, days - 3.1)):
                    reports.unpublish_report(event, actor=organiser)
        changed += 1
    return changed


def seed_documentation_pack_download() -> int:
    """The organiser downloads the documentation pack of the held workshop with its attendance list (audited with
    the number of names); played once, after the attendance."""
    organiser = db.session.scalar(select(User).where(User.email == ORGANISER_EMAIL))
    event = db.session.scalar(select(Event).where(Event.title == FILES_EVENT))
    if organiser is None or event is None or _action_recorded("event.documentation_pack"):
        return 0
    pack = documentation_packs([event], organiser)[0]
    if not pack.has_names:
        return 0
    with days_ago(0.3):
        record_pack_download(event, pack, actor=organiser)
    return 1
