"""Search (forum/search): German words find each other on both databases, results never show what the person
may not see, the index follows every change in the same transaction, and the page behaves (tabs, filters,
order, pages, snippets, limits). Every test runs on SQLite (FTS5) and PostgreSQL (tsvector) alike."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from forum.clock import utcnow
from forum.discussion import services as discussion
from forum.events.attachments import add_attachment
from forum.events.services import update_documentation
from forum.extensions import db
from forum.ideas.services import set_idea_status
from forum.moderation.redaction import redact_post
from forum.moderation.services import hide_post, move_thread, rename_thread
from forum.search import engine
from forum.search import index as search_index
from forum.search.models import SearchDocument
from forum.search.text import SNIPPET_WORDS, parse, snippet, terms
from tests.factories import make_board, make_event, make_idea, make_organisation, make_post, make_user
from tests.helpers import count_queries, text_of


def found(user, text: str, kind: str | None = None, **filters) -> list[str]:
    """Titles (posts: their text) of what `user` finds, on the search page's engine."""
    with current_app.test_request_context():
        results = engine.search(user, parse(text), kind=kind, filters=engine.Filters(**filters), per_page=50)
    return [re.sub(r"</?mark>", "", str(r.snippet)) if r.kind == "post" else r.title for r in results.items]


def thread_with(text: str, *, author=None, board=None, title="Erfahrungen aus der Praxis"):
    """A Fachforum thread opened through the service (so it is indexed like in real use); its first post."""
    return discussion.open_thread(board or make_board(), title, text, author=author or make_user())


# --- German ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, searched", [
    ("Wir beraten in allen Jobcentern des Kreises.", "Jobcenter"),
    ("Die Beratungen finden donnerstags statt.", "Beratung"),
    ("Treffpunkt ist die Bahnhofstraße 5.", "Bahnhofstrasse"),
    ("Frau Müller aus der Schuldnerberatung kommt.", "Mueller"),
    ("Frau Mueller aus der Schuldnerberatung kommt.", "Müller"),
    ("Eine aufsuchende Beratung zu Hause.", "Aufsuchend"),
    ("Coaching nach § 16i SGB II für zwölf Monate.", "§ 16i"),
    ("Coaching nach §16i SGB II für zwölf Monate.", "§ 16i"),
    ("Förderung nach 16a SGB II, kommunale Leistungen.", "16a SGB II"),
    ("Im Jahr 2026 nahmen 143 Personen teil.", "143"),
    ("Die Schuldnerberatung im Haus hat sich bewährt.", "Schuldnerber"),  # the word being typed
])
def test_german_words_find_their_inflections_umlauts_paragraphs_and_numbers(app, member, written, searched):
    thread_with(written)
    assert found(member, searched, kind="post") == [written]


def test_phrases_exclusions_and_prefixes_work_as_people_type_them(app, member):
    thread_with("Aufsuchende Beratung im Quartier, gemeinsam mit der Schuldnerberatung.")
    thread_with("Beratung, die aufsuchend arbeitet, braucht Zeit.")
    assert len(found(member, "aufsuchende Beratung", kind="post")) == 2
    assert found(member, '"aufsuchende Beratung"', kind="post") == [
        "Aufsuchende Beratung im Quartier, gemeinsam mit der Schuldnerberatung."]
    assert found(member, "Beratung -Schuldnerberatung", kind="post") == [
        "Beratung, die aufsuchend arbeitet, braucht Zeit."]
    assert found(member, "Quart", kind="post") == [
        "Aufsuchende Beratung im Quartier, gemeinsam mit der Schuldnerberatung."]
    assert found(member, '"Quart"', kind="post") == []  # a quoted word is a whole word
    assert found(member, "-Beratung", kind="post") == []  # nothing required: nothing found


