"""Demo moderation for `flask seed-demo`: a pinned welcome thread, an insult hidden, its thread locked and its
author suspended, the office's pinned summary, a client-data report dismissed, open reports (spam, off-topic, and
client data that hid a post pending review), a maintenance notice pinned and unpinned, a vaguely titled thread
locked, renamed and opened again, a thread moved into the new Fachforum, a post edited by the moderation, a quoted
post hidden, client data redacted from a post (and the quote of it) and from a thread's title, suspensions lifted
and ended, registrations approved and rejected, and an export of the audit log — played through the real
services, so the audit log and notifications are real.

Idempotent: each case is played once, recognised by its post, its report or its audit entry. Every service
notifies demo accounts only (.example addresses), except that new reports notify every moderator and admin: when
the database has active staff accounts outside the demo, no case is played, so nobody real gets demo mail.

`days_ago` (used by the other demo modules too) moves what a block of service calls stamped with the current time
back to when the story happened, so the demo has a history rather than one moment.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from forum.accounts.models import User
from forum.accounts.services import (approve_registration, lift_ended_suspension, reactivate_user,
                                     reject_registration, suspend_user)
from forum.clock import utcnow
from forum.discussion.models import Board, Post, PostRevision, Thread, ThreadRead
from forum.discussion.quotes import quote
from forum.discussion.services import add_post, append_post, edit_post, open_thread
from forum.events.models import Event, EventAttachment, EventRegistration, EventReport, EventWalkIn
from forum.extensions import db
from forum.ideas.models import Idea, IdeaAdoption, IdeaEvent, IdeaRevision, IdeaVote
from forum.audit import AuditEntry
from forum.moderation.models import Report
from forum.moderation.redaction import redact_post, redact_thread
from forum.moderation.reports import report_post, resolve_case
from forum.moderation.services import (AuditFilter, export_audit_log, hide_post, lock_thread, move_thread,
                                       pin_post, pin_thread, rename_thread, unlock_thread, unpin_post,
                                       unpin_thread)
from forum.notifications.models import Follow, Notification, OutboxMessage
from forum.pages.models import SitePage

MODERATOR = "moderation@servicestelle.example"
ADMIN = "admin@servicestelle.example"
MEHMET = "mitglied@jobcenter-dortmund.example"
SABINE = "s.krueger@jobcenter-dortmund.example"
JANA = "j.hoffmann@jobcenter-koeln.example"
THOMAS = "t.schulz@jobcenter-leipzig.example"
LINH = "l.nguyen@jobcenter-berlin-mitte.example"
KLAUS = "k.wagner@jobcenter-landkreis-emsland.example"
FRANZISKA = "f.becker@jobcenter-muenchen.example"
ANJA = "a.schmidt@aok-nordwest.example"
GERD = "g.braun@jobcenter-erfurt.example"  # suspended after the insult "for repeated violations"
UWE = "u.lorenz@jobcenter-bremen.example"  # suspended for a week after a derogatory post; the suspension ended
MARIA = "m.schneider@jobcenter-mainz.example"  # suspended by mistake, reactivated the next day
HANNA = "h.peters@stadt-dortmund.example"  # registration approved (a city address for the Jobcenter)
KAI = "kai.mueller@coaching-mueller.example"  # registration rejected (a private coaching business)

INSULT = ("Bei 1:90 noch von „Fallmanagement“ zu reden, ist ein schlechter Witz. Wer sich so etwas ausdenkt, hat "
          "offensichtlich noch nie selbst beraten – typisch Bereichsleitung, Hauptsache die Zahlen stimmen.")
SUMMARY = ("**Zusammenfassung der Servicestelle**\n\nVielen Dank für den Austausch! Das Wichtigste in Kürze:\n\n"
           "1. **Terminvergabe:** Bewährt haben sich feste Kontingente der Schuldnerberatung für Kundinnen und Kunden "
           "des Jobcenters.\n"
           "2. **Datenschutz:** Eine Schweigepflichtentbindung legt fest, was zwischen Beratung und Jobcenter "
           "ausgetauscht werden darf.\n"
           "3. **Rückmeldung:** Die Schuldnerberatung meldet nur, ob die Beratung begonnen hat – ohne Inhalte.\n\n"
           "Wir sammeln weitere Mustervereinbarungen. Schicken Sie uns Ihre gern, wir stellen sie hier zusammen.")
MENTION = "@Sabine Krüger, können Sie Ihr Konzept hier teilen? Das klingt sehr passend für uns."  # discussion demo
SPAM = ("Kleiner Tipp in eigener Sache: Ein befreundeter Trainer bietet Moderationstrainings für Netzwerkkonferenzen "
        "an. Für Jobcenter gibt es **15 % Rabatt** mit dem Code NETZWERK15 – alle Infos und Buchung unter "
        "https://www.moderation-profi.example. Nur noch wenige Plätze!")
OFF_TOPIC = ("Ganz andere Frage: Hat noch jemand Probleme mit dem neuen Zeiterfassungssystem? Bei uns hängt es jeden "
             "Montagmorgen, und die IT meldet sich nicht.")
# Fake client data, the kind the guard is there for (it highlights every part of it on the redact page).
CLIENT_DATA = ("Ein konkreter Fall aus meinem Team: Herr Marco Keller, geb. 14.03.1986, BG-Nummer 12345BG0067890, "
               "wohnt in der Lindenstraße 12, 44137 Dortmund und wartet seit acht Monaten auf einen Therapieplatz. "
               "Er ist unter 0231 9876543 erreichbar. Kennt jemand eine Beratungsstelle, die kurzfristig einen "
               "Termin anbieten kann?")

MAINTENANCE = ("Wartungsarbeiten am Extranet am Samstag",
               "Am Samstag zwischen 8 und 12 Uhr ist das Extranet wegen Wartungsarbeiten nicht erreichbar. Bitte "
               "speichern Sie längere Beiträge vorher. Wir melden uns hier, sobald alles wieder läuft.")
VAGUE_TITLE = "Dringende Frage!!!"
CLEAR_TITLE = "Fahrtkosten zu Beratungsterminen beim Träger: Wer übernimmt sie?"
VAGUE_QUESTION = ("Wer übernimmt bei Ihnen die Fahrtkosten, wenn Kundinnen und Kunden zu Beratungsterminen bei "
                  "einem Träger fahren? Bei uns ist das zwischen Leistung und Markt & Integration strittig.")
VIDEO_THREAD = "Videoberatung: Welche Software nutzen Sie?"  # started in discussion/demo.py
DIGITAL_BOARD = "Digitalisierung in der Beratung"  # created in discussion/demo.py
PHONE = ("Wir haben eine Checkliste für die Kinderbetreuung während der Termine erstellt. Wer sie haben möchte: "
         "Rufen Sie mich gern direkt an, 0171 2345678 (privat, auch am Wochenende).")
PHONE_EDITED = ("Wir haben eine Checkliste für die Kinderbetreuung während der Termine erstellt. Wer sie haben "
                "möchte: Schreiben Sie mir gern über das Jobcenter Berlin Mitte.\n\n*Private Telefonnummer "
                "entfernt – die Moderation*")
DEROGATORY = ("Ehrlich gesagt: Die meisten, die zu solchen Angeboten kommen, wollen doch gar nicht arbeiten. Das "
              "Coaching ist verschwendetes Geld.")
OBJECTION = ("Dem möchte ich deutlich widersprechen. Bei uns haben über die Hälfte der Teilnehmenden nach dem "
             "Coaching eine Arbeit oder Ausbildung begonnen – und wir reden hier über Menschen, nicht über Kosten.")
# Fake client data again; the passage is redacted from the post and from the quote of it.
PASSAGE = "Frau Petra Neumann, geb. 02.05.1990, Kundennummer 123D456789,"
REPLACEMENT = "[Sozialdaten entfernt]"
CLIENT_CASE = (f"Eine Frage aus der Praxis: {PASSAGE} hat drei Kinder unter sechs Jahren und findet keinen "
               "Kitaplatz. Wie lösen Sie die Betreuung während der Beratung in solchen Fällen?")
CLIENT_CASE_REPLY = "Wir vermitteln in solchen Fällen an das Familienbüro der Stadt, das hat kurzfristig Plätze."
TITLE_PASSAGE = "von Herrn Jansen (Kundennummer 456D789012)"
CLIENT_TITLE = f"Reha-Antrag {TITLE_PASSAGE} abgelehnt – was tun?"
CLIENT_TITLE_REDACTED = "Reha-Antrag eines Kunden abgelehnt – was tun?"
CLIENT_TITLE_QUESTION = ("Die Rentenversicherung hat einen Reha-Antrag abgelehnt, obwohl die Ärztin ihn dringend "
                         "empfiehlt. Lohnt sich ein Widerspruch, und unterstützen Sie dabei?")

# What the services stamp with the current time; a block of days_ago moves them back to when the story happened.
STAMPED = (AuditEntry.created_at, Report.created_at, Report.resolved_at,
           Post.created_at, Post.edited_at, Post.withdrawn_at, Post.hidden_at, Post.pinned_at, Post.redacted_at,
           PostRevision.created_at, Thread.created_at, Thread.last_activity_at, Thread.pinned_at, Thread.locked_at,
           ThreadRead.updated_at, Board.created_at, Notification.created_at, Notification.emailed_at,
           Follow.created_at, OutboxMessage.created_at, OutboxMessage.next_attempt_at,
           Event.created_at, Event.updated_at, EventRegistration.queued_at, EventRegistration.updated_at,
           EventAttachment.created_at, EventRegistration.attended_at, EventWalkIn.created_at,
           EventReport.created_at, EventReport.updated_at, EventReport.published_at, Idea.updated_at,
           Idea.last_activity_at, Idea.status_changed_at,
           IdeaRevision.created_at, IdeaEvent.created_at, IdeaVote.created_at, IdeaAdoption.created_at,
           User.approved_at, User.last_login_at, SitePage.updated_at)


def seed_moderation() -> int:
    """Play the moderation cases not played yet; returns how many posts, reports and audit entries were added."""
    people = {user.email: user for user in db.session.scalars(select(User).where(User.email.endswith(".example")))}
    moderator = people.get(MODERATOR)
    if moderator is None or _staff_outside_demo():
        return 0
    threads = {thread.title: thread for thread in db.session.scalars(
        select(Thread).where(Thread.board_id.is_not(None)).order_by(Thread.id))}
    before = _rows()
    for case in (_registrations_decided, _maintenance_pinned_and_unpinned, _welcome_pinned,
                 _insult_hidden_and_thread_locked, _insult_author_suspended, _derogatory_post_quoted_and_hidden,
                 _vague_title_locked_renamed_and_opened, _summary_pinned, _phone_number_edited_out,
                 _video_thread_moved, _mention_report_dismissed, _mistaken_suspension_lifted,
                 _client_data_redacted, _client_data_in_title_redacted, _spam_reported, _off_topic_reported,
                 _client_data_reported, _audit_log_exported):
        case(threads, people, moderator)
    return _rows() - before


def _registrations_decided(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    """A city employee working for the Jobcenter is admitted; a private coaching business is not."""
    applicant = people.get(HANNA)
    if applicant is not None and applicant.status == "pending" and applicant.is_email_confirmed:
        with days_ago(18):
            approve_registration(applicant, actor=moderator)
    applicant = people.get(KAI)
    if applicant is not None and applicant.status == "pending" and applicant.is_email_confirmed:
        with days_ago(17):
            reject_registration(applicant, actor=moderator,
                                reason="Das Extranet ist Beschäftigten der Jobcenter und ihrer Kooperationspartner "
                                       "vorbehalten. Private Beratungsunternehmen können wir leider nicht zulassen.")


def _maintenance_pinned_and_unpinned(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    """A notice pinned (thread and post) for the week before a maintenance and unpinned after it."""
    if _thread_titled(MAINTENANCE[0]) is not None or _board("Austausch der Servicestelle") is None:
        return
    with days_ago(28):
        first = open_thread(_board("Austausch der Servicestelle"), MAINTENANCE[0], MAINTENANCE[1], author=moderator)
    with days_ago(27.9):
        pin_thread(first.thread, actor=moderator)
        pin_post(first, actor=moderator)
    with days_ago(21):
        unpin_post(first, actor=moderator)
        unpin_thread(first.thread, actor=moderator)
        add_post(first.thread, "Die Wartung ist abgeschlossen, das Extranet läuft wieder. Vielen Dank für Ihre "
                               "Geduld!", author=moderator)


def _welcome_pinned(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    thread = threads.get("Willkommen im Extranet")
    if thread is None or _audited("thread.pin", thread):
        return
    with days_ago(30):
        pin_thread(thread, actor=moderator)


def _insult_hidden_and_thread_locked(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    thread = threads.get("Betreuungsschlüssel im Fallmanagement")
    author, reporter = people.get(GERD), people.get(KLAUS)
    if thread is None or author is None or reporter is None or thread.is_locked or _post(thread, author, INSULT):
        return
    with days_ago(16) as at:
        post = _append(thread, author, INSULT, at)
    with days_ago(15.9):
        report_post(post, reporter=reporter, reason="insult",
                    note="Persönlicher Angriff auf mich und mein Team. Sachliche Kritik gern, aber nicht so.")
    with days_ago(15.8):
        hide_post(post, actor=moderator, reason="insult",
                  note="Persönlicher Angriff. Kritik am Betreuungsschlüssel ist willkommen – bitte sachlich und ohne "
                       "Kolleginnen und Kollegen herabzusetzen.")
    with days_ago(15.7):
        lock_thread(thread, actor=moderator,
                    reason="Die Diskussion ist persönlich geworden. Die genannten Betreuungsschlüssel fließen in die "
                           "Arbeitshilfe Fallmanagement ein; für neue Fragen beginnen Sie gern ein neues Thema.")


def _insult_author_suspended(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    author = people.get(GERD)
    if author is None or author.status != "active" or _audited("user.suspend", author):
        return
    with days_ago(15.6):
        suspend_user(author, actor=moderator, reason="Wiederholte Verstöße gegen die Nutzungsbedingungen.")


def _derogatory_post_quoted_and_hidden(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    """A colleague quotes a derogatory post to object; the moderation hides the post (the quote stays) and
    suspends its author for a week, a suspension that ended when he next logged in."""
    thread = threads.get("Erfahrungen mit Gesundheitscoaching")
    author, objector = people.get(UWE), people.get(SABINE)
    if thread is None or author is None or objector is None or thread.is_locked or _post(thread, author, DEROGATORY):
        return
    with days_ago(22) as at:
        post = _append(thread, author, DEROGATORY, at)
    with days_ago(21.9):
        add_post(thread, quote(post) + OBJECTION, author=objector)
    with days_ago(21.8):
        hide_post(post, actor=moderator, reason="insult",
                  note="Abwertende Verallgemeinerung über Leistungsberechtigte. Bitte bleiben Sie sachlich.")
    if author.status == "active" and not _audited("user.suspend", author):
        with days_ago(21.7) as at:
            suspend_user(author, actor=moderator, until=at + timedelta(days=7),
                         reason="Abwertende Beiträge über Leistungsberechtigte, trotz Hinweis.")
        with days_ago(13):
            lift_ended_suspension(author)


def _vague_title_locked_renamed_and_opened(threads: dict[str, Thread], people: dict[str, User],
                                           moderator: User) -> None:
    """A thread with a title that says nothing is closed until the moderation renamed it, then opened again."""
    board, author, answer = _board("Familien und Bedarfsgemeinschaften"), people.get(THOMAS), people.get(JANA)
    if board is None or author is None or answer is None or (
            _thread_titled(VAGUE_TITLE) or _thread_titled(CLEAR_TITLE)) is not None:
        return
    with days_ago(14):
        thread = open_thread(board, VAGUE_TITLE, VAGUE_QUESTION, author=author).thread
    with days_ago(13.9):
        lock_thread(thread, actor=moderator, reason="Bitte geben Sie Diskussionen einen Titel, der das Thema nennt. "
                                                    "Wir benennen sie um und öffnen sie gleich wieder.")
    with days_ago(13.85):
        rename_thread(thread, CLEAR_TITLE, actor=moderator, reason="Aussagekräftiger Titel.")
    with days_ago(13.8):
        unlock_thread(thread, actor=moderator)
    with days_ago(13):
        add_post(thread, "Bei uns übernimmt das Jobcenter die Fahrtkosten als Teil der Maßnahme, wenn der Termin "
                         "in der Eingliederungsvereinbarung steht.", author=answer)


def _summary_pinned(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    thread = threads.get("Kooperationsvereinbarung mit der Schuldnerberatung")
    if thread is None or thread.is_locked or _post(thread, moderator, SUMMARY):
        return
    with days_ago(12) as at:
        pin_post(_append(thread, moderator, SUMMARY, at), actor=moderator)


def _phone_number_edited_out(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    """The moderation removes a private phone number from a member's post (audited with the text before)."""
    thread = threads.get("Kinderbetreuung während der Beratung")
    author = people.get(LINH)
    if thread is None or author is None or thread.is_locked or _post(thread, author, PHONE) or _post(
            thread, author, PHONE_EDITED):
        return
    with days_ago(11) as at:
        post = _append(thread, author, PHONE, at)
    with days_ago(10.8):
        edit_post(post, PHONE_EDITED, editor=moderator, version=post.version)


