"""The demo data, and a crawl of everything over it. `flask seed-demo` runs once per database: the data must be
realistic, consistent and idempotent (checked below, each check reported by name) and contain every audit action,
notification kind, idea status, event state and post state the code knows. Then every GET route of the app is
requested with real ids (a URL for each state) as anonymous, a member of one Jobcenter, a member of another, an
organiser, a moderator and an admin, in German and in English (in English the pages each role is shown, and one
redirect and one refusal per route); in German the links and filter forms on the pages are followed too. Any 5xx
fails the test, listed by URL, role and language. A route that was never requested fails it too, so a new route is
crawled automatically or the test says what it could not fill in.
"""
from __future__ import annotations

import html
import itertools
import re
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlencode, urlsplit

import pyotp
from flask import Flask, url_for
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from forum.accounts.models import User
from forum.accounts.services import make_confirmation_token, make_reset_token
from forum import demo, guard
from forum.clock import utcnow
from forum.discussion.models import POSTS_PER_PAGE, Board, Post, PostRevision, Thread
from forum.discussion.quotes import quote
from forum.events.calendar import create_calendar_feed
from forum.events.attendance import attendance_counts
from forum.events.models import (EVENT_KINDS, EVENT_STATUSES, Event, EventAttachment, EventRegistration, EventReport,
                                 EventWalkIn)
from forum.extensions import db
from forum.feedback.models import STATUS_LABELS as BARRIER_STATUSES, BarrierReport
from forum.ideas.models import IDEA_STATUSES, Idea, IdeaAdoption, IdeaEvent, IdeaRevision, IdeaVote, ReferenceTerm
from forum.audit import AuditEntry
from forum.audit import ACTION_LABELS
from forum.moderation.models import Report
from forum.notifications.models import FOLLOW_TARGETS, NOTIFICATION_KINDS, Notification, OutboxMessage
from forum.notifications.mailing import make_unsubscribe_token
from forum.announcements.models import Announcement
from forum.announcements.services import make_unsubscribe_token as make_announcement_unsubscribe_token
from forum.organisations.models import LAENDER, Organisation
from forum.pages.models import SitePage
from forum.privacy.models import DataExport
from forum.security import PUBLIC_ENDPOINTS
from tests.helpers import Client, audit, text_of

ROLES = {  # role: the demo account (None: not logged in)
    "anonymous": None,
    "member (Jobcenter Dortmund)": "mitglied@jobcenter-dortmund.example",
    "member (Jobcenter Köln)": "j.hoffmann@jobcenter-koeln.example",
    "organiser": "veranstaltung@servicestelle.example",
    "moderator": "moderation@servicestelle.example",
    "admin": "admin@servicestelle.example",
}
LANGUAGES = ("de", "en")
MISSING_ID = 987_654_321  # an id no row has: the 404 path of every route with an id
LINKS_PER_ENDPOINT = 5  # per role: links (then filter forms) followed to each endpoint beyond the routes' URLs


