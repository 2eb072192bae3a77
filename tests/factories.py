"""Tiny factories: make_<thing>(**overrides) adds and flushes one row with sensible German defaults."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from werkzeug.security import generate_password_hash

from forum.accounts.models import User
from forum.clock import utcnow
from forum.config import TestingConfig
from forum.extensions import db
from forum.organisations.models import Organisation, OrganisationDomain

PASSWORD = "Heftklammer-Ampel-Wolke-42"
# The authenticator secret of every account made with a second factor (moderators and admins by default), so a
# test logs in through the code step with pyotp.TOTP(TOTP_SECRET).now().
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# Hashing is slow on purpose; the factories share one hash of PASSWORD, as cheap as the testing configuration's.
PASSWORD_HASH = generate_password_hash(PASSWORD, method=TestingConfig.PASSWORD_HASH_METHOD)
_numbers = itertools.count(1)


def make_organisation(*, name: str | None = None, kind: str = "jobcenter", land: str | None = "NW",
                      region: str = "Ruhrgebiet", jobcenter_type: str | None = "ge",
                      domains: tuple[str, ...] | None = None) -> Organisation:
    number = next(_numbers)
    if kind != "jobcenter":
        jobcenter_type = None
    organisation = Organisation(
        name=name or f"Jobcenter Teststadt {number}", kind=kind, land=land, region=region,
        jobcenter_type=jobcenter_type,
        domains=[OrganisationDomain(domain=d) for d in (domains if domains is not None
                                                         else (f"jobcenter-teststadt-{number}.example",))],
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_user(*, role: str = "member", status: str = "active", organisation: Organisation | None = None,
              email: str | None = None, display_name: str | None = None, function: str = "Integrationsfachkraft",
              language: str = "de", confirmed: bool = True, second_factor: bool | None = None) -> User:
    """A user; moderators and admins have a second factor (TOTP_SECRET) unless second_factor=False, as the
    extranet requires of them before their pages."""
    number = next(_numbers)
    organisation = organisation or make_organisation()
    now = utcnow()
    user = User(
        email=email or f"person{number}@{organisation.domain_names[0] if organisation.domains else 'mail.example'}",
        display_name=display_name or f"Person {number}", function=function, organisation=organisation, role=role,
        status=status, password_hash=PASSWORD_HASH, language=language, terms_accepted_at=now,
        email_confirmed_at=now if confirmed else None, approved_at=now if status == "active" else None,
    )
    if second_factor if second_factor is not None else role in ("moderator", "admin"):
        user.totp_secret, user.second_factor_at = TOTP_SECRET, now
    db.session.add(user)
    db.session.flush()
    return user


# --- events and threads -------------------------------------------------------------------------------------

def make_event(*, title: str | None = None, kind: str = "workshop", status: str = "open",
               starts_in: timedelta = timedelta(days=30), duration: timedelta = timedelta(hours=6),
               starts_at: datetime | None = None, ends_at: datetime | None = None, capacity: int | None = 20,
               registration_deadline: datetime | None = None, location: str = "Servicestelle SGB II, Berlin",
               online_url: str = "", land: str | None = "BE", description: str = "", agenda: str = "",
               created_by: User | None = None, with_thread: bool = True):
    """An event (by default open for registration in 30 days, 20 places) with its main thread."""
    from forum import markup
    from forum.events.models import Event

    number = next(_numbers)
    starts_at = starts_at or utcnow().replace(microsecond=0) + starts_in
    event = Event(
        kind=kind, title=title or f"Werkstattgespräch Gesundheit {number}", starts_at=starts_at,
        ends_at=ends_at or starts_at + duration, location=location, online_url=online_url, land=land,
        description_source=description, description_html=markup.render(description), agenda_source=agenda,
        agenda_html=markup.render(agenda), capacity=capacity, registration_deadline=registration_deadline,
        status=status, created_by=created_by,
    )
    db.session.add(event)
    db.session.flush()
    if with_thread:
        make_thread(title=event.title, event=event)
    return event


def make_thread(*, title: str | None = None, event=None, idea=None, follow_up_of=None, author: User | None = None):
    """A thread: an event's or idea's main thread, a follow-up of an event, or (by default) a standalone one."""
    from forum.discussion.models import Thread

    thread = Thread(title=title or f"Erfahrungen aus der Praxis {next(_numbers)}", event=event, idea=idea,
                    follow_up_event=follow_up_of, created_by=author)
    db.session.add(thread)
    db.session.flush()
    return thread


# --- ideas --------------------------------------------------------------------------------------------------

IDEA_DESCRIPTION = """# Ausgangslage
Viele Langzeitleistungsbeziehende haben gesundheitliche Einschränkungen, über die im Jobcenter kaum gesprochen wird.

