"""Operator commands: create-admin, seed-demo (idempotent, realistic), rerender."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.clock import utcnow
from forum import guard
from forum.discussion.models import Post, Thread
from forum.extensions import db
from forum.ideas.models import ReferenceTerm
from forum.audit import AuditEntry
from forum.moderation.models import Report
from forum.notifications.models import Notification, OutboxMessage
from forum.organisations.models import LAENDER, Organisation
from forum.pages.models import SitePage
from tests.factories import make_user


def test_create_admin_creates_an_active_admin_who_can_log_in(app, client):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "Chefin@Servicestelle.example",
                                                "--name", "Clara Chefin"],
                                          input="Heftklammer-Ampel-Wolke-42\nHeftklammer-Ampel-Wolke-42\n")
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User).where(User.email == "chefin@servicestelle.example"))
    assert admin.role == "admin" and admin.status == "active"
    assert admin.organisation.kind == "service_office"
    response = client.post("/accounts/login", data={"email": "chefin@servicestelle.example",
                                                     "password": "Heftklammer-Ampel-Wolke-42"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(SitePage.id))) == 4
    kinds = set(db.session.scalars(select(ReferenceTerm.kind)))
    assert kinds == {"topic", "target_group", "partner_type"}  # the Ideenbörse lists exist from the start


def test_create_admin_refuses_a_short_password_and_a_duplicate(app):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["create-admin", "--email", "a@b.example", "--name", "A"], input="kurz\nkurz\n")
    assert short.exit_code != 0 and "mindestens 12 Zeichen" in short.output
    runner.invoke(args=["create-admin", "--email", "a@b.example", "--name", "A"],
                  input="Heftklammer-Ampel-Wolke-42\nHeftklammer-Ampel-Wolke-42\n")
    again = runner.invoke(args=["create-admin", "--email", "A@b.example", "--name", "A"],
                          input="Heftklammer-Ampel-Wolke-42\nHeftklammer-Ampel-Wolke-42\n")
    assert again.exit_code != 0 and "Es gibt schon ein Konto" in again.output


def test_seed_demo_is_realistic_and_idempotent(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "mitglied@jobcenter-dortmund.example" in first.output and "demo-passwort" in first.output
    counts = (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Organisation.id))))
    second = runner.invoke(args=["seed-demo"])
    assert "schon vorhanden" in second.output
    assert (db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(Organisation.id)))) == counts

    jobcenters = db.session.scalars(select(Organisation).where(Organisation.kind == "jobcenter")).all()
    assert len(jobcenters) >= 30
    assert {jc.land for jc in jobcenters} == set(LAENDER)
    assert {jc.jobcenter_type for jc in jobcenters} == {"ge", "zkt"}
    assert {"service_office", "ministry", "partner"} <= set(db.session.scalars(select(Organisation.kind)))
    roles = set(db.session.scalars(select(User.role).where(User.status == "active")))
    assert roles == {"member", "organiser", "moderator", "admin"}

    for email in ("admin@servicestelle.example", "moderation@servicestelle.example",
                  "veranstaltung@servicestelle.example", "mitglied@jobcenter-dortmund.example"):
        response = client.post("/accounts/login", data={"email": email, "password": "demo-passwort"})
        assert response.headers["Location"] == "/", email
        client.post("/accounts/logout")


def test_seed_demo_if_empty_leaves_a_used_database_alone(app, member):
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert "schon vorhanden" in result.output
    assert db.session.scalar(select(func.count(Organisation.id))) == 1


def test_rerender_rebuilds_the_stored_html(app):
    page = SitePage(slug="impressum", title="Impressum", body_source="**fett**", body_html="veraltet")
    db.session.add(page)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rerender"])
    assert "1 Texte neu erzeugt" in result.output
    db.session.expire_all()
    assert page.body_html == "<p><strong>fett</strong></p>"


def test_seed_demo_includes_moderation_played_through_the_services_once(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0

    hidden = db.session.scalars(select(Post).where(Post.hidden_at.is_not(None))).all()
    insult = next(post for post in hidden if post.hidden_reason == "insult")
    assert insult.hidden_by.email == "moderation@servicestelle.example" and insult.hidden_note
    pending = next(post for post in hidden if post.hidden_reason == "client_data")
    assert pending.hidden_by_id is None  # hidden by the report, pending review
    assert "12345BG0067890" in pending.body_source and guard.scan(pending.body_source)
    assert db.session.scalar(select(func.count(Post.id)).where(Post.pinned_at.is_not(None))) >= 1
    assert db.session.scalar(select(func.count(Thread.id)).where(Thread.pinned_at.is_not(None),
                                                                 Thread.board_id.is_not(None))) >= 1
    locked = db.session.scalars(select(Thread).where(Thread.locked_at.is_not(None))).all()
    assert locked and all(thread.lock_reason for thread in locked)

    open_reports = db.session.scalars(select(Report).where(Report.resolved_at.is_(None))).all()
    assert len(open_reports) >= 3 and all(report.note for report in open_reports)
    assert {"client_data", "spam", "off_topic"} <= {report.reason for report in open_reports}
    assert pending.id in {report.post_id for report in open_reports}
    assert max(Counter(report.post_id for report in open_reports).values()) == 2  # reported by two members
    assert db.session.scalar(select(func.count(Report.id)).where(Report.outcome == "dismissed")) == 1
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"post.hide", "post.auto_hide", "post.pin", "post.unhide", "thread.pin", "thread.lock",
            "report.resolve"} <= actions
    assert db.session.scalar(select(func.max(AuditEntry.created_at))) <= utcnow()
    assert all(message.recipient.endswith(".example") for message in db.session.scalars(select(OutboxMessage)))

    counts = [db.session.scalar(select(func.count(model.id))) for model in (Post, Report, AuditEntry, Notification)]
    assert "schon vorhanden" in runner.invoke(args=["seed-demo"]).output
    assert [db.session.scalar(select(func.count(model.id)))
            for model in (Post, Report, AuditEntry, Notification)] == counts


def test_seed_demo_plays_no_moderation_when_real_staff_would_be_notified(app):
    make_user(role="admin", email="leitung@servicestelle-sgb2.de")
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count(Report.id))) == 0
    assert not db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient.not_like("%.example"))).all()
