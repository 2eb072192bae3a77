"""The client-data guard: real-looking client data is found, ordinary posts are left alone; on a hit the form
comes back highlighted and nothing is saved until the author edits or confirms; only counts are recorded."""
from __future__ import annotations

import re
import re._parser as sre
from pathlib import Path

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

STAFF_DOMAINS = {"servicestelle-abc.de", "jobcenter-dortmund.de", "jc-leipzig.de"}  # the organisations' domains

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
    ("telefonnummer", "Kollegin privat: 030 1852799", "030 1852799"),
    ("telefonnummer", "Telefon: 12 34 56", "Telefon: 12 34 56"),
    ("anschrift", "Sie wohnt in der Musterstraße 12 im Erdgeschoss.", "Musterstraße 12"),
    ("anschrift", "Hauptstr. 5a", "Hauptstr. 5a"),
    ("anschrift", "Am Markt 3, 12345 Musterstadt", "Am Markt 3, 12345 Musterstadt"),
    ("anschrift", "Berliner Straße 17", "Berliner Straße 17"),
    ("anschrift", "Lindenweg 7-9", "Lindenweg 7-9"),
    ("anschrift", "Goethe-Allee 4", "Goethe-Allee 4"),
    ("anschrift", "Kirchplatz 2, 44135 Dortmund", "Kirchplatz 2, 44135 Dortmund"),
    ("bg_nummer", "BG-Nummer 12345//0001234 zahlt nicht", "12345//0001234"),
    ("kundennummer", "Unter 462-D-938271 nicht zu finden", "462-D-938271"),
    ("fallnummer", "Kundennummer: 4711-0815-99 (zkT)", "4711-0815-99"),
    ("fallnummer", "Fallnummer 2023-004711 prüfen", "2023-004711"),
    ("rentenversicherungsnummer", "SV-Nummer 12-150871-M-015 fehlt", "12-150871-M-015"),
    ("rentenversicherungsnummer", "RV-Nr. 12 150871 M 01 5", "12 150871 M 01 5"),
    ("krankenversichertennummer", "KVNR A123456780 der Kundin", "A123456780"),
    ("iban", "Konto AT80 1222 0297 2997 5288 in Wien", "AT80 1222 0297 2997 5288"),
    ("geburtsdatum", "The client was born 03.04.1971.", "born 03.04.1971"),
    ("geburtsdatum", "DOB 3 April 1971, two children", "DOB 3 April 1971"),
    ("geburtsdatum", "Herr S., Jahrgang 1958, will in Rente", "Jahrgang 1958"),
    ("alter_mit_name", "Herr Schneider, 52 Jahre, sucht Arbeit", "Herr Schneider, 52 Jahre"),
    ("alter_mit_name", "Frau K. (34) sucht Teilzeit", "Frau K. (34)"),
    ("alter_mit_name", "Der 58-jährige Herr W. ist Meister", "58-jährige Herr W."),
    ("email", "Die Kundin schreibt von tanja.m1987@gmx.de", "tanja.m1987@gmx.de"),
    ("email", "Kunde hat eine eigene Domain: jan@familie-berg.de", "jan@familie-berg.de"),
    ("gesundheit", "Frau M. aus meinem Bestand hat Depressionen.", "Depressionen"),
    ("gesundheit", "Meine Kundin ist schwanger und fragt nach Mehrbedarf.", "schwanger"),
    ("gesundheit", "Herr K. ist alkoholabhängig.", "alkoholabhängig"),
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
    "Servicestelle: 030 18527-0",
    "Kostenlose Hotline 0800 4 5555 00",
    "Frau Müller aus Gera hat das Projekt vorgestellt.",
    "Frau Dr. Lange hat einen Vortrag über Depression bei Langzeitarbeitslosen gehalten.",
    "Eine Kundin, die schwanger ist, bekommt Mehrbedarf nach § 21 Abs. 2 SGB II.",
    "Frau Hoffmann, 25 Jahre Erfahrung im Fallmanagement, berichtet aus der Praxis.",
    "Wir hatten 52 Teilnehmende aus 31 Jobcentern.",
    "Anmeldung an veranstaltungen@servicestelle.example oder info@suchthilfe.example",
    "Ansprechpartnerin: s.weber@jobcenter-ge.de",
    "Veranstaltungsort: Rathaus, Marktplatz 1, 99084 Erfurt",
    "Az. 123/45 – Dienstvereinbarung",
]


