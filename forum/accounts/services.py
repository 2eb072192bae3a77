"""Account life cycle: registration, confirmation, approval, login, passwords, profile, role and status changes."""
from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from forum.accounts.models import ROLE_LABELS, STATUS_LABELS, User
from forum.accounts.sessions import end_all_sessions, end_other_sessions
from forum.clock import utcnow
from forum.dates import format_date
from forum.extensions import db
from forum.audit import user_snapshot, record
from forum.notifications.models import OutboxMessage
from forum.notifications.outbox import absolute_url as _link, queue_mail, render_mail
from forum.organisations.models import Organisation
from forum.queries import contains

def _dummy_hash() -> str:
    """A hash to compare against when the e-mail is unknown, so a login takes as long either way (made with the
    configured method, once per method)."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("timing-equaliser-not-a-password", method=method)
    return _DUMMY_HASHES[method]


_DUMMY_HASHES: dict[str, str] = {}


def normalise_email(email: str) -> str:
    """E-mail addresses are unique case-insensitively: stored trimmed and lower-cased."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def hash_password(password: str) -> str:
    """Salted scrypt with the strength of PASSWORD_HASH_METHOD (werkzeug's default in production)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


# --- tokens in e-mailed links -------------------------------------------------------------------------------

def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"abc-extranet-{purpose}")


def make_confirmation_token(user: User) -> str:
    """Bound to the registration's password hash: a repeated registration makes earlier links useless."""
    return _serializer("confirm").dumps({"id": user.id, "email": user.email, "pw": user.password_hash[-12:]})


def make_reset_token(user: User) -> str:
    """Bound to the current password hash: once the password changes, the link is used up."""
    return _serializer("reset").dumps({"id": user.id, "pw": user.password_hash[-12:]})


def user_from_confirmation_token(token: str) -> User | None:
    data = _load(token, "confirm", current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    user = db.session.get(User, data["id"]) if data else None
    if user is None or user.email != data.get("email") or user.password_hash[-12:] != data.get("pw"):
        return None
    return user


def user_from_reset_token(token: str) -> User | None:
    data = _load(token, "reset", current_app.config["RESET_TOKEN_MAX_AGE"])
    user = db.session.get(User, data["id"]) if data else None
    if user is None or user.password_hash[-12:] != data.get("pw") or user.status not in ("active", "pending"):
        return None
    return user


def _load(token: str, purpose: str, max_age: int) -> dict | None:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("id"), int) else None


# --- registration -------------------------------------------------------------------------------------------

def register_user(*, email: str, display_name: str, function: str, organisation: Organisation,
                  password: str, language: str = "de") -> User | None:
    """Create a pending account and mail the confirmation link.

    A repeated registration of an address nobody has confirmed yet replaces the pending one (the latest
    registration wins, earlier links stop working), and confirming asks for its password: so whoever controls
    the mailbox ends up with the only working password, even if a stranger registered the address first.
    For an address with a confirmed account, nothing is created and its owner gets a hint instead. Every path
    hashes the password once and queues one mail, so neither the answer nor its timing tells a stranger whether
    an address has an account. Returns the new or replaced pending user, or None.
    """
    email = normalise_email(email)
    password_hash = hash_password(password)
    existing = find_user_by_email(email)
    if existing is not None and existing.status == "pending" and not existing.is_email_confirmed:
        existing.display_name, existing.function = display_name.strip(), function.strip()
        existing.organisation, existing.language = organisation, language
        existing.password_hash, existing.terms_accepted_at = password_hash, utcnow()
        db.session.flush()
        queue_mail(existing.email, "confirm_email", language=language, user=existing,
                   confirm_url=_link("accounts.confirm_email", token=make_confirmation_token(existing)))
        return existing
    if existing is not None:
        queue_mail(existing.email, "already_registered", language=existing.language, user=existing,
                   login_url=_link("accounts.login"), reset_url=_link("accounts.forgot_password"))
        return None
    user = User(email=email, display_name=display_name.strip(), function=function.strip(),
                organisation=organisation, password_hash=password_hash, language=language,
                status="pending", role="member", terms_accepted_at=utcnow())
    db.session.add(user)
    db.session.flush()
    queue_mail(user.email, "confirm_email", language=language, user=user,
               confirm_url=_link("accounts.confirm_email", token=make_confirmation_token(user)))
    return user


def domain_matches_organisation(user: User) -> bool:
    """True when the address's domain is one of the chosen organisation's domains."""
    return user.email_domain in user.organisation.domain_names


