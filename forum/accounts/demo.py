"""Demo second factors and sessions for `flask seed-demo`: the staff logins and one member use a fixed demo
authenticator secret (printed with the demo logins, so a person can try the code step with any TOTP app) and
one known recovery code; another member lost their phone and an admin reset their second factor (audited);
the demo member is logged in on two other devices.

Idempotent: who has a secret already is left alone; the reset is recognised by its audit entry.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from forum.accounts import second_factor
from forum.accounts.models import RecoveryCode, User, UserSession
from forum.accounts.sessions import describe_user_agent
from forum.audit import AuditEntry
from forum.clock import utcnow
from forum.extensions import db
from forum.moderation.demo import days_ago

# Only for the demo data (never in production: real secrets are random and shown once).
DEMO_TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
DEMO_RECOVERY_CODE = "demo2-demo3"
WITH_SECOND_FACTOR = ("admin@servicestelle.example", "moderation@servicestelle.example",
                      "s.krueger@jobcenter-dortmund.example")
LOST_PHONE = ("j.hoffmann@jobcenter-koeln.example", "Telefon verloren, Identität telefonisch geprüft.")
ADMIN_EMAIL = "admin@servicestelle.example"
DEVICES_OF = "mitglied@jobcenter-dortmund.example"
# (user agent, remember, started hours ago)
DEVICES = (
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", False, 1),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.1 Mobile/15E148 Safari/604.1", True, 72),
)


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _turn_on(user: User) -> None:
    """The demo secret and ten recovery codes, the first of them DEMO_RECOVERY_CODE."""
    user.totp_secret, user.second_factor_at = DEMO_TOTP_SECRET, utcnow() - timedelta(days=30)
    second_factor.new_recovery_codes(user)
    first = db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id)
                              .order_by(RecoveryCode.id).limit(1))
    first.code_hash = hashlib.sha256(DEMO_RECOVERY_CODE.replace("-", "").encode()).hexdigest()


def seed_second_factors() -> int:
    """Returns how many rows were added or changed."""
    created = 0
    was_reset = db.session.scalar(
        select(AuditEntry.id).where(AuditEntry.action == "user.second_factor_reset").limit(1)) is not None
    for email in WITH_SECOND_FACTOR + (() if was_reset else (LOST_PHONE[0],)):
        user = _user(email)
        if user is not None and user.totp_secret is None and user.second_factor_at is None:
            _turn_on(user)
            created += 1
    db.session.flush()
    admin, lost = _user(ADMIN_EMAIL), _user(LOST_PHONE[0])
    if admin is not None and lost is not None and not was_reset:
        with days_ago(3):
            second_factor.reset_second_factor(lost, actor=admin, reason=LOST_PHONE[1])
        created += 1
    member = _user(DEVICES_OF)
    if member is not None and db.session.scalar(
            select(UserSession.id).where(UserSession.user_id == member.id).limit(1)) is None:
        now = utcnow()
        for user_agent, remember, hours in DEVICES:
            browser, system = describe_user_agent(user_agent)
            started = now - timedelta(hours=hours)
            db.session.add(UserSession(key=secrets.token_urlsafe(32), user_id=member.id, created_at=started,
                                       last_seen_at=now - timedelta(minutes=20), remember=remember,
                                       expires_at=started + (timedelta(days=30) if remember else timedelta(hours=12)),
                                       browser=browser, system=system))
            created += 1
    db.session.flush()
    return created
