"""Notification journeys in real Chromium: follow an event, receive a notification (bell, list, e-mail), mark it
read, and switch e-mail off from the link in the mail without logging in; every page passes axe-core."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_event, make_user
from tests.helpers import check_accessibility, heading, log_in, sideways_overflow

pytestmark = pytest.mark.browser


def test_member_follows_an_event_is_notified_of_a_reply_and_unsubscribes_from_the_mail(live_server, new_page):
    def seed():
        follower = make_user(display_name="Nora Neumann")
        author = make_user(display_name="Anton Autor")
        event = make_event(title="Werkstattgespräch Netzwerke")
        return follower.email, author.id, event.id

    follower_email, author_id, event_id = live_server.seed(seed)
    page = new_page()
    page.goto("/accounts/login")
    log_in(page, follower_email, PASSWORD)
    page.goto(f"/events/{event_id}")
    page.get_by_role("button", name="Dieser Veranstaltung folgen").click()
    expect(page.locator("main")).to_contain_text("Sie folgen jetzt „Werkstattgespräch Netzwerke“")
    expect(page.get_by_role("button", name="Nicht mehr folgen")).to_be_visible()
    check_accessibility(page)

    def reply():
        from forum.accounts.models import User
        from forum.discussion.services import add_post
        from forum.events.models import Event
        from forum.extensions import db

        event = db.session.get(Event, event_id)
        return add_post(event.main_thread, "Bei uns hilft eine feste Sprechstunde.",
                        author=db.session.get(User, author_id)).id

    post_id = live_server.seed(reply)
    page.goto("/")
    bell = page.get_by_role("link", name="Benachrichtigungen, 1 ungelesen")
    expect(bell).to_be_visible()
    check_accessibility(page)
    bell.click()
    expect(heading(page)).to_have_text("Benachrichtigungen")
    item = page.locator(".notification").first
    expect(item).to_contain_text("Anton Autor hat in „Werkstattgespräch Netzwerke“ geantwortet.")
    expect(item).to_contain_text("Ungelesen")
    expect(item.get_by_role("link", name="Werkstattgespräch Netzwerke")).to_have_attribute(
        "href", f"/discussion/posts/{post_id}")
    check_accessibility(page)
    page.set_viewport_size({"width": 320, "height": 700})
    assert sideways_overflow(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})

    item.get_by_role("button", name="Als gelesen markieren").click()
    expect(page.locator(".notification").first).not_to_contain_text("Ungelesen")
    expect(page.get_by_role("link", name="Benachrichtigungen", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Alle Benachrichtigungen sind gelesen.")
    check_accessibility(page)

    subject, unsubscribe_url = live_server.link_in_newest_mail(follower_email, "/notifications/unsubscribe/")
    assert subject == "Neue Antwort in „Werkstattgespräch Netzwerke“"
    stranger = new_page()  # a browser without the session: the link works without login
    stranger.goto(unsubscribe_url)
    expect(heading(stranger)).to_have_text("Benachrichtigungen per E-Mail abbestellen")
    check_accessibility(stranger)
    stranger.get_by_role("button", name="Keine Benachrichtigungen mehr per E-Mail").click()
    expect(stranger.locator("main")).to_contain_text("Sie erhalten keine Benachrichtigungen mehr per E-Mail.")
    check_accessibility(stranger)

    page.goto("/accounts/profile")
    expect(page.get_by_label("Benachrichtigungen per E-Mail")).to_have_value("never")
    check_accessibility(page)


def test_a_broken_unsubscribe_link_gets_a_german_page(live_server, page):
    response = page.goto("/notifications/unsubscribe/kaputt")
    assert response.status == 400
    expect(heading(page)).to_have_text("Abmeldelink ungültig")
    check_accessibility(page)
    assert re.search(r"/notifications/unsubscribe/kaputt$", page.url)
