"""Bad input is cleaned or refused with a German message, never a 500 (issue 9, points 4 and 9): control characters
in any submitted text, bidi overrides in names, ids and page numbers beyond the database's range, numbers and dates
out of range, passwords longer than the strength checker reads."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from hypothesis import given, settings, strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

import forum
from forum.accounts.models import User
from forum.discussion.models import Post
from forum.events.models import Event
from forum.extensions import db
from forum.forms import Form
from forum.inputs import MAX_ID, CleanMultiDict, without_controls
from tests.factories import PASSWORD, make_organisation, make_thread, make_user
from tests.helpers import text_of

# Passphrases longer than the 72 characters zxcvbn accepts (it raises ValueError beyond that).
LONG_73 = "Heftklammer Leuchtturm Quittengelee Notenständer Brezelteig Zebrastreifen"
LONG_128 = ("Heftklammer Leuchtturm Quittengelee Notenständer Brezelteig Zebrastreifen Kompassnadel "
            "Giraffenhals Tulpenzwiebel Fahrradkette 7")
assert (len(LONG_73), len(LONG_128)) == (73, 128)


def stored_post_bodies(thread) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Post.body_source).where(Post.thread_id == thread.id)))


# --- control characters: one cleaning for forms, JSON and query strings ---------------------------------------

def test_nul_and_other_control_characters_are_removed_from_a_reply_and_the_text_is_kept(member_client):
    thread = make_thread()
    db.session.commit()
    response = member_client.post(f"/discussion/{thread.id}/reply",
                                  data={"body": "Hallo\x00 Welt,\x07 Tabs\tbleiben\r\nund Zeilen\rauch."})
    assert response.status_code == 302
    assert stored_post_bodies(thread) == ["Hallo Welt, Tabs\tbleiben\nund Zeilen\nauch."]


def test_a_form_sent_as_json_is_cleaned_the_same_way(member_client):
    thread = make_thread()
    db.session.commit()
    response = member_client.post(f"/discussion/{thread.id}/reply", json={"body": "Per\x00 JSON"})
    assert response.status_code == 302
    assert stored_post_bodies(thread) == ["Per JSON"]


def test_a_nul_character_in_a_search_field_finds_as_if_it_was_not_there(member_client):
    make_organisation(name="Jobcenter Nulldorf")
    db.session.commit()
    response = member_client.get("/organisations/?q=Null%00dorf")
    assert response.status_code == 200
    assert "Jobcenter Nulldorf" in text_of(response)


def test_registration_keeps_a_name_with_a_nul_character_cleaned(client):
    organisation = make_organisation(domains=("jobcenter-nul.example",))
    db.session.commit()
    response = client.post("/accounts/register", data={
        "email": "nina@jobcenter-nul.example", "display_name": "Nina\x00 Neumann", "function": "Team\x00leitung",
        "organisation_id": organisation.id, "password": "Fahrrad-Kompass-Laterne-7",
        "password_confirm": "Fahrrad-Kompass-Laterne-7", "accept_terms": "y"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nina@jobcenter-nul.example"))
    assert (user.display_name, user.function) == ("Nina Neumann", "Teamleitung")


@settings(derandomize=True, database=None)
@given(st.text(st.characters(codec="utf-8")))
def test_cleaned_text_has_no_control_characters_but_tab_and_line_feed_and_cleaning_twice_changes_nothing(text):
    cleaned = without_controls(text)
    assert not any(ord(char) < 32 and char not in "\t\n" or char == "\x7f" for char in cleaned)
    assert without_controls(cleaned) == cleaned
    assert [char for char in text if char.isprintable()] == [char for char in cleaned if char.isprintable()]


def test_the_request_storage_cleans_every_text_value_and_leaves_files_alone():
    upload = object()
    cleaned = CleanMultiDict([("a", "x\x00y"), ("a", "z\x1b"), ("file", upload)])
    assert cleaned.getlist("a") == ["xy", "z"] and cleaned["file"] is upload
    assert CleanMultiDict(MultiDict([("b", "\x00")]))["b"] == "" and CleanMultiDict({"c": ["1\x00"]})["c"] == "1"
    assert CleanMultiDict() == {}


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example"])
def test_a_return_address_with_a_tab_or_line_break_is_not_followed(client, member, target):
    """Browsers drop tabs and line breaks from addresses: "/<tab>/evil.example" would lead to evil.example, and a
    line break in the Location header was a 500."""
    response = client.post("/language", data={"language": "de", "next": target})
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    response = client.post("/accounts/login", data={"email": member.email, "password": PASSWORD, "next": target})
    assert (response.status_code, response.headers["Location"]) == (302, "/")


# --- bidirectional overrides in names and titles ------------------------------------------------------------

def test_a_display_name_with_an_rtl_override_is_not_shown_reversed(member_client, member):
    response = member_client.post("/accounts/profile", data={
        "display_name": "Erika \u202eretsuM\u202c", "function": "Teamleitung\u2066", "language": "de",
        "email_notifications": "immediately"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (member.display_name, member.function) == ("Erika retsuM", "Teamleitung")
    assert "\u202e" not in member_client.get("/accounts/profile").get_data(as_text=True)


def test_a_thread_title_loses_bidi_overrides_but_a_post_keeps_its_text(member_client):
    from forum.discussion.models import Thread
    from tests.factories import make_board

    board = make_board()
    db.session.commit()
    member_client.post(f"/discussion/boards/{board.id}/new",
                       data={"title": "\u2067Titel\u2069 \u202adrin\u202c", "body": "Arabisch: \u202bمرحبا\u202c"})
    thread = db.session.scalar(select(Thread).where(Thread.board_id == board.id))
    assert thread.title == "Titel drin"
    assert stored_post_bodies(thread) == ["Arabisch: \u202bمرحبا\u202c"]


def test_every_form_of_the_app_is_built_on_the_base_form():
    for module in pkgutil.walk_packages(forum.__path__, "forum."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    forms, stack = [], list(FlaskForm.__subclasses__())
    while stack:
        form = stack.pop()
        forms.append(form)
        stack.extend(form.__subclasses__())
    app_forms = [form for form in forms if form.__module__.startswith("forum.") and form is not Form]
    assert len(app_forms) > 30
    assert [form.__qualname__ for form in app_forms if not issubclass(form, Form)] == []


# --- ids, page numbers, numbers and dates out of range ------------------------------------------------------

@pytest.mark.parametrize("path", ["/discussion/2147483648", "/ideas/9223372036854775808",
                                  "/events/111111111111111111111111111111/edit",
                                  "/moderation/posts/2147483648/report", "/organisations/99999999999999999999"])
def test_ids_beyond_the_database_range_are_not_found(admin_client, path):
    assert admin_client.get(path).status_code == 404
    assert admin_client.post(path).status_code in (404, 405)


def test_the_largest_database_id_is_still_routed(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/discussion/{MAX_ID}") == ("discussion.show", {"thread_id": MAX_ID})
    with pytest.raises(NotFound):
        adapter.match(f"/discussion/{MAX_ID + 1}")


@pytest.mark.parametrize("path", ["/events/calendar/%00abc.ics", "/pages/%00", "/notifications/unsubscribe/%1B",
                                  "/accounts/password/reset/a%00b"])
def test_control_characters_in_a_path_segment_are_not_found(member_client, path):
    assert member_client.get(path).status_code == 404


@pytest.mark.parametrize("page", ["111111111111111111111111111111", "9223372036854775808", "-1", "zwei", "²",
                                  "9" * 5000])
def test_hostile_page_numbers_show_a_list_page(admin_client, page):
    make_organisation(name="Jobcenter Seitenstadt")
    db.session.commit()
    for path in ("/organisations/", "/admin/users", "/moderation/log", "/notifications/", "/moderation/reports"):
        assert admin_client.get(path, query_string={"page": page}).status_code == 200, path


def test_page_numbers_are_clamped(app):
    from forum.queries import MAX_PAGE, page_number

    for value, expected in [("3", 3), ("0", 1), ("-2", 1), ("03", 1), ("x", 1), ("", 1), ("²", 1), ("1.5", 1),
                            ("1" * 30, MAX_PAGE), ("9" * 5000, MAX_PAGE), (str(MAX_PAGE + 1), MAX_PAGE)]:
        with app.test_request_context(query_string={"page": value}):
            assert page_number() == expected, value


def test_idea_filters_with_digits_that_are_no_numbers_show_the_list(member_client):
    response = member_client.get("/ideas/", query_string={"topic": "²", "event": "١٢³", "target_group": "1" * 30})
    assert response.status_code == 200


def test_a_30_digit_capacity_gets_a_german_message(client_as, organiser):
    client = client_as(organiser)
    response = client.post("/events/new", data={
        "kind": "workshop", "title": "Werkstattgespräch", "start_date": "2030-06-16", "start_time": "10:00",
        "end_time": "16:00", "location": "Berlin", "land": "", "capacity": "1" * 30, "status": "open"})
    assert response.status_code == 200
    assert "Diese Zahl ist zu groß." in text_of(response)
    assert db.session.scalar(select(Event.id)) is None


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_audit_log_filter_date_out_of_range_gets_a_message(moderator_client, day):
    response = moderator_client.get("/moderation/log", query_string={"date_from": day, "date_to": day})
    assert response.status_code == 200
    assert "Bitte geben Sie ein Datum zwischen 2000 und 2100 an." in text_of(response)


# --- passwords longer than the strength checker reads -------------------------------------------------------

@pytest.mark.parametrize("password", [LONG_73, LONG_128])
def test_a_long_password_is_accepted_at_registration(client, password):
    organisation = make_organisation(domains=("jobcenter-lang.example",))
    db.session.commit()
    response = client.post("/accounts/register", data={
        "email": "lang@jobcenter-lang.example", "display_name": "Lena Lang", "function": "Teamleitung",
        "organisation_id": organisation.id, "password": password, "password_confirm": password,
        "accept_terms": "y"})
    assert response.status_code == 302


@pytest.mark.parametrize("password", [LONG_73, LONG_128])
def test_a_long_password_can_be_set_by_reset_and_logs_in(client, password):
    from forum.accounts.services import make_reset_token

    user = make_user()
    db.session.commit()
    response = client.post(f"/accounts/password/reset/{make_reset_token(user)}",
                           data={"password": password, "password_confirm": password})
    assert response.status_code == 302
    assert client.post("/accounts/login", data={"email": user.email, "password": password}).status_code == 302


@pytest.mark.parametrize("password", [LONG_73, LONG_128])
def test_a_long_password_can_be_chosen_when_changing_it(member_client, password):
    response = member_client.post("/accounts/password", data={
        "current_password": PASSWORD, "password": password, "password_confirm": password})
    assert response.status_code == 302


def test_a_password_longer_than_128_characters_gets_a_message(member_client):
    password = LONG_128 + "x"
    response = member_client.post("/accounts/password", data={
        "current_password": PASSWORD, "password": password, "password_confirm": password})
    assert "Das Passwort darf höchstens 128 Zeichen lang sein." in text_of(response)


def test_a_tampered_hidden_field_gets_a_german_message_not_its_english_name(client_as, member):
    from tests.factories import make_post

    post = make_post(author=member, body="Erste Fassung")
    response = client_as(member).post(f"/discussion/posts/{post.id}/edit", data={"body": "Neu", "version": "abc"})
    page = text_of(response)
    assert response.status_code in (200, 400, 409)
    assert "Das Formular ist unvollständig oder wurde verändert" in page and "Version" not in page
    assert "Neu</textarea>" in response.get_data(as_text=True)  # the input is kept
