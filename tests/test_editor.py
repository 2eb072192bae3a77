"""The markdown editor's server side: which fields get the toolbar, the draft and the @mention suggestions
(templates/_macros.html, static/js/editor.js), and the JSON endpoint of the suggestions."""
from __future__ import annotations

import re

import pytest

from forum.discussion.mentions import link_mentions, mention_handle
from forum.extensions import db, limiter
from tests.factories import make_board, make_event, make_thread, make_user


def marked_fields(html: str) -> dict[str, set[str]]:
    """{textarea id: its data-markdown/-draft/-mentions marks} of the page."""
    return {match.group(2): set(re.findall(r"data-(markdown|draft|mentions)\b", match.group(1)))
            for match in re.finditer(r"<textarea([^>]*?\bid=\"([^\"]+)\"[^>]*)>", html)}


def test_post_fields_get_toolbar_draft_and_mentions_idea_sections_toolbar_and_draft(client_as, member, organiser):
    client = client_as(member)
    board = make_board()
    thread = make_thread()
    new_thread = client.get(f"/discussion/boards/{board.id}/new").get_data(as_text=True)
    assert marked_fields(new_thread)["body"] == {"markdown", "draft", "mentions"}
    assert 'data-mention-url="/discussion/mentions"' in new_thread
    reply = client.get(f"/discussion/{thread.id}/reply").get_data(as_text=True)
    assert marked_fields(reply)["body"] == {"markdown", "draft", "mentions"}
    for label in ("Fett", "Kursiv", "Liste", "Link", "Zitat"):
        assert re.search(rf'<button type="button" class="markdown-toolbar__button" data-format="\w+">(<\w+>)?{label}<',
                         reply), label
    assert 'data-draft-restored="Entwurf wiederhergestellt"' in reply

    idea_form = client.get("/ideas/new").get_data(as_text=True)
    fields = marked_fields(idea_form)
    for key in ("situation", "goal", "implementation", "results", "transferability"):
        assert fields[key] == {"markdown", "draft"}, key
    assert fields["summary"] == set()  # plain text: no toolbar
    assert idea_form.count("<template data-markdown-toolbar>") == 5

    event_form = client_as(organiser).get("/events/new").get_data(as_text=True)
    assert marked_fields(event_form)["description"] == {"markdown"}
    assert marked_fields(event_form)["agenda"] == {"markdown"}


# --- the suggestions ------------------------------------------------------------------------------------------

def suggestions(client, typed: str | None):
    response = client.get("/discussion/mentions" + (f"?q={typed}" if typed is not None else ""))
    assert response.status_code == 200 and response.content_type == "application/json"
    return response.get_json()


def test_mention_suggestions_need_a_login(client):
    response = client.get("/discussion/mentions?q=Er")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["member", "admin"])
def test_only_active_members_are_suggested_never_suspended_deleted_or_pending(client_as, role):
    make_user(display_name="Erika Aktiv")
    for status in ("suspended", "deleted", "pending", "rejected"):
        make_user(display_name=f"Erika {status.title()}", status=status)
    answer = suggestions(client_as(make_user(role=role, display_name="Lesende Person")), "Erika")
    assert answer == {"members": [{"name": "Erika Aktiv", "handle": "@Erika Aktiv"}]}


def test_names_are_found_by_their_start_or_the_start_of_a_later_word_case_insensitively(member_client):
    for name in ("Jürgen Özdemir", "Anna-Lena von der Heide", "Erika Muster", "Musterfrau Sabine", "Tom Amuster"):
        make_user(display_name=name)
    names = lambda typed: [member["name"] for member in suggestions(member_client, typed)["members"]]  # noqa: E731
    assert names("must") == ["Erika Muster", "Musterfrau Sabine"]  # not "Amuster": inside a word
    assert names("öz") == ["Jürgen Özdemir"]
    assert names("von der") == ["Anna-Lena von der Heide"]
    assert names("Erika M") == ["Erika Muster"]
    assert names("%") == [] and names("_r") == []  # LIKE wildcards are letters here


def test_at_least_two_letters_and_at_most_eight_names_and_nothing_but_name_and_handle(member_client):
    for number in range(12):
        make_user(display_name=f"Helga Beispiel{chr(65 + number)}")
    assert suggestions(member_client, None) == {"members": []}
    assert suggestions(member_client, "H") == {"members": []}
    members = suggestions(member_client, "He")["members"]
    assert len(members) == 8 and [member["name"] for member in members] == sorted(member["name"] for member in members)
    assert all(set(member) == {"name", "handle"} for member in members)


def test_a_name_two_people_share_is_not_suggested(member_client):
    make_user(display_name="Kim Doppelt")
    make_user(display_name="Kim Doppelt")
    make_user(display_name="Kim Einzeln")
    assert [member["name"] for member in suggestions(member_client, "Kim")["members"]] == ["Kim Einzeln"]


@pytest.mark.parametrize("name, handle", [
    ("Erika Muster", "@Erika Muster"), ("Anna-Lena von der Heide", "@Anna-Lena von der Heide"),
    ("Team 2 Nord", "@[Team 2 Nord]"), ("Eine Person mit fünf Wörtern", "@[Eine Person mit fünf Wörtern]"),
    ("Dr. Erika Muster", "@Dr. Erika Muster"), ("(Vertretung) Erika", "@[(Vertretung) Erika]"),
])
def test_the_handle_is_what_link_mentions_resolves(app, name, handle):
    person = make_user(display_name=name)
    assert mention_handle(name) == handle
    _source, mentioned = link_mentions(f"Hallo {handle}, bitte schauen Sie.")
    assert mentioned == [person]


def test_the_suggestions_are_rate_limited_per_account(app, client_as):
    limiter.reset()
    app.config["RATELIMIT_MENTIONS"] = "3 per minute"
    try:
        first, second = client_as(make_user()), client_as(make_user())
        assert [first.get("/discussion/mentions?q=Er").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert second.get("/discussion/mentions?q=Er").status_code == 200
    finally:
        app.config["RATELIMIT_MENTIONS"] = "10000 per minute"
        limiter.reset()
        db.session.rollback()


def test_event_texts_without_javascript_are_unchanged(client_as, organiser):
    """The toolbar lives in an inert <template>: the form posts the same fields as before."""
    page = client_as(organiser).get(f"/events/{make_event().id}/edit").get_data(as_text=True)
    outside = re.sub(r"<template.*?</template>", "", page, flags=re.DOTALL)
    assert "markdown-toolbar" not in outside and "<button type=\"button\"" not in outside
