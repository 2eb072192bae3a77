"""The SQL filters of forum/permissions.py: who is who (the moderators, told about reports; the service office's
staff, actors in the Moderationsprotokoll's filter), and what each person sees — every filter must say exactly what
its can_… predicate says for every state of threads and posts."""
from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import User
from forum.discussion.models import Post, Thread
from forum.extensions import db
from forum.permissions import (can_read_post, can_view_thread, moderator_accounts, post_shown_as, readable_posts,
                               staff_users, thread_readers, visible_posts, visible_threads)
from tests.factories import make_idea, make_post, make_thread, make_user


def test_moderator_accounts_are_moderators_and_admins_and_staff_adds_organisers(app):
    people = {role: make_user(role=role) for role in ("member", "organiser", "moderator", "admin")}

    def roles(condition) -> set[str]:
        ids = set(db.session.scalars(select(User.id).where(condition)))
        return {role for role, person in people.items() if person.id in ids}

    assert roles(moderator_accounts()) == {"moderator", "admin"}
    assert roles(staff_users()) == {"organiser", "moderator", "admin"}


def test_the_audit_log_offers_staff_but_no_members_as_actors(client_as, moderator):
    member = make_user(role="member", display_name="Mia Mitglied")
    organiser = make_user(role="organiser", display_name="Otto Organisator")
    page = client_as(moderator).get("/moderation/log").get_data(as_text=True)
    assert organiser.display_name in page and member.display_name not in page


# --- each SQL filter says what its predicate says -------------------------------------------------------------

def _world():
    """Threads of every kind (standalone, of a published and of a submitted idea) with posts in every state, and
    everyone who looks at them: each role, the idea's and the posts' author, a suspended member, anonymous."""
    from flask_login import AnonymousUserMixin

    from forum.clock import utcnow

    idea_author = make_user(display_name="Ida Idee")
    post_author = make_user(display_name="Paul Post")
    threads = [make_thread(), make_idea(status="published", author=idea_author).thread,
               make_idea(status="submitted", author=idea_author).thread]
    posts = []
    for thread in threads:
        for state in ("shown", "hidden", "pending", "withdrawn"):
            post = make_post(thread=thread, author=post_author)
            if state == "hidden":
                post.hidden_at, post.hidden_reason = utcnow(), "other"
                post.hidden_by_id = make_user(role="moderator").id
            elif state == "pending":
                post.hidden_at, post.hidden_reason = utcnow(), "client_data"
            elif state == "withdrawn":
                post.withdrawn_at = utcnow()
            posts.append(post)
    db.session.flush()
    viewers = [make_user(role=role) for role in ("member", "organiser", "moderator", "admin")]
    viewers += [idea_author, post_author, make_user(status="suspended"), AnonymousUserMixin()]
    return threads, posts, viewers


def test_visible_threads_visible_posts_and_readable_posts_match_their_predicates(app):
    threads, posts, viewers = _world()
    thread_ids, post_ids = [thread.id for thread in threads], [post.id for post in posts]
    for viewer in viewers:
        seen_threads = set(db.session.scalars(visible_threads(viewer, select(Thread.id).where(
            Thread.id.in_(thread_ids)))))
        assert seen_threads == {thread.id for thread in threads if can_view_thread(viewer, thread)}, viewer
        seen_posts = set(db.session.scalars(visible_posts(viewer, select(Post.id).where(Post.id.in_(post_ids)))))
        assert seen_posts == {post.id for post in posts if can_view_thread(viewer, post.thread)}, viewer
        readable = set(db.session.scalars(readable_posts(viewer, select(Post.id).where(Post.id.in_(post_ids)))))
        assert readable == {post.id for post in posts if can_read_post(viewer, post)}, viewer
        for thread in threads:  # the one-thread form (thread page, read state) says the same for each thread
            in_thread = {post.id for post in posts if post.thread_id == thread.id}
            assert set(db.session.scalars(visible_posts(viewer, select(Post.id), thread=thread))) == \
                seen_posts & in_thread, (viewer, thread)
            assert set(db.session.scalars(readable_posts(viewer, select(Post.id), thread=thread))) == \
                readable & in_thread, (viewer, thread)
    # the world really has differences: a member reads fewer posts than a moderator, and the submitted idea's
    # thread is hidden from members
    member, moderator = viewers[0], viewers[2]
    assert len(set(db.session.scalars(readable_posts(member, select(Post.id).where(Post.id.in_(post_ids)))))) == 2
    assert len(set(db.session.scalars(readable_posts(moderator, select(Post.id).where(Post.id.in_(post_ids)))))) == 12


