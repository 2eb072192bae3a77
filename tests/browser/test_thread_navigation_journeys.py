"""Getting around a long thread in real Chromium: from the skip link to the reply form on the last page in a few key
presses, page numbers above and below the posts, the author's profile; axe-core on a multi-page thread page and on
the profile, and no sideways scrolling at 320 pixels."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_idea, make_post, make_thread, make_user
from tests.helpers import check_accessibility, heading, logged_in, sideways_overflow

pytestmark = pytest.mark.browser


def test_keyboard_reaches_the_reply_form_of_a_long_thread_and_the_author_profile_passes_axe(live_server, new_page):
    def seed():
        thread = make_thread(title="Lange Diskussion über Netzwerkarbeit")
        author = make_user(display_name="Nora Navigation", function="Teamleitung Markt und Integration")
        for number in range(1, 61):
            make_post(thread=thread, author=author, body=f"Beitrag Nummer {number}")
        make_idea(author=author, title="Netzwerkkarte für die Region")
        return thread.id, author.id, make_user().email

    thread_id, author_id, email = live_server.seed(seed)
    page = logged_in(new_page, email)
    page.goto(f"/discussion/{thread_id}")
    check_accessibility(page)
    top = page.get_by_role("navigation", name="Seiten der Diskussion (oben)")
    bottom = page.get_by_role("navigation", name="Seiten der Diskussion (unten)")
    for nav in (top, bottom):
        expect(nav.get_by_role("link", name="Seite 1", exact=True)).to_have_attribute("aria-current", "page")
        expect(nav.get_by_role("link", name="Seite 3", exact=True)).to_be_visible()

    # Skip link, then the first stop in the content is "Antworten", which opens the last page at the form.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Zum Inhalt springen")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator(".thread-nav").get_by_role("link", name="Antworten", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/discussion/{thread_id}\?page=3#antworten$"))
    page.keyboard.press("Tab")  # the text formatting toolbar (one stop) comes first, then the text field
    expect(page.get_by_role("toolbar", name="Textformatierung").get_by_role("button", name="Fett")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Ihr Beitrag")).to_be_focused()
    expect(top.get_by_role("link", name="Seite 3", exact=True)).to_have_attribute("aria-current", "page")
    check_accessibility(page)

    page.locator("#beitrag-60").get_by_role("link", name="Nora Navigation").click()
    assert page.url.endswith(f"/organisations/members/{author_id}")
    expect(heading(page)).to_have_text("Nora Navigation")
    expect(page.locator("main")).to_contain_text("Teamleitung Markt und Integration")
    expect(page.get_by_role("link", name="Netzwerkkarte für die Region")).to_be_visible()
    check_accessibility(page)

    page.set_viewport_size({"width": 320, "height": 720})
    for path in (f"/discussion/{thread_id}?page=2", f"/organisations/members/{author_id}"):
        page.goto(path)
        overflow = sideways_overflow(page)
        assert not overflow, f"{path} scrolls sideways at 320 px because of: {overflow}"
        check_accessibility(page)
