"""Journeys in real Chromium with real CSRF tokens; every page visited is checked with axe-core (WCAG 2.1 AA)."""
from __future__ import annotations

import itertools
import re

import pytest
from babel.support import Translations
from playwright.sync_api import expect

from forum.accounts.models import User
from forum.extensions import db
from forum.audit import record
from tests.factories import PASSWORD, make_organisation, make_user
from tests.helpers import ROOT, check_accessibility, heading, log_in, sideways_overflow

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Kompass-Regenschirm-Tulpe-17"
_numbers = itertools.count(1)


def english(message: str) -> str:
    """What the app shows for a German message in English: the compiled catalogue's entry, else the message."""
    return Translations.load(str(ROOT / "forum" / "translations"), ["en"]).gettext(message)


def test_registration_with_foreign_domain_is_confirmed_approved_and_reaches_the_dashboard(live_server, new_page):
    number = next(_numbers)
    organisation_name = f"Jobcenter Kreis Wunschstadt {number}"

    def seed():
        make_organisation(name=f"Jobcenter Anderswo {number}", land="BY", domains=(f"anderswo-{number}.example",))
        organisation = make_organisation(name=organisation_name, land="NW",
                                         domains=(f"jobcenter-wunschstadt-{number}.example",))
        make_organisation(name=f"Kooperationspartner Wunschstadt {number}", kind="partner", land=None)
        moderator = make_user(role="moderator", email=f"moderation-{number}@servicestelle.example",
                              display_name="Mona Moderatorin")
        return organisation.id, moderator.email

    organisation_id, moderator_email = live_server.seed(seed)
    applicant_email = f"anna.antrag-{number}@post.example"  # not the organisation's domain → approval needed
    applicant_name = f"Anna Antrag {number}"

    applicant = new_page()
    applicant.goto("/")
    expect(heading(applicant)).to_have_text("Anmelden")
    expect(applicant.locator("html")).to_have_attribute("lang", "de")
    check_accessibility(applicant)

    applicant.get_by_role("link", name="Noch kein Konto? Jetzt registrieren").click()
    expect(heading(applicant)).to_have_text("Registrieren")
    check_accessibility(applicant)
    applicant.get_by_label("Dienstliche E-Mail-Adresse").fill(applicant_email)
    applicant.get_by_label("Vor- und Nachname").fill(applicant_name)
    applicant.get_by_label("Funktion", exact=True).fill("Netzwerkkoordination")
    search = applicant.get_by_label("Organisation suchen")
    search.press_sequentially("wunschst")  # the enhancement: typing narrows the options and picks the first match
    organisation_select = applicant.get_by_label("Organisation", exact=True)
    expect(organisation_select).to_have_value(str(organisation_id))
    assert applicant.locator(f"#{organisation_select.get_attribute('id')} option",
                             has_text=f"Jobcenter Anderswo {number}").evaluate("option => option.hidden")
    applicant.get_by_label("Passwort", exact=True).fill(PASSWORD)
    applicant.get_by_label("Passwort wiederholen").fill(PASSWORD)
    applicant.get_by_role("checkbox", name=re.compile("Ich stimme den Nutzungsbedingungen zu")).check()
    check_accessibility(applicant)
    applicant.get_by_role("button", name="Registrieren", exact=True).click()
    expect(heading(applicant)).to_have_text("Fast geschafft: Bitte bestätigen Sie Ihre E-Mail-Adresse")
    check_accessibility(applicant)

    subject, confirm_url = live_server.link_in_newest_mail(applicant_email, "/confirm/")
    assert subject == "Bitte bestätigen Sie Ihre E-Mail-Adresse für das ABC-Extranet"
    applicant.goto(confirm_url)
    expect(heading(applicant)).to_have_text("E-Mail-Adresse bestätigen")
    check_accessibility(applicant)
    applicant.get_by_label("Ihr Passwort").fill(PASSWORD)
    applicant.get_by_role("button", name="Adresse bestätigen").click()
    expect(applicant.get_by_role("status")).to_contain_text("Ihre Registrierung wird geprüft")
    check_accessibility(applicant)

    moderator = new_page()
    moderator.goto("/accounts/login")
    log_in(moderator, moderator_email, PASSWORD)
    expect(heading(moderator)).to_have_text("Willkommen, Mona Moderatorin")
    check_accessibility(moderator)
    moderator.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Moderation").click()
    expect(heading(moderator)).to_have_text("Meldungen")
    moderator.get_by_role("link", name="Registrierungen", exact=True).click()
    expect(heading(moderator)).to_have_text("Registrierungen prüfen")
    card = moderator.locator("li.kern-card", has_text=applicant_email)
    expect(card.get_by_role("heading")).to_have_text(applicant_name)
    check_accessibility(moderator)
    card.get_by_role("button", name=re.compile(rf"^Freischalten\W+{re.escape(applicant_name)}$")).click()
    expect(moderator.get_by_role("status").first).to_contain_text(f"{applicant_name} wurde freigeschaltet")
    expect(moderator.locator("li.kern-card", has_text=applicant_email)).to_have_count(0)
    check_accessibility(moderator)

    subject, login_url = live_server.link_in_newest_mail(applicant_email, "/login")
    assert subject == "Ihr Konto im ABC-Extranet ist freigeschaltet"
    applicant.goto(login_url)
    expect(heading(applicant)).to_have_text("Anmelden")
    log_in(applicant, applicant_email, PASSWORD)
    expect(heading(applicant)).to_have_text(f"Willkommen, {applicant_name}")
    expect(applicant.get_by_role("main").get_by_role("link", name=organisation_name, exact=True)).to_be_visible()
    check_accessibility(applicant)


