"""Moderation journeys in real Chromium with real CSRF tokens: a member reports client data by keyboard and the post
is hidden at once, a moderator works the case and redacts the passage; a moderator pins a thread and a post and
locks a thread with a reason; a moderator hides a post with a reason; the Moderationsprotokoll shows, filters and
exports it all. Every page passes axe-core and reflows at 320 pixels."""
from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_board, make_user
from tests.helpers import check_accessibility, heading, log_in, logged_in, sideways_overflow

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)

CLIENT_DATA = "Frau Kowalski, geb. 12.03.1985"
HIDDEN = "Dieser Beitrag wurde von der Moderation ausgeblendet."


def tab_to(page, target, limit: int = 150) -> None:
    """Press Tab until `target` has the keyboard focus (fails after `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{target} did not get the focus after {limit} presses of Tab")


def post_action(page, role: str, label: str, number: int):
    """A post's action by its visible label and the screen-reader suffix that names the post ("Melden: Beitrag 2")."""
    return page.locator(f"#beitrag-{number}").get_by_role(
        role, name=re.compile(rf"^{re.escape(label)}\W+Beitrag {number}$"))


def open_moderation(page, number: int) -> None:
    """Open the "Moderation" group at the end of a post's action bar (a disclosure, closed on every page load)."""
    page.locator(f"#beitrag-{number} summary.post__moderation-toggle").click()


def moderation_nav(page, label: str):
    """Main navigation → Moderation, then the moderation area's sub navigation."""
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Moderation").click()
    expect(heading(page)).to_have_text("Meldungen")
    if label != "Meldungen":
        page.locator(".sub-nav").get_by_role("link", name=label).click()
        expect(heading(page)).to_have_text(label)


