"""Quotes of posts that are hidden, pending review or withdrawn: their text reaches nobody who may not read the
quoted post — not in the quoting post on the thread page, on the report, revision, edit and withdraw pages, in a
new quote of the quoting post, in quotes of quotes, nor where the quote was pasted into another thread — while the
author of the quoted post and the moderators still read it. Quotes written before quotes linked their source are
linked by `rerender`. Deciding costs one query per page, whatever the number of quotes."""
from __future__ import annotations

import re

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from forum import markup, permissions
from forum.clock import utcnow
from forum.discussion import quotes
from forum.discussion.models import Post, PostRevision
from forum.extensions import db
from tests.factories import make_idea, make_post, make_thread, make_user
from tests.helpers import READ_MATRIX, ROLES, actor, count_queries, fresh, quiet, text_of

SECRET = "Vertraulich: Die Kollegin aus Team 3 ist überfordert"
PLACEHOLDER = "Zitat aus einem ausgeblendeten Beitrag"
WITHDRAWN = "Zitat aus einem zurückgezogenen Beitrag"


def reply(client, thread, body: str):
    response = client.post(f"/discussion/{thread.id}/reply", data={"body": body, "confirm_client_data": "y"})
    assert response.status_code == 302, text_of(response)
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id).order_by(Post.number.desc()))


def quoted_scene(client_as):
    """Anna writes the SECRET, Bernd quotes it (through the quote button) and adds his own words."""
    thread = make_thread(title="Teamfragen")
    anna = quiet(display_name="Anna Autorin")
    bernd = quiet(display_name="Bernd Zitierer")
    original = make_post(thread=thread, author=anna, body=SECRET)
    writer = client_as(bernd)
    form = writer.get(f"/discussion/{thread.id}/reply?quote={original.id}").get_data(as_text=True)
    assert SECRET in form
    quoting = reply(writer, thread, quotes.quote(original) + "Das sehe ich ganz anders.")
    return thread, original, quoting, anna, bernd


def hide(client_as, post, reason="insult"):
    response = client_as(make_user(role="moderator")).post(f"/moderation/posts/{post.id}/hide",
                                                           data={"reason": reason})
    assert response.status_code == 302


# --- the decision (its table, READ_MATRIX, is in tests/helpers.py) --------------------------------------------

