"""Fuzz every form: each POST route of the app, posted as a role that may use it, with hostile values — NUL and
other control characters, 100 KB strings, 30-digit and negative numbers, unknown choices, RTL overrides, malformed
dates, XSS strings, empty values — must never answer 5xx, and a rejected form must keep what was typed. Also: ids
beyond the database's integer range in every path, hostile `page=` values on every page, hostile values in every
GET filter form, and random text (Hypothesis) in the most used text fields.

The fields are read from the page that shows the form (its <form> elements). SPECS says for each POST endpoint
which role uses it, which objects it needs and on which page its form is; a POST route without a row fails the
test, so a new form is fuzzed from the day it is added. Each request gets fresh objects (and forms that end or
change the session a fresh user), so one accepted submission (a report, a suspension, a vote) does not hide the
next value's outcome. Every form is first sent with valid values, which must be accepted: otherwise the hostile
values would never get past validation to the services and the database.
"""
from __future__ import annotations

import io
import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Callable
from urllib.parse import urlencode, urlsplit

import pyotp
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from werkzeug.datastructures import MultiDict

from forum.accounts import second_factor, services as accounts
from forum.accounts.sessions import start_session
from forum.clock import utcnow
from forum.announcements import services as announcements
from forum.feedback.services import submit_barrier_report
from forum.events import attachments, attendance, calendar, reports as event_reports, services as events
from forum.events.models import Event, EventRegistration
from forum.extensions import db
from forum.ideas import services as ideas
from forum.ideas.sections import split_description
from forum.moderation import reports, services as moderation
from forum.moderation.models import REASONS
from forum.notifications import following, mailing
from tests.factories import (IDEA_DESCRIPTION, PASSWORD, TOTP_SECRET, make_board, make_event, make_idea,
                             make_notification, make_organisation, make_post, make_term, make_thread, make_user)
from tests.helpers import Client

NEW_PASSWORD = "Wolkenkratzer-Tulpe-Fahrrad-97"
HOSTILE_LENGTH = 1000  # longer submitted values need not come back in the re-rendered form
THIRTY_DIGITS = "1" * 30
XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
HUGE = "Wort " * 20_000  # 100 KB
C0 = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
ERROR_MARK = re.compile(r'class="kern-error"|error-summary')  # how a re-rendered form marks what is wrong

# (label, value) per kind of field; the first ones are those most likely to be accepted and so reach the database.
TEXT_VALUES = [
    ("NUL und Steuerzeichen", "Text mit\x00NUL\x00, Glocke\x07, Escape\x1b[31m und Rückschritt\x08\x7f"),
    ("RTL-Override", "Erika \u202eretsuM\u202c Beispiel"),
    ("Pfad mit Tab und Zeilenumbruch", "/\t/fremd.example/\nweiter"),  # browsers drop both from addresses
    ("XSS", XSS),
    ("100 KB", HUGE),
    ("30 Ziffern", THIRTY_DIGITS),
    ("leer", ""),
]
NUMBER_VALUES = [("30 Ziffern", THIRTY_DIGITS), ("2**31", str(2**31)), ("negativ", "-5"), ("-2**63", str(-2**63)),
                 ("Text", "zwölf"), ("hochgestellt", "²"), ("NUL", "1\x002"), ("leer", "")]
DATE_VALUES = [("31. Februar", "31.02.2026"), ("Monat 13", "2026-13-45"), ("Jahr 99999", "99999-01-01"),
               ("Jahr 1", "0001-01-01"), ("30 Ziffern", THIRTY_DIGITS), ("NUL", "2030-06-\x0016"), ("leer", "")]
TIME_VALUES = [("25:61", "25:61"), ("24:00", "24:00"), ("30 Ziffern", THIRTY_DIGITS), ("NUL", "10:\x0030"),
               ("leer", "")]
CHOICE_VALUES = [("unbekannt", "gibt-es-nicht"), ("30 Ziffern", THIRTY_DIGITS), ("2**63", str(2**63)),
                 ("negativ", "-1"), ("hochgestellt", "²"), ("NUL", "\x00"), ("XSS", XSS), ("leer", "")]
WORD_CHOICES = {"unbekannt", "NUL", "XSS", "leer"}  # for choices that are words: the values that differ for them
NUMBER = re.compile(r"-?\d+")
CHECK_VALUES = [("NUL", "\x00"), ("30 Ziffern", THIRTY_DIGITS), ("XSS", XSS)]
# 73 and 128 characters: beyond what the strength checker reads (72), within what is allowed (128).
PASSWORD_VALUES = [("NUL", NEW_PASSWORD + "\x00x"), ("73 Zeichen", "Wolke-" * 12 + "T"),
                   ("128 Zeichen", "Tulpe-Ampel-" * 10 + "Fahrrad!"), ("100 KB", HUGE), ("leer", "")]