def test_member_reports_client_data_by_keyboard_and_a_moderator_redacts_it(live_server, new_page):
    number = next(_numbers)
    title = f"Hausbesuche im Fallmanagement {number}"

    def seed():
        from forum.discussion import services

        board = make_board(title=f"Fallmanagement {number}")
        starter = make_user(display_name=f"Stefan Start {number}")
        author = make_user(display_name=f"Agnes Autorin {number}")
        quoter = make_user(display_name=f"Quirin Zitat {number}")
        reporter = make_user(display_name=f"Rita Meldung {number}")
        moderator = make_user(role="moderator", display_name=f"Maren Meldestelle {number}")
        first = services.open_thread(board, title, "Wie organisiert ihr die Hausbesuche?", author=starter)
        post = services.add_post(first.thread, f"Bei {CLIENT_DATA}, hat der Hausbesuch geholfen.", author=author)
        # An edit keeps the earlier text (with the data) as a revision; a reply quotes the data.
        services.edit_post(post, f"Bei {CLIENT_DATA}, hat der Hausbesuch viel gebracht.", editor=author, version=1)
        services.add_post(first.thread, f"**{author.display_name}** schrieb:\n> Bei {CLIENT_DATA}, hat der "
                                        "Hausbesuch viel gebracht.\n\nDas gehört so nicht ins Forum.", author=quoter)
        return first.thread_id, post.id, reporter.email, moderator.email, moderator.id

    thread_id, post_id, reporter_email, moderator_email, moderator_id = live_server.seed(seed)

    # The member reports post 2 with the keyboard only.
    member = logged_in(new_page, reporter_email)
    member.goto(f"/discussion/{thread_id}")
    expect(heading(member)).to_have_text(title)
    expect(member.locator("#beitrag-2")).to_contain_text("Frau Kowalski")
    check_accessibility(member)
    report_link = post_action(member, "link", "Melden", 2)
    tab_to(member, report_link)
    member.keyboard.press("Enter")
    expect(heading(member)).to_have_text("Beitrag melden")
    check_accessibility(member)
    client_data = member.get_by_role("radio", name="Sozialdaten (Daten von Leistungsberechtigten)")
    tab_to(member, client_data)
    member.keyboard.press("Space")
    expect(client_data).to_be_checked()
    member.keyboard.press("Tab")
    note = member.get_by_label("Hinweis für die Moderation")
    expect(note).to_be_focused()
    member.keyboard.type("Name und Geburtsdatum einer Kundin.")
    member.keyboard.press("Tab")
    expect(member.get_by_role("button", name="Beitrag melden")).to_be_focused()
    member.keyboard.press("Enter")

    expect(member.locator("main")).to_contain_text(
        "Danke. Der Beitrag ist bis zur Prüfung durch die Moderation ausgeblendet.")
    hidden_post = member.locator("#beitrag-2")
    expect(hidden_post).to_contain_text(HIDDEN)
    expect(hidden_post).to_contain_text("Grund: Sozialdaten (Daten von Leistungsberechtigten)")
    expect(hidden_post).not_to_contain_text("Kowalski")
    expect(post_action(member, "link", "Melden", 2)).to_have_count(0)
    check_accessibility(member)

    # The moderator finds the case in the queue and redacts the passage.
    moderator = logged_in(new_page, moderator_email)
    moderation_nav(moderator, "Meldungen")
    card = moderator.locator("li.kern-card", has_text=title)
    expect(card).to_contain_text("Beitrag ist ausgeblendet")
    expect(card).to_contain_text("Sozialdaten (Daten von Leistungsberechtigten) (1)")
    expect(card).to_contain_text("Name und Geburtsdatum einer Kundin.")
    check_accessibility(moderator)
    card.get_by_role("link", name=re.compile(r"^Fall bearbeiten")).click()
    expect(heading(moderator)).to_have_text("Meldungen zu Beitrag Nr. 2")
    reports = moderator.get_by_role("region", name="Meldungen")
    expect(reports).to_contain_text(f"Sozialdaten (Daten von Leistungsberechtigten) – Rita Meldung {number}")
    expect(reports).to_contain_text("Hinweis: Name und Geburtsdatum einer Kundin.")
    check_accessibility(moderator)
    moderator.get_by_role("link", name="Stelle schwärzen …").click()
    expect(heading(moderator)).to_have_text("Beitrag schwärzen")
    expect(moderator.locator(".guard-text__body mark")).to_have_text(["geb. 12.03.1985"])
    expect(moderator.get_by_label("Ersetzen durch")).to_have_value("[entfernt]")
    show_again = moderator.get_by_label("Beitrag danach wieder einblenden")
    expect(show_again).to_be_checked()  # hidden by the report only: shown again after the redaction by default
    check_accessibility(moderator)

    # A passage that is not in the post is refused; the form says why.
    moderator.get_by_label("Zu entfernende Stelle").fill("Herr Nirgendwo")
    moderator.get_by_role("button", name="Stelle entfernen").click()
    expect(moderator.locator(".error-summary")).to_contain_text("Diese Stelle kommt weder im Beitrag noch")
    check_accessibility(moderator)
    moderator.get_by_label("Zu entfernende Stelle").fill(CLIENT_DATA)
    moderator.get_by_label("Notiz zur Entscheidung").fill("Name und Geburtsdatum entfernt.")
    moderator.get_by_role("button", name="Stelle entfernen").click()
    expect(moderator.locator("main")).to_contain_text("Die Stelle wurde entfernt")
    expect(heading(moderator)).to_have_text(title)
    redacted = moderator.locator("#beitrag-2")
    expect(redacted).to_contain_text("Bei [entfernt], hat der Hausbesuch viel gebracht.")
    expect(redacted).to_contain_text("Die Moderation hat Teile dieses Beitrags entfernt (Datenschutz).")
    expect(redacted).not_to_contain_text("ausgeblendet")
    expect(moderator.locator("#beitrag-3 blockquote")).to_contain_text("Bei [entfernt], hat der Hausbesuch")
    check_accessibility(moderator)
    post_action(moderator, "link", "Frühere Fassungen", 2).click()
    expect(heading(moderator)).to_have_text("Frühere Fassungen eines Beitrags")
    expect(moderator.locator("main")).to_contain_text("Bei [entfernt], hat der Hausbesuch geholfen.")
    assert "12.03.1985" not in moderator.content() and "Kowalski" not in moderator.content()
    check_accessibility(moderator)
    moderation_nav(moderator, "Meldungen")
    expect(moderator.locator("li.kern-card", has_text=title)).to_have_count(0)  # the redaction closed the case
    check_accessibility(moderator)

    # The Moderationsprotokoll has the moderator's three steps, with the note, without the data.
    moderator.locator(".sub-nav").get_by_role("link", name="Moderationsprotokoll").click()
    moderator.get_by_label("Wer").select_option(str(moderator_id))  # by id: names may repeat across test files
    expect(moderator.get_by_label("Wer").locator("option:checked")).to_have_text(f"Maren Meldestelle {number}")
    moderator.get_by_role("button", name="Filtern").click()
    rows = moderator.get_by_role("table").locator("tbody tr")
    expect(rows.locator("td:nth-child(3)")).to_have_text(
        ["Beitrag wieder eingeblendet", "Meldung abgeschlossen", "Beitrag geschwärzt"])
    expect(rows.filter(has_text="Meldung abgeschlossen")).to_contain_text("Name und Geburtsdatum entfernt.")
    expect(rows.first.get_by_role("link", name=f"Nr. 2 in „{title}“")).to_be_visible()
    assert "12.03.1985" not in moderator.content() and "Kowalski" not in moderator.content()
    check_accessibility(moderator)

    # The member sees the post again, without the data anywhere in the page, and learns the outcome.
    member.goto(f"/discussion/{thread_id}")
    expect(member.locator("#beitrag-2")).to_contain_text("Bei [entfernt], hat der Hausbesuch viel gebracht.")
    expect(member.locator("#beitrag-2")).not_to_contain_text(HIDDEN)
    assert "12.03.1985" not in member.content() and "Kowalski" not in member.content()
    check_accessibility(member)
    member.get_by_role("link", name=re.compile(r"^Benachrichtigungen, 1 ungelesen")).click()
    expect(member.locator(".notification").first).to_contain_text(
        f"Ihre Meldung eines Beitrags in „{title}“ ist abgeschlossen. Ergebnis: Beitrag geschwärzt")
    check_accessibility(member)
    assert member.goto(f"/discussion/posts/{post_id}/revisions").status == 403  # revisions: author and moderation