def test_a_snippet_of_a_long_text_is_the_passage_around_the_first_match_with_each_match_marked():
    text = " ".join(["Vorwort"] * 100 + ["Die", "Beratung", "und", "weitere", "Beratungen", "helfen."]
                    + ["Nachwort"] * 100)
    marked = str(snippet(text, parse("Beratung")))
    assert marked.startswith("… Vorwort") and marked.endswith(" …")
    assert marked.count("<mark>") == 2 and "<mark>Beratungen</mark>" in marked
    assert marked.count("Vorwort") == SNIPPET_WORDS // 4 - 1 and "Nachwort" in marked


def test_query_parsing_and_terms_are_the_same_for_both_engines():
    assert terms("Jobcentern Jobcenter") == "jobcent jobcent"
    assert terms("Straße Strasse") == terms("strasse STRASSE")
    query = parse('"aufsuchende Beratung" -Schulden § 16i Jobcen')
    assert query.required == [[terms("aufsuchende"), terms("Beratung")], ["16i"], [terms("Jobcen")]]
    assert query.excluded == [[terms("Schulden")]]
    assert query.prefix_last


def test_snippets_are_escaped_text_with_the_matched_words_marked(app, member):
    post = thread_with("Vorsicht: <script>alert(1)</script> Die **Beratung** läuft gut & schnell.")
    marked = str(snippet(search_index.post_text(post), parse("Beratung")))
    assert "<mark>Beratung</mark>" in marked
    assert "<script>" not in marked and "&lt;script&gt;" in marked
    assert "**" not in marked


# --- never leaks ------------------------------------------------------------------------------------------------

def test_hidden_withdrawn_and_pending_posts_are_found_by_nobody(app, member, moderator):
    author = make_user()
    hidden = thread_with("Kundin Zebrafink hat Schulden.", author=author)
    hide_post(hidden, actor=moderator, reason="client_data")
    withdrawn = thread_with("Zebrafink zieht um.", author=author)
    discussion.withdraw_post(withdrawn, actor=author)
    shown = thread_with("Zebrafink ist ein Vogel.", author=author)
    for person in (member, author, moderator):
        assert found(person, "Zebrafink", kind="post") == ["Zebrafink ist ein Vogel."]
    assert db.session.scalar(select(SearchDocument).where(SearchDocument.kind == "post",
                                                          SearchDocument.object_id == withdrawn.id)) is None
    assert shown


def test_a_quote_of_a_hidden_post_does_not_make_its_text_searchable(app, member, moderator):
    source = thread_with("Herr Kiebitz wohnt in der Lindenallee.")
    discussion.add_post(source.thread, f"> [**X** schrieb:](/discussion/posts/{source.id})\n> Herr Kiebitz wohnt in "
                                       "der Lindenallee.\n\nDanke für den Hinweis.", author=make_user())
    hide_post(source, actor=moderator, reason="client_data")
    assert found(member, "Lindenallee") == []
    assert found(member, "Hinweis", kind="post") == ["Danke für den Hinweis."]


def test_unpublished_ideas_and_their_discussions_are_found_only_by_their_author_and_the_moderation(
        app, member, moderator):
    author = make_user()
    idea = make_idea(title="Kranichprojekt für Alleinerziehende", status="submitted", author=author)
    search_index.index_idea(idea)
    discussion.add_post(idea.thread, "Das Kranichprojekt startet im Mai.", author=author)
    colleague = make_user(organisation=author.organisation)
    assert found(member, "Kranichprojekt") == []
    assert found(colleague, "Kranichprojekt") == []  # eingereicht: not even the same Jobcenter, like the pages
    assert set(found(author, "Kranichprojekt")) == {"Kranichprojekt für Alleinerziehende",
                                                     "Das Kranichprojekt startet im Mai."}
    assert set(found(moderator, "Kranichprojekt")) == set(found(author, "Kranichprojekt"))
    set_idea_status(idea, "published", actor=moderator, reason="Geprüft.")
    assert set(found(member, "Kranichprojekt")) == set(found(author, "Kranichprojekt"))


def test_anonymous_and_suspended_people_find_nothing(app, client):
    thread_with("Öffentlich? Nein: Reiherbucht.")
    assert found(make_user(status="suspended"), "Reiherbucht") == []
    response = client.get("/search/?q=Reiherbucht")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the index follows every change ---------------------------------------------------------------------------------