@pytest.mark.parametrize("pattern, text, stretch", POSITIVES)
def test_real_looking_client_data_is_found(pattern, text, stretch):
    hits = guard.scan(text, staff_domains=STAFF_DOMAINS)
    assert [(hit.pattern, text[hit.start:hit.end]) for hit in hits] == [(pattern, stretch)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_posts_do_not_trigger(text):
    assert guard.scan(text, staff_domains=STAFF_DOMAINS) == []


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


# --- measured on a realistic set of staff texts -------------------------------------------------------------

DATA = Path(__file__).parent / "data" / "guard"
KIND_PATTERNS = {
    "email": {"email"}, "health": {"gesundheit"}, "rvnr": {"rentenversicherungsnummer"},
    "birthdate": {"geburtsdatum", "name_mit_datum"}, "age_with_name": {"alter_mit_name"},
    "customer_number": {"kundennummer", "bg_nummer", "fallnummer"}, "iban": {"iban"}, "tax_id": {"steuer_id"},
    "kvnr": {"krankenversichertennummer"}, "address": {"anschrift"}, "phone": {"telefonnummer"},
}


def data_set(name: str) -> list[str]:
    """The texts of tests/data/guard/<name>, one a line ("\\n" a line break), without comments and blank lines."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.replace("\\n", "\n") for line in lines if line.strip() and not line.startswith("#")]


def measure() -> tuple[dict[str, tuple[int, int, int, int]], str]:
    """Per kind and overall: (texts, found with that kind, warned for that kind, of which truly client data),
    and the table of precision and recall printed from it."""
    positives = [tuple(part.strip() for part in line.split(" | ", 1)) for line in data_set("positives.txt")]
    labelled = [(kind, text) for kind, text in positives] + [(None, text) for text in data_set("negatives.txt")]
    rows = {kind: [0, 0, 0, 0] for kind in [*KIND_PATTERNS, "overall"]}
    for kind, text in labelled:
        fired = {hit.pattern for hit in guard.scan(text, staff_domains=STAFF_DOMAINS)}
        if kind is not None:
            found = bool(fired & KIND_PATTERNS[kind])
            rows[kind][0] += 1
            rows[kind][1] += found
            rows["overall"][0] += 1
            rows["overall"][1] += found
        for row, patterns in KIND_PATTERNS.items():
            if fired & patterns:
                rows[row][2] += 1
                rows[row][3] += kind is not None
        if fired:
            rows["overall"][2] += 1
            rows["overall"][3] += kind is not None
    lines = [f"{'kind':16} {'texts':>5} {'found':>5} {'recall':>7} {'warned':>6} {'right':>5} {'precision':>9}"]
    for kind, (texts, found, warned, right) in rows.items():
        recall = found / texts if texts else 1.0
        precision = right / warned if warned else 1.0
        lines.append(f"{kind:16} {texts:5} {found:5} {recall:7.1%} {warned:6} {right:5} {precision:9.1%}")
    return {kind: tuple(row) for kind, row in rows.items()}, "\n".join(lines)


def test_the_guard_finds_95_percent_of_client_data_in_staff_texts_and_warns_rarely_without_cause():
    rows, table = measure()
    print("\n" + table)
    texts, found, warned, right = rows["overall"]
    assert texts >= 150 and len(data_set("negatives.txt")) >= 150
    assert found / texts >= 0.95 and right / warned >= 0.95, table
    assert all(row[1] / row[0] >= 0.9 for kind, row in rows.items() if kind != "overall"), table


def repeats(parsed, inside: int = 0) -> list[tuple[int, int]]:
    """(outer, inner) maximum counts of every quantifier nested in another in a parsed regex."""
    found = []
    for op, av in parsed:
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            if inside:
                found.append((inside, av[1]))
            found += repeats(av[2], inside=max(inside, av[1]) if av[1] > 1 else inside)
        elif op is sre.SUBPATTERN:
            found += repeats(av[3], inside)
        elif op is sre.BRANCH:
            found += [pair for branch in av[1] for pair in repeats(branch, inside)]
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            found += repeats(av[1], inside)
    return found


def test_no_pattern_nests_an_unbounded_quantifier_so_hostile_text_cannot_make_it_backtrack_for_ever():
    """(a+)+ and friends take exponential time; bounded repetitions inside bounded ones ({4} in {2,7}) do not.
    With that and MAX_CANDIDATES the guard stays linear in the length of the text (posts are capped at 20,000
    characters)."""
    unbounded = sre.MAXREPEAT
    regexes = [pattern.regex for pattern in guard.PATTERNS] + [
        guard._PERSON, guard._CLIENT, guard._STAFF_CONTEXT, guard._OFFICE_CONTEXT, guard._CLIENT_CONTEXT,
        guard._GROUP_OF_PEOPLE, guard._SENTENCE_END, guard._FUNCTION_MAILBOX]
    for regex in regexes:
        nested = [(outer, inner) for outer, inner in repeats(sre.parse(regex.pattern, regex.flags))
                  if inner > 1 and unbounded in (outer, inner)]
        assert nested == [], regex.pattern
    assert repeats(sre.parse(r"(?:a+)+b")) == [(unbounded, unbounded)]  # the check itself sees what it must


def test_e_mail_addresses_of_staff_domains_are_quiet_and_of_clients_are_not(app):
    from tests.factories import make_organisation  # only this test needs an organisation

    make_organisation(domains=("jobcenter-musterstadt.example",))
    text = ("Fragen an k.berg@jobcenter-musterstadt.example, an team.nord@dortmund.jobcenter-ge.de "
            "oder an die Kundin selbst: lena.berg77@gmx.de")
    assert [text[hit.start:hit.end] for hit in guard.scan(text)] == ["lena.berg77@gmx.de"]
    assert [hit.pattern for hit in guard.scan("Die Kundin: lena@berg-familie.example")] == ["email"]


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
