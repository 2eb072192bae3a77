"""A post's one action bar: the same row in one style for every role; the moderation's actions are a disclosure
group ("Moderation") at its end, and who can moderate the post is not offered "Melden"."""
from __future__ import annotations

import re

import pytest

from forum.extensions import db
from tests.factories import make_post, make_thread, make_user
from tests.helpers import quiet


def action_bar(client, thread, post) -> str:
    html = client.get(f"/discussion/{thread.id}").get_data(as_text=True)
    article = re.search(rf'<article[^>]* id="beitrag-{post.number}".*?</article>', html, re.S).group(0)
    assert article.count('class="kern-list kern-list--horizontal post__actions"') == 1  # one bar, not two rows
    return article


def labels(html: str) -> list[str]:
    """The visible labels of the actions, in order (without the screen-reader suffix)."""
    return [re.sub(r"<[^>]+>", "", label).strip() for label in
            re.findall(r'class="kern-link[^"]*"[^>]*>([^<]*)<span class="kern-sr-only">', html)]


@pytest.mark.parametrize("role", ["member", "organiser"])
def test_members_get_quote_and_report_and_no_moderation(client_as, role):
    thread = make_thread()
    post = make_post(thread=thread)
    html = action_bar(client_as(quiet(role=role)), thread, post)
    assert labels(html) == ["Zitieren", "Melden"]
    assert "<details" not in html and "Ausblenden" not in html


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_the_moderation_gets_one_bar_with_a_moderation_group_and_no_report(client_as, role):
    thread = make_thread()
    post = make_post(thread=thread)
    html = action_bar(client_as(quiet(role=role)), thread, post)
    assert labels(html) == ["Zitieren", "Bearbeiten", "Moderation", "Ausblenden …", "Anheften", "Schwärzen …"]
    assert "Melden" not in html
    group = re.search(r'<details class="post__moderation">.*?</details>', html, re.S).group(0)
    assert f'<ul class="post__moderation-list" aria-label="Moderation: Beitrag {post.number}">' in group
    assert f'action="/moderation/posts/{post.id}/pin"' in group and 'name="csrf_token"' in group
    assert 'class="kern-btn' not in html  # one style: links, and POST buttons that look like them


def test_the_author_edits_and_withdraws_but_does_not_report_their_own_post(client_as):
    author = quiet()
    thread = make_thread()
    post = make_post(thread=thread, author=author)
    assert labels(action_bar(client_as(author), thread, post)) == ["Zitieren", "Bearbeiten", "Zurückziehen"]


def test_a_moderators_own_post_and_a_hidden_post_offer_what_fits(client_as):
    moderator = quiet(role="moderator")
    thread = make_thread()
    own = make_post(thread=thread, author=moderator)
    hidden = make_post(thread=thread)
    client = client_as(moderator)
    client.post(f"/moderation/posts/{hidden.id}/hide", data={"reason": "off_topic"})
    db.session.expire_all()
    assert labels(action_bar(client, thread, own)) == ["Zitieren", "Bearbeiten", "Zurückziehen", "Moderation",
                                                       "Ausblenden …", "Anheften", "Schwärzen …"]
    assert "Wieder einblenden" in labels(action_bar(client, thread, hidden))
    assert client.get(f"/moderation/posts/{own.id}/report").status_code == 403
    assert client_as(make_user()).get(f"/moderation/posts/{own.id}/report").status_code == 200
