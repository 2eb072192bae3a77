"""Ideenbörse journeys in real Chromium with real CSRF tokens; every page visited is checked with axe-core."""
from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from forum.ideas import services
from forum.ideas.terms import ensure_reference_terms
from tests.factories import PASSWORD, make_event, make_idea, make_organisation, make_user
from tests.helpers import check_accessibility, heading, log_in, logged_in, sideways_overflow

pytestmark = pytest.mark.browser
_numbers = itertools.count(1)


def test_member_submits_an_idea_the_office_publishes_it_and_another_member_votes_without_reload(
        live_server, new_page):
    number = next(_numbers)

    def seed():
        ensure_reference_terms()
        author = make_user(display_name=f"Erika Einreicherin {number}",
                           organisation=make_organisation(name=f"Jobcenter Hagen {number}"))
        voter = make_user(display_name=f"Viktor Wähler {number}")
        moderator = make_user(role="moderator", display_name=f"Mona Moderation {number}")
        return author.email, voter.email, moderator.email

    author_email, voter_email, moderator_email = live_server.seed(seed)
    title = f"Gesundheitslotsen im Jobcenter {number}"

    page = logged_in(new_page, author_email)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Ideenbörse").click()
    expect(heading(page)).to_have_text("Ideenbörse")
    check_accessibility(page)
    page.get_by_role("link", name="Ansatz einreichen").click()
    sections = page.get_by_role("group", name="Beschreibung")
    for label in ("Ausgangslage", "Ziel", "Umsetzung", "Ergebnisse", "Übertragbarkeit"):
        expect(sections.get_by_label(label, exact=False)).to_have_value("")
    check_accessibility(page)

    # A too long summary: the error summary names it, the input stays.
    page.get_by_label("Titel", exact=True).fill(title)
    page.get_by_label("Kurzbeschreibung", exact=True).fill("x" * 301)
    page.get_by_role("button", name="Einreichen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Die Kurzbeschreibung darf höchstens 300 Zeichen lang sein.")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Titel", exact=True)).to_have_value(title)
    check_accessibility(page)

    page.get_by_label("Kurzbeschreibung", exact=True).fill("Lotsinnen begleiten Kundinnen und Kunden zu Ärzten.")
    page.get_by_label("Ausgangslage", exact=True).fill("Viele sind lange nicht beim Arzt gewesen.")
    page.get_by_label("Ziel", exact=True).fill("Gesundheit wird Thema der Beratung.")
    page.get_by_role("group", name="Handlungsfelder").get_by_label("Gesundheitsorientierung").check()
    page.get_by_role("group", name=re.compile("Beteiligte Kooperationspartner")).get_by_label("Krankenkasse").check()
    page.get_by_role("button", name="Einreichen").click()
    expect(heading(page)).to_have_text(title)
    expect(page.get_by_text("Ihr Ansatz wurde eingereicht")).to_be_visible()
    expect(page.get_by_role("heading", name="Ausgangslage", level=3)).to_be_visible()
    expect(page.get_by_role("heading", name="Ziel", level=3)).to_be_visible()
    check_accessibility(page)
    idea_path = page.url.removeprefix(live_server.url)

    office = logged_in(new_page, moderator_email)
    office.goto(idea_path)
    office.get_by_label("Neuer Status").select_option(label="veröffentlicht")
    office.get_by_label("Begründung").fill("Vollständig beschrieben und gut übertragbar.")
    office.get_by_role("button", name="Status ändern").click()
    expect(office.get_by_text("Der Status ist jetzt „veröffentlicht“")).to_be_visible()
    check_accessibility(office)
    subject, link = live_server.link_in_newest_mail(author_email, idea_path)
    assert title in subject

    voter = logged_in(new_page, voter_email)
    voter.goto(idea_path)
    check_accessibility(voter)
    votes = voter.locator("[data-vote-summary]")
    expect(votes).to_have_text("Noch keine Stimmen")
    voter.evaluate("() => { window.notReloaded = true; }")
    voter.get_by_role("button", name="Für diesen Ansatz stimmen").click()
    expect(votes).to_have_text("1 Stimme aus 1 Jobcenter")
    live = voter.locator("[aria-live=polite]")
    expect(live).to_have_text("Ihre Stimme wurde gezählt. 1 Stimme aus 1 Jobcenter.")
    withdraw = voter.get_by_role("button", name="Stimme zurückziehen")
    expect(withdraw).to_be_visible()
    withdraw.click()
    expect(votes).to_have_text("Noch keine Stimmen")
    expect(live).to_have_text("Ihre Stimme wurde zurückgezogen. Noch keine Stimmen.")
    assert voter.evaluate("() => window.notReloaded === true"), "the page reloaded"
    check_accessibility(voter)

    # Without JavaScript the same button is an ordinary form.
    voter.goto(idea_path)
    voter.evaluate("() => { document.querySelector('[data-vote-form]').submit(); }")
    expect(voter.get_by_text("Ihre Stimme wurde gezählt.")).to_be_visible()
    expect(votes).to_have_text("1 Stimme aus 1 Jobcenter")