def test_the_demo_data_is_complete_and_every_page_answers_for_every_role_and_language(app, client, client_as,
                                                                                       monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    started = time.perf_counter()
    runner = app.test_cli_runner()
    seeded_output = runner.invoke(args=["seed-demo"])
    assert seeded_output.exit_code == 0, seeded_output.output
    seeded = time.perf_counter()
    assert_demo_data_has_every_kind_and_state()
    failed = []
    for check in DEMO_CHECKS:  # one seed for all: each check only reads, or adds what the crawl may also see
        try:
            check(app, client, client_as, seeded_output.output)
        except AssertionError as error:
            failed.append(f"{check.__name__}: {error}")
    assert not failed, "The demo data fails these checks:\n" + "\n".join(failed)

    urls, unfilled = route_urls(app, argument_values())
    get_rules = {rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"}
    assert not unfilled, "No values to fill in for these routes (add them to argument_values()):\n" + "\n".join(
        unfilled)

    crawler = Crawler(app)
    for role, email in ROLES.items():
        user = db.session.scalar(select(User).where(User.email == email)) if email else None
        role_urls = urls if user else gate_urls(app, urls)
        crawler.crawl(client_for(app, client_as, user, LANGUAGES[0]), role_urls, role, LANGUAGES[0])
        for language in LANGUAGES[1:]:  # every route in every state in the other languages; links in German only
            other = client_for(app, client_as, user, language)
            for url in crawler.worth_translating(role_urls, role):
                crawler.fetch(other, url, role, language)
    finished = time.perf_counter()
    print(f"\ncrawl on {db.engine.dialect.name}: {len(get_rules)} GET routes ({len(urls)} URLs with ids) × "
          f"{len(ROLES)} roles × {len(LANGUAGES)} languages; {sum(crawler.statuses.values())} requests with the "
          f"links followed; seed {seeded - started:.1f} s, crawl {finished - seeded:.1f} s")
    for role in ROLES:
        print(f"  {role}, per language: " + ", ".join(
            f"{crawler.statuses[(role, LANGUAGES[0], kind)]} × {kind}xx" for kind in (2, 3, 4, 5)))

    assert not crawler.errors, f"{len(crawler.errors)} requests answered with a server error:\n" + "\n".join(
        crawler.errors)
    assert not crawler.wrong_language, "Pages in the wrong language:\n" + "\n".join(crawler.wrong_language)
    never = sorted(get_rules - crawler.requested)
    assert not never, "These GET routes were never requested:\n" + "\n".join(never)


# --- the demo data ----------------------------------------------------------------------------------------------

def check_realistic_and_idempotent(app, client, client_as, output: str) -> None:
    assert "mitglied@jobcenter-dortmund.example" in output and "demo-passwort" in output
    models = (User, Organisation, Post, Report, AuditEntry, Notification, Event, Idea)
    counts = [db.session.scalar(select(func.count(model.id))) for model in models]
    assert "schon vorhanden" in app.test_cli_runner().invoke(args=["seed-demo"]).output
    assert [db.session.scalar(select(func.count(model.id))) for model in models] == counts

    jobcenters = db.session.scalars(select(Organisation).where(Organisation.kind == "jobcenter")).all()
    assert len(jobcenters) >= 30
    assert {jc.land for jc in jobcenters} == set(LAENDER)
    assert {jc.jobcenter_type for jc in jobcenters} == {"ge", "zkt"}
    assert {"service_office", "ministry", "partner"} <= set(db.session.scalars(select(Organisation.kind)))
    roles = set(db.session.scalars(select(User.role).where(User.status == "active")))
    assert roles == {"member", "organiser", "moderator", "admin"}
    secret, recovery_code = re.search(r"Schlüssel (\w+) .* Wiederherstellungscode (\S+)", output).groups()
    for ahead, email in enumerate(("admin@servicestelle.example", "moderation@servicestelle.example",
                                   "veranstaltung@servicestelle.example", "mitglied@jobcenter-dortmund.example",
                                   "s.krueger@jobcenter-dortmund.example")):
        response = client.post("/accounts/login", data={"email": email, "password": "demo-passwort"})
        if email in demo.SECOND_FACTOR_LOGINS:  # staff and one member: the printed secret's code, or the recovery code
            assert response.headers["Location"] == "/accounts/login/code", email
            code = recovery_code if ahead == 0 else pyotp.TOTP(secret).now()
            response = client.post("/accounts/login/code", data={"code": code})
        assert response.headers["Location"] == "/", email
        client.post("/accounts/logout")
    assert {user.email for user in db.session.scalars(select(User).where(User.second_factor_at.is_not(None)))} \
        == set(demo.SECOND_FACTOR_LOGINS)  # members with and without; the reset one is off again


def check_moderation_played_through_the_services(app, client, client_as, output: str) -> None:
    hidden = db.session.scalars(select(Post).where(Post.hidden_at.is_not(None))).all()
    insult = next(post for post in hidden if post.hidden_reason == "insult")
    assert insult.hidden_by.email == "moderation@servicestelle.example" and insult.hidden_note
    pending = next(post for post in hidden if post.hidden_reason == "client_data")
    assert pending.hidden_by_id is None  # hidden by the report, pending review
    assert "12345BG0067890" in pending.body_source and guard.scan(pending.body_source)
    assert db.session.scalar(select(func.count(Post.id)).where(Post.pinned_at.is_not(None))) >= 1
    assert db.session.scalar(select(func.count(Thread.id)).where(Thread.pinned_at.is_not(None),
                                                                 Thread.board_id.is_not(None))) >= 1
    locked = db.session.scalars(select(Thread).where(Thread.locked_at.is_not(None))).all()
    assert locked and all(thread.lock_reason for thread in locked)
    open_reports = db.session.scalars(select(Report).where(Report.resolved_at.is_(None))).all()
    assert len(open_reports) >= 3 and all(report.note for report in open_reports)
    assert {"client_data", "spam", "off_topic"} <= {report.reason for report in open_reports}
    assert pending.id in {report.post_id for report in open_reports}
    assert max(Counter(report.post_id for report in open_reports).values()) == 2  # reported by two members
    assert db.session.scalar(select(func.count(Report.id)).where(Report.outcome == "dismissed")) == 1
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"post.hide", "post.auto_hide", "post.pin", "post.unhide", "thread.pin", "thread.lock",
            "report.resolve"} <= actions
    assert db.session.scalar(select(func.max(AuditEntry.created_at))) <= utcnow()
    assert all(message.recipient.endswith(".example") for message in db.session.scalars(select(OutboxMessage)))


def check_discussions_with_a_long_thread_consistent_counts_and_mentions(app, client, client_as, output: str) -> None:
    rows = db.session.execute(select(Thread.id, Thread.post_count, func.count(Post.id), func.max(Post.number))
                              .outerjoin(Post, Post.thread_id == Thread.id).group_by(Thread.id)).all()
    assert all(count == posts == (highest or 0) for _id, count, posts, highest in rows)  # no gaps in the numbers
    assert db.session.scalar(select(func.count(Post.id))) >= 200
    longest = db.session.scalar(select(func.max(Thread.post_count)))
    assert longest > 2 * POSTS_PER_PAGE
    assert db.session.scalar(select(func.count(Thread.id)).where(Thread.board_id.is_not(None))) >= 8
    assert db.session.scalar(select(func.count(Post.id)).join(Thread).where(Thread.event_id.is_not(None))) > 0
    assert db.session.scalar(select(func.count(Post.id)).join(Thread).where(Thread.idea_id.is_not(None))) > 0
    assert db.session.scalar(select(func.count(Post.id)).where(Post.body_html.contains("@Sabine Krüger</a>"))) == 1
    member = db.session.scalar(select(User).where(User.email == "mitglied@jobcenter-dortmund.example"))
    reader = client_as(member)
    assert "Gesundheitsorientierung" in text_of(reader.get("/discussion/"))
    long_thread = db.session.scalar(select(Thread).where(Thread.post_count == longest))
    assert "Seite 1 von 4" in text_of(reader.get(f"/discussion/{long_thread.id}"))


def check_past_and_upcoming_events_of_every_kind(app, client, client_as, output: str) -> None:
    events = db.session.scalars(select(Event)).all()
    assert {event.kind for event in events} == set(EVENT_KINDS)
    assert {event.status for event in events} == {"planned", "open", "done", "cancelled"}
    now = utcnow()
    assert any(event.ends_at < now for event in events) and any(event.starts_at > now for event in events)
    assert all(event.main_thread is not None for event in events)
    assert db.session.scalar(select(func.count(EventRegistration.id)).where(EventRegistration.status == "waiting"))
    done = [event for event in events if event.status == "done"]
    assert all("Ergebnisse</h3>" in event.documentation_html for event in done)  # below the h2 "Dokumentation"
    assert any(event.follow_ups for event in done)
    reader = client_as(db.session.scalar(select(User).where(User.email == "mitglied@jobcenter-dortmund.example")))
    assert "Online-Sprechstunde" in text_of(reader.get("/events/"))


def check_the_ideas_exchange_is_filled_consistently(app, client, client_as, output: str) -> None:
    ideas = db.session.scalars(select(Idea)).all()
    assert len(ideas) >= 40 and {idea.status for idea in ideas} == set(IDEA_STATUSES)
    votes = dict(db.session.execute(select(IdeaVote.idea_id, func.count()).group_by(IdeaVote.idea_id)).all())
    assert all(idea.vote_count == votes.get(idea.id, 0) for idea in ideas) and sum(votes.values()) > 100
    assert db.session.scalar(select(func.count(IdeaAdoption.id))) >= 10
    assert db.session.scalar(select(func.count()).select_from(IdeaEvent)) >= 10
    assert db.session.scalar(select(func.count(Thread.id)).where(Thread.idea_id.is_not(None))) == len(ideas)
    member = db.session.scalar(select(User).where(User.email == "mitglied@jobcenter-dortmund.example"))
    page = text_of(client_as(member).get("/ideas/?sort=votes"))
    assert "Stimmen aus" in page and "Seite 1 von" in page


def check_the_demo_member_has_news_of_every_kind(app, client, client_as, output: str) -> None:
    member = db.session.scalar(select(User).where(User.email == "mitglied@jobcenter-dortmund.example"))
    page = text_of(client_as(member).get("/neu"))
    assert "Alles als gelesen markieren" in page and "ungelesen" in page, page[:500]
    assert all(heading in page for heading in ("Diskussionen", "Ideenbörse", "Veranstaltungen")), page[:500]


def check_held_events_have_attendance_and_closing_reports(app, client, client_as, output: str) -> None:
    held = db.session.scalar(select(Event).where(Event.title.startswith("Werkstattgespräch: Junge Menschen")))
    registered = db.session.scalar(select(func.count(EventRegistration.id)).where(
        EventRegistration.event_id == held.id, EventRegistration.status == "registered"))
    attendees, jobcenters = attendance_counts([held.id])[held.id]
    assert attendees == registered - 2 + 2 and jobcenters >= 2  # two absent, two walk-ins (one typed)
    assert held.report.published_at is not None
    draft = db.session.scalar(select(EventReport).where(EventReport.published_at.is_(None)))
    assert draft is not None and draft.event.status == "done"
    member = db.session.scalar(select(User).where(User.email == "mitglied@jobcenter-dortmund.example"))
    page = text_of(client_as(member).get(f"/events/{held.id}"))
    assert "Abschlussbericht" in page and "Übergänge von der Schule in den Beruf" in page
    assert "Sie waren dabei." in page  # the demo member is among those marked present
    assert "Abschlussbericht" not in text_of(client_as(member).get(f"/events/{draft.event_id}"))


def check_one_announcement_sent_and_one_draft(app, client, client_as, output: str) -> None:
    statuses = sorted(db.session.scalars(select(Announcement.status)))
    assert statuses == ["draft", "sent"], statuses
    sent = db.session.scalar(select(Announcement).where(Announcement.status == "sent"))
    assert sent.recipient_count == db.session.scalar(select(func.count(Notification.id)).where(
        Notification.announcement_id == sent.id)) > 1
    member = db.session.scalar(select(User).where(User.email == ROLES["member (Jobcenter Dortmund)"]))
    assert sent.subject in text_of(client_as(member).get("/notifications/"))


def check_data_exports_in_every_state_and_former_members(app, client, client_as, output: str) -> None:
    statuses = set(db.session.scalars(select(DataExport.status)))
    assert {"requested", "ready", "expired"} <= statuses, statuses
    former = list(db.session.scalars(select(User).where(User.display_name == "ehemaliges Mitglied")))
    assert len(former) >= 2 and all(person.email.endswith(".invalid") for person in former)
    ids = [person.id for person in former]
    kept = db.session.scalar(select(Post).where(Post.author_id.in_(ids), Post.withdrawn_at.is_(None)).limit(1))
    assert kept is not None and db.session.scalar(select(func.count()).select_from(IdeaVote).where(
        IdeaVote.user_id.in_(ids))) == 2
    assert db.session.scalar(select(func.count(Post.id)).where(Post.author_id.in_(ids),
                                                               Post.withdrawn_at.is_not(None))) == 1
    member = db.session.scalar(select(User).where(User.email == ROLES["member (Jobcenter Dortmund)"]))
    assert "ehemaliges Mitglied" in text_of(client_as(member).get(f"/discussion/posts/{kept.id}",
                                                                 follow_redirects=True))


def check_barrier_reports_in_every_status_mailed_to_the_office(app, client, client_as, output: str) -> None:
    assert set(db.session.scalars(select(BarrierReport.status))) == set(BARRIER_STATUSES)
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.recipient == app.config["BARRIER_REPORT_RECIPIENT"])) == 3
    admin = db.session.scalar(select(User).where(User.email == ROLES["admin"]))
    listed = text_of(client_as(admin).get("/feedback/manage?status=in_progress"))
    assert "Programmstatistik" in listed and "Kalender" not in listed


