"""The markdown editor in real Chromium (static/js/editor.js): the toolbar by keyboard, the draft kept in the
browser, @mention suggestions chosen by keyboard; axe-core on the forms with everything open."""
from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from forum.ideas.terms import ensure_reference_terms
from tests.factories import make_board, make_thread, make_user
from tests.helpers import check_accessibility, heading, logged_in

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)


def _member_and_board():
    number = next(_numbers)
    member = make_user(display_name=f"Berta Browser {number}")
    board = make_board(title=f"Fachforum Editor {number}")
    return number, member.email, board.id


def test_the_toolbar_by_keyboard_makes_the_selection_bold_and_focus_returns_to_the_text(live_server, new_page):
    number, email, board_id = live_server.seed(_member_and_board)
    page = logged_in(new_page, email)
    page.goto(f"/discussion/boards/{board_id}/new")
    page.get_by_label("Titel", exact=True).fill(f"Fett gedruckt {number}")
    body = page.get_by_label("Erster Beitrag")
    toolbar = page.get_by_role("toolbar", name="Textformatierung")
    expect(toolbar.get_by_role("button")).to_have_text(["Fett", "Kursiv", "Liste", "Link", "Zitat"])
    check_accessibility(page)

    body.fill("Das ist wichtig")
    body.press("End")
    for _ in range(len("wichtig")):
        body.press("Shift+ArrowLeft")
    body.press("Shift+Tab")  # the toolbar comes before the text: one tab stop, on "Fett"
    expect(toolbar.get_by_role("button", name="Fett")).to_be_focused()
    page.keyboard.press("Enter")
    expect(body).to_have_value("Das ist **wichtig**")
    expect(body).to_be_focused()

    body.press("End")
    body.press("Shift+Tab")
    page.keyboard.press("ArrowRight")  # arrow keys move within the toolbar
    expect(toolbar.get_by_role("button", name="Kursiv")).to_be_focused()
    page.keyboard.press("Space")  # no selection: the marks, with the cursor between them
    page.keyboard.type("auch")
    expect(body).to_have_value("Das ist **wichtig***auch*")
    body.fill("Das ist wichtig")
    body.press("Control+a")
    body.press("Shift+Tab")
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="Zitat")).to_be_focused()
    page.keyboard.press("Enter")
    expect(body).to_have_value("> Das ist wichtig")

    body.fill("Das ist wichtig")
    body.press("Control+a")
    body.press("Shift+Tab")
    page.keyboard.press("Home")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Diskussion eröffnen").click()
    expect(heading(page)).to_have_text(f"Fett gedruckt {number}")
    expect(page.locator("strong", has_text="Das ist wichtig")).to_be_visible()


def test_the_draft_comes_back_after_a_reload_and_is_gone_after_sending(live_server, new_page):
    def seed():
        member = make_user(display_name=f"Dora Draft {next(_numbers)}")
        return member.email, make_thread().id

    email, thread_id = live_server.seed(seed)
    page = logged_in(new_page, email)
    page.goto(f"/discussion/{thread_id}/reply")
    body = page.get_by_label("Ihr Beitrag")
    body.fill("Ein langer Gedanke, noch nicht fertig")
    page.reload()
    expect(body).to_have_value("Ein langer Gedanke, noch nicht fertig")
    expect(page.get_by_role("status").filter(has_text="Entwurf wiederhergestellt")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("button", name="Vorschau").click()  # the text comes back from the server: draft kept
    expect(body).to_have_value("Ein langer Gedanke, noch nicht fertig")
    page.get_by_role("button", name="Beitrag veröffentlichen").click()
    expect(page.get_by_text("Ihr Beitrag wurde veröffentlicht.")).to_be_visible()
    # the page after sending forgets the draft once its script has run (on a loaded machine, after the message)
    page.wait_for_function("() => !Object.keys(localStorage).some(key => key.startsWith('abc-draft:'))")
    page.goto(f"/discussion/{thread_id}/reply")
    expect(page.get_by_label("Ihr Beitrag")).to_have_value("")


def test_a_mention_is_suggested_while_typing_and_chosen_by_keyboard(live_server, new_page):
    def seed():
        number = next(_numbers)
        writer = make_user(display_name=f"Mia Mention {number}")
        make_user(display_name=f"Walburga Quellenberg{number}")
        make_user(display_name=f"Walter Quellmann{number}")
        make_user(display_name=f"Wally Gesperrt{number}", status="suspended")
        return number, writer.email, make_thread().id

    number, email, thread_id = live_server.seed(seed)
    page = logged_in(new_page, email)
    page.goto(f"/discussion/{thread_id}/reply")
    body = page.get_by_label("Ihr Beitrag")
    body.press_sequentially("Hallo @Wal")
    options = page.get_by_role("listbox", name="Personen erwähnen").get_by_role("option")
    expect(options).to_have_text([f"Walburga Quellenberg{number}", f"Walter Quellmann{number}"])
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(body).to_have_attribute("aria-activedescendant", "body-mentions-0")
    check_accessibility(page)
    body.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    body.press("Enter")
    expect(body).to_have_value(f"Hallo @Walter Quellmann{number} ")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(body).to_be_focused()

    body.press_sequentially("und @Walb")
    expect(options).to_have_count(1)
    body.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    body.press("Enter")  # with the list closed, Enter is a new line again
    expect(body).to_have_value(f"Hallo @Walter Quellmann{number} und @Walb\n")
    body.fill(f"Hallo @Walter Quellmann{number}, bitte lesen.")
    page.get_by_role("button", name="Beitrag veröffentlichen").click()
    expect(page.get_by_role("link", name=f"@Walter Quellmann{number}")).to_be_visible()


def test_the_idea_form_with_its_sections_toolbars_and_a_restored_draft_passes_axe(live_server, new_page):
    def seed():
        ensure_reference_terms()
        return make_user(display_name=f"Ida Ideen {next(_numbers)}").email

    page = logged_in(new_page, live_server.seed(seed))
    page.goto("/ideas/new")
    expect(page.get_by_role("toolbar")).to_have_count(5)
    page.get_by_label("Ziel", exact=True).fill("Gesundheit wird Thema der Beratung.")
    page.reload()
    expect(page.get_by_label("Ziel", exact=True)).to_have_value("Gesundheit wird Thema der Beratung.")
    expect(page.get_by_text("Entwurf wiederhergestellt")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Einreichen").click()  # Ausgangslage missing: the form comes back
    expect(page.get_by_role("alert")).to_contain_text("Bitte beschreiben Sie die Ausgangslage.")
    expect(page.get_by_label("Ziel", exact=True)).to_have_value("Gesundheit wird Thema der Beratung.")
    check_accessibility(page)

    page.set_viewport_size({"width": 320, "height": 720})  # WCAG 1.4.10: the toolbars wrap
    sticking_out = page.evaluate("""() => [...document.querySelectorAll('.markdown-field *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(e => e.outerHTML.slice(0, 120))""")
    assert sticking_out == []
