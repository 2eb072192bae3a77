"""The documentation pack of events: the print view and the PDF of a held event (what members, organisers and
moderators find in it, names only for the service office, audited downloads, a tagged PDF with language and
title), the pack of a period (exactly the held events of the range, with a table of contents), the permissions,
the bounded number of queries and a PDF renderer that reads nothing but static files."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from forum.audit import AuditEntry
from forum.clock import utcnow
from forum.events.models import Event, EventAttachment, EventRegistration, EventReport, EventWalkIn
from forum.extensions import db
from forum.ideas.models import IdeaEvent
from forum import permissions
from forum.permissions import visible_documented_events
from tests.factories import make_event, make_idea, make_organisation, make_post, make_thread, make_user
from tests.helpers import DOCUMENTATION_MATRIX, actor, count_queries, queries_for

PINNED = "Angeheftete Zusammenfassung: feste Termine bei der Schuldnerberatung."
HIDDEN = "Ausgeblendeter Beitrag mit Beleidigung."
WITHDRAWN = "Zurückgezogener Beitrag, den niemand mehr lesen soll."
UNPINNED = "Ein gewöhnlicher Beitrag ohne Stecknadel."


def _pdf(response) -> PdfReader:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data))


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _structure(reader: PdfReader) -> set[str]:
    """The structure types (/H1, /P, /Table, …) of the PDF's tag tree."""
    found: set[str] = set()
    nodes = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while nodes:
        node = nodes.pop().get_object()
        if isinstance(node, list):
            nodes.extend(node)
        elif isinstance(node, dict):
            if "/S" in node:
                found.add(str(node["/S"]))
            if "/K" in node:
                nodes.append(node["/K"])
    return found


def _fonts(reader: PdfReader) -> set[str]:
    """The names of the fonts the PDF's pages use (without the subset prefix)."""
    return {str(font.get_object()["/BaseFont"]).split("+")[-1] for page in reader.pages
            for font in page["/Resources"].get("/Font", {}).values()}


def _held_event(*, title="Werkstattgespräch Schuldnerberatung", attendees=2, ideas=1, pinned=1, report=True,
                published=True, starts_at=None):
    """A held event with attendance (registered people present, one absent, a walk-in), a closing report, a
    presented idea and a submitted one, pinned posts in every state in its main thread, a follow-up and a file."""
    event = make_event(title=title, status="done", starts_at=starts_at, starts_in=-timedelta(days=10),
                       agenda="- 10:00 Netzwerkkarte der Region")
    jobcenter = make_organisation(name=f"Jobcenter Anwesenheitsstadt {event.id}")
    for number in range(attendees):
        person = make_user(display_name=f"Anna Anwesend {event.id}-{number}", organisation=jobcenter)
        db.session.add(EventRegistration(event_id=event.id, user_id=person.id, status="registered",
                                         attended_at=event.starts_at))
    absent = make_user(display_name=f"Bernd Abwesend {event.id}")
    db.session.add(EventRegistration(event_id=event.id, user_id=absent.id, status="registered"))
    db.session.add(EventWalkIn(event_id=event.id, name=f"Wanda Spontan {event.id}",
                               organisation_name=f"Stadtverwaltung Musterstadt {event.id}"))
    if report:
        db.session.add(EventReport(event_id=event.id, summary_source="x",
                                   summary_html="<p>Ergebnis: eine Kooperationsvereinbarung.</p>",
                                   results_html="<p>Drei Jobcenter übernehmen das Verfahren.</p>",
                                   next_steps_html="<p>Treffen im Herbst.</p>",
                                   published_at=utcnow() if published else None))
    for number in range(ideas):
        idea = make_idea(title=f"Gesundheitslotsen {event.id}-{number}", summary="Lotsen begleiten zur Krankenkasse.")
        db.session.add(IdeaEvent(idea_id=idea.id, event_id=event.id))
    secret = make_idea(title=f"Eingereichte Idee {event.id}", status="submitted")
    db.session.add(IdeaEvent(idea_id=secret.id, event_id=event.id))
    thread = event.main_thread
    for number in range(pinned):
        make_post(thread=thread, body=f"{PINNED} ({number})").pinned_at = utcnow()
    make_post(thread=thread, body=UNPINNED)
    hidden = make_post(thread=thread, body=HIDDEN)
    hidden.pinned_at = hidden.hidden_at = utcnow()
    withdrawn = make_post(thread=thread, body=WITHDRAWN)
    withdrawn.pinned_at = withdrawn.withdrawn_at = utcnow()
    make_thread(title=f"Folgediskussion Musterverträge {event.id}", follow_up_of=event)
    db.session.add(EventAttachment(event_id=event.id, filename="folien-netzwerk.pdf",
                                   stored_name=f"stored-{event.id}", content_type="application/pdf", size=2048))
    db.session.flush()
    db.session.expire_all()
    return event