DEMO_CHECKS = (check_realistic_and_idempotent, check_moderation_played_through_the_services,
               check_discussions_with_a_long_thread_consistent_counts_and_mentions,
               check_past_and_upcoming_events_of_every_kind, check_the_ideas_exchange_is_filled_consistently,
               check_the_demo_member_has_news_of_every_kind, check_held_events_have_attendance_and_closing_reports,
               check_one_announcement_sent_and_one_draft, check_data_exports_in_every_state_and_former_members,
               check_barrier_reports_in_every_status_mailed_to_the_office)


def assert_demo_data_has_every_kind_and_state() -> None:
    """Derived from the code: a new audit action, notification kind, idea status or event status fails here until
    `flask seed-demo` plays it."""
    actions = set(db.session.scalars(select(AuditEntry.action).distinct()))
    assert set(ACTION_LABELS) <= actions, f"audit actions missing in the demo data: {set(ACTION_LABELS) - actions}"
    kinds = set(db.session.scalars(select(Notification.kind).distinct()))
    assert set(NOTIFICATION_KINDS) <= kinds, f"notification kinds missing: {set(NOTIFICATION_KINDS) - kinds}"
    statuses = set(db.session.scalars(select(Idea.status).distinct()))
    assert set(IDEA_STATUSES) <= statuses, f"idea statuses missing: {set(IDEA_STATUSES) - statuses}"
    statuses = set(db.session.scalars(select(Event.status).distinct()))
    assert set(EVENT_STATUSES) <= statuses, f"event statuses missing: {set(EVENT_STATUSES) - statuses}"
    missing = [name for name, exists in event_states().items() if exists is None]
    assert not missing, f"event states missing in the demo data: {missing}"
    missing = [name for name, exists in post_states().items() if exists is None]
    assert not missing, f"post states missing in the demo data: {missing}"
    statuses = set(db.session.scalars(select(User.status).distinct()))
    assert {"active", "pending", "suspended", "rejected", "deleted"} <= statuses, statuses


