"""Operator commands: create-admin, seed-demo (idempotent, realistic), rerender."""
from __future__ import annotations

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.extensions import db
from forum.ideas.models import ReferenceTerm
from forum.organisations.models import LAENDER, Organisation
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
