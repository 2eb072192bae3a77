"""After an event, in real Chromium and by keyboard: an organiser ticks who attended, uses "Alle anwesend", adds a
walk-in, writes the closing report with a preview and publishes it; the member who attended reads "Sie waren
dabei" and the report, a follower finds the notification. Every page passes axe-core."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from forum.events.models import EventRegistration
from forum.extensions import db
from forum.notifications.following import follow
from tests.factories import PASSWORD, make_event, make_user
from tests.helpers import check_accessibility, heading, log_in

pytestmark = pytest.mark.browser


def test_organiser_marks_attendance_by_keyboard_and_publishes_the_closing_report(live_server, new_page):
    def seed():
        organiser = make_user(role="organiser", display_name="Olga Organisation")
        present = make_user(display_name="Erika Erste")
        absent = make_user(display_name="Zoran Zweiter")
        follower = make_user(display_name="Fiona Folgt")
        event = make_event(title="Werkstattgespräch Übergänge", starts_in=-timedelta(days=2),
                           duration=timedelta(hours=5))
        for person in (present, absent):
            db.session.add(EventRegistration(event_id=event.id, user_id=person.id, status="registered",
                                             queued_at=event.starts_at - timedelta(days=9)))
        db.session.flush()
        follow(follower, event)
        return organiser.email, present.email, follower.email, event.id

    organiser_email, present_email, follower_email, event_id = live_server.seed(seed)
    page = new_page()
    page.goto("/accounts/login")
    log_in(page, organiser_email, PASSWORD)
    page.goto(f"/events/{event_id}")
    page.get_by_role("navigation", name="Veranstaltung verwalten").get_by_role("link", name="Anwesenheit").click()
    expect(heading(page)).to_have_text("Anwesenheit: Werkstattgespräch Übergänge")
    check_accessibility(page)

    # The checklist by keyboard: tick the first person, leave the second, save with Enter on the button.
    page.get_by_label("Erika Erste").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Zoran Zweiter")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Anwesenheit speichern")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Die Anwesenheit wurde gespeichert.")
    expect(page.get_by_label("Erika Erste")).to_be_checked()
    expect(page.get_by_label("Zoran Zweiter")).not_to_be_checked()
    expect(page.locator("main")).to_contain_text("Teilnehmende insgesamt: 1")
    check_accessibility(page)

    # A walk-in by name and a typed organisation; a missing organisation is said first, the name kept.
    page.get_by_label("Name", exact=True).fill("Gerda Gast")
    page.get_by_label("Name", exact=True).press("Enter")
    expect(page.locator(".error-summary")).to_contain_text("Bitte wählen Sie eine Organisation")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Gerda Gast")
    check_accessibility(page)
    page.get_by_label("Andere Organisation").fill("Caritas Essen")
    page.get_by_label("Andere Organisation").press("Enter")
    expect(page.locator("main")).to_contain_text("Gerda Gast (Caritas Essen)")
    expect(page.locator("main")).to_contain_text("Teilnehmende insgesamt: 2")

    page.get_by_role("button", name="Alle anwesend").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Zoran Zweiter")).to_be_checked()
    expect(page.locator("main")).to_contain_text("Teilnehmende insgesamt: 3")
    check_accessibility(page)

    # The closing report: a preview, then published.
    page.get_by_role("navigation", name="Veranstaltung verwalten").get_by_role("link", name="Abschlussbericht").click()
    expect(heading(page)).to_have_text("Abschlussbericht: Werkstattgespräch Übergänge")
    expect(page.locator("main")).to_contain_text("Aus der Anwesenheit: 3 Teilnehmende")
    check_accessibility(page)
    page.get_by_label("Zusammenfassung").fill("Ein **lebhafter** Austausch über Übergänge.")
    page.get_by_label("Nächste Schritte").fill("- Folgetreffen im Frühjahr")
    page.get_by_role("button", name="Vorschau").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#vorschau strong")).to_have_text("lebhafter")
    expect(page.get_by_label("Zusammenfassung")).to_have_value("Ein **lebhafter** Austausch über Übergänge.")
    check_accessibility(page)
    page.get_by_role("button", name="Veröffentlichen").focus()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Der Abschlussbericht ist veröffentlicht.")
    report = page.locator("section.event-report")
    expect(report).to_contain_text("Ein lebhafter Austausch über Übergänge.")
    expect(report).to_contain_text("Folgetreffen im Frühjahr")
    check_accessibility(page)

    member = new_page()
    member.goto("/accounts/login")
    log_in(member, present_email, PASSWORD)
    member.goto(f"/events/{event_id}")
    expect(member.locator("main")).to_contain_text("Sie waren dabei.")
    expect(member.locator("section.event-report dd").first).to_have_text("3")  # Teilnehmende
    check_accessibility(member)

    reader = new_page()
    reader.goto("/accounts/login")
    log_in(reader, follower_email, PASSWORD)
    reader.goto("/notifications/")
    reader.get_by_role("link", name="Werkstattgespräch Übergänge").click()
    expect(reader.locator("#abschlussbericht")).to_be_visible()
    expect(reader.locator("main")).not_to_contain_text("Sie waren dabei.")
    check_accessibility(reader)