def test_moderator_pins_a_thread_and_a_post_and_locks_the_thread_with_a_reason(live_server, new_page):
    number = next(_numbers)
    title = f"Netzwerktreffen Gesundheit {number}"
    other_title = f"Neuere Diskussion {number}"
    reason = "Die Fragen sind beantwortet; bitte weiter im Fachforum Gesundheit."

    def seed():
        from forum.clock import utcnow
        from forum.discussion import services

        board = make_board(title=f"Gesundheit {number}")
        member = make_user(display_name=f"Mia Mitglied {number}")
        moderator = make_user(role="moderator", display_name=f"Moritz Moderation {number}")
        first = services.open_thread(board, title, "Wer kommt zum Netzwerktreffen?", author=member)
        services.add_post(first.thread, "Wir kommen zu zweit.", author=make_user())
        summary = services.add_post(first.thread, "Zusammenfassung der Servicestelle: Termin ist der 12. Juni.",
                                    author=moderator)
        first.thread.last_activity_at = utcnow() - timedelta(days=2)  # older than the other thread
        services.open_thread(board, other_title, "Ganz neu hier.", author=make_user())
        return board.id, first.thread_id, summary.number, member.email, moderator.email

    board_id, thread_id, summary_number, member_email, moderator_email = live_server.seed(seed)

    member = logged_in(new_page, member_email)
    member.goto(f"/discussion/boards/{board_id}")
    expect(member.locator(".thread-list > li").first).to_contain_text(other_title)  # latest activity first
    check_accessibility(member)

    moderator = logged_in(new_page, moderator_email)
    moderator.goto(f"/discussion/{thread_id}")
    bar = moderator.get_by_role("region", name="Moderation dieser Diskussion")
    expect(bar.get_by_role("link", name="Umbenennen …")).to_be_visible()
    expect(bar.get_by_role("link", name="Verschieben …")).to_be_visible()
    check_accessibility(moderator)
    bar.get_by_role("button", name="Diskussion anheften").click()
    expect(moderator.locator("main")).to_contain_text("Die Diskussion ist oben in der Liste angeheftet.")
    expect(moderator.locator(".heading-row")).to_contain_text("angeheftet")
    expect(bar.get_by_role("button", name="Nicht mehr anheften")).to_be_visible()
    check_accessibility(moderator)

    open_moderation(moderator, summary_number)
    moderation = moderator.get_by_role("list", name=f"Moderation: Beitrag {summary_number}")
    expect(moderation.get_by_role("link", name=re.compile(r"^Ausblenden …"))).to_be_visible()
    expect(moderation.get_by_role("link", name=re.compile(r"^Schwärzen …"))).to_be_visible()
    post_action(moderator, "button", "Anheften", summary_number).click()
    expect(moderator.locator("main")).to_contain_text(f"Beitrag Nr. {summary_number} ist oben angeheftet.")
    pinned = moderator.get_by_role("region", name="Angeheftet")
    expect(pinned).to_contain_text("Zusammenfassung der Servicestelle: Termin ist der 12. Juni.")
    open_moderation(moderator, summary_number)
    expect(post_action(moderator, "button", "Nicht mehr anheften", summary_number)).to_be_visible()
    check_accessibility(moderator)

    # Closing needs a reason.
    bar.get_by_role("link", name="Schließen …").click()
    expect(heading(moderator)).to_have_text("Diskussion schließen")
    check_accessibility(moderator)
    moderator.get_by_role("button", name="Diskussion schließen").click()
    expect(moderator.locator(".error-summary")).to_contain_text("Bitte geben Sie eine Begründung an.")
    check_accessibility(moderator)
    moderator.get_by_label("Begründung").fill(reason)
    moderator.get_by_role("button", name="Diskussion schließen").click()
    expect(moderator.locator("main")).to_contain_text("Die Diskussion ist geschlossen.")
    notice = moderator.locator(".lock-notice")
    expect(notice).to_contain_text(re.compile(
        rf"Geschlossen von Moritz Moderation {number} am .+\. Begründung: {re.escape(reason)}"))
    expect(bar.get_by_role("button", name="Wieder öffnen")).to_be_visible()
    expect(moderator.get_by_label("Ihr Beitrag")).to_have_count(0)
    check_accessibility(moderator)

    # What the member sees: the summary on top, the lock notice, no reply form, no moderation.
    member.goto(f"/discussion/{thread_id}")
    expect(member.locator(".heading-row")).to_contain_text("angeheftet")
    expect(member.locator(".heading-row")).to_contain_text("geschlossen")
    expect(member.get_by_role("region", name="Angeheftet")).to_contain_text("Zusammenfassung der Servicestelle")
    expect(member.locator(f"#beitrag-{summary_number}")).to_contain_text("angeheftet")
    expect(member.locator(".lock-notice")).to_contain_text(
        re.compile(rf"Geschlossen von Moritz Moderation {number} am .+\. Begründung: {re.escape(reason)}"))
    expect(member.get_by_label("Ihr Beitrag")).to_have_count(0)
    expect(member.get_by_role("heading", name="Antworten")).to_have_count(0)
    expect(member.get_by_role("region", name="Moderation dieser Diskussion")).to_have_count(0)
    expect(member.locator(".post__moderation")).to_have_count(0)
    check_accessibility(member)

    member.goto(f"/discussion/boards/{board_id}")
    first_card = member.locator(".thread-list > li").first
    expect(first_card.get_by_role("heading")).to_have_text(title)
    expect(first_card).to_contain_text("angeheftet")
    expect(first_card).to_contain_text("geschlossen")
    expect(member.locator(".thread-list > li").nth(1)).to_contain_text(other_title)
    check_accessibility(member)


