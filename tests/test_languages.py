"""Language of parts (WCAG 3.1.2): every user text knows the language it was written in (the author's UI language
when written), and a page in the other UI language marks it with `lang`, so screen readers pronounce it right."""
from __future__ import annotations

import re

from sqlalchemy import select

from forum.discussion.models import Post
from forum.discussion.services import open_thread
from forum.extensions import db
from forum.search import index as search_index
from tests.factories import make_board, make_event, make_idea, make_notification, make_post, make_thread
from tests.helpers import quiet, text_of

CLAIM = "Netzwerke für Aktivierung, Beratung und Chancen"


def written(thing, language: str):
    thing.language = language
    db.session.flush()
    return thing


def test_the_english_ui_marks_a_german_post_its_title_and_the_programme_claim_as_german(client_as):
    thread = make_thread(title="Erfahrungen mit dem Gesundheitscoaching")
    make_post(thread=thread, body="Wir haben gute Erfahrungen gemacht.")
    html = client_as(quiet(language="en")).get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert re.search(r'<h1 class="kern-heading-large" lang="de">Erfahrungen mit dem Gesundheitscoaching</h1>', html)
    assert re.search(r'<div class="prose post__body" lang="de"><p>Wir haben gute Erfahrungen gemacht.</p>', html)
    assert f'<span class="site-title__claim" lang="de">{CLAIM}</span>' in html
    assert '<html lang="en"' in html


def test_the_german_ui_marks_an_english_post_and_leaves_german_texts_and_the_claim_unmarked(client_as):
    thread = make_thread(title="Erfahrungen aus der Praxis")
    english = written(make_post(thread=thread, body="We tried this in Bremen."), "en")
    german = make_post(thread=thread, body="Bei uns auch.")
    html = client_as(quiet()).get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert f'id="beitrag-{english.number}"' in html
    assert '<div class="prose post__body" lang="en"><p>We tried this in Bremen.</p>' in html
    assert '<div class="prose post__body"><p>Bei uns auch.</p>' in html and german.language == "de"
    assert f'<span class="site-title__claim">{CLAIM}</span>' in html
    assert '<h1 class="kern-heading-large">Erfahrungen aus der Praxis</h1>' in html


def test_a_post_and_a_thread_written_in_the_english_ui_are_stored_as_english(client_as):
    thread = make_thread()
    writer = client_as(quiet(language="en"))
    response = writer.post(f"/discussion/{thread.id}/reply", data={"body": "Good point, we do the same."})
    assert response.status_code == 302, text_of(response)
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id).order_by(Post.number.desc()))
    assert post.language == "en"
    german_reader = client_as(quiet()).get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert '<div class="prose post__body" lang="en"><p>Good point, we do the same.</p>' in german_reader
    english_reader = client_as(quiet(language="en")).get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert '<div class="prose post__body"><p>Good point, we do the same.</p>' in english_reader


def test_ideas_events_and_lists_mark_what_is_written_in_the_other_language(client_as):
    idea = written(make_idea(title="Health coaching in Bremen", summary="A short summary in English."), "en")
    event = make_event(title="Werkstattgespräch Gesundheit")
    reader = client_as(quiet())
    idea_page = reader.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert '<h1 class="kern-heading-large" lang="en">Health coaching in Bremen</h1>' in idea_page
    assert '<p class="kern-body kern-body--large" lang="en">A short summary in English.</p>' in idea_page
    ideas = reader.get("/ideas/").get_data(as_text=True)
    assert re.search(r'href="/ideas/%d" lang="en">Health coaching in Bremen</a>' % idea.id, ideas)
    english = client_as(quiet(language="en"))
    event_page = english.get(f"/events/{event.id}").get_data(as_text=True)
    assert '<h1 class="kern-heading-large" lang="de">Werkstattgespräch Gesundheit</h1>' in event_page
    events = english.get("/events/").get_data(as_text=True)
    assert re.search(r'href="/events/%d" lang="de">Werkstattgespräch Gesundheit</a>' % event.id, events)


def test_search_results_mark_title_and_snippet_in_the_other_language(client_as):
    thread = written(make_thread(title="Coaching for health"), "en")
    post = written(make_post(thread=thread, body="Our coaching for health works well."), "en")
    search_index.index_thread(thread)
    search_index.index_post(post)
    html = client_as(quiet()).get("/search/?q=coaching").get_data(as_text=True)
    assert re.search(r'<a class="kern-link" href="/discussion/posts/%d" lang="en">Coaching for health</a>' % post.id,
                     html)
    assert re.search(r'<p class="kern-body search-result__snippet" lang="en">', html)


def test_a_thread_opened_in_the_english_ui_is_english_and_existing_texts_default_to_german(app):
    thread_in_english = open_thread(make_board(), "Coaching for health", "We tried it.", author=quiet(language="en"))
    assert (thread_in_english.language, thread_in_english.thread.language) == ("en", "en")
    german = open_thread(make_board(), "Gesundheit", "Bei uns auch.", author=quiet())
    assert (german.language, german.thread.language) == ("de", "de")
    assert make_idea().language == "de"  # written without an author's language (demo, import): German


def test_a_title_inside_a_translated_sentence_is_marked_and_the_browser_title_stays_plain(client_as):
    thread = make_thread(title="Erfahrungen <mit> Coaching")
    html = client_as(quiet(language="en")).get(f"/discussion/{thread.id}/reply").get_data(as_text=True)
    marked = '<span lang="de">Erfahrungen &lt;mit&gt; Coaching</span></h1>'
    assert re.search(r'<h1 class="kern-heading-large">[^<]+' + re.escape(marked), html)
    assert "<title>" in html and '<span lang="de">' not in html.split("</title>")[0]
    german = client_as(quiet()).get(f"/discussion/{thread.id}/reply").get_data(as_text=True)
    assert "Antworten: Erfahrungen &lt;mit&gt; Coaching</h1>" in german


def test_a_german_event_title_is_marked_in_the_english_edit_heading_and_the_follow_up_notification(client_as):
    organiser = quiet(language="en", role="organiser")
    event = make_event(title="Fachtag Coaching")
    html = client_as(organiser).get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert '<h1 class="kern-heading-large">Edit <span lang="de">Fachtag Coaching</span></h1>' in html
    member = quiet(language="en")
    make_notification(user=member, kind="follow_up", event=event, thread=make_thread(title="Nachlese"))
    inbox = client_as(member).get("/notifications/").get_data(as_text=True)
    assert '<span lang="de">Fachtag Coaching</span>' in inbox