def test_edits_redactions_renames_and_moves_are_searchable_at_once(app, member, moderator):
    post = thread_with("Ansprechpartnerin ist Frau Amsel.", title="Gesprächsführung")
    discussion.edit_post(post, "Ansprechpartnerin ist Frau Drossel.", editor=post.author, version=post.version)
    assert found(member, "Amsel") == [] and found(member, "Drossel", kind="post") == [
        "Ansprechpartnerin ist Frau Drossel."]
    assert found(member, "Dross", kind="post") == ["Ansprechpartnerin ist Frau Drossel."]  # still being typed
    redact_post(post, "Drossel", actor=moderator, replacement="[geschwärzt]")
    assert found(member, "Drossel") == []
    rename_thread(post.thread, "Motivierende Gesprächsführung", actor=moderator)
    assert found(member, "motivierend", kind="thread") == ["Motivierende Gesprächsführung"]
    board = make_board(title="Fachforum Coaching")
    move_thread(post.thread, board, actor=moderator)
    assert found(member, "Gesprächsführung", kind="thread", board_id=board.id) == ["Motivierende Gesprächsführung"]


def test_event_documentation_and_its_files_are_searchable(app, member, organiser, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    event = make_event(title="Regionalkonferenz Nord")
    search_index.index_event(event)
    update_documentation(event, "Ergebnis: Lotsenmodell für Wohnungslose wird erprobt.", actor=organiser)
    assert found(member, "Lotsenmodell", kind="event") == ["Regionalkonferenz Nord"]
    add_attachment(event, filename="protokoll.docx", stream=io.BytesIO(_docx("Kooperation mit dem Pelikanverein")),
                   actor=organiser)
    add_attachment(event, filename="kaputt.pdf", stream=io.BytesIO(b"%PDF-1.4\n kein echtes PDF"), actor=organiser)
    assert found(member, "Pelikanverein", kind="document") == ["protokoll.docx"]
    assert found(member, "kaputt", kind="document") == ["kaputt.pdf"]  # stored and found by its name


def _docx(text: str) -> bytes:
    import docx
    document = docx.Document()
    document.add_paragraph(text)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def test_reindex_rebuilds_the_same_index(app, member):
    thread_with("Die Jugendberufsagentur berät gemeinsam.")
    idea = make_idea(title="Jugendberufsagentur unter einem Dach")  # written directly: not indexed yet
    assert found(member, "Jugendberufsagentur") == ["Die Jugendberufsagentur berät gemeinsam."]
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0 and "Suchindex neu aufgebaut" in result.output
    assert set(found(member, "Jugendberufsagentur")) == {"Die Jugendberufsagentur berät gemeinsam.", idea.title}
    assert set(found(member, "Jugendberufsag")) == {"Die Jugendberufsagentur berät gemeinsam.", idea.title}


# --- the page ------------------------------------------------------------------------------------------------------

def test_search_page_shows_tabs_with_counts_marked_snippets_and_links(app, client_as, member):
    first = thread_with("Die Wohnungslosenhilfe im Kreis hilft schnell.", title="Wohnungslosenhilfe")
    idea = make_idea(title="Wohnungslosenhilfe aus einer Hand")
    search_index.index_idea(idea)
    client = client_as(member)
    page = client.get("/search/?q=Wohnungslosenhilfe")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<mark>Wohnungslosenhilfe</mark>" in html
    assert f'href="/discussion/posts/{first.id}"' in html and f'href="/ideas/{idea.id}"' in html
    text = text_of(page)
    assert "Alle (3)" in text and "Beiträge (1)" in text and "Ideen (1)" in text and "Diskussionen (1)" in text
    only_ideas = text_of(client.get("/search/?q=Wohnungslosenhilfe&kind=idea"))
    assert "1 Treffer" in only_ideas and idea.title in only_ideas
    assert "Die Wohnungslosenhilfe im Kreis" not in only_ideas
    assert 'id="header-search"' in html  # the field in every page's header


def test_filters_narrow_by_land_organisation_author_topic_and_date(app, member):
    north = make_organisation(land="SH")
    author = make_user(organisation=north)
    thread_with("Netzwerk Haubentaucher im Norden.", author=author)
    thread_with("Netzwerk Haubentaucher im Süden.", author=make_user(organisation=make_organisation(land="BY")))
    assert found(member, "Haubentaucher", kind="post", land="SH") == ["Netzwerk Haubentaucher im Norden."]
    assert found(member, "Haubentaucher", kind="post", organisation_id=north.id) == [
        "Netzwerk Haubentaucher im Norden."]
    assert found(member, "Haubentaucher", kind="post", author_id=author.id) == ["Netzwerk Haubentaucher im Norden."]
    today = utcnow().date()
    assert len(found(member, "Haubentaucher", date_from=today, date_to=today)) == 2
    assert found(member, "Haubentaucher", date_to=today - timedelta(days=1)) == []
    assert found(member, "Haubentaucher", board_id=make_board().id) == []


def test_too_long_queries_get_a_german_message_and_stay_in_the_field(app, client_as, member):
    client = client_as(member)
    long_query = "Beratung " * 30
    response = client.get("/search/", query_string={"q": long_query})
    assert response.status_code == 200
    assert "höchstens 200 Zeichen" in text_of(response)
    assert "Beratung Beratung" in response.get_data(as_text=True)
    bad_date = client.get("/search/?q=Beratung&date_from=31.02.2026")
    assert bad_date.status_code == 200 and "Datum" in text_of(bad_date)


def test_searching_is_rate_limited_per_person_with_a_message(app, client_as, member):
    app.config["RATELIMIT_SEARCH"] = "2 per minute"
    try:
        client = client_as(member)
        assert client.get("/search/?q=Beratung").status_code == 200
        assert client.get("/search/?q=Beratung").status_code == 200
        limited = client.get("/search/?q=Beratung")
        assert limited.status_code == 429 and "sehr oft gesucht" in text_of(limited)
        assert client_as(make_user()).get("/search/?q=Beratung").status_code == 200  # per person
    finally:
        app.config["RATELIMIT_SEARCH"] = "10000 per minute"


def test_results_are_paginated_and_sorted_by_date_on_request(app, client_as, member):
    board = make_board()
    author = make_user()
    for number in range(25):
        discussion.open_thread(board, f"Thema {number}", f"Beitrag {number} über Eisvogelschutz.", author=author)
    client = client_as(member)
    first = text_of(client.get("/search/?q=Eisvogelschutz&kind=post&sort=date"))
    assert "Seite 1 von 2" in first and "Beitrag 24 über" in first
    second = text_of(client.get("/search/?q=Eisvogelschutz&kind=post&sort=date&page=2"))
    assert "Beitrag 0 über" in second and "Beitrag 24 über" not in second


def test_more_matches_than_are_ranked_say_200_plus_and_end_after_ten_pages(app, client_as, member):
    thread = thread_with("Der erste Beitrag über Kranichzählung.").thread
    for number in range(engine.CANDIDATES + 4):  # written by the factory and indexed at once: fast
        make_post(thread=thread, body=f"Beitrag {number} zur Kranichzählung.")
    search_index.reindex_all()
    with current_app.test_request_context():
        results = engine.search(member, parse("Kranichzählung"), kind="post")
    assert results.counts["post"] == engine.CANDIDATES + 1 and results.label("post") == "200+"
    assert results.pages == 10
    last = text_of(client_as(member).get("/search/?q=Kranichzählung&kind=post&page=11"))
    assert "200+ Treffer" in last and "Seite 10 von 10" in last


@pytest.mark.parametrize("posts", [5, 60])
def test_the_search_page_runs_a_fixed_number_of_statements(app, client_as, member, posts):
    board = make_board()
    author = make_user()
    for number in range(posts):
        discussion.open_thread(board, f"Thema {number}", f"Beitrag über Stieglitzhilfe Nummer {number}.",
                               author=author)
    client = client_as(member)
    db.session.commit()
    with count_queries() as statements:
        assert client.get("/search/?q=Stieglitzhilfe").status_code == 200
    assert len(statements) <= 14, statements


def test_search_route_is_reachable_from_the_header_without_javascript(app, client_as, member):
    page = client_as(member).get("/").get_data(as_text=True)
    form = re.search(r'<form method="get" action="([^"]+)" class="header-search"', page)
    assert form and form.group(1) == "/search/"


# --- similar ideas while writing ----------------------------------------------------------------------------------

def test_similar_ideas_are_offered_while_writing_but_never_unpublished_ones_of_others(app, client_as, member):
    published = make_idea(title="Schuldnerberatung direkt im Jobcenter", summary="Beratung zu Schulden vor Ort.")
    hidden = make_idea(title="Schuldnerberatung per Video", summary="Beratung zu Schulden online.",
                       status="submitted")
    other = make_idea(title="Gesundheitscoaching", summary="Mit der Krankenkasse.",
                      description="# Ausgangslage\nSport und Ernährung im Alltag.")
    for idea in (published, hidden, other):
        search_index.index_idea(idea)
    client = client_as(member)
    answer = client.get("/search/similar-ideas", query_string={"title": "Schuldnerberatung für Alleinerziehende",
                                                                "summary": "Wir beraten zu Schulden."})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert f'href="/ideas/{published.id}"' in html
    assert f'href="/ideas/{hidden.id}"' not in html and f'href="/ideas/{other.id}"' not in html
    editing = client.get("/search/similar-ideas", query_string={"title": published.title, "idea": published.id})
    assert f'href="/ideas/{published.id}"' not in editing.get_data(as_text=True)  # not itself
    nothing = client.get("/search/similar-ideas", query_string={"title": "Walfang"})
    assert "Keinen ähnlichen Ansatz gefunden" in text_of(nothing)


def test_the_idea_form_shows_similar_ideas_without_javascript_and_saves_nothing(app, client_as, member):
    from forum.ideas.models import Idea

    existing = make_idea(title="Jobcoaching für Alleinerziehende", summary="Coaching in Teilzeit.")
    search_index.index_idea(existing)
    client = client_as(member)
    before = db.session.scalar(select(func.count()).select_from(Idea))
    page = client.post("/ideas/new", data={"title": "Coaching für Alleinerziehende", "summary": "Teilzeit.",
                                           "similar": "1"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'href="/ideas/{existing.id}"' in html
    assert 'value="Coaching für Alleinerziehende"' in html  # what was typed stays
    assert "Bitte" not in text_of(page).split("Gibt es den Ansatz schon?")[0]  # no validation messages
    assert db.session.scalar(select(func.count()).select_from(Idea)) == before


def test_an_event_page_searches_within_the_event_and_a_result_offers_more_by_its_author(app, client_as, member):
    event = make_event(title="Fachtag Wohnen")
    search_index.index_event(event)
    author = make_user(display_name="Frieda Falke")
    discussion.add_post(event.main_thread, "Das Housing-First-Modell aus Bremen.", author=author)
    thread_with("Housing-First auch bei uns?", author=author)
    client = client_as(member)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'<input type="hidden" name="event" value="{event.id}">' in page
    within = client.get(f"/search/?q=Housing&event={event.id}")
    assert "Modell aus Bremen" in text_of(within) and "auch bei uns" not in text_of(within)
    assert "Fachtag Wohnen" in text_of(within)  # the chosen event is offered as the filter's value
    everywhere = client.get("/search/?q=Housing").get_data(as_text=True)
    more = re.search(r'href="([^"]*author=%d[^"]*)"' % author.id, everywhere)
    assert more and "Mehr von Frieda Falke" in everywhere
    by_author = text_of(client.get(more.group(1).replace("&amp;", "&")))
    assert "Alle (2)" in by_author and "Frieda Falke" in by_author


# --- the stored audience (index.refresh_audience) says what the visible_* filters say --------------------------

def _audience_world(moderator):
    """Posts in every state in a Fachforum thread and in the discussions of ideas in every status, those ideas, an
    event and an organisation, indexed through the services (posts) and the index functions; and the people who
    look: each role, a member of another Jobcenter, the authors."""
    from forum.ideas.models import IDEA_STATUSES
    from forum.moderation.services import unhide_post

    idea_author, post_author = make_user(), make_user()
    ideas = [make_idea(title=f"Reiherprojekt {status}", status=status, author=idea_author)
             for status in IDEA_STATUSES]
    threads = [thread_with("Reiher im Forum.", author=post_author).thread] + [idea.thread for idea in ideas]
    posts = []
    for thread in threads:
        for state in ("shown", "hidden", "shown_again", "pending", "withdrawn"):
            post = discussion.add_post(thread, f"Reiher {state}.", author=post_author)
            if state in ("hidden", "shown_again"):
                hide_post(post, actor=moderator, reason="insult")
            if state == "shown_again":
                unhide_post(post, actor=moderator)
            elif state == "pending":
                from forum.moderation.services import set_hidden
                set_hidden(post, actor=None, reason="client_data")
            elif state == "withdrawn":
                discussion.withdraw_post(post, actor=post_author)
            posts.append(post)
    for idea in ideas:
        search_index.index_idea(idea)
    search_index.index_event(make_event(title="Reihertagung"))
    search_index.index_organisation(make_organisation(name="Jobcenter Reiherstadt"))
    viewers = [make_user(role=role) for role in ("member", "organiser", "moderator", "admin")]
    return ideas, viewers + [idea_author, post_author]


def _documents():
    return list(db.session.scalars(select(SearchDocument).order_by(SearchDocument.id)))


def _expected_audience(document, plain, viewers) -> str:
    """"all" when a plain member of another Jobcenter may see the thing by the visible_* filters (posts: read its
    text, shown to everyone — the search never finds hidden text); "none" when nobody finds it; else "some"."""
    from forum import permissions
    from forum.discussion.models import Post, Thread
    from forum.events.models import Event
    from forum.ideas.models import Idea
    from forum.organisations.models import Organisation

    model, visible = {"post": (Post, permissions.readable_posts), "thread": (Thread, permissions.visible_threads),
                      "idea": (Idea, permissions.visible_ideas), "event": (Event, permissions.visible_events),
                      "organisation": (Organisation, permissions.visible_organisations)}[document.kind]
    if db.session.scalar(visible(plain, select(model.id).where(model.id == document.object_id))) is not None:
        return "all"
    finders = [viewer for viewer in viewers if db.session.scalar(select(SearchDocument.id).where(
        SearchDocument.id == document.id, engine._visible(viewer, document.kind))) is not None]
    return "some" if finders else "none"


def test_the_stored_audience_equals_what_a_plain_member_of_another_jobcenter_may_see(app, moderator):
    ideas, viewers = _audience_world(moderator)
    plain = make_user(organisation=make_organisation())

    def check(when: str) -> None:
        documents = _documents()
        assert {document.audience for document in documents} == {"all", "some", "none"}, when
        for document in documents:
            assert document.audience == _expected_audience(document, plain, viewers), (when, document.kind,
                                                                                         document.title,
                                                                                         document.body)
        for viewer in [plain, *viewers]:  # what the stored audience lets through is what the filters let through
            for kind in ("post", "thread", "idea", "event", "organisation"):
                def ids(condition):
                    return set(db.session.scalars(select(SearchDocument.id).where(SearchDocument.kind == kind,
                                                                                  condition)))
                assert ids(engine._seen(viewer, kind)) == ids(engine._visible(viewer, kind)), (when, kind)

    check("written")
    submitted = ideas[0]
    set_idea_status(submitted, "published", actor=moderator, reason="Geprüft.")
    set_idea_status(ideas[1], "submitted", actor=moderator, reason="Zur Überarbeitung.")
    check("status changed")
    search_index.reindex_all()
    check("reindexed")
