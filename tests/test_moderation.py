"""Moderation in place: hide/unhide/pin posts, pin/lock/move/rename threads, moderator edits, suspensions, the
audit log with filters and CSV export — and the permission matrix of every moderation rule.

Reports and the queue are in test_reports.py, redaction in test_redaction.py.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from forum import permissions
from forum.accounts.models import User
from forum.clock import utcnow
from forum.discussion.models import Post, Thread
from forum.extensions import db
from forum.audit import AuditEntry
from forum.notifications.models import Notification
from tests.factories import PASSWORD, make_board, make_event, make_idea, make_post, make_thread, make_user
from tests.helpers import MODERATION_MATRIX, ROLES, actor, audit, count_queries, fresh, text_of

SECRET = "Vertrauliche Bemerkung über Kollegen"


def board_thread(**post_kwargs):
    """A thread in a Fachforum with two posts: the first by someone, the second as given."""
    board = make_board()
    thread = make_thread()
    thread.board = board
    make_post(thread=thread, body="Wie machen Sie das mit der Kinderbetreuung?")
    post = make_post(thread=thread, **post_kwargs)
    return thread, post


# --- the permission matrix (its table, MODERATION_MATRIX, is in tests/helpers.py) ---------------------------

def moderation_target(state: str | None, user):
    """A post, thread or account in the given state; "own" posts are written by `user`, "self" is `user`."""
    if state is None:
        return None
    if state == "self":
        return user if not isinstance(user, AnonymousUserMixin) else make_user()
    if state.startswith(("active_", "suspended_")):
        status, role = state.split("_")
        return make_user(role=role, status=status)
    if state == "event_thread":
        return make_event().main_thread
    if state == "idea_thread":
        return make_idea().thread
    if state.endswith("thread") and "post" not in state:
        thread = make_thread()
        thread.locked_at = utcnow() if state == "locked_thread" else None
        thread.pinned_at = utcnow() if state == "pinned_thread" else None
        return thread
    own = state.startswith("own") and not isinstance(user, AnonymousUserMixin)
    thread = make_idea(status="submitted").thread if "submitted_idea" in state else make_thread()
    post = make_post(thread=thread, author=user if own else make_user())
    post.withdrawn_at = utcnow() if "withdrawn" in state else None
    post.hidden_at = utcnow() if "hidden" in state else None
    post.pinned_at = utcnow() if "pinned" in state else None
    post.thread.locked_at = utcnow() if "locked" in state else None
    return post


@pytest.mark.parametrize("rule, state", sorted(MODERATION_MATRIX, key=str))
@pytest.mark.parametrize("role", ROLES)
def test_moderation_matrix(app, rule, state, role):
    user = actor(role)
    target = moderation_target(state, user)
    predicate = getattr(permissions, rule)
    allowed = predicate(user) if state is None else predicate(user, target)
    assert allowed is (role in MODERATION_MATRIX[(rule, state)])


@pytest.mark.parametrize("rule, state", sorted(MODERATION_MATRIX, key=str))
def test_suspended_moderators_may_moderate_nothing(app, rule, state):
    user = actor("admin", "suspended")
    target = moderation_target(state, user)
    predicate = getattr(permissions, rule)
    assert (predicate(user) if state is None else predicate(user, target)) is False


@pytest.mark.parametrize("path", [
    "/moderation/reports", "/moderation/users", "/moderation/log",
])
def test_moderation_pages_answer_403_to_members_and_organisers(client_as, path):
    for role in ("member", "organiser"):
        assert client_as(make_user(role=role)).get(path).status_code == 403, (path, role)
    for role in ("moderator", "admin"):
        assert client_as(make_user(role=role)).get(path).status_code == 200, (path, role)


def test_moderation_actions_answer_403_to_members_and_change_nothing(client_as, member):
    thread, post = board_thread()
    db.session.commit()
    client = client_as(member)
    posts = [f"/moderation/posts/{post.id}/{action}" for action in ("hide", "unhide", "pin", "unpin", "redact")]
    threads = [f"/moderation/threads/{thread.id}/{action}" for action in ("pin", "unpin", "lock", "unlock", "move",
                                                                         "rename")]
    for path in posts + threads:
        assert client.post(path, data={"reason": "insult", "title": "Neu", "passage": "Kinder"}).status_code == 403
    assert fresh(Post, post.id).hidden_at is None and fresh(Thread, thread.id).locked_at is None
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_anonymous_visitors_are_sent_to_the_login(client):
    post = make_post()
    db.session.commit()
    response = client.post(f"/moderation/posts/{post.id}/hide", data={"reason": "spam"})
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]
    assert fresh(Post, post.id).hidden_at is None


# --- hide and unhide ----------------------------------------------------------------------------------------

def test_moderator_hides_a_post_members_see_the_reason_author_and_moderators_the_text(client_as, moderator,
                                                                                      outbox):
    author = make_user(display_name="Anna Autorin")
    thread, post = board_thread(author=author, body=SECRET)
    db.session.commit()
    response = client_as(moderator).post(f"/moderation/posts/{post.id}/hide",
                                         data={"reason": "insult", "note": "Bitte sachlich bleiben."})
    assert response.status_code == 302 and f"beitrag-{post.number}" in response.headers["Location"]

    member_view = text_of(client_as(make_user()).get(f"/discussion/{thread.id}"))
    assert "Dieser Beitrag wurde von der Moderation ausgeblendet." in member_view
    assert "Beleidigung oder persönlicher Angriff" in member_view and "Bitte sachlich bleiben." in member_view
    assert SECRET not in member_view
    author_view = text_of(client_as(author).get(f"/discussion/{thread.id}"))
    assert SECRET in author_view and "ausgeblendet" in author_view
    assert SECRET in text_of(client_as(moderator).get(f"/discussion/{thread.id}"))

    note = db.session.scalar(select(Notification).where(Notification.user_id == author.id))
    assert note.kind == "post_hidden" and note.detail == "insult"
    mail = outbox(author.email)[-1]
    assert "ausgeblendet" in mail.subject and "Bitte sachlich bleiben." in mail.body and SECRET not in mail.body
    [entry] = audit("post.hide")
    assert entry.actor_id == moderator.id and entry.snapshot["text"] == SECRET
    assert "Bitte sachlich bleiben." in entry.reason


def test_hiding_a_hidden_post_again_changes_nothing_and_says_so(client_as, moderator):
    _thread, post = board_thread()
    db.session.commit()
    client = client_as(moderator)
    client.post(f"/moderation/posts/{post.id}/hide", data={"reason": "spam"})
    response = client.post(f"/moderation/posts/{post.id}/hide", data={"reason": "insult"}, follow_redirects=True)
    assert "war bereits ausgeblendet" in text_of(response)
    assert len(audit("post.hide")) == 1 and fresh(Post, post.id).hidden_reason == "spam"


def test_hide_form_without_reason_shows_a_german_message_and_keeps_the_note(client_as, moderator):
    _thread, post = board_thread()
    db.session.commit()
    response = client_as(moderator).post(f"/moderation/posts/{post.id}/hide",
                                         data={"reason": "", "note": "Mein Hinweis"})
    assert response.status_code == 200
    assert "Bitte wählen Sie einen Grund." in text_of(response) and "Mein Hinweis" in text_of(response)
    assert fresh(Post, post.id).hidden_at is None


def test_actions_on_unknown_posts_and_threads_answer_404(moderator_client):
    assert moderator_client.post("/moderation/posts/999999/hide", data={"reason": "spam"}).status_code == 404
    assert moderator_client.post("/moderation/threads/999999/pin").status_code == 404
    assert moderator_client.get("/moderation/reports/posts/999999").status_code == 404


def test_unhide_shows_the_post_again_and_is_audited(client_as, moderator):
    thread, post = board_thread(body=SECRET)
    db.session.commit()
    client = client_as(moderator)
    client.post(f"/moderation/posts/{post.id}/hide", data={"reason": "off_topic"})
    client.post(f"/moderation/posts/{post.id}/unhide")
    assert SECRET in text_of(client_as(make_user()).get(f"/discussion/{thread.id}"))
    assert len(audit("post.unhide")) == 1
    response = client.post(f"/moderation/posts/{post.id}/unhide", follow_redirects=True)
    assert "war nicht ausgeblendet" in text_of(response) and len(audit("post.unhide")) == 1


def test_hidden_posts_reach_members_nowhere(client_as, moderator, outbox):
    """Thread page, pinned section, quote, revisions, notifications, mails, board list: no text of a hidden post."""
    author = make_user()
    follower = make_user(display_name="Fritz Folgt")
    thread, post = board_thread(author=author, body=SECRET)
    db.session.commit()
    client_as(follower).post(f"/notifications/follow/thread/{thread.id}")
    client_as(author).post(f"/discussion/posts/{post.id}/edit", data={"body": SECRET + " (ergänzt)", "version": 1})
    client_as(author).post(f"/discussion/{thread.id}/reply", data={"body": f"Nachtrag: {SECRET}"})
    client_as(moderator).post(f"/moderation/posts/{post.id}/pin")
    reply = db.session.scalar(select(Post).where(Post.thread_id == thread.id).order_by(Post.number.desc()))
    client = client_as(moderator)
    client.post(f"/moderation/posts/{post.id}/hide", data={"reason": "client_data"})
    client.post(f"/moderation/posts/{reply.id}/hide", data={"reason": "client_data"})

    reader = client_as(follower)
    pages = [f"/discussion/{thread.id}", f"/discussion/boards/{thread.board_id}", "/notifications/", "/",
             f"/discussion/{thread.id}/reply?quote={post.id}", f"/discussion/{thread.id}/reply?quote={reply.id}"]
    for path in pages:
        response = reader.get(path)
        assert response.status_code == 200, path
        assert SECRET not in response.get_data(as_text=True), path
    assert reader.get(f"/discussion/posts/{post.id}/revisions").status_code == 403
    assert "Angeheftet" not in text_of(reader.get(f"/discussion/{thread.id}"))
    assert all(SECRET not in message.body and SECRET not in message.subject for message in outbox(follower.email))


# --- pin posts ----------------------------------------------------------------------------------------------

def test_pinned_post_is_shown_highlighted_at_the_top_of_every_page(client_as, moderator):
    thread = make_thread()
    summary = make_post(thread=thread, author=moderator, body="**Zusammenfassung der Servicestelle**")
    for number in range(30):
        make_post(thread=thread, body=f"Antwort {number}")
    db.session.commit()
    assert client_as(moderator).post(f"/moderation/posts/{summary.id}/pin").status_code == 302
    member = client_as(make_user())
    second_page = member.get(f"/discussion/{thread.id}?page=2").get_data(as_text=True)
    assert 'id="angeheftet-titel"' in second_page and "Zusammenfassung der Servicestelle" in second_page
    assert len(audit("post.pin")) == 1
    client_as(moderator).post(f"/moderation/posts/{summary.id}/unpin")
    assert 'id="angeheftet-titel"' not in member.get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert len(audit("post.unpin")) == 1


def test_pinning_a_hidden_post_changes_nothing(client_as, moderator):
    _thread, post = board_thread()
    db.session.commit()
    client = client_as(moderator)
    client.post(f"/moderation/posts/{post.id}/hide", data={"reason": "spam"})
    response = client.post(f"/moderation/posts/{post.id}/pin", follow_redirects=True)
    assert "bereits angeheftet oder nicht sichtbar" in text_of(response)
    assert fresh(Post, post.id).pinned_at is None and audit("post.pin") == []


# --- threads ------------------------------------------------------------------------------------------------

def test_pinned_thread_comes_first_in_its_board(client_as, moderator):
    board = make_board()
    old, new = make_thread(title="Alte Frage"), make_thread(title="Neue Frage")
    old.board = new.board = board
    old.last_activity_at = utcnow() - timedelta(days=30)
    db.session.commit()
    member = client_as(make_user())
    listing = text_of(member.get(f"/discussion/boards/{board.id}"))
    assert listing.index("Neue Frage") < listing.index("Alte Frage")
    client_as(moderator).post(f"/moderation/threads/{old.id}/pin")
    listing = text_of(member.get(f"/discussion/boards/{board.id}"))
    assert listing.index("Alte Frage") < listing.index("Neue Frage")
    client_as(moderator).post(f"/moderation/threads/{old.id}/unpin")
    assert [entry.action for entry in audit("thread.pin") + audit("thread.unpin")] == ["thread.pin", "thread.unpin"]


def test_locked_thread_says_who_locked_it_when_and_why_and_refuses_replies(client_as):
    moderator = make_user(role="moderator", display_name="Maria Moderation")
    thread, _post = board_thread()
    db.session.commit()
    response = client_as(moderator).post(f"/moderation/threads/{thread.id}/lock",
                                         data={"reason": "Die Frage ist beantwortet."})
    assert response.status_code == 302
    member = client_as(make_user())
    page = text_of(member.get(f"/discussion/{thread.id}"))
    assert "Geschlossen von Maria Moderation am" in page and "Begründung: Die Frage ist beantwortet." in page
    assert member.post(f"/discussion/{thread.id}/reply", data={"body": "Noch was"}).status_code == 403
    [entry] = audit("thread.lock")
    assert entry.reason == "Die Frage ist beantwortet."
    client_as(moderator).post(f"/moderation/threads/{thread.id}/unlock")
    assert member.post(f"/discussion/{thread.id}/reply", data={"body": "Noch was"}).status_code == 302


def test_locking_needs_a_reason_and_keeps_the_form(client_as, moderator):
    thread, _post = board_thread()
    db.session.commit()
    response = client_as(moderator).post(f"/moderation/threads/{thread.id}/lock", data={"reason": "  "})
    assert response.status_code == 200 and "Bitte geben Sie eine Begründung an." in text_of(response)
    assert fresh(Thread, thread.id).locked_at is None


def test_locking_a_locked_thread_is_a_no_op_with_a_message(client_as, moderator):
    thread, _post = board_thread()
    db.session.commit()
    client = client_as(moderator)
    client.post(f"/moderation/threads/{thread.id}/lock", data={"reason": "Erledigt"})
    response = client.post(f"/moderation/threads/{thread.id}/lock", data={"reason": "Nochmal"}, follow_redirects=True)
    assert "war bereits geschlossen" in text_of(response)
    assert len(audit("thread.lock")) == 1 and fresh(Thread, thread.id).lock_reason == "Erledigt"


def test_moving_a_thread_to_another_board(client_as, moderator):
    thread, _post = board_thread()
    target = make_board(title="Netzwerkarbeit vor Ort")
    db.session.commit()
    client = client_as(moderator)
    assert "Netzwerkarbeit vor Ort" in text_of(client.get(f"/moderation/threads/{thread.id}/move"))
    response = client.post(f"/moderation/threads/{thread.id}/move", data={"board_id": target.id, "reason": "passt"})
    assert response.status_code == 302 and fresh(Thread, thread.id).board_id == target.id
    [entry] = audit("thread.move")
    assert entry.snapshot["to"] == "Netzwerkarbeit vor Ort" and entry.reason == "passt"
    assert client.post(f"/moderation/threads/{thread.id}/move", data={"board_id": 999999}).status_code == 200


def test_an_events_own_discussion_cannot_be_moved(client_as, moderator):
    event = make_event()
    db.session.commit()
    assert client_as(moderator).get(f"/moderation/threads/{event.main_thread.id}/move").status_code == 403


def test_renaming_a_thread_changes_its_title_everywhere_and_is_audited(client_as, moderator):
    thread, _post = board_thread()
    old_title = thread.title
    db.session.commit()
    client = client_as(moderator)
    response = client.post(f"/moderation/threads/{thread.id}/rename",
                           data={"title": "Kinderbetreuung während der Beratung", "reason": "Klarer Titel"})
    assert response.status_code == 302
    assert "Kinderbetreuung während der Beratung" in text_of(client_as(make_user()).get(
        f"/discussion/boards/{thread.board_id}"))
    [entry] = audit("thread.rename")
    assert entry.snapshot == {"before": old_title, "after": "Kinderbetreuung während der Beratung"}
    response = client.post(f"/moderation/threads/{thread.id}/rename", data={"title": ""})
    assert response.status_code == 200 and "Bitte geben Sie einen Titel an." in text_of(response)


def test_thread_page_shows_moderation_tools_only_to_moderators(client_as, moderator):
    thread, _post = board_thread()
    db.session.commit()
    assert "Moderation dieser Diskussion" in text_of(client_as(moderator).get(f"/discussion/{thread.id}"))
    member_page = text_of(client_as(make_user()).get(f"/discussion/{thread.id}"))
    assert "Moderation dieser Diskussion" not in member_page and "Ausblenden" not in member_page
    assert "Melden" in member_page


# --- moderator edits ----------------------------------------------------------------------------------------

def test_moderator_edits_someone_elses_post_with_a_revision_and_an_audit_entry(client_as, moderator):
    author = make_user()
    thread, post = board_thread(author=author, body="Ursprünglicher Text mit Tippfeler")
    db.session.commit()
    response = client_as(moderator).post(f"/discussion/posts/{post.id}/edit",
                                         data={"body": "Ursprünglicher Text mit Tippfehler", "version": 1})
    assert response.status_code == 302
    assert fresh(Post, post.id).body_source == "Ursprünglicher Text mit Tippfehler"
    [entry] = audit("post.edit")
    assert entry.actor_id == moderator.id and entry.snapshot["before"] == "Ursprünglicher Text mit Tippfeler"
    assert client_as(author).get(f"/discussion/posts/{post.id}/revisions").status_code == 200


def test_authors_own_edits_are_not_audited(client_as):
    author = make_user()
    _thread, post = board_thread(author=author)
    db.session.commit()
    client_as(author).post(f"/discussion/posts/{post.id}/edit", data={"body": "Neu", "version": 1})
    assert audit("post.edit") == []


# --- suspensions --------------------------------------------------------------------------------------------

def login(client, user):
    return client.post("/accounts/login", data={"email": user.email, "password": PASSWORD})


def test_moderator_suspends_a_member_until_a_date_who_is_logged_out_and_told_why(client, client_as, moderator,
                                                                                   outbox):
    member = make_user(display_name="Sven Sperre")
    db.session.commit()
    member_client = client_as(member)
    assert member_client.get("/").status_code == 200
    until = (utcnow() + timedelta(days=10)).date()
    response = client_as(moderator).post(f"/moderation/users/{member.id}/suspend",
                                         data={"reason": "Wiederholt beleidigend", "until": until.isoformat()})
    assert response.status_code == 302
    assert member_client.get("/").status_code == 302  # every session ended
    refused = text_of(login(client, member))
    assert f"Ihr Konto ist bis einschließlich {until:%d.%m.%Y} gesperrt." in refused
    assert "Wiederholt beleidigend" in refused
    [entry] = audit("user.suspend")
    assert entry.reason == "Wiederholt beleidigend" and entry.snapshot["until"]
    assert "gesperrt" in outbox(member.email)[-1].subject


def test_a_suspension_ends_by_itself_at_its_end_date(client, moderator):
    member = make_user()
    db.session.commit()
    member.status, member.status_reason = "suspended", "Pause"
    member.suspended_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = login(client, member)
    assert response.status_code == 302 and fresh(User, member.id).status == "active"
    [entry] = audit("user.suspension_ended")
    assert entry.actor_id is None


def test_suspension_without_end_date_lasts_until_reactivated(client, client_as, moderator, outbox):
    member = make_user()
    db.session.commit()
    client_as(moderator).post(f"/moderation/users/{member.id}/suspend", data={"reason": "Spam"})
    assert "Ihr Konto ist gesperrt." in text_of(login(client, member))
    client_as(moderator).post(f"/moderation/users/{member.id}/reactivate")
    assert fresh(User, member.id).status == "active" and len(audit("user.reactivate")) == 1
    assert login(client, member).status_code == 302
    assert "wieder freigeschaltet" in outbox(member.email)[-1].subject


def test_suspension_needs_a_reason_and_a_date_not_in_the_past(client_as, moderator):
    member = make_user()
    db.session.commit()
    client = client_as(moderator)
    response = client.post(f"/moderation/users/{member.id}/suspend", data={"reason": "", "until": "2020-01-01"})
    page = text_of(response)
    assert response.status_code == 200
    assert "Bitte geben Sie eine Begründung an." in page and "Das Datum liegt in der Vergangenheit." in page
    response = client.post(f"/moderation/users/{member.id}/suspend", data={"reason": "Grund", "until": "morgen"})
    assert "Bitte geben Sie ein Datum an" in text_of(response) and 'value="Grund"' not in text_of(response)
    assert "Grund" in response.get_data(as_text=True)
    assert fresh(User, member.id).status == "active"


def test_moderators_cannot_suspend_moderators_admins_or_themselves(client_as, moderator):
    colleague, admin = make_user(role="moderator"), make_user(role="admin")
    db.session.commit()
    client = client_as(moderator)
    for target in (colleague, admin, moderator):
        assert client.post(f"/moderation/users/{target.id}/suspend", data={"reason": "x"}).status_code == 403
    assert client_as(admin).post(f"/moderation/users/{colleague.id}/suspend", data={"reason": "x"}).status_code == 302


def test_moderators_find_accounts_by_name_and_see_suspended_ones(client_as, moderator):
    make_user(display_name="Gerda Gesperrt", status="suspended")
    make_user(display_name="Anton Aktiv")
    db.session.commit()
    client = client_as(moderator)
    page = text_of(client.get("/moderation/users?status=suspended"))
    assert "Gerda Gesperrt" in page and "Anton Aktiv" not in page and "Sperre aufheben" in page
    page = text_of(client.get("/moderation/users?q=anton"))
    assert "Anton Aktiv" in page and "Gerda Gesperrt" not in page


# --- the audit log ------------------------------------------------------------------------------------------

def make_entries(moderator, count: int = 3):
    from forum.audit import record

    thread = make_thread(title="Protokollierte Diskussion")
    for _ in range(count):
        record(moderator, "thread.pin", thread, snapshot={"title": thread.title})
    return thread


def test_audit_log_filters_by_actor_action_target_and_date(client_as, moderator):
    other = make_user(role="admin", display_name="Ada Admin")
    thread = make_entries(moderator, 2)
    from forum.audit import record

    record(other, "thread.lock", thread, reason="Weil", snapshot={"title": thread.title})
    old = record(other, "user.suspend", make_user(), reason="Alt")
    old.created_at = utcnow() - timedelta(days=40)
    db.session.commit()
    client = client_as(moderator)

    def count(query: str) -> int:
        html = client.get(f"/moderation/log?{query}").get_data(as_text=True)
        return len(html.split('<tr class="kern-table__row">')) - 2

    assert count("") == 4
    assert count(f"actor={other.id}") == 2
    assert count("action=thread.pin") == 2
    assert count("target=users") == 1
    day = (utcnow() - timedelta(days=5)).date().isoformat()
    assert count(f"date_from={day}") == 3
    assert count(f"date_to={day}") == 1


def test_audit_log_reports_bad_filter_values_in_german_instead_of_failing(client_as, moderator):
    make_entries(moderator)
    db.session.commit()
    response = client_as(moderator).get("/moderation/log?date_from=gestern&actor=abc&action=drop+table")
    assert response.status_code == 200
    assert "Bitte geben Sie ein Datum an" in text_of(response)
    assert "gestern" in response.get_data(as_text=True)
    response = client_as(moderator).get("/moderation/log?date_from=2026-05-02&date_to=2026-05-01")
    assert "Das Enddatum liegt vor dem Anfangsdatum." in text_of(response)


def test_audit_log_is_paginated_and_keeps_the_filters(client_as, moderator):
    make_entries(moderator, 55)
    db.session.commit()
    page = client_as(moderator).get("/moderation/log?action=thread.pin").get_data(as_text=True)
    assert "Seite 1 von 2" in page and "action=thread.pin" in page and "page=2" in page


def test_audit_log_export_is_csv_with_the_filters_and_is_itself_audited(client_as, moderator):
    thread = make_entries(moderator, 2)
    from forum.audit import record

    record(moderator, "thread.rename", thread, reason="=HYPERLINK(\"http://x\")", snapshot={"before": "a"})
    db.session.commit()
    response = client_as(moderator).post("/moderation/log/export?action=thread.rename")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data().decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and "Diskussion umbenannt" in lines[1]
    assert "'=HYPERLINK" in lines[1]  # no formula for Excel
    [entry] = audit("audit_log.export")
    assert entry.actor_id == moderator.id and entry.snapshot == {"filters": {"action": "thread.rename"}, "rows": 1}


def test_audit_log_export_is_a_post_and_members_may_not(client_as, moderator, member):
    db.session.commit()
    assert client_as(moderator).get("/moderation/log/export").status_code == 405
    assert client_as(member).post("/moderation/log/export").status_code == 403


def test_audit_log_has_no_route_that_changes_or_deletes_entries(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/moderation/log"):
            methods = rule.methods - {"HEAD", "OPTIONS"}
            assert methods == ({"POST"} if rule.endpoint == "moderation.export_audit_log" else {"GET"}), rule
    from forum.moderation import services

    assert not [name for name in dir(services) if name.startswith(("delete_", "update_", "edit_"))]


def test_audit_log_and_thread_page_query_counts_do_not_grow_with_the_data(client_as, moderator):
    client = client_as(moderator)
    small = make_thread()
    make_post(thread=small)
    make_entries(moderator, 2)
    db.session.commit()

    def statements(path):
        client.get(path)
        with count_queries() as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    before = (statements("/moderation/log"), statements(f"/discussion/{small.id}"))
    large = make_thread()
    for number in range(60):
        post = make_post(thread=large, body=f"Beitrag {number}")
        post.hidden_at = utcnow() if number % 3 == 0 else None
        post.pinned_at = utcnow() if number % 7 == 1 else None
    make_entries(moderator, 60)
    db.session.commit()
    after = (statements("/moderation/log"), statements(f"/discussion/{large.id}"))
    assert before == after
    assert max(after) <= 10, after


def test_audit_entries_show_in_english_for_english_users(client_as):
    moderator = make_user(role="moderator", language="en")
    make_entries(moderator, 1)
    db.session.commit()
    page = text_of(client_as(moderator).get("/moderation/log"))
    assert "Discussion pinned" in page and "Moderation log" in page


def test_audit_snapshot_keeps_the_text_of_a_hidden_post_as_it_was(client_as, moderator):
    _thread, post = board_thread(body="Fassung zum Zeitpunkt")
    db.session.commit()
    client_as(moderator).post(f"/moderation/posts/{post.id}/hide", data={"reason": "spam"})
    post = fresh(Post, post.id)
    post.body_source = "später geändert"
    db.session.commit()
    [entry] = audit("post.hide")
    assert json.loads(json.dumps(entry.snapshot))["text"] == "Fassung zum Zeitpunkt"


def test_confirming_a_hiding_by_a_client_data_report_replaces_pending_review(client_as, moderator):
    author = make_user()
    thread, post = board_thread(author=author, body="Kundennummer 123D456789")
    db.session.commit()
    client_as(make_user()).post(f"/moderation/posts/{post.id}/report", data={"reason": "client_data"})
    assert "wird geprüft" in text_of(client_as(make_user()).get(f"/discussion/{thread.id}"))
    response = client_as(moderator).post(f"/moderation/reports/posts/{post.id}/resolve",
                                         data={"outcome": "hidden", "reason": "", "note": "Sozialdaten bestätigt"})
    assert response.status_code == 302
    hidden = fresh(Post, post.id)
    assert hidden.hidden_by_id == moderator.id and hidden.hidden_note == "Sozialdaten bestätigt"
    page = text_of(client_as(make_user()).get(f"/discussion/{thread.id}"))
    assert "wird geprüft" not in page and "Sozialdaten bestätigt" in page
    assert len(audit("post.hide")) == 1 and len(audit("post.auto_hide")) == 1


def test_audit_log_shows_a_renamed_thread_in_german_english_and_the_csv(client_as, moderator):
    from forum.moderation.services import rename_thread

    thread = make_thread(title="Alter Titel")
    rename_thread(thread, "Neuer Titel", actor=moderator, reason="Tippfehler")
    db.session.commit()
    client = client_as(moderator)
    page = client.get("/moderation/log")
    assert page.status_code == 200
    assert "Diskussion umbenannt" in text_of(page) and "Diskussion: Neuer Titel" in text_of(page)
    moderator.language = "en"
    db.session.commit()
    english = client_as(moderator).get("/moderation/log")
    assert english.status_code == 200 and "Neuer Titel" in text_of(english) and "Moderation log" in text_of(english)
    csv = client.post("/moderation/log/export").get_data().decode("utf-8-sig")
    assert "Discussion renamed;Discussion: Neuer Titel" in csv


@pytest.mark.parametrize("snapshot", [{}, {"before": "a", "after": "b"}, {"after": ["x"]}, {"before": {"title": 1}},
                                      {"number": None, "thread": None}, {"after": None}])
def test_audit_log_renders_every_action_kind_whatever_its_snapshot_holds(client_as, moderator, snapshot):
    from forum.audit import AuditEntry
    from forum.audit import ACTION_LABELS, TARGET_LABELS

    targets = list(TARGET_LABELS)
    for number, action in enumerate(ACTION_LABELS):
        db.session.add(AuditEntry(actor_id=moderator.id, action=action, target_type=targets[number % len(targets)],
                                  target_id=number + 1, snapshot=snapshot))
    db.session.commit()
    client = client_as(moderator)
    for page in (1, 2):
        assert client.get(f"/moderation/log?page={page}").status_code == 200
    assert client.post("/moderation/log/export").status_code == 200
