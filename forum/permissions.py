"""Every authorisation rule of the extranet: can_<verb>(user, obj) predicates and visible_<things>() filters.

Views call `require(can_…(current_user, obj))`; templates get the same predicates as `can.<verb>`. No other
module decides who may do what.
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import Select

STAFF_ROLES = frozenset({"moderator", "admin"})


def _is_member(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def _is_admin(user) -> bool:
    return _is_member(user) and user.role == "admin"


def _is_moderator(user) -> bool:
    return _is_member(user) and user.role in STAFF_ROLES


def can_view_dashboard(user) -> bool:
    """Every active account has a home page."""
    return _is_member(user)


def can_view_organisation(user, organisation) -> bool:
    """The Jobcenter directory is open to every active member (networking is the point of the programme)."""
    return _is_member(user)


def can_approve_registrations(user) -> bool:
    """Moderators and admins decide registrations whose e-mail domain did not match the organisation."""
    return _is_moderator(user)


def can_decide_registration(user, applicant) -> bool:
    """Only confirmed, still pending applicants can be approved or rejected."""
    return can_approve_registrations(user) and applicant.awaits_approval


def can_view_audit_log(user) -> bool:
    """The Moderationsprotokoll is for the service office's moderators and admins."""
    return _is_moderator(user)


def can_manage_users(user) -> bool:
    """Only admins see the user administration."""
    return _is_admin(user)


def can_change_user(user, target) -> bool:
    """Admins change other people's role, status and organisation, never their own (no self-lock-out)."""
    return _is_admin(user) and target.id != user.id and target.status != "deleted"


def can_manage_organisations(user) -> bool:
    """Admins create, edit and import organisations."""
    return _is_admin(user)


def can_edit_pages(user) -> bool:
    """Admins replace the texts of the legal pages."""
    return _is_admin(user)


def visible_members(user, query: Select) -> Select:
    """Member lists show active accounts; admins also see pending and suspended ones."""
    from forum.accounts.models import User

    if _is_admin(user):
        return query.where(User.status != "deleted")
    return query.where(User.status == "active")


def require(allowed: bool) -> None:
    """Stop the request with 403 unless the predicate allowed it."""
    if not allowed:
        abort(403)


class _TemplatePredicates:
    """`can.approve_registrations(current_user)` in templates: the same functions, without the prefix."""

    def __getattr__(self, name: str):
        predicate = globals().get(f"can_{name}")
        if predicate is None:
            raise AttributeError(name)
        return predicate


template_predicates = _TemplatePredicates()
