"""The header at 320 px (WCAG 1.4.10): the tools and the main navigation sit behind one "Menü" button (a
<details>, so it works without JavaScript), the page title starts high; on a wide screen everything shows as before."""
from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_user
from tests.helpers import check_accessibility, heading, log_in, logged_in, sideways_overflow

_numbers = itertools.count(1)


def top_of_title(page) -> float:
    return page.evaluate("() => document.querySelector('main h1').getBoundingClientRect().top")


@pytest.mark.parametrize("javascript", [True, False])
def test_at_320_pixels_the_menu_is_one_button_opened_by_keyboard(browser, new_page, live_server, javascript):
    email = live_server.seed(lambda: make_user(email=f"menu{next(_numbers)}-{int(javascript)}@jobcenter.example").email)
    context = None
    if javascript:
        page = new_page()  # watched for JS errors and CSP violations
        page.set_viewport_size({"width": 320, "height": 640})
    else:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640},
                                      java_script_enabled=False)
        context.set_default_timeout(10_000)
        page = context.new_page()
    try:
        page.goto("/accounts/login")
        log_in(page, email, PASSWORD)
        expect(heading(page)).to_contain_text("Willkommen")
        page.goto("/events/")
        expect(heading(page)).to_have_text("Dialogveranstaltungen")
        navigation = page.get_by_role("navigation", name="Hauptnavigation")
        toggle = page.locator("summary.site-menu__toggle")
        expect(toggle).to_be_visible()
        expect(navigation).to_be_hidden()
        expect(page.get_by_role("button", name="Abmelden")).to_be_hidden()
        assert top_of_title(page) < 200, "the page title should start high on a 320 px screen"
        assert not sideways_overflow(page)
        if javascript:
            check_accessibility(page)

        toggle.focus()
        page.keyboard.press("Enter")
        expect(navigation).to_be_visible()
        expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
        page.keyboard.press("Tab")  # from the button into the menu: the search field first
        assert page.evaluate("() => document.activeElement.id") == "header-search"
        assert not sideways_overflow(page)
        if javascript:
            check_accessibility(page)
        navigation.get_by_role("link", name="Ideenbörse").click()
        expect(heading(page)).to_have_text("Ideenbörse")
        expect(navigation).to_be_hidden()  # a new page starts with the menu closed
    finally:
        if context is not None:
            context.close()


def test_on_a_wide_screen_the_menu_shows_without_its_button(new_page, live_server):
    email = live_server.seed(lambda: make_user(email=f"menu-wide{next(_numbers)}@jobcenter.example").email)
    page = logged_in(new_page, email)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/events/")
    expect(page.locator("summary.site-menu__toggle")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Fachforen")).to_be_visible()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    expect(page.get_by_role("search", name="Extranet durchsuchen")).to_be_visible()