def _download(client, event):
    return client.post(f"/events/{event.id}/documentation-pack.pdf")


# --- one event --------------------------------------------------------------------------------------------------

def test_member_downloads_a_tagged_pdf_with_the_pack_and_no_names(client_as, member):
    event = _held_event()
    reader = _pdf(_download(client_as(member), event))
    text = _text(reader)
    for expected in (event.title, "Netzwerke ABC – Servicestelle SGB II", "Netzwerkkarte der Region",
                     "Ergebnis: eine Kooperationsvereinbarung.", "Drei Jobcenter übernehmen", "Treffen im Herbst",
                     f"Gesundheitslotsen {event.id}-0", "Lotsen begleiten zur Krankenkasse.", PINNED,
                     f"Jobcenter Anwesenheitsstadt {event.id}", f"Stadtverwaltung Musterstadt {event.id}",
                     f"Folgediskussion Musterverträge {event.id}", "folien-netzwerk.pdf"):
        assert expected in text, expected
    for absent in (HIDDEN, WITHDRAWN, UNPINNED, "Anna Anwesend", "Wanda Spontan", "Bernd Abwesend",
                   f"Eingereichte Idee {event.id}", "Anwesenheitsliste"):
        assert absent not in text, absent
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "de"
    assert reader.metadata.title == f"Dokumentation: {event.title}"
    assert {"/H1", "/H2", "/H3", "/L", "/P", "/Link"} <= _structure(reader), "real headings, lists and links"
    assert re.search(r"\b1 / \d+\b", text), "page numbers"
    assert {"Fira-Sans", "Fira-Sans-Bold", "Fira-Sans-Semi-Bold"} <= _fonts(reader), _fonts(reader)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.documentation_pack")) is None


def test_organiser_pdf_lists_attendees_by_name_and_the_download_is_audited(client_as, organiser):
    event = _held_event()
    reader = _pdf(_download(client_as(organiser), event))
    text = _text(reader)
    assert "/Table" in _structure(reader), "the attendance list is a tagged table"
    assert f"Anna Anwesend {event.id}-0" in text and f"Wanda Spontan {event.id}" in text
    assert f"Bernd Abwesend {event.id}" not in text, "registered but absent people did not attend"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.documentation_pack"))
    assert entry.actor_id == organiser.id and entry.target_id == event.id
    assert entry.snapshot["names"] == 3
    assert "Anna" not in str(entry.snapshot), "the audit log keeps no attendee's name"


def test_pdf_in_english_says_so_in_its_language(client_as):
    reader = _pdf(_download(client_as(make_user(language="en")), _held_event()))
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_draft_report_is_in_the_organisers_pack_marked_as_draft_and_not_in_the_members(client_as, organiser,
                                                                                         member):
    event = _held_event(published=False)
    organisers = client_as(organiser).get(f"/events/{event.id}/documentation-pack").get_data(as_text=True)
    assert "Entwurf, nur für die Servicestelle sichtbar" in organisers and "Kooperationsvereinbarung" in organisers
    members = client_as(member).get(f"/events/{event.id}/documentation-pack").get_data(as_text=True)
    assert "Kooperationsvereinbarung" not in members and "Entwurf" not in members
    assert "noch keinen veröffentlichten Abschlussbericht" in members