def test_forgotten_password_is_reset_by_mail_and_the_link_works_only_once(live_server, page):
    member_email = live_server.seed(lambda: make_user(display_name="Paul Passwort").email)

    page.goto("/accounts/login")
    page.get_by_role("link", name="Passwort vergessen?").click()
    expect(heading(page)).to_have_text("Passwort vergessen")
    check_accessibility(page)
    page.get_by_label("E-Mail-Adresse").fill(member_email)
    page.get_by_role("button", name="Link senden").click()
    expect(heading(page)).to_have_text("Bitte prüfen Sie Ihr Postfach")
    check_accessibility(page)

    subject, reset_url = live_server.link_in_newest_mail(member_email, "/password/reset/")
    assert subject == "Neues Passwort für das ABC-Extranet"
    page.goto(reset_url)
    expect(heading(page)).to_have_text("Neues Passwort festlegen")
    check_accessibility(page)
    page.get_by_label("Neues Passwort", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Neues Passwort wiederholen").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Passwort speichern").click()
    expect(heading(page)).to_have_text("Anmelden")
    expect(page.get_by_role("status")).to_contain_text("Ihr Passwort wurde geändert")
    check_accessibility(page)

    log_in(page, member_email, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("E-Mail-Adresse oder Passwort ist nicht richtig.")
    log_in(page, member_email, NEW_PASSWORD)
    expect(heading(page)).to_have_text("Willkommen, Paul Passwort")
    check_accessibility(page)

    response = page.goto(reset_url)
    assert response.status == 400
    expect(heading(page)).to_have_text("Der Link ist ungültig oder abgelaufen")
    check_accessibility(page)


def test_language_switch_turns_the_pages_english_and_back_to_german(live_server, page):
    member_email = live_server.seed(lambda: make_user(display_name="Lena Sprache").email)

    page.goto("/accounts/login")
    check_accessibility(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading(page)).to_have_text(english("Anmelden"))
    if english("Anmelden") != "Anmelden":  # the English catalogue may still be in the making
        expect(page.get_by_role("heading", name="Anmelden")).to_have_count(0)
    expect(page.get_by_role("button", name="Deutsch")).to_have_attribute("lang", "de")
    check_accessibility(page)

    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(heading(page)).to_have_text("Anmelden")

    log_in(page, member_email, PASSWORD)
    expect(heading(page)).to_have_text("Willkommen, Lena Sprache")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading(page)).to_have_text(english("Willkommen, %(name)s") % {"name": "Lena Sprache"})
    expect(page.get_by_role("navigation", name=english("Hauptnavigation"))).to_be_visible()
    check_accessibility(page)

    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(heading(page)).to_have_text("Willkommen, Lena Sprache")
    check_accessibility(page)

    def saved_language():
        return db.session.scalar(db.select(User.language).where(User.email == member_email))

    assert live_server.seed(saved_language) == "de"


