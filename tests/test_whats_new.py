"""Neu seit Ihrem letzten Besuch (/neu and the dashboard): unread posts by thread with the first unread one, ideas,
events and their documentation — through the pages' visibility rules, never the user's own doings — and "Alles
als gelesen markieren"; the board list and the thread page count unread posts the same way."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from forum.clock import utcnow
from forum.discussion import services as discussion
from forum.events import attachments, services as events
from forum.events.models import EventRegistration
from forum.extensions import db
from forum.ideas import services as ideas
from forum.moderation import services as moderation
from forum.moderation.models import REASONS
from tests.factories import make_board, make_event, make_idea, make_organisation, make_post, make_thread, make_user
from tests.helpers import fresh, queries_for, text_of


def news_text(client) -> str:
    response = client.get("/neu")
    assert response.status_code == 200
    return text_of(response)


def thread_entry(client, thread) -> str | None:
    """The line of /neu for the thread: its link's href and the text after it, or None when it is not listed."""
    html = client.get("/neu").get_data(as_text=True)
    found = re.search(rf'<a class="kern-link" href="(/discussion/{thread.id}[^"]*)">[^<]*</a>\s*(.*?)</p>', html, re.S)
    return f"{found.group(1)} {' '.join(re.sub(r'<[^>]+>', ' ', found.group(2)).split())}" if found else None


def test_a_reply_appears_with_its_unread_count_and_a_link_to_the_first_unread_post(member_client, member):
    thread = make_thread(title="Sprechstunde der Krankenkasse")
    other = make_user()
    for _ in range(2):
        make_post(thread=thread, author=other)
    discussion.mark_read(member.id, thread.id, 2)
    make_post(thread=thread, author=member)  # 3: her own
    make_post(thread=thread, author=other)  # 4: the first unread
    make_post(thread=thread, author=make_user())
    db.session.commit()

    assert thread_entry(member_client, thread) == f"/discussion/{thread.id}#beitrag-4 2 ungelesen"
    assert "2 ungelesene Beiträge in einer Diskussion" in news_text(member_client)
    page = text_of(member_client.get(f"/discussion/{thread.id}"))
    assert "Zum ersten ungelesenen Beitrag (Nr. 4)" in page
    # Having read the page, the thread is no longer new.
    assert thread_entry(member_client, thread) is None


def test_own_posts_never_count_as_unread_anywhere(member_client, member):
    board = make_board()
    thread = make_thread(title="Mein eigenes Thema", author=member)
    thread.board = board
    for _ in range(3):
        make_post(thread=thread, author=member)
    db.session.commit()
    assert thread_entry(member_client, thread) is None
    assert "ungelesen" not in text_of(member_client.get(f"/discussion/boards/{board.id}"))

    make_post(thread=thread, author=make_user())
    make_post(thread=thread, author=member)
    db.session.commit()
    board_page = text_of(member_client.get(f"/discussion/boards/{board.id}"))
    assert "1 ungelesen" in board_page and "Zum ersten ungelesenen Beitrag" in board_page
    assert thread_entry(member_client, thread) == f"/discussion/{thread.id}#beitrag-4 1 ungelesen"


def test_posts_older_than_the_news_window_are_not_new(member_client, member):
    thread = make_thread(title="Altes Thema")
    make_post(thread=thread, created_at=utcnow() - timedelta(days=40))
    db.session.commit()
    assert thread_entry(member_client, thread) is None
    make_post(thread=thread)
    db.session.commit()
    assert thread_entry(member_client, thread) == f"/discussion/{thread.id}#beitrag-2 1 ungelesen"


