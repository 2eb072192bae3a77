"""Getting around long threads (issue 11): page numbers above and below the posts, "Antworten" and "Zum neuesten
Beitrag" at the top, the reply form on the last page; author names linked to member profiles, which list only what
the viewer may read, answer 404 for accounts the viewer may not see and run a bounded number of queries."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum import permissions
from forum.accounts.models import User
from forum.clock import utcnow
from forum.discussion import services
from forum.extensions import db
from forum.moderation.services import hide_post
from forum.queries import page_window
from tests.factories import make_idea, make_post, make_thread, make_user
from tests.helpers import MEMBER_PROFILE_MATRIX, ROLES, actor, queries_for, text_of

NAV = re.compile(r'<nav class="pagination" aria-label="([^"]+)">(.*?)</nav>', re.S)
NUMBER_LINK = re.compile(r'<a class="kern-link pagination__number[^"]*" href="([^"]+)"( aria-current="page")?>'
                         r'<span class="kern-sr-only">Seite </span>(\d+)</a>')


def long_thread(pages: int, **kwargs):
    """A thread filling `pages` pages (the last one with 5 posts)."""
    thread = make_thread(**kwargs)
    author = make_user()
    for number in range(1, (pages - 1) * 25 + 6):
        make_post(thread=thread, author=author, body=f"Beitrag Nummer {number}")
    return thread


def navigations(html: str) -> list[tuple[str, list[tuple[str, bool, int]], int]]:
    """Each page navigation: its label, its number links (href, current?, number) and where it is in the page."""
    return [(match.group(1), [(href.replace("&amp;", "&"), bool(current), int(number))
                              for href, current, number in NUMBER_LINK.findall(match.group(2))], match.start())
            for match in NAV.finditer(html)]


def main_content(html: str) -> str:
    return html[html.index('id="inhalt"'):]


# --- page numbers ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("page, pages, window", [
    (1, 1, [1]),
    (1, 4, [1, 2, 3, 4]),
    (1, 10, [1, 2, None, 10]),
    (4, 10, [1, 2, 3, 4, 5, None, 10]),
    (5, 10, [1, None, 4, 5, 6, None, 10]),
    (10, 10, [1, None, 9, 10]),
])
def test_page_window_has_first_last_and_neighbours_and_gaps_only_for_two_or_more_pages(page, pages, window):
    assert page_window(page, pages) == window


def test_thread_pages_have_page_numbers_above_and_below_the_posts(member_client):
    thread = long_thread(6)
    html = member_client.get(f"/discussion/{thread.id}?page=2").get_data(as_text=True)
    found = navigations(html)
    assert len(found) == 2
    (top_label, top, top_at), (bottom_label, bottom, bottom_at) = found
    assert top_at < html.index('<ol class="post-list"') < bottom_at
    assert top_label != bottom_label  # two landmarks, told apart
    assert top == bottom
    base = f"/discussion/{thread.id}?page="
    assert top == [(base + "1", False, 1), (base + "2", True, 2), (base + "3", False, 3), (base + "6", False, 6)]
    nav = NAV.search(html).group(2)
    assert nav.index(">3</a>") < nav.index("…") < nav.index(">6</a>")
    assert f'rel="prev" href="{base}1"' in nav and f'rel="next" href="{base}3"' in nav
    assert "Seite 2 von 6" in text_of(member_client.get(f"/discussion/{thread.id}?page=2"))


def test_a_thread_of_one_page_has_no_page_numbers(member_client):
    thread = long_thread(1)
    assert navigations(member_client.get(f"/discussion/{thread.id}").get_data(as_text=True)) == []


def test_other_lists_get_the_same_page_numbers(admin_client):
    for _ in range(60):
        make_user()
    html = admin_client.get("/admin/users?page=2").get_data(as_text=True)
    [(label, links, _at)] = navigations(html)
    assert label == "Seitennavigation"
    assert [(number, current) for _href, current, number in links] == [(1, False), (2, True)]


# --- reply form and the links at the top -------------------------------------------------------------------------

def test_the_reply_form_is_on_the_last_page_and_antworten_leads_there(member_client):
    thread = long_thread(4)
    reply_action = f'action="/discussion/{thread.id}/reply"'
    for number in (1, 2, 3):
        html = member_client.get(f"/discussion/{thread.id}?page={number}").get_data(as_text=True)
        assert reply_action not in html and 'id="antworten"' not in html, number
        assert html.count(f'href="/discussion/{thread.id}?page=4#antworten"') == 2, number  # at the top and below
    last = member_client.get(f"/discussion/{thread.id}?page=4").get_data(as_text=True)
    form_at = last.index(reply_action)
    assert last.index('<section aria-labelledby="antworten-titel" class="reply-box" id="antworten">') < form_at
    assert last.index('<ol class="post-list"') < form_at
    assert 'href="#antworten"' in last and "auf der letzten Seite" not in last


def test_antworten_is_the_first_link_of_the_content_and_the_newest_post_is_linked(member_client):
    thread = long_thread(3)
    for number in (1, 3):
        content = main_content(member_client.get(f"/discussion/{thread.id}?page={number}").get_data(as_text=True))
        first_focusable = content[re.search(r"<(a|button|input|select|textarea)\b", content).start():]
        assert re.match(r'<a [^>]*href="[^"]*#antworten"><span class="kern-label">Antworten</span></a>',
                        first_focusable), first_focusable[:200]
        assert f'href="/discussion/{thread.id}?page=3#beitrag-55">Zum neuesten Beitrag</a>' in content
    short = make_thread()
    for _ in range(3):
        make_post(thread=short)
    html = member_client.get(f"/discussion/{short.id}").get_data(as_text=True)
    assert f'href="/discussion/{short.id}#beitrag-3">Zum neuesten Beitrag</a>' in html
    assert 'href="#antworten"' in html and 'id="antworten"' in html


def test_a_locked_thread_offers_no_reply_link_but_the_newest_post(member_client):
    thread = long_thread(2)
    thread.locked_at = utcnow()
    html = member_client.get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert "#antworten" not in html and 'id="antworten"' not in html
    assert f'href="/discussion/{thread.id}?page=2#beitrag-30">Zum neuesten Beitrag</a>' in html


def test_an_empty_thread_shows_the_reply_form_without_a_newest_post_link(member_client):
    thread = make_thread()
    html = member_client.get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert 'id="antworten"' in html and "Zum neuesten Beitrag" not in html


# --- author names link to profiles ----------------------------------------------------------------------------

def test_author_names_on_thread_and_idea_pages_link_to_profiles_of_visible_accounts(member_client):
    active = make_user(display_name="Anna Aktiv")
    suspended = make_user(display_name="Sven Gesperrt", status="suspended")
    thread = make_thread()
    make_post(thread=thread, author=active)
    make_post(thread=thread, author=suspended)
    html = member_client.get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert f'<a class="kern-link" href="/organisations/members/{active.id}">Anna Aktiv</a>' in html
    assert "Sven Gesperrt" in html and f"/organisations/members/{suspended.id}" not in html
    idea = make_idea(author=active)
    assert f'href="/organisations/members/{active.id}">Anna Aktiv</a>' in member_client.get(
        f"/ideas/{idea.id}").get_data(as_text=True)
    assert f'href="/organisations/members/{active.id}">Anna Aktiv</a>' in member_client.get(
        f"/organisations/{active.organisation_id}").get_data(as_text=True)


# --- the profile ----------------------------------------------------------------------------------------------

def _author_with_posts_in_every_state():
    """Someone with a shown post, a hidden one, a withdrawn one, a post in the thread of another Jobcenter's
    unpublished idea, a published and a submitted idea of their own."""
    author = make_user(display_name="Petra Profil", function="Fallmanagerin")
    make_post(thread=make_thread(title="Thema Sichtbar"), author=author)
    hidden = make_post(thread=make_thread(title="Thema Ausgeblendet"), author=author)
    hide_post(hidden, actor=make_user(role="moderator"), reason="other")
    withdrawn = make_post(thread=make_thread(title="Thema Zurückgezogen"), author=author)
    services.withdraw_post(withdrawn, actor=author)
    foreign = make_idea(status="submitted", title="Fremde unveröffentlichte Idee")
    assert foreign.organisation_id != author.organisation_id
    make_post(thread=foreign.thread, author=author)
    make_idea(status="published", author=author, title="Eigene veröffentlichte Idee")
    make_idea(status="submitted", author=author, title="Eigene eingereichte Idee")
    return author


@pytest.mark.parametrize("viewer, posts, ideas", [
    ("member", {"Thema Sichtbar"}, {"Eigene veröffentlichte Idee"}),
    ("organiser", {"Thema Sichtbar"}, {"Eigene veröffentlichte Idee"}),
    ("author", {"Thema Sichtbar"}, {"Eigene veröffentlichte Idee", "Eigene eingereichte Idee"}),
    ("moderator", {"Thema Sichtbar", "Fremde unveröffentlichte Idee"},
     {"Eigene veröffentlichte Idee", "Eigene eingereichte Idee"}),
    ("admin", {"Thema Sichtbar", "Fremde unveröffentlichte Idee"},
     {"Eigene veröffentlichte Idee", "Eigene eingereichte Idee"}),
])
def test_profile_lists_only_posts_shown_normally_in_threads_the_viewer_sees_and_visible_ideas(client_as, viewer,
                                                                                            posts, ideas):
    author = _author_with_posts_in_every_state()
    response = client_as(author if viewer == "author" else make_user(role=viewer)).get(
        f"/organisations/members/{author.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    listed = lambda section: set(re.findall(r'<a class="kern-link" href="[^"]+">([^<]+)</a>',  # noqa: E731
                                            html.split(f'class="kern-list {section}"')[1].split("</ul>")[0])
                                 ) if f'class="kern-list {section}"' in html else set()
    assert listed("member-posts") == posts
    assert listed("member-ideas") == ideas
    page = text_of(response)
    assert "Petra Profil" in page and "Fallmanagerin" in page and author.organisation.name in page
    assert f'href="/organisations/{author.organisation_id}"' in html
    for absent in ("Thema Ausgeblendet", "Thema Zurückgezogen"):
        assert absent not in page


def test_profile_posts_link_to_their_permalinks_newest_first(member_client):
    author = make_user()
    older = make_post(thread=make_thread(title="Ältere Frage"), author=author)
    newer = make_post(thread=make_thread(title="Neuere Frage"), author=author)
    older.created_at = utcnow().replace(year=2020)
    html = member_client.get(f"/organisations/members/{author.id}").get_data(as_text=True)
    assert html.index(f'href="/discussion/posts/{newer.id}"') < html.index(f'href="/discussion/posts/{older.id}"')


@pytest.mark.parametrize("status", sorted(MEMBER_PROFILE_MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_a_profile(app, role, status):
    assert permissions.can_view_member(actor(role), make_user(status=status)) is (
        role in MEMBER_PROFILE_MATRIX[status])
    assert permissions.can_view_member(actor("admin", "suspended"), make_user(status=status)) is False


def test_can_view_member_says_what_visible_members_says(app):
    people = {status: make_user(status=status) for status in MEMBER_PROFILE_MATRIX}
    ids = [person.id for person in people.values()]
    for role in ROLES[1:]:
        viewer = make_user(role=role)
        listed = set(db.session.scalars(permissions.visible_members(viewer, select(User.id).where(User.id.in_(ids)))))
        assert listed == {person.id for person in people.values() if permissions.can_view_member(viewer, person)}


@pytest.mark.parametrize("status", ["pending", "suspended", "rejected", "deleted"])
def test_profiles_of_accounts_members_may_not_see_answer_404(client_as, status):
    person = make_user(status=status)
    assert client_as(make_user()).get(f"/organisations/members/{person.id}").status_code == 404
    admin = client_as(make_user(role="admin")).get(f"/organisations/members/{person.id}")
    assert admin.status_code == (404 if status == "deleted" else 200)


def test_a_missing_profile_answers_404_and_anonymous_visitors_must_log_in(client, member_client):
    assert member_client.get("/organisations/members/987654321").status_code == 404
    person = make_user()
    response = client.get(f"/organisations/members/{person.id}")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_profile_query_count_does_not_grow_with_posts_threads_and_ideas(client_as, member):
    client = client_as(member)
    author = make_user()
    make_post(author=author)
    make_idea(author=author)
    small = len(queries_for(client, f"/organisations/members/{author.id}"))
    for number in range(40):
        make_post(thread=make_thread(), author=author, body=f"Beitrag {number}")
        make_idea(author=author, title=f"Idee {number}", with_thread=number % 2 == 0)
    large_queries = queries_for(client, f"/organisations/members/{author.id}")
    assert len(large_queries) == small, "\n".join(large_queries)
    assert small <= 8, small
