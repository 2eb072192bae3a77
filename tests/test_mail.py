"""The outbox: mail is queued with the change, delivered by `send-mail`, retried on failure, in the user's language."""
from __future__ import annotations

import smtplib
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.notifications.models import OutboxMessage
from forum.notifications.outbox import CLAIM_LEASE, claim, pending_messages, queue_mail
from tests.factories import make_user


def test_send_mail_writes_files_in_development_and_marks_them_sent(app, member, outbox):
    queue_mail(member.email, "registration_approved", user=member, login_url="http://x/login")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert "1 Mail(s) versendet" in result.output
    files = sorted(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    message = message_from_bytes(files[-1].read_bytes(), policy=policy.default)
    assert message["To"] == member.email
    assert message["Subject"] == "Ihr Konto im ABC-Extranet ist freigeschaltet"
    assert "Guten Tag" in message.get_content()
    assert outbox(member.email)[-1].sent_at is not None
    assert "0 Mail(s) versendet" in app.test_cli_runner().invoke(args=["send-mail"]).output


def test_a_message_claimed_by_one_run_is_left_alone_by_another(app, member, outbox):
    queue_mail(member.email, "password_changed", user=member)
    db.session.commit()
    [message] = pending_messages()
    assert claim(message) and not claim(message)  # a parallel run loses the conditional UPDATE
    db.session.commit()
    assert pending_messages() == []
    assert "0 Mail(s) versendet" in app.test_cli_runner().invoke(args=["send-mail"]).output
    message.next_attempt_at -= CLAIM_LEASE  # the claiming run died: after the lease the mail is due again
    db.session.commit()
    assert "1 Mail(s) versendet" in app.test_cli_runner().invoke(args=["send-mail"]).output


def test_mail_is_written_in_the_recipients_language(member):
    member.language = "en"
    message = queue_mail(member.email, "registration_approved", language="en", user=member, login_url="x")
    german = queue_mail(member.email, "registration_approved", language="de", user=member, login_url="x")
    assert message.subject != german.subject
    assert german.subject == "Ihr Konto im ABC-Extranet ist freigeschaltet"


def test_failed_smtp_delivery_is_retried_later_and_given_up_after_the_limit(app, member, monkeypatch):
    class BrokenSMTP:
        def __init__(self, *args, **kwargs):
            raise smtplib.SMTPConnectError(421, "Service not available")

    monkeypatch.setattr(smtplib, "SMTP", BrokenSMTP)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    message = queue_mail(member.email, "password_changed", user=member)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert "1 fehlgeschlagen" in result.output
    db.session.expire_all()
    assert message.attempts == 1 and message.sent_at is None and message.failed_at is None
    assert "Service not available" in message.last_error
    assert message.next_attempt_at > message.created_at
    # not due yet: the next run leaves it alone
    assert "0 Mail(s) versendet, 0 fehlgeschlagen" in app.test_cli_runner().invoke(args=["send-mail"]).output

    for _ in range(app.config["MAIL_MAX_ATTEMPTS"] - 1):
        message.next_attempt_at = message.created_at
        db.session.commit()
        app.test_cli_runner().invoke(args=["send-mail"])
        db.session.expire_all()
    assert message.attempts == app.config["MAIL_MAX_ATTEMPTS"] and message.failed_at is not None


def test_smtp_delivery_sends_the_message(app, member, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append((host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(message["To"])

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    queue_mail(member.email, "password_changed", user=member)
    db.session.commit()
    app.test_cli_runner().invoke(args=["send-mail"])
    assert sent == [(app.config["MAIL_SERVER"], app.config["MAIL_PORT"]), member.email]


def test_a_mail_is_only_queued_when_its_change_commits(client, outbox):
    organisation = make_user().organisation
    db.session.commit()
    response = client.post("/accounts/register", data={
        "email": "neu@mail.example", "display_name": "Nina", "function": "IFK", "organisation_id": organisation.id,
        "password": "kurz", "password_confirm": "kurz", "accept_terms": "y"})
    assert response.status_code == 200
    assert outbox("neu@mail.example") == []


@pytest.mark.parametrize("template", ["confirm_email", "already_registered", "registration_approved",
                                      "registration_rejected", "reset_password", "password_changed",
                                      "account_suspended"])
def test_every_mail_template_has_a_subject_and_a_signature(member, template):
    message = queue_mail(member.email, template, user=member, confirm_url="u", login_url="u", reset_url="u",
                         reason="Grund", valid_minutes=60)
    assert message.subject and "\n" not in message.subject
    assert "Servicestelle SGB II" in message.body
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.id == message.id)) is message
