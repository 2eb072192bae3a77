"""Demo moderation for `flask seed-demo`: a pinned welcome thread, an insult hidden and its thread locked, the
office's pinned summary, a client-data report dismissed, and open reports (spam, off-topic, and client data that
hid a post pending review) — played through the real services, so the audit log and notifications are real.

Idempotent: each case is played once, recognised by its post, its report or its audit entry. Every service
notifies demo accounts only (.example addresses), except that new reports notify every moderator and admin: when
the database has active staff accounts outside the demo, no case is played, so nobody real gets demo mail.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from forum.accounts.models import User
from forum.clock import utcnow
from forum.discussion.models import Post, Thread
from forum.discussion.services import append_post
from forum.extensions import db
from forum.moderation.models import AuditEntry, Report
from forum.moderation.reports import report_post, resolve_case
from forum.moderation.services import hide_post, lock_thread, pin_post, pin_thread
from forum.notifications.models import Notification

MODERATOR = "moderation@servicestelle.example"
MEHMET = "mitglied@jobcenter-dortmund.example"
SABINE = "s.krueger@jobcenter-dortmund.example"
JANA = "j.hoffmann@jobcenter-koeln.example"
THOMAS = "t.schulz@jobcenter-leipzig.example"
LINH = "l.nguyen@jobcenter-berlin-mitte.example"
KLAUS = "k.wagner@jobcenter-landkreis-emsland.example"
FRANZISKA = "f.becker@jobcenter-muenchen.example"
ANJA = "a.schmidt@aok-nordwest.example"
GERD = "g.braun@jobcenter-erfurt.example"  # suspended later "for repeated violations" (forum/demo.py)

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

# What the services stamp with the current time; a case's block moves them back to when the case happened.
STAMPED = (AuditEntry.created_at, Report.created_at, Report.resolved_at, Post.hidden_at, Post.pinned_at,
           Thread.pinned_at, Thread.locked_at, Notification.created_at, Notification.emailed_at)


def seed_moderation() -> int:
    """Play the moderation cases not played yet; returns how many posts, reports and audit entries were added."""
    people = {user.email: user for user in db.session.scalars(select(User).where(User.email.endswith(".example")))}
    moderator = people.get(MODERATOR)
    if moderator is None or _staff_outside_demo():
        return 0
    threads = {thread.title: thread for thread in db.session.scalars(
        select(Thread).where(Thread.board_id.is_not(None)).order_by(Thread.id))}
    before = _rows()
    for case in (_welcome_pinned, _insult_hidden_and_thread_locked, _summary_pinned, _mention_report_dismissed,
                 _spam_reported, _off_topic_reported, _client_data_reported):
        case(threads, people, moderator)
    return _rows() - before


def _welcome_pinned(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    thread = threads.get("Willkommen im Extranet")
    if thread is None or _audited("thread.pin", thread):
        return
    with _days_ago(30):
        pin_thread(thread, actor=moderator)


def _insult_hidden_and_thread_locked(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    thread = threads.get("Betreuungsschlüssel im Fallmanagement")
    author, reporter = people.get(GERD), people.get(KLAUS)
    if thread is None or author is None or reporter is None or thread.is_locked or _post(thread, author, INSULT):
        return
    with _days_ago(16) as at:
        post = _append(thread, author, INSULT, at)
    with _days_ago(15.9):
        report_post(post, reporter=reporter, reason="insult",
                    note="Persönlicher Angriff auf mich und mein Team. Sachliche Kritik gern, aber nicht so.")
    with _days_ago(15.8):
        hide_post(post, actor=moderator, reason="insult",
                  note="Persönlicher Angriff. Kritik am Betreuungsschlüssel ist willkommen – bitte sachlich und ohne "
                       "Kolleginnen und Kollegen herabzusetzen.")
    with _days_ago(15.7):
        lock_thread(thread, actor=moderator,
                    reason="Die Diskussion ist persönlich geworden. Die genannten Betreuungsschlüssel fließen in die "
                           "Arbeitshilfe Fallmanagement ein; für neue Fragen beginnen Sie gern ein neues Thema.")


def _summary_pinned(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    thread = threads.get("Kooperationsvereinbarung mit der Schuldnerberatung")
    if thread is None or thread.is_locked or _post(thread, moderator, SUMMARY):
        return
    with _days_ago(12) as at:
        pin_post(_append(thread, moderator, SUMMARY, at), actor=moderator)


def _mention_report_dismissed(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    """A careful member takes a colleague's name for client data; the post is hidden until the office looks."""
    thread = threads.get("Erfahrungen mit Gesundheitscoaching")
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.body_source == MENTION)
                             .order_by(Post.id).limit(1)) if thread else None
    reporter = _someone_else(post, people, FRANZISKA, JANA) if post else None
    if post is None or reporter is None or _reported(post, reporter):
        return
    with _days_ago(9):
        report_post(post, reporter=reporter, reason="client_data",
                    note="Hier wird eine Person mit vollem Namen genannt – sind das nicht Sozialdaten?")
    with _days_ago(8.9):
        resolve_case(post, actor=moderator, outcome="dismissed",
                     note="Kein Verstoß: Sabine Krüger ist Kollegin im Jobcenter Dortmund und Mitglied des "
                          "Extranets, keine Leistungsberechtigte. Danke für die Aufmerksamkeit!")