def test_print_view_is_the_pack_without_forms_and_prints_without_navigation(app, client_as, member):
    event = _held_event()
    page = client_as(member).get(f"/events/{event.id}/documentation-pack").get_data(as_text=True)
    pack = page[page.index('<div class="pack">'):page.index("</main>")]
    assert "<form" not in pack and "<button" not in pack and "<nav" not in pack
    assert "Netzwerke ABC – Servicestelle SGB II" in pack and PINNED in pack and HIDDEN not in page
    assert "Plätze" not in pack and "Anmeldung bis" not in pack
    assert 'href="/static/css/print.css" media="print"' in page
    with open(f"{app.static_folder}/css/print.css", encoding="utf-8") as sheet:
        css = sheet.read()
    hidden = css[css.index("@media print"):css.index("display: none")]
    for selector in (".site-header", ".site-nav", "nav:not(.pack-toc)", "form", "button", ".no-print"):
        assert selector in hidden, selector
    assert "counter(page)" in css


def test_event_page_links_the_pack_only_once_the_event_was_held(client_as, member):
    held, upcoming = _held_event(), make_event()
    client = client_as(member)
    assert f"/events/{held.id}/documentation-pack" in client.get(f"/events/{held.id}").get_data(as_text=True)
    assert "documentation-pack" not in client.get(f"/events/{upcoming.id}").get_data(as_text=True)
    assert client.get(f"/events/{upcoming.id}/documentation-pack").status_code == 403
    cancelled = make_event(status="cancelled", starts_in=-timedelta(days=5))
    assert client.post(f"/events/{cancelled.id}/documentation-pack.pdf").status_code == 403


def test_pack_needs_as_many_queries_for_much_content_as_for_little(client_as, organiser):
    client = client_as(organiser)
    little = len(queries_for(client, f"/events/{_held_event(attendees=1, ideas=1, pinned=1).id}/documentation-pack"))
    much = len(queries_for(client, f"/events/{_held_event(attendees=12, ideas=6, pinned=8).id}/documentation-pack"))
    assert much == little, (little, much)


# --- a period -------------------------------------------------------------------------------------------------

def _berlin(year, month, day, hour=10):
    return datetime(year, month, day, hour, tzinfo=timezone.utc) - timedelta(hours=1)  # winter time: UTC+1


def test_period_pack_has_exactly_the_held_events_of_the_range_with_a_table_of_contents(client_as, organiser):
    inside = _held_event(title="Werkstatt Januar", starts_at=_berlin(2025, 1, 14))
    over = make_event(title="Konferenz Februar, nicht abgeschlossen", status="open", starts_at=_berlin(2025, 2, 3))
    last_evening = make_event(title="Abendformat 31. März", status="done", starts_at=_berlin(2025, 3, 31, 22),
                              duration=timedelta(minutes=30))
    make_event(title="Abgesagt im März", status="cancelled", starts_at=_berlin(2025, 3, 5))
    make_event(title="Schon April", status="done", starts_at=_berlin(2025, 4, 1, 0) + timedelta(minutes=30))
    make_event(title="Dezember davor", status="done", starts_at=_berlin(2024, 12, 31, 12))
    client = client_as(organiser)
    page = client.get("/events/documentation-pack?first=2025-01-01&last=2025-03-31").get_data(as_text=True)
    toc = page[page.index('class="pack-toc"'):page.index("</nav>", page.index('class="pack-toc"'))]
    assert re.findall(r'href="#veranstaltung-(\d+)"', toc) == [str(inside.id), str(over.id), str(last_evening.id)]
    assert "Anna Anwesend" not in page, "the period pack goes to the ministry: no names"
    response = client.post("/events/documentation-pack.pdf", data={"first": "2025-01-01", "last": "2025-03-31"})
    text = _text(_pdf(response))
    assert "Inhalt" in text and "Ergebnis: eine Kooperationsvereinbarung." in text
    assert text.index("Werkstatt Januar") < text.index("Konferenz Februar") < text.index("Abendformat 31. März")
    for absent in ("Abgesagt im März", "Schon April", "Dezember davor", "Anna Anwesend"):
        assert absent not in text, absent
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="dokumentation-2025-01-01-bis-2025-03-31.pdf"'


