"""Following threads, ideas and events: the buttons, automatic following, one row under parallel requests."""
from __future__ import annotations

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import func, select

from forum.extensions import db
from forum.ideas import services as idea_services
from forum.notifications import following
from forum.notifications.models import Follow
from tests.factories import make_event, make_idea, make_term, make_thread, make_user
from tests.helpers import run_in_parallel, session_id, text_of

THREAD_PAGE_LINE = '{% with target=thread, target_type="thread" %}{% include "notifications/_follow_button.html" %}' \
                   '{% endwith %}'


def follows_of(target_type: str, target_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Follow.id)).where(
        Follow.target_type == target_type, Follow.target_id == target_id))


# --- the services -------------------------------------------------------------------------------------------

def test_follow_and_unfollow_are_idempotent(app, member):
    thread, idea, event = make_thread(), make_idea(), make_event()
    for target, target_type in ((thread, "thread"), (idea, "idea"), (event, "event")):
        assert following.is_following(member, target) is False
        assert following.follow(member, target) is True
        assert following.follow(member, target) is False
        assert following.is_following(member, target) is True
        assert follows_of(target_type, target.id) == 1
        assert following.unfollow(member, target) is True
        assert following.unfollow(member, target) is False
        assert following.is_following(member, target) is False and follows_of(target_type, target.id) == 0


def test_only_threads_ideas_and_events_can_be_followed(app, member):
    with pytest.raises(TypeError):
        following.follow(member, member.organisation)


def test_submitting_an_idea_follows_it(app, member):
    data = idea_services.IdeaData(title="Gesundheit im Jobcenter", summary="Kurz", sections={"situation": "Lang"},
                                  contact="Erika Beispiel", terms=[make_term()])
    idea = idea_services.submit_idea(data, author=member, organisation=member.organisation)
    assert following.is_following(member, idea)


def test_registering_for_an_event_follows_it_also_on_the_waiting_list(client_as):
    event = make_event(capacity=1)
    first, second = make_user(), make_user()
    for person in (first, second):
        assert client_as(person).post(f"/events/{event.id}/register").status_code == 302
    assert following.is_following(first, event) and following.is_following(second, event)


# --- the buttons --------------------------------------------------------------------------------------------

