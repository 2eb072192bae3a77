"""Event journeys in real Chromium: an organiser creates an event, members register and join the waiting list,
the organiser starts a follow-up discussion; every page passes axe-core and reflows at 320 pixels."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_event, make_user
from tests.helpers import check_accessibility, heading, log_in, sideways_overflow

pytestmark = pytest.mark.browser


def test_organiser_creates_an_event_members_register_and_the_second_waits(live_server, new_page):
    def seed():
        organiser = make_user(role="organiser", display_name="Olga Organisation")
        first = make_user(display_name="Erika Erste")
        second = make_user(display_name="Zoran Zweiter")
        return organiser.email, first.email, second.email

    organiser_email, first_email, second_email = live_server.seed(seed)
    page = new_page()
    page.goto("/accounts/login")
    log_in(page, organiser_email, PASSWORD)
    page.get_by_role("link", name="Veranstaltungen", exact=True).click()
    check_accessibility(page)
    page.get_by_role("link", name="Veranstaltung anlegen").click()
    expect(heading(page)).to_have_text("Veranstaltung anlegen")
    check_accessibility(page)

    page.get_by_label("Titel", exact=True).fill("Werkstattgespräch Gesundheit im Browser")
    page.get_by_label("Beginn: Datum").fill("2030-06-12")
    page.get_by_label("Beginn: Uhrzeit").fill("10:00")
    page.get_by_label("Ende: Uhrzeit").fill("09:00")  # before the start: refused, input kept
    page.get_by_label("Veranstaltungsort").fill("Jobcenter Dortmund, Raum 3.12")
    page.get_by_label("Plätze").fill("1")
    page.get_by_label("Status").select_option("open")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".error-summary")).to_contain_text("Das Ende muss nach dem Beginn liegen.")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_label("Titel", exact=True)).to_have_value("Werkstattgespräch Gesundheit im Browser")
    check_accessibility(page)
    page.get_by_label("Ende: Uhrzeit").fill("16:00")
    page.get_by_role("button", name="Speichern").click()
    expect(heading(page)).to_have_text("Werkstattgespräch Gesundheit im Browser")
    expect(page.locator("main")).to_contain_text("Mittwoch, 12.06.2030, 10:00–16:00 Uhr")
    check_accessibility(page)
    event_path = page.url.removeprefix(live_server.url)

    for email, expected in ((first_email, "Sie sind angemeldet."),
                            (second_email, "Sie stehen auf Platz 1 der Warteliste.")):
        member = new_page()
        member.goto("/accounts/login")
        log_in(member, email, PASSWORD)
        member.goto(event_path)
        button = "Zur Veranstaltung anmelden" if email == first_email else "Auf die Warteliste setzen"
        member.get_by_role("button", name=button, exact=True).click()
        expect(member.locator("main")).to_contain_text(expected)
        check_accessibility(member)

    page.get_by_role("link", name="Teilnehmende").click()
    expect(page.locator("main")).to_contain_text("Erika Erste")
    expect(page.locator("main")).to_contain_text("Warteliste: 1")
    check_accessibility(page)
    page.get_by_role("link", name="Folgediskussionen").click()
    page.get_by_label("Titel der Folgediskussion").fill("Wie geht es nach der Werkstatt weiter?")
    page.get_by_role("button", name="Beginnen").click()
    expect(page.locator("main")).to_contain_text("Die Folgediskussion „Wie geht es nach der Werkstatt weiter?“")
    check_accessibility(page)
    page.get_by_role("link", name="Wie geht es nach der Werkstatt weiter?").click()
    expect(page.locator("main")).to_contain_text("Folgediskussion zu Werkstattgespräch Gesundheit im Browser")
    check_accessibility(page)


def test_event_pages_pass_axe_and_reflow_on_a_320_pixel_screen(live_server, page):
    def seed():
        organiser = make_user(role="organiser", display_name="Otto Organisator")
        event = make_event(title="Regionalkonferenz Nord mit einem sehr langen Titel für schmale Bildschirme",
                           capacity=2, description="## Worum es geht\n\nNetzwerke in der **Region**.",
                           agenda="- 10:00 Ankommen\n- 10:30 Impulse")
        return organiser.email, event.id

    organiser_email, event_id = live_server.seed(seed)
    page.set_viewport_size({"width": 320, "height": 720})
    page.goto("/accounts/login")
    log_in(page, organiser_email, PASSWORD)
    for path in ("/events/", "/events/?when=past", f"/events/{event_id}", f"/events/{event_id}/edit",
                 f"/events/{event_id}/cancel", f"/events/{event_id}/participants",
                 f"/events/{event_id}/documentation", f"/events/{event_id}/follow-ups", "/events/calendar"):
        response = page.goto(path)
        assert response.status == 200, path
        overflow = sideways_overflow(page)
        assert not overflow, f"{path} scrolls sideways at 320 px because of: {overflow}"
        check_accessibility(page)
    page.goto("/events/calendar")
    page.get_by_role("button", name="Kalender-Adresse erzeugen").click()
    expect(page.get_by_label("Ihre Kalender-Adresse")).to_have_value(
        re.compile(rf"^{re.escape(live_server.url)}/events/calendar/[\w-]{{40,}}\.ics$"))
    check_accessibility(page)
