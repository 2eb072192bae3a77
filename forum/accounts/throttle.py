"""Wrong passwords per account: a stepped back-off kept in the rate-limit storage that every worker shares.

The per-IP limit on the login form does not stop 30 addresses guessing one account's password. This counts
wrong passwords per e-mail address (whether or not an account has it, so the answer reveals nothing), waits
longer the more there were (the steps of RATELIMIT_LOGIN_ACCOUNT), never locks out for good, and forgets an
account's count after a successful login or a password reset.
"""
from __future__ import annotations

import hashlib
import math
import time

from flask import current_app
from limits import parse_many

from forum.extensions import limiter


def _key(email: str) -> str:
    # A digest, not the address: the storage (Redis in production) holds no personal data.
    return "login-account/" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _steps():
    return parse_many(current_app.config["RATELIMIT_LOGIN_ACCOUNT"])


def seconds_to_wait(email: str) -> int:
    """How long logins to this address are paused after too many wrong passwords (0: go ahead)."""
    wait = 0.0
    for step in _steps():
        if not limiter.limiter.test(step, _key(email)):
            reset_at, _remaining = limiter.limiter.get_window_stats(step, _key(email))
            wait = max(wait, reset_at - time.time())
    return math.ceil(wait) if wait > 0 else 0


def count_wrong_password(email: str) -> None:
    for step in _steps():
        limiter.limiter.hit(step, _key(email))


def forget_wrong_passwords(email: str) -> None:
    for step in _steps():
        limiter.limiter.clear(step, _key(email))
