"""The login gate (one allowlist of public endpoints), session revocation and the security headers."""
from __future__ import annotations

import time
from contextlib import contextmanager

from flask import Flask, current_app, redirect, request, url_for
from flask_login import current_user

from forum.accounts.models import User
from forum.extensions import db, login_manager

# Everything else requires login, including every route added later.
PUBLIC_ENDPOINTS = frozenset({
    "static",
    "main.healthz",
    "main.set_language",
    "accounts.login",
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


@login_manager.user_loader
def load_user(session_id: str):
    """Accept a session only for an active account whose session version is unchanged.

    The version is part of the id stored in the session and the remember-me cookie, so logout, a password
    change and suspension end every copy of the session (flask-login#480).
    """
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = None  # the login page explains itself

    @app.before_request
    def require_login():
        """The one gate: anonymous requests to non-public endpoints go to the login page."""
        if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
            return None
        return redirect(url_for("accounts.login", next=_local_path()))

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