def confirm_email(user: User) -> str:
    """Mark the address confirmed; activate at once when the domain matches, else wait for a moderator.

    Only for someone who proved both the mailbox and the password (the confirmation page asks for it, a reset
    link sets it). Returns the resulting state: "active", "awaiting_approval" or "already_confirmed".
    """
    if user.is_email_confirmed:
        return "already_confirmed"
    user.email_confirmed_at = utcnow()
    if domain_matches_organisation(user):
        user.status = "active"
        user.approved_at = utcnow()
        db.session.flush()
        return "active"
    db.session.flush()
    return "awaiting_approval"


def pending_registrations_query():
    """Confirmed applicants waiting for a moderator, oldest first."""
    return (select(User)
            .where(User.status == "pending", User.email_confirmed_at.is_not(None))
            .options(selectinload(User.organisation).selectinload(Organisation.domains))
            .order_by(User.created_at, User.id))


def count_pending_registrations() -> int:
    return db.session.scalar(select(func.count()).select_from(pending_registrations_query().subquery()))


def approve_registration(applicant: User, *, actor: User) -> None:
    """Activate a confirmed applicant, audit it and tell them by e-mail."""
    applicant.status = "active"
    applicant.approved_at = utcnow()
    record(actor, "registration.approve", applicant, snapshot=user_snapshot(applicant))
    queue_mail(applicant.email, "registration_approved", language=applicant.language, user=applicant,
               login_url=_link("accounts.login"))


def reject_registration(applicant: User, *, actor: User, reason: str) -> None:
    """Reject a confirmed applicant with a reason that is audited and mailed to them."""
    applicant.status = "rejected"
    applicant.status_reason = reason
    record(actor, "registration.reject", applicant, reason=reason, snapshot=user_snapshot(applicant))
    queue_mail(applicant.email, "registration_rejected", language=applicant.language, user=applicant,
               reason=reason, imprint_url=_link("pages.show", slug="impressum"))


# --- login and passwords ------------------------------------------------------------------------------------

def authenticate(email: str, password: str) -> User | None:
    """The user with this address and password, whatever their status; None otherwise (same time either way)."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    lift_ended_suspension(user)
    return user


def password_matches(user: User, password: str) -> bool:
    """Whether `password` is the account's password (for confirming a registration)."""
    return check_password_hash(user.password_hash, password)


def lift_ended_suspension(user: User) -> bool:
    """A suspension whose end date has passed ends at the next login (audited, without an actor)."""
    if user.status != "suspended" or user.suspended_until is None or user.suspended_until > utcnow():
        return False
    user.status, user.status_reason, user.suspended_until = "active", "", None
    db.session.flush()
    record(None, "user.suspension_ended", user, snapshot=user_snapshot(user))
    return True


def login_refusal(user: User | None) -> str | None:
    """Why this login cannot go ahead, as a message for the form; None when it can.

    Only someone who knows the password learns the account's state; everyone else gets the same message.
    """
    if user is None or user.status in ("deleted", "rejected"):
        return _("E-Mail-Adresse oder Passwort ist nicht richtig.")
    if user.status == "pending" and not user.is_email_confirmed:
        return _("Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse über den Link in unserer E-Mail.")
    if user.status == "pending":
        return _("Ihre Registrierung wird noch von der Servicestelle geprüft. Sie erhalten eine E-Mail, "
                 "sobald Ihr Konto freigeschaltet ist.")
    if user.status == "suspended":
        message = (_("Ihr Konto ist bis einschließlich %(date)s gesperrt.", date=format_date(user.suspended_through))
                   if user.suspended_until else _("Ihr Konto ist gesperrt."))
        if user.status_reason:
            message += " " + _("Begründung: %(reason)s", reason=user.status_reason)
        return message + " " + _("Bei Fragen wenden Sie sich bitte an die Servicestelle.")
    return None


def record_login(user: User, *, language: str | None = None) -> None:
    """Note the login; a language switched to on the login page becomes the profile's language."""
    user.last_login_at = utcnow()
    if language in ("de", "en"):
        user.language = language
    db.session.flush()


def request_password_reset(email: str) -> bool:
    """Mail a reset link if an account with this address can log in; the caller answers the same either way.

    For an unknown address the same link and mail are made and thrown away, so the time taken does not tell."""
    user = find_user_by_email(email)
    can_reset = user is not None and user.status in ("active", "pending")
    recipient = user if can_reset else User(id=0, email=normalise_email(email), display_name="", language="de",
                                            password_hash=_dummy_hash())
    subject, body = render_mail("reset_password", language=recipient.language, user=recipient,
                                reset_url=_link("accounts.reset_password", token=make_reset_token(recipient)),
                                valid_minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60)
    if not can_reset:
        return False
    db.session.add(OutboxMessage(recipient=user.email, subject=subject, body=body))
    db.session.flush()
    return True