def test_mark_all_read_empties_the_list_until_something_new_happens(member_client, member):
    thread = make_thread(title="Netzwerkkonferenz")
    make_post(thread=thread)
    make_idea(title="Gesundheitslotsen")
    make_event(title="Regionalkonferenz Nord")
    db.session.commit()
    page = news_text(member_client)
    assert "Netzwerkkonferenz" in page and "Gesundheitslotsen" in page and "Regionalkonferenz Nord" in page

    response = member_client.post("/neu/read-all")
    assert response.status_code == 302 and response.headers["Location"].endswith("/neu")
    assert fresh(type(member), member.id).news_read_at is not None
    page = news_text(member_client)
    assert "Seit Ihrem letzten Besuch gibt es nichts Neues." in page
    assert "Alles als gelesen markieren" not in page
    assert "Netzwerkkonferenz" not in page and "Gesundheitslotsen" not in page

    make_post(thread=thread, created_at=utcnow() + timedelta(seconds=1))
    db.session.commit()
    assert thread_entry(member_client, thread) == f"/discussion/{thread.id}#beitrag-2 1 ungelesen"


def test_mark_all_read_needs_the_csrf_token(app, member_client, member):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        member_client.post("/neu/read-all")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert fresh(type(member), member.id).news_read_at is None


def test_an_unpublished_idea_and_its_discussion_are_new_only_to_its_author_and_the_moderators(client_as, moderator):
    home = make_organisation()
    author, colleague, stranger = make_user(organisation=home), make_user(organisation=home), make_user()
    idea = make_idea(title="Unveröffentlichter Ansatz", status="submitted", author=colleague)
    make_post(thread=idea.thread, author=colleague, body="Erste Gedanken")
    make_post(thread=idea.thread, author=moderator, body="Rückfrage der Moderation")
    db.session.commit()

    assert "Unveröffentlichter Ansatz" not in news_text(client_as(stranger))
    assert "Unveröffentlichter Ansatz" not in news_text(client_as(author))  # same Jobcenter, not its author
    assert thread_entry(client_as(colleague), idea.thread) == f"/discussion/{idea.thread.id}#beitrag-2 1 ungelesen"
    moderation_page = news_text(client_as(moderator))
    assert "Unveröffentlichter Ansatz" in moderation_page
    assert thread_entry(client_as(moderator), idea.thread) == f"/discussion/{idea.thread.id}#beitrag-1 1 ungelesen"


def test_hidden_and_withdrawn_posts_count_only_for_those_who_may_read_them(client_as, member, moderator):
    thread = make_thread(title="Betreuungsschlüssel")
    writer = make_user()
    make_post(thread=thread, author=writer)
    hidden = make_post(thread=thread, author=writer, body="Unsachlich")
    withdrawn = make_post(thread=thread, author=writer, body="Versehen")
    moderation.hide_post(hidden, actor=make_user(role="moderator"), reason=next(iter(REASONS)))
    discussion.withdraw_post(withdrawn, actor=writer)
    db.session.commit()

    assert thread_entry(client_as(member), thread) == f"/discussion/{thread.id}#beitrag-1 1 ungelesen"
    assert thread_entry(client_as(moderator), thread) == f"/discussion/{thread.id}#beitrag-1 2 ungelesen"
    assert thread_entry(client_as(writer), thread) is None


def test_idea_status_changes_and_new_events_appear_but_not_ones_own(client_as, member, moderator, organiser):
    idea = make_idea(title="Familiencoaching", created_at=utcnow() - timedelta(days=60))
    event = make_event(title="Werkstattgespräch Sucht", starts_in=timedelta(days=-3), status="done")
    event.created_at = utcnow() - timedelta(days=60)
    db.session.commit()
    assert "Familiencoaching" not in news_text(client_as(member))
    assert "Werkstattgespräch Sucht" not in news_text(client_as(member))

    ideas.set_idea_status(idea, "in_trial", actor=moderator, reason="Erprobung in drei Jobcentern.")
    events.update_documentation(event, "Die Folien der Impulse.", actor=organiser)
    attachments.add_attachment(event, filename="folien.pdf", stream=io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
                               actor=organiser)
    db.session.commit()
    page = news_text(client_as(member))
    assert "Familiencoaching Status: in Erprobung" in page
    assert "Werkstattgespräch Sucht Dokumentation aktualisiert neue Dateien" in page
    assert f'href="/events/{event.id}#dokumentation"' in client_as(member).get("/neu").get_data(as_text=True)
    assert "Familiencoaching" not in news_text(client_as(moderator))  # his own change
    assert "Werkstattgespräch Sucht" not in news_text(client_as(organiser))

    new_event = events.create_event(events.EventData(
        kind="workshop", title="Werkstattgespräch Wohnen", starts_at=utcnow() + timedelta(days=20),
        ends_at=utcnow() + timedelta(days=20, hours=5), location="Berlin", online_url="", land="BE", description="",
        agenda="", capacity=20, registration_deadline=None, status="open"), actor=organiser)
    db.session.commit()
    assert f"{new_event.title} neu" in news_text(client_as(member))
    assert new_event.title not in news_text(client_as(organiser))


