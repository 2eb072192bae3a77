"""What the tests share besides fixtures: the test app and client, reading rows back, counting queries, requests in
parallel threads, the permission matrix of every rule in forum/permissions.py, and the browser pages' helpers.

Fixtures live in conftest.py; a test module imports plain functions and tables from here, never from another test
module or from a conftest.
"""
from __future__ import annotations

import os
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pyotp
import pytest
from flask import g
from flask.testing import FlaskClient
from flask_babel import refresh as refresh_babel
from flask_login import AnonymousUserMixin
from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection

from forum import create_app
from forum.accounts.sessions import start_session
from forum.extensions import db
from forum.audit import AuditEntry
from tests.factories import PASSWORD, TOTP_SECRET, make_user

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Missing infrastructure skips on a developer machine and fails in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


# --- the app and its client -----------------------------------------------------------------------------------

def make_test_app(database_url: str, tmp_path_factory, **overrides):
    """The app in its testing configuration, with mail and upload folders of its own (per xdist worker too)."""
    return create_app({
        "FORUM_CONFIG": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_DIR": str(tmp_path_factory.mktemp("mail")),
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),  # not instance/: the demo data uploads files
        "EXPORT_DIR": str(tmp_path_factory.mktemp("exports")),  # the demo data builds data exports
        **overrides,
    })


def reset_schema() -> None:
    """An empty database with the current models (also after a migration test left Alembic's tables)."""
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.drop_all()
    db.create_all()


class Client(FlaskClient):
    """A test client that starts every request fresh although the test keeps one app context open:
    Flask-Login caches the user and Flask-Babel the locale on that context."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        refresh_babel()
        return super().open(*args, **kwargs)


def text_of(response) -> str:
    """The response body as text with tags removed and whitespace collapsed (what a user reads)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#34;", '"').replace("&#39;", "'")


def link_in(body: str, path_fragment: str) -> str:
    """The first URL in a mail body containing path_fragment, as a path for the test client."""
    for url in re.findall(r"https?://\S+", body):
        if path_fragment in url:
            return re.sub(r"^https?://[^/]+", "", url)
    raise AssertionError(f"no link with {path_fragment!r} in:\n{body}")


# --- people ---------------------------------------------------------------------------------------------------

def session_id(user) -> str:
    """What Flask-Login keeps in the session and the remember-me cookie for `user` after a complete login: the
    id of a new session row of theirs (started by the function the login view uses)."""
    start_session(user, remember=False, user_agent="pytest")
    return user.get_id()


def actor(role: str, status: str = "active", **overrides):
    """Someone in a role ("anonymous": not logged in) for asking a permission rule."""
    return AnonymousUserMixin() if role == "anonymous" else make_user(role=role, status=status, **overrides)


def quiet(**overrides):
    """Someone who wants no e-mail, so the outbox holds only what a test is about."""
    person = make_user(**overrides)
    person.email_notifications = "never"
    return person


# --- reading back what happened -------------------------------------------------------------------------------

def fresh(model, id_):
    """The row as the database has it now (nothing the test has loaded is reused)."""
    db.session.expire_all()
    return db.session.get(model, id_)


def audit(action: str | None = None, target=None) -> list[AuditEntry]:
    """Audit entries, oldest first: of one action and/or about one target (a post, thread, idea, board, …)."""
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    if target is not None:
        query = query.where(AuditEntry.target_type == target.__tablename__, AuditEntry.target_id == target.id)
    return list(db.session.scalars(query))