def test_language_chosen_on_the_login_page_is_kept_after_login(live_server, page):
    member_email = live_server.seed(lambda: make_user(display_name="Ernst English").email)

    page.goto("/accounts/login")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    log_in(page, member_email, PASSWORD, email_label=english("E-Mail-Adresse"),
           password_label=english("Passwort"), button=english("Anmelden"))
    expect(heading(page)).to_contain_text("Ernst English")
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=1_000)
    expect(heading(page)).to_have_text(english("Willkommen, %(name)s") % {"name": "Ernst English"})


def test_first_tab_reaches_the_skip_link_and_enter_moves_focus_to_the_content(live_server, page):
    page.goto("/accounts/login")
    check_accessibility(page)
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    expect(page.locator("main#inhalt")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-Mail-Adresse")).to_be_focused()


def test_registration_error_keeps_the_input_and_focuses_the_error_summary(live_server, page):
    number = next(_numbers)
    organisation_name = f"Jobcenter Fehlerstadt {number}"
    organisation_id = live_server.seed(lambda: make_organisation(name=organisation_name, land="HE").id)

    page.goto("/accounts/register")
    page.get_by_label("Dienstliche E-Mail-Adresse").fill(f"kurt.kurz-{number}@post.example")
    page.get_by_label("Vor- und Nachname").fill("Kurt Kurz")
    page.get_by_label("Funktion", exact=True).fill("Teamleitung")
    page.get_by_label("Organisation", exact=True).select_option(str(organisation_id))
    page.get_by_label("Passwort", exact=True).fill("zu-kurz")
    page.get_by_label("Passwort wiederholen").fill("zu-kurz")
    page.get_by_role("checkbox", name=re.compile("Ich stimme den Nutzungsbedingungen zu")).check()
    page.get_by_role("button", name="Registrieren", exact=True).click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("Bitte prüfen Sie Ihre Eingaben.")
    message = "Das Passwort muss mindestens 12 Zeichen lang sein."
    expect(summary.get_by_role("link", name=f"Passwort: {message}")).to_be_visible()
    password = page.get_by_label("Passwort", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile(re.escape(message)))
    expect(password).to_have_value("")
    expect(page.get_by_label("Dienstliche E-Mail-Adresse")).to_have_value(f"kurt.kurz-{number}@post.example")
    expect(page.get_by_label("Vor- und Nachname")).to_have_value("Kurt Kurz")
    expect(page.get_by_label("Funktion", exact=True)).to_have_value("Teamleitung")
    expect(page.get_by_label("Organisation", exact=True)).to_have_value(str(organisation_id))
    expect(page.get_by_role("checkbox", name=re.compile("Ich stimme den Nutzungsbedingungen zu"))).to_be_checked()
    check_accessibility(page)

    summary.get_by_role("link", name=f"Passwort: {message}").click()
    expect(password).to_be_focused()


def test_staff_pages_pass_axe_and_reflow_on_a_320_pixel_screen(live_server, page):
    """WCAG 1.4.10: no sideways scrolling of the page at 320 CSS pixels; wide content scrolls in its own box."""

    def seed():
        admin = make_user(role="admin", display_name="Ada Admin")
        applicant = make_user(status="pending", display_name="Wim Wartend")
        suspended = make_user(status="suspended", display_name="Susi Gesperrt")
        record(admin, "user.change", suspended, reason="Mehrfach Daten von Leistungsberechtigten veröffentlicht",
               snapshot={"display_name": suspended.display_name})  # a wide row for the Moderationsprotokoll
        return admin.email, admin.organisation_id, applicant.id

    admin_email, organisation_id, applicant_id = live_server.seed(seed)
    page.set_viewport_size({"width": 320, "height": 720})
    page.goto("/accounts/login")
    log_in(page, admin_email, PASSWORD)
    expect(heading(page)).to_have_text("Willkommen, Ada Admin")
    for path in ("/", "/organisations/", f"/organisations/{organisation_id}", f"/organisations/{organisation_id}/edit",
                 "/organisations/import", "/moderation/registrations", "/moderation/log", "/admin/users",
                 f"/admin/users/{applicant_id}", "/accounts/profile"):
        response = page.goto(path)
        assert response.status == 200, path
        overflow = sideways_overflow(page)
        assert not overflow, f"{path} scrolls sideways at 320 px because of: {overflow}"
        check_accessibility(page)