def test_thread_readers_are_exactly_the_people_who_may_see_the_thread(app):
    threads, _posts, viewers = _world()
    people = [viewer for viewer in viewers if isinstance(viewer, User)]
    for thread in threads:
        readers = set(db.session.scalars(select(User.id).where(thread_readers(thread),
                                                               User.id.in_([person.id for person in people]))))
        assert readers == {person.id for person in people if can_view_thread(person, thread)}, thread.title


def test_post_shown_as_gives_text_hidden_text_or_placeholder(app):
    _threads, posts, viewers = _world()
    member, moderator, post_author = viewers[0], viewers[2], viewers[5]
    shown, hidden, pending, withdrawn = posts[:4]
    assert [post_shown_as(member, post) for post in (shown, hidden, pending, withdrawn)] == [
        "text", "placeholder", "placeholder", "placeholder"]
    assert [post_shown_as(moderator, post) for post in (shown, hidden, pending, withdrawn)] == [
        "text", "hidden_text", "hidden_text", "placeholder"]
    assert post_shown_as(post_author, hidden) == "hidden_text"
    assert post_shown_as(post_author, withdrawn) == "placeholder"


def test_followers_of_an_idea_sent_back_for_review_no_longer_see_its_notifications(client_as):
    """The bell and the list agree: a notification about an idea that went back to "eingereicht" drops out of
    both for members who follow it, and stays for its author."""
    from forum.notifications.inbox import notifications_page, unread_count
    from tests.factories import make_notification

    author, follower = make_user(), make_user()
    idea = make_idea(status="published", author=author)
    make_notification(user=follower, kind="reply", thread=idea.thread, actor=author)
    make_notification(user=author, kind="idea_status", idea=idea)
    assert unread_count(follower) == 1 and notifications_page(follower, page=1).total == 1
    idea.status = "submitted"
    db.session.flush()
    assert unread_count(follower) == 0 and notifications_page(follower, page=1).total == 0
    assert unread_count(author) == 1
    assert idea.title not in client_as(follower).get("/notifications/").get_data(as_text=True)


def test_search_finds_exactly_the_posts_each_viewer_sees_as_text(app):
    """The search's rule per viewer: posts the thread page shows them as plain text — never hidden, pending or
    withdrawn text (also not for its author or the moderation), never a thread they may not see."""
    from flask import current_app

    from forum.search import engine
    from forum.search import index as search_index
    from forum.search.text import parse

    threads, posts, viewers = _world()
    for post in posts:
        post.body_source = post.body_html = "Bericht über das Rotkehlchenprojekt."
        search_index.index_post(post)  # withdrawn ones are left out here
    counts = []
    for viewer in viewers:
        with current_app.test_request_context():
            results = engine.search(viewer, parse("Rotkehlchenprojekt"), kind="post", per_page=50)
        found = {int(result.url.rsplit("/", 1)[1]) for result in results.items}
        expected = {post.id for post in posts
                    if can_view_thread(viewer, post.thread) and post_shown_as(viewer, post) == "text"}
        assert found == expected, viewer
        counts.append(len(found))
    assert counts == [2, 2, 3, 3, 3, 2, 0, 0]  # moderators and the idea's author also see the submitted idea


def test_visible_events_attachments_and_organisations_match_their_predicates(app):
    from flask_login import AnonymousUserMixin

    from forum.events.models import Event
    from forum.organisations.models import Organisation
    from forum.permissions import (can_view_event, can_view_organisation, visible_events,
                                   visible_organisations)
    from tests.factories import make_event, make_organisation

    event, organisation = make_event(), make_organisation()
    for viewer in (make_user(), make_user(role="admin"), make_user(status="suspended"), AnonymousUserMixin()):
        events = set(db.session.scalars(visible_events(viewer, select(Event.id).where(Event.id == event.id))))
        assert events == ({event.id} if can_view_event(viewer, event) else set())
        organisations = set(db.session.scalars(visible_organisations(viewer, select(Organisation.id).where(
            Organisation.id == organisation.id))))
        assert organisations == ({organisation.id} if can_view_organisation(viewer, organisation) else set())
