"""The second factor: TOTP codes from an authenticator app (pyotp), set up by a QR code (segno, an inline SVG
without scripts or styles, so the strict CSP holds), and ten one-time recovery codes for a lost device.

No code works twice: a TOTP code is accepted only for a time step later than the last one used (a conditional
UPDATE, so two requests with the same code cannot both pass), a recovery code is marked used in the same way.
Only SHA-256 digests of recovery codes are stored: they are random (50 bits), so a slow hash adds nothing.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, func, insert, or_, select, update

from forum import clock
from forum.accounts.models import RecoveryCode, User
from forum.accounts.sessions import end_all_sessions
from forum.audit import record, user_snapshot
from forum.extensions import db

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper without doubt
STEP_SECONDS = 30
DRIFT_STEPS = 1  # the code of the step before and after counts too (clocks of phones drift)


def new_secret() -> str:
    """A random base32 secret (160 bits) for a new authenticator entry."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["SECOND_FACTOR_ISSUER"])


def qr_svg(uri: str, title: str) -> str:
    """The QR code of `uri` as inline SVG (no script, no style attribute) with a text alternative."""
    return segno.make(uri, error="m").svg_inline(scale=4, border=4, light="#fff", title=title, svgclass="qr-code")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[index:index + 4] for index in range(0, len(secret), 4))


def _digits(code: str) -> str:
    return "".join(code.split())


def _normalised_recovery_code(code: str) -> str:
    return "".join(character for character in code.lower() if character.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normalised_recovery_code(code).encode()).hexdigest()


def matching_step(secret: str, code: str) -> int | None:
    """The time step (now, or one before or after) whose TOTP code is `code`; None when none is."""
    code = _digits(code)
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp, now = pyotp.TOTP(secret), int(clock.utcnow().timestamp()) // STEP_SECONDS
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Use up the time step (and every earlier one) for this user; False when it or a later one was used."""
    claimed = db.session.execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount == 1
    if claimed:
        user.totp_last_step = step
    return claimed


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes by ten new ones; returned once to be shown, stored as digests."""
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODE_COUNT)]
    codes = [f"{code[:5]}-{code[5:]}" for code in codes]
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(insert(RecoveryCode), [{"user_id": user.id, "code_hash": _digest(code)} for code in codes])
    return codes


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id,
                                                                       RecoveryCode.used_at.is_(None)))


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Turn the second factor on with `secret` once `code` proves the app has it; returns the new recovery codes
    (None: the code did not match). Setting it up again replaces the secret and the recovery codes."""
    step = matching_step(secret, code)
    if step is None:
        return None
    user.totp_secret, user.second_factor_at, user.totp_last_step = secret, clock.utcnow(), step
    db.session.flush()
    return new_recovery_codes(user)


def use_code(user: User, code: str) -> str | None:
    """Check a code at login (or before turning the factor off): "totp" or "recovery" when it was valid and is
    now used up, None otherwise."""
    if not user.has_second_factor:
        return None
    step = matching_step(user.totp_secret, code)
    if step is not None:
        return "totp" if _claim_step(user, step) else None
    if len(_normalised_recovery_code(code)) != 10:
        return None
    used = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=clock.utcnow()).execution_options(synchronize_session=False)).rowcount == 1
    return "recovery" if used else None


def disable(user: User) -> bool:
    """Turn the second factor off and forget secret and recovery codes; False when it was off."""
    if user.totp_secret is None and user.second_factor_at is None:
        return False
    user.totp_secret = user.second_factor_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
    return True


def reset_second_factor(user: User, *, actor: User, reason: str = "") -> bool:
    """An admin turns off the second factor of someone who lost their device (and their recovery codes): every
    session of theirs ends, they set it up again at the next login; audited. False when it was off."""
    if not user.has_second_factor:
        return False
    disable(user)
    end_all_sessions(user)
    record(actor, "user.second_factor_reset", user, reason=reason.strip(), snapshot=user_snapshot(user))
    return True
