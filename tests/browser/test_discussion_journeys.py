"""Discussion journeys in real Chromium with real CSRF tokens: start a thread in a Fachforum, preview, reply with
a quote, trigger and override the client-data warning, follow a permalink to page 3; every page passes axe-core
and reflows at 320 pixels."""
from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_board, make_post, make_thread, make_user
from tests.helpers import check_accessibility, heading, log_in, logged_in, sideways_overflow

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)


def test_member_starts_a_thread_with_preview_and_another_member_replies_with_a_quote(live_server, new_page):
    number = next(_numbers)

    def seed():
        board = make_board(title=f"Gesundheitsorientierung {number}")
        starter = make_user(display_name=f"Sabine Starter {number}")
        replier = make_user(display_name=f"Rudi Antwort {number}")
        return board.id, starter.email, replier.email

    board_id, starter_email, replier_email = live_server.seed(seed)
    title = f"Erfahrungen mit Gesundheitscoaching {number}"

    page = logged_in(new_page, starter_email)
    page.goto("/discussion/")
    expect(heading(page)).to_have_text("Fachforen")
    check_accessibility(page)
    page.get_by_role("link", name=f"Gesundheitsorientierung {number}").click()
    check_accessibility(page)
    page.get_by_role("link", name="Neue Diskussion").click()
    check_accessibility(page)

    # An empty text: the error summary gets focus, the title stays.
    page.get_by_label("Titel", exact=True).fill(title)
    page.get_by_role("button", name="Diskussion eröffnen").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Bitte schreiben Sie einen Text.")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Titel", exact=True)).to_have_value(title)

    page.get_by_label("Erster Beitrag").fill("Wer hat **Erfahrungen** damit?\n\n- Krankenkasse\n- Sportverein")
    page.get_by_role("button", name="Vorschau").click()
    preview = page.locator("#vorschau")
    expect(preview.locator("strong")).to_have_text("Erfahrungen")
    expect(preview.locator("li")).to_have_count(2)
    expect(page.get_by_label("Erster Beitrag")).to_have_value(re.compile(r"^Wer hat \*\*Erfahrungen\*\*"))
    check_accessibility(page)
    page.get_by_role("button", name="Diskussion eröffnen").click()
    expect(heading(page)).to_have_text(title)
    expect(page.locator("main")).to_contain_text("wurde eröffnet")
    check_accessibility(page)
    thread_path = page.url.removeprefix(live_server.url).split("#")[0]

    other = logged_in(new_page, replier_email)
    other.goto(thread_path)
    other.get_by_role("link", name=re.compile(r"^Zitieren\W+Beitrag 1$")).click()
    expect(heading(other)).to_have_text(f"Antworten: {title}")
    body = other.get_by_label("Ihr Beitrag")
    expect(body).to_have_value(re.compile(rf"^> \[\*\*Sabine Starter {number}\*\*:\]\(/discussion/posts/\d+\)\n"
                                          r"> Wer hat"))
    check_accessibility(other)
    body.press("End")
    body.fill(body.input_value() + "Wir arbeiten mit der AOK zusammen.")
    other.get_by_role("button", name="Beitrag veröffentlichen").click()
    expect(other.locator("main")).to_contain_text("Ihr Beitrag wurde veröffentlicht.")
    reply = other.locator("#beitrag-2")
    expect(reply.locator("blockquote")).to_contain_text("Wer hat Erfahrungen damit?")
    expect(reply.locator("blockquote").get_by_role("link", name=f"Sabine Starter {number}:")).to_be_visible()
    expect(reply).to_contain_text("Wir arbeiten mit der AOK zusammen.")
    assert other.url.endswith("#beitrag-2")
    check_accessibility(other)