def audit_actions(target) -> list[str]:
    """The actions audited on one target, oldest first."""
    return [entry.action for entry in audit(target=target)]


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block: `with count_queries() as queries: …; len(queries)`."""
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


def queries_for(client, path: str) -> list[str]:
    """The SQL statements of one GET (which must answer 200), starting from nothing loaded."""
    db.session.commit()  # the test and the requests share one session: start every page from nothing loaded
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return statements


# --- requests at the same moment ------------------------------------------------------------------------------

def run_in_parallel(app, user_ids: list[str], path: str, data: dict | None = None) -> list:
    """POST path (with the form `data`) once per user at the same moment, each from its own thread and client
    (own app context, own connection). The test must be marked @pytest.mark.real_commits: the threads see only
    what the test committed for real."""
    if isinstance(db.session.get_bind(), Connection):
        raise RuntimeError("run_in_parallel() needs a test marked @pytest.mark.real_commits: this test runs in a "
                           "transaction that is rolled back, which other connections cannot see")
    barrier = threading.Barrier(len(user_ids))
    results: list = []

    def run(user_id: str) -> None:
        client = FlaskClient(app, app.response_class, use_cookies=True)
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        barrier.wait()
        try:
            results.append(client.post(path, data=data).status_code)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results.append(repr(error))

    threads = [threading.Thread(target=run, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


# --- form data ------------------------------------------------------------------------------------------------

def event_form(**overrides) -> dict:
    """What an organiser types into the event form (German time)."""
    data = {
        "kind": "workshop", "title": "Werkstattgespräch Gesundheitsförderung", "start_date": "2030-06-12",
        "start_time": "10:00", "end_date": "", "end_time": "16:00", "location": "Jobcenter Dortmund, Raum 3.12",
        "online_url": "", "land": "NW", "description": "Wie **Krankenkassen** und Jobcenter zusammenarbeiten.",
        "agenda": "- 10:00 Ankommen\n- 10:30 Impulse", "capacity": "25", "deadline_date": "2030-06-01",
        "deadline_time": "", "status": "open",
    }
    data.update(overrides)
    return data


# --- the permission matrix ------------------------------------------------------------------------------------
# Every can_* rule of forum/permissions.py has rows in one of these tables (test_permissions.py checks that none
# is missing); the tests that walk each table build the states next to the domain they belong to.

ROLES = ("anonymous", "member", "organiser", "moderator", "admin")
MEMBERS = set(ROLES[1:])
STAFF = {"moderator", "admin"}

# rule -> roles that may (for an active user; anonymous never may): test_permissions.py
ROLE_MATRIX = {
    "can_view_dashboard": MEMBERS,
    "can_view_organisation": MEMBERS,
    "can_approve_registrations": STAFF,
    "can_view_audit_log": STAFF,
    "can_view_statistics": {"organiser", "moderator", "admin"},
    "can_manage_users": {"admin"},
    "can_manage_organisations": {"admin"},
    "can_edit_pages": {"admin"},
    "can_manage_barrier_reports": {"admin"},
    "can_view_notifications": MEMBERS,
    "can_search": MEMBERS,
    "can_request_data_export": MEMBERS,
    "can_delete_own_account": MEMBERS,
}
ACCOUNT_RULES = {"can_decide_registration", "can_change_user"}  # tested one by one in test_permissions.py
SECOND_FACTOR_RULES = {"can_turn_off_second_factor", "can_reset_second_factor"}  # in test_second_factor.py
PRIVACY_RULES = {"can_delete_account"}  # in test_dsgvo.py

# following: target -> roles that may follow it (the same as may see it): test_permissions.py
FOLLOW_MATRIX = {
    "thread": MEMBERS,
    "event": MEMBERS,
    "published_idea": MEMBERS,
    "own_submitted_idea": MEMBERS,
    "submitted_idea": STAFF,
    "submitted_idea_thread": STAFF,
}
FOLLOW_RULES = {"can_follow"}

# boards and posts: (rule, state) -> roles that may: test_permissions.py
DISCUSSION_MATRIX = {
    ("can_view_board", "board"): MEMBERS,
    ("can_manage_boards", None): {"admin"},
    ("can_start_thread", "board"): MEMBERS,
    ("can_reply", "open_thread"): MEMBERS,
    ("can_reply", "locked_thread"): set(),
    ("can_reply", "submitted_idea_thread"): STAFF,
    ("can_quote_post", "others_post"): MEMBERS,
    ("can_quote_post", "withdrawn_post"): set(),
    ("can_quote_post", "hidden_post"): set(),
    ("can_quote_post", "post_in_locked_thread"): set(),
    ("can_edit_post", "own_post"): MEMBERS,
    ("can_edit_post", "others_post"): STAFF,  # moderators edit any post (audited)
    ("can_edit_post", "own_withdrawn_post"): set(),
    ("can_edit_post", "own_hidden_post"): STAFF,
    ("can_edit_post", "own_post_in_locked_thread"): STAFF,
    ("can_withdraw_post", "own_post"): MEMBERS,
    ("can_withdraw_post", "own_post_in_locked_thread"): MEMBERS,
    ("can_withdraw_post", "others_post"): set(),
    ("can_withdraw_post", "own_withdrawn_post"): set(),
    ("can_view_post_revisions", "own_post"): MEMBERS,
    ("can_view_post_revisions", "others_post"): STAFF,
}
DISCUSSION_RULES = {rule for rule, _state in DISCUSSION_MATRIX}

# events: (rule, event state) -> roles that may: test_events.py
EVENT_MATRIX = {
    ("can_view_event", "open"): MEMBERS,
    ("can_manage_events", None): {"organiser", "admin"},
    ("can_edit_event", "open"): {"organiser", "admin"},
    ("can_register_for_event", "open"): MEMBERS,
    ("can_register_for_event", "planned"): set(),
    ("can_register_for_event", "deadline_passed"): set(),
    ("can_register_for_event", "cancelled"): set(),
    ("can_register_for_event", "done"): set(),
    ("can_cancel_registration", "open"): MEMBERS,
    ("can_cancel_registration", "deadline_passed"): MEMBERS,
    ("can_cancel_registration", "begun"): set(),
    ("can_cancel_registration", "cancelled"): set(),
    ("can_cancel_event", "open"): {"organiser", "admin"},
    ("can_cancel_event", "planned"): {"organiser", "admin"},
    ("can_cancel_event", "cancelled"): set(),
    ("can_cancel_event", "done"): set(),
    ("can_complete_event", "open"): set(),
    ("can_complete_event", "begun"): {"organiser", "admin"},
    ("can_complete_event", "done"): set(),
    ("can_download_attachment", "open"): MEMBERS,
    ("can_link_follow_up", "open"): {"organiser", "admin"},
    ("can_subscribe_calendar", None): MEMBERS,
    # without registered=True: the staff only; registered members: test_event_truths.py
    ("can_view_online_link", "open"): {"organiser", "moderator", "admin"},
    ("can_view_online_link", "cancelled"): {"organiser", "moderator", "admin"},
    ("can_view_thread", "follow_up"): MEMBERS,
    ("can_view_thread", "main_thread"): MEMBERS,
}
EVENT_RULES = {rule for rule, _state in EVENT_MATRIX}

# after an event: (rule, event state) -> roles that may: test_attendance_reports.py
ORGANISERS = {"organiser", "admin"}
ATTENDANCE_MATRIX = {
    ("can_view_attendance", "upcoming"): set(),
    ("can_view_attendance", "begun"): {"organiser", "moderator", "admin"},
    ("can_view_attendance", "cancelled_past"): set(),
    ("can_mark_attendance", "upcoming"): set(),
    ("can_mark_attendance", "begun"): ORGANISERS,
    ("can_mark_attendance", "over"): ORGANISERS,
    ("can_mark_attendance", "cancelled_past"): set(),
    ("can_write_event_report", "upcoming"): set(),
    ("can_write_event_report", "begun"): set(),
    ("can_write_event_report", "over"): ORGANISERS,
    ("can_write_event_report", "done"): ORGANISERS,
    ("can_write_event_report", "cancelled_past"): set(),
    ("can_view_event_report", "no_report"): set(),
    ("can_view_event_report", "draft_report"): ORGANISERS,
    ("can_view_event_report", "published_report"): MEMBERS,
    ("can_copy_event", "upcoming"): ORGANISERS,
    ("can_copy_event", "cancelled_past"): ORGANISERS,
}
ATTENDANCE_RULES = {rule for rule, _state in ATTENDANCE_MATRIX}

# documentation pack: (rule, event state) -> roles that may: test_documentation_pack.py
DOCUMENTATION_MATRIX = {
    ("can_view_documentation_pack", "upcoming"): set(),
    ("can_view_documentation_pack", "over"): MEMBERS,
    ("can_view_documentation_pack", "done"): MEMBERS,
    ("can_view_documentation_pack", "cancelled_past"): set(),
    ("can_make_period_pack", None): {"organiser", "moderator", "admin"},
}
DOCUMENTATION_RULES = {rule for rule, _state in DOCUMENTATION_MATRIX}

# ideas: rules without an object, (rule, status of someone else's idea) -> roles that may; "own" rows and the
# adoption rule are tested one by one in test_ideas.py
IDEA_RULES_WITHOUT_OBJECT = [
    ("can_submit_idea", MEMBERS),
    ("can_submit_idea_for_others", {"organiser", "moderator", "admin"}),
    ("can_manage_reference_lists", {"admin"}),
    ("can_link_idea_to_event", {"organiser", "moderator", "admin"}),
]
IDEA_MATRIX = {
    ("can_view_idea", "submitted"): STAFF,
    ("can_view_idea", "published"): MEMBERS,
    ("can_view_idea", "archived"): MEMBERS,
    ("can_edit_idea", "published"): STAFF,
    ("can_view_idea_revisions", "published"): STAFF,
    ("can_set_idea_status", "submitted"): STAFF,
    ("can_vote", "submitted"): set(),
    ("can_vote", "published"): MEMBERS,
    ("can_vote", "in_trial"): MEMBERS,
    ("can_vote", "proven"): MEMBERS,
    ("can_vote", "archived"): set(),
    ("can_adopt_idea", "published"): MEMBERS,
    ("can_adopt_idea", "archived"): set(),
    ("can_adopt_idea", "submitted"): set(),
}
IDEA_RULES = ({rule for rule, _status in IDEA_MATRIX} | {rule for rule, _roles in IDEA_RULES_WITHOUT_OBJECT}
              | {"can_withdraw_adoption"})

# moderation: (rule, state) -> roles that may: test_moderation.py
MODERATION_MATRIX = {
    ("can_moderate_post", "post"): STAFF,
    ("can_moderate_post", "post_in_submitted_idea_thread"): STAFF,
    ("can_hide_post", "post"): STAFF,
    ("can_hide_post", "own_post"): STAFF,
    ("can_hide_post", "hidden_post"): set(),
    ("can_hide_post", "withdrawn_post"): set(),
    ("can_hide_post", "post_in_locked_thread"): STAFF,
    ("can_unhide_post", "hidden_post"): STAFF,
    ("can_unhide_post", "post"): set(),
    ("can_pin_post", "post"): STAFF,
    ("can_pin_post", "pinned_post"): set(),
    ("can_pin_post", "hidden_post"): set(),
    ("can_unpin_post", "pinned_post"): STAFF,
    ("can_unpin_post", "post"): set(),
    ("can_redact_post", "post"): STAFF,
    ("can_redact_post", "hidden_post"): STAFF,
    ("can_redact_post", "withdrawn_post"): STAFF,
    ("can_view_hidden_post", "hidden_post"): STAFF,
    ("can_view_hidden_post", "own_hidden_post"): MEMBERS,
    # who can moderate a post acts on it and is not offered "Melden"
    ("can_report_post", "post"): MEMBERS - STAFF,
    ("can_report_post", "own_post"): set(),
    ("can_report_post", "hidden_post"): set(),
    ("can_report_post", "withdrawn_post"): set(),
    ("can_report_post", "post_in_locked_thread"): MEMBERS - STAFF,
    ("can_report_post", "post_in_submitted_idea_thread"): set(),
    ("can_edit_post", "post"): STAFF,
    ("can_edit_post", "hidden_post"): STAFF,
    ("can_edit_post", "withdrawn_post"): set(),
    ("can_edit_post", "post_in_locked_thread"): STAFF,
    ("can_moderate_thread", "thread"): STAFF,
    ("can_moderate_thread", "locked_thread"): STAFF,
    ("can_pin_thread", "thread"): STAFF,
    ("can_pin_thread", "pinned_thread"): set(),
    ("can_unpin_thread", "pinned_thread"): STAFF,
    ("can_unpin_thread", "thread"): set(),
    ("can_lock_thread", "thread"): STAFF,
    ("can_lock_thread", "locked_thread"): set(),
    ("can_unlock_thread", "locked_thread"): STAFF,
    ("can_unlock_thread", "thread"): set(),
    ("can_rename_thread", "thread"): STAFF,
    ("can_rename_thread", "locked_thread"): STAFF,
    ("can_rename_thread", "idea_thread"): STAFF,
    ("can_decide_case", "post"): STAFF,
    ("can_decide_case", "hidden_post"): STAFF,
    ("can_decide_case", "post_in_submitted_idea_thread"): STAFF,
    ("can_move_thread", "thread"): STAFF,
    ("can_move_thread", "event_thread"): set(),
    ("can_move_thread", "idea_thread"): set(),
    ("can_view_reports", None): STAFF,
    ("can_suspend_user", "active_member"): STAFF,
    ("can_suspend_user", "active_organiser"): STAFF,
    ("can_suspend_user", "active_moderator"): {"admin"},
    ("can_suspend_user", "active_admin"): {"admin"},
    ("can_suspend_user", "suspended_member"): set(),
    ("can_suspend_user", "self"): set(),
    ("can_reactivate_user", "suspended_member"): STAFF,
    ("can_reactivate_user", "suspended_moderator"): {"admin"},
    ("can_reactivate_user", "active_member"): set(),
}
MODERATION_RULES = {rule for rule, _state in MODERATION_MATRIX} - {"can_edit_post"}  # its own rows are above

# reading a post (also where it is quoted): state of the post -> roles that may read its text: test_quotes.py
READ_MATRIX = {
    "post": MEMBERS,
    "hidden_post": STAFF,
    "own_hidden_post": MEMBERS,
    "pending_review_post": STAFF,
    "withdrawn_post": STAFF,
    "own_withdrawn_post": MEMBERS,
    "post_in_submitted_idea_thread": STAFF,
}
QUOTE_RULES = {"can_read_post"}

# a notification, by what it is about -> roles that see it (listed, in the digest): test_notifications.py
NOTIFICATION_MATRIX = {
    "thread": MEMBERS,
    "published_idea": MEMBERS,
    "submitted_idea_thread": STAFF,
    "submitted_idea": STAFF,
}
NOTIFICATION_RULES = {"can_view_notification"}

# redacting thread titles and ideas: (rule, state) -> roles that may: test_redaction.py
REDACTION_MATRIX = {
    ("can_redact_thread", "thread"): STAFF,
    ("can_redact_thread", "locked_thread"): STAFF,
    ("can_redact_thread", "follow_up_thread"): STAFF,
    ("can_redact_thread", "event_thread"): set(),
    ("can_redact_thread", "idea_thread"): set(),
    ("can_redact_idea", "published_idea"): STAFF,
    ("can_redact_idea", "submitted_idea"): STAFF,
}
REDACTION_RULES = {rule for rule, _state in REDACTION_MATRIX}

# member profiles: status of the account -> roles that may open its profile: test_thread_navigation.py
MEMBER_PROFILE_MATRIX = {
    "active": MEMBERS,
    "pending": {"admin"},
    "suspended": {"admin"},
    "rejected": {"admin"},
    "deleted": set(),
}
MEMBER_PROFILE_RULES = {"can_view_member"}

# announcements: (rule, status; "received_…": the member got it) -> roles that may: test_announcements.py
ANNOUNCEMENT_MATRIX = {
    ("can_manage_announcements", "draft"): STAFF,
    ("can_edit_announcement", "draft"): STAFF,
    ("can_edit_announcement", "queued"): set(),
    ("can_edit_announcement", "sent"): set(),
    ("can_send_announcement", "draft"): STAFF,
    ("can_send_announcement", "queued"): set(),
    ("can_send_announcement", "sent"): set(),
    ("can_view_announcement", "draft"): STAFF,
    ("can_view_announcement", "sent"): STAFF,
    ("can_view_announcement", "received_sent"): MEMBERS,
    ("can_view_announcement", "received_queued"): MEMBERS,
}
ANNOUNCEMENT_RULES = {rule for rule, _state in ANNOUNCEMENT_MATRIX}

ALL_RULES = (set(ROLE_MATRIX) | ACCOUNT_RULES | FOLLOW_RULES | DISCUSSION_RULES | EVENT_RULES | ATTENDANCE_RULES
             | DOCUMENTATION_RULES | IDEA_RULES
             | MODERATION_RULES | QUOTE_RULES | REDACTION_RULES | NOTIFICATION_RULES | MEMBER_PROFILE_RULES
             | ANNOUNCEMENT_RULES | SECOND_FACTOR_RULES | PRIVACY_RULES)


# --- in the browser (tests/browser) ---------------------------------------------------------------------------

AXE_CANDIDATES = (ROOT / "static/vendor/axe-core/axe.min.js", ROOT / "node_modules/axe-core/axe.min.js")
AXE_RUN = """async () => await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations']  // passes and incomplete are not read: axe skips their details
})"""
_AXE: list[str] = []


def log_in(page, email: str, password: str, *, email_label="E-Mail-Adresse", password_label="Passwort",
           button="Anmelden") -> None:
    """The login form; for an account with a second factor (factory staff: TOTP_SECRET) also the code step.
    A code is valid once: when this account used the current one a moment ago, the next one (the app's clock
    may run ahead by one step) is taken."""
    page.get_by_label(email_label, exact=True).fill(email)
    page.get_by_label(password_label, exact=True).fill(password)
    page.get_by_role("button", name=button, exact=True).click()
    totp = pyotp.TOTP(TOTP_SECRET)
    for ahead in (0, 30):
        if "/accounts/login/code" not in page.url:
            return
        page.get_by_label("Code", exact=True).fill(totp.at(time.time() + ahead))
        page.get_by_role("button", name=button, exact=True).click()


def heading(page):
    return page.get_by_role("heading", level=1)


def logged_in(new_page, email: str):
    """A new page (own cookies) logged in as email, on the dashboard."""
    from playwright.sync_api import expect

    page = new_page()
    page.goto("/accounts/login")
    log_in(page, email, PASSWORD)
    expect(heading(page)).to_contain_text("Willkommen")
    return page


def _axe_source() -> str:
    for candidate in AXE_CANDIDATES:
        if candidate.exists():
            return candidate.read_text(encoding="utf-8")
    skip_or_fail("axe-core is missing: run `make assets` (copies it into static/vendor/axe-core/)")


def check_accessibility(page) -> None:
    """Run axe-core (WCAG 2.1 A/AA) on the current page and fail on any violation, JS error or CSP violation.

    axe is defined through Playwright's evaluate (DevTools protocol), so the page keeps its strict CSP.
    """
    from playwright.sync_api import Error as PlaywrightError

    if not _AXE:
        _AXE.append(_axe_source())
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            if not page.evaluate("() => typeof window.axe === 'object'"):
                page.evaluate(_AXE[0])
            results = page.evaluate(AXE_RUN)
            break
        except PlaywrightError as error:
            # A click may still be navigating when the check starts: check the page it arrives at.
            if attempt == 2 or "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
            page.wait_for_timeout(200)
    violations = results["violations"]
    report = []
    for violation in violations:
        report.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            report.append(f"    {node['target']}: {node['html'][:300]}")
            if node.get("failureSummary"):
                report.append("      " + node["failureSummary"].replace("\n", "\n      "))
    if violations:
        pytest.fail(f"axe found {len(violations)} accessibility violation(s) on {page.url}:\n" + "\n".join(report))
    page.problems.assert_none()


def sideways_overflow(page) -> list[str]:
    """Elements that stick out to the right of the viewport (empty when the page does not scroll sideways)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        return document.documentElement.scrollWidth > width
            ? [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1)
                .slice(0, 5).map(e => e.outerHTML.slice(0, 120))
            : [];
    }""")
