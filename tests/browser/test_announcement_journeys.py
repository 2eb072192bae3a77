"""Announcement journey in real Chromium: a moderator writes a Mitteilung to the members of one Land, previews it
(without JavaScript's help: the preview is a server round trip), saves it, sees the number of recipients and
sends it; `flask send-announcements` runs; a member of that Land finds it under the bell and reads it, and the
mail carries the one-click unsubscribe headers. Every page passes axe-core."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_organisation, make_user
from tests.helpers import check_accessibility, heading, log_in

pytestmark = pytest.mark.browser


def test_moderator_sends_an_announcement_that_a_member_of_the_land_reads(live_server, new_page):
    def seed():
        saarland = make_organisation(land="SL", jobcenter_type="zkt")
        readers = [make_user(organisation=saarland, display_name=name) for name in ("Svenja Saar", "Bernd Bach")]
        make_user(organisation=make_organisation(land="HH"))  # in another Land: not reached
        moderator = make_user(role="moderator", organisation=make_organisation(kind="service_office", land="BE"))
        return moderator.email, readers[0].email

    moderator_email, reader_email = live_server.seed(seed)
    page = new_page()
    page.goto("/accounts/login")
    log_in(page, moderator_email, PASSWORD)
    page.goto("/moderation/reports")
    page.get_by_role("link", name="Mitteilungen").click()
    expect(heading(page)).to_have_text("Mitteilungen")
    check_accessibility(page)

    page.get_by_role("link", name="Neue Mitteilung").click()
    page.get_by_label("Betreff").fill("Werkstattgespräch im Saarland")
    page.get_by_role("textbox", name="Text", exact=True).fill("Bitte **melden** Sie sich bis Freitag an.")
    page.get_by_label("Zielgruppe", exact=True).select_option(label="Mitglieder eines Landes")
    page.get_by_label("Land").select_option(label="Saarland")
    page.get_by_role("button", name="Vorschau").click()
    preview = page.get_by_role("region", name="Vorschau")
    expect(preview.locator("strong")).to_have_text("melden")
    expect(preview).to_contain_text("erreicht zurzeit 2 Personen")
    expect(page.get_by_label("Betreff")).to_have_value("Werkstattgespräch im Saarland")
    check_accessibility(page)

    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.locator("main")).to_contain_text("Der Entwurf ist gespeichert.")
    expect(heading(page)).to_have_text("Werkstattgespräch im Saarland")
    check_accessibility(page)
    page.get_by_role("button", name="Testmail an mich").click()
    expect(page.locator("main")).to_contain_text(f"Die Testmail an {moderator_email} ist im Postausgang.")

    page.get_by_role("link", name="Versenden …").click()
    expect(heading(page)).to_have_text("Mitteilung versenden")
    expect(page.locator("main")).to_contain_text("Die Mitteilung geht an 2 Personen")
    check_accessibility(page)
    page.get_by_role("button", name="An 2 Personen versenden").click()
    expect(page.locator("main")).to_contain_text("Die Mitteilung wird an 2 Personen versendet.")
    expect(page.get_by_role("row", name="Werkstattgespräch im Saarland")).to_contain_text("wird versendet")
    check_accessibility(page)

    result = live_server.app.test_cli_runner().invoke(args=["send-announcements"])
    assert result.exit_code == 0 and "2 Empfänger benachrichtigt" in result.output, result.output

    member = new_page()
    member.goto("/accounts/login")
    log_in(member, reader_email, PASSWORD)
    member.get_by_role("link", name="Benachrichtigungen, 1 ungelesen").click()
    item = member.locator(".notification").first
    expect(item).to_contain_text("Mitteilung der Servicestelle: „Werkstattgespräch im Saarland“")
    check_accessibility(member)
    item.get_by_role("link", name="Werkstattgespräch im Saarland").click()
    expect(heading(member)).to_have_text("Werkstattgespräch im Saarland")
    expect(member.locator("main strong")).to_have_text("melden")
    check_accessibility(member)

    mail = live_server.newest_mail(reader_email)
    assert str(mail["Subject"]) == "Werkstattgespräch im Saarland"
    assert str(mail["List-Unsubscribe"]).startswith(f"<{live_server.url}/announcements/unsubscribe/")
    assert str(mail["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    test_mail = live_server.newest_mail(moderator_email)
    assert str(test_mail["Subject"]) == "[Test] Werkstattgespräch im Saarland"
