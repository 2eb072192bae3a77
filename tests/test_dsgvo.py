"""Data protection (forum/privacy/): download my data, delete my account (self-service and by an admin), and
the retention purge."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum import permissions, storage
from forum.accounts.models import FORMER_MEMBER, User
from forum.audit import ACTION_LABELS, AuditEntry, idea_snapshot, post_snapshot, record, user_snapshot
from forum.clock import utcnow
from forum.discussion.models import Post, PostRevision
from forum.discussion.quotes import quote
from forum.discussion.services import add_post, edit_post
from forum.events.models import EventRegistration
from forum.events.services import register
from forum.extensions import db, limiter
from forum.ideas.models import Idea, IdeaVote
from forum.ideas.services import vote
from forum.moderation.models import Report
from forum.notifications.following import follow
from forum.notifications.models import Follow, Notification, OutboxMessage
from forum.privacy.deletion import delete_account
from forum.privacy.exports import (EXPORTED, NOT_EXPORTED, build_export, claim_next_export, export_data,
                                   request_export)
from forum.privacy.models import DataExport
from forum.privacy.retention import purge
from forum.search.index import index_post
from tests.factories import (PASSWORD, make_event, make_idea, make_notification, make_organisation, make_post,
                             make_user)
from tests.helpers import ROLES, actor, audit, count_queries, fresh, text_of


def built_export(user) -> DataExport:
    """A requested export, built as `flask build-exports` would."""
    export = request_export(user)
    claimed = claim_next_export()
    assert claimed.id == export.id
    build_export(claimed)
    return claimed


def zip_of(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response.data))


# --- download my data -------------------------------------------------------------------------------------

def test_member_requests_an_export_on_the_profile_page_and_it_is_built_outside_the_request(app, client_as):
    member = make_user(display_name="Erika Muster")
    client = client_as(member)
    page = client.get("/accounts/profile")
    assert "Meine Daten anfordern" in text_of(page)
    response = client.post("/privacy/export", follow_redirects=True)
    assert "Ihre Daten werden zusammengestellt" in text_of(response)
    export = db.session.scalar(select(DataExport).where(DataExport.user_id == member.id))
    assert export.status == "requested" and not export.file_name  # nothing built in the request
    assert "angefordert" in text_of(client.get("/accounts/profile"))
    again = client.post("/privacy/export", follow_redirects=True)
    assert "bereits zusammengestellt" in text_of(again)
    assert db.session.scalar(select(func.count(DataExport.id)).where(DataExport.user_id == member.id)) == 1

    build_export(claim_next_export())
    db.session.commit()
    note = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert note.kind == "data_export"
    assert "Die Kopie Ihrer Daten steht bereit" in text_of(client.get("/notifications/"))
    profile = client.get("/accounts/profile")
    assert "bereit zum Herunterladen" in text_of(profile)
    download = client.get(f"/privacy/export/{fresh(DataExport, export.id).token}")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert "data.json" in zip_of(download).namelist()
    assert "attachment" in download.headers["Content-Disposition"]


def test_export_requests_are_rate_limited_per_account(app, client_as):
    member = make_user()
    client = client_as(member)
    limiter.reset()
    app.config["RATELIMIT_DATA_EXPORT"] = "2 per day"
    try:
        codes = [client.post("/privacy/export").status_code for _ in range(3)]
        other = client_as(make_user()).post("/privacy/export").status_code
    finally:
        app.config["RATELIMIT_DATA_EXPORT"] = "10 per day"
        limiter.reset()
    assert codes == [302, 302, 429] and other == 302


def test_the_ready_mail_goes_the_usual_way_for_people_who_want_mail_at_once(app, outbox):
    member = make_user()
    built_export(member)
    mails = outbox(member.email)
    assert len(mails) == 1 and "/accounts/profile#meine-daten" in mails[0].body


def test_the_zip_holds_every_kind_of_the_members_data(app, client_as):
    organisation = make_organisation(name="Jobcenter Musterstadt")
    member = make_user(display_name="Erika Muster", organisation=organisation, function="Fallmanagerin")
    post = make_post(author=member, body="Unser **Gesundheitscoaching** läuft gut.")
    idea = make_idea(author=member, title="Coaching im Quartier")
    other_idea = make_idea()
    vote(other_idea, member)
    event = make_event()
    register(member, event)
    follow(member, post.thread)
    make_notification(user=member)
    db.session.add(Report(post_id=make_post().id, reporter_id=member.id, reason="offensive"))
    admin = make_user(role="admin")
    record(admin, "user.change_role", member, reason="Neue Aufgabe", snapshot=user_snapshot(member))
    export = built_export(member)
    client = client_as(member)

    archive = zip_of(client.get(f"/privacy/export/{export.token}"))
    names = set(archive.namelist())
    assert {"data.json", "uebersicht.txt", f"beitraege/{post.id}.md", f"ansaetze/{idea.id}.md"} <= names
    data = json.loads(archive.read("data.json"))
    assert data["profil"][0]["display_name"] == "Erika Muster"
    assert "password_hash" not in data["profil"][0] and "session_version" not in data["profil"][0]
    assert data["organisation"][0]["name"] == "Jobcenter Musterstadt"
    assert [row["body_source"] for row in data["beitraege"]] == ["Unser **Gesundheitscoaching** läuft gut."]
    assert data["ansaetze"][0]["title"] == "Coaching im Quartier"
    assert [row["idea_id"] for row in data["stimmen"]] == [other_idea.id]
    assert [(row["event_id"], row["status"]) for row in data["anmeldungen_und_teilnahme"]] == [(event.id, "registered")]
    assert {row["target_type"] for row in data["verfolgt"]} == {"thread", "event"}
    assert len(data["benachrichtigungen"]) == 1
    assert [row["reason"] for row in data["meldungen"]] == ["offensive"]
    assert [row["action"] for row in data["protokoll_ueber_mich"]] == ["user.change_role"]
    assert "Unser **Gesundheitscoaching** läuft gut." in archive.read(f"beitraege/{post.id}.md").decode()
    assert "Erika Muster" in archive.read("uebersicht.txt").decode()


def test_every_table_referring_to_users_is_exported_or_excluded_with_a_reason(app):
    """A new table with a user column fails here until forum/privacy/exports.py says what happens to it."""
    covered = {(table, column) for table, column in EXPORTED.values()} | set(NOT_EXPORTED)
    missing = [(table.name, column.name) for table in db.metadata.sorted_tables for column in table.columns
               if any(key.column.table.name == "users" and key.column.name == "id" for key in column.foreign_keys)
               and (table.name, column.name) not in covered]
    assert not missing, f"neither exported nor excluded with a reason: {missing}"
    assert all(reason.strip() for reason in NOT_EXPORTED.values())
    stale = [pair for pair in covered if pair[0] not in db.metadata.tables
             or pair[1] not in db.metadata.tables[pair[0]].columns]
    assert not stale, f"named in exports.py but not in the models: {stale}"


@pytest.mark.parametrize("role", ["member", "organiser", "moderator", "admin", "other_jobcenter"])
def test_nobody_but_the_member_downloads_their_export(app, client_as, role):
    owner = make_user()
    export = built_export(owner)
    someone = make_user(role="member" if role == "other_jobcenter" else role,
                        organisation=owner.organisation if role == "member" else None)
    assert client_as(someone).get(f"/privacy/export/{export.token}").status_code == 404
    assert "data.json" in zip_of(client_as(owner).get(f"/privacy/export/{export.token}")).namelist()


def test_an_export_is_gone_after_it_expires_and_purge_deletes_the_file(app, client_as):
    member = make_user()
    export = built_export(member)
    name = export.file_name
    assert storage.exists("exports", name)
    export.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    client = client_as(member)
    assert client.get(f"/privacy/export/{export.token}").status_code == 404
    assert purge()["expired_exports"] == 1
    assert not storage.exists("exports", name) and fresh(DataExport, export.id).status == "expired"
    assert "abgelaufen" in text_of(client.get("/accounts/profile"))
    assert purge()["expired_exports"] == 0


def test_build_exports_claims_each_request_once_and_a_second_run_builds_nothing(app):
    first, second = make_user(), make_user()
    request_export(first)
    request_export(second)
    runner = app.test_cli_runner()
    db.session.commit()
    assert "2 Datenkopie(n) erstellt" in runner.invoke(args=["build-exports"]).output
    assert "0 Datenkopie(n) erstellt" in runner.invoke(args=["build-exports"]).output
    assert claim_next_export() is None
    files = [export.file_name for export in db.session.scalars(select(DataExport))]
    assert len(files) == 2 and all(storage.exists("exports", name) for name in files)


def test_a_claimed_export_is_not_claimed_again_by_a_parallel_run(app):
    request_export(make_user())
    assert claim_next_export() is not None
    assert claim_next_export() is None  # the other run finds it taken


def test_the_profile_page_with_exports_runs_a_bounded_number_of_queries(app, client_as):
    member = make_user()
    client = client_as(member)
    client.get("/accounts/profile")
    with count_queries() as few:
        client.get("/accounts/profile")
    for _ in range(4):
        built_export(member)
    with count_queries() as many:
        client.get("/accounts/profile")
    assert len(many) == len(few)


# --- delete my account ------------------------------------------------------------------------------------

def test_member_deletes_their_account_and_is_anonymised_everywhere(app, client_as):
    member = make_user(display_name="Erika Muster", function="Fallmanagerin")
    reader = make_user()
    post = make_post(author=member, body="Praxisbericht über Gesundheitscoaching.")
    index_post(post)
    idea = make_idea(author=make_user())
    vote(idea, member)
    own_idea = make_idea(author=member, contact="Erika Muster, erika@jobcenter.example")
    follow(member, post.thread)
    make_notification(user=member)
    export = built_export(member)
    file = export.file_name
    email = member.email
    client = client_as(member)
    reader_client = client_as(reader)
    assert "Erika Muster" in text_of(reader_client.get("/search/?q=Gesundheitscoaching"))

    page = client.get("/privacy/delete")
    assert "Konto löschen" in text_of(page)
    refused = client.post("/privacy/delete", data={"password": "falsch", "confirm": "y"})
    assert "Das Passwort ist nicht richtig." in text_of(refused)
    unconfirmed = client.post("/privacy/delete", data={"password": PASSWORD})
    assert "Bitte bestätigen Sie" in text_of(unconfirmed)
    assert fresh(User, member.id).status == "active"

    client.set_cookie("abc_remember", "ein-altes-remember-cookie")
    response = client.post("/privacy/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]
    assert any(header.startswith("abc_remember=;") for header in response.headers.getlist("Set-Cookie"))
    gone = fresh(User, member.id)
    assert (gone.display_name, gone.function, gone.status) == (FORMER_MEMBER, "", "deleted")
    assert gone.email != email and gone.email.endswith(".invalid")
    assert client.get("/accounts/profile").status_code == 302  # logged out everywhere
    assert fresh(Idea, idea.id).vote_count == 1  # the vote stays counted
    assert db.session.scalar(select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea.id)) == 1
    assert fresh(Idea, own_idea.id).contact == "" and fresh(Idea, own_idea.id).organisation_id == member.organisation_id
    assert fresh(Post, post.id).withdrawn_at is None
    thread_page = text_of(reader_client.get(f"/discussion/{post.thread_id}"))
    assert FORMER_MEMBER in thread_page and "Erika Muster" not in thread_page
    results = text_of(reader_client.get("/search/?q=Gesundheitscoaching"))
    assert "Praxisbericht" in results and "Erika Muster" not in results
    assert "Praxisbericht" not in text_of(reader_client.get("/search/?q=Muster"))
    for model in (Follow, Notification, DataExport):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.user_id == member.id)) == 0
    assert not storage.exists("exports", file)
    entry = audit("user.delete_self")[-1]
    assert entry.actor_id == member.id and "Erika" not in json.dumps(entry.snapshot) and email not in json.dumps(
        entry.snapshot)


def test_the_name_leaves_quotes_and_mentions_in_others_posts_and_reads_former_member_in_english(app, client_as):
    member = make_user(display_name="Erika Muster")
    original = make_post(author=member, body="Wir arbeiten mit der Schuldnerberatung zusammen.")
    colleague = make_user(organisation=member.organisation)
    reply = add_post(original.thread, quote(original) + "Danke @Erika Muster, das probieren wir.",
                     author=colleague)
    edit_post(reply, reply.body_source + " Nachtrag.", editor=colleague, version=reply.version)  # a revision
    assert ">@Erika Muster</a>" in fresh(Post, reply.id).body_html  # a resolved mention, linked
    namesake = make_user(display_name="Erika Muster")  # another person of the same name, who joined later
    other = make_post(author=namesake, body="Bei uns macht das die Stadt.")
    elsewhere = add_post(other.thread, quote(other) + "Spannend.", author=colleague)
    index_post(fresh(Post, reply.id))
    db.session.commit()
    version = fresh(Post, reply.id).version

    delete_account(member, actor=member)
    db.session.commit()
    renamed = fresh(Post, reply.id)
    assert "Erika Muster" not in renamed.body_source and "Erika Muster" not in renamed.body_html
    assert f"**{FORMER_MEMBER}**:" in renamed.body_source and f"Danke @{FORMER_MEMBER}, das" in renamed.body_source
    assert renamed.version == version + 1
    revisions = db.session.scalars(select(PostRevision).where(PostRevision.post_id == reply.id)).all()
    assert revisions and not any("Erika Muster" in revision.body_source for revision in revisions)
    assert "**Erika Muster**:" in fresh(Post, elsewhere.id).body_source  # the namesake's quote stays hers
    reader = client_as(make_user())
    assert "Erika Muster" not in text_of(reader.get(f"/discussion/{original.thread_id}"))
    assert "Erika Muster" not in text_of(reader.get("/search/?q=probieren"))
    english = text_of(client_as(make_user(language="en")).get(f"/discussion/{original.thread_id}"))
    assert "Post 1 by former member" in english  # the author line in the reader's language; the reply's text
    assert english.count(FORMER_MEMBER) == 2  # stays as written, in German (its quote header and the mention)


def test_withdrawing_the_posts_on_deletion_takes_them_out_of_the_search(app, client_as):
    member = make_user(display_name="Erika Muster")
    post = make_post(author=member, body="Quartiersarbeit mit Suchtberatung.")
    index_post(post)
    reader_client = client_as(make_user())
    assert "mit Suchtberatung" in text_of(reader_client.get("/search/?q=Quartiersarbeit"))
    client_as(member).post("/privacy/delete", data={"password": PASSWORD, "confirm": "y", "withdraw_posts": "y"})
    assert fresh(Post, post.id).withdrawn_at is not None
    assert "mit Suchtberatung" not in text_of(reader_client.get("/search/?q=Quartiersarbeit"))


def test_deletion_frees_the_seat_of_a_future_event_for_the_waiting_list(app):
    event = make_event(capacity=1)
    member, waiting = make_user(), make_user()
    register(member, event)
    register(waiting, event)
    delete_account(member, actor=member)
    states = dict(db.session.execute(select(EventRegistration.user_id, EventRegistration.status)).all())
    assert states == {member.id: "cancelled", waiting.id: "registered"}


def test_admin_deletes_an_account_audited_without_personal_data(app, client_as):
    admin = make_user(role="admin")
    member = make_user(display_name="Erika Muster")
    record(admin, "user.suspend", member, reason="Test", snapshot=user_snapshot(member))
    post = make_post(author=member)
    record(admin, "post.hide", post, reason="Test", snapshot=post_snapshot(post))
    idea = make_idea(author=member, contact="Erika Muster, Tel. 0231 555")
    record(admin, "idea.status", idea, snapshot=idea_snapshot(idea))
    email = member.email
    client = client_as(admin)
    assert "Konto löschen (anonymisieren)" in text_of(client.get(f"/admin/users/{member.id}"))
    assert "Erika Muster" in text_of(client.get(f"/privacy/users/{member.id}/delete"))
    response = client.post(f"/privacy/users/{member.id}/delete", data={"confirm": "y"})
    assert response.status_code == 302
    assert fresh(User, member.id).status == "deleted"
    entry = audit("user.delete")[-1]
    assert entry.actor_id == admin.id and entry.target_id == member.id
    everything = json.dumps([e.snapshot for e in audit(target=fresh(User, member.id)) + audit(target=post)
                             + audit(target=idea)],
                            ensure_ascii=False)
    assert "Erika Muster" not in everything and email not in everything
    log = text_of(client.get("/moderation/log"))
    assert str(ACTION_LABELS["user.delete"]) in log and "Erika Muster" not in log
    assert client.get(f"/privacy/users/{member.id}/delete").status_code == 403  # deleted already


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_delete_other_accounts_and_never_their_own_there(app, role):
    user = actor(role)
    allowed = role == "admin"
    assert permissions.can_delete_account(user, make_user()) is allowed
    if role != "anonymous":
        assert permissions.can_delete_account(user, user) is False
    assert permissions.can_delete_account(user, make_user(status="deleted")) is False


def test_members_cannot_reach_the_admin_deletion(app, client_as):
    target = make_user()
    for role in ("member", "organiser", "moderator"):
        response = client_as(make_user(role=role)).post(f"/privacy/users/{target.id}/delete", data={"confirm": "y"})
        assert response.status_code == 403
    assert fresh(User, target.id).status == "active"


def test_the_last_admin_cannot_delete_their_account(app, client_as):
    db.session.execute(db.update(User).where(User.role == "admin").values(role="member"))
    admin = make_user(role="admin")
    client = client_as(admin)
    assert "einzige Administration" in text_of(client.get("/privacy/delete"))
    response = client.post("/privacy/delete", data={"password": PASSWORD, "confirm": "y"})
    assert "Das letzte Administrationskonto kann nicht gelöscht werden" in text_of(response)
    assert fresh(User, admin.id).status == "active"


def test_a_deleted_account_cannot_log_in(app, client):
    member = make_user()
    email = member.email
    delete_account(member, actor=member)
    db.session.commit()
    response = client.post("/accounts/login", data={"email": email, "password": PASSWORD})
    assert "E-Mail-Adresse oder Passwort ist nicht richtig" in text_of(response)


# --- retention --------------------------------------------------------------------------------------------

def test_purge_removes_each_kind_after_its_period_and_a_second_run_removes_nothing(app):
    long_ago = utcnow() - timedelta(days=400)
    unconfirmed = make_user(status="pending", confirmed=False)
    unconfirmed.created_at = long_ago
    young = make_user(status="pending", confirmed=False)
    rejected = make_user(status="rejected")
    rejected.created_at = long_ago
    record(make_user(role="moderator"), "registration.reject", rejected, snapshot=user_snapshot(rejected))
    rejected_email = rejected.email
    withdrawn = make_post(body="Zurückgezogener Text")
    withdrawn.withdrawn_at = long_ago
    db.session.add(PostRevision(post_id=withdrawn.id, editor_id=withdrawn.author_id, body_source="alt"))
    redacted = make_post()
    redacted.redacted_at = long_ago
    db.session.add(PostRevision(post_id=redacted.id, editor_id=redacted.author_id, body_source="[geschwärzt]"))
    kept_revision = PostRevision(post_id=make_post().id, editor_id=young.id, body_source="frühere Fassung")
    db.session.add(kept_revision)
    db.session.add_all([OutboxMessage(recipient="a@example.org", subject="s", body="b", sent_at=long_ago),
                        OutboxMessage(recipient="b@example.org", subject="s", body="b")])
    member = make_user()
    make_notification(user=member, created_at=long_ago)
    make_notification(user=member)
    db.session.flush()

    counts = purge()
    assert {kind: counts[kind] for kind in ("unconfirmed", "rejected", "withdrawn_posts", "redacted_revisions",
                                            "sent_mails", "notifications")} == dict.fromkeys(
        ("unconfirmed", "rejected", "withdrawn_posts", "redacted_revisions", "sent_mails", "notifications"), 1)
    assert fresh(User, unconfirmed.id) is None and fresh(User, rejected.id) is None
    assert fresh(User, young.id) is not None
    post = fresh(Post, withdrawn.id)
    assert (post.body_source, post.body_html) == ("", "")
    assert db.session.scalar(select(func.count(PostRevision.id))) == 1  # only the revision of an ordinary post
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1  # the unsent mail stays
    assert db.session.scalar(select(func.count(Notification.id))) == 1
    assert rejected_email not in json.dumps([entry.snapshot for entry in audit("registration.reject")])

    again = purge()
    assert set(again.values()) == {0}
    entries = audit("privacy.purge")
    assert len(entries) == 2 and entries[0].actor_id is None
    assert entries[0].snapshot["counts"]["unconfirmed"] == 1 and entries[1].snapshot["counts"]["unconfirmed"] == 0


def test_purge_runs_as_a_command_and_is_audited_as_counts(app):
    runner = app.test_cli_runner()
    output = runner.invoke(args=["purge"]).output
    assert output.startswith("Gelöscht: 0 unconfirmed")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.purge"))
    assert set(entry.snapshot) == {"counts"}


def test_the_privacy_page_shows_the_configured_periods(app, client):
    app.config["RETENTION_NOTIFICATIONS_DAYS"] = 77
    limits = app.config["RATELIMIT_LOGIN_ACCOUNT"]
    app.config["RATELIMIT_LOGIN_ACCOUNT"] = "5 per minute;40 per day"
    try:
        from forum.pages.services import ensure_legal_pages

        ensure_legal_pages()
        page = text_of(client.get("/pages/datenschutz"))
    finally:
        app.config["RETENTION_NOTIFICATIONS_DAYS"] = 180
        app.config["RATELIMIT_LOGIN_ACCOUNT"] = limits
    assert "Benachrichtigungen im Extranet: gelöscht nach 77 Tagen" in page
    assert "spätestens nach 24 Stunden" in page
    assert "bleiben beim Jobcenter" in page


def test_export_files_live_in_the_database_or_the_configured_folder(app, monkeypatch):
    export = built_export(make_user())
    assert export_data(export)[:2] == b"PK" and not (Path(app.config["EXPORT_DIR"]) / export.file_name).exists()
    monkeypatch.setitem(app.config, "FILE_STORAGE", "folder")
    export = built_export(make_user())
    path = Path(app.config["EXPORT_DIR"]) / export.file_name
    assert path.read_bytes() == export_data(export)
    delete_account(db.session.get(User, export.user_id), actor=db.session.get(User, export.user_id))
    assert not path.exists()
