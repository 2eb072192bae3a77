"""Pages run a bounded number of SQL queries whatever the data size (no N+1)."""
from __future__ import annotations

import pytest

from forum.extensions import db
from forum.audit import record
from tests.factories import make_organisation, make_user
from tests.helpers import queries_for


def grow(count: int, organisations: list) -> None:
    """More people, organisations and audit entries by different actors."""
    for number in range(count):
        organisation = organisations[number % len(organisations)]
        user = make_user(organisation=organisation, status="pending" if number % 3 == 0 else "active")
        record(user, "user.change_role", user, reason="Test")
    db.session.commit()


@pytest.mark.parametrize("path", ["/", "/organisations/", "/organisations/{org}", "/admin/users",
                                  "/moderation/registrations", "/moderation/log", "/accounts/profile"])
def test_page_query_count_does_not_grow_with_the_data(client_as, admin, path):
    organisations = [make_organisation() for _ in range(3)]
    client = client_as(admin)
    target = path.format(org=organisations[0].id)
    grow(5, organisations)
    small = len(queries_for(client, target))
    organisations += [make_organisation() for _ in range(40)]
    grow(60, organisations)
    large = len(queries_for(client, target))
    assert large == small, f"{target}: {small} queries with little data, {large} with more"
    budget = 12 if target == "/" else 8  # the dashboard: events, registrations and "Neu seit Ihrem letzten Besuch"
    assert small <= budget, f"{target}: {small} queries"