def event_states() -> dict[str, int | None]:
    """{state: the id of an event in it, or None}."""
    now = utcnow()
    waiting = select(EventRegistration.event_id).where(EventRegistration.status == "waiting")

    def first(*conditions) -> int | None:
        return db.session.scalar(select(Event.id).where(*conditions).order_by(Event.id).limit(1))

    states = {status: first(Event.status == status) for status in EVENT_STATUSES}
    states.update({
        "full with a waiting list": first(Event.id.in_(waiting), Event.status == "open", Event.starts_at > now),
        "registration deadline passed": first(Event.status == "open", Event.registration_deadline < now,
                                              Event.starts_at > now),
        "full, registration closed": first(Event.id.in_(waiting), Event.status == "open", Event.starts_at > now,
                                           Event.registration_deadline < now),
        "online, with registrations": first(Event.online_url != "", Event.starts_at > now, Event.id.in_(
            select(EventRegistration.event_id).where(EventRegistration.status == "registered"))),
        "running now": first(Event.starts_at <= now, Event.ends_at > now, Event.status == "open"),
        "past, not marked as done": first(Event.ends_at < now, Event.status == "open"),
        "unlimited places": first(Event.capacity.is_(None)),
        "with documentation files": first(Event.id.in_(select(EventAttachment.event_id))),
        "with follow-up threads": first(Event.id.in_(select(Thread.follow_up_event_id))),
        "with attendance and walk-ins": first(Event.id.in_(select(EventWalkIn.event_id))),
        "with a published closing report": first(Event.id.in_(select(EventReport.event_id).where(
            EventReport.published_at.is_not(None)))),
        "with a draft closing report": first(Event.id.in_(select(EventReport.event_id).where(
            EventReport.published_at.is_(None)))),
    })
    return states


