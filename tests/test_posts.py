"""Posts as their authors meet them: reply, preview, quote, @mentions, edit with revisions and stale-edit
detection, withdraw, locked threads, limits of length and rate — German messages, and the text is never lost."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.clock import utcnow
from forum.discussion import services
from forum.discussion.models import Post, PostRevision, Thread
from forum.extensions import db, limiter
from forum.markup import MAX_SOURCE_CHARS
from forum.notifications.models import Follow, Notification
from tests.factories import make_organisation, make_post, make_thread, make_user
from tests.helpers import text_of


def fresh_post(post_id: int) -> Post:
    db.session.expire_all()
    return db.session.get(Post, post_id)


def posts_of(thread) -> list[Post]:
    db.session.expire_all()
    return list(db.session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.number)))


# --- reply --------------------------------------------------------------------------------------------------

def test_member_replies_and_lands_on_the_new_post(member_client, member):
    thread = make_thread()
    make_post(thread=thread)
    page = member_client.get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert f'action="/discussion/{thread.id}/reply"' in page and 'name="preview"' in page
    assert "Markdown ist möglich: **fett**, *kursiv*" in page
    response = member_client.post(f"/discussion/{thread.id}/reply", data={"body": "Danke, *sehr* hilfreich!"})
    assert response.headers["Location"] == f"/discussion/{thread.id}#beitrag-2"
    reply = posts_of(thread)[-1]
    assert reply.number == 2 and reply.author_id == member.id
    assert reply.body_source == "Danke, *sehr* hilfreich!"
    assert reply.body_html == "<p>Danke, <em>sehr</em> hilfreich!</p>"
    thread = db.session.get(Thread, thread.id)
    assert thread.post_count == 2 and thread.last_post_author_id == member.id and thread.reply_count == 1
    assert "Ihr Beitrag wurde veröffentlicht." in text_of(member_client.get(response.headers["Location"]))
    assert db.session.scalar(select(func.count(Follow.id)).where(Follow.user_id == member.id)) == 1


def test_replies_notify_the_followers_of_the_thread(client_as, member):
    starter = make_user()
    first = services.open_thread(make_thread_board(), "Frage", "Wer weiß Rat?", author=starter)
    db.session.commit()
    client_as(member).post(f"/discussion/{first.thread_id}/reply", data={"body": "Ich!"})
    db.session.expire_all()
    kinds = list(db.session.scalars(select(Notification.kind).where(Notification.user_id == starter.id)))
    assert kinds == ["reply"]


def make_thread_board():
    from tests.factories import make_board

    return make_board()


def test_empty_and_over_long_replies_get_german_messages_and_keep_the_text(member_client):
    thread = make_thread()
    assert "Bitte schreiben Sie einen Text." in text_of(member_client.post(f"/discussion/{thread.id}/reply",
                                                                         data={"body": "  \r\n "}))
    too_long = "Ä" * (MAX_SOURCE_CHARS + 1)
    response = member_client.post(f"/discussion/{thread.id}/reply", data={"body": too_long})
    assert response.status_code == 200
    assert ("Der Beitrag darf höchstens 20.000 Zeichen lang sein. Zurzeit sind es 20001 Zeichen."
            in text_of(response))
    assert too_long in response.get_data(as_text=True)
    assert posts_of(thread) == []


def test_preview_renders_the_text_with_the_same_renderer_and_keeps_it(member_client):
    thread = make_thread()
    response = member_client.post(f"/discussion/{thread.id}/reply", data={
        "body": "## Zwischenstand\n\n<script>alert(1)</script> **fett**", "preview": "1"})
    html = response.get_data(as_text=True)
    assert "So wird Ihr Text aussehen. Er ist noch nicht veröffentlicht." in text_of(response)
    assert "<h3>Zwischenstand</h3>" in html and "<strong>fett</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "## Zwischenstand\n\n&lt;script&gt;alert(1)&lt;/script&gt; **fett**</textarea>" in html
    assert posts_of(thread) == []


def test_quote_prefills_the_reply_with_attribution_and_quoted_source(member_client):
    thread = make_thread()
    quoted = make_post(thread=thread, author=make_user(display_name="Sabine Krüger"),
                       body="Erste Zeile\n\n- Punkt")
    page = member_client.get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert f'href="/discussion/{thread.id}/reply?quote={quoted.id}#beitrag-schreiben"' in page
    form = member_client.get(f"/discussion/{thread.id}/reply?quote={quoted.id}").get_data(as_text=True)
    assert (f"&gt; [**Sabine Krüger**:](/discussion/posts/{quoted.id})\n&gt; Erste Zeile\n&gt;\n"
            "&gt; - Punkt\n\n</textarea>") in form
    member_client.post(f"/discussion/{thread.id}/reply", data={
        "body": f"> [**Sabine Krüger**:](/discussion/posts/{quoted.id})\n> Erste Zeile\n\nGenau so!"})
    html = posts_of(thread)[-1].body_html
    assert f'<blockquote data-quote-post="{quoted.id}">' in html
    assert (f'<a href="/discussion/posts/{quoted.id}" rel="nofollow noopener ugc"><strong>Sabine Krüger</strong>'
            ":</a>") in html


def test_quotes_of_other_threads_withdrawn_posts_or_unknown_posts_are_ignored(member_client):
    thread, other = make_thread(), make_thread()
    foreign = make_post(thread=other, body="Anderswo")
    withdrawn = make_post(thread=thread, body="Weg damit")
    withdrawn.withdrawn_at = utcnow()
    for quote in (foreign.id, withdrawn.id, 999999, "abc"):
        form = member_client.get(f"/discussion/{thread.id}/reply?quote={quote}").get_data(as_text=True)
        assert "/discussion/posts/" not in form and "Anderswo" not in form and "Weg damit" not in form


# --- mentions -----------------------------------------------------------------------------------------------

def test_mentions_of_known_people_are_linked_and_notified(client_as, member):
    office = make_organisation(name="Servicestelle SGB II", kind="service_office", land=None)
    sabine = make_user(display_name="Sabine Krüger", organisation=office)
    jana = make_user(display_name="Jana Hoffmann")
    thread = make_thread()
    client_as(member).post(f"/discussion/{thread.id}/reply", data={
        "body": "Danke @Sabine Krüger und @[jana hoffmann], siehe auch @Niemand Bekannt und `@Sabine Krüger`."})
    post = posts_of(thread)[-1]
    assert f'<a href="/organisations/{office.id}" rel="nofollow noopener ugc">@Sabine Krüger</a> und' in post.body_html
    assert f'<a href="/organisations/{jana.organisation_id}" rel="nofollow noopener ugc">@Jana Hoffmann</a>' in (
        post.body_html)
    assert "@Niemand Bekannt" in post.body_html and "<code>@Sabine Krüger</code>" in post.body_html
    assert post.body_source.startswith("Danke @Sabine Krüger und @[jana hoffmann]")  # the source stays as typed
    db.session.expire_all()
    mentions = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "mention")))
    assert mentions == {sabine.id, jana.id}


def test_mentions_of_unknown_ambiguous_or_inactive_people_stay_plain_text(app):
    make_user(display_name="Klaus Wagner")
    make_user(display_name="Klaus Wagner")
    make_user(display_name="Gerd Braun", status="suspended")
    html, mentioned = services.render_post("Hallo @Klaus Wagner, @Gerd Braun und @Unbekannt! Mail an a@b.example")
    assert mentioned == [] and "<a" not in html.replace('<a href="mailto', "")
    assert "@Klaus Wagner" in html and "@Gerd Braun" in html


def test_mention_takes_the_longest_matching_name_and_links_each_person_once(app):
    anna = make_user(display_name="Anna-Lena von der Heide")
    make_user(display_name="Anna-Lena")
    html, mentioned = services.render_post("@Anna-Lena von der Heide hat recht. @anna-lena von der heide!")
    assert mentioned == [anna]
    assert html.count(f'href="/organisations/{anna.organisation_id}"') == 2
    assert "@Anna-Lena von der Heide</a> hat recht." in html


def test_mentioning_oneself_links_but_does_not_notify(client_as, member):
    thread = make_thread()
    client_as(member).post(f"/discussion/{thread.id}/reply", data={"body": f"Ich (@[{member.display_name}])"})
    assert "href=\"/organisations/" in posts_of(thread)[-1].body_html
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "mention")) == 0


# --- edit and revisions -------------------------------------------------------------------------------------

def test_author_edits_a_post_shown_as_edited_with_a_revision(client_as, member):
    thread = make_thread()
    post = make_post(thread=thread, author=member, body="Erste Fassung")
    client = client_as(member)
    form = client.get(f"/discussion/posts/{post.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form and "Erste Fassung</textarea>" in form
    response = client.post(f"/discussion/posts/{post.id}/edit", data={"body": "Zweite Fassung", "version": "1"})
    assert response.headers["Location"] == f"/discussion/{thread.id}#beitrag-1"
    post = fresh_post(post.id)
    assert post.body_source == "Zweite Fassung" and post.body_html == "<p>Zweite Fassung</p>"
    assert post.version == 2 and post.edited_at is not None
    page = text_of(client.get(f"/discussion/{thread.id}"))
    assert "bearbeitet am" in page and "Frühere Fassungen" in page
    revisions = text_of(client.get(f"/discussion/posts/{post.id}/revisions"))
    assert "Erste Fassung" in revisions and "Zweite Fassung" in revisions
    assert db.session.scalar(select(PostRevision.body_source)) == "Erste Fassung"
    unchanged = client.post(f"/discussion/posts/{post.id}/edit", data={"body": "Zweite Fassung", "version": "2"})
    assert "Sie haben nichts geändert." in text_of(client.get(unchanged.headers["Location"]))
    assert db.session.scalar(select(func.count(PostRevision.id))) == 1


def test_stale_edit_from_a_second_tab_keeps_both_texts_and_overwrites_nothing(client_as, member):
    post = make_post(author=member, body="Original")
    client = client_as(member)
    client.post(f"/discussion/posts/{post.id}/edit", data={"body": "Aus Tab eins", "version": "1"})
    response = client.post(f"/discussion/posts/{post.id}/edit", data={"body": "Aus Tab zwei", "version": "1"})
    assert response.status_code == 409
    page = text_of(response)
    assert "Dieser Beitrag wurde inzwischen geändert, zum Beispiel in einem anderen Fenster oder Tab." in page
    assert "Aus Tab eins" in page  # the current text
    html = response.get_data(as_text=True)
    assert "Aus Tab zwei</textarea>" in html and 'name="version" type="hidden" value="2"' in html
    assert fresh_post(post.id).body_source == "Aus Tab eins"
    # Saving again from the same form now goes through, with the first tab's text kept as a revision.
    client.post(f"/discussion/posts/{post.id}/edit", data={"body": "Aus Tab zwei", "version": "2"})
    assert fresh_post(post.id).body_source == "Aus Tab zwei"
    assert set(db.session.scalars(select(PostRevision.body_source))) == {"Original", "Aus Tab eins"}


def test_edit_preview_and_empty_edit_save_nothing(client_as, member):
    post = make_post(author=member, body="Original")
    client = client_as(member)
    preview = client.post(f"/discussion/posts/{post.id}/edit", data={"body": "**Neu**", "version": "1",
                                                                     "preview": "1"})
    assert "<strong>Neu</strong>" in preview.get_data(as_text=True)
    assert "Bitte schreiben Sie einen Text." in text_of(client.post(f"/discussion/posts/{post.id}/edit",
                                                                    data={"body": "", "version": "1"}))
    assert fresh_post(post.id).body_source == "Original" and fresh_post(post.id).version == 1


def test_only_the_author_edits_and_author_and_moderators_see_revisions(client_as, member, moderator):
    post = make_post(author=member)
    other = client_as(make_user())
    assert other.get(f"/discussion/posts/{post.id}/edit").status_code == 403
    assert other.post(f"/discussion/posts/{post.id}/edit", data={"body": "x", "version": "1"}).status_code == 403
    assert other.get(f"/discussion/posts/{post.id}/revisions").status_code == 403
    assert client_as(moderator).get(f"/discussion/posts/{post.id}/revisions").status_code == 200
    assert client_as(member).get(f"/discussion/posts/{post.id}/revisions").status_code == 200
    assert "Bearbeiten" not in text_of(other.get(f"/discussion/{post.thread_id}"))


# --- withdraw -----------------------------------------------------------------------------------------------

def test_author_withdraws_a_post_after_confirming_and_a_placeholder_remains(client_as, member):
    thread = make_thread()
    make_post(thread=thread)
    post = make_post(thread=thread, author=member, body="Lieber doch nicht")
    make_post(thread=thread)
    client = client_as(member)
    confirm = client.get(f"/discussion/posts/{post.id}/withdraw")
    assert "Beitrag zurückziehen?" in text_of(confirm) and "Lieber doch nicht" in text_of(confirm)
    assert fresh_post(post.id).withdrawn_at is None  # GET changes nothing
    response = client.post(f"/discussion/posts/{post.id}/withdraw")
    assert response.headers["Location"] == f"/discussion/{thread.id}#beitrag-2"
    page = text_of(client.get(f"/discussion/{thread.id}"))
    assert "Dieser Beitrag wurde von der verfassenden Person zurückgezogen." in page
    assert "Lieber doch nicht" not in page
    assert [p.number for p in posts_of(thread)] == [1, 2, 3]
    assert client.get(f"/discussion/posts/{post.id}/withdraw").status_code == 403  # once is enough
    assert client.get(f"/discussion/posts/{post.id}/edit").status_code == 403


def test_others_cannot_withdraw_and_hidden_posts_show_a_placeholder(client_as, member):
    post = make_post(body="Sichtbar nur für die Moderation")
    other = client_as(member)
    assert other.post(f"/discussion/posts/{post.id}/withdraw").status_code == 403
    post.hidden_at = utcnow()
    db.session.commit()
    page = text_of(other.get(f"/discussion/{post.thread_id}"))
    assert "Dieser Beitrag wurde von der Moderation ausgeblendet." in page
    assert "Sichtbar nur für die Moderation" not in page and "Zitieren" not in page


# --- locked threads -----------------------------------------------------------------------------------------

def test_locked_threads_refuse_replies_with_a_german_message_and_keep_the_text(member_client):
    thread = make_thread()
    make_post(thread=thread)
    thread.locked_at = utcnow()
    db.session.commit()
    page = member_client.get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert "Diese Diskussion ist geschlossen." in page and f'action="/discussion/{thread.id}/reply"' not in page
    response = member_client.post(f"/discussion/{thread.id}/reply", data={"body": "Mein langer Beitrag"})
    assert response.status_code == 403
    assert "Diese Diskussion ist geschlossen. Es können keine Beiträge mehr geschrieben werden." in text_of(response)
    assert "Mein langer Beitrag</textarea>" in response.get_data(as_text=True)
    assert len(posts_of(thread)) == 1


def test_a_thread_locked_while_writing_is_refused_by_the_service(app, member):
    thread = make_thread()
    thread.locked_at = utcnow()
    db.session.flush()
    with pytest.raises(services.DiscussionError, match="geschlossen"):
        services.add_post(thread, "Zu spät", author=member)


# --- rate limit ---------------------------------------------------------------------------------------------

@pytest.fixture
def tight_post_limit(app):
    """At most 3 posts per minute and user for one test, on fresh counters."""
    saved = app.config["RATELIMIT_POST"]
    app.config["RATELIMIT_POST"] = "3 per minute"
    limiter.reset()
    yield
    app.config["RATELIMIT_POST"] = saved
    limiter.reset()


def test_posting_is_rate_limited_per_user_with_the_text_kept(client_as, member, tight_post_limit):
    thread = make_thread()
    client = client_as(member)
    for number in range(3):
        assert client.post(f"/discussion/{thread.id}/reply", data={"body": f"Beitrag {number}"}).status_code == 302
    assert client.post(f"/discussion/{thread.id}/reply", data={"body": "Vorschau", "preview": "1"}).status_code == 200
    response = client.post(f"/discussion/{thread.id}/reply", data={"body": "Der vierte Beitrag"})
    assert response.status_code == 429
    assert "Sie haben in kurzer Zeit sehr viele Beiträge geschrieben." in text_of(response)
    assert "Der vierte Beitrag</textarea>" in response.get_data(as_text=True)
    assert len(posts_of(thread)) == 3
    # Another person is not slowed down by it.
    assert client_as(make_user()).post(f"/discussion/{thread.id}/reply", data={"body": "Hallo"}).status_code == 302