def test_organiser_links_an_idea_to_an_event_and_the_list_filters_by_it(live_server, new_page):
    number = next(_numbers)

    def seed():
        organiser = make_user(role="organiser")
        idea = make_idea(title=f"Aufsuchende Beratung {number}")
        make_idea(title=f"Ein anderer Ansatz {number}")
        event = make_event(title=f"Regionalkonferenz Nord {number}", status="done")
        return organiser.email, idea.id, event.id

    email, idea_id, event_id = live_server.seed(seed)
    page = logged_in(new_page, email)
    page.goto(f"/ideas/{idea_id}")
    event_select = page.get_by_label("Veranstaltung", exact=True)
    expect(event_select).to_contain_text(f"Regionalkonferenz Nord {number}")
    event_select.select_option(value=str(event_id))
    page.get_by_role("button", name="Als „vorgestellt bei“ verknüpfen").click()
    expect(page.get_by_role("link", name=f"Regionalkonferenz Nord {number}")).to_be_visible()
    check_accessibility(page)

    page.goto("/ideas/")
    page.get_by_label("Vorgestellt bei").select_option(label=f"Regionalkonferenz Nord {number}")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.get_by_role("link", name=f"Aufsuchende Beratung {number}")).to_be_visible()
    expect(page.get_by_role("link", name=f"Ein anderer Ansatz {number}")).to_have_count(0)
    assert f"event={event_id}" in page.url
    check_accessibility(page)


def test_idea_pages_pass_axe_and_reflow_on_a_320_pixel_screen(live_server, page):
    """WCAG 1.4.10 on the Ideenbörse pages of an admin (who sees every form)."""
    number = next(_numbers)

    def seed():
        ensure_reference_terms()
        admin = make_user(role="admin", display_name=f"Ada Admin {number}")
        idea = make_idea(title=f"Gesundheitscoaching mit sehr langem Titel für schmale Bildschirme {number}",
                         author=admin)
        adopter = make_user()
        services.adopt_idea(idea, user=adopter, note="Seit März im Team Ü25; angepasst für den ländlichen Raum.")
        services.vote(idea, adopter)
        services.link_event(idea, make_event(), actor=admin)
        services.edit_idea(idea, services.IdeaData(title=idea.title, summary="Neu",
                                                   sections={**idea.sections, "goal": "Neu"}, contact=idea.contact),
                           editor=admin)
        return admin.email, idea.id, adopter.organisation_id

    email, idea_id, _organisation_id = live_server.seed(seed)
    page.set_viewport_size({"width": 320, "height": 720})
    page.goto("/accounts/login")
    log_in(page, email, PASSWORD)
    for path in ("/ideas/", "/ideas/new", f"/ideas/{idea_id}", f"/ideas/{idea_id}/edit",
                 f"/ideas/{idea_id}/revisions", "/ideas/reference-lists"):
        response = page.goto(path)
        assert response.status == 200, path
        overflow = sideways_overflow(page)
        assert not overflow, f"{path} scrolls sideways at 320 px because of: {overflow}"
        check_accessibility(page)
