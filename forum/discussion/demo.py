"""Demo discussions for `flask seed-demo`: threads in every Fachforum (one long enough for several pages), and
posts in the discussions of held events and published ideas — several hundred posts in all. Then a Fachforum the
admins set up (created, described anew, moved up) and one conversation played through the real services: replies
that notify the people following, a quote, a mention, a post withdrawn by its author and one edited by her.

Idempotent: board threads are looked up by title, and threads that already have posts are left alone. The bulk of
the posts is added without notifications (nobody is to get mail about demo data); the conversation notifies demo
accounts only.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.accounts.models import User
from forum.clock import utcnow
from forum.discussion.boards import create_board, move_board, update_board
from forum.discussion.models import Board, Thread
from forum.discussion.quotes import quote
from forum.discussion.services import add_post, append_post, edit_post, open_thread, start_thread, withdraw_post
from forum.events.models import Event
from forum.extensions import db
from forum.ideas.models import Idea
from forum.moderation.demo import days_ago

LONG_THREAD_POSTS = 80  # four pages of 25
ADMIN_EMAIL = "admin@servicestelle.example"

# board title -> [(thread title, first post, replies)]
BOARD_THREADS = {
    "Gesundheitsorientierung": [
        ("Erfahrungen mit Gesundheitscoaching", "Wir starten im Herbst ein Gesundheitscoaching gemeinsam mit der "
         "AOK. Welche Erfahrungen haben Sie mit der **Freiwilligkeit** gemacht? Kommen die Leute von sich aus?",
         ["Bei uns kommen etwa die Hälfte über die Integrationsfachkräfte, die andere Hälfte über Aushänge.",
          "Wichtig war für uns, dass das Coaching *nicht* im Jobcenter stattfindet, sondern bei der Krankenkasse.",
          "Wir haben gute Erfahrungen mit einer offenen Sprechstunde gemacht:\n\n- ohne Termin\n- ohne Akte\n"
          "- mit Kaffee",
          "@Sabine Krüger, können Sie Ihr Konzept hier teilen? Das klingt sehr passend für uns."]),
        ("Psychische Gesundheit: Wartezeiten überbrücken", "Therapieplätze sind bei uns frühestens nach sechs Monaten "
         "frei. Was bieten Sie in der Zwischenzeit an?",
         ["Wir arbeiten mit einer psychosozialen Beratungsstelle, die kurzfristig Gespräche anbietet.",
          "Eine Gruppe zur Stressbewältigung, zweimal im Monat, offen für alle.",
          "> Was bieten Sie in der Zwischenzeit an?\n\nBei uns: Bewegungsangebote mit dem Sportverein."]),
    ],
    "Netzwerkarbeit vor Ort": [
        ("Kooperationsvereinbarung mit der Schuldnerberatung", "Hat jemand eine Mustervereinbarung mit der "
         "kommunalen Schuldnerberatung, die er teilen kann?",
         ["Wir haben eine, die Servicestelle hat sie in der Dokumentation des Werkstattgesprächs hochgeladen.",
          "Unsere regelt vor allem die Terminvergabe: feste Kontingente für Kundinnen und Kunden des Jobcenters.",
          "Danke! Das hilft sehr."]),
        ("Netzwerkkonferenz im ländlichen Raum", "Im Landkreis sind die Wege weit. Wie organisieren Sie Treffen "
         "mit den Partnern?",
         ["Abwechselnd bei den Partnern vor Ort, dann lernt man sich auch gegenseitig kennen.",
          "Zweimal im Jahr in Präsenz, dazwischen kurze Videokonferenzen.",
          "Wir haben einen gemeinsamen Newsletter aller Partner gestartet."]),
    ],
    "Familien und Bedarfsgemeinschaften": [
        ("Kinderbetreuung während der Beratung", "Wie lösen Sie die Betreuung kleiner Kinder während der "
         "Beratungstermine?",
         ["Ein Spielzimmer mit einer Fachkraft des Familienzentrums, dienstags und donnerstags.",
          "Wir beraten Alleinerziehende vorzugsweise per Video.",
          "Das Familienzentrum im Stadtteil stellt uns einen Raum zur Verfügung."]),
    ],
    "Organisation und Steuerung im Jobcenter": [
        ("Betreuungsschlüssel im Fallmanagement", "Mit welchem Betreuungsschlüssel arbeiten Sie im "
         "ganzheitlichen Fallmanagement?",
         ["1:70 für Menschen, die länger als vier Jahre Leistungen beziehen.",
          "Bei uns 1:90, mit dem Ziel 1:75 im nächsten Jahr.",
          "| Team | Schlüssel |\n|---|---:|\n| Fallmanagement | 1:70 |\n| Integration | 1:150 |"]),
    ],
    "Arbeitgeber und Beschäftigung": [
        ("Coaching nach § 16i SGB II", "Wie intensiv begleiten Sie Beschäftigte nach § 16i SGB II im ersten Jahr?",
         ["Wöchentlich in den ersten drei Monaten, dann alle zwei Wochen.",
          "Wir achten darauf, dass das Coaching auch den Betrieb einbezieht."]),
    ],
    "Austausch der Servicestelle": [
        ("Willkommen im Extranet", "Herzlich willkommen! Hier können Sie Fragen an die Servicestelle stellen und "
         "sich über das Programm austauschen. Bitte denken Sie daran: **keine Daten von Leistungsberechtigten**.",
         ["Vielen Dank für die Einladung!", "Gibt es eine Übersicht aller Werkstattgespräche im nächsten Jahr?",
          "Ja, unter „Veranstaltungen“ finden Sie alle geplanten Termine."]),
    ],
}
LONG_THREAD = ("Laufender Erfahrungsaustausch: Gesundheit und Arbeit",
               "In diesem Thema sammeln wir laufend Erfahrungen aus den Jobcentern. Schreiben Sie gern kurz, was bei "
               "Ihnen funktioniert – und was nicht.")
EXCHANGE = (
    "Bei uns hat sich die enge Abstimmung mit der Krankenkasse bewährt.",
    "Wir haben gute Erfahrungen mit festen Sprechzeiten gemacht.",
    "Wichtig ist eine feste Ansprechperson auf beiden Seiten.",
    "Die Teilnahme ist freiwillig, das schafft Vertrauen.",
    "Wir laden die Partner einmal im Quartal zu einer Fallkonferenz ein.",
    "Bewegungsangebote sind ein guter Einstieg, gerade für Ältere.",
    "Die Dokumentation haben wir bewusst schlank gehalten.",
    "Nach einem Jahr sehen wir deutlich mehr Anträge auf Rehabilitation.",
)
EVENT_REPLIES = (
    "Vielen Dank für die gelungene Veranstaltung und die vielen Anregungen!",
    "Die Präsentation aus dem zweiten Workshop wäre für uns sehr hilfreich.",
    "Wir würden das Thema gern bei der nächsten Regionalkonferenz vertiefen.",
    "Besonders der Austausch in den Kleingruppen hat sich gelohnt.",
)
IDEA_REPLIES = (
    "Spannender Ansatz! Wie lange hat die Vorbereitung gedauert?",
    "Wir überlegen, das zu übernehmen. Gibt es Kennzahlen nach dem ersten Jahr?",
    "Bei uns läuft etwas Ähnliches, wir tauschen uns gern aus.",
    "Wie haben Sie die Finanzierung mit dem Partner geregelt?",
)


# The Fachforum the admins add (moderation/demo.py moves the video thread there).
DIGITAL_BOARD = ("Digitalisierung in der Beratung", "Videoberatung, Online-Terminbuchung und E-Akte.")
DIGITAL_BOARD_DESCRIPTION = ("Videoberatung, Online-Terminbuchung, E-Akte und digitale Teilhabe der Kundinnen und "
                             "Kunden: Erfahrungen, Werkzeuge und Datenschutz.")
VIDEO_THREAD = ("Videoberatung: Welche Software nutzen Sie?",
                "Wir wollen im nächsten Quartal Videoberatung anbieten. Welche Software nutzen Sie, und wie haben Sie "
                "den Datenschutz geklärt?")
VIDEO_THREAD_EDITED = VIDEO_THREAD[1] + ("\n\n*Nachtrag:* Uns interessiert besonders, wie Sie Dolmetscherinnen "
                                         "und Dolmetscher dazuholen.")
VIDEO_ANSWER = ("Wir nutzen die Lösung, die die Bundesagentur für die gemeinsamen Einrichtungen bereitstellt. Der "
                "Datenschutz war damit schnell geklärt; wichtig war eine kurze Einwilligung vor dem ersten Termin.")
VIDEO_QUOTE_REPLY = ("Das deckt sich mit unseren Erfahrungen. Die Einwilligung holen wir schriftlich beim "
                     "Ersttermin ein.")
VIDEO_MENTION = ("@Franziska Becker, danke! Könnten Sie Ihre Einwilligungserklärung hier teilen? Dann müssen nicht "
                 "alle eine eigene schreiben.")
VIDEO_WITHDRAWN = "Bei uns läuft es über eine andere Software – ach nein, ich verwechsle das mit der Terminbuchung."
PEOPLE = {"linh": "l.nguyen@jobcenter-berlin-mitte.example", "thomas": "t.schulz@jobcenter-leipzig.example",
          "franziska": "f.becker@jobcenter-muenchen.example", "klaus": "k.wagner@jobcenter-landkreis-emsland.example"}


def seed_discussions() -> int:
    """Add the demo discussions that are missing (the Fachforen exist already); returns how many posts."""
    people = list(db.session.scalars(select(User).where(User.status == "active").order_by(User.id)))
    if not people:
        return 0
    boards = {board.title: board for board in db.session.scalars(select(Board))}
    existing = {(board_id, title) for board_id, title in db.session.execute(
        select(Thread.board_id, Thread.title).where(Thread.board_id.is_not(None)))}
    start = utcnow() - timedelta(days=60)
    added = 0
    for board_title, threads in BOARD_THREADS.items():
        board = boards.get(board_title)
        if board is None:
            continue
        if board_title == "Gesundheitsorientierung":
            threads = [*threads, (*LONG_THREAD, [EXCHANGE[n % len(EXCHANGE)] for n in range(LONG_THREAD_POSTS - 1)])]
        for number, (title, first, replies) in enumerate(threads):
            if (board.id, title) in existing:
                continue
            author = people[(number + board.position) % len(people)]
            thread = start_thread(title, author=author, board=board)
            thread.created_at = start + timedelta(days=number * 3)
            added += _converse(thread, [first, *replies], people, thread.created_at, offset=number)
    for event in db.session.scalars(select(Event).where(Event.status == "done")):
        if event.main_thread is not None and event.main_thread.post_count == 0:
            added += _converse(event.main_thread, list(EVENT_REPLIES), people, event.ends_at, offset=event.id)
    ideas = db.session.scalars(select(Idea).where(Idea.status.in_(("published", "in_trial", "proven"))))
    for index, idea in enumerate(ideas):
        if idea.thread is not None and idea.thread.post_count == 0:
            replies = [IDEA_REPLIES[(index + n) % len(IDEA_REPLIES)] for n in range(2 + index % 5)]
            added += _converse(idea.thread, replies, people, idea.created_at + timedelta(days=2), offset=index)
    return added


def _converse(thread: Thread, texts: list[str], people: list[User], since, *, offset: int) -> int:
    """The texts as posts of changing authors, a few hours apart from `since` (never in the future)."""
    now = utcnow()
    for number, text in enumerate(texts):
        author = (thread.created_by if number == 0 and thread.created_by else
                  people[(offset + number * 3) % len(people)])
        at = min(since + timedelta(hours=5 * (number + 1)), now)
        append_post(thread, text, author=author, at=at)
    return len(texts)


def seed_board_administration() -> int:
    """The admins add a Fachforum, describe it anew and move it up the list (audited); returns 1 when added."""
    admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    if admin is None or db.session.scalar(select(Board.id).where(Board.title == DIGITAL_BOARD[0])) is not None:
        return 0
    with days_ago(35):
        board = create_board(*DIGITAL_BOARD, actor=admin)
    with days_ago(34.9):
        update_board(board, board.title, DIGITAL_BOARD_DESCRIPTION, actor=admin)
    with days_ago(34.8):
        move_board(board, -1, actor=admin)
    return 1


def seed_conversation() -> int:
    """One conversation through the services that notify: replies to followers, a quote, a mention, a post
    withdrawn and one edited by its author. Returns the number of posts added."""
    people = {key: db.session.scalar(select(User).where(User.email == email)) for key, email in PEOPLE.items()}
    board = db.session.scalar(select(Board).where(Board.title == "Organisation und Steuerung im Jobcenter"))
    if board is None or None in people.values() or db.session.scalar(
            select(Thread.id).where(Thread.title == VIDEO_THREAD[0])) is not None:
        return 0
    with days_ago(6):
        first = open_thread(board, *VIDEO_THREAD, author=people["linh"])
    thread = first.thread
    with days_ago(5.9):
        answer = add_post(thread, VIDEO_ANSWER, author=people["thomas"])
    with days_ago(5.8):
        add_post(thread, quote(answer) + VIDEO_QUOTE_REPLY, author=people["franziska"])
    with days_ago(5.7):
        add_post(thread, VIDEO_MENTION, author=people["thomas"])
    with days_ago(5.6):
        mistaken = add_post(thread, VIDEO_WITHDRAWN, author=people["klaus"])
    with days_ago(5.5):
        withdraw_post(mistaken, actor=people["klaus"])
    with days_ago(5.4):
        edit_post(first, VIDEO_THREAD_EDITED, editor=people["linh"], version=first.version)
    return 5


ENGLISH_WRITER = ("e.clarke@jobcenter-koeln.example", "Emma Clarke", "Austauschkraft (EU-Programm)")
ENGLISH_THREAD = ("Peer learning with the Dutch UWV: what we saw in Utrecht",
                  "Last month I visited the **UWV office in Utrecht** with two colleagues. They run joint case "
                  "conferences with the municipal debt counselling every Tuesday.\n\nHas anyone here tried a "
                  "fixed weekly slot like this?")
ENGLISH_REPLY = ("Thanks for the German answers! In Utrecht the counsellors also sit in the same building, which "
                 "seems to matter more than the weekly slot.")
GERMAN_ANSWER = ("Wir haben in Köln einen festen Termin mit der Schuldnerberatung, allerdings alle zwei Wochen. "
                 "Das funktioniert gut.")


def seed_english_texts() -> int:
    """Language of parts: a colleague whose UI is English opens a thread in English and answers in a German one, so
    the German UI shows English texts (lang="en") and the English UI German ones. Returns the rows created."""
    email, name, function = ENGLISH_WRITER
    board = db.session.scalar(select(Board).where(Board.title == "Organisation und Steuerung im Jobcenter"))
    colleague = db.session.scalar(select(User).where(User.email == "j.hoffmann@jobcenter-koeln.example"))
    if board is None or colleague is None or db.session.scalar(
            select(Thread.id).where(Thread.title == ENGLISH_THREAD[0])) is not None:
        return 0
    writer = db.session.scalar(select(User).where(User.email == email))
    if writer is None:
        joined = utcnow() - timedelta(days=20)
        writer = User(email=email, display_name=name, function=function, organisation=colleague.organisation,
                      role="member", status="active", password_hash=colleague.password_hash, language="en",
                      created_at=joined, terms_accepted_at=joined, email_confirmed_at=joined, approved_at=joined)
        db.session.add(writer)
        db.session.flush()
    with days_ago(4):
        first = open_thread(board, *ENGLISH_THREAD, author=writer)
    with days_ago(3.9):
        add_post(first.thread, GERMAN_ANSWER, author=colleague)
    with days_ago(3.8):
        add_post(first.thread, ENGLISH_REPLY, author=writer)
    return 4