def _spam_reported(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    thread = threads.get("Netzwerkkonferenz im ländlichen Raum")
    author, first, second = people.get(ANJA), people.get(THOMAS), people.get(LINH)
    if thread is None or None in (author, first, second) or thread.is_locked or _post(thread, author, SPAM):
        return
    with _days_ago(6) as at:
        post = _append(thread, author, SPAM, at)
    with _days_ago(5.9):
        report_post(post, reporter=first, reason="spam", note="Werbung für ein kommerzielles Angebot.")
    with _days_ago(5):
        report_post(post, reporter=second, reason="spam",
                    note="Kommerzielle Werbung mit Rabattcode – gehört nicht ins Extranet.")


def _off_topic_reported(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    thread = threads.get("Laufender Erfahrungsaustausch: Gesundheit und Arbeit")
    author, reporter = people.get(MEHMET), people.get(JANA)
    if thread is None or author is None or reporter is None or thread.is_locked or _post(thread, author, OFF_TOPIC):
        return
    with _days_ago(3) as at:
        post = _append(thread, author, OFF_TOPIC, at)
    with _days_ago(2.5):
        report_post(post, reporter=reporter, reason="off_topic",
                    note="Gehört nicht in den Erfahrungsaustausch Gesundheit – vielleicht besser ein eigenes Thema "
                         "unter „Organisation und Steuerung im Jobcenter“?")


def _client_data_reported(threads: dict[str, Thread], people: dict[str, User], moderator: User) -> None:
    """Open and pending review: the first report hid the post at once; the office has not redacted it yet."""
    thread = threads.get("Psychische Gesundheit: Wartezeiten überbrücken")
    author, first, second = people.get(SABINE), people.get(MEHMET), people.get(KLAUS)
    if thread is None or None in (author, first, second) or thread.is_locked or _post(thread, author, CLIENT_DATA):
        return
    with _days_ago(1.2) as at:
        post = _append(thread, author, CLIENT_DATA, at)
    with _days_ago(1.1):
        report_post(post, reporter=first, reason="client_data",
                    note="Enthält Name, Geburtsdatum, BG-Nummer und Anschrift eines Kunden – bitte schwärzen.")
    with _days_ago(0.6):
        report_post(post, reporter=second, reason="client_data", note="Sozialdaten im Klartext.")


# --- helpers ------------------------------------------------------------------------------------------------

@contextmanager
def _days_ago(days: float) -> Iterator[datetime]:
    """Yields the moment `days` ago; afterwards moves what the block stamped with the current time there."""
    started = utcnow()
    at = started - timedelta(days=days)
    yield at
    for column in STAMPED:
        db.session.execute(update(column.class_).where(column >= started).values({column: at})
                           .execution_options(synchronize_session=False))
    db.session.expire_all()


def _append(thread: Thread, author: User, text: str, at: datetime) -> Post:
    """A post without notifications, after the thread's last post (demo threads end weeks ago)."""
    at = min(max(at, thread.last_activity_at + timedelta(hours=2)), utcnow())
    post, _mentioned = append_post(thread, text, author=author, at=at)
    return post


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