def test_client_data_warning_highlights_the_matches_and_can_be_overridden(live_server, new_page):
    def seed():
        thread = make_thread(title="Kontakt zur Servicestelle")
        return thread.id, make_user().email

    thread_id, email = live_server.seed(seed)
    page = logged_in(new_page, email)
    page.goto(f"/discussion/{thread_id}")
    text = ("Die Servicestelle erreichen Sie unter 030 18527-0, mich mobil unter 0171 2345678. "
            "Frau K. ist geb. 12.03.1985 und schwanger.")
    page.get_by_label("Ihr Beitrag").fill(text)
    page.get_by_role("button", name="Beitrag veröffentlichen").click()
    warning = page.locator(".guard-warning")
    expect(warning).to_contain_text("Enthält Ihr Text Daten von Leistungsberechtigten?")
    expect(warning).to_contain_text("Telefonnummer, Geburtsdatum, Gesundheitsangabe zu einer Person")
    expect(warning).to_be_focused()
    expect(page.locator("mark")).to_have_text(["0171 2345678", "geb. 12.03.1985", "schwanger"])  # not the office's
    expect(page.get_by_label("Ihr Beitrag")).to_have_value(text)
    check_accessibility(page)

    # Editing the client out still leaves the writer's own mobile number: confirm it.
    page.get_by_label("Ihr Beitrag").fill("Die Servicestelle erreichen Sie unter 030 18527-0, mich mobil unter "
                                          "0171 2345678.")
    page.get_by_role("button", name="Beitrag veröffentlichen").click()
    expect(page.locator("mark")).to_have_text(["0171 2345678"])
    page.get_by_label("Ich bestätige, dass der Text keine Daten von Leistungsberechtigten enthält.").check()
    page.get_by_role("button", name="Beitrag veröffentlichen").click()
    expect(page.locator("main")).to_contain_text("Ihr Beitrag wurde veröffentlicht.")
    expect(page.locator("#beitrag-1")).to_contain_text("0171 2345678")
    check_accessibility(page)


def test_permalink_opens_page_3_at_the_post(live_server, new_page):
    def seed():
        thread = make_thread(title="Lange Diskussion")
        author = make_user(display_name="Paula Permalink")
        posts = [make_post(thread=thread, author=author, body=f"Beitrag Nummer {n}") for n in range(1, 61)]
        return thread.id, posts[54].id, make_user().email

    thread_id, post_id, email = live_server.seed(seed)
    page = logged_in(new_page, email)
    page.goto(f"/discussion/posts/{post_id}")
    assert page.url.endswith(f"/discussion/{thread_id}?page=3#beitrag-55")
    expect(page.locator("#beitrag-55")).to_be_in_viewport()
    expect(page.locator("#beitrag-55")).to_contain_text("Beitrag Nummer 55")
    expect(page.get_by_text("Seite 3 von 3").first).to_be_visible()  # above and below the posts
    check_accessibility(page)


def test_discussion_pages_pass_axe_and_reflow_on_a_320_pixel_screen(live_server, page):
    """WCAG 1.4.10 on the discussion pages of an admin (who sees every button)."""
    number = next(_numbers)

    def seed():
        from forum.discussion import services

        admin = make_user(role="admin", display_name=f"Ada Admin {number}")
        board = make_board(title=f"Organisation und Steuerung im Jobcenter mit langem Namen {number}")
        first = services.open_thread(board, "Betreuungsschlüssel im Fallmanagement mit einem sehr langen Titel",
                                     "| Team | Schlüssel |\n|---|---:|\n| Fallmanagement | 1:70 |\n\n"
                                     "```\nein langer Codeblock " + "x" * 200 + "\n```", author=admin)
        services.edit_post(first, "Neu: https://www.arbeitsagentur.de/" + "a" * 150, editor=admin, version=1)
        services.add_post(first.thread, "Eine Antwort.", author=make_user())
        return admin.email, board.id, first.thread_id, first.id

    email, board_id, thread_id, post_id = live_server.seed(seed)
    page.set_viewport_size({"width": 320, "height": 720})
    page.goto("/accounts/login")
    log_in(page, email, PASSWORD)
    for path in ("/discussion/", f"/discussion/boards/{board_id}", f"/discussion/boards/{board_id}/new",
                 f"/discussion/{thread_id}", f"/discussion/{thread_id}/reply?quote={post_id}",
                 f"/discussion/posts/{post_id}/edit", f"/discussion/posts/{post_id}/revisions",
                 f"/discussion/posts/{post_id}/withdraw", "/discussion/boards/manage",
                 f"/discussion/boards/{board_id}/edit"):
        response = page.goto(path)
        assert response.status == 200, path
        overflow = sideways_overflow(page)
        assert not overflow, f"{path} scrolls sideways at 320 px because of: {overflow}"
        check_accessibility(page)