def test_moderationsprotokoll_shows_filters_and_exports_the_moderation(live_server, new_page):
    number = next(_numbers)
    title = f"Übergänge in Ausbildung {number}"
    moderator_name = f"Paula Protokoll {number}"
    lock_reason = f"Doppelte Diskussion {number}"

    def seed():
        from forum.discussion import services as discussion
        from forum.moderation import redaction, reports, services

        board = make_board(title=f"Ausbildung {number}")
        moderator = make_user(role="moderator", display_name=moderator_name)
        first = discussion.open_thread(board, title, "Wie klappt bei euch die Übergabe?", author=make_user())
        post = discussion.add_post(first.thread, f"{CLIENT_DATA} wurde übergeben.", author=make_user())
        reports.report_post(post, reporter=make_user(), reason="client_data")
        redaction.redact_post(post, CLIENT_DATA, actor=moderator, replacement="[entfernt]", show_again=True)
        services.pin_thread(first.thread, actor=moderator)
        services.pin_post(first, actor=moderator)
        services.lock_thread(first.thread, actor=moderator, reason=lock_reason)
        return moderator.email, moderator.id

    moderator_email, moderator_id = live_server.seed(seed)
    page = logged_in(new_page, moderator_email)
    moderation_nav(page, "Moderationsprotokoll")
    check_accessibility(page)

    filters = page.get_by_role("search", name="Protokoll filtern")
    filters.get_by_label("Wer").select_option(str(moderator_id))  # by id: names may repeat across test files
    expect(filters.get_by_label("Wer").locator("option:checked")).to_have_text(moderator_name)
    filters.get_by_role("button", name="Filtern").click()
    expect(page.get_by_role("status").filter(has_text="Einträge")).to_have_text("6 Einträge")
    table = page.get_by_role("table")
    expect(table.locator("tbody tr td:nth-child(3)")).to_have_text([
        "Diskussion geschlossen", "Beitrag angeheftet", "Diskussion angeheftet", "Beitrag wieder eingeblendet",
        "Meldung abgeschlossen", "Beitrag geschwärzt"])
    expect(table.locator("tbody tr").filter(has_text="Diskussion geschlossen")).to_contain_text(lock_reason)
    expect(table.get_by_role("link", name=f"Nr. 2 in „{title}“").first).to_be_visible()
    assert "12.03.1985" not in page.content()
    check_accessibility(page)

    filters.get_by_label("Aktion").select_option(label="Diskussion geschlossen")
    filters.get_by_role("button", name="Filtern").click()
    expect(page.get_by_role("status").filter(has_text="Eintrag")).to_have_text("1 Eintrag")
    assert "action=thread.lock" in page.url
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr")).to_contain_text(lock_reason)
    expect(filters.get_by_label("Aktion")).to_have_value("thread.lock")
    check_accessibility(page)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Als CSV exportieren").click()
    download = download_info.value
    assert download.suggested_filename == "moderationsprotokoll.csv"
    data = download.path().read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Zeitpunkt", "Wer", "Aktion"]
    assert [row[1:3] for row in rows[1:]] == [[moderator_name, "Diskussion geschlossen"]]
    assert lock_reason in rows[1]

    # The export is in the log itself.
    filters.get_by_label("Aktion").select_option(label="Protokoll exportiert")
    filters.get_by_role("button", name="Filtern").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr")).to_contain_text(moderator_name)
    check_accessibility(page)