def post_states() -> dict[str, int | None]:
    """{state: the id of a post in it, or None}."""
    def first(*conditions) -> int | None:
        return db.session.scalar(select(Post.id).where(*conditions).order_by(Post.id).limit(1))

    quoting = quoting_posts()
    hidden = set(db.session.scalars(select(Post.id).where(Post.hidden_at.is_not(None))))
    moderator_edits = select(AuditEntry.target_id).where(AuditEntry.action == "post.edit")
    return {
        "shown": first(Post.hidden_at.is_(None), Post.withdrawn_at.is_(None), Post.pinned_at.is_(None)),
        "hidden by a moderator": first(Post.hidden_by_id.is_not(None)),
        "pending review after a client-data report": first(Post.hidden_at.is_not(None), Post.hidden_by_id.is_(None)),
        "pinned": first(Post.pinned_at.is_not(None)),
        "withdrawn": first(Post.withdrawn_at.is_not(None)),
        "redacted": first(Post.redacted_at.is_not(None)),
        "edited by its author": first(Post.id.in_(select(PostRevision.post_id).where(
            PostRevision.editor_id == Post.author_id))),
        "edited by a moderator": first(Post.id.in_(moderator_edits)),
        "quoting another post": next(iter(quoting), None),
        "quoting a post that was hidden later": next((post_id for post_id, quoted in quoting.items()
                                                      if quoted in hidden), None),
    }


def quoting_posts() -> dict[int, int]:
    """{id of a post that starts with a quote made by the quote feature: id of the quoted post}."""
    found = {}
    for thread_id, in db.session.execute(select(Post.thread_id).where(Post.body_source.startswith(">")).distinct()):
        posts = db.session.scalars(select(Post).where(Post.thread_id == thread_id).order_by(Post.number)).all()
        for post, earlier in itertools.product(posts, posts):
            if earlier.number < post.number and post.body_source.startswith(quote(earlier).strip()):
                found[post.id] = earlier.id
    return found


# --- the URLs ------------------------------------------------------------------------------------------------