def test_period_pack_needs_the_same_queries_for_one_event_as_for_five(client_as, organiser):
    client = client_as(organiser)
    _held_event(starts_at=_berlin(2025, 5, 5))
    one = len(queries_for(client, "/events/documentation-pack?first=2025-05-01&last=2025-05-31"))
    for day in range(6, 11):
        _held_event(starts_at=_berlin(2025, 6, day))
    five = len(queries_for(client, "/events/documentation-pack?first=2025-06-01&last=2025-06-30"))
    assert five == one, (one, five)


def test_period_form_explains_a_wrong_range_and_keeps_the_input(client_as, moderator):
    response = client_as(moderator).get("/events/documentation-pack?first=2025-03-31&last=2025-01-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Das Ende des Zeitraums liegt vor seinem Anfang." in page
    assert 'value="2025-03-31"' in page and 'value="2025-01-01"' in page
    page = client_as(moderator).get("/events/documentation-pack?first=2024-01-01&last=2025-06-30").get_data(
        as_text=True)
    assert "höchstens ein Jahr" in page


def test_period_pdf_with_a_changed_range_goes_back_to_the_form(client_as, organiser):
    response = client_as(organiser).post("/events/documentation-pack.pdf", data={"first": "1999-99-99", "last": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/events/documentation-pack")


def test_members_get_no_period_pack(client_as, member):
    client = client_as(member)
    assert client.get("/events/documentation-pack").status_code == 403
    assert client.post("/events/documentation-pack.pdf", data={"first": "2025-01-01",
                                                              "last": "2025-03-31"}).status_code == 403
    assert "/events/documentation-pack" not in client.get("/events/?when=past").get_data(as_text=True)


# --- rules and the renderer -----------------------------------------------------------------------------------

def _state(name):
    if name == "upcoming":
        return make_event()
    if name == "over":
        return make_event(status="open", starts_in=-timedelta(days=3))
    if name == "done":
        return make_event(status="done", starts_in=-timedelta(days=3))
    return make_event(status="cancelled", starts_in=-timedelta(days=3))


@pytest.mark.parametrize(("rule", "state"), list(DOCUMENTATION_MATRIX))
def test_documentation_rules(app, rule, state):
    allowed = DOCUMENTATION_MATRIX[(rule, state)]
    event = _state(state) if state else None
    for role in ("anonymous", "member", "organiser", "moderator", "admin"):
        user = actor(role)
        predicate = getattr(permissions, rule)
        result = predicate(user, event) if event is not None else predicate(user)
        assert result == (role in allowed), (rule, state, role)
        if rule == "can_view_documentation_pack":
            found = db.session.scalar(visible_documented_events(user, select(Event.id).where(Event.id == event.id)))
            assert (found is not None) == result, (state, role)


def test_pdf_renderer_reads_static_files_only(app):
    from forum.events.pdf import StaticFilesOnly

    fetcher = StaticFilesOnly(app.static_folder)
    css = fetcher.fetch(f"file://{app.static_folder}/css/pack.css")
    assert b".pack" in css.read() and css.content_type == "text/css"
    for url in ("http://127.0.0.1:9/x.css", "https://example.org/font.woff2", f"file://{app.root_path}/config.py",
                f"file://{app.static_folder}/../forum/config.py", "data:text/css,body{}"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_pdf_download_runs_no_more_queries_than_the_print_view(client_as, member):
    """The PDF costs the same bounded queries as the print view (rendering reads no database)."""
    event = _held_event()
    client = client_as(member)
    db.session.commit()
    with count_queries() as statements:
        assert _download(client, event).status_code == 200
    view = queries_for(client, f"/events/{event.id}/documentation-pack")
    assert len(statements) <= len(view) + 2