def test_moderator_hides_a_post_the_author_still_reads_it_other_members_see_the_reason(live_server, new_page):
    number = next(_numbers)
    title = f"Terminvergabe im Eingangsbereich {number}"
    text = f"Das ist doch völliger Unsinn, Kollege {number}."
    notice = f"{HIDDEN} Grund: Beleidigung oder persönlicher Angriff – Bitte bleiben Sie sachlich."

    def seed():
        from forum.discussion import services

        board = make_board(title=f"Eingangszone {number}")
        starter = make_user(display_name=f"Sven Start {number}")
        author = make_user(display_name=f"Armin Autor {number}")
        reader = make_user(display_name=f"Lea Leserin {number}")
        moderator = make_user(role="moderator", display_name=f"Marta Moderation {number}")
        first = services.open_thread(board, title, "Wie steuert ihr die Wartezeiten?", author=starter)
        services.add_post(first.thread, text, author=author)
        return first.thread_id, author.email, reader.email, moderator.email

    thread_id, author_email, reader_email, moderator_email = live_server.seed(seed)

    moderator = logged_in(new_page, moderator_email)
    moderator.goto(f"/discussion/{thread_id}")
    check_accessibility(moderator)
    open_moderation(moderator, 2)
    post_action(moderator, "link", "Ausblenden …", 2).click()
    expect(heading(moderator)).to_have_text("Beitrag ausblenden")
    expect(moderator.locator(".post-preview")).to_contain_text(text)
    check_accessibility(moderator)
    moderator.get_by_label("Grund").select_option(label="Beleidigung oder persönlicher Angriff")
    moderator.get_by_label("Hinweis").fill("Bitte bleiben Sie sachlich.")
    moderator.get_by_role("button", name="Beitrag ausblenden").click()
    expect(moderator.locator("main")).to_contain_text(
        "Beitrag Nr. 2 ist ausgeblendet; die verfassende Person wurde benachrichtigt.")
    as_moderator = moderator.locator("#beitrag-2")
    expect(as_moderator).to_contain_text(text)
    expect(as_moderator).to_contain_text("Mitglieder sehen nur diesen Hinweis; Sie sehen den Text als Moderation.")
    expect(as_moderator.locator(".thread-badges")).to_contain_text("ausgeblendet")
    open_moderation(moderator, 2)
    expect(post_action(moderator, "button", "Wieder einblenden", 2)).to_be_visible()
    expect(post_action(moderator, "button", "Anheften", 2)).to_have_count(0)  # a hidden post is not pinned
    check_accessibility(moderator)

    author = logged_in(new_page, author_email)
    author.get_by_role("link", name=re.compile(r"^Benachrichtigungen, 1 ungelesen")).click()
    note = author.locator(".notification").first
    expect(note).to_contain_text(f"Die Moderation hat Ihren Beitrag in „{title}“ ausgeblendet. "
                                 "Grund: Beleidigung oder persönlicher Angriff")
    check_accessibility(author)
    note.get_by_role("link", name=title).click()
    own = author.locator("#beitrag-2")
    expect(own).to_contain_text(text)
    expect(own.locator(".thread-badges")).to_contain_text("ausgeblendet")
    expect(own).to_contain_text(notice)
    expect(own).to_contain_text("Nur Sie als verfassende Person und die Moderation sehen den Text noch.")
    check_accessibility(author)

    reader = logged_in(new_page, reader_email)
    reader.goto(f"/discussion/{thread_id}")
    other = reader.locator("#beitrag-2")
    expect(other).to_contain_text(notice)
    expect(other.locator(".thread-badges")).to_have_count(0)
    expect(post_action(reader, "link", "Zitieren", 2)).to_have_count(0)
    expect(post_action(reader, "link", "Melden", 2)).to_have_count(0)
    assert "völliger Unsinn" not in reader.content()
    check_accessibility(reader)


