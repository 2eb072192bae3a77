"""Fachforen and thread pages as members meet them: boards, starting threads, reading page by page, permalinks,
the read state, the admins' board pages, exact counters under parallel replies and bounded queries."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.clock import utcnow
from forum.discussion import services
from forum.discussion.boards import DEFAULT_BOARDS, ensure_boards
from forum.discussion.models import POSTS_PER_PAGE, Board, Post, Thread, ThreadRead
from forum.extensions import db
from forum.notifications.models import Follow
from tests.factories import make_board, make_event, make_idea, make_post, make_thread, make_user
from tests.helpers import audit_actions, fresh, queries_for, run_in_parallel, session_id, text_of


def thread_titled(title: str) -> Thread | None:
    db.session.expire_all()
    return db.session.scalar(select(Thread).where(Thread.title == title))


# --- boards -------------------------------------------------------------------------------------------------

def test_board_overview_lists_boards_in_order_with_thread_count_and_latest_activity(member_client):
    second = make_board(title="Netzwerkarbeit vor Ort", position=2)
    first = make_board(title="Gesundheitsorientierung", position=1, description="Krankenkassen und Reha.")
    make_board(title="Leeres Forum", position=3)
    for _ in range(3):
        services.start_thread("Thema", author=None, board=first)
    services.start_thread("Netzwerk", author=None, board=second)
    page = text_of(member_client.get("/discussion/"))
    assert page.index("Gesundheitsorientierung") < page.index("Netzwerkarbeit vor Ort") < page.index("Leeres Forum")
    assert "Krankenkassen und Reha." in page
    assert "3 Diskussionen" in page and "1 Diskussion " in page and "Noch keine Beiträge" in page
    assert "Letzte Aktivität:" in page


def test_board_page_shows_pinned_threads_first_then_latest_activity(member_client):
    board = make_board()
    now = utcnow()
    old = services.start_thread("Alte Frage", author=None, board=board)
    new = services.start_thread("Neue Frage", author=None, board=board)
    pinned = services.start_thread("Bitte zuerst lesen", author=None, board=board)
    old.last_activity_at, new.last_activity_at = now - timedelta(days=3), now - timedelta(hours=1)
    pinned.last_activity_at, pinned.pinned_at = now - timedelta(days=30), now
    services.start_thread("Anderes Forum", author=None, board=make_board())
    page = text_of(member_client.get(f"/discussion/boards/{board.id}"))
    assert page.index("Bitte zuerst lesen") < page.index("Neue Frage") < page.index("Alte Frage")
    assert "angeheftet" in page and "Anderes Forum" not in page and "3 Diskussionen" in page


def test_board_page_shows_replies_last_post_and_unread_marker(client_as, member):
    board = make_board()
    author, replier = make_user(display_name="Sabine Krüger"), make_user(display_name="Jana Hoffmann")
    first = services.open_thread(board, "Gesundheitscoaching", "Wer hat Erfahrungen?", author=author)
    services.add_post(first.thread, "Wir seit 2023.", author=replier)
    services.add_post(first.thread, "Wir auch.", author=replier)
    client = client_as(member)
    page = text_of(client.get(f"/discussion/boards/{board.id}"))
    assert "Begonnen von Sabine Krüger" in page and "2 Antworten" in page
    assert "Letzter Beitrag: Jana Hoffmann" in page and "3 ungelesen" in page
    client.get(f"/discussion/{first.thread_id}")
    assert "ungelesen" not in text_of(client.get(f"/discussion/boards/{board.id}"))
    services.add_post(first.thread, "Noch eine Antwort.", author=replier)
    db.session.commit()
    html = client.get(f"/discussion/boards/{board.id}").get_data(as_text=True)
    assert "1 ungelesen" in text_of(client.get(f"/discussion/boards/{board.id}"))
    assert f'href="/discussion/{first.thread_id}#beitrag-4"' in html


def test_board_page_is_paginated(member_client):
    board = make_board()
    for number in range(30):
        services.start_thread(f"Frage {number:02d}", author=None, board=board)
    assert "Seite 1 von 2" in text_of(member_client.get(f"/discussion/boards/{board.id}"))
    assert "Seite 2 von 2" in text_of(member_client.get(f"/discussion/boards/{board.id}?page=2"))
    assert member_client.get("/discussion/boards/999999").status_code == 404


def test_ensure_boards_seeds_german_boards_once(app):
    assert ensure_boards() == len(DEFAULT_BOARDS)
    assert ensure_boards() == 0
    titles = list(db.session.scalars(select(Board.title).order_by(Board.position)))
    assert titles[0] == "Gesundheitsorientierung" and "Austausch der Servicestelle" in titles


# --- administration of the boards ---------------------------------------------------------------------------

def test_admin_creates_edits_and_reorders_boards_audited(admin_client):
    existing = make_board(title="Gesundheitsorientierung", position=1)
    response = admin_client.post("/discussion/boards/manage", data={"title": "  Junge   Menschen ",
                                                                     "description": "Übergänge Schule–Beruf."})
    assert response.headers["Location"] == "/discussion/boards/manage"
    board = db.session.scalar(select(Board).where(Board.title == "Junge Menschen"))
    assert board.position == 2 and board.description == "Übergänge Schule–Beruf."
    assert "Das Fachforum „Junge Menschen“ wurde angelegt." in text_of(admin_client.get("/discussion/boards/manage"))

    admin_client.post(f"/discussion/boards/{board.id}/edit", data={"title": "Junge Menschen unter 25",
                                                                   "description": ""})
    assert fresh(Board, board.id).title == "Junge Menschen unter 25"
    admin_client.post(f"/discussion/boards/{board.id}/move", data={"direction": "up"})
    assert [b.title for b in db.session.scalars(select(Board).order_by(Board.position))] == [
        "Junge Menschen unter 25", "Gesundheitsorientierung"]
    assert audit_actions(board) == ["board.create", "board.update", "board.move"]
    assert audit_actions(existing) == []


def test_board_titles_are_unique_and_required_with_german_messages(admin_client):
    make_board(title="Gesundheitsorientierung")
    db.session.commit()  # the refused request rolls back; the board exists for real
    page = text_of(admin_client.post("/discussion/boards/manage", data={"title": "gesundheitsorientierung"}))
    assert "Ein Fachforum „gesundheitsorientierung“ gibt es schon." in page
    assert "Bitte geben Sie einen Titel an." in text_of(admin_client.post("/discussion/boards/manage",
                                                                          data={"title": " "}))
    assert db.session.scalar(select(func.count(Board.id))) == 1


@pytest.mark.parametrize("role", ["member", "organiser", "moderator"])
def test_only_admins_manage_boards(client_as, role):
    board = make_board()
    client = client_as(make_user(role=role))
    assert client.get("/discussion/boards/manage").status_code == 403
    assert client.post("/discussion/boards/manage", data={"title": "X"}).status_code == 403
    assert client.post(f"/discussion/boards/{board.id}/edit", data={"title": "X"}).status_code == 403
    assert client.post(f"/discussion/boards/{board.id}/move", data={"direction": "up"}).status_code == 403
    assert "Fachforen verwalten" not in text_of(client.get("/discussion/"))


# --- starting a thread --------------------------------------------------------------------------------------

def test_member_starts_a_thread_with_its_first_post_and_follows_it(member_client, member):
    board = make_board(title="Gesundheitsorientierung")
    form = member_client.get(f"/discussion/boards/{board.id}/new").get_data(as_text=True)
    assert 'name="preview"' in form and "Markdown ist möglich" in form
    response = member_client.post(f"/discussion/boards/{board.id}/new", data={
        "title": "Gesundheitscoaching mit der AOK", "body": "Wer hat **Erfahrungen** damit?"})
    thread = thread_titled("Gesundheitscoaching mit der AOK")
    assert response.headers["Location"] == f"/discussion/{thread.id}#beitrag-1"
    assert thread.board_id == board.id and thread.created_by_id == member.id and thread.post_count == 1
    assert thread.last_post_author_id == member.id
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert post.number == 1 and post.body_html == "<p>Wer hat <strong>Erfahrungen</strong> damit?</p>"
    assert db.session.scalar(select(Follow).where(Follow.user_id == member.id, Follow.target_type == "thread",
                                                  Follow.target_id == thread.id)) is not None
    page = text_of(member_client.get(response.headers["Location"]))
    assert "Ihre Diskussion „Gesundheitscoaching mit der AOK“ wurde eröffnet." in page
    assert "Diskussion im Fachforum Gesundheitsorientierung" in page and "Wer hat Erfahrungen damit?" in page


def test_new_thread_form_explains_problems_in_german_and_keeps_the_text(member_client):
    board = make_board()
    response = member_client.post(f"/discussion/boards/{board.id}/new", data={"title": "", "body": "Mein Text"})
    assert "Bitte geben Sie einen Titel an." in text_of(response)
    assert "Mein Text</textarea>" in response.get_data(as_text=True)
    response = member_client.post(f"/discussion/boards/{board.id}/new", data={"title": "x" * 201, "body": " "})
    page = text_of(response)
    assert "Der Titel darf höchstens 200 Zeichen lang sein. Zurzeit sind es 201 Zeichen." in page
    assert "Bitte schreiben Sie einen Text." in page
    assert db.session.scalar(select(func.count(Thread.id))) == 0


def test_new_thread_preview_shows_the_rendered_text_and_saves_nothing(member_client):
    board = make_board()
    response = member_client.post(f"/discussion/boards/{board.id}/new", data={
        "title": "Frage", "body": "- eins\n- zwei", "preview": "1"})
    html = response.get_data(as_text=True)
    assert "Vorschau" in text_of(response) and "<li>eins</li>" in html
    assert "- eins\n- zwei</textarea>" in html and 'value="Frage"' in html
    assert db.session.scalar(select(func.count(Thread.id))) == 0


# --- the thread page ----------------------------------------------------------------------------------------

def test_thread_page_shows_posts_with_author_organisation_time_and_number(member_client):
    author = make_user(display_name="Thomas Schulz")
    thread = make_thread(title="Netzwerke im ländlichen Raum")
    post = make_post(thread=thread, author=author, body="Wir arbeiten mit dem *Landkreis*.")
    page = member_client.get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert 'id="beitrag-1"' in page and "Thomas Schulz" in page and author.organisation.name in page
    assert "<em>Landkreis</em>" in page and f'href="/discussion/posts/{post.id}"' in page
    assert re.search(r"\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}", text_of(member_client.get(f"/discussion/{thread.id}")))
    assert "Nr. 1" in text_of(member_client.get(f"/discussion/{thread.id}"))


def test_thread_page_names_what_it_belongs_to(member_client):
    event = make_event(title="Werkstattgespräch Gesundheit")
    idea = make_idea(title="Gesundheitslotsen")
    follow_up = make_thread(title="Wie geht es weiter?", follow_up_of=event)
    board = make_board(title="Netzwerkarbeit vor Ort")
    in_board = services.start_thread("Kooperationen", author=None, board=board)
    db.session.commit()
    assert "Diskussion zur Veranstaltung Werkstattgespräch Gesundheit" in text_of(
        member_client.get(f"/discussion/{event.main_thread.id}"))
    assert "Diskussion zur Idee Gesundheitslotsen" in text_of(member_client.get(f"/discussion/{idea.thread.id}"))
    assert "Folgediskussion zu Werkstattgespräch Gesundheit" in text_of(
        member_client.get(f"/discussion/{follow_up.id}"))
    assert "Diskussion im Fachforum Netzwerkarbeit vor Ort" in text_of(member_client.get(f"/discussion/{in_board.id}"))


def test_unknown_threads_and_posts_answer_404(member_client):
    assert member_client.get("/discussion/999999").status_code == 404
    assert member_client.get("/discussion/posts/999999").status_code == 404
    assert member_client.post("/discussion/999999/reply", data={"body": "Hallo"}).status_code == 404
    thread = make_thread()
    assert member_client.get(f"/discussion/{thread.id}?page=2").status_code == 404
    assert member_client.get(f"/discussion/{thread.id}?page=abc").status_code == 200


def test_threads_of_unpublished_ideas_stay_hidden_from_other_members(member_client):
    idea = make_idea(status="submitted")
    post = make_post(thread=idea.thread, author=idea.author)
    assert member_client.get(f"/discussion/{idea.thread.id}").status_code == 403
    assert member_client.get(f"/discussion/posts/{post.id}").status_code == 403


def test_thread_pages_hold_25_posts_and_permalinks_open_the_right_page(member_client):
    thread = make_thread()
    posts = [make_post(thread=thread, body=f"Beitrag Nummer {n}") for n in range(1, 61)]
    first_page = text_of(member_client.get(f"/discussion/{thread.id}"))
    assert "Beitrag Nummer 25 " in first_page and "Beitrag Nummer 26 " not in first_page
    assert "Seite 1 von 3" in first_page
    target = posts[54]  # number 55, page 3
    response = member_client.get(f"/discussion/posts/{target.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/discussion/{thread.id}?page=3#beitrag-55"
    page = member_client.get(f"/discussion/{thread.id}?page=3").get_data(as_text=True)
    assert 'id="beitrag-55"' in page and 'id="beitrag-50"' not in page and '<ol class="post-list" start="51">' in page
    assert member_client.get(f"/discussion/posts/{posts[0].id}").headers["Location"] == (
        f"/discussion/{thread.id}#beitrag-1")
    assert POSTS_PER_PAGE == 25


def test_first_unread_link_jumps_to_the_first_new_post(client_as, member):
    thread = make_thread()
    for n in range(1, 31):
        make_post(thread=thread, body=f"Beitrag {n}")
    client = client_as(member)
    assert "ungelesenen" not in text_of(client.get(f"/discussion/{thread.id}"))  # a first visit starts at 1
    assert services.read_numbers(member.id, [thread.id]) == {thread.id: 25}
    html = client.get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert f'href="/discussion/{thread.id}?page=2#beitrag-26"' in html
    assert "Zum ersten ungelesenen Beitrag (Nr. 26)" in text_of(client.get(f"/discussion/{thread.id}"))
    client.get(f"/discussion/{thread.id}?page=2")
    assert services.read_numbers(member.id, [thread.id]) == {thread.id: 30}
    assert "ungelesenen" not in text_of(client.get(f"/discussion/{thread.id}?page=2"))


def test_read_state_is_written_only_when_it_grows(client_as, member):
    thread = make_thread()
    for _ in range(30):
        make_post(thread=thread)
    client = client_as(member)

    def writes(path: str) -> list[str]:
        return [s for s in queries_for(client, path) if "thread_reads" in s and not s.lstrip().startswith("SELECT")]

    assert len(writes(f"/discussion/{thread.id}?page=2")) == 1
    assert writes(f"/discussion/{thread.id}?page=2") == []
    assert writes(f"/discussion/{thread.id}") == []  # page 1 is behind what was read: nothing moves back
    assert fresh_read(member, thread) == 30
    make_post(thread=thread)
    assert len(writes(f"/discussion/{thread.id}?page=2")) == 1
    assert fresh_read(member, thread) == 31


def fresh_read(user, thread) -> int:
    db.session.expire_all()
    return db.session.scalar(select(ThreadRead.last_read_number).where(ThreadRead.user_id == user.id,
                                                                       ThreadRead.thread_id == thread.id))


def test_read_state_never_moves_back(app, member):
    thread = make_thread()
    assert services.mark_read(member.id, thread.id, 10)
    services.mark_read(member.id, thread.id, 4)
    assert services.mark_read(member.id, thread.id, 3, known=10) is False
    assert fresh_read(member, thread) == 10


def test_a_failing_read_state_write_does_not_fail_the_page(member_client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    thread = make_thread()
    make_post(thread=thread, body="Inhalt bleibt sichtbar")

    def locked(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(services, "mark_read", locked)
    response = member_client.get(f"/discussion/{thread.id}")
    assert response.status_code == 200 and "Inhalt bleibt sichtbar" in text_of(response)


def test_rerender_rebuilds_post_html(app):
    post = make_post(body="**fett**")
    post.body_html = "veraltet"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rerender"])
    assert result.exit_code == 0 and "Texte neu erzeugt" in result.output
    assert fresh(Post, post.id).body_html == "<p><strong>fett</strong></p>"


# --- exact under parallel replies ---------------------------------------------------------------------------

@pytest.mark.real_commits  # the requests run in threads of their own
def test_thirty_parallel_replies_get_unique_numbers_and_an_exact_count(app):
    """30 people reply to one thread at the same moment: every post stored, numbered 1..30, no error."""
    thread = make_thread()
    people = [make_user() for _ in range(30)]
    thread_id, user_ids = thread.id, [session_id(person) for person in people]
    db.session.commit()  # the threads see everything; no transaction of this test stays open (SQLite's lock)
    results = run_in_parallel(app, user_ids, f"/discussion/{thread_id}/reply",
                              data={"body": "Bei uns klappt das gut."})
    assert results == [302] * 30
    db.session.expire_all()
    numbers = sorted(db.session.scalars(select(Post.number).where(Post.thread_id == thread_id)))
    assert numbers == list(range(1, 31))
    assert db.session.get(Thread, thread_id).post_count == 30
    authors = set(db.session.scalars(select(Post.author_id).where(Post.thread_id == thread_id)))
    assert len(authors) == 30


# --- bounded queries ----------------------------------------------------------------------------------------

def test_thread_page_query_count_is_the_same_for_5_and_500_posts_and_1_and_50_authors(client_as, member):
    client = client_as(member)
    small, large = make_thread(), make_thread()
    one_author = make_user()
    for _ in range(5):
        make_post(thread=small, author=one_author)
    authors = [make_user() for _ in range(50)]
    for number in range(500):
        make_post(thread=large, author=authors[number % 50], body=f"Beitrag {number} mit **Markdown**")
    counts = {}
    for name, thread in (("small", small), ("large", large)):
        first = len(queries_for(client, f"/discussion/{thread.id}"))  # writes the read state
        again = len(queries_for(client, f"/discussion/{thread.id}"))  # nothing to write
        counts[name] = (first, again)
    assert counts["small"] == counts["large"], counts
    assert counts["small"][1] <= 8, counts


def test_board_list_and_overview_query_counts_are_bounded(client_as, member):
    client = client_as(member)
    board = make_board()
    services.start_thread("Erste", author=make_user(), board=board)
    small = {path: len(queries_for(client, path)) for path in ("/discussion/", f"/discussion/boards/{board.id}")}
    for number in range(40):
        thread = services.start_thread(f"Frage {number}", author=make_user(), board=board)
        make_post(thread=thread, author=make_user())
        make_board()
    large = {path: len(queries_for(client, path)) for path in ("/discussion/", f"/discussion/boards/{board.id}")}
    assert small == large
    assert max(large.values()) <= 8, large


