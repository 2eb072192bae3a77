"""The permission matrix: every rule in forum/permissions.py × every role and state, plus the HTTP answers."""
from __future__ import annotations

import inspect

import pytest
from flask_login import AnonymousUserMixin

from forum import permissions
from forum.extensions import db
from tests.factories import make_user
from tests.test_events import EVENT_RULES  # the event rules' matrix is there, with events in each state
from tests.test_ideas import IDEA_RULES  # the idea rules' matrix is there, with ideas in each status

ROLES = ("anonymous", "member", "organiser", "moderator", "admin")

# rule -> roles that may (for an active user; anonymous never may)
MATRIX = {
    "can_view_dashboard": {"member", "organiser", "moderator", "admin"},
    "can_view_organisation": {"member", "organiser", "moderator", "admin"},
    "can_approve_registrations": {"moderator", "admin"},
    "can_view_audit_log": {"moderator", "admin"},
    "can_manage_users": {"admin"},
    "can_manage_organisations": {"admin"},
    "can_edit_pages": {"admin"},
}
OBJECT_RULES = {"can_view_organisation", "can_decide_registration", "can_change_user"}


def actor(role: str, status: str = "active"):
    return AnonymousUserMixin() if role == "anonymous" else make_user(role=role, status=status)


def call(rule: str, user, target=None):
    predicate = getattr(permissions, rule)
    if rule in OBJECT_RULES:
        return predicate(user, target if target is not None else user.organisation
                         if hasattr(user, "organisation") else None)
    return predicate(user)


def test_every_rule_has_a_row_in_the_matrix():
    rules = {name for name, _ in inspect.getmembers(permissions, inspect.isfunction) if name.startswith("can_")}
    assert rules == set(MATRIX) | {"can_decide_registration", "can_change_user"} | EVENT_RULES | IDEA_RULES


@pytest.mark.parametrize("rule", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app, rule, role):
    assert call(rule, actor(role)) is (role in MATRIX[rule])


@pytest.mark.parametrize("rule", sorted(MATRIX))
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
])
def test_pages_answer_403_to_roles_without_the_right(app, client_as, path, allowed):
    for role in ROLES[1:]:
        response = client_as(make_user(role=role)).get(path)
        assert response.status_code == (200 if role in allowed else 403), (path, role)
        if response.status_code == 403:
            assert "Keine Berechtigung" in response.get_data(as_text=True)


def test_navigation_shows_only_what_the_role_may_open(app, client_as):
    member_page = client_as(make_user(role="member")).get("/").get_data(as_text=True)
    assert "/moderation/registrations" not in member_page and "/admin/users" not in member_page
    moderator_page = client_as(make_user(role="moderator")).get("/").get_data(as_text=True)
    assert "/moderation/registrations" in moderator_page and "/admin/users" not in moderator_page
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
