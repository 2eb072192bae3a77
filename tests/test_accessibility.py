"""WCAG fixes of issue 13: heading levels never skip (user markdown follows the page's heading level), dates in one
format per language (English day-month-year), the accessibility statement's content."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale

from forum import dates, markup
from forum.announcements.services import AnnouncementData, create_announcement
from forum.clock import utcnow
from forum.events.reports import ReportData, save_report
from forum.events.services import update_documentation
from forum.pages.services import ensure_legal_pages, update_page
from tests.factories import make_event, make_idea, make_post, make_thread
from tests.helpers import text_of

MARKDOWN = "### Ergebnisse\n\nText.\n\n##### Im Einzelnen\n\nMehr.\n\n# Ganz oben\n\nEnde."


def heading_levels(response) -> list[int]:
    """The heading levels of the page's main content, in order."""
    html = response.get_data(as_text=True)
    main = html[html.index('<main'):html.index('</main>')]
    return [int(level) for level in re.findall(r"<h([1-6])\b", main)]


def assert_no_skip(levels: list[int]) -> None:
    assert levels and levels[0] == 1, levels
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, levels


def test_a_lone_deep_heading_becomes_the_next_level_and_relative_depth_is_kept():
    assert "<h2>A</h2>" in markup.render("### A", heading_level=1)
    assert re.findall(r"<h(\d)>", markup.render(MARKDOWN, heading_level=2)) == ["3", "4", "3"]
    assert re.findall(r"<h(\d)>", markup.render("##### a\n\n###### b", heading_level=2)) == ["3", "4"]
    assert re.findall(r"<h(\d)>", markup.render("# a\n\n## b\n\n### c\n\n#### d\n\n##### e", heading_level=3)) == [
        "4", "5", "6", "6", "6"]


def test_headings_typed_as_html_stay_text():
    html = markup.render("<h2>Laut</h2>\n\nund <h6>leise</h6>", heading_level=1)
    assert "<h2>" not in html and "<h6>" not in html and "&lt;h2&gt;Laut" in html


def test_the_privacy_page_and_the_accessibility_statement_have_no_heading_gap(client):
    ensure_legal_pages()
    for slug in ("datenschutz", "barrierefreiheit", "impressum", "nutzungsbedingungen"):
        assert_no_skip(heading_levels(client.get(f"/pages/{slug}")))


def test_an_admins_page_text_starts_below_the_page_title(client, admin):
    update_page("datenschutz", title="Datenschutz", body="##### Tief\n\nText\n\n###### Tiefer", actor=admin)
    levels = heading_levels(client.get("/pages/datenschutz"))
    assert levels[:3] == [1, 2, 3]


def test_event_documentation_description_and_report_follow_their_section_headings(member_client, organiser):
    event = make_event(status="done", starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=3)
                       + timedelta(hours=4), description=MARKDOWN, agenda="##### 10 Uhr\n\nBegrüßung")
    update_documentation(event, MARKDOWN, actor=organiser)
    save_report(event, ReportData(MARKDOWN, MARKDOWN, MARKDOWN), publish=True, actor=organiser)
    assert_no_skip(heading_levels(member_client.get(f"/events/{event.id}")))


def test_idea_and_posts_and_announcements_have_no_heading_gap(member_client, moderator_client, moderator):
    idea = make_idea(description=MARKDOWN)
    assert_no_skip(heading_levels(member_client.get(f"/ideas/{idea.id}")))
    thread = make_thread()
    make_post(thread=thread, body=MARKDOWN)
    assert_no_skip(heading_levels(member_client.get(f"/discussion/{thread.id}")))
    announcement = create_announcement(AnnouncementData("Neu", MARKDOWN, "all"), actor=moderator)
    assert_no_skip(heading_levels(moderator_client.get(f"/announcements/{announcement.id}")))


MOMENT = datetime(2026, 12, 13, 13, 0, tzinfo=timezone.utc)  # 14:00 in Berlin


@pytest.mark.parametrize("language, day, moment, weekday, month", [
    ("de", "13.12.2026", "13.12.2026, 14:00", "Sonntag, 13.12.2026", "Dez. 2026"),
    ("en", "13 Dec 2026", "13 Dec 2026, 14:00", "Sunday, 13 Dec 2026", "Dec 2026"),
])
def test_dates_have_one_format_per_language_whatever_style_a_template_asks(app, language, day, moment, weekday,
                                                                           month):
    with app.test_request_context(), force_locale(language):
        assert {dates.format_date(MOMENT, style) for style in (None, "short", "medium", "long")} == {day}
        assert {dates.format_datetime(MOMENT, style) for style in (None, "short", "medium")} == {moment}
        assert dates.format_date(MOMENT, "full") == weekday
        assert dates.format_time(MOMENT) == "14:00"
        assert dates.format_month(MOMENT.date()) == month  # the statistics' month labels
        assert dates.format_date(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == (
            "01.01.2027" if language == "de" else "1 Jan 2027")  # the day in Berlin


def test_a_post_shows_its_time_day_month_year_in_english_and_numeric_in_german(client_as, member):
    thread = make_thread()
    make_post(thread=thread, created_at=MOMENT)
    member.language = "de"
    assert "13.12.2026, 14:00" in text_of(client_as(member).get(f"/discussion/{thread.id}"))
    member.language = "en"
    assert "13 Dec 2026, 14:00" in text_of(client_as(member).get(f"/discussion/{thread.id}"))


def test_the_accessibility_statement_states_conformance_feedback_and_the_enforcement_body(client):
    ensure_legal_pages()
    page = client.get("/pages/barrierefreiheit")
    text = text_of(page)
    for fragment in ("teilweise vereinbar", "Nicht barrierefreie Inhalte", "axe-core", "Tastatur",
                     "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz", "Mauerstraße 53", "10117 Berlin",
                     "Stand:"):
        assert fragment in text, fragment
    html = page.get_data(as_text=True)
    body = html[html.index('class="prose"'):]
    assert '<a href="/feedback/"' in body and 'href="https://www.schlichtungsstelle-bgg.de"' in body
