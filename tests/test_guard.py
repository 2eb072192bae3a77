"""The client-data guard: real-looking client data is found, ordinary posts are left alone; on a hit the form
comes back highlighted and nothing is saved until the author edits or confirms; only counts are recorded."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum import guard
from forum.discussion.models import Post, Thread
from forum.guard import GuardEvent
from forum.extensions import db
from forum.ideas.models import Idea
from forum.ideas.sections import split_description
from tests.factories import IDEA_DESCRIPTION, make_board, make_term, make_thread
from tests.helpers import text_of

POSITIVES = [
    # (pattern, text, the stretch that must be found)
    ("bg_nummer", "Die BG 12345BG0012345 hat Schulden.", "12345BG0012345"),
    ("bg_nummer", "BG-Nr.: 98765 BG 0004321", "98765 BG 0004321"),
    ("bg_nummer", "bg 12345bg1234567 erwähnt", "12345bg1234567"),
    ("kundennummer", "Kundennummer 123A456789 bitte prüfen", "123A456789"),
    ("kundennummer", "Kd-Nr. 955 D 123456, Termin morgen", "955 D 123456"),
    ("iban", "Überweisung auf DE89 3704 0044 0532 0130 00.", "DE89 3704 0044 0532 0130 00"),
    ("iban", "IBAN: DE89370400440532013000", "DE89370400440532013000"),
    ("iban", "iban de02 1203 0000 0000 2020 51", "de02 1203 0000 0000 2020 51"),
    ("rentenversicherungsnummer", "RV-Nummer 65 170839 J 003 liegt vor", "65 170839 J 003"),
    ("rentenversicherungsnummer", "SV-Nr. 65170839J003", "65170839J003"),
    ("steuer_id", "Steuer-ID 86095742719", "86095742719"),
    ("steuer_id", "IdNr. 86 095 742 719 (siehe Bescheid)", "86 095 742 719"),
    ("geburtsdatum", "Herr Müller, geb. 12.03.1985, wohnt allein.", "geb. 12.03.1985"),
    ("geburtsdatum", "Sie ist geboren am 1.2.1979 in Essen.", "geboren am 1.2.1979"),
    ("geburtsdatum", "Frau K. (*12.03.1985) hat zwei Kinder.", "*12.03.1985"),
    ("geburtsdatum", "Kunde * 03.11.62, alleinstehend", "* 03.11.62"),
    ("geburtsdatum", "geb. am 3. März 1985", "geb. am 3. März 1985"),
    ("geburtsdatum", "Geburtsdatum: 24.12.1990", "Geburtsdatum: 24.12.1990"),
    ("name_mit_datum", "Frau Schmidt, 12.03.1985, sucht Arbeit", "Frau Schmidt, 12.03.1985"),
    ("name_mit_datum", "Herr Meier (04.07.1979) kommt nicht", "Herr Meier (04.07.1979)"),
    ("telefonnummer", "Erreichbar unter 0231 123456.", "0231 123456"),
    ("telefonnummer", "Rufen Sie 0231/1234567 an", "0231/1234567"),
    ("telefonnummer", "Handy 0171 1234567", "Handy 0171 1234567"),
    ("telefonnummer", "Tel.: +49 231 1234567", "+49 231 1234567"),
    ("telefonnummer", "+49 (0) 30 12345-67", "+49 (0) 30 12345-67"),
    ("telefonnummer", "(0231) 12 34 56", "(0231) 12 34 56"),
    ("telefonnummer", "Servicestelle: 030 18527-0", "030 18527-0"),
    ("telefonnummer", "Telefon: 12 34 56", "Telefon: 12 34 56"),
    ("anschrift", "Sie wohnt in der Musterstraße 12 im Erdgeschoss.", "Musterstraße 12"),
    ("anschrift", "Hauptstr. 5a", "Hauptstr. 5a"),
    ("anschrift", "Am Markt 3, 12345 Musterstadt", "Am Markt 3, 12345 Musterstadt"),
    ("anschrift", "Berliner Straße 17", "Berliner Straße 17"),
    ("anschrift", "Lindenweg 7-9", "Lindenweg 7-9"),
    ("anschrift", "Goethe-Allee 4", "Goethe-Allee 4"),
    ("anschrift", "Kirchplatz 2, 44135 Dortmund", "Kirchplatz 2, 44135 Dortmund"),
]

NEGATIVES = [
    "Das Werkstattgespräch findet am 12.03.2025 in Berlin statt.",
    "Werkstattgespräch am 05.11.2025 von 9:30 bis 16:00 Uhr in Leipzig",
    "Förderung nach § 16i SGB II und § 16e SGB II",
    "§ 16a Nr. 4 SGB II regelt die Schuldnerberatung",
    "SGB II § 31a Abs. 1 Satz 2",
    "Artikel 3 Absatz 1 GG",
    "Im Jahr 2024 haben 250 Jobcenter teilgenommen, 2019–2023 waren es weniger.",
    "Beginn um 09:30 Uhr, Ende gegen 15.30 Uhr",
    "Treffpunkt Raum 3.12, danach Raum A 2.014 oder Zimmer 204",
    "Die Teilnahme kostet 1.234,56 € bzw. 12,50 EUR pro Person.",
    "Teilnahmegebühr: 0,00 €",
    "Zeitraum 01.01.2025 bis 31.12.2025",
    "am 1. März 2025 geht es weiter",
    "*12.03.2025* ist der Termin, **15.04.2025** die Frist",
    "Frau Schmidt, 12.03.2025, hält den Vortrag",
    "Version 2.0.1 des Leitfadens, Kapitel 4.3.2",
    "Seite 12-14 im Handbuch",
    "ISBN 978-3-16-148410-0",
    "2.500 Teilnehmende, 0,5 Stellen, 100 Prozent",
    "Aktenzeichen 123/45",
    "Jobcenter Dortmund in 44135 Dortmund",
    "Platz 1 der Rangliste",
    "Wir sind auf dem richtigen Weg 2025!",
    "am 16.06. um 10 Uhr",
    "Die Hotline ist werktags erreichbar.",
    "Mehr unter https://www.arbeitsagentur.de/jobcenter und im Intranet.",
    "Die Jahre 1985 bis 1990 waren anders.",
    "Fallzahl 123456 im Bestand",
    "Servicestelle SGB II, Raum 204, 10117 Berlin",
]


@pytest.mark.parametrize("pattern, text, stretch", POSITIVES)
def test_real_looking_client_data_is_found(pattern, text, stretch):
    hits = guard.scan(text)
    assert [(hit.pattern, text[hit.start:hit.end]) for hit in hits] == [(pattern, stretch)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_posts_do_not_trigger(text):
    assert guard.scan(text) == []


def test_numbers_with_a_wrong_check_digit_do_not_trigger():
    assert guard.scan("DE89 3704 0044 0532 0130 01") == []  # IBAN, last digit changed
    assert guard.scan("86095742718") == []  # Steuer-ID, check digit changed
    assert guard.scan("65 171339 J 003") == []  # no date of birth in the insurance number


def test_every_pattern_has_a_name_and_a_german_label_and_positive_examples():
    names = {pattern.name for pattern in guard.PATTERNS}
    assert names == {pattern for pattern, _text, _stretch in POSITIVES}
    assert all(str(pattern.label) for pattern in guard.PATTERNS)


def test_highlight_escapes_the_text_and_marks_the_hits():
    text = "<script>alert(1)</script> geb. 12.03.1985 & Tel. 0231 123456"
    html = str(guard.highlight(text, guard.scan(text)))
    assert html.startswith("&lt;script&gt;alert(1)&lt;/script&gt; ")
    assert '<mark title="Geburtsdatum">geb. 12.03.1985</mark> &amp; ' in html
    assert '<mark title="Telefonnummer">Tel. 0231 123456</mark>' in html
    assert "<script>" not in html


def test_several_hits_in_one_text_do_not_overlap():
    text = "Herr Müller, geb. 12.03.1985, Musterstraße 12, Tel. 0231 123456, IBAN DE89370400440532013000"
    assert [hit.pattern for hit in guard.scan(text)] == ["geburtsdatum", "anschrift", "telefonnummer", "iban"]


# --- the flow in the post forms -----------------------------------------------------------------------------

CLIENT_TEXT = "Frau K., geb. 12.03.1985, BG 12345BG0012345 – wer kennt sich aus?"


def guard_events() -> list[tuple[str, str, bool]]:
    db.session.expire_all()
    return [(event.context, event.patterns, event.overridden)
            for event in db.session.scalars(select(GuardEvent).order_by(GuardEvent.id))]


def test_reply_with_client_data_is_held_back_highlighted_until_confirmed(member_client):
    thread = make_thread()
    response = member_client.post(f"/discussion/{thread.id}/reply", data={"body": CLIENT_TEXT})
    assert response.status_code == 200
    page, html = text_of(response), response.get_data(as_text=True)
    assert "Enthält Ihr Text Daten von Leistungsberechtigten?" in page
    assert "Sozialgeheimnis (§ 35 SGB I)" in page and "Geburtsdatum, BG-Nummer" in page
    assert '<mark title="Geburtsdatum">geb. 12.03.1985</mark>' in html
    assert '<mark title="BG-Nummer">12345BG0012345</mark>' in html
    assert "Ich bestätige, dass der Text keine Daten von Leistungsberechtigten enthält." in page
    assert CLIENT_TEXT.replace("–", "–") in html and 'class="kern-alert kern-alert--warning guard-warning"' in html
    assert db.session.scalar(select(func.count(Post.id))) == 0
    assert guard_events() == [("post", "geburtsdatum,bg_nummer", False)]

    response = member_client.post(f"/discussion/{thread.id}/reply", data={"body": CLIENT_TEXT,
                                                                           "confirm_client_data": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(Post.body_source)) == CLIENT_TEXT
    assert guard_events()[-1] == ("post", "geburtsdatum,bg_nummer", True)


def test_editing_the_text_instead_of_confirming_also_works_and_the_text_is_never_stored_in_events(member_client):
    thread = make_thread()
    member_client.post(f"/discussion/{thread.id}/reply", data={"body": CLIENT_TEXT})
    response = member_client.post(f"/discussion/{thread.id}/reply", data={"body": "Frau K. – wer kennt sich aus?"})
    assert response.status_code == 302
    assert guard_events() == [("post", "geburtsdatum,bg_nummer", False)]
    stored = " ".join(f"{c} {p}" for c, p, _o in guard_events())
    assert "12345BG0012345" not in stored and "1985" not in stored


def test_new_threads_are_guarded_in_title_and_text(member_client):
    board = make_board()
    response = member_client.post(f"/discussion/boards/{board.id}/new", data={
        "title": "Fall Musterstraße 12", "body": "Tel. 0231 123456"})
    page = text_of(response)
    assert "Markierte Stellen im Feld „Titel“" in page and "Markierte Stellen im Feld „Erster Beitrag“" in page
    assert db.session.scalar(select(func.count(Thread.id))) == 0
    response = member_client.post(f"/discussion/boards/{board.id}/new", data={
        "title": "Fall Musterstraße 12", "body": "Tel. 0231 123456", "confirm_client_data": "y"})
    assert response.status_code == 302
    assert guard_events() == [("post", "anschrift,telefonnummer", False), ("post", "anschrift,telefonnummer", True)]


def test_edits_are_guarded_too(client_as, member):
    from tests.factories import make_post

    post = make_post(author=member, body="Harmlos")
    client = client_as(member)
    response = client.post(f"/discussion/posts/{post.id}/edit", data={"body": "IBAN DE89370400440532013000",
                                                                      "version": "1"})
    assert "Enthält Ihr Text Daten von Leistungsberechtigten?" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Post, post.id).body_source == "Harmlos"
    assert guard_events() == [("post", "iban", False)]


def marked(html: str) -> list[str]:
    """The <mark> elements of a page, in order."""
    return re.findall(r"<mark [^>]*>.*?</mark>", html)


def test_the_preview_marks_the_same_passages_as_publishing_without_counting(member_client):
    thread = make_thread()
    preview = member_client.post(f"/discussion/{thread.id}/reply", data={"body": CLIENT_TEXT, "preview": "1"})
    assert preview.status_code == 200
    page, html = text_of(preview), preview.get_data(as_text=True)
    assert "So wird Ihr Text aussehen. Er ist noch nicht veröffentlicht." in page
    assert "Enthält Ihr Text Daten von Leistungsberechtigten?" in page and "Geburtsdatum, BG-Nummer" in page
    assert "Ich bestätige, dass der Text keine Daten von Leistungsberechtigten enthält." in page
    assert guard_events() == [] and db.session.scalar(select(func.count(Post.id))) == 0
    published = member_client.post(f"/discussion/{thread.id}/reply", data={"body": CLIENT_TEXT})
    assert marked(html) == marked(published.get_data(as_text=True)) == [
        '<mark title="Geburtsdatum">geb. 12.03.1985</mark>', '<mark title="BG-Nummer">12345BG0012345</mark>']
    assert guard_events() == [("post", "geburtsdatum,bg_nummer", False)]


def test_the_preview_of_a_new_thread_and_of_an_edit_marks_title_and_text(client_as, member):
    from tests.factories import make_post

    board = make_board()
    client = client_as(member)
    preview = client.post(f"/discussion/boards/{board.id}/new", data={
        "title": "Fall Musterstraße 12", "body": "Tel. 0231 123456", "preview": "1"})
    page = text_of(preview)
    assert "Vorschau" in page and "Markierte Stellen im Feld „Titel“" in page
    assert "Markierte Stellen im Feld „Erster Beitrag“" in page
    assert marked(preview.get_data(as_text=True)) == ['<mark title="Anschrift">Musterstraße 12</mark>',
                                                      '<mark title="Telefonnummer">Tel. 0231 123456</mark>']
    post = make_post(author=member, body="Harmlos")
    preview = client.post(f"/discussion/posts/{post.id}/edit", data={
        "body": "IBAN DE89370400440532013000", "version": "1", "preview": "1"})
    assert marked(preview.get_data(as_text=True)) == ['<mark title="IBAN">DE89370400440532013000</mark>']
    assert "So wird Ihr Text aussehen." in text_of(preview)
    assert guard_events() == [] and db.session.get(Post, post.id).body_source == "Harmlos"


def test_a_preview_of_harmless_text_shows_no_warning(member_client):
    thread = make_thread()
    response = member_client.post(f"/discussion/{thread.id}/reply", data={"body": "Alles gut, danke!", "preview": "1"})
    assert "Enthält Ihr Text" not in text_of(response) and "<mark" not in response.get_data(as_text=True)


# --- ideas --------------------------------------------------------------------------------------------------

def test_idea_texts_are_guarded_with_the_same_warning(member_client):
    topic = make_term(kind="topic", name="Gesundheitsorientierung")
    data = {"title": "Gesundheitscoaching", "summary": "Beispiel: Herr M., geb. 01.02.1970, nahm teil.",
            **split_description(IDEA_DESCRIPTION), "contact": "Erika Beispiel, 0231 123456", "topics": [topic.id]}
    response = member_client.post("/ideas/new", data=data)
    page = text_of(response)
    assert "Enthält Ihr Text Daten von Leistungsberechtigten?" in page
    assert "Markierte Stellen im Feld „Kurzbeschreibung“" in page  # the contact (staff) is not checked
    assert '<mark title="Geburtsdatum">geb. 01.02.1970</mark>' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Idea.id))) == 0
    response = member_client.post("/ideas/new", data={**data, "confirm_client_data": "y"})
    assert response.status_code == 302
    assert guard_events() == [("idea", "geburtsdatum", False), ("idea", "geburtsdatum", True)]