def argument_values() -> dict[str, list]:
    """Real values for every URL argument (by name; `endpoint:argument` for the routes that need their own; a set
    of names for arguments that belong together), covering the states of the demo data, plus one that does not
    exist."""
    def ids(model, *conditions, limit: int = 1) -> list[int]:
        return list(db.session.scalars(select(model.id).where(*conditions).order_by(model.id).limit(limit)))

    long_thread = db.session.scalar(select(Thread.id).order_by(Thread.post_count.desc(), Thread.id).limit(1))
    threads = {
        *ids(Thread, Thread.locked_at.is_not(None)), *ids(Thread, Thread.pinned_at.is_not(None)),
        *ids(Thread, Thread.follow_up_event_id.is_not(None)), *ids(Thread, Thread.event_id.is_not(None)),
        *ids(Thread, Thread.event_id.is_not(None), Thread.post_count == 0),
        *ids(Thread, Thread.idea_id.in_(select(Idea.id).where(Idea.status == "submitted"))),
        *ids(Thread, Thread.idea_id.in_(select(Idea.id).where(Idea.status == "published"))),
        *audited("thread.rename"), *audited("thread.move"), long_thread,
    }
    posts = {*(post_id for post_id in post_states().values() if post_id is not None),
             db.session.scalar(select(Post.id).where(Post.thread_id == long_thread).order_by(Post.number.desc())
                               .limit(1)),
             *ids(Post, Post.thread_id.in_(select(Thread.id).where(Thread.idea_id.in_(
                 select(Idea.id).where(Idea.status == "submitted")))))}
    events = {event_id for event_id in event_states().values() if event_id is not None}
    ideas = {*(ids(Idea, Idea.status == status)[0] for status in IDEA_STATUSES),
             *ids(Idea, Idea.id.in_(select(IdeaRevision.idea_id))), *audited("idea.unlink_event")}
    users = {*(ids(User, User.status == status)[0] for status in ("active", "pending", "suspended", "rejected",
                                                                 "deleted")),
             *ids(User, User.status == "pending", User.email_confirmed_at.is_(None)),
             *ids(User, User.email.in_([email for email in ROLES.values() if email]), limit=len(ROLES))}
    organisations = {*(ids(Organisation, Organisation.kind == kind)[0] for kind in db.session.scalars(
        select(Organisation.kind).distinct())), *audited("organisation.create")}
    boards = {*ids(Board), *audited("board.create"), *db.session.scalars(select(Thread.board_id).where(
        Thread.id.in_(audited("thread.move"))))}
    terms = {*ids(ReferenceTerm, ReferenceTerm.active.is_(True)), *ids(ReferenceTerm, ReferenceTerm.active.is_(False)),
             *audited("reference_term.rename")}
    attachments = [(attachment.event_id, attachment.id) for attachment in db.session.scalars(select(EventAttachment))]

    member = db.session.scalar(select(User).where(User.email == ROLES["member (Jobcenter Dortmund)"]))
    pending = db.session.scalar(select(User).where(User.status == "pending", User.email_confirmed_at.is_(None)))
    feed = create_calendar_feed(member)
    db.session.commit()
    return {
        "post_id": sorted(posts) + [MISSING_ID],
        "thread_id": sorted(threads) + [MISSING_ID],
        "event_id": sorted(events) + [MISSING_ID],
        "idea_id": sorted(ideas) + [MISSING_ID],
        "user_id": sorted(users) + [MISSING_ID],
        "organisation_id": sorted(organisations) + [MISSING_ID],
        "board_id": sorted(boards) + [MISSING_ID],
        "term_id": sorted(terms) + [MISSING_ID],
        "notification_id": ids(Notification) + [MISSING_ID],
        "slug": list(db.session.scalars(select(SitePage.slug).order_by(SitePage.slug))) + ["gibt-es-nicht"],
        "kind": ["topic", "target_group", "partner_type", "unbekannt"],
        "target_type": [*FOLLOW_TARGETS, "unbekannt"],
        "target_id": ids(Thread) + [MISSING_ID],
        # Arguments that only make sense together: {names: [values of all of them]}.
        frozenset({"event_id", "attachment_id"}): [
            {"event_id": event_id, "attachment_id": attachment_id} for event_id, attachment_id in
            [*attachments, (attachments[0][0], MISSING_ID), (max(events), attachments[0][1])]],
        "accounts.confirm_email:token": [make_confirmation_token(pending), "ungueltig"],
        "accounts.reset_password:token": [make_reset_token(member), "ungueltig"],
        "notifications.unsubscribe:token": [make_unsubscribe_token(member), "ungueltig"],
        "announcements.unsubscribe:token": [make_announcement_unsubscribe_token(member), "ungueltig"],
        "announcement_id": [*(ids(Announcement, Announcement.status == status)[0] for status in ("draft", "sent")),
                            MISSING_ID],
        "events.feed:token": [feed.token, "ungueltig"],
        "privacy.download_export:token": [*db.session.scalars(select(DataExport.token).where(
            DataExport.user_id == member.id).order_by(DataExport.id)), "ungueltig"],
        "token": ["ungueltig"],
    }


def audited(action: str) -> list[int]:
    """The target of the first entry of an audit action (that has a target)."""
    return [entry.target_id for entry in audit(action) if entry.target_id is not None][:1]