# Ziel
Gesundheit wird Teil der Beratung, gemeinsam mit der Krankenkasse vor Ort.

# Umsetzung
- Sprechstunde der Krankenkasse im Jobcenter, einmal pro Woche
- Fallbesprechungen im Team

# Ergebnisse
Mehr Teilnahme an Präventionskursen.

# Übertragbarkeit
Gut übertragbar; es braucht eine feste Ansprechperson bei der Krankenkasse."""


def make_term(*, kind: str = "topic", name: str | None = None, position: int | None = None, active: bool = True):
    """An entry of a reference list (Handlungsfeld by default)."""
    from forum.ideas.models import ReferenceTerm

    number = next(_numbers)
    term = ReferenceTerm(kind=kind, name=name or f"Eintrag {number}", position=number if position is None else position,
                         active=active)
    db.session.add(term)
    db.session.flush()
    return term


def make_idea(*, title: str | None = None, summary: str = "Gesundheitsorientierung mit der Krankenkasse vor Ort.",
              description: str = IDEA_DESCRIPTION, status: str = "published", author: User | None = None,
              organisation: Organisation | None = None, contact: str = "Erika Beispiel, 0231 123456",
              terms: tuple = (), created_at: datetime | None = None, with_thread: bool = True):
    """An idea (published by default, so every member sees it) of the author's Jobcenter, with its thread."""
    from forum import markup
    from forum.ideas.models import Idea
    from forum.ideas.sections import split_description

    author = author or make_user(organisation=organisation)
    now = created_at or utcnow()
    idea = Idea(title=title or f"Gesundheitscoaching im Jobcenter {next(_numbers)}", summary=summary,
                **{f"{key}_source": text for key, text in split_description(description).items()},
                description_source=description, description_html=markup.render(description),
                organisation=organisation or author.organisation, contact=contact, author=author, status=status,
                terms=list(terms), created_at=now, updated_at=now, last_activity_at=now,
                status_changed_at=None if status == "submitted" else now)
    db.session.add(idea)
    db.session.flush()
    if with_thread:
        make_thread(title=idea.title, idea=idea, author=author)
    return idea


# --- boards and posts ---------------------------------------------------------------------------------------

def make_board(*, title: str | None = None, description: str = "Austausch über die Praxis.",
               position: int | None = None):
    """A Fachforum (at the end of the list by default)."""
    from forum.discussion.models import Board

    number = next(_numbers)
    board = Board(title=title or f"Fachforum {number}", description=description,
                  position=number if position is None else position)
    db.session.add(board)
    db.session.flush()
    return board


def make_post(*, thread=None, author: User | None = None, body: str = "Wir haben gute Erfahrungen gemacht.",
              created_at: datetime | None = None):
    """A post at the end of a thread (a new standalone thread by default), numbered and counted like a reply,
    without notifications (fast enough for hundreds of posts); quotes of posts are marked as on writing."""
    from forum import markup
    from forum.discussion import monthly
    from forum.discussion.models import Post
    from forum.discussion.quotes import QUOTE_LINKS

    thread = thread or make_thread()
    author = author or make_user()
    now = created_at or utcnow()
    thread.post_count += 1
    thread.last_activity_at, thread.last_post_author_id = now, author.id
    post = Post(thread_id=thread.id, number=thread.post_count, author_id=author.id, body_source=body,
                body_html=markup.render(body, quote_links=QUOTE_LINKS), created_at=now)
    db.session.add(post)
    db.session.flush()
    monthly.count_post(post)  # as services.append_post does: the statistics read these counts
    return post


# --- notifications ------------------------------------------------------------------------------------------

def make_notification(*, user: User, kind: str = "reply", actor: User | None = None, post=None, thread=None,
                      idea=None, event=None, read: bool = False, created_at: datetime | None = None,
                      emailed_at: datetime | None = None):
    """An in-app notification for `user` (by default a reply by someone else in a new thread), unread."""
    from forum.notifications.models import Notification

    if kind in ("reply", "mention") and post is None:
        post = make_post(thread=thread, author=actor)
    if post is not None:
        thread, actor = post.thread, actor or post.author
    now = created_at or utcnow()
    notification = Notification(user_id=user.id, kind=kind, actor_id=actor.id if actor else None,
                                thread_id=thread.id if thread else None, post_id=post.id if post else None,
                                idea_id=idea.id if idea else None, event_id=event.id if event else None,
                                created_at=now, read_at=now if read else None, emailed_at=emailed_at)
    db.session.add(notification)
    db.session.flush()
    return notification
