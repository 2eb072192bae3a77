"""The login gate (one allowlist of public endpoints), session checks, the second-factor gate for staff and the
security headers."""
from __future__ import annotations

import time
from contextlib import contextmanager

from flask import Flask, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from forum import clock
from forum.accounts import sessions
from forum.extensions import db, login_manager
from forum.permissions import needs_second_factor_setup

# Everything else requires login, including every route added later.
PUBLIC_ENDPOINTS = frozenset({
    "static",
    "main.healthz",
    "main.set_language",
    "accounts.login",
    "accounts.login_code",  # the second step of the login: the password was right, the session not started yet
    "accounts.register",
    "accounts.registration_sent",
    "accounts.confirm_email",
    "accounts.forgot_password",
    "accounts.reset_password",
    "pages.show",
    "feedback.report",  # BITV 2.0 § 7: barriers must be reportable also by people who cannot log in
    "feedback.sent",
    "events.feed",  # calendar programs cannot log in; the secret token in the URL is the credential
    "notifications.unsubscribe",  # the link in every notification mail; the signed token is the credential
    "announcements.unsubscribe",  # List-Unsubscribe of announcement mails (RFC 8058); the token is the credential
})

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


# What a moderator or admin without a second factor may still open: their account settings (set-up, logout,
# sessions, profile) and the language switch.
SECOND_FACTOR_SETUP_AREA = frozenset({"accounts"})


@login_manager.user_loader
def load_user(session_id: str):
    """Accept a session only for an active account whose UserSession row exists and is current.

    The row's key is part of the id in the session and the remember-me cookie, so ending the row (logout, the
    sessions page, a password change, suspension) ends every copy of both (flask-login#480). The user and the
    row come in one statement.
    """
    user_id, _sep, key = session_id.partition(":")
    if not (user_id.isdigit() and len(user_id) < 10 and key):
        return None
    found = sessions.session_of(int(user_id), key)
    if found is None:
        return None
    user, row = found
    now = clock.utcnow()
    if not user.is_active:
        return None
    if not sessions.is_current(row, now):
        g.session_expired = True
        return None
    user.session_key = key
    if sessions.touch_due(row, now):
        g.session_to_touch = row.id
    return user


def _touch_session() -> None:
    """Note that the session is in use (at most every SESSION_TOUCH_INTERVAL), in a transaction of its own like
    the thread page's read state: on SQLite a GET reads in a deferred transaction that must not turn into a
    write. Should it fail, the request goes on (the note is a few minutes late)."""
    session_id = g.pop("session_to_touch", None)
    if session_id is None:
        return
    try:
        db.session.commit()
        sessions.touch(session_id, clock.utcnow())
        db.session.commit()
    except OperationalError:
        db.session.rollback()


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = None  # the login page explains itself

    @app.before_request
    def require_login():
        """The one gate: anonymous requests to non-public endpoints go to the login page; moderators and admins
        without a second factor go to its set-up page."""
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            if g.pop("session_expired", False):
                flash(_("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."), "info")
            return redirect(url_for("accounts.login", next=_local_path()))
        _touch_session()
        if request.blueprint not in SECOND_FACTOR_SETUP_AREA and request.endpoint != "main.set_language" \
                and needs_second_factor_setup(current_user):
            flash(_("Moderation und Administration brauchen einen zweiten Faktor, damit niemand allein mit Ihrem "
                    "Passwort diese Rechte nutzen kann. Bitte richten Sie ihn jetzt ein; danach geht es weiter."),
                  "warning")
            return redirect(url_for("accounts.second_factor_setup"))
        return None

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if request.endpoint != "static":
            # Pages show personal data: no copy in shared caches or on the office PC after logout.
            headers["Cache-Control"] = "no-store"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


@contextmanager
def taking_at_least_the_floor():
    """Pad a request that must not reveal whether an address has an account (registration, reset request) to
    ACCOUNT_ANSWER_FLOOR seconds: both paths do the same work, and the floor hides what the database adds."""
    started = time.monotonic()
    yield
    remaining = current_app.config["ACCOUNT_ANSWER_FLOOR"] - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


def _local_path() -> str | None:
    """The path to come back to after login (only for GET, only on this site)."""
    if request.method != "GET":
        return None
    return request.full_path.rstrip("?")


def is_safe_next(target: str | None) -> bool:
    """Only local paths are followed after login (no open redirect). Browsers drop tabs and line breaks from an
    address ("/<tab>/evil.example" is "//evil.example"), so a target with any control character is refused."""
    return (bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(ord(char) < 32 or char == "\x7f" for char in target))