def route_urls(app, values: dict) -> tuple[list[str], list[str]]:
    """Every GET route's URLs with the values filled in, and the routes for which some argument has none."""
    urls, unfilled = [], []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
            if "GET" not in rule.methods or rule.endpoint == "static":  # static files are not the app's pages
                continue
            arguments = sorted(rule.arguments)
            combinations = values.get(frozenset(arguments)) if len(arguments) > 1 else None
            if combinations is None:
                choices = [values.get(f"{rule.endpoint}:{name}") or values.get(name) for name in arguments]
                if not all(choices):
                    unfilled.append(f"{rule.rule} ({rule.endpoint}): " + ", ".join(
                        name for name, choice in zip(arguments, choices) if not choice))
                    continue
                combinations = _each_with_first(arguments, choices)
            urls += [url_for(rule.endpoint, **combination) for combination in combinations]
    return list(dict.fromkeys(urls)), unfilled


def gate_urls(app, urls: list[str]) -> list[str]:
    """What anonymous visitors are sent to: every URL of the public routes, one URL of each other route (the login
    gate answers before the view reads any id)."""
    adapter, gated = app.url_map.bind("localhost"), set()
    kept = []
    for url in urls:
        endpoint, _arguments = adapter.match(urlsplit(url).path, method="GET")
        if endpoint not in PUBLIC_ENDPOINTS:
            if endpoint in gated:
                continue
            gated.add(endpoint)
        kept.append(url)
    return kept


def _each_with_first(arguments: list[str], choices: list[list]) -> list[dict]:
    """Every value of each argument, with the first value of the others ([{}] for no arguments)."""
    if not arguments:
        return [{}]
    return [{other: (value if other == name else choices[position][0]) for position, other in enumerate(arguments)}
            for index, name in enumerate(arguments) for value in choices[index]]


# --- requesting -----------------------------------------------------------------------------------------------

def client_for(app, client_as, user: User | None, language: str):
    """A client logged in as the user (None: anonymous) in the language."""
    if user is None:
        app.test_client_class = Client
        client = app.test_client()
        with client.session_transaction() as session:
            session["language"] = language
        return client
    user.language = language
    return client_as(user)