def set_password(user: User, password: str) -> None:
    """New password hash; ends every open reset link (they are bound to the hash)."""
    user.password_hash = hash_password(password)
    db.session.flush()


def reset_password(user: User, password: str) -> None:
    """A reset link proves the address too, so a pending unconfirmed account counts as confirmed. Every session
    ends: whoever knew the old password is logged out everywhere."""
    set_password(user, password)
    end_all_sessions(user)
    if not user.is_email_confirmed:
        confirm_email(user)
    queue_mail(user.email, "password_changed", language=user.language, user=user)


def change_password(user: User, password: str) -> None:
    """A new password from the profile: every other session ends, the one this request runs in goes on."""
    set_password(user, password)
    end_other_sessions(user)
    queue_mail(user.email, "password_changed", language=user.language, user=user)


def update_profile(user: User, *, display_name: str, function: str, language: str,
                   email_notifications: str | None = None, announcement_emails: bool | None = None) -> None:
    """Name, function, language and (when given) how notifications and announcements come by e-mail."""
    user.display_name = display_name.strip()
    user.function = function.strip()
    user.language = language
    if email_notifications is not None:
        user.email_notifications = email_notifications
    if announcement_emails is not None:
        user.announcement_emails = announcement_emails
    db.session.flush()


def set_language(user: User, language: str) -> None:
    user.language = language
    db.session.flush()


# --- administration -----------------------------------------------------------------------------------------

def change_user(user: User, *, actor: User, role: str, status: str, organisation: Organisation,
                reason: str = "") -> list[str]:
    """Apply an admin's changes, audit each one, end every session of a user who is no longer active.

    Returns the names of the fields that changed.
    """
    before = user_snapshot(user)
    changed = []
    if role != user.role:
        changed.append("role")
        user.role = role
    if status != user.status:
        changed.append("status")
        user.status = status
        user.status_reason = reason
        user.suspended_until = None
        if status == "active" and user.approved_at is None:
            user.approved_at = utcnow()
    if organisation.id != user.organisation_id:
        changed.append("organisation")
        user.organisation = organisation
    if not changed:
        return changed
    db.session.flush()
    for field in changed:
        record(actor, f"user.change_{field}", user, reason=reason,
               snapshot={"before": before, "after": user_snapshot(user)})
    if "status" in changed and status != "active":
        end_all_sessions(user)
    if "status" in changed and status == "suspended":
        queue_mail(user.email, "account_suspended", language=user.language, user=user, reason=reason)
    return changed


def suspend_user(user: User, *, actor: User, reason: str, until=None) -> bool:
    """Suspend an account (until a moment, or until lifted): every session ends at once, the person is mailed
    the reason; audited. False when the account is not active."""
    if user.status != "active":
        return False
    before = user_snapshot(user)
    user.status, user.status_reason, user.suspended_until = "suspended", reason.strip(), until
    db.session.flush()
    end_all_sessions(user)
    record(actor, "user.suspend", user, reason=reason.strip(),
           snapshot={"before": before, "after": user_snapshot(user),
                     "until": until.isoformat() if until else None})
    queue_mail(user.email, "account_suspended", language=user.language, user=user, reason=reason.strip())
    return True


def reactivate_user(user: User, *, actor: User, reason: str = "") -> bool:
    """Lift a suspension now (audited, the person is mailed); False when the account is not suspended."""
    if user.status != "suspended":
        return False
    before = user_snapshot(user)
    user.status, user.status_reason, user.suspended_until = "active", "", None
    db.session.flush()
    record(actor, "user.reactivate", user, reason=reason.strip(),
           snapshot={"before": before, "after": user_snapshot(user)})
    queue_mail(user.email, "account_reactivated", language=user.language, user=user)
    return True


def users_query(*, status: str = "", role: str = "", search: str = "") -> Select:
    """Accounts newest first, filtered by status, role and a search in name, e-mail and organisation
    (the admins' and the moderators' account lists)."""
    query = select(User).join(User.organisation).order_by(User.created_at.desc(), User.id.desc())
    if status in STATUS_LABELS:
        query = query.where(User.status == status)
    if role in ROLE_LABELS:
        query = query.where(User.role == role)
    if search:
        query = query.where(or_(contains(User.display_name, search), contains(User.email, search),
                                contains(Organisation.name, search)))
    return query
