"""User administration: roles, status, organisation; audited; no self-lock-out."""
from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import User
from forum.extensions import db
from forum.audit import AuditEntry
from tests.factories import make_organisation, make_user
from tests.helpers import text_of


def change(client, user, **data):
    form = {"role": user.role, "status": user.status, "organisation_id": user.organisation_id, "reason": ""}
    form.update(data)
    return client.post(f"/admin/users/{user.id}", data=form)


def test_admin_lists_and_filters_accounts(admin_client):
    make_user(display_name="Paula Pending", status="pending")
    make_user(display_name="Anton Aktiv", role="organiser")
    db.session.commit()
    pending = text_of(admin_client.get("/admin/users?status=pending"))
    assert "Paula Pending" in pending and "Anton Aktiv" not in pending
    organisers = text_of(admin_client.get("/admin/users?role=organiser"))
    assert "Anton Aktiv" in organisers and "Paula Pending" not in organisers
    assert "Anton Aktiv" in text_of(admin_client.get("/admin/users?q=anton"))


def test_admin_makes_a_member_moderator_and_it_is_audited(admin_client, admin, member):
    response = change(admin_client, member, role="moderator", reason="Neue Kollegin in der Servicestelle")
    assert response.status_code == 302
    db.session.expire_all()
    assert member.role == "moderator"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.change_role"))
    assert entry.actor_id == admin.id and entry.target_id == member.id
    assert entry.snapshot["before"]["role"] == "member" and entry.snapshot["after"]["role"] == "moderator"
    assert entry.reason == "Neue Kollegin in der Servicestelle"
    assert "Rolle geändert" in text_of(admin_client.get("/moderation/log"))


def test_suspension_needs_a_reason_ends_the_sessions_and_mails_the_person(admin_client, client_as, member, outbox):
    members_browser = client_as(member)
    refused = change(admin_client, member, status="suspended")
    assert "Bitte begründen Sie die Sperrung." in text_of(refused)
    change(admin_client, member, status="suspended", reason="Sozialdaten veröffentlicht")
    db.session.expire_all()
    assert member.status == "suspended" and member.status_reason == "Sozialdaten veröffentlicht"
    assert members_browser.get("/").status_code == 302
    assert "Sozialdaten veröffentlicht" in outbox(member.email)[-1].body


def test_admin_moves_a_user_to_another_organisation(admin_client, member):
    leipzig = make_organisation(name="Jobcenter Leipzig", land="SN")
    db.session.commit()
    change(admin_client, member, organisation_id=leipzig.id)
    db.session.expire_all()
    assert member.organisation.name == "Jobcenter Leipzig"


def test_admin_cannot_change_their_own_account(admin_client, admin):
    page = text_of(admin_client.get(f"/admin/users/{admin.id}"))
    assert "Ihr eigenes Konto können Sie hier nicht ändern." in page
    assert change(admin_client, admin, role="member").status_code == 403
    db.session.expire_all()
    assert admin.role == "admin"


def test_saving_without_changes_writes_no_audit_entry(admin_client, member):
    change(admin_client, member)
    assert db.session.scalar(select(AuditEntry)) is None


def test_unknown_role_or_status_is_refused_without_a_500(admin_client, member):
    response = change(admin_client, member, role="superuser", status="god")
    assert response.status_code == 200
    assert "Keine gültige Auswahl." in text_of(response)
    db.session.expire_all()
    assert member.role == "member"


def test_members_moderators_and_organisers_cannot_administer_users(client_as, member):
    for role in ("member", "organiser", "moderator"):
        client = client_as(make_user(role=role))
        assert client.get("/admin/users").status_code == 403
        assert client.post(f"/admin/users/{member.id}", data={"role": "admin"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, member.id).role == "member"


def test_admin_replaces_a_legal_page_which_is_sanitised_and_audited(admin_client, client):
    response = admin_client.post("/pages/impressum/edit", data={
        "title": "Impressum",
        "body": "## Anbieter\n\nServicestelle <script>alert(1)</script> [Web](javascript:alert(1))"})
    assert response.headers["Location"] == "/pages/impressum"
    html = client.get("/pages/impressum").get_data(as_text=True)
    assert "<h2>Anbieter</h2>" in html  # right below the page title (h1)
    assert "<script>alert" not in html and "javascript:" not in html
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "page.update")) is not None