def test_moderation_pages_pass_axe_and_reflow_on_a_320_pixel_screen(live_server, page):
    """WCAG 1.4.10 on the moderation pages of an admin (who sees every button), with a long report note (the report
    form is a member's: the moderation acts instead of reporting)."""
    number = next(_numbers)

    def seed():
        from forum.discussion import services as discussion
        from forum.moderation import reports, services

        admin = make_user(role="admin", display_name=f"Alma Administration {number}")
        board = make_board(title=f"Organisation und Steuerung mit einem langen Namen {number}")
        first = discussion.open_thread(board, "Betreuungsschlüssel im Fallmanagement mit einem sehr langen Titel",
                                       "Eine Frage zum Betreuungsschlüssel.", author=make_user())
        reported = discussion.add_post(first.thread, f"{CLIENT_DATA}, BG-Nummer im Anhang.", author=make_user())
        reports.report_post(reported, reporter=make_user(), reason="client_data",
                            note="Hier steht eine sehr lange Erläuterung " + "ohne-Leerzeichen-" * 12)
        reports.report_post(reported, reporter=make_user(), reason="insult")
        pinned = discussion.add_post(first.thread, "Zusammenfassung: " + "https://www.arbeitsagentur.de/" + "a" * 120,
                                     author=admin)
        services.pin_post(pinned, actor=admin)
        hidden = discussion.add_post(first.thread, "Werbung für ein Seminar.", author=make_user())
        services.hide_post(hidden, actor=admin, reason="spam", note="Bitte keine Werbung.")
        services.pin_thread(first.thread, actor=admin)
        services.lock_thread(first.thread, actor=admin, reason="Erledigt, siehe Zusammenfassung.")
        second = discussion.open_thread(board, "Eine offene Diskussion", "Noch offen.", author=make_user())
        return admin.email, first.thread_id, reported.id, first.id, second.thread_id

    email, locked_id, reported_id, first_post_id, open_id = live_server.seed(seed)
    page.set_viewport_size({"width": 320, "height": 720})
    page.goto("/accounts/login")
    log_in(page, email, PASSWORD)
    for path in (f"/discussion/{locked_id}", "/moderation/reports", f"/moderation/reports/posts/{reported_id}",
                 f"/moderation/posts/{first_post_id}/hide",
                 f"/moderation/posts/{reported_id}/redact", f"/moderation/threads/{open_id}/lock",
                 f"/moderation/threads/{open_id}/move", f"/moderation/threads/{open_id}/rename",
                 "/moderation/log", "/moderation/users", "/moderation/registrations"):
        response = page.goto(path)
        assert response.status == 200, path
        overflow = sideways_overflow(page)
        assert not overflow, f"{path} scrolls sideways at 320 px because of: {overflow}"
        check_accessibility(page)


