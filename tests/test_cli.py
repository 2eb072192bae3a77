"""Operator commands: create-admin, seed-demo (idempotent, realistic), rerender."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.discussion.boards import DEFAULT_BOARDS
from forum.discussion.models import Board
from forum.extensions import db
from forum.ideas.models import ReferenceTerm
from forum.moderation.models import Report
from forum.notifications.models import OutboxMessage
from forum.organisations.models import Organisation
from forum.pages.models import SitePage


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


def test_seed_demo_after_create_admin_adds_no_second_board_and_plays_no_moderation_for_real_staff(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--email", "leitung@servicestelle-sgb2.de", "--name", "Andrea Admin",
                                 "--password", "Heftklammer-Ampel-Wolke-42"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Board.id))) == len(DEFAULT_BOARDS)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    titles = Counter(db.session.scalars(select(Board.title)))  # the demo adds one Fachforum of its own
    assert all(titles[title] == 1 for title, _description in DEFAULT_BOARDS)
    # a real admin would be notified of reports and mails: the demo plays no moderation then
    assert db.session.scalar(select(func.count(Report.id))) == 0
    assert not db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient.not_like("%.example"))).all()
