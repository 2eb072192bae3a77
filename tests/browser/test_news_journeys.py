"""Neu seit Ihrem letzten Besuch in real Chromium, by keyboard only: from the main navigation to the page, the
thread's link to its first unread post, the page in English, and "Alles als gelesen markieren"; every page
passes axe-core."""
from __future__ import annotations

import pytest
from babel.support import Translations
from playwright.sync_api import expect

from tests.factories import make_event, make_idea, make_post, make_thread, make_user
from tests.helpers import ROOT, check_accessibility, heading, logged_in

pytestmark = pytest.mark.browser


def english(message: str) -> str:
    """What the app shows for a German message in English: the compiled catalogue's entry, else the message."""
    return Translations.load(str(ROOT / "forum" / "translations"), ["en"]).gettext(message)


def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element reads `name` (fails when it is never reached)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if " ".join(page.evaluate("() => document.activeElement.innerText || ''").split()) == name:
            return
    pytest.fail(f"{name!r} is not reachable with the Tab key")


def test_member_reads_what_is_new_by_keyboard_in_german_and_english_and_marks_it_all_read(live_server, new_page):
    def seed():
        member, colleague = make_user(display_name="Nora Neu"), make_user(display_name="Karl Kollege")
        thread = make_thread(title="Sprechstunde der Krankenkasse")
        make_post(thread=thread, author=colleague)
        make_post(thread=thread, author=member)
        make_post(thread=thread, author=colleague)
        make_idea(title="Gesundheitslotsen im Jobcenter")
        make_event(title="Regionalkonferenz Netzwerke")
        return member.email, thread.id

    email, thread_id = live_server.seed(seed)
    page = logged_in(new_page, email)
    expect(page.get_by_role("heading", name="Neu seit Ihrem letzten Besuch")).to_be_visible()
    check_accessibility(page)

    tab_to(page, "Neu für Sie")
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Neu seit Ihrem letzten Besuch")
    main = page.locator("main")
    # The live server's database also holds what earlier journeys wrote: look at this thread's entry.
    entry = main.locator("li").filter(has=page.get_by_role("link", name="Sprechstunde der Krankenkasse"))
    expect(entry).to_contain_text("2 ungelesen")
    expect(main).to_contain_text("Gesundheitslotsen im Jobcenter")
    expect(main).to_contain_text("Regionalkonferenz Netzwerke")
    expect(page.get_by_role("link", name="Sprechstunde der Krankenkasse")).to_have_attribute(
        "href", f"/discussion/{thread_id}#beitrag-1")
    check_accessibility(page)

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading(page)).to_have_text(english("Neu seit Ihrem letzten Besuch"))
    expect(page.get_by_role("button", name=english("Alles als gelesen markieren"))).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")

    tab_to(page, "Alles als gelesen markieren")
    page.keyboard.press("Enter")
    expect(main).to_contain_text("Alles ist als gelesen markiert.")
    expect(main).to_contain_text("Seit Ihrem letzten Besuch gibt es nichts Neues.")
    expect(page.get_by_role("button", name="Alles als gelesen markieren")).to_have_count(0)
    check_accessibility(page)

    page.goto("/")
    expect(main).to_contain_text("Seit Ihrem letzten Besuch gibt es nichts Neues.")
    check_accessibility(page)
