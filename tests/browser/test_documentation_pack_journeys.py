"""Documentation pack journey in real Chromium: an organiser opens a held event, follows "Dokumentation drucken /
als PDF" to the print view (axe-core; on paper without navigation, buttons or forms), downloads the PDF by
keyboard and finds the report, the presented idea and the attendee in it, tagged and in German; then the pack of
a quarter from the list of past events (axe-core, 320 pixels)."""
from __future__ import annotations

import io
import itertools
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from forum.clock import to_berlin, utcnow
from tests.helpers import check_accessibility, heading, logged_in, sideways_overflow

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)


def test_organiser_prints_the_documentation_of_an_event_and_downloads_the_pdf(live_server, new_page):
    number = next(_numbers)

    def seed():
        from forum.events.models import EventRegistration, EventReport
        from forum.extensions import db
        from forum.ideas.models import IdeaEvent
        from tests.factories import make_event, make_idea, make_organisation, make_user

        organiser = make_user(role="organiser", display_name=f"Olga Ordner {number}")
        event = make_event(title=f"Werkstattgespräch Gesundheit im Netzwerk {number}", status="done",
                           starts_in=-timedelta(days=7), agenda="- 10:00 Gesundheitslotsen stellen sich vor")
        person = make_user(display_name=f"Paula Präsent {number}",
                           organisation=make_organisation(name=f"Jobcenter Druckstadt {number}"))
        db.session.add(EventRegistration(event_id=event.id, user_id=person.id, status="registered",
                                         attended_at=event.starts_at))
        db.session.add(EventReport(event_id=event.id, summary_html="<p>Zwölf Jobcenter tauschten Ansätze aus.</p>",
                                   published_at=utcnow()))
        idea = make_idea(title=f"Gesundheitslotsen {number}", summary="Lotsen begleiten zur Krankenkasse.")
        db.session.add(IdeaEvent(idea_id=idea.id, event_id=event.id))
        return organiser.email, event.id, event.title

    email, event_id, title = live_server.seed(seed)
    page = logged_in(new_page, email)
    page.goto(f"/events/{event_id}")
    page.get_by_role("link", name="Dokumentation drucken / als PDF").click()
    expect(heading(page)).to_have_text(f"Dokumentation: {title}")
    expect(page.get_by_role("cell", name=f"Paula Präsent {number}")).to_be_visible()
    check_accessibility(page)

    page.emulate_media(media="print")  # on paper: the pack only
    for hidden in (page.get_by_role("navigation", name="Hauptnavigation"),
                   page.get_by_role("button", name="Als PDF herunterladen"), page.locator("form").first):
        expect(hidden).to_be_hidden()
    expect(page.get_by_text("Netzwerke ABC – Servicestelle SGB II")).to_be_visible()
    page.emulate_media(media="screen")

    button = page.get_by_role("button", name="Als PDF herunterladen")
    button.focus()
    # the first PDF of a process loads WeasyPrint and decodes the typeface: seconds on a loaded machine
    with page.expect_download(timeout=60_000) as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename == f"dokumentation-veranstaltung-{event_id}.pdf"
    reader = PdfReader(io.BytesIO(download.path().read_bytes()))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    for expected in (title, "Zwölf Jobcenter tauschten Ansätze aus.", f"Gesundheitslotsen {number}",
                     f"Paula Präsent {number}", f"Jobcenter Druckstadt {number}"):
        assert expected in text, expected
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and bool(catalog["/MarkInfo"]["/Marked"]) and catalog["/Lang"] == "de"

    # The quarter's pack, from the list of past events.
    page.goto("/events/?when=past")
    page.get_by_role("link", name="Dokumentation eines Zeitraums").click()
    expect(heading(page)).to_have_text("Dokumentation eines Zeitraums")
    check_accessibility(page)
    today = to_berlin(utcnow()).date()
    page.get_by_label("Von", exact=True).fill((today - timedelta(days=30)).isoformat())
    page.get_by_label("Bis", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Zeitraum anzeigen").click()
    expect(page.get_by_role("navigation", name="Inhalt").get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_text(f"Paula Präsent {number}")).to_have_count(0)
    check_accessibility(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert sideways_overflow(page) == []