def _video_thread_moved(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    thread, board = _thread_titled(VIDEO_THREAD), _board(DIGITAL_BOARD)
    if thread is None or board is None or thread.board_id == board.id or _audited("thread.move", thread):
        return
    with days_ago(4.5):
        move_thread(thread, board, actor=moderator, reason="Passt besser in das neue Fachforum.")


def _mistaken_suspension_lifted(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    person = people.get(MARIA)
    if person is None or person.status != "active" or _audited("user.suspend", person):
        return
    with days_ago(9):
        suspend_user(person, actor=moderator, reason="Verdacht auf ein geteiltes Konto.")
    with days_ago(8.2):
        reactivate_user(person, actor=moderator,
                        reason="Missverständnis geklärt: Das Konto wird nur von Frau Schneider genutzt.")


def _client_data_redacted(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    """Client data, quoted by a colleague and reported: the moderation redacts the passage (from the post and
    from the quote) and shows the post again."""
    thread = threads.get("Kinderbetreuung während der Beratung")
    author, quoting, reporter = people.get(JANA), people.get(FRANZISKA), people.get(MEHMET)
    redacted = CLIENT_CASE.replace(PASSAGE, REPLACEMENT)
    if thread is None or None in (author, quoting, reporter) or thread.is_locked or _post(
            thread, author, CLIENT_CASE) or _post(thread, author, redacted):
        return
    with days_ago(7) as at:
        post = _append(thread, author, CLIENT_CASE, at)
    with days_ago(6.9):
        add_post(thread, quote(post) + CLIENT_CASE_REPLY, author=quoting)
    with days_ago(6.8):
        report_post(post, reporter=reporter, reason="client_data",
                    note="Name, Geburtsdatum und Kundennummer einer Kundin.")
    with days_ago(6.5):
        redact_post(post, PASSAGE, actor=moderator, replacement=REPLACEMENT, show_again=True,
                    note="Die Sozialdaten wurden entfernt, der Beitrag ist wieder sichtbar.")


def _client_data_in_title_redacted(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    board, author = _board("Gesundheitsorientierung"), people.get(KLAUS)
    if board is None or author is None or (_thread_titled(CLIENT_TITLE) or _thread_titled(
            CLIENT_TITLE_REDACTED)) is not None:
        return
    with days_ago(4):
        thread = open_thread(board, CLIENT_TITLE, CLIENT_TITLE_QUESTION, author=author).thread
    with days_ago(3.8):
        redact_thread(thread, TITLE_PASSAGE, actor=moderator, replacement="eines Kunden")


def _audit_log_exported(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    admin = people.get(ADMIN)
    if admin is None or db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "audit_log.export")
                                          .limit(1)) is not None:
        return
    with days_ago(0.1):
        export_audit_log(AuditFilter(), actor=admin)


def _mention_report_dismissed(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    """A careful member takes a colleague's name for client data; the post is hidden until the office looks."""
    thread = threads.get("Erfahrungen mit Gesundheitscoaching")
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.body_source == MENTION)
                             .order_by(Post.id).limit(1)) if thread else None
    reporter = _someone_else(post, people, FRANZISKA, JANA) if post else None
    if post is None or reporter is None or _reported(post, reporter):
        return
    with days_ago(9):
        report_post(post, reporter=reporter, reason="client_data",
                    note="Hier wird eine Person mit vollem Namen genannt – sind das nicht Sozialdaten?")
    with days_ago(8.9):
        resolve_case(post, actor=moderator, outcome="dismissed",
                     note="Kein Verstoß: Sabine Krüger ist Kollegin im Jobcenter Dortmund und Mitglied des "
                          "Extranets, keine Leistungsberechtigte. Danke für die Aufmerksamkeit!")


def _spam_reported(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    thread = threads.get("Netzwerkkonferenz im ländlichen Raum")
    author, first, second = people.get(ANJA), people.get(THOMAS), people.get(LINH)
    if thread is None or None in (author, first, second) or thread.is_locked or _post(thread, author, SPAM):
        return
    with days_ago(6) as at:
        post = _append(thread, author, SPAM, at)
    with days_ago(5.9):
        report_post(post, reporter=first, reason="spam", note="Werbung für ein kommerzielles Angebot.")
    with days_ago(5):
        report_post(post, reporter=second, reason="spam",
                    note="Kommerzielle Werbung mit Rabattcode – gehört nicht ins Extranet.")


def _off_topic_reported(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    thread = threads.get("Laufender Erfahrungsaustausch: Gesundheit und Arbeit")
    author, reporter = people.get(MEHMET), people.get(JANA)
    if thread is None or author is None or reporter is None or thread.is_locked or _post(thread, author, OFF_TOPIC):
        return
    with days_ago(3) as at:
        post = _append(thread, author, OFF_TOPIC, at)
    with days_ago(2.5):
        report_post(post, reporter=reporter, reason="off_topic",
                    note="Gehört nicht in den Erfahrungsaustausch Gesundheit – vielleicht besser ein eigenes Thema "
                         "unter „Organisation und Steuerung im Jobcenter“?")


def _client_data_reported(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    """Open and pending review: the first report hid the post at once; the office has not redacted it yet."""
    thread = threads.get("Psychische Gesundheit: Wartezeiten überbrücken")
    author, first, second = people.get(SABINE), people.get(MEHMET), people.get(KLAUS)
    if thread is None or None in (author, first, second) or thread.is_locked or _post(thread, author, CLIENT_DATA):
        return
    with days_ago(1.2) as at:
        post = _append(thread, author, CLIENT_DATA, at)
    with days_ago(1.1):
        report_post(post, reporter=first, reason="client_data",
                    note="Enthält Name, Geburtsdatum, BG-Nummer und Anschrift eines Kunden – bitte schwärzen.")
    with days_ago(0.6):
        report_post(post, reporter=second, reason="client_data", note="Sozialdaten im Klartext.")


# --- helpers ------------------------------------------------------------------------------------------------

@contextmanager
def days_ago(days: float) -> Iterator[datetime]:
    """Yields the moment `days` ago; afterwards moves what the block stamped with the current time there."""
    started = utcnow()
    at = started - timedelta(days=days)
    yield at
    db.session.flush()
    for column in STAMPED:  # plain SQL statements: a few hundred blocks must not cost seconds of ORM work
        stamped = column.expression
        db.session.execute(update(stamped.table).where(stamped >= started).values({stamped.name: at}))
    db.session.expire_all()


def _append(thread: Thread, author: User, text: str, at: datetime) -> Post:
    """A post without notifications, after the thread's last post (demo threads end weeks ago)."""
    at = min(max(at, thread.last_activity_at + timedelta(hours=2)), utcnow())
    post, _mentioned = append_post(thread, text, author=author, at=at)
    return post


def _thread_titled(title: str) -> Thread | None:
    return db.session.scalar(select(Thread).where(Thread.title == title).order_by(Thread.id).limit(1))


def _board(title: str) -> Board | None:
    return db.session.scalar(select(Board).where(Board.title == title))


def _post(thread: Thread, author: User, text: str) -> Post | None:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.author_id == author.id,
                                                Post.body_source == text).limit(1))


def _reported(post: Post, reporter: User) -> bool:
    return db.session.scalar(select(Report.id).where(Report.post_id == post.id, Report.reporter_id == reporter.id)
                             .limit(1)) is not None


def _audited(action: str, target) -> bool:
    return db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == action, AuditEntry.target_type == type(target).__tablename__,
        AuditEntry.target_id == target.id).limit(1)) is not None


def _someone_else(post: Post, people: dict[str, User], *emails: str) -> User | None:
    """The first of the demo members who did not write the post (nobody reports their own post)."""
    return next((people[email] for email in emails if email in people and people[email].id != post.author_id), None)


def _staff_outside_demo() -> bool:
    """Whether an active moderator or admin has a real address (they would be told of the demo reports)."""
    return db.session.scalar(select(User.id).where(User.status == "active", User.role.in_(("moderator", "admin")),
                                                   ~User.email.endswith(".example")).limit(1)) is not None


def _rows() -> int:
    return sum(db.session.scalar(select(func.count(model.id))) for model in (Post, Report, AuditEntry))
