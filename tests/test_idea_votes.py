"""Votes on ideas: with and without JavaScript, "N Stimmen aus M Jobcentern", and exact under parallel requests."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum import ROOT
from forum.extensions import db
from forum.ideas import services
from forum.ideas.models import Idea, IdeaVote
from tests.factories import make_idea, make_organisation, make_user
from tests.helpers import run_in_parallel, session_id, text_of

JSON = {"Accept": "application/json"}


def counts(idea_id: int) -> tuple[int, int]:
    """(vote_count on the idea, rows in idea_votes), fresh from the database."""
    db.session.expire_all()
    return (db.session.scalar(select(Idea.vote_count).where(Idea.id == idea_id)),
            db.session.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea_id)))


def test_member_votes_and_withdraws_with_the_plain_form(member_client):
    idea = make_idea()
    page = member_client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f'action="/ideas/{idea.id}/vote" data-vote-form' in page and "Für diesen Ansatz stimmen" in page
    response = member_client.post(f"/ideas/{idea.id}/vote")
    assert response.headers["Location"] == f"/ideas/{idea.id}#stimmen"
    page = text_of(member_client.get(f"/ideas/{idea.id}"))
    assert "Ihre Stimme wurde gezählt." in page and "1 Stimme aus 1 Jobcenter" in page
    assert "Sie haben für diesen Ansatz gestimmt." in page and "Stimme zurückziehen" in page
    assert counts(idea.id) == (1, 1)

    member_client.post(f"/ideas/{idea.id}/vote/withdraw")
    page = text_of(member_client.get(f"/ideas/{idea.id}"))
    assert "Ihre Stimme wurde zurückgezogen." in page and "Noch keine Stimmen" in page
    assert counts(idea.id) == (0, 0)


def test_vote_and_withdraw_answer_json_for_the_script(member_client):
    idea = make_idea()
    make_user()  # another person, not voting
    answer = member_client.post(f"/ideas/{idea.id}/vote", headers=JSON)
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.json == {
        "voted": True, "vote_count": 1, "summary": "1 Stimme aus 1 Jobcenter",
        "message": "Ihre Stimme wurde gezählt. 1 Stimme aus 1 Jobcenter.",
        "action": f"/ideas/{idea.id}/vote/withdraw", "button": "Stimme zurückziehen"}
    again = member_client.post(f"/ideas/{idea.id}/vote", headers=JSON).json
    assert again["vote_count"] == 1 and again["message"].startswith("Sie haben bereits für diesen Ansatz gestimmt.")
    withdrawn = member_client.post(f"/ideas/{idea.id}/vote/withdraw", headers=JSON).json
    assert withdrawn == {"voted": False, "vote_count": 0, "summary": "Noch keine Stimmen",
                         "message": "Ihre Stimme wurde zurückgezogen. Noch keine Stimmen.",
                         "action": f"/ideas/{idea.id}/vote", "button": "Für diesen Ansatz stimmen"}
    assert counts(idea.id) == (0, 0)


def test_the_page_enhances_voting_with_a_script_and_a_live_region(member_client):
    idea = make_idea()
    page = member_client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert '<script src="/static/js/ideas.js" defer></script>' in page
    assert 'aria-live="polite" data-vote-status' in page and "data-vote-summary" in page
    assert "<script>" not in page  # no inline script (strict CSP)
    script = (ROOT / "static" / "js" / "ideas.js").read_text()
    assert '"Accept": "application/json"' in script and "new FormData(form)" in script


def test_the_idea_counts_votes_and_the_jobcenters_they_come_from(member_client):
    idea = make_idea()
    dortmund, essen = make_organisation(), make_organisation()
    office = make_organisation(name="Servicestelle SGB II", kind="service_office", land=None)
    for organisation in (dortmund, dortmund, essen, office):
        services.vote(idea, make_user(organisation=organisation))
    assert "4 Stimmen aus 2 Jobcentern" in text_of(member_client.get(f"/ideas/{idea.id}"))
    assert "4 Stimmen aus 2 Jobcentern" in text_of(member_client.get("/ideas/"))
    assert services.voting_jobcenters([idea.id, 999]) == {idea.id: 2}


def test_one_vote_per_person_and_withdrawing_nothing_changes_nothing(member_client, member):
    idea = make_idea()
    member_client.post(f"/ideas/{idea.id}/vote/withdraw")
    assert counts(idea.id) == (0, 0)
    for _ in range(3):
        member_client.post(f"/ideas/{idea.id}/vote")
    assert counts(idea.id) == (1, 1)
    page = text_of(member_client.get(f"/ideas/{idea.id}"))
    assert "Sie haben bereits für diesen Ansatz gestimmt." in page and "1 Stimme aus 1 Jobcenter" in page


@pytest.mark.parametrize("status", ["archived", "submitted"])
def test_no_voting_on_archived_or_unpublished_ideas(client_as, moderator, status):
    idea = make_idea(status="published")
    voter = make_user()
    services.vote(idea, voter)
    idea.status = status
    client = client_as(voter if status == "archived" else moderator)
    for path in ("vote", "vote/withdraw"):
        assert client.post(f"/ideas/{idea.id}/{path}").status_code == 403
        assert client.post(f"/ideas/{idea.id}/{path}", headers=JSON).status_code == 403
    assert counts(idea.id) == (1, 1)
    page = text_of(client.get(f"/ideas/{idea.id}"))
    assert "Für diesen Ansatz stimmen" not in page and "Stimme zurückziehen" not in page
    expected = ("Dieser Ansatz ist archiviert; Stimmen können nicht mehr abgegeben oder zurückgezogen werden."
                if status == "archived" else "Abstimmen ist möglich, sobald der Ansatz veröffentlicht ist.")
    assert expected in page


def test_voting_counts_as_activity_on_the_idea(member_client):
    idea = make_idea()
    before = idea.last_activity_at
    member_client.post(f"/ideas/{idea.id}/vote")
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).last_activity_at > before


# --- concurrency ---------------------------------------------------------------------------------------------

@pytest.mark.real_commits  # the requests run in threads of their own
def test_parallel_votes_and_withdrawals_stay_exact(app):
    """40 people vote at the same moment, each twice in parallel; then 20 of them withdraw twice in parallel."""
    idea = make_idea()
    voters = [make_user() for _ in range(40)]
    idea_id, user_ids = idea.id, [session_id(voter) for voter in voters]
    db.session.commit()  # the threads see everything; no transaction of this test stays open (SQLite's lock)

    results = run_in_parallel(app, [user_id for user_id in user_ids for _twice in range(2)], f"/ideas/{idea_id}/vote")
    assert results == [302] * 80
    assert counts(idea_id) == (40, 40)
    db.session.commit()

    results = run_in_parallel(app, [user_id for user_id in user_ids[:20] for _twice in range(2)],
                              f"/ideas/{idea_id}/vote/withdraw")
    assert results == [302] * 40
    assert counts(idea_id) == (20, 20)
    distinct_voters = db.session.scalar(select(func.count(func.distinct(IdeaVote.user_id))).where(
        IdeaVote.idea_id == idea_id))
    assert distinct_voters == 20
