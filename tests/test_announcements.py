"""Announcements (Mitteilungen): each segment reaches exactly its people (never inactive ones), the mail
preference is respected for e-mail but not for the in-app notice, the mails carry List-Unsubscribe headers whose
one-click POST works without login and only for announcements, sending happens only in the command — idempotent
and safe in parallel — and every step is permitted per role and audited with the segment and the count."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.announcements import services
from forum.announcements.models import Announcement, AnnouncementRecipient
from forum.announcements.services import AnnouncementData
from forum.clock import utcnow
from forum.events.models import EventRegistration
from forum.extensions import db
from forum.notifications import following, mailing
from forum.notifications.models import Notification, OutboxMessage
from forum.permissions import (can_edit_announcement, can_manage_announcements, can_send_announcement,
                               can_view_announcement)
from tests.factories import make_event, make_idea, make_organisation, make_thread, make_user
from tests.helpers import ANNOUNCEMENT_MATRIX, ROLES, actor, audit, fresh, link_in, queries_for, text_of


@pytest.fixture
def moderator(app):
    """A moderator of the service office in Berlin: in no Land or Jobcenter segment of the tests."""
    return make_user(role="moderator", organisation=make_organisation(kind="service_office", land="BE"))


def _world(moderator):
    """People in two Länder and both Jobcenter types, in every status, registered for an event (also waiting,
    cancelled and attended), following an idea and a thread — and the expected members of each segment."""
    nw_ge = make_organisation(land="NW", jobcenter_type="ge")
    by_zkt = make_organisation(land="BY", jobcenter_type="zkt")
    office = make_organisation(kind="service_office", land="BE")
    people = {name: make_user(organisation=organisation) for name, organisation in (
        ("anna", nw_ge), ("ben", nw_ge), ("cem", by_zkt), ("dora", by_zkt), ("office", office))}
    for status in ("suspended", "deleted", "pending"):
        people[status] = make_user(organisation=nw_ge, status=status)
    event = make_event()
    now = utcnow()
    for name, status, attended in (("anna", "registered", True), ("ben", "registered", False),
                                   ("cem", "waiting", False), ("dora", "cancelled", False),
                                   ("suspended", "registered", True), ("office", "registered", True)):
        db.session.add(EventRegistration(event=event, user=people[name], status=status,
                                         attended_at=now if attended else None))
    idea = make_idea(status="submitted", author=people["anna"])
    thread = make_thread()
    for name in ("anna", "ben", "cem", "deleted"):
        following.follow(people[name], idea)
    for name in ("dora", "office", "suspended"):
        following.follow(people[name], thread)
    db.session.flush()
    people["moderator"] = moderator
    expected = {
        ("all", "", None): {"anna", "ben", "cem", "dora", "office", "moderator"},
        ("land", "NW", None): {"anna", "ben"},
        ("land", "BY", None): {"cem", "dora"},
        ("jobcenter_type", "zkt", None): {"cem", "dora"},
        ("jobcenter_type", "ge", None): {"anna", "ben"},
        ("event_participants", "", event.id): {"anna", "ben", "office"},
        ("event_attendees", "", event.id): {"anna", "office"},
        ("idea_followers", "", idea.id): {"anna"},  # a submitted idea: only its author (and moderators) see it
        ("thread_followers", "", thread.id): {"dora", "office"},
    }
    return people, expected


def _send(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=["send-announcements", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _queued(moderator, segment="all", value="", target=None, **data) -> Announcement:
    announcement = services.create_announcement(AnnouncementData(
        subject=data.get("subject", "Neue Termine"), body=data.get("body", "Die **Termine** stehen fest."),
        segment=segment, segment_value=value, segment_target_id=target), actor=moderator)
    services.queue_announcement(announcement, actor=moderator)
    return announcement


def _notified(announcement) -> list[int]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Notification.user_id).where(
        Notification.announcement_id == announcement.id, Notification.kind == "announcement")))


def test_each_segment_reaches_exactly_its_active_people(app, moderator):
    people, expected = _world(moderator)
    for (segment, value, target), names in expected.items():
        wanted = {people[name].id for name in names}
        assert services.count_recipients(segment, value, target) == len(wanted), (segment, value)
        announcement = _queued(moderator, segment, value, target, subject=f"An {segment} {value}")
        _send(app)
        assert set(_notified(announcement)) == wanted, (segment, value)
        assert fresh(Announcement, announcement.id).recipient_count == len(wanted)
    inactive = {people[name].id for name in ("suspended", "deleted", "pending")}
    assert not inactive & set(db.session.scalars(select(Notification.user_id)))


def test_a_segment_with_nobody_cannot_be_sent(app, moderator_client, moderator):
    announcement = services.create_announcement(AnnouncementData(
        subject="Niemand", body="Text", segment="land", segment_value="HB"), actor=moderator)
    db.session.commit()  # the refusal rolls the request's transaction back
    assert "erreicht niemanden" in text_of(moderator_client.get(f"/announcements/{announcement.id}/send"))
    response = moderator_client.post(f"/announcements/{announcement.id}/send", follow_redirects=True)
    assert "erreicht niemanden" in text_of(response)
    assert fresh(Announcement, announcement.id).status == "draft"


def test_moderator_writes_previews_test_mails_confirms_and_only_the_command_sends(app, moderator, moderator_client,
                                                                                 outbox):
    nw = make_organisation(land="NW")
    readers = [make_user(organisation=nw) for _ in range(3)]
    form = {"subject": "Werkstattgespräch im Mai", "body": "Bitte **melden** Sie sich an.", "segment": "land",
            "land": "NW", "jobcenter_type": "", "event": "", "idea": "", "thread": ""}

    preview = moderator_client.post("/announcements/new", data={**form, "preview": "1"})
    assert "<strong>melden</strong>" in preview.get_data(as_text=True)
    assert "erreicht zurzeit 3 Personen" in text_of(preview)
    assert db.session.scalar(select(func.count(Announcement.id))) == 0  # a preview saves nothing

    saved = moderator_client.post("/announcements/new", data=form)
    announcement = db.session.scalar(select(Announcement))
    assert saved.headers["Location"] == f"/announcements/{announcement.id}"
    assert "zurzeit 3 Personen" in text_of(moderator_client.get(saved.headers["Location"]))

    moderator_client.post(f"/announcements/{announcement.id}/test-mail")
    assert [message.recipient for message in outbox()] == [moderator.email]
    assert outbox()[0].subject == "[Test] Werkstattgespräch im Mai"

    confirm = moderator_client.get(f"/announcements/{announcement.id}/send")
    assert "An 3 Personen versenden" in text_of(confirm)
    response = moderator_client.post(f"/announcements/{announcement.id}/send")
    assert response.status_code == 302
    assert fresh(Announcement, announcement.id).status == "queued"
    assert _notified(announcement) == [] and len(outbox()) == 1  # nothing is sent inside the request

    assert "3 Empfänger benachrichtigt" in _send(app)
    assert _notified(announcement) == sorted(person.id for person in readers)
    assert sorted(message.recipient for message in outbox()[1:]) == sorted(person.email for person in readers)
    assert fresh(Announcement, announcement.id).status == "sent"
    listing = text_of(moderator_client.get("/announcements/"))
    assert "Werkstattgespräch im Mai" in listing and "versendet" in listing


def test_a_member_sees_the_announcement_in_the_notifications_and_reads_it(app, moderator, client_as):
    reader, outsider = make_user(), make_user()
    announcement = _queued(moderator, "land", "NW", subject="Hinweis zur Anreise")
    outsider.organisation.land = "BY"
    _send(app)
    page = client_as(reader).get("/notifications/")
    assert "Mitteilung der Servicestelle: „ Hinweis zur Anreise “" in text_of(page)
    assert "Hinweis zur Anreise" not in text_of(client_as(outsider).get("/notifications/"))
    assert "<strong>Termine</strong>" in client_as(reader).get(f"/announcements/{announcement.id}").get_data(
        as_text=True)
    assert client_as(outsider).get(f"/announcements/{announcement.id}").status_code == 403


def test_the_mail_preference_is_respected_for_mail_but_not_for_the_notice(app, moderator, outbox, client_as):
    wants, declines = make_user(), make_user()
    client_as(declines).post("/accounts/profile", data={
        "display_name": declines.display_name, "function": declines.function, "language": "de",
        "email_notifications": "immediately"})  # the box unticked
    assert fresh(type(declines), declines.id).announcement_emails is False
    announcement = _queued(moderator, "land", "NW")
    _send(app)
    assert set(_notified(announcement)) == {wants.id, declines.id}
    assert [message.recipient for message in outbox()] == [wants.email]
    assert fresh(Announcement, announcement.id).mailed_count == 1


def test_mails_carry_one_click_unsubscribe_that_works_without_login_only_for_announcements(app, moderator, outbox,
                                                                                             client):
    reader = make_user()
    _queued(moderator, "land", "NW")
    _send(app)
    [message] = outbox(reader.email)
    path = link_in(message.body, "/announcements/unsubscribe/")
    assert message.headers["List-Unsubscribe"] == f"<{app.config['BASE_URL'].rstrip('/')}{path}>"
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    email = mailing_email(message)
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    app.config["WTF_CSRF_ENABLED"] = True  # the one-click POST of a mail program has no CSRF token
    try:
        response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 204
    person = fresh(type(reader), reader.id)
    assert person.announcement_emails is False and person.email_notifications == "immediately"
    assert "keine Mitteilungen der Servicestelle mehr" in text_of(client.get(path))

    notification_token = mailing.make_unsubscribe_token(reader)
    assert client.post(f"/announcements/unsubscribe/{notification_token}").status_code == 400
    announcement_token = path.rsplit("/", 1)[1]
    assert client.post(f"/notifications/unsubscribe/{announcement_token}").status_code == 400


def mailing_email(message):
    """The message as it would be handed to SMTP."""
    from forum.notifications.outbox import _as_email  # the outbox's own conversion, not re-implemented here

    return _as_email(message)


def test_the_unsubscribe_page_asks_with_one_button(app, client):
    reader = make_user()
    path = f"/announcements/unsubscribe/{services.make_unsubscribe_token(reader)}"
    page = client.get(path)
    assert page.status_code == 200 and "Keine Mitteilungen mehr per E-Mail" in text_of(page)
    assert fresh(type(reader), reader.id).announcement_emails is True  # GET changes nothing
    assert client.post(path).status_code == 302
    assert fresh(type(reader), reader.id).announcement_emails is False
    assert client.get("/announcements/unsubscribe/ungueltig").status_code == 400


def test_sending_again_sends_nothing_twice(app, moderator, outbox):
    people = [make_user() for _ in range(5)]
    announcement = _queued(moderator)
    _send(app, "--batch", "2")
    assert "0 Empfänger benachrichtigt" in _send(app)
    assert _notified(announcement) == sorted(person.id for person in [moderator, *people])
    assert len(outbox()) == 6
    assert len(audit("announcement.send")) == 1


@pytest.mark.real_commits
def test_parallel_runs_never_double_send(app):
    moderator = make_user(role="moderator")
    people = [make_user() for _ in range(30)]
    announcement = _queued(moderator)
    db.session.commit()
    barrier = threading.Barrier(3)
    outputs: list = []

    def run():
        barrier.wait()
        try:
            outputs.append(app.test_cli_runner().invoke(args=["send-announcements", "--batch", "4"]))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outputs.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(getattr(result, "exit_code", None) == 0 for result in outputs), outputs
    db.session.expire_all()
    expected = sorted(person.id for person in [moderator, *people])
    assert _notified(announcement) == expected  # each once
    mails = db.session.execute(select(func.count(), func.count(func.distinct(OutboxMessage.recipient)))).one()
    assert tuple(mails) == (31, 31)
    assert fresh(Announcement, announcement.id).status == "sent"
    assert len(audit("announcement.send")) == 1


def test_audit_entries_name_the_segment_and_the_count_not_the_people(app, moderator):
    people, _expected = _world(moderator)
    announcement = _queued(moderator, "land", "NW")
    _send(app)
    [queued] = audit("announcement.queue", announcement)
    assert queued.actor_id == moderator.id
    assert queued.snapshot["segment"] == "land" and queued.snapshot["segment_value"] == "NW"
    assert queued.snapshot["recipients"] == 2
    [sent] = audit("announcement.send", announcement)
    assert sent.actor_id is None and sent.snapshot["recipients"] == 2 and sent.snapshot["mailed"] == 2
    names = {person.display_name for person in people.values()} | {person.email for person in people.values()}
    assert not any(name in str(entry.snapshot) for entry in (queued, sent) for name in names)
    assert [entry.action for entry in audit(target=announcement)] == [
        "announcement.create", "announcement.queue", "announcement.send"]


@pytest.mark.parametrize("rule, state", sorted(ANNOUNCEMENT_MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_announcement_permission_matrix(app, role, rule, state):
    user = actor(role)
    announcement = Announcement(subject="S", body_source="T", body_html="T", segment="all",
                                status=state.removeprefix("received_"))
    arguments = {"received": True} if state.startswith("received_") else {}
    predicate = {"can_manage_announcements": lambda: can_manage_announcements(user),
                 "can_edit_announcement": lambda: can_edit_announcement(user, announcement),
                 "can_send_announcement": lambda: can_send_announcement(user, announcement),
                 "can_view_announcement": lambda: can_view_announcement(user, announcement, **arguments)}[rule]
    assert predicate() is (role in ANNOUNCEMENT_MATRIX[(rule, state)])
    assert can_manage_announcements(actor("admin", "suspended")) is False


@pytest.mark.parametrize("role, status", [("member", 403), ("organiser", 403), ("moderator", 200), ("admin", 200)])
def test_only_moderators_reach_the_announcement_pages(app, client_as, role, status):
    moderator = make_user(role="moderator")
    draft = services.create_announcement(AnnouncementData(subject="S", body="T", segment="all"), actor=moderator)
    client = client_as(make_user(role=role))
    for path in ("/announcements/", "/announcements/new", f"/announcements/{draft.id}",
                 f"/announcements/{draft.id}/edit", f"/announcements/{draft.id}/send"):
        assert client.get(path).status_code == status, path
    assert client.post(f"/announcements/{draft.id}/send").status_code in ((302,) if status == 200 else (403,))


def test_a_queued_announcement_can_no_longer_be_edited_or_sent_again(app, moderator, moderator_client):
    make_user()
    announcement = _queued(moderator)
    assert moderator_client.get(f"/announcements/{announcement.id}/edit").status_code == 403
    assert moderator_client.post(f"/announcements/{announcement.id}/send").status_code == 403
    assert moderator_client.post(f"/announcements/{announcement.id}/test-mail").status_code == 403
    with pytest.raises(services.AnnouncementError):
        services.update_announcement(announcement, AnnouncementData(subject="Neu", body="Neu", segment="all"),
                                     actor=moderator)


def test_bad_input_gets_a_german_message_and_keeps_what_was_typed(app, moderator_client):
    form = {"subject": "Hinweis", "body": "Ein Text", "segment": "land", "land": "", "jobcenter_type": "",
            "event": "", "idea": "", "thread": ""}
    response = moderator_client.post("/announcements/new", data=form)
    assert response.status_code == 200 and "Bitte wählen Sie das Land." in text_of(response)
    assert 'value="Hinweis"' in response.get_data(as_text=True)
    response = moderator_client.post("/announcements/new", data={**form, "segment": "idea_followers",
                                                                 "idea": "/ideas/987654321"})
    assert "eines Ansatzes an, den es gibt" in text_of(response)
    idea = make_idea()
    response = moderator_client.post("/announcements/new", data={
        **form, "segment": "idea_followers", "idea": f"https://extranet.example/ideas/{idea.id}#diskussion"})
    assert response.status_code == 302
    assert db.session.scalar(select(Announcement.segment_target_id)) == idea.id
    assert db.session.scalar(select(func.count(Announcement.id))) == 1


def test_editing_a_draft_changes_it_and_is_audited(app, moderator, moderator_client):
    draft = services.create_announcement(AnnouncementData(subject="Alt", body="Alter Text", segment="all"),
                                         actor=moderator)
    page = moderator_client.get(f"/announcements/{draft.id}/edit").get_data(as_text=True)
    assert 'value="Alt"' in page and "Alter Text" in page
    moderator_client.post(f"/announcements/{draft.id}/edit", data={
        "subject": "Neu", "body": "Neuer Text", "segment": "jobcenter_type", "land": "", "jobcenter_type": "zkt",
        "event": "", "idea": "", "thread": ""})
    changed = fresh(Announcement, draft.id)
    assert (changed.subject, changed.segment, changed.segment_value) == ("Neu", "jobcenter_type", "zkt")
    assert audit_actions_of(changed) == ["announcement.create", "announcement.update"]


def audit_actions_of(target) -> list[str]:
    return [entry.action for entry in audit(target=target)]


def test_the_list_costs_the_same_queries_with_little_or_much_data(app, moderator, moderator_client):
    services.create_announcement(AnnouncementData(subject="Eins", body="T", segment="all"), actor=moderator)
    little = len(queries_for(moderator_client, "/announcements/"))
    for number in range(20):
        announcement = services.create_announcement(AnnouncementData(
            subject=f"Mitteilung {number}", body="T", segment="all"), actor=make_user(role="moderator"))
        if number % 2:
            services.queue_announcement(announcement, actor=moderator)
    services.fix_recipients()
    while services.send_batch():
        pass
    services.finish_sent()
    assert db.session.scalar(select(func.count(AnnouncementRecipient.id))) > 0
    assert len(queries_for(moderator_client, "/announcements/")) == little


def test_notifications_of_announcements_are_never_in_the_daily_digest(app, moderator):
    reader = make_user()
    reader.email_notifications = "daily"
    _queued(moderator)
    _send(app)
    assert mailing.send_digests(now=utcnow() + timedelta(minutes=1)) == 0
