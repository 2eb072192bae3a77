"""Demo ideas for `flask seed-demo`: about 40 approaches of the demo Jobcenters in every status, with votes,
adoptions and "presented at" links to the demo events; then, through the real services, status changes (the
authors are notified), an idea edited by the moderation, a submitted idea with client data redacted and published,
a "presented at" link removed again, and the admins' changes to the reference lists (a term added, renamed, moved,
deactivated and activated again).

Idempotent: ideas are looked up by title and Jobcenter, terms by name, each later change by its audit entry."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.accounts.models import User
from forum.clock import utcnow
from forum.events.models import Event
from forum.extensions import db
from forum.ideas import services
from forum.ideas.models import Idea, ReferenceTerm
from forum.ideas.terms import add_term, ensure_reference_terms, move_term, rename_term, set_term_active, terms_by_kind
from forum.moderation.demo import days_ago
from forum.audit import AuditEntry
from forum.moderation.redaction import redact_idea
from forum.organisations.models import Organisation

OFFICE_EMAIL = "veranstaltung@servicestelle.example"
MODERATOR_EMAIL = "moderation@servicestelle.example"
ADMIN_EMAIL = "admin@servicestelle.example"

# (approach, summary, starting point, how it works, Handlungsfeld, Zielgruppe, Kooperationspartner)
APPROACHES = (
    ("Gesundheitslotsen", "Lotsinnen begleiten Kundinnen und Kunden zu Ärzten, Kursen und Reha-Beratung.",
     "Viele Langzeitleistungsbeziehende waren seit Jahren nicht beim Arzt.",
     "Zwei Gesundheitslotsinnen der Krankenkasse haben feste Sprechzeiten im Jobcenter.",
     "Gesundheitsorientierung", "Menschen mit gesundheitlichen Einschränkungen", "Krankenkasse"),
    ("Schuldnerberatung im Haus", "Die Schuldnerberatung berät wöchentlich direkt im Jobcenter, ohne Wartezeit.",
     "Überschuldung verhindert oft jede Arbeitsaufnahme; Termine bei der Beratungsstelle dauerten Monate.",
     "Eine Beraterin der kommunalen Schuldnerberatung nutzt jeden Dienstag einen Raum im Jobcenter.",
     "Netzwerkarbeit", "Langzeitleistungsbeziehende", "Schuldnerberatung"),
    ("Aufsuchende Beratung im Quartier", "Integrationsfachkräfte beraten im Stadtteiltreff statt im Amt.",
     "Ein Teil der Kundschaft erscheint nicht zu Terminen im Jobcenter.",
     "Zwei Fachkräfte sind zweimal pro Woche im Quartierszentrum, zusammen mit der Sozialarbeit der Stadt.",
     "Aufsuchende Arbeit", "Langzeitleistungsbeziehende", "Kommune"),
    ("Familiencoaching für Bedarfsgemeinschaften", "Die ganze Familie wird beraten, nicht nur eine Person.",
     "Probleme der Kinder und der Partner bremsen die Integration der Eltern.",
     "Ein Coaching-Team arbeitet mit der ganzen Bedarfsgemeinschaft, eng abgestimmt mit dem Jugendamt.",
     "Familienorientierung und Bedarfsgemeinschaften", "Bedarfsgemeinschaften mit Kindern", "Jugendamt"),
    ("Suchtberatung und Arbeit", "Gemeinsame Fallbesprechungen mit der Suchtberatung, mit Zustimmung der Person.",
     "Suchterkrankungen wurden oft erst spät erkannt und nicht gemeinsam bearbeitet.",
     "Monatliche Fallkonferenzen mit der Suchthilfe; feste Ansprechpersonen auf beiden Seiten.",
     "Netzwerkarbeit", "Menschen mit gesundheitlichen Einschränkungen", "Suchtberatung"),
    ("Arbeitgeberfrühstück", "Betriebe aus der Region lernen Kundinnen und Kunden bei einem Frühstück kennen.",
     "Bewerbungen über Unterlagen scheitern bei Menschen mit Lücken im Lebenslauf.",
     "Einmal im Monat lädt das Jobcenter fünf Betriebe und zwanzig Kundinnen und Kunden ein.",
     "Arbeitgeberorientierung", "Langzeitarbeitslose über 50 Jahre", "Arbeitgeber und Kammern"),
    ("Teilzeitqualifizierung für Alleinerziehende", "Qualifizierung in Teilzeit mit verlässlicher Kinderbetreuung.",
     "Vollzeitmaßnahmen passen nicht zum Alltag Alleinerziehender.",
     "Der Bildungsträger bietet Kurse von 9 bis 13 Uhr; die Kommune sichert Betreuungsplätze.",
     "Qualifizierung und Teilhabe", "Alleinerziehende", "Bildungsträger"),
    ("Reha-Beratung im Tandem", "Jobcenter und Rentenversicherung beraten gemeinsam zu Reha-Leistungen.",
     "Anträge auf Rehabilitation wurden spät oder gar nicht gestellt.",
     "Tandemgespräche mit einer Reha-Beraterin der Rentenversicherung, einmal im Monat im Jobcenter.",
     "Gesundheitsorientierung", "Menschen mit gesundheitlichen Einschränkungen", "Reha-Träger"),
    ("Wohnungsnotfallhilfe", "Wohnungslose Kundinnen und Kunden bekommen eine feste Ansprechperson.",
     "Ohne Wohnung scheitert fast jede Integration; die Zuständigkeiten waren unklar.",
     "Eine Fachkraft im Jobcenter arbeitet eng mit der Wohnungslosenhilfe und dem Sozialamt zusammen.",
     "Ganzheitliche Betreuung", "Langzeitleistungsbeziehende", "Wohnungslosenhilfe"),
    ("Jugendberufsagentur unter einem Dach",
     "Jobcenter, Arbeitsagentur und Jugendamt beraten junge Menschen gemeinsam.",
     "Junge Menschen wurden zwischen drei Stellen hin- und hergeschickt.",
     "Ein gemeinsamer Empfang und gemeinsame Fallbesprechungen unter einem Dach.",
     "Netzwerkarbeit", "Junge Erwachsene unter 25 Jahren", "Jugendamt"),
    ("Psychosoziale Sprechstunde", "Eine Psychologin berät anonym und niedrigschwellig im Jobcenter.",
     "Psychische Belastungen sind häufig, Wartezeiten auf Therapieplätze lang.",
     "Offene Sprechstunde an zwei Vormittagen; Vermittlung in passende Hilfen.",
     "Gesundheitsorientierung", "Menschen mit gesundheitlichen Einschränkungen", "Psychosoziale Beratung"),
    ("Kleine Fallzahlen im Fallmanagement", "Fallmanagerinnen betreuen höchstens 70 Menschen statt 150.",
     "Für intensive Betreuung fehlte die Zeit.",
     "Ein Team mit niedrigem Betreuungsschlüssel für Menschen, die länger als vier Jahre Leistungen beziehen.",
     "Organisation und Personal im Jobcenter", "Langzeitleistungsbeziehende", "Kommune"),
    ("Sprach- und Arbeitscoaching", "Deutschkurs und Praktikum im selben Betrieb, begleitet von einem Coach.",
     "Sprachkurse und Arbeit liefen getrennt; viele brachen ab.",
     "Vormittags Sprachunterricht im Betrieb, nachmittags Mitarbeit, wöchentliches Coaching.",
     "Qualifizierung und Teilhabe", "Menschen mit Fluchtgeschichte", "Bildungsträger"),
    ("Bewegungsangebote mit dem Sportverein", "Gemeinsames Sportangebot als Einstieg in Tagesstruktur und Kontakt.",
     "Viele Kundinnen und Kunden haben kaum Tagesstruktur und soziale Kontakte.",
     "Der Sportverein bietet zweimal pro Woche Kurse an; die Krankenkasse finanziert einen Teil.",
     "Gesundheitsorientierung", "Langzeitarbeitslose über 50 Jahre", "Krankenkasse"),
    ("Netzwerkkonferenz im Landkreis", "Einmal im Jahr treffen sich alle Partner des Jobcenters im Landkreis.",
     "Die Partner kannten die Angebote der anderen kaum.",
     "Eine Konferenz mit Marktplatz, danach feste Arbeitsgruppen zu Gesundheit, Schulden und Familie.",
     "Netzwerkarbeit", "Langzeitleistungsbeziehende", "Kommune"),
    ("Digitale Terminbuchung und Videoberatung", "Beratung per Video für Menschen mit weiten Wegen oder Kindern.",
     "Im ländlichen Raum dauert die Fahrt zum Jobcenter oft über eine Stunde.",
     "Termine online buchen, Beratung per Video, Unterlagen über das Postfach.",
     "Organisation und Personal im Jobcenter", "Alleinerziehende", "Kommune"),
    ("Übergangsbegleitung nach Arbeitsaufnahme", "Coaching auch nach der Arbeitsaufnahme, damit die Stelle hält.",
     "Viele neue Arbeitsverhältnisse endeten in der Probezeit.",
     "Sechs Monate Begleitung nach Arbeitsbeginn, mit Kontakt zum Betrieb, wenn die Person zustimmt.",
     "Arbeitgeberorientierung", "Langzeitleistungsbeziehende", "Arbeitgeber und Kammern"),
    ("Eltern-Kind-Sprechstunde", "Beratung mit Kinderbetreuung im Nebenraum.",
     "Eltern kleiner Kinder konnten Termine oft nicht wahrnehmen.",
     "Ein Spielzimmer mit Betreuung durch eine Fachkraft des Familienzentrums.",
     "Familienorientierung und Bedarfsgemeinschaften", "Alleinerziehende", "Jugendamt"),
    ("Arbeitsgelegenheit mit Qualifizierung", "Gemeinnützige Arbeit, verbunden mit einem anerkannten Zertifikat.",
     "Arbeitsgelegenheiten führten selten weiter.",
     "Die Arbeit in der Grünpflege wird mit einem Kurs zum Gartenhelfer verbunden.",
     "Qualifizierung und Teilhabe", "Langzeitarbeitslose über 50 Jahre", "Bildungsträger"),
    ("Ehrenamtliche Mentorinnen und Mentoren", "Berufserfahrene Ehrenamtliche begleiten Kundinnen und Kunden.",
     "Es fehlte an Vorbildern und Kontakten in die Arbeitswelt.",
     "Tandems aus Mentor und Kundin treffen sich alle zwei Wochen, begleitet von der Freiwilligenagentur.",
     "Ganzheitliche Betreuung", "Junge Erwachsene unter 25 Jahren", "Kommune"),
)
JOBCENTERS = ("Jobcenter Dortmund", "Jobcenter Leipzig", "Jobcenter Köln", "Jobcenter Berlin Mitte",
              "Jobcenter Landkreis Emsland", "Jobcenter München", "Jobcenter Bremen", "Jobcenter Erfurt",
              "Jobcenter Kiel", "Jobcenter Mainz")
# Every sixth idea waits for the office, a few are archived; most are published, in trial or proven.
# Submitted with client data in its description: the moderation redacts the passage, then publishes the idea.
REDACTED_IDEA = ("Wohnungslotsen", "Jobcenter Dortmund", "mitglied@jobcenter-dortmund.example",
                 "Lotsinnen und Lotsen begleiten bei der Suche nach einer Wohnung.")
REDACTED_PASSAGE = "Herr Stefan Brandt (BG-Nummer 98765BG0012345)"
REDACTED_SECTIONS = {
    "situation": "Ohne Wohnung scheitert fast jede Integration in Arbeit.",
    "goal": "Wohnungslose Kundinnen und Kunden finden eine Wohnung und dann Arbeit.",
    "implementation": "Zwei Lotsinnen der Wohnungslosenhilfe begleiten zu Besichtigungen und zum Wohnungsamt.",
    "results": f"Unser erster Teilnehmer, {REDACTED_PASSAGE}, hat nach drei Monaten eine Wohnung gefunden und im "
               "Anschluss eine Arbeit begonnen."}
STATUS_CYCLE = ("published", "in_trial", "published", "proven", "published", "submitted", "in_trial", "published",
                "proven", "published", "archived", "published")


def seed_ideas() -> int:
    """Add the reference lists and the demo ideas that are missing, with votes, adoptions and event links."""
    created = ensure_reference_terms()
    office = db.session.scalar(select(User).where(User.email == OFFICE_EMAIL))
    if office is None:
        return created
    users = list(db.session.scalars(select(User).where(User.status == "active").order_by(User.id)))
    organisations = {o.name: o for o in db.session.scalars(select(Organisation).where(
        Organisation.name.in_(JOBCENTERS)))}
    terms = {term.name: term for kind_terms in terms_by_kind().values() for term in kind_terms}
    events = list(db.session.scalars(select(Event).where(Event.status == "done").order_by(Event.starts_at)))
    existing = {(title, organisation_id) for title, organisation_id in db.session.execute(
        select(Idea.title, Idea.organisation_id))}
    now = utcnow()
    for number in range(2 * len(APPROACHES)):
        approach, summary, start, how, topic, group, partner = APPROACHES[number % len(APPROACHES)]
        # The second round shifts by one Jobcenter, so no Jobcenter presents the same approach twice.
        organisation = organisations.get(JOBCENTERS[(number + number // len(APPROACHES)) % len(JOBCENTERS)])
        if organisation is None:
            continue
        title = approach
        if (title, organisation.id) in existing:
            continue
        colleagues = [user for user in users if user.organisation_id == organisation.id and user.role == "member"]
        author = colleagues[0] if colleagues else office  # the office entered approaches presented at events
        sections = {"situation": start, "goal": "Mehr Menschen finden dauerhaft in Arbeit.", "implementation": how,
                    "results": "Die Teilnehmenden berichten von mehr Vertrauen; erste Integrationen in Arbeit.",
                    "transferability": "Gut übertragbar, wenn es eine feste Ansprechperson beim Partner gibt."}
        idea = services.submit_idea(services.IdeaData(
            title=title, summary=summary, sections=sections, contact=f"{author.display_name}, {author.email}",
            terms=[terms[name] for name in (topic, group, partner) if name in terms]),
            author=author, organisation=organisation)
        idea.created_at = now - timedelta(days=200 - number * 4)
        idea.status = STATUS_CYCLE[number % len(STATUS_CYCLE)]
        idea.status_changed_at = None if idea.status == "submitted" else idea.created_at + timedelta(days=3)
        idea.updated_at = idea.last_activity_at = idea.created_at
        db.session.flush()
        if idea.status != "submitted":
            _engage(idea, users, number, events, office)
        created += 1
    _play_history(office)
    _edit_reference_lists()
    return created


def _engage(idea: Idea, users: list[User], number: int, events: list[Event], office: User) -> None:
    """Votes from some demo users, adoptions by other Jobcenters, and the event where it was presented."""
    if idea.status != "archived":
        voters = users[number % 3:][: 2 + (number * 7) % max(len(users) - 2, 1)]  # 2 to all, varying per idea
        for user in voters:
            services.vote(idea, user)
    adopters = [user for user in users if user.role == "member" and user.organisation.kind == "jobcenter"
                and user.organisation_id != idea.organisation_id]
    if idea.status in ("in_trial", "proven"):
        for user in adopters[number % 3: number % 3 + 2]:
            services.adopt_idea(idea, user=user, note="Bei uns seit einigen Monaten im Einsatz, leicht angepasst.")
    if events and number % 2 == 0:
        services.link_event(idea, events[number % len(events)], actor=office)


def _play_history(office: User) -> None:
    """The moderation publishes a waiting idea and declares one in trial proven (the authors are notified), adds
    a note to an idea; the office links an idea to the wrong event and removes the link. Each once."""
    moderator = db.session.scalar(select(User).where(User.email == MODERATOR_EMAIL))
    if moderator is None:
        return
    ideas = list(db.session.scalars(select(Idea).order_by(Idea.created_at, Idea.id)))
    if not _recorded("idea.status"):
        waiting = next((idea for idea in ideas if idea.status == "submitted"), None)
        trial = next((idea for idea in ideas if idea.status == "in_trial"), None)
        if waiting is not None:
            with days_ago(20):
                services.set_idea_status(waiting, "published", actor=moderator,
                                         reason="Geprüft und freigegeben – vielen Dank für die ausführliche "
                                                "Beschreibung!")
        if trial is not None:
            with days_ago(12):
                services.set_idea_status(trial, "proven", actor=moderator,
                                         reason="Nach zwei Jahren Erprobung mit stabilen Ergebnissen in drei "
                                                "Jobcentern.")
    _client_data_redacted(moderator)
    published = [idea for idea in ideas if idea.status == "published" and idea.author_id != moderator.id]
    if published and not _recorded("idea.edit"):
        idea = published[0]
        with days_ago(9):
            services.edit_idea(idea, services.IdeaData(
                title=idea.title, summary=idea.summary, contact=idea.contact, terms=list(idea.terms),
                sections={**idea.sections, "transferability": idea.transferability_source + "\n\n*Ergänzt von der "
                          "Servicestelle:* Die Präsentation finden Sie in der Dokumentation der Veranstaltung."}),
                editor=moderator)
    if len(published) > 1 and not _recorded("idea.unlink_event"):
        idea = published[1]
        event_id = next(iter(services.linkable_events(idea)), None)
        event = db.session.get(Event, event_id) if event_id is not None else None
        if event is not None:
            with days_ago(16):
                services.link_event(idea, event, actor=office)
            with days_ago(15.9):
                services.unlink_event(idea, event, actor=office)


def _client_data_redacted(moderator: User) -> None:
    title, jobcenter, email, summary = REDACTED_IDEA
    author = db.session.scalar(select(User).where(User.email == email))
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == jobcenter))
    if author is None or organisation is None or db.session.scalar(select(Idea.id).where(
            Idea.title == title, Idea.organisation_id == organisation.id)) is not None:
        return
    with days_ago(8):
        idea = services.submit_idea(services.IdeaData(title=title, summary=summary, sections=REDACTED_SECTIONS,
                                                      contact=f"{author.display_name}, {author.email}"),
                                    author=author, organisation=organisation)
    with days_ago(7.5):
        redact_idea(idea, REDACTED_PASSAGE, actor=moderator, replacement="ein Teilnehmer")
    with days_ago(7.4):
        services.set_idea_status(idea, "published", actor=moderator,
                                 reason="Veröffentlicht; den Namen und die BG-Nummer des Teilnehmers haben wir "
                                        "entfernt.")


def _edit_reference_lists() -> None:
    """The admins' changes to the reference lists, each played once (terms are looked up by name)."""
    admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    if admin is None:
        return
    if _term("Digitalisierung") is None and _term("Digitale Teilhabe") is None:
        with days_ago(45):
            term = add_term("topic", "Digitalisierung", actor=admin)
        with days_ago(44.9):
            rename_term(term, "Digitale Teilhabe", actor=admin)
        with days_ago(44.8):
            move_term(term, -1, actor=admin)
    if _term("Migrationsberatung") is None:
        with days_ago(43):
            term = add_term("partner_type", "Migrationsberatung", actor=admin)
        with days_ago(42.9):
            set_term_active(term, False, actor=admin)
        with days_ago(42):
            set_term_active(term, True, actor=admin)
    if _term("Arbeitsagentur (Reha-Team)") is None:  # doubles "Reha-Träger": no longer offered
        with days_ago(41):
            term = add_term("partner_type", "Arbeitsagentur (Reha-Team)", actor=admin)
        with days_ago(40.9):
            set_term_active(term, False, actor=admin)


def _term(name: str) -> ReferenceTerm | None:
    return db.session.scalar(select(ReferenceTerm).where(ReferenceTerm.name == name))


def _recorded(action: str) -> bool:
    return db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == action).limit(1)) is not None