class _Links(HTMLParser):
    """The href of every <a> on a page, and the URLs its GET forms (the list filters) submit: as the form stands,
    and with each other choice of a select, radio button or check box and with a word in a search field — the
    first other choice of every field, then the second, …, so that a bound on the number still varies them all."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.hrefs: list[str] = []
        self.form_urls: list[str] = []
        self.form: dict | None = None
        self.select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        elif tag == "form":
            get = (attributes.get("method") or "get").lower() == "get"
            self.form = {"action": attributes.get("action") or urlsplit(self.url).path, "fields": [],
                         "choices": defaultdict(list)} if get else None
        elif tag == "option" and self.select is not None:
            value = attributes.get("value", "")
            self.select["options"].append(value)
            if "selected" in attributes:
                self.select["selected"] = value
        elif self.form is None or not name:
            return
        elif tag == "input":
            kind, value = (attributes.get("type") or "text").lower(), attributes.get("value")
            if kind == "radio" and "checked" in attributes:
                self.form["fields"].append((name, value or "on"))
            elif kind == "radio":
                self.form["choices"][name].append(("replace", value or "on"))
            elif kind == "checkbox" and "checked" in attributes:
                self.form["fields"].append((name, value or "on"))
            elif kind == "checkbox":
                self.form["choices"][(name, value)].append(("add", value or "on"))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.form["fields"].append((name, value or ""))
                if kind in ("text", "search") and not value:
                    self.form["choices"][name].append(("replace", "Jobcenter"))
        elif tag == "select":
            self.select = {"name": name, "options": [], "selected": None}
        elif tag == "textarea":
            self.form["fields"].append((name, ""))

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None and self.form is not None:
            select, self.select = self.select, None
            default = select["selected"] if select["selected"] is not None else next(iter(select["options"]), "")
            self.form["fields"].append((select["name"], default))
            self.form["choices"][select["name"]] += [("replace", value) for value in select["options"]
                                                     if value != default]
        elif tag == "form" and self.form is not None:
            form, self.form = self.form, None
            fields = form["fields"]
            self.form_urls.append(_with_query(form["action"], fields))
            choices = [(key if isinstance(key, str) else key[0], values) for key, values in form["choices"].items()]
            for rank in range(max((len(values) for _name, values in choices), default=0)):
                for name, values in choices:
                    if rank < len(values):
                        how, value = values[rank]
                        changed = ([*fields, (name, value)] if how == "add" else
                                   [(key, value if key == name else old) for key, old in fields])
                        self.form_urls.append(_with_query(form["action"], changed))


ANCHOR = re.compile(r'<a\s[^>]*?href="([^"]*)"')
GET_FORM = re.compile(r'<form\b(?![^>]*method="post")[^>]*>.*?</form>', re.S | re.I)


def links_on(page: str, url: str) -> list[str]:
    """The page's links and the URLs of its GET forms; the HTML parser reads the forms only (a page is mostly
    other markup, and parsing it all cost more than the requests)."""
    parser = _Links(url)
    parser.feed("".join(GET_FORM.findall(page)))
    return [html.unescape(href) for href in ANCHOR.findall(page)] + parser.form_urls


def _with_query(action: str, fields: list[tuple[str, str]]) -> str:
    return f"{action}?{urlencode(fields)}" if fields else action


@dataclass
class Crawler:
    """Requests pages, follows their links and keeps what went wrong."""

    app: Flask
    errors: list[str] = field(default_factory=list)  # 5xx and exceptions, with a short traceback
    wrong_language: list[str] = field(default_factory=list)
    requested: set[str] = field(default_factory=set)  # the rules requested
    statuses: Counter = field(default_factory=Counter)  # (role, language, 2 | 3 | 4 | 5): number of responses
    answered: dict = field(default_factory=dict)  # (role, url): 2 | 3 | 4 | 5, in the first language

    def worth_translating(self, urls: list[str], role: str) -> list[str]:
        """The URLs to request in another language: the pages the role was shown and the first redirect and
        client error of each route (a redirect or a "not found" reads the same in every state)."""
        chosen, refusals = [], set()
        for url in urls:
            status = self.answered.get((role, url), 2)
            rule = _rule_of(self.app, url)
            if status in (3, 4):
                if (rule, status) in refusals:
                    continue
                refusals.add((rule, status))
            chosen.append(url)
        return chosen

    def crawl(self, client, urls: list[str], role: str, language: str) -> list[str]:
        """Request the URLs, then follow the links (and filter forms) on the HTML pages into the app, each URL
        once and at most LINKS_PER_ENDPOINT new ones per endpoint; returns every URL requested, in order."""
        adapter = self.app.url_map.bind("localhost")
        queue = list(urls)
        seen = set(queue)
        followed = Counter()
        visited = []
        while queue:
            url = queue.pop(0)
            visited.append(url)
            page = self.fetch(client, url, role, language)
            if page is None:
                continue
            for href in links_on(page, url):
                link = _internal(href)
                if link is None or link in seen:
                    continue
                endpoint = _endpoint(adapter, link)
                if endpoint is None or endpoint == "static" or followed[endpoint] >= LINKS_PER_ENDPOINT:
                    continue
                followed[endpoint] += 1
                seen.add(link)
                queue.append(link)
        return visited

    def fetch(self, client, url: str, role: str, language: str) -> str | None:
        """GET the URL; returns the page's HTML (None for other content and errors)."""
        rule = _rule_of(self.app, url)
        if rule is not None:
            self.requested.add(rule)
        try:
            response = client.get(url)
        except Exception as error:  # noqa: BLE001 - every exception is reported, after the whole crawl
            db.session.rollback()
            frames = [frame for frame in traceback.extract_tb(error.__traceback__)
                      if "/forum/" in frame.filename or "/templates/" in frame.filename]
            where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
            self.errors.append(f"  {url} as {role} ({language}): {type(error).__name__}: {error}{where}")
            self.statuses[(role, language, 5)] += 1
            return None
        with response:  # files are streamed: closing the response closes them
            self.statuses[(role, language, response.status_code // 100)] += 1
            self.answered.setdefault((role, url), response.status_code // 100)
            if response.status_code >= 500:
                self.errors.append(f"  {url} as {role} ({language}): HTTP {response.status_code}")
            if not response.content_type.startswith("text/html"):
                return None
            page = response.get_data(as_text=True)
        shown = re.search(r'<html lang="([^"]*)"', page)
        if shown and shown.group(1) != language:
            self.wrong_language.append(f"  {url} as {role}: {shown.group(1)} instead of {language}")
        return page


def _rule_of(app, url: str) -> str | None:
    try:
        rule, _arguments = app.url_map.bind("localhost").match(urlsplit(url).path, method="GET", return_rule=True)
    except HTTPException:
        return None
    return rule.rule


def _internal(href: str) -> str | None:
    """The path and query of a link into the app, or None for other sites, mail links and anchors."""
    href = urldefrag(href.replace("&amp;", "&"))[0]
    parts = urlsplit(href)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "localhost"):
        return None
    if not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _endpoint(adapter, url: str) -> str | None:
    try:
        endpoint, _arguments = adapter.match(urlsplit(url).path, method="GET")
    except RequestRedirect:
        return None
    except HTTPException:
        return None
    return endpoint