FILE_VALUES = [("NUL im Namen", "da\x00tei.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
               ("RTL im Namen", "rechnung\u202efdp.exe", b"%PDF-1.4\n"),
               ("100 KB Name", "x" * 100_000 + ".pdf", b"%PDF-1.4\n"),
               ("NUL im Inhalt", "datei.csv", b"name;kind\x00;land\n\x00\x00;;\n"),
               ("Binärdaten", "datei.csv", bytes(range(256)) * 4),
               ("3 Spalten", "kurz.csv", b"name;kind;land;jobcenter_type;email_domains\nJobcenter Kurz;NW;gE\n"),
               ("leer", "leer.pdf", b"")]
VALUES = {"text": TEXT_VALUES, "number": NUMBER_VALUES, "date": DATE_VALUES, "time": TIME_VALUES,
          "select": CHOICE_VALUES, "radio": CHOICE_VALUES, "checkbox": CHECK_VALUES, "password": PASSWORD_VALUES}
TEXT_KINDS = {"text", "textarea", "search", "email", "url", "hidden", "tel"}
KEPT_KINDS = TEXT_KINDS - {"hidden"} | {"number", "date", "time"}  # what people type (hidden: the page's own)

# --- reading forms from HTML --------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # the input type, "textarea" or "select"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    multiple: bool = False
    required: bool = False

    @property
    def values(self) -> list[tuple[str, object]]:
        kind = "text" if self.kind in TEXT_KINDS else self.kind
        choices = CHOICE_VALUES
        if self.kind in ("select", "radio") or self.multiple:
            if not any(NUMBER.fullmatch(option) for option in self.options):  # numbers would only be unknown words
                choices = [(label, value) for label, value in CHOICE_VALUES if label in WORD_CHOICES]
        if self.multiple:  # checkbox groups and multiple selects: a list of choices
            return [(label, [value]) for label, value in choices] + [("alle und mehr", self.options + ["-1"])]
        if self.kind in ("select", "radio"):
            return choices
        if self.kind == "hidden":  # often a return address: a tab alone must not make it lead elsewhere
            return TEXT_VALUES + [("Pfad mit Tab", "/\t/fremd.example/")]
        return VALUES.get(kind, TEXT_VALUES)


@dataclass
class HtmlForm:
    method: str
    action: str
    fields: dict[str, Field] = field(default_factory=dict)


class FormParser(HTMLParser):
    """Every <form> of a page with its inputs, selects and textareas (values as the browser would send them)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value if value is not None else "" for key, value in attrs}
        if tag == "form":
            self._form = HtmlForm(attrs.get("method", "get").lower(), attrs.get("action", ""))
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            known = self._form.fields.get(name)
            if kind in ("checkbox", "radio"):
                value = attrs.get("value", "on")
                if known is None:
                    known = self._form.fields[name] = Field(name, kind)
                else:
                    known.multiple = kind == "checkbox"
                known.options.append(value)
                if "checked" in attrs:
                    known.checked.append(value)
            else:
                self._form.fields[name] = Field(name, kind, attrs.get("value", ""), required="required" in attrs)
        elif tag == "select" and name:
            self._select = self._form.fields[name] = Field(name, "select", multiple="multiple" in attrs)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select.options.append(value)
            if "selected" in attrs:
                self._select.checked.append(value)
        elif tag == "textarea" and name:
            self._textarea = self._form.fields[name] = Field(name, "textarea", required="required" in attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The HTML parser drops no newline; browsers drop the first one after <textarea>.
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None


FORM = re.compile(r"<form\b.*?</form>", re.S | re.I)


def forms_of(html: str) -> list[HtmlForm]:
    """The page's forms; the parser reads only them (parsing whole pages cost more than many requests)."""
    parser = FormParser()
    parser.feed("".join(FORM.findall(html)))
    return parser.forms


def form_for(html: str, path: str, method: str = "post") -> HtmlForm | None:
    """The first form on the page that sends to `path` (ignoring the query string)."""
    for form in forms_of(html):
        if form.method == method and urlsplit(form.action or path).path == path:
            return form
    return None


_counter = itertools.count(1)


def valid_value(f: Field):
    """What a careful user would send for the field: the page's value, else something plausible."""
    if f.kind in ("checkbox", "radio") or f.kind == "select":
        if f.multiple:
            return f.checked or f.options[:1]
        if f.kind == "checkbox":
            return f.options[0]
        usable = [o for o in f.checked + f.options if o not in ("", "0")]
        return usable[0] if usable else (f.options[0] if f.options else "")
    if f.value.strip() or not f.required:
        return f.value
    number = next(_counter)
    return {"email": f"fuzz{number}@jobcenter-fuzz.example", "password": PASSWORD, "date": "2030-06-16",
            "time": "10:00", "number": "20", "url": "https://meet.example.de/raum",
            "textarea": f"Ein sachlicher Text ohne Besonderheiten, Nummer {number}."}.get(
        f.kind, f"Fuzz-Eintrag {number}")


def normalise(text: str) -> str:
    """What is left of a value once the app has cleaned it: no control or bidi characters, single spaces."""
    return " ".join(BIDI.sub("", C0.sub("", text)).split())


# --- what each form needs -----------------------------------------------------------------------------------


@dataclass
class Target:
    args: dict  # the route's arguments (and those of the host page)
    values: dict = field(default_factory=dict)  # valid values the page cannot know (passwords, a passage)
    host_query: dict = field(default_factory=dict)


@dataclass
class Spec:
    role: str  # anonymous, member, organiser, moderator, admin
    setup: Callable[..., Target] = lambda actor, **_: Target({})
    host: str | None = None  # the endpoint of the page showing the form; None: the route itself (GET)
    files: dict = field(default_factory=dict)  # name → (filename, bytes) of a valid upload
    fresh_actor: bool = False  # a new user for every request (the form ends or changes the session)
    own_page: bool = False  # the valid values come from each target's own page (edit forms with unique names)


def _pending_user():
    return make_user(status="pending", confirmed=True)


def _reported_post():
    post = make_post()
    reports.report_post(post, reporter=make_user(), reason=next(iter(REASONS)), note="Bitte prüfen.")
    return post


def _moderated(action: str):
    """A post on which a moderator already did `action` (pin_post, hide_post)."""

    def setup(actor, **_):
        post = make_post()
        if action == "hide_post":
            moderation.hide_post(post, actor=actor, reason=next(iter(REASONS)))
        else:
            getattr(moderation, action)(post, actor=actor)
        return Target({"post_id": post.id, "thread_id": post.thread_id})
    return setup


def _thread_after(action: str | None):
    """A thread with a post, on which a moderator already did `action` (pin_thread, lock_thread)."""

    def setup(actor, **_):
        thread = make_thread()
        make_post(thread=thread)
        if action == "lock_thread":
            moderation.lock_thread(thread, actor=actor, reason="Erledigt.")
        elif action:
            getattr(moderation, action)(thread, actor=actor)
        return Target({"thread_id": thread.id})
    return setup


def _own_post(actor, **_):
    post = make_post(author=actor)
    return Target({"post_id": post.id, "thread_id": post.thread_id})


def _others_post(actor, **_):
    post = make_post()
    return Target({"post_id": post.id, "thread_id": post.thread_id})


def _attachment(actor, **_):
    event = make_event()
    attachment = attachments.add_attachment(event, filename="folien.pdf", stream=io.BytesIO(b"%PDF-1.4\n"),
                                            actor=actor)
    return Target({"event_id": event.id, "attachment_id": attachment.id})


def _registered(actor, **_):
    event = make_event()
    events.register(actor, event)
    return Target({"event_id": event.id})


def _registered_by_other(actor, **_):
    return _registered(make_user())


def _follow_up(actor, **_):
    event = make_event()
    return Target({"event_id": event.id, "thread_id": make_thread(follow_up_of=event).id})


def _past_event_with_registrations(actor, **_):
    """An event that took place yesterday, with two registered people and a walk-in."""
    event = make_event(starts_in=-timedelta(days=1))
    for person in (make_user(), make_user()):
        db.session.add(EventRegistration(event_id=event.id, user_id=person.id, status="registered"))
    walk_in = attendance.add_walk_in(event, "Gast", organisation=None, organisation_name="Verein", actor=actor)
    return Target({"event_id": event.id, "walk_in_id": walk_in.id})


def _published_report(actor, **_):
    """A held event whose closing report is published (the form to take it back to a draft shows)."""
    target = _past_event_with_registrations(actor)
    event = db.session.get(Event, target.args["event_id"])
    event_reports.save_report(event, event_reports.ReportData("Zusammenfassung.", "", ""), publish=True, actor=actor)
    return target


def _idea_of_other(actor, **_):
    return Target({"idea_id": make_idea().id})


def _voted(actor, withdraw=False, **_):
    idea = make_idea()
    if withdraw:
        ideas.vote(idea, actor)
    return Target({"idea_id": idea.id})


def _adopted(actor, **_):
    idea = make_idea()
    ideas.adopt_idea(idea, user=actor)
    return Target({"idea_id": idea.id, "organisation_id": actor.organisation_id})


def _linked_event(actor, **_):
    idea, event = make_idea(), make_event()
    ideas.link_event(idea, event, actor=actor)
    return Target({"idea_id": idea.id, "event_id": event.id})


def _linkable_event(actor, **_):
    make_event(starts_in=-timedelta(days=10), status="done")
    return Target({"idea_id": make_idea().id})


def _term(actor, active=False, **_):
    make_term()
    return Target({"term_id": make_term(active=not active).id})


def _suspended(actor, **_):
    person = make_user()
    accounts.suspend_user(person, actor=actor, reason="Test.", until=None)
    return Target({"user_id": person.id}, host_query={"q": person.email})


def _notification(actor, **_):
    return Target({"notification_id": make_notification(user=actor).id})


def _something_new(actor, **_):
    make_post()  # a reply by someone else: /neu shows the button
    return Target({})


def _followed(actor, **_):
    thread = make_thread()
    make_post(thread=thread)
    following.follow(actor, thread)
    return Target({"target_type": "thread", "target_id": thread.id, "thread_id": thread.id})


def _token(kind: str):
    def setup(actor, **_):
        if kind == "confirm":
            user = make_user(status="pending", confirmed=False)
            return Target({"token": accounts.make_confirmation_token(user)}, values={"password": PASSWORD})
        user = make_user()
        if kind == "reset":
            return Target({"token": accounts.make_reset_token(user)},
                          values={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
        return Target({"token": mailing.make_unsubscribe_token(user)})
    return setup


def _announcement_draft(actor, **_):
    draft = announcements.create_announcement(announcements.AnnouncementData(
        subject="Hinweis zur Anreise", body="Bitte planen Sie mehr Zeit ein.", segment="all"), actor=actor)
    return Target({"announcement_id": draft.id})


def _calendar_feed(actor, **_):
    calendar.create_calendar_feed(actor)
    return Target({})


def _new_event_values(actor, **_):
    return Target({}, values={"start_date": "2030-06-16", "start_time": "10:00", "end_time": "16:00",
                              "location": "Servicestelle SGB II, Berlin", "capacity": "20"})


def _current_code() -> str:
    """A code of TOTP_SECRET: the factories' staff secret, and the set-up page's secret in the fuzz run."""
    return pyotp.TOTP(TOTP_SECRET).now()


def _with_second_factor(actor, **_):
    actor.totp_secret, actor.second_factor_at = TOTP_SECRET, utcnow()
    return Target({}, values={"off-proof": PASSWORD})


def _other_session(actor, **_):
    key = actor.session_key
    row = start_session(actor, remember=False, user_agent="Firefox/133.0")
    actor.session_key = key
    return Target({"session_id": row.id})


def _login(actor, **_):
    return Target({}, values={"email": make_user().email, "password": PASSWORD})


def _existing_email(actor, **_):
    return Target({}, values={"email": make_user().email})


def _redact_thread(actor, **_):
    thread = make_thread(title="Fall Frau Beispiel 0231 987654 besprechen")
    make_post(thread=thread)
    return Target({"thread_id": thread.id}, values={"passage": "0231 987654"})


def _redact_idea(actor, **_):
    idea = make_idea(summary="Kontakt über Frau Beispiel 0231 987654, sie kennt den Fall.")
    return Target({"idea_id": idea.id}, values={"passage": "0231 987654"})


def _redact(actor, **_):
    post = make_post(body="Bitte rufen Sie Frau Beispiel unter 0231 987654 an, sie kennt den Fall.")
    return Target({"post_id": post.id}, values={"passage": "0231 987654"})


NEW_PASSWORDS = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
SPECS: dict[str, Spec] = {
    "accounts.login": Spec("anonymous", _login),
    "accounts.logout": Spec("member", host="main.dashboard", fresh_actor=True),
    "accounts.change_password": Spec("member", lambda actor, **_: Target(
        {}, values={"current_password": PASSWORD, **NEW_PASSWORDS}), fresh_actor=True),
    "accounts.forgot_password": Spec("anonymous", _existing_email),
    "accounts.reset_password": Spec("anonymous", _token("reset")),
    "accounts.confirm_email": Spec("anonymous", _token("confirm")),
    "accounts.profile": Spec("member"),
    "accounts.register": Spec("anonymous", lambda actor, **_: Target({}, values=NEW_PASSWORDS)),
    "admin.edit_user": Spec("admin", lambda actor, **_: Target({"user_id": make_user().id})),
    "admin.reset_second_factor": Spec("admin", lambda actor, **_: Target(
        {"user_id": make_user(second_factor=True).id}, values={"reason": "Telefon verloren."}), host="admin.edit_user"),
    "accounts.login_code": Spec("password_given", lambda actor, **_: Target({}, values={"code": _current_code()}),
                                fresh_actor=True),
    "accounts.second_factor_setup": Spec("member", lambda actor, **_: Target({}, values={"code": _current_code()}),
                                         fresh_actor=True),
    "accounts.renew_recovery_codes": Spec("moderator", lambda actor, **_: Target({}, values={"codes-proof": PASSWORD}),
                                          host="accounts.second_factor_page", fresh_actor=True),
    "accounts.second_factor_off": Spec("member", _with_second_factor, host="accounts.second_factor_page",
                                       fresh_actor=True),
    "accounts.end_session": Spec("member", _other_session, host="accounts.sessions_page"),
    "accounts.end_other_sessions": Spec("member", _other_session, host="accounts.sessions_page"),
    "privacy.request_data_export": Spec("member", host="accounts.profile", fresh_actor=True),
    "privacy.delete_own_account": Spec("member", lambda actor, **_: Target({}, values={"password": PASSWORD}),
                                       fresh_actor=True),
    "privacy.delete_user_account": Spec("admin", lambda actor, **_: Target({"user_id": make_user().id})),
    "discussion.reply": Spec("member", lambda actor, **_: Target({"thread_id": make_post().thread_id})),
    "discussion.edit_board": Spec("admin", lambda actor, **_: Target({"board_id": make_board().id}), own_page=True),
    "discussion.move_board": Spec("admin", lambda actor, **_: Target({"board_id": make_board().id}),
                                  host="discussion.manage_boards"),
    "discussion.new_thread": Spec("member", lambda actor, **_: Target({"board_id": make_board().id})),
    "discussion.manage_boards": Spec("admin"),
    "discussion.edit_post": Spec("member", _own_post),
    "discussion.withdraw_post": Spec("member", _own_post),
    "events.upload_attachment": Spec("organiser", lambda actor, **_: Target({"event_id": make_event().id}),
                                     host="events.documentation", files={"file": ("folien.pdf", b"%PDF-1.4\n")}),
    "events.delete_attachment": Spec("organiser", _attachment, host="events.documentation"),
    "events.cancel": Spec("organiser", lambda actor, **_: Target({"event_id": make_event().id})),
    "events.complete": Spec("organiser", lambda actor, **_: Target(
        {"event_id": make_event(starts_in=-timedelta(days=2)).id}), host="events.show"),
    "events.documentation": Spec("organiser", lambda actor, **_: Target({"event_id": make_event().id})),
    "events.edit": Spec("organiser", lambda actor, **_: Target({"event_id": make_event().id})),
    "events.unlink_follow_up": Spec("organiser", _follow_up, host="events.follow_ups"),
    "events.link_follow_up": Spec("organiser", lambda actor, **_: Target(
        {"event_id": make_event().id}, values={"thread": str(make_thread().id)}), host="events.follow_ups"),
    "events.start_follow_up": Spec("organiser", lambda actor, **_: Target({"event_id": make_event().id}),
                                   host="events.follow_ups"),
    "events.register": Spec("member", lambda actor, **_: Target({"event_id": make_event().id}), host="events.show"),
    "events.unregister": Spec("member", _registered),  # the confirmation page holds the form
    "events.participants_csv": Spec("organiser", _registered_by_other, host="events.participants"),
    "events.documentation_pack_pdf": Spec("organiser", lambda actor, **_: Target(
        {"event_id": make_event(status="done", starts_in=-timedelta(days=3)).id}), host="events.documentation_pack"),
    "events.period_pack_pdf": Spec("organiser", lambda actor, **_: Target(
        {}, host_query={"first": "2025-01-01", "last": "2025-03-31"}), host="events.period_pack"),
    "events.calendar_feed": Spec("member"),
    "events.revoke_calendar_feed": Spec("member", _calendar_feed, host="events.calendar_feed"),
    "events.create": Spec("organiser", _new_event_values),
    "events.attendance_page": Spec("organiser", _past_event_with_registrations, own_page=True),
    "events.add_walk_in": Spec("organiser", _past_event_with_registrations, host="events.attendance_page"),
    "events.remove_walk_in": Spec("organiser", _past_event_with_registrations, host="events.attendance_page"),
    "events.report": Spec("organiser", _past_event_with_registrations),
    "events.report_to_draft": Spec("organiser", _published_report, host="events.report"),
    "events.copy": Spec("organiser", lambda actor, **_: Target({"event_id": make_event().id}, values={
        "start_date": "2030-06-16", "start_time": "10:00", "end_time": "16:00"})),
    "ideas.adopt": Spec("member", _idea_of_other, host="ideas.show"),
    "ideas.withdraw_adoption": Spec("member", _adopted, host="ideas.show"),
    "ideas.edit": Spec("member", lambda actor, **_: Target({"idea_id": make_idea(author=actor).id})),
    "ideas.link_event": Spec("organiser", _linkable_event, host="ideas.show"),
    "ideas.unlink_event": Spec("organiser", _linked_event, host="ideas.show"),
    "ideas.set_status": Spec("moderator", _idea_of_other, host="ideas.show"),
    "ideas.vote": Spec("member", _voted, host="ideas.show"),
    "ideas.submit": Spec("member", lambda actor, **_: Target({}, values=split_description(IDEA_DESCRIPTION))),
    "ideas.add_term": Spec("admin", lambda actor, **_: Target({"kind": "topic"}), host="ideas.reference_lists"),
    "ideas.set_term_active": Spec("admin", _term, host="ideas.reference_lists"),
    "ideas.move_term": Spec("admin", _term, host="ideas.reference_lists"),
    "ideas.rename_term": Spec("admin", _term, own_page=True),
    "main.set_language": Spec("member", host="main.dashboard"),
    "main.mark_all_read": Spec("member", _something_new, host="main.whats_new"),
    "moderation.export_audit_log": Spec("moderator", host="moderation.audit_log"),
    "statistics.export_csv": Spec("organiser", host="statistics.index"),
    "statistics.export_xlsx": Spec("moderator", host="statistics.index"),
    "moderation.hide_post": Spec("moderator", _others_post),
    "moderation.pin_post": Spec("moderator", _others_post, host="discussion.show"),
    "moderation.unpin_post": Spec("moderator", _moderated("pin_post"), host="discussion.show"),
    "moderation.unhide_post": Spec("moderator", _moderated("hide_post"), host="discussion.show"),
    "moderation.redact_post": Spec("moderator", _redact),
    "moderation.redact_thread": Spec("moderator", _redact_thread),
    "moderation.redact_idea": Spec("moderator", _redact_idea),
    "moderation.report_post": Spec("member", _others_post),
    "moderation.approve_registration": Spec("moderator", lambda actor, **_: Target(
        {"user_id": _pending_user().id}), host="moderation.registrations"),
    "moderation.reject_registration": Spec("moderator", lambda actor, **_: Target({"user_id": _pending_user().id})),
    "moderation.resolve_case": Spec("moderator", lambda actor, **_: Target({"post_id": _reported_post().id}),
                                    host="moderation.case"),
    "moderation.lock_thread": Spec("moderator", _thread_after(None)),
    "moderation.move_thread": Spec("moderator", _thread_after(None)),
    "moderation.rename_thread": Spec("moderator", _thread_after(None)),
    "moderation.pin_thread": Spec("moderator", _thread_after(None), host="discussion.show"),
    "moderation.unpin_thread": Spec("moderator", _thread_after("pin_thread"), host="discussion.show"),
    "moderation.unlock_thread": Spec("moderator", _thread_after("lock_thread"), host="discussion.show"),
    "moderation.reactivate_user": Spec("moderator", _suspended, host="moderation.users"),
    "moderation.suspend_user": Spec("moderator", lambda actor, **_: Target({"user_id": make_user().id})),
    "notifications.read": Spec("member", _notification, host="notifications.index"),
    "notifications.read_all": Spec("member", _notification, host="notifications.index"),
    "notifications.follow": Spec("member", lambda actor, **_: Target(
        {"target_type": "thread", "target_id": (thread := make_post().thread).id, "thread_id": thread.id}),
        host="discussion.show"),
    "notifications.unfollow": Spec("member", _followed, host="discussion.show"),
    "notifications.unsubscribe": Spec("anonymous", _token("unsubscribe")),
    "announcements.new": Spec("moderator"),
    "announcements.edit": Spec("moderator", _announcement_draft),
    "announcements.test_mail": Spec("moderator", _announcement_draft, host="announcements.show"),
    "announcements.send": Spec("moderator", _announcement_draft),
    "announcements.unsubscribe": Spec("anonymous", lambda actor, **_: Target(
        {"token": announcements.make_unsubscribe_token(make_user())})),
    "organisations.create": Spec("admin"),
    "organisations.edit": Spec("admin", lambda actor, **_: Target({"organisation_id": make_organisation().id}),
                               own_page=True),
    "organisations.import_csv": Spec("admin", files={"file": (
        "organisationen.csv", "name;kind;land;jobcenter_type;email_domains\n"
                              "Jobcenter Fuzzstadt;jobcenter;NW;gE;jobcenter-fuzzstadt.example\n".encode())}),
    "pages.edit": Spec("admin", lambda actor, **_: Target({"slug": "impressum"})),
    "feedback.report": Spec("anonymous"),
    "feedback.set_status": Spec("admin", lambda actor, **_: Target({"report_id": submit_barrier_report(
        description="Kontrast zu gering").id}), host="feedback.manage"),
}


# --- sending ------------------------------------------------------------------------------------------------


@dataclass
class Fuzzer:
    """Sends the requests, counts them, and collects what went wrong (route, field, value, answer)."""

    app: object
    client_as: Callable
    anonymous: Callable
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    rejected: int = 0  # rejected submissions whose re-rendered form was checked for the input

    def send(self, client, method: str, path: str, what: str, **kwargs):
        self.requests += 1
        try:
            response = client.open(path, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 - the app raised: that is a 500 for the user
            db.session.rollback()
            self.failures.append(f"{method} {path} {what}: {type(error).__name__}: {str(error)[:300]}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{method} {path} {what}: {response.status_code}")
        # Browsers drop tabs and line breaks from addresses: what is left must not lead to another site.
        location = urlsplit(re.sub(r"[\t\n\r]", "", response.headers.get("Location", "")))
        if location.netloc not in ("", "localhost"):
            self.failures.append(f"{method} {path} {what}: redirects to {response.headers['Location']!r}")
        return response

    def actor(self, role: str):
        """A fresh user of the role and a client logged in as them (None and a new client when anonymous)."""
        if role == "anonymous":
            return None, self.anonymous()
        if role == "password_given":  # between the password and the code of the second factor
            user, client = make_user(second_factor=True), self.anonymous()
            db.session.commit()
            client.post("/accounts/login", data={"email": user.email, "password": PASSWORD})
            return user, client
        user = make_user(role=role)
        return user, self.client_as(user)

    def build(self, endpoint: str, args: dict, query: dict | None = None, defaults: dict | None = None) -> str:
        """The path of an endpoint with the arguments its rule takes (the rule with these defaults, if given)."""
        rule = next(self.app.url_map.iter_rules(endpoint))
        values = {key: value for key, value in args.items() if key in rule.arguments}
        path = self.app.url_map.bind("localhost").build(endpoint, {**(defaults or {}), **values})
        return f"{path}?{urlencode(query)}" if query else path

    def prepare(self, rule, spec: Spec, actor=None):
        """Fresh objects for one request: (actor, client, the path to post to, the target). The actor is made once
        per form unless the spec asks for a new one each time (forms that end or change the session)."""
        if actor is None or spec.fresh_actor:
            actor = self.actor(spec.role)
        user, client = actor
        if user is None:
            client = self.anonymous()
        target = spec.setup(user, **(rule.defaults or {}))
        db.session.commit()
        return actor, client, self.build(rule.endpoint, target.args, defaults=rule.defaults), target


def submission(form: HtmlForm, values: dict, files: dict, changed: str | None = None, value=None) -> MultiDict:
    """The valid submission of the form (one field replaced by a hostile value); a field X_confirm follows X."""
    data = MultiDict()
    for f in form.fields.values():
        if f.name == "csrf_token" or f.kind == "file":
            continue
        chosen = values.get(f.name, valid_value(f))
        if changed is not None and (f.name == changed or f.name == f"{changed}_confirm"):
            chosen = value
        if chosen is None:
            continue
        for item in chosen if isinstance(chosen, list) else [chosen]:
            data.add(f.name, item)
    for name, (filename, content) in files.items():
        data.add(name, (io.BytesIO(content), filename))
    return data


def check_kept(fuzzer: Fuzzer, response, path: str, sent: MultiDict, form: HtmlForm, what: str) -> None:
    """A rejected form (re-rendered with an error) shows every text the user sent, cleaned but not lost."""
    if response is None or response.status_code not in (200, 400, 409, 422) or response.mimetype != "text/html":
        return  # a download (a PDF) is no re-rendered form
    html = response.get_data(as_text=True)
    if not ERROR_MARK.search(html):
        return
    shown = form_for(html, path)
    fuzzer.rejected += 1
    if shown is None:
        fuzzer.lost.append(f"POST {path} {what}: rejected, but the form is not shown again")
        return
    for name, f in form.fields.items():
        if f.kind not in KEPT_KINDS or name == "csrf_token" or name not in sent or name not in shown.fields:
            continue
        typed = sent.get(name)
        if not isinstance(typed, str) or len(typed) > HOSTILE_LENGTH:
            continue
        kept = shown.fields[name].value
        if normalise(kept) != normalise(typed):
            fuzzer.lost.append(f"POST {path} {what}: field {name!r} sent {typed[:60]!r}, shown {kept[:60]!r}")


def fuzz_form(fuzzer: Fuzzer, rule, spec: Spec) -> int:
    """Post the form once valid and once per field × hostile value; returns the number of fields."""
    actor, client, path, target = fuzzer.prepare(rule, spec)
    form = discover(fuzzer, rule, spec, client, path, target)
    if form is None:
        return 0
    files = {name: spec.files.get(name, ("datei.pdf", b"%PDF-1.4\n")) for name, f in form.fields.items()
             if f.kind == "file"}

    def post(name: str | None, label: str, value, file_value=None):
        _actor, client, path, target = fuzzer.prepare(rule, spec, actor)
        shown = discover(fuzzer, rule, spec, client, path, target) if spec.own_page else form
        uploads = dict(files)
        if file_value is not None:
            uploads[name] = file_value
        data = submission(shown or form, target.values, uploads, None if file_value else name, value)
        what = f"field {name!r} = {label}" if name else "(valid values)"
        response = fuzzer.send(client, "POST", path, what, data=data,
                               content_type="multipart/form-data" if uploads else None)
        if name is not None and response is not None:
            check_kept(fuzzer, response, path, data, form, what)
        return response

    # The valid submission must be accepted, or the hostile values would never get past validation.
    baseline = post(None, "", None)
    if baseline is not None and (baseline.status_code not in (200, 302, 303) or
                                 ERROR_MARK.search(baseline.get_data().decode("utf-8", "replace"))):
        errors = re.findall(r'class="kern-error"[^>]*>.*?<span>(.*?)</span>', baseline.get_data(as_text=True), re.S)
        fuzzer.failures.append(f"POST {rule.rule} with valid values: {baseline.status_code} {errors}")
    fields = [f for f in form.fields.values() if f.name != "csrf_token" and not f.name.endswith("_confirm")]
    for f in fields:
        if f.kind == "file":
            for label, filename, content in FILE_VALUES:
                post(f.name, label, None, (filename, content))
            continue
        for label, value in f.values:
            post(f.name, label, value)
    if not fields:  # a button: also an unexpected field with a NUL
        for label, value in TEXT_VALUES[:2]:
            post("unerwartet", label, value)
    return len(fields)


def discover(fuzzer: Fuzzer, rule, spec: Spec, client, path: str, target: Target) -> HtmlForm | None:
    """The form as the page that shows it has it."""
    host_path = fuzzer.build(spec.host, target.args, target.host_query) if spec.host else path
    page = fuzzer.send(client, "GET", host_path, f"(the page with the form of {rule.rule})")
    form = form_for(page.get_data(as_text=True), path) if page is not None else None
    if form is None:
        status = page.status_code if page is not None else "error"
        fuzzer.failures.append(f"{rule.rule}: no form posting to {path} on {host_path} (as {spec.role}, {status})")
    return form


@pytest.fixture
def fuzzer(app, client_as, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setattr(second_factor, "new_secret", lambda: TOTP_SECRET)  # so the set-up form has a valid code

    def anonymous():
        app.test_client_class = Client
        return app.test_client()

    make_board()
    for kind in ("topic", "target_group", "partner_type"):
        make_term(kind=kind)
    db.session.commit()
    return Fuzzer(app, client_as, anonymous)


def report(capsys, request, text: str) -> None:
    """The figures of a fuzz run in the test output (and the JUnit properties)."""
    request.node.user_properties.append(("fuzz", text))
    with capsys.disabled():
        print(f"\n[fuzz {db.engine.dialect.name}] {text}")


# --- the tests ----------------------------------------------------------------------------------------------


def test_every_post_route_has_a_fuzz_spec(app):
    post_endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    missing = sorted(post_endpoints - set(SPECS))
    assert not missing, f"add a row to SPECS in tests/test_fuzz.py for: {', '.join(missing)}"


def test_every_form_survives_hostile_values_and_keeps_the_input(app, fuzzer, capsys, request):
    started = time.perf_counter()
    forms = fields = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "POST" not in rule.methods or rule.endpoint not in SPECS:
            continue
        fields += fuzz_form(fuzzer, rule, SPECS[rule.endpoint])
        forms += 1
    report(capsys, request, f"{forms} forms, {fields} fields, {fuzzer.requests} requests "
                            f"({fuzzer.rejected} rejected and checked for kept input), "
                            f"{time.perf_counter() - started:.1f} s")
    summary = f"{len(fuzzer.failures)} server errors or redirects elsewhere, {len(fuzzer.lost)} lost inputs"
    assert not fuzzer.failures + fuzzer.lost, "\n".join([summary, *(fuzzer.failures + fuzzer.lost)[:200]])


def test_every_form_sent_as_json_with_nul_characters_gives_no_server_error(app, fuzzer, capsys, request):
    """Flask-WTF also reads a JSON body as the form: the same cleaning must apply there."""
    forms = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        spec = SPECS.get(rule.endpoint)
        if "POST" not in rule.methods or spec is None or spec.files:
            continue
        actor, client, path, target = fuzzer.prepare(rule, spec)
        form = discover(fuzzer, rule, spec, client, path, target)
        if form is None:
            continue
        data = submission(form, target.values, {})
        body = {}
        for name in data:
            values = data.getlist(name)
            if form.fields[name].kind in ("text", "textarea") and values[0]:
                values = [f"{values[0][:3]}\x00{values[0][3:]}"]
            body[name] = values[0] if len(values) == 1 else values
        fuzzer.send(client, "POST", path, f"JSON {sorted(body)}", json=body)
        forms += 1
    report(capsys, request, f"JSON: {forms} forms, {fuzzer.requests} requests")
    assert not fuzzer.failures, "\n".join(fuzzer.failures)


INT_ARGUMENT = re.compile(r"<int(?:\([^)]*\))?:(\w+)>")
OTHER_ARGUMENTS = {"slug": "impressum", "kind": "topic", "target_type": "thread", "token": "x", "filename": "x.css"}


def test_ids_beyond_the_database_range_are_not_found_in_every_path(app, fuzzer, capsys, request):
    _admin, client = fuzzer.actor("admin")
    for rule in app.url_map.iter_rules():
        ints = INT_ARGUMENT.findall(rule.rule)
        if not ints:
            continue
        for value in (2**31, 2**63, int(THIRTY_DIGITS)):
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: str(value) if m.group(1) in ints
                          else OTHER_ARGUMENTS.get(m.group(1), "x"), rule.rule)
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = fuzzer.send(client, method, path, "")
                if response is not None and response.status_code != 404:
                    fuzzer.failures.append(f"{method} {path}: {response.status_code}, not 404")
    report(capsys, request, f"ids: {fuzzer.requests} requests")
    assert not fuzzer.failures, "\n".join(fuzzer.failures)


def test_control_characters_in_path_segments_give_no_server_error(app, fuzzer):
    _admin, client = fuzzer.actor("admin")
    for rule in app.url_map.iter_rules():
        names = [name for name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule)
                 if name[0] in ("", "string", "path")]
        if not names:
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: "%00x%1B%E2%80%AE" if m.group(1) in {n for _, n in names}
                      else "1", rule.rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            fuzzer.send(client, method, path, "")
    assert not fuzzer.failures, "\n".join(fuzzer.failures)


PAGE_VALUES = [THIRTY_DIGITS, str(2**63), "-1", "²", "zwei\x00", "9" * 5000]


def test_hostile_page_numbers_give_no_server_error_on_any_page(app, fuzzer, capsys, request):
    admin, client = fuzzer.actor("admin")
    post = make_post()
    make_notification(user=admin)
    db.session.commit()
    args = {"thread_id": post.thread_id, "board_id": make_board().id, "post_id": post.id}
    db.session.commit()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or not set(rule.arguments) <= set(args):
            continue
        for value in PAGE_VALUES:
            path = fuzzer.build(rule.endpoint, args, {"page": value, "quote": value})
            fuzzer.send(client, "GET", path, f"page={value[:40]!r}")
    report(capsys, request, f"page numbers: {fuzzer.requests} requests")
    assert not fuzzer.failures, "\n".join(fuzzer.failures)


def test_every_filter_form_survives_hostile_values_and_keeps_the_search(app, fuzzer, capsys, request):
    """The GET forms above the lists (search, filters): every field with every hostile value."""
    _admin, client = fuzzer.actor("admin")
    forms, seen = 0, set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        path = fuzzer.build(rule.endpoint, {})
        page = fuzzer.send(client, "GET", path, "")
        for form in forms_of(page.get_data(as_text=True)) if page is not None else []:
            action = urlsplit(form.action or path).path
            if form.method != "get" or (action, tuple(form.fields)) in seen:
                continue  # the header's search form is on every page: once is enough
            seen.add((action, tuple(form.fields)))
            forms += 1
            for f in form.fields.values():
                for label, value in f.values:
                    query = [(f.name, item) for item in (value if isinstance(value, list) else [value])]
                    what = f"field {f.name!r} = {label}"
                    response = fuzzer.send(client, "GET", f"{action}?{urlencode(query)}", what)
                    if response is None or response.status_code != 200 or f.kind not in KEPT_KINDS:
                        continue
                    shown = form_for(response.get_data(as_text=True), action, method="get")
                    kept = shown.fields[f.name].value if shown and f.name in shown.fields else None
                    if len(value) <= 100 and kept is not None and normalise(kept) != normalise(value):
                        fuzzer.lost.append(f"GET {action} {what}: shown {kept[:60]!r}")
    report(capsys, request, f"filter forms: {forms} forms, {fuzzer.requests} requests")
    problems = fuzzer.failures + fuzzer.lost
    assert forms >= 5
    assert not problems, "\n".join(problems)


# Text from a small hostile alphabet (control, bidi and markup characters among letters), or any text at all
# (without surrogates: they cannot be sent as UTF-8).
HOSTILE_ALPHABET = "\x00\x01\x08\x0b\x1b\x7f\r\n\t\u202a\u202e\u2066\u2069\u200f<>&\"'%_\\aÄß€😀 1-"
RANDOM_TEXT = st.one_of(st.text(st.sampled_from(HOSTILE_ALPHABET), min_size=1, max_size=60),
                        st.text(st.characters(codec="utf-8"), max_size=60))


# Derandomised (the same examples on every run and in CI) and without an example database (no files written).
@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=RANDOM_TEXT)
@example(text="Text mit \x00 NUL")
@example(text="Erika \u202eretsuM\u202c")
def test_random_text_in_the_most_used_text_fields_is_kept_or_cleaned_never_a_server_error(fuzzer, text):
    """Hypothesis draws the text (the database is not reset between examples, which these requests do not need).
    What is stored has no control characters, and otherwise the text as sent; names also lose bidi overrides."""
    from forum.discussion.models import Post

    fuzzer.failures.clear()
    member, client = fuzzer.actor("member")
    thread, board = make_post().thread, make_board()
    db.session.commit()
    requests = [
        ("POST", f"/discussion/{thread.id}/reply", {"body": f"Antwort {text}"}),
        ("POST", f"/discussion/boards/{board.id}/new", {"title": f"Titel {text}", "body": f"Text {text}"}),
        ("POST", "/accounts/profile", {"display_name": f"Name {text}", "function": f"Funktion {text}",
                                       "language": "de", "email_notifications": "immediately"}),
        ("GET", f"/organisations/?{urlencode({'q': text})}", None),
        ("GET", f"/ideas/?{urlencode({'q': text})}", None),
    ]
    answers = [fuzzer.send(client, method, path, f"text {text!r}", data=data) for method, path, data in requests]
    assert not fuzzer.failures, "\n".join(fuzzer.failures)
    db.session.expire_all()
    stored = []
    if answers[0].status_code == 302:  # not held back by the client-data guard
        stored.append((f"Antwort {text}", db.session.scalar(
            db.select(Post.body_source).where(Post.thread_id == thread.id, Post.author_id == member.id))))
    if answers[2].status_code == 302:
        stored.append((f"Name {text}", member.display_name))
        assert not BIDI.search(member.display_name)
    for sent, kept in stored:
        assert not C0.search(kept.replace("\t", "").replace("\n", "")), repr(kept)
        assert normalise(kept) == normalise(sent), (sent, kept)
