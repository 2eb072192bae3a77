"""E-mail through the outbox: queue_mail() in the caller's transaction; `send-mail` claims each due message
(claim()) and deliver()s it, so runs on several app servers at once send every mail once."""
from __future__ import annotations

import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import insert, select, update

from forum.clock import utcnow
from forum.extensions import db
from forum.notifications.models import OutboxMessage

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
# A claimed message is due again after this long: only when the run that claimed it died before recording the
# delivery (SMTP's own timeout is 30 s).
CLAIM_LEASE = timedelta(minutes=10)


def absolute_url(endpoint: str, **values) -> str:
    """A link for e-mails, calendar files and CLI output: BASE_URL plus the endpoint's path (also outside a
    request, e.g. in `send-digests`)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    return base + current_app.url_map.bind("localhost").build(endpoint, values)


def render_mail(template: str, *, language: str = "de", **context) -> tuple[str, str]:
    """(subject, body) of `templates/mail/<template>.txt` rendered in the language (German if unknown).

    The template's first line is the subject ("Betreff: …" is not needed, just the text), a blank line follows.
    """
    with force_locale(language if language in ("de", "en") else "de"):
        rendered = render_template(f"mail/{template}.txt", base_url=current_app.config["BASE_URL"],
                                   reply_to=current_app.config["MAIL_REPLY_TO"], **context)
    subject, _, body = rendered.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def queue_mail(recipient: str, template: str, *, language: str = "de", headers: dict | None = None,
               **context) -> OutboxMessage:
    """Render `templates/mail/<template>.txt` in the recipient's language and put it in the outbox (with extra
    `headers`, e.g. List-Unsubscribe); flushes."""
    subject, body = render_mail(template, language=language, **context)
    message = OutboxMessage(recipient=recipient, subject=subject, body=body, headers=headers or {})
    db.session.add(message)
    db.session.flush()
    return message


def queue_mails(mails: list[tuple]) -> int:
    """Many mails at once, (recipient, template, language, context[, headers]) each, in one INSERT; returns how
    many."""
    now = utcnow()
    rows = []
    for recipient, template, language, context, *headers in mails:
        subject, body = render_mail(template, language=language, **context)
        rows.append({"recipient": recipient, "subject": subject, "body": body, "created_at": now,
                     "next_attempt_at": now, "attempts": 0, "last_error": "",
                     "headers": headers[0] if headers else {}})
    if rows:
        db.session.execute(insert(OutboxMessage.__table__), rows)
    return len(rows)


def pending_messages(limit: int = 100) -> list[OutboxMessage]:
    """Messages due for a (next) delivery attempt, oldest first."""
    return list(db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.id)
        .limit(limit)
    ))


def claim(message: OutboxMessage) -> bool:
    """Take a due message for this run by a conditional UPDATE (of parallel runs exactly one wins it): its next
    attempt moves CLAIM_LEASE ahead. The caller commits before delivering, so other runs see the claim."""
    now = utcnow()
    return db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               OutboxMessage.next_attempt_at <= now)
        .values(next_attempt_at=now + CLAIM_LEASE).execution_options(synchronize_session=False)).rowcount == 1


def deliver(message: OutboxMessage) -> bool:
    """Try to send one message; on failure count the attempt and schedule the next, or give up."""
    try:
        _transport(_as_email(message), message.id)
    except (OSError, smtplib.SMTPException) as error:
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            message.failed_at = utcnow()
        else:
            delay = RETRY_DELAYS[min(message.attempts - 1, len(RETRY_DELAYS) - 1)]
            message.next_attempt_at = utcnow() + delay
        return False
    message.attempts += 1
    message.sent_at = utcnow()
    message.last_error = ""
    return True


def _as_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    if current_app.config["MAIL_REPLY_TO"]:
        email["Reply-To"] = current_app.config["MAIL_REPLY_TO"]
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain="abc-extranet")
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body)
    return email


def _transport(email: EmailMessage, number: int) -> None:
    """SMTP in production; in development a file under instance/mail/ plus a copy on the console."""
    config = current_app.config
    if config["MAIL_BACKEND"] == "file":
        directory = Path(config["MAIL_DIR"])
        directory.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        path = directory / f"{stamp}-{number}.eml"
        path.write_bytes(bytes(email))
        if not config.get("TESTING"):
            print(f"--- Mail an {email['To']} ({path}) ---\n{email.get_content()}")
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)
