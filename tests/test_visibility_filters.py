"""The SQL filters of forum/permissions.py that say who is who: the moderators (told about reports) and the
service office's staff (actors in the Moderationsprotokoll's filter)."""
from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import User
from forum.extensions import db
from forum.permissions import moderator_accounts, staff_users
from tests.factories import make_user


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
