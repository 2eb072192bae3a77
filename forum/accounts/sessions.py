"""Login sessions: one UserSession row per login, so a person sees their devices and ends them, and a copied
cookie (session or remember-me) dies with its row (flask-login#480).

The signed session cookie and the remember-me cookie hold "<user id>:<key>"; `security.load_user` finds the user
and the row in one statement and checks the absolute end (`expires_at`) and, without "Angemeldet bleiben", the
idle timeout. `last_seen_at` is written at most every SESSION_TOUCH_INTERVAL, not on every request.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, or_, select, update

from forum import clock
from forum.accounts.models import User, UserSession
from forum.extensions import db

# (pattern, name) — the first match wins, so the browsers that also say "Chrome" or "Safari" come first.
_BROWSERS = ((r"Edg(e|A|iOS)?/", "Edge"), (r"OPR/|Opera", "Opera"), (r"Firefox/|FxiOS/", "Firefox"),
             (r"Chrome/|CriOS/|Chromium/", "Chrome"), (r"Safari/", "Safari"))
_SYSTEMS = ((r"Android", "Android"), (r"iPhone|iPad|iPod", "iOS"), (r"Windows", "Windows"),
            (r"Mac OS X|Macintosh", "macOS"), (r"CrOS", "ChromeOS"), (r"Linux|X11", "Linux"))


def describe_user_agent(user_agent: str) -> tuple[str, str]:
    """Browser and operating system by name only (no versions, no IP address): enough to recognise a device."""
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, user_agent or "")), "")
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, user_agent or "")), "")
    return browser, system


def start_session(user: User, *, remember: bool, user_agent: str = "") -> UserSession:
    """A new session row for a completed login (password and, where set up, the second factor); the user object
    carries its key for Flask-Login's `get_id()`."""
    now = clock.utcnow()
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"]
    browser, system = describe_user_agent(user_agent)
    row = UserSession(key=secrets.token_urlsafe(32), user_id=user.id, created_at=now, last_seen_at=now,
                      expires_at=now + lifetime, remember=remember, browser=browser, system=system)
    db.session.add(row)
    db.session.flush()
    user.session_key = row.key
    return row


def session_of(user_id: int, key: str) -> tuple[User, UserSession] | None:
    """The user and their session row with this key, in one statement (the user is loaded anyway)."""
    row = db.session.execute(select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
                             .where(User.id == user_id, UserSession.key == key)).first()
    return (row[0], row[1]) if row else None


def is_current(row: UserSession, now: datetime) -> bool:
    """Within its absolute lifetime and, unless remembered, used within the idle timeout."""
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    return now < row.expires_at and (row.remember or now - row.last_seen_at < idle)


def touch_due(row: UserSession, now: datetime) -> bool:
    return now - row.last_seen_at >= current_app.config["SESSION_TOUCH_INTERVAL"]


def touch(session_id: int, now: datetime) -> None:
    db.session.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))


def _live(now: datetime):
    idle_since = now - current_app.config["SESSION_IDLE_TIMEOUT"]
    return (UserSession.expires_at > now) & or_(UserSession.remember, UserSession.last_seen_at > idle_since)


def active_sessions(user: User) -> list[UserSession]:
    """The user's sessions that can still be used, the most recently used first."""
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                             _live(clock.utcnow()))
                                   .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def end_session(user: User, session_id: int) -> bool:
    """End one of the user's own sessions (another device); False when it had ended already."""
    return db.session.execute(delete(UserSession).where(UserSession.id == session_id,
                                                        UserSession.user_id == user.id)).rowcount == 1


def end_current_session(user: User) -> None:
    """End the session this request runs in (logout)."""
    db.session.execute(delete(UserSession).where(UserSession.key == (user.session_key or "")))
    user.session_key = None


def end_other_sessions(user: User) -> int:
    """End every session of the user but the one this request runs in; returns how many ended."""
    return db.session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                        UserSession.key != (user.session_key or ""))).rowcount


def end_all_sessions(user: User) -> int:
    """End every session and remember-me cookie of the user (logout everywhere, suspension, password reset,
    deleting the account); returns how many ended."""
    count = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount
    user.session_key = None
    return count


def purge_ended_sessions() -> int:
    """Delete rows of sessions past their absolute end or idle timeout (for the daily purge)."""
    return db.session.execute(delete(UserSession).where(~_live(clock.utcnow()))).rowcount