def test_the_dashboard_shows_what_is_new_and_upcoming_events_once(member_client, member):
    thread = make_thread(title="Kinderbetreuung während der Beratung")
    make_post(thread=thread)
    mine = make_event(title="Werkstattgespräch Gesundheit", starts_in=timedelta(days=5))
    other = make_event(title="Regionalkonferenz Süd", starts_in=timedelta(days=6))
    db.session.add(EventRegistration(event_id=mine.id, user_id=member.id, status="registered"))
    db.session.commit()
    html = member_client.get("/").get_data(as_text=True)
    page = text_of(member_client.get("/"))
    assert "Neu seit Ihrem letzten Besuch" in page and "Kinderbetreuung während der Beratung 1 ungelesen" in page
    assert 'href="/neu"' in html
    assert page.count(mine.title) == 2  # under "Meine nächsten Veranstaltungen" and as new, not under "Demnächst"
    upcoming = page.partition("Demnächst")[2].partition("Alle Veranstaltungen")[0]
    assert other.title in upcoming and mine.title not in upcoming

    member_client.post("/neu/read-all")
    page = text_of(member_client.get("/"))
    assert "Seit Ihrem letzten Besuch gibt es nichts Neues." in page and page.count(mine.title) == 1


def test_unread_posts_are_counted_in_the_most_recently_active_threads_and_the_page_says_at_least(
        member_client, member, monkeypatch):
    from forum.main import news

    other = make_user()
    for number in range(3):  # Thema 0 is the least recently active
        thread = make_thread(title=f"Thema {number}")
        for hours in (3, 2):
            make_post(thread=thread, author=other, created_at=utcnow() - timedelta(hours=hours, minutes=10 - number))
    db.session.commit()
    assert "6 ungelesene Beiträge in 3 Diskussionen" in news_text(member_client)
    monkeypatch.setattr(news, "THREADS_COUNTED", 2)
    text = news_text(member_client)
    assert "Mindestens 4 ungelesene Beiträge in 2 oder mehr Diskussionen" in text
    assert "Thema 2" in text and "Thema 1" in text and "Thema 0" not in text


def grow(count: int, member) -> None:
    """count threads with unread posts, ideas with a status change and events with new documentation."""
    moderator, organiser, board = make_user(role="moderator"), make_user(role="organiser"), make_board()
    for number in range(count):
        thread = make_thread(title=f"Thema {number}")
        thread.board = board
        make_post(thread=thread)
        make_post(thread=thread, author=member)
        idea = make_idea(title=f"Ansatz {number}", status="submitted" if number % 2 else "published")
        ideas.set_idea_status(idea, "published" if number % 2 else "in_trial", actor=moderator, reason="Passt.")
        event = make_event(title=f"Veranstaltung {number}")
        events.update_documentation(event, "Protokoll", actor=organiser)
    db.session.commit()


def test_the_number_of_queries_does_not_grow_with_what_is_new(member_client, member):
    grow(5, member)
    small = {path: len(queries_for(member_client, path)) for path in ("/neu", "/")}
    grow(100, member)
    large = {path: len(queries_for(member_client, path)) for path in small}
    assert "Thema 99" in news_text(member_client) and "Veranstaltung 99" in news_text(member_client)
    assert large == small
    assert small["/neu"] <= 8, small
