"""The permission matrix: every rule in forum/permissions.py × every role and state, plus the HTTP answers. The
tables of the matrix, also of the rules tested next to their domain, are in tests/helpers.py."""
from __future__ import annotations

import inspect

import pytest
from flask_login import AnonymousUserMixin

from forum import permissions
from forum.extensions import db
from tests.factories import make_user
from tests.helpers import ALL_RULES, DISCUSSION_MATRIX, FOLLOW_MATRIX, ROLE_MATRIX, ROLES, actor

OBJECT_RULES = {"can_view_organisation", "can_decide_registration", "can_change_user"}


def call(rule: str, user, target=None):
    predicate = getattr(permissions, rule)
    if rule in OBJECT_RULES:
        return predicate(user, target if target is not None else user.organisation
                         if hasattr(user, "organisation") else None)
    return predicate(user)


def test_every_rule_has_a_row_in_the_matrix():
    rules = {name for name, _ in inspect.getmembers(permissions, inspect.isfunction) if name.startswith("can_")}
    assert rules == ALL_RULES


def follow_target(state: str, user):
    from tests.factories import make_event, make_idea, make_thread

    if state == "thread":
        return make_thread()
    if state == "event":
        return make_event()
    if state == "published_idea":
        return make_idea()
    if state == "own_submitted_idea":
        return make_idea(status="submitted", author=user)
    idea = make_idea(status="submitted")
    return idea.thread if state == "submitted_idea_thread" else idea


@pytest.mark.parametrize("state", sorted(FOLLOW_MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_follow_matrix(app, state, role):
    user = actor(role)
    target = follow_target(state, user if role != "anonymous" else None)
    assert permissions.can_follow(user, target) is (role in FOLLOW_MATRIX[state])
    assert permissions.can_follow(actor("admin", "suspended"), target) is False


@pytest.mark.parametrize("rule", sorted(ROLE_MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app, rule, role):
    assert call(rule, actor(role)) is (role in ROLE_MATRIX[rule])


@pytest.mark.parametrize("rule", sorted(ROLE_MATRIX))
@pytest.mark.parametrize("status", ["pending", "suspended", "rejected", "deleted"])
def test_inactive_accounts_may_nothing_even_as_admin(app, rule, status):
    assert call(rule, actor("admin", status)) is False


@pytest.mark.parametrize("role, allowed", [("anonymous", False), ("member", False), ("organiser", False),
                                           ("moderator", True), ("admin", True)])
def test_only_confirmed_pending_applicants_can_be_decided(app, role, allowed):
    user = actor(role)
    assert permissions.can_decide_registration(user, make_user(status="pending")) is allowed
    assert permissions.can_decide_registration(user, make_user(status="pending", confirmed=False)) is False
    assert permissions.can_decide_registration(user, make_user(status="active")) is False


@pytest.mark.parametrize("role, allowed", [("anonymous", False), ("member", False), ("organiser", False),
                                           ("moderator", False), ("admin", True)])
def test_only_admins_change_other_users_and_never_themselves(app, role, allowed):
    user = actor(role)
    assert permissions.can_change_user(user, make_user()) is allowed
    if role != "anonymous":
        assert permissions.can_change_user(user, user) is False
    assert permissions.can_change_user(user, make_user(status="deleted")) is False


@pytest.mark.parametrize("path, allowed", [
    ("/", ROLES[1:]),
    ("/organisations/", ROLES[1:]),
    ("/moderation/registrations", ("moderator", "admin")),
    ("/moderation/log", ("moderator", "admin")),
    ("/admin/users", ("admin",)),
    ("/organisations/new", ("admin",)),
    ("/organisations/import", ("admin",)),
    ("/pages/impressum/edit", ("admin",)),
    ("/notifications/", ROLES[1:]),
    ("/notifications/following", ROLES[1:]),
])
def test_pages_answer_403_to_roles_without_the_right(app, client_as, path, allowed):
    for role in ROLES[1:]:
        response = client_as(make_user(role=role)).get(path)
        assert response.status_code == (200 if role in allowed else 403), (path, role)
        if response.status_code == 403:
            assert "Keine Berechtigung" in response.get_data(as_text=True)


def test_navigation_shows_only_what_the_role_may_open(app, client_as):
    member_page = client_as(make_user(role="member")).get("/").get_data(as_text=True)
    assert "/moderation/" not in member_page and "/admin/users" not in member_page
    moderator_page = client_as(make_user(role="moderator")).get("/").get_data(as_text=True)
    assert "/moderation/reports" in moderator_page and "/admin/users" not in moderator_page
    admin_page = client_as(make_user(role="admin")).get("/").get_data(as_text=True)
    assert "/admin/users" in admin_page


def test_admins_see_pending_members_of_an_organisation_members_do_not(app, client_as):
    organisation = make_user().organisation
    make_user(organisation=organisation, display_name="Paula Pending", status="pending")
    db.session.commit()
    assert "Paula Pending" not in client_as(make_user()).get(f"/organisations/{organisation.id}").get_data(
        as_text=True)
    assert "Paula Pending" in client_as(make_user(role="admin")).get(f"/organisations/{organisation.id}").get_data(
        as_text=True)


# --- boards and posts: DISCUSSION_MATRIX ---------------------------------------------------------------------

def discussion_target(state: str | None, user):
    """A board, thread or post in the given state; "own" posts are written by `user`."""
    from forum.clock import utcnow
    from tests.factories import make_board, make_idea, make_post, make_thread

    if state is None:
        return None
    if state == "board":
        return make_board()
    if state.endswith("thread") and not state.endswith("in_locked_thread"):
        thread = make_idea(status="submitted").thread if state == "submitted_idea_thread" else make_thread()
        thread.locked_at = utcnow() if state == "locked_thread" else None
        return thread
    own = state.startswith("own") and not isinstance(user, AnonymousUserMixin)
    post = make_post(author=user if own else make_user())
    post.withdrawn_at = utcnow() if "withdrawn" in state else None
    post.hidden_at = utcnow() if "hidden" in state else None
    post.thread.locked_at = utcnow() if "locked" in state else None
    return post


@pytest.mark.parametrize("rule, state", sorted(DISCUSSION_MATRIX, key=str))
@pytest.mark.parametrize("role", ROLES)
def test_discussion_matrix(app, rule, state, role):
    user = actor(role)
    target = discussion_target(state, user)
    predicate = getattr(permissions, rule)
    allowed = predicate(user) if state is None else predicate(user, target)
    assert allowed is (role in DISCUSSION_MATRIX[(rule, state)])


@pytest.mark.parametrize("rule, state", sorted(DISCUSSION_MATRIX, key=str))
def test_suspended_accounts_may_do_nothing_in_discussions(app, rule, state):
    user = actor("admin", "suspended")
    target = discussion_target(state, user)
    predicate = getattr(permissions, rule)
    assert (predicate(user) if state is None else predicate(user, target)) is False


@pytest.mark.parametrize("path, allowed", [
    ("/discussion/", ROLES[1:]),
    ("/discussion/boards/manage", ("admin",)),
])
def test_discussion_pages_answer_403_to_roles_without_the_right(app, client_as, path, allowed):
    for role in ROLES[1:]:
        response = client_as(make_user(role=role)).get(path)
        assert response.status_code == (200 if role in allowed else 403), (path, role)