def test_member_follows_and_unfollows_an_idea_with_the_button(member_client, member):
    idea = make_idea(title="Gesundheit im Fokus")
    page = text_of(member_client.get(f"/ideas/{idea.id}"))
    assert "Diesem Ansatz folgen" in page and "Wer folgt, wird über neue Beiträge benachrichtigt." in page
    response = member_client.post(f"/notifications/follow/idea/{idea.id}", data={"next": f"/ideas/{idea.id}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}"
    page = text_of(member_client.get(f"/ideas/{idea.id}"))
    assert "Sie folgen jetzt „Gesundheit im Fokus“" in page and "Nicht mehr folgen" in page
    assert follows_of("idea", idea.id) == 1

    member_client.post(f"/notifications/unfollow/idea/{idea.id}")
    assert follows_of("idea", idea.id) == 0
    assert "Sie folgen „Gesundheit im Fokus“ nicht mehr." in text_of(member_client.get(f"/ideas/{idea.id}"))


def test_event_page_has_the_follow_button(member_client, member):
    event = make_event()
    page = member_client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'action="/notifications/follow/event/{event.id}"' in page and "Dieser Veranstaltung folgen" in page
    member_client.post(f"/notifications/follow/event/{event.id}")
    page = text_of(member_client.get(f"/events/{event.id}"))
    assert "Sie folgen und werden über neue Beiträge und Folgediskussionen benachrichtigt." in page


def test_the_include_for_the_thread_page_renders_with_one_line(app, member):
    thread = make_thread()
    following.follow(member, thread)
    db.session.commit()
    with app.test_request_context(f"/discussion/{thread.id}"):
        login_user(member)
        html = render_template_string(THREAD_PAGE_LINE, thread=thread)
    assert f'action="/notifications/unfollow/thread/{thread.id}"' in html and "Nicht mehr folgen" in html
    assert 'name="csrf_token"' in html and f'name="next" value="/discussion/{thread.id}"' in html


def test_following_redirects_only_to_local_pages(member_client):
    thread = make_thread()
    for unsafe in ("https://example.org/", "//example.org/", ""):
        response = member_client.post(f"/notifications/follow/thread/{thread.id}", data={"next": unsafe})
        assert response.headers["Location"] == f"/discussion/{thread.id}"


def test_follow_needs_post_a_known_target_and_the_right_to_see_it(member_client, member):
    idea = make_idea()
    assert member_client.get(f"/notifications/follow/idea/{idea.id}").status_code == 405
    assert member_client.post("/notifications/follow/board/1").status_code == 404
    assert member_client.post("/notifications/follow/idea/99999").status_code == 404
    waiting = make_idea(status="submitted")  # someone else's idea, not reviewed yet
    assert member_client.post(f"/notifications/follow/idea/{waiting.id}").status_code == 403
    assert member_client.post(f"/notifications/follow/thread/{waiting.thread.id}").status_code == 403
    assert follows_of("idea", waiting.id) == 0 and follows_of("thread", waiting.thread.id) == 0


def test_anonymous_visitors_are_sent_to_the_login(client):
    thread = make_thread()
    db.session.commit()
    response = client.post(f"/notifications/follow/thread/{thread.id}")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]
    assert follows_of("thread", thread.id) == 0


def test_the_following_page_lists_everything_followed_and_unfollows(member_client, member):
    thread, idea, event = make_thread(title="Fallbesprechungen"), make_idea(title="Gesundheitscoaching"), \
        make_event(title="Werkstattgespräch Sucht")
    for target in (thread, idea, event):
        following.follow(member, target)
    page = text_of(member_client.get("/notifications/following"))
    assert "Diskussion: Fallbesprechungen" in page and "Ansatz: Gesundheitscoaching" in page
    assert "Veranstaltung: Werkstattgespräch Sucht" in page
    member_client.post(f"/notifications/unfollow/event/{event.id}", data={"next": "/notifications/following"})
    page = text_of(member_client.get("/notifications/following"))
    assert "Sie folgen „Werkstattgespräch Sucht“ nicht mehr." in page
    assert "Veranstaltung: Werkstattgespräch Sucht" not in page and "Diskussion: Fallbesprechungen" in page


def test_the_following_page_is_empty_at_first(member_client):
    assert "Sie folgen noch nichts." in text_of(member_client.get("/notifications/following"))


# --- concurrency ---------------------------------------------------------------------------------------------

@pytest.mark.real_commits  # the requests run in threads of their own
def test_parallel_follow_requests_store_one_row(app):
    """The same person presses "Folgen" in 12 tabs at the same moment; then "Nicht mehr folgen" in 12."""
    thread = make_thread()
    person = make_user()
    thread_id, user_id = thread.id, session_id(person)
    db.session.commit()
    results = run_in_parallel(app, [user_id] * 12, f"/notifications/follow/thread/{thread_id}")
    assert results == [302] * 12
    assert follows_of("thread", thread_id) == 1
    db.session.commit()
    results = run_in_parallel(app, [user_id] * 12, f"/notifications/unfollow/thread/{thread_id}")
    assert results == [302] * 12
    assert follows_of("thread", thread_id) == 0
    db.session.commit()


@pytest.mark.real_commits  # the requests run in threads of their own
def test_many_people_follow_at_once_each_once(app):
    event = make_event()
    people = [make_user() for _ in range(20)]
    event_id, user_ids = event.id, [session_id(person) for person in people]
    db.session.commit()
    results = run_in_parallel(app, [user_id for user_id in user_ids for _twice in range(2)],
                              f"/notifications/follow/event/{event_id}")
    assert results == [302] * 40
    assert follows_of("event", event_id) == 20
    db.session.commit()