@pytest.mark.parametrize("state", sorted(READ_MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_a_post(app, state, role):
    user = actor(role)
    own = state.startswith("own") and role != "anonymous"
    thread = make_idea(status="submitted").thread if "submitted_idea" in state else make_thread()
    post = make_post(thread=thread, author=user if own else make_user())
    if "hidden" in state or "pending" in state:
        post.hidden_at = utcnow()
        post.hidden_by_id = None if "pending" in state else make_user(role="moderator").id
    post.withdrawn_at = utcnow() if "withdrawn" in state else None
    assert permissions.can_read_post(user, post) is (role in READ_MATRIX[state])
    assert permissions.can_read_post(make_user(role="admin", status="suspended"), post) is False


# --- the thread page and its permalink ------------------------------------------------------------------------

def test_a_hidden_post_is_not_readable_in_the_quote_of_it(client_as):
    thread, original, quoting, anna, bernd = quoted_scene(client_as)
    reader = client_as(make_user())
    assert SECRET in text_of(reader.get(f"/discussion/{thread.id}"))
    hide(client_as, original)
    page = reader.get(f"/discussion/{thread.id}")
    assert SECRET not in page.get_data(as_text=True)
    assert PLACEHOLDER in text_of(page) and "Das sehe ich ganz anders." in text_of(page)
    permalink = reader.get(f"/discussion/posts/{quoting.id}", follow_redirects=True)
    assert SECRET not in permalink.get_data(as_text=True)
    for person in (anna, make_user(role="moderator"), make_user(role="admin")):  # they may read the hidden post
        html = client_as(person).get(f"/discussion/{thread.id}").get_data(as_text=True)
        assert html.count(SECRET) == 2, person.role
    assert SECRET not in client_as(bernd).get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert fresh(Post, quoting.id).body_html.count(SECRET) == 1  # stored once, decided when shown


def test_a_post_hidden_by_a_client_data_report_is_not_readable_in_quotes_while_pending(client_as):
    thread, original, quoting, anna, bernd = quoted_scene(client_as)
    response = client_as(make_user()).post(f"/moderation/posts/{original.id}/report",
                                           data={"reason": "client_data"})
    assert response.status_code == 302 and fresh(Post, original.id).is_pending_review
    assert SECRET not in client_as(make_user()).get(f"/discussion/{thread.id}").get_data(as_text=True)
    # the moderator decides there was no violation: the quote is readable again
    moderator = client_as(make_user(role="moderator"))
    moderator.post(f"/moderation/reports/posts/{original.id}/resolve", data={"outcome": "dismissed"})
    assert not fresh(Post, original.id).is_hidden
    assert SECRET in text_of(client_as(make_user()).get(f"/discussion/{thread.id}"))


def test_a_withdrawn_post_is_not_readable_in_quotes_either(client_as):
    thread, original, quoting, anna, bernd = quoted_scene(client_as)
    assert client_as(anna).post(f"/discussion/posts/{original.id}/withdraw").status_code == 302
    page = client_as(make_user()).get(f"/discussion/{thread.id}")
    assert SECRET not in page.get_data(as_text=True) and WITHDRAWN in text_of(page)


def test_a_pinned_quoting_post_hides_the_quote_in_the_pinned_section_too(client_as):
    thread, original, quoting, anna, bernd = quoted_scene(client_as)
    moderator = client_as(make_user(role="moderator"))
    moderator.post(f"/moderation/posts/{quoting.id}/pin")
    hide(client_as, original)
    page = client_as(make_user()).get(f"/discussion/{thread.id}")
    assert 'id="angeheftet-titel"' in page.get_data(as_text=True)
    assert SECRET not in page.get_data(as_text=True) and text_of(page).count(PLACEHOLDER) == 2


def test_quotes_of_quotes_hide_only_what_the_reader_may_not_read(client_as):
    thread, original, quoting, anna, bernd = quoted_scene(client_as)
    clara = client_as(quiet(display_name="Clara Dritte"))
    nested = reply(clara, thread, quotes.quote(quoting) + "Ich stimme Bernd zu.")
    assert f"> > [**Anna Autorin**:](/discussion/posts/{original.id})" in nested.body_source
    hide(client_as, original)
    page = client_as(make_user()).get(f"/discussion/{thread.id}")
    html = page.get_data(as_text=True)
    assert SECRET not in html and text_of(page).count(PLACEHOLDER) == 2
    assert text_of(page).count("Das sehe ich ganz anders.") == 2 and "Ich stimme Bernd zu." in text_of(page)
    hide(client_as, quoting)  # now Bernd's post itself: its quote in Clara's post goes, nested quote and all
    page = client_as(make_user()).get(f"/discussion/{thread.id}")
    assert "Das sehe ich ganz anders." not in page.get_data(as_text=True)
    assert SECRET not in page.get_data(as_text=True) and "Ich stimme Bernd zu." in text_of(page)


def test_a_quote_pasted_into_another_thread_is_hidden_there_too(client_as):
    thread, original, quoting, anna, bernd = quoted_scene(client_as)
    elsewhere = make_thread(title="Ganz woanders")
    paster = client_as(quiet())
    pasted = reply(paster, elsewhere, quotes.quote(original) + "Hier auch interessant.")
    assert f'data-quote-post="{original.id}"' in pasted.body_html
    hide(client_as, original)
    page = client_as(make_user()).get(f"/discussion/{elsewhere.id}")
    assert SECRET not in page.get_data(as_text=True) and PLACEHOLDER in text_of(page)
    assert "Hier auch interessant." in text_of(page)


def test_a_quote_of_a_post_in_a_thread_the_reader_may_not_see_is_hidden(client_as):
    idea = make_idea(status="submitted")
    original = make_post(thread=idea.thread, author=idea.author, body=SECRET)
    moderator = client_as(make_user(role="moderator"))
    public = make_thread()
    reply(moderator, public, quotes.quote(original) + "Aus der Prüfung eines Ansatzes.")
    page = client_as(make_user()).get(f"/discussion/{public.id}")
    assert SECRET not in page.get_data(as_text=True) and PLACEHOLDER in text_of(page)
    assert SECRET in text_of(client_as(idea.author).get(f"/discussion/{public.id}"))


def test_a_quote_of_a_post_that_no_longer_exists_is_hidden(client_as):
    thread = make_thread()
    make_post(thread=thread, body="> [**Jemand** schrieb:](/discussion/posts/987654)\n> Alter Text\n\nAntwort")
    page = client_as(make_user()).get(f"/discussion/{thread.id}")
    assert "Alter Text" not in page.get_data(as_text=True) and PLACEHOLDER in text_of(page)


# --- the pages that copy a post's text ----------------------------------------------------------------------

def test_quoting_the_quoting_post_does_not_copy_the_hidden_text(client_as):
    thread, original, quoting, anna, bernd = quoted_scene(client_as)
    hide(client_as, original)
    form = client_as(make_user()).get(f"/discussion/{thread.id}/reply?quote={quoting.id}").get_data(as_text=True)
    assert SECRET not in form and "Das sehe ich ganz anders." in form
    assert f"&gt; &gt; [{PLACEHOLDER}](/discussion/posts/{original.id})" in form
    moderator_form = client_as(make_user(role="moderator")).get(
        f"/discussion/{thread.id}/reply?quote={quoting.id}").get_data(as_text=True)
    assert SECRET in moderator_form  # moderators may read it (and the rendered reply hides it from others)


def test_the_quote_header_is_the_same_in_either_ui_language(client_as):
    """A reply's text does not carry the quoting person's UI language ("schrieb:"/"wrote:"): the header is the name."""
    thread = make_thread()
    original = make_post(thread=thread, author=quiet(display_name="Anna Autorin"), body="Guter Punkt")
    forms = [client_as(quiet(language=language)).get(f"/discussion/{thread.id}/reply?quote={original.id}")
             .get_data(as_text=True) for language in ("de", "en")]
    header = f"&gt; [**Anna Autorin**:](/discussion/posts/{original.id})\n&gt; Guter Punkt"
    assert all(header in form for form in forms)
    assert not any(word in form for form in forms for word in ("schrieb:", "wrote:"))


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_a_hidden_post_itself_is_never_offered_as_a_quote(client_as, role):
    thread, original, quoting, anna, bernd = quoted_scene(client_as)
    hide(client_as, original)
    form = client_as(make_user(role=role)).get(f"/discussion/{thread.id}/reply?quote={original.id}")
    assert form.status_code == 200 and SECRET not in form.get_data(as_text=True)
    assert f"/discussion/posts/{original.id})" not in form.get_data(as_text=True)


def test_the_report_form_does_not_show_the_hidden_quote(client_as):
    thread, original, quoting, anna, bernd = quoted_scene(client_as)
    hide(client_as, original)
    response = client_as(make_user()).get(f"/moderation/posts/{quoting.id}/report")
    assert response.status_code == 200
    assert SECRET not in response.get_data(as_text=True) and PLACEHOLDER in text_of(response)


def test_the_quoting_authors_revisions_edit_and_withdraw_pages_do_not_show_the_hidden_quote(client_as):
    thread, original, quoting, anna, bernd = quoted_scene(client_as)
    writer = client_as(bernd)
    version = fresh(Post, quoting.id).version
    body = fresh(Post, quoting.id).body_source.replace("ganz anders", "etwas anders")
    assert writer.post(f"/discussion/posts/{quoting.id}/edit",
                       data={"body": body, "version": version, "confirm_client_data": "y"}).status_code == 302
    hide(client_as, original)
    for path in (f"/discussion/posts/{quoting.id}/revisions", f"/discussion/posts/{quoting.id}/edit",
                 f"/discussion/posts/{quoting.id}/withdraw"):
        response = writer.get(path)
        assert response.status_code == 200, path
        assert SECRET not in response.get_data(as_text=True), path
        assert PLACEHOLDER in response.get_data(as_text=True), path
    revisions = client_as(make_user(role="moderator")).get(f"/discussion/posts/{quoting.id}/revisions")
    assert revisions.get_data(as_text=True).count(SECRET) == 2


def test_saving_the_edit_form_keeps_the_hidden_quote_unless_its_line_is_deleted(client_as):
    thread, original, quoting, anna, bernd = quoted_scene(client_as)
    hide(client_as, original)
    writer = client_as(bernd)
    form = writer.get(f"/discussion/posts/{quoting.id}/edit").get_data(as_text=True)
    [offered] = re.findall(r"<textarea[^>]*>\n?(.*?)</textarea>", form, flags=re.S)
    offered = offered.replace("&gt;", ">")
    assert SECRET not in offered and PLACEHOLDER in offered
    writer.post(f"/discussion/posts/{quoting.id}/edit", data={
        "body": offered.replace("ganz anders", "etwas anders"), "version": "1"})
    kept = fresh(Post, quoting.id)
    assert kept.version == 2 and SECRET in kept.body_source and "etwas anders" in kept.body_source
    assert PLACEHOLDER not in kept.body_source
    without = "\n".join(line for line in offered.split("\n") if PLACEHOLDER not in line)
    writer.post(f"/discussion/posts/{quoting.id}/edit", data={"body": without, "version": "2"})
    assert SECRET not in fresh(Post, quoting.id).body_source


def test_moderators_see_the_quoted_text_in_the_queue_and_the_case(client_as):
    thread, original, quoting, anna, bernd = quoted_scene(client_as)
    hide(client_as, original)
    client_as(make_user()).post(f"/moderation/posts/{quoting.id}/report", data={"reason": "off_topic"})
    moderator = client_as(make_user(role="moderator"))
    for path in ("/moderation/reports", f"/moderation/reports/posts/{quoting.id}"):
        response = moderator.get(path)
        assert response.status_code == 200 and SECRET in text_of(response), path


def test_notification_mails_of_a_quoting_reply_never_carry_the_quoted_text(client_as, outbox):
    thread = make_thread()
    original = make_post(thread=thread, author=quiet(), body=SECRET)
    follower = make_user()
    client_as(follower).post(f"/notifications/follow/thread/{thread.id}")
    reply(client_as(quiet()), thread, quotes.quote(original) + "Antwort")
    mails = outbox(follower.email)
    assert mails and all(SECRET not in mail.body and SECRET not in mail.subject for mail in mails)


# --- bounded work ---------------------------------------------------------------------------------------------

def test_the_thread_page_decides_every_quote_in_one_query(client_as):
    thread = make_thread()
    reader = make_user()
    originals = [make_post(thread=thread, body=f"Beitrag {number}") for number in range(6)]

    def quote_all(posts):
        for post in posts:
            make_post(thread=thread, body=quotes.quote(post) + "Antwort")

    quote_all(originals[:2])
    originals[0].hidden_at = utcnow()
    db.session.commit()
    client = client_as(reader)
    client.get(f"/discussion/{thread.id}")  # the read state is written once

    def queries() -> int:
        with count_queries() as statements:
            assert client.get(f"/discussion/{thread.id}").status_code == 200
        return len(statements)

    few = queries()
    quote_all(originals[2:] * 3)
    for post in originals[2:4]:
        post.hidden_at = utcnow()
    db.session.commit()
    client.get(f"/discussion/{thread.id}")
    assert queries() == few


def test_a_page_without_quotes_needs_no_extra_query(app):
    posts = [make_post(body="Ohne Zitat")]
    with count_queries() as statements:
        shown = quotes.shown_html(posts, AnonymousUserMixin())
    assert statements == [] and shown[posts[0].id] == posts[0].body_html


# --- quotes written before the link --------------------------------------------------------------------------

def test_rerender_links_older_quotes_to_their_post_so_they_are_hidden_too(app, client_as):
    thread = make_thread()
    anna = make_user(display_name="Anna *Stern*")
    original = make_post(thread=thread, author=anna, body=SECRET + "\n\nZweiter Absatz.")
    other = make_post(thread=thread, author=anna, body="Etwas ganz anderes.")
    legacy = ("**Anna \\*Stern\\*** schrieb:\n> " + SECRET + "\n>\n> Zweiter Absatz.\n\nMeine Antwort.")
    quoting = make_post(thread=thread, body=legacy)
    english = make_post(thread=thread, body="**Anna \\*Stern\\*** wrote:\n> " + SECRET + "\n\nReply.")
    unknown = make_post(thread=thread, body="**Niemand** schrieb:\n> Text, den es nirgends gibt.\n\nAntwort")
    db.session.add(PostRevision(post_id=quoting.id, body_source=legacy + " Alt."))
    hide(client_as, original)
    assert SECRET in client_as(make_user()).get(f"/discussion/{thread.id}").get_data(as_text=True)  # the defect

    result = app.test_cli_runner().invoke(args=["rerender"])
    assert "3 ältere Zitate mit ihrem Beitrag verknüpft, 1 ohne auffindbaren Beitrag (in den Beiträgen mit der " \
           f"ID {unknown.id}, bitte prüfen)." in result.output
    linked = fresh(Post, quoting.id)
    assert linked.body_source.startswith(f"> [**Anna \\*Stern\\*** schrieb:](/discussion/posts/{original.id})\n> ")
    assert linked.version == 2 and other.id not in quotes.quoted_ids(linked.body_source)
    assert quotes.quoted_ids(fresh(Post, english.id).body_source) == {original.id}
    [revision] = db.session.scalars(select(PostRevision.body_source).where(PostRevision.post_id == quoting.id))
    assert quotes.quoted_ids(revision) == {original.id}
    page = client_as(make_user()).get(f"/discussion/{thread.id}")
    assert SECRET not in page.get_data(as_text=True) and "Meine Antwort." in text_of(page)
    again = app.test_cli_runner().invoke(args=["rerender"])
    assert "0 ältere Zitate mit ihrem Beitrag verknüpft, 1 ohne auffindbaren Beitrag" in again.output


# --- the markup -----------------------------------------------------------------------------------------------

LINKS = quotes.QUOTE_LINKS


def test_a_quote_is_marked_only_when_its_first_paragraph_starts_with_a_link_to_a_post():
    marked = markup.render("> [**A** schrieb:](/discussion/posts/7)\n> Text", quote_links=LINKS)
    assert marked.startswith('<blockquote data-quote-post="7">')
    for source in ("> Text [A](/discussion/posts/7)", "> [A](/organisations/7)\n> Text", "[A](/discussion/posts/7)",
                   "> [A](https://example.org/x/discussion/posts/7?x=1)"):
        assert "data-quote-post" not in markup.render(source, quote_links=LINKS), source
    assert 'data-quote-post="7"' in markup.render("> [A](https://extranet.example/discussion/posts/7)",
                                                  quote_links=LINKS)


def test_quotes_run_together_by_markdown_are_separated():
    source = ("> Eigene Zusammenfassung\n\n> [**A** schrieb:](/discussion/posts/1)\n> eins\n"
              "> [**B** schrieb:](/discussion/posts/2)\n> zwei\n\n> Noch etwas\n"
              "> > [**C** schrieb:](/discussion/posts/3)\n> > drei\n> lazy weiter")
    html = markup.render(source, quote_links=LINKS)
    assert markup.quoted_post_ids(html) == {1, 2, 3}
    for post_id, gone, kept in ((1, ["eins"], ["Eigene Zusammenfassung", "zwei", "drei"]),
                                (2, ["zwei"], ["Eigene Zusammenfassung", "eins"]),
                                (3, ["drei", "lazy weiter"], ["Eigene Zusammenfassung", "eins", "zwei"])):
        masked = markup.replace_quotes(html, {post_id: "X"})
        shown = markup.replace_quoted_sources(source, LINKS, {post_id: "X"})
        assert masked.count("<em>X</em>") == 1 and shown.count("[X](") == 1
        for text in gone:
            assert text not in masked and text not in shown, (post_id, text)
        for text in kept:
            assert text in masked and text in shown, (post_id, text)
    # Python-Markdown joins a quote that follows after a blank line to the one before: the page then hides
    # "Noch etwas" and C's quote with B's (more than needed, never less)
    assert "Noch etwas" not in markup.replace_quotes(html, {2: "X"})


def test_blockquote_tags_typed_as_html_can_neither_end_a_quote_early_nor_claim_to_quote_a_post():
    source = ("> [**A** schrieb:](/discussion/posts/5)\n> geheim </blockquote> <p>weiter geheim</p>\n>\n"
              "> <BlockQuote>auch geheim</ blockquote >\n\n<blockquote data-quote-post=\"6\">selbst</blockquote>")
    html = markup.render(source, quote_links=LINKS)
    assert markup.quoted_post_ids(html) == {5} and html.count("<blockquote") == 1
    masked = markup.replace_quotes(html, {5: "weg", 6: "auch weg"})
    assert "geheim" not in masked and "&lt;blockquote data-quote-post" in masked