def test_moderator_redacts_a_thread_title_and_an_idea_and_a_hidden_post_is_not_readable_in_its_quote(
        live_server, new_page):
    number = next(_numbers)
    title = f"Fall Kowalski {number} – wie weiter?"

    def seed():
        from forum.discussion import services
        from forum.discussion.quotes import quote
        from tests.factories import make_idea

        board = make_board(title=f"Fallarbeit {number}")
        member = make_user(display_name=f"Mona Mitglied {number}")
        moderator = make_user(role="moderator", display_name=f"Moritz Moderation {number}")
        first = services.open_thread(board, title, f"Unter uns: {CLIENT_DATA} hat abgesagt.", author=make_user())
        services.add_post(first.thread, quote(first) + "Danke für den Hinweis.", author=make_user())
        idea = make_idea(title=f"Lotsendienst {number}", summary=f"Erprobt mit {CLIENT_DATA}.")
        return first.thread_id, first.number, idea.id, member.email, moderator.email

    thread_id, first_number, idea_id, member_email, moderator_email = live_server.seed(seed)
    moderator = logged_in(new_page, moderator_email)
    moderator.goto(f"/discussion/{thread_id}")
    open_moderation(moderator, first_number)
    post_action(moderator, "link", "Ausblenden …", first_number).click()
    moderator.get_by_label("Grund").select_option("client_data")
    moderator.get_by_role("button", name="Beitrag ausblenden").click()
    expect(moderator.locator("main")).to_contain_text("ist ausgeblendet")

    # Members see neither the hidden post nor its text in the quote of it.
    member = logged_in(new_page, member_email)
    member.goto(f"/discussion/{thread_id}")
    expect(member.locator("#beitrag-2 blockquote")).to_have_text("Zitat aus einem ausgeblendeten Beitrag")
    expect(member.locator("#beitrag-2")).to_contain_text("Danke für den Hinweis.")
    assert "12.03.1985" not in member.content()
    check_accessibility(member)

    # The title: from the thread's moderation bar, in one action.
    moderator.goto(f"/discussion/{thread_id}")
    moderator.locator(".moderation-bar").get_by_role("link", name="Titel schwärzen …").click()
    expect(heading(moderator)).to_have_text("Titel der Diskussion schwärzen")
    check_accessibility(moderator)
    moderator.get_by_label("Zu entfernende Stelle").fill("Kowalski")
    moderator.get_by_label("Ersetzen durch").fill("K.")
    moderator.get_by_role("button", name="Stelle entfernen").click()
    expect(moderator.locator("main")).to_contain_text("Die Stelle wurde aus dem Titel entfernt")
    expect(heading(moderator)).to_have_text(f"Fall K. {number} – wie weiter?")
    check_accessibility(moderator)

    # The idea: from the idea page; the guard marks what it found.
    moderator.goto(f"/ideas/{idea_id}")
    moderator.get_by_role("link", name="Schwärzen …").click()
    expect(heading(moderator)).to_have_text("Ansatz schwärzen")
    expect(moderator.locator(".guard-text__body mark")).to_have_text(["geb. 12.03.1985", "0231 123456"])
    check_accessibility(moderator)
    moderator.get_by_label("Zu entfernende Stelle").fill(CLIENT_DATA)
    moderator.get_by_role("button", name="Stelle entfernen").click()
    expect(moderator.locator("main")).to_contain_text("Die Stelle wurde aus dem Ansatz entfernt")
    expect(moderator.locator("main")).to_contain_text("Erprobt mit [entfernt].")
    assert "12.03.1985" not in moderator.content()
    check_accessibility(moderator)
    moderator.set_viewport_size({"width": 320, "height": 640})
    moderator.goto(f"/moderation/ideas/{idea_id}/redact")
    assert sideways_overflow(moderator) == []
