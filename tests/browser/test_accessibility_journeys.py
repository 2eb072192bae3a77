"""Accessibility journeys of issue 13 in real Chromium: the skip link is fully visible when focused, the focused
vote button stays in view, and a barrier is reported from the footer (every page checked with axe-core)."""
from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from tests.factories import make_idea, make_user
from tests.helpers import check_accessibility, heading, logged_in

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)

# The focus outline is drawn outside the element: 4 px with 2 px offset in KERN.
OUTLINE = 6


def fully_in_view(page, locator) -> bool:
    """The element and its focus outline lie inside the viewport."""
    box = locator.bounding_box()
    size = page.viewport_size
    return (box is not None and box["x"] >= OUTLINE and box["y"] >= OUTLINE
            and box["x"] + box["width"] + OUTLINE <= size["width"]
            and box["y"] + box["height"] + OUTLINE <= size["height"])


def tab_to(page, locator, limit: int = 120) -> None:
    """Press Tab until the locator has the focus, as a keyboard user gets there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError("not reached with the keyboard")


@pytest.mark.parametrize("width", [1280, 320])
def test_the_skip_link_is_fully_visible_when_focused_and_jumps_to_the_content(page, width):
    page.set_viewport_size({"width": width, "height": 640})
    page.goto("/pages/impressum")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    page.wait_for_timeout(50)
    assert fully_in_view(page, skip), skip.bounding_box()
    page.keyboard.press("Enter")
    expect(page.locator("#inhalt")).to_be_focused()


@pytest.mark.parametrize("width", [1280, 320])
def test_the_focused_vote_button_stays_in_view_before_and_after_voting(live_server, new_page, width):
    number = next(_numbers)

    def seed():
        voter = make_user(display_name=f"Vera Tastatur {number}")
        description = "\n\n".join(f"Absatz {line} über die Zusammenarbeit mit der Krankenkasse." for line in range(40))
        idea = make_idea(title=f"Langer Ansatz {number}", description=description)
        return voter.email, idea.id

    email, idea_id = live_server.seed(seed)
    page = logged_in(new_page, email)
    page.set_viewport_size({"width": width, "height": 600})
    page.goto(f"/ideas/{idea_id}")
    button = page.get_by_role("button", name="Für diesen Ansatz stimmen")
    tab_to(page, button)
    page.wait_for_timeout(600)  # longer than a smooth scroll takes
    assert fully_in_view(page, button), (button.bounding_box(), page.evaluate("window.scrollY"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Ihre Stimme wurde gezählt.", exact=False)).to_be_visible()
    withdraw = page.get_by_role("button", name="Stimme zurückziehen")
    expect(withdraw).to_be_focused()
    page.wait_for_timeout(600)
    assert fully_in_view(page, withdraw)


def test_a_barrier_is_reported_from_the_footer_without_login_and_the_admin_sets_its_status(live_server, new_page):
    number = next(_numbers)
    admin_email = live_server.seed(lambda: make_user(role="admin", display_name=f"Ada Admin {number}").email)
    page = new_page()
    page.goto("/accounts/login")
    page.get_by_role("navigation", name="Rechtliches").get_by_role("link", name="Barriere melden").click()
    expect(heading(page)).to_have_text("Barriere melden")
    expect(page.get_by_label("Betroffene Seite (Adresse)", exact=False)).to_have_value("/accounts/login")
    check_accessibility(page)
    page.get_by_role("button", name="Meldung senden").click()
    expect(page.get_by_role("alert")).to_contain_text("Bitte beschreiben Sie die Barriere.")
    check_accessibility(page)
    page.get_by_label("Beschreibung der Barriere").fill(f"Anmeldeseite {number}: Fehlermeldung wird nicht vorgelesen")
    page.get_by_label("E-Mail-Adresse", exact=False).fill(f"kim{number}@example.org")
    page.get_by_role("button", name="Meldung senden").click()
    expect(heading(page)).to_have_text("Vielen Dank für Ihre Meldung")
    expect(page.get_by_role("status").first).to_contain_text(f"kim{number}@example.org")
    check_accessibility(page)

    admin = logged_in(new_page, admin_email)
    admin.goto("/feedback/manage?status=new")
    expect(heading(admin)).to_have_text("Barrieremeldungen")
    check_accessibility(admin)
    item = admin.get_by_role("listitem").filter(has_text=f"Anmeldeseite {number}")
    item.get_by_label("Status").select_option(label="erledigt")
    item.get_by_role("button", name="Status ändern").click()
    expect(admin.get_by_role("status").first).to_contain_text("Der Status ist jetzt „erledigt“.")
