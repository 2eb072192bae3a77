"""Statistics journey in real Chromium: a moderator opens the programme statistics from the main navigation,
changes the period to a quarter with the keyboard only, reads a figure in its chart and its table and downloads
the CSV export with the figures. Each page passes axe-core and reflows at 320 pixels."""
from __future__ import annotations

import csv
import io
import itertools
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from tests.helpers import check_accessibility, heading, logged_in, sideways_overflow

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)


def test_moderator_reads_the_statistics_changes_the_period_by_keyboard_and_exports_csv(live_server, new_page):
    number = next(_numbers)

    def seed():
        from forum.events.models import EventRegistration
        from forum.extensions import db
        from tests.factories import make_event, make_organisation, make_user

        jobcenter = make_organisation(name=f"Jobcenter Statistikstadt {number}", land="NW", jobcenter_type="ge")
        moderator = make_user(role="moderator", display_name=f"Mira Zahlen {number}")
        # A workshop on 10 March 2025 with three registered people, two of them present.
        event = make_event(kind="workshop", status="done", starts_at=datetime(2025, 3, 10, 9, tzinfo=timezone.utc))
        for present in (True, True, False):
            person = make_user(organisation=jobcenter)
            db.session.add(EventRegistration(
                event_id=event.id, user_id=person.id, status="registered",
                queued_at=datetime(2025, 2, 1, tzinfo=timezone.utc),
                attended_at=datetime(2025, 3, 10, 9, tzinfo=timezone.utc) if present else None))
        return moderator.email

    page = logged_in(new_page, live_server.seed(seed))
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Statistik").click()
    expect(heading(page)).to_have_text("Programmstatistik")
    check_accessibility(page)

    # Keyboard only: Zeitraum → Quartal, Jahr → 2025, Quartal → 1., then the button.
    period = page.get_by_label("Zeitraum", exact=True)
    period.focus()
    page.keyboard.type("Quartal")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Jahr", exact=True)).to_be_focused()
    page.keyboard.type("2025")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Quartal", exact=True)).to_be_focused()
    page.keyboard.type("1")
    show = page.get_by_role("button", name="Anzeigen")
    for _ in range(12):
        if show.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(show).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**period=quarter**")
    assert "year=2025" in page.url and "quarter=1" in page.url
    expect(page.get_by_role("heading", name="Zeitraum: 01.01.2025 bis 31.03.2025")).to_be_visible()

    figure = page.locator("section").filter(has=page.get_by_role("heading", name="Anwesenheit nach Format"))
    expect(figure.get_by_role("img")).to_have_attribute("aria-label", "Anwesenheit nach Format: Werkstattgespräch "
                                                        "66,7 %, Regionalkonferenz –, Fachveranstaltung –, "
                                                        "Online-Format –")
    row = figure.get_by_role("table").get_by_role("row").filter(has_text="Werkstattgespräch")
    expect(row).to_contain_text("3")
    expect(row).to_contain_text("66,7 %")
    check_accessibility(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert sideways_overflow(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})

    export = page.get_by_role("button", name="Als CSV exportieren")
    export.focus()
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename == "programmstatistik-2025-01-01-2025-03-31.csv"
    rows = list(csv.reader(io.StringIO(download.path().read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Programmstatistik", "01.01.2025 bis 31.03.2025"]
    assert ["Werkstattgespräch", "1", "3"] in rows  # one workshop held, three registered
    assert ["Werkstattgespräch", "3", "2", "0", "66,7"] in rows
