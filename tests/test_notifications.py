"""In-app notifications and their e-mail: who is notified of what, the bell, the list, marking read, e-mail
immediately / as a daily digest / never, and unsubscribing by the link in a mail without logging in."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.accounts.models import User
from forum.clock import utcnow
from forum.discussion.services import add_post
from forum.events import services as event_services
from forum import permissions
from forum.extensions import db
from forum.ideas import services as idea_services
from forum.notifications import following, inbox, mailing
from forum.notifications.models import Notification
from tests.factories import (make_event, make_idea, make_notification, make_post, make_thread, make_user)
from tests.helpers import NOTIFICATION_MATRIX, ROLES, actor, count_queries, link_in, text_of


def notifications_of(user) -> list[tuple[str, int | None]]:
    """(kind, post id or thread id or idea id) of the user's notifications, oldest first."""
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    return [(row.kind, row.post_id or row.thread_id or row.idea_id) for row in rows]


def read_text(response) -> str:
    """What the page says, with the links inside quotation marks read as one phrase."""
    return text_of(response).replace("„ ", "„").replace(" “", "“")


def quiet(**overrides) -> User:
    """A member who wants no e-mail, so the outbox of a test holds only what it is about."""
    person = make_user(**overrides)
    person.email_notifications = "never"
    return person


# --- who is notified ----------------------------------------------------------------------------------------

def test_a_reply_notifies_the_followers_but_not_its_author(app):
    thread = make_thread()
    author, follower, bystander = quiet(), quiet(), quiet()
    for person in (author, follower):
        following.follow(person, thread)
    post = add_post(thread, "Bei uns klappt das gut.", author=author)
    assert notifications_of(follower) == [("reply", post.id)]
    assert notifications_of(author) == [] and notifications_of(bystander) == []


def test_a_mention_wins_over_a_reply_and_each_person_is_notified_once(app):
    thread = make_thread()
    author = quiet(display_name="Anna Acker")
    follower_mentioned = quiet(display_name="Berta Brandt")
    only_mentioned = quiet(display_name="Carla Conrad")
    following.follow(follower_mentioned, thread)
    post = add_post(thread, "@Berta Brandt und @Carla Conrad, was meinen Sie? @Berta Brandt?", author=author)
    assert notifications_of(follower_mentioned) == [("mention", post.id)]
    assert notifications_of(only_mentioned) == [("mention", post.id)]


def test_notify_new_post_takes_users_or_ids_and_never_notifies_the_author(app):
    thread = make_thread()
    author, other = quiet(), quiet()
    post = make_post(thread=thread, author=author)
    assert inbox.notify_new_post(post, mentioned=[author, other.id]) == 1
    assert notifications_of(other) == [("mention", post.id)] and notifications_of(author) == []


def test_followers_of_an_idea_or_event_hear_of_replies_in_its_discussion(app):
    idea, event = make_idea(), make_event()
    idea_follower, event_follower, author = quiet(), quiet(), quiet()
    following.follow(idea_follower, idea)
    following.follow(event_follower, event)
    following.follow(idea_follower, idea.thread)  # following both still means one notification
    on_idea = add_post(idea.thread, "Zur Idee", author=author)
    on_event = add_post(event.main_thread, "Zur Veranstaltung", author=author)
    assert notifications_of(idea_follower) == [("reply", on_idea.id)]
    assert notifications_of(event_follower) == [("reply", on_event.id)]


def test_nobody_is_notified_of_what_they_may_not_see(app):
    idea = make_idea(status="submitted")  # waiting for review: only its author and the moderators see it
    moderator, member, author = quiet(role="moderator"), quiet(display_name="Dora Dahl"), idea.author
    author.email_notifications = "never"
    following.follow(author, idea)  # as submitting it does
    for person in (moderator, member):
        following.follow(person, idea.thread)
    post = add_post(idea.thread, "Noch eine Ergänzung, @Dora Dahl", author=moderator)
    assert notifications_of(author) == [("reply", post.id)]
    assert notifications_of(member) == []


def test_suspended_and_pending_followers_get_nothing(app):
    thread = make_thread()
    suspended, pending = quiet(status="suspended"), quiet(status="pending")
    for person in (suspended, pending):
        following.follow(person, thread)
    add_post(thread, "Hallo", author=quiet())
    assert notifications_of(suspended) == [] and notifications_of(pending) == []


def test_a_started_or_linked_follow_up_notifies_the_events_followers(client_as, organiser):
    event = make_event(title="Regionalkonferenz Nord")
    follower = make_user()
    follower.email_notifications = "never"
    following.follow(follower, event)
    following.follow(organiser, event)
    client = client_as(organiser)
    client.post(f"/events/{event.id}/follow-ups/new", data={"title": "Wie geht es weiter?"})
    standalone = make_thread(title="Kooperation mit Suchtberatungen")
    db.session.commit()
    client.post(f"/events/{event.id}/follow-ups/link", data={"thread": str(standalone.id)})
    kinds = notifications_of(follower)
    assert [kind for kind, _id in kinds] == ["follow_up", "follow_up"] and kinds[1][1] == standalone.id
    assert notifications_of(organiser) == []  # not of one's own action
    page = read_text(client_as(follower).get("/notifications/"))
    assert "Neue Folgediskussion „Kooperation mit Suchtberatungen“ zur Veranstaltung „Regionalkonferenz Nord“." \
        in page


def test_a_status_change_notifies_the_author_in_the_app_and_by_mail(client_as, moderator, outbox):
    author = make_user()
    idea = make_idea(title="Gesundheit im Fokus", status="submitted", author=author)
    office = client_as(moderator)
    office.post(f"/ideas/{idea.id}/status", data={"status": "published", "reason": "Sehr gut."})
    assert notifications_of(author) == [("idea_status", idea.id)]
    mail = outbox(author.email)[-1]
    assert mail.subject == "Ihr Ansatz „Gesundheit im Fokus“ ist jetzt „veröffentlicht“"
    assert "Sehr gut." in mail.body and f"/ideas/{idea.id}" in mail.body and "/notifications/unsubscribe/" in mail.body
    page = read_text(client_as(author).get("/notifications/"))
    assert "Der Status Ihres Ansatzes „Gesundheit im Fokus“ wurde geändert, er ist jetzt „veröffentlicht“." in page
    assert "Die einreichende Person wird benachrichtigt." in text_of(office.get(f"/ideas/{idea.id}"))


def test_a_moderator_changing_the_status_of_their_own_idea_is_not_notified(app, moderator, outbox):
    idea = make_idea(status="submitted", author=moderator)
    idea_services.set_idea_status(idea, "published", actor=moderator, reason="Passt.")
    assert notifications_of(moderator) == [] and outbox(moderator.email) == []


# --- the bell and the list ----------------------------------------------------------------------------------

def test_the_bell_shows_the_unread_count_with_an_accessible_name(client_as, member):
    client = client_as(member)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/notifications/"' in html and "notification-count" not in html
    for number in range(3):
        make_notification(user=member, read=number == 0)
    make_notification(user=make_user())  # someone else's
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert '<span class="kern-sr-only">Benachrichtigungen, 2 ungelesen</span>' in html
    assert '<span class="kern-label">2</span>' in html


def test_the_bell_stops_counting_at_99(client_as, member):
    for _ in range(101):
        make_notification(user=member, post=None, kind="follow_up", thread=make_thread(), event=make_event(
            with_thread=False))
    html = client_as(member).get("/").get_data(as_text=True)
    assert '<span class="kern-label">99+</span>' in html and "Benachrichtigungen, mehr als 99 ungelesen" in html


def test_anonymous_pages_have_no_bell(client):
    assert "Benachrichtigungen" not in client.get("/accounts/login").get_data(as_text=True)


def test_the_list_shows_newest_first_marks_unread_and_links_to_the_post(client_as, member):
    actor = make_user(display_name="Erika Beispiel")
    thread = make_thread(title="Fallbesprechungen im Team")
    old = make_notification(user=member, post=make_post(thread=thread, author=actor), read=True,
                            created_at=utcnow() - timedelta(hours=2))
    new = make_notification(user=member, kind="mention", post=make_post(thread=thread, author=actor))
    idea = make_idea(title="Gesundheitscoaching", author=member)
    make_notification(user=member, kind="idea_status", idea=idea, actor=make_user(),
                      created_at=utcnow() - timedelta(hours=1))
    response = client_as(member).get("/notifications/")
    html, page = response.get_data(as_text=True), read_text(response)
    assert (page.index("Erika Beispiel hat Sie in „Fallbesprechungen im Team“ erwähnt.")
            < page.index("Gesundheitscoaching")
            < page.index("Erika Beispiel hat in „Fallbesprechungen im Team“ geantwortet."))
    assert f'href="/discussion/posts/{new.post_id}"' in html and f'href="/discussion/posts/{old.post_id}"' in html
    assert f'href="/ideas/{idea.id}"' in html
    assert page.count("Ungelesen") == 2 and page.count("Als gelesen markieren") == 2  # the old one is read
    assert "2 ungelesene Benachrichtigungen" in page


def test_names_and_titles_in_the_list_are_escaped(client_as, member):
    actor = make_user(display_name="<b>Fett</b>")
    make_notification(user=member, post=make_post(thread=make_thread(title="<script>alert(1)</script>"),
                                                  author=actor))
    html = client_as(member).get("/notifications/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Fett</b>" not in html and "&lt;b&gt;Fett&lt;/b&gt;" in html


def test_the_list_is_paginated(client_as, member):
    thread = make_thread()
    for _ in range(25):
        make_notification(user=member, kind="follow_up", post=None, thread=thread, event=make_event(with_thread=False))
    client = client_as(member)
    assert "Seite 1 von 2" in text_of(client.get("/notifications/"))
    assert text_of(client.get("/notifications/?page=2")).count("Neue Folgediskussion") == 5
    assert client.get("/notifications/?page=abc").status_code == 200


def test_mark_one_as_read_and_not_someone_elses(client_as, member):
    mine, theirs = make_notification(user=member), make_notification(user=make_user())
    client = client_as(member)
    assert client.get(f"/notifications/{mine.id}/read").status_code == 405  # GET never changes state
    response = client.post(f"/notifications/{mine.id}/read?page=1")
    assert response.headers["Location"] == f"/notifications/?page=1#benachrichtigung-{mine.id}"
    client.post(f"/notifications/{theirs.id}/read")
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is not None
    assert db.session.get(Notification, theirs.id).read_at is None
    assert "Alle Benachrichtigungen sind gelesen." in text_of(client.get("/notifications/"))


def test_mark_all_as_read(client_as, member):
    for _ in range(3):
        make_notification(user=member)
    other = make_notification(user=make_user())
    client = client_as(member)
    page = text_of(client.get("/notifications/"))
    assert "Alle als gelesen markieren" in page
    client.post("/notifications/read-all")
    assert inbox.unread_count(member) == 0 and inbox.unread_count(db.session.get(User, other.user_id)) == 1
    page = text_of(client.get("/notifications/"))
    assert "Alle Benachrichtigungen sind als gelesen markiert." in page and "Alle als gelesen markieren" not in page


def test_the_empty_list_explains_following(member_client):
    assert "Sie haben noch keine Benachrichtigungen." in text_of(member_client.get("/notifications/"))


def _grow_notifications(member, count: int) -> None:
    people = [make_user() for _ in range(5)]
    threads = [make_thread() for _ in range(3)]
    for number in range(count):
        kind = ("reply", "mention", "follow_up", "idea_status")[number % 4]
        if kind in ("reply", "mention"):
            make_notification(user=member, kind=kind, post=make_post(thread=threads[number % 3],
                                                                     author=people[number % 5]))
        elif kind == "follow_up":
            make_notification(user=member, kind=kind, post=None, thread=threads[number % 3], actor=people[0],
                              event=make_event(with_thread=False))
        else:
            make_notification(user=member, kind=kind, post=None, idea=make_idea(author=member, with_thread=False),
                              actor=people[1], read=number % 8 == 3)
    db.session.commit()


@pytest.mark.parametrize("path", ["/notifications/", "/", "/notifications/following"])
def test_query_count_is_the_same_for_5_and_100_notifications(client_as, member, path):
    client = client_as(member)
    _grow_notifications(member, 5)
    for target in (make_thread(), make_idea(), make_event()):
        following.follow(member, target)
    db.session.commit()
    with count_queries() as small:
        assert client.get(path).status_code == 200
    _grow_notifications(member, 95)
    for _ in range(30):
        following.follow(member, make_thread())
        following.follow(member, make_idea())
        following.follow(member, make_event())
    db.session.commit()
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small), f"{path}: {len(small)} queries with 5, {len(large)} with 100"


def test_creating_notifications_takes_a_fixed_number_of_statements(app):
    thread = make_thread()
    author = make_user()
    followers = [make_user() for _ in range(30)]
    for number, person in enumerate(followers):
        person.email_notifications = ("immediately", "daily", "never")[number % 3]
        following.follow(person, thread)
    post = make_post(thread=thread, author=author)
    db.session.flush()
    with count_queries() as statements:
        assert inbox.notify_new_post(post) == 30
    assert len(statements) <= 4, statements  # followers, the notifications, the mails (+ the author's name)


# --- e-mail per preference ----------------------------------------------------------------------------------

def test_immediately_mails_each_notification_with_a_link_to_the_post(app, outbox):
    thread = make_thread(title="Fallbesprechungen")
    follower, author = make_user(), make_user(display_name="Erika Beispiel")
    following.follow(follower, thread)
    post = add_post(thread, "Ein vertraulicher Text, der nicht in die Mail gehört.", author=author)
    [mail] = outbox(follower.email)
    assert mail.subject == "Neue Antwort in „Fallbesprechungen“"
    assert "Erika Beispiel hat in „Fallbesprechungen“ geantwortet." in mail.body
    assert f"/discussion/posts/{post.id}" in mail.body and "/notifications/unsubscribe/" in mail.body
    assert "vertraulicher Text" not in mail.body  # mails never quote a post
    assert db.session.scalar(select(Notification.emailed_at).where(Notification.user_id == follower.id)) is not None


def test_mails_are_written_in_the_recipients_language(app, outbox):
    thread = make_thread()
    follower = make_user(language="en")
    following.follow(follower, thread)
    add_post(thread, "Hallo", author=make_user())
    [mail] = outbox(follower.email)
    assert "Dear " in mail.body and "Kind regards" in mail.body


def test_a_mention_and_a_follow_up_get_their_own_mails(app, outbox, organiser):
    event = make_event(title="Werkstattgespräch Sucht")
    person = make_user(display_name="Greta Gerber")
    following.follow(person, event)
    add_post(make_thread(title="Offene Fragen"), "Was meint @Greta Gerber?", author=make_user())
    event_services.start_follow_up(event, "Nach der Werkstatt", actor=organiser)
    mention, follow_up = outbox(person.email)
    assert mention.subject == "Sie wurden in „Offene Fragen“ erwähnt"
    assert follow_up.subject == "Neue Folgediskussion zu „Werkstattgespräch Sucht“"
    assert "„Nach der Werkstatt“" in follow_up.body and "/discussion/" in follow_up.body


def test_daily_digest_collects_the_last_day_once_per_person(app, outbox):
    thread = make_thread(title="Netzwerkarbeit")
    daily, other_daily, never = make_user(), make_user(), make_user()
    daily.email_notifications = other_daily.email_notifications = "daily"
    never.email_notifications = "never"
    for person in (daily, other_daily, never):
        following.follow(person, thread)
    for number in range(3):
        add_post(thread, f"Beitrag {number}", author=make_user(display_name=f"Autorin {'ABC'[number]}"))
    stale = make_notification(user=daily, created_at=utcnow() - timedelta(days=2))
    db.session.commit()
    assert outbox(daily.email) == [] and outbox(never.email) == []  # nothing at once

    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0 and "2 Zusammenfassung(en)" in result.output
    [digest] = outbox(daily.email)
    assert digest.subject == "Ihre Zusammenfassung: 3 Neuigkeiten im ABC-Extranet"
    assert digest.body.count("hat in „Netzwerkarbeit“ geantwortet.") == 3
    assert digest.body.index("Autorin A") < digest.body.index("Autorin C")
    assert "/notifications/unsubscribe/" in digest.body and "/notifications/" in digest.body
    assert len(outbox(other_daily.email)) == 1 and outbox(never.email) == []
    db.session.expire_all()
    emailed = db.session.scalars(select(Notification.emailed_at).where(Notification.user_id == daily.id,
                                                                        Notification.id != stale.id)).all()
    assert len(emailed) == 3 and all(emailed)
    assert db.session.get(Notification, stale.id).emailed_at is None  # older than a day: not in the digest

    again = app.test_cli_runner().invoke(args=["send-digests"])
    assert "0 Zusammenfassung(en)" in again.output and len(outbox(daily.email)) == 1


def test_never_means_no_mail_but_the_notification_is_there(app, outbox):
    thread = make_thread()
    person = make_user()
    person.email_notifications = "never"
    following.follow(person, thread)
    add_post(thread, "Hallo", author=make_user())
    assert outbox(person.email) == [] and inbox.unread_count(person) == 1
    assert mailing.send_digests() == 0


def test_the_preference_is_set_in_the_profile(client_as, member):
    client = client_as(member)
    page = text_of(client.get("/accounts/profile"))
    assert "Benachrichtigungen per E-Mail" in page and "täglich – eine Zusammenfassung am Tag" in page
    client.post("/accounts/profile", data={"display_name": member.display_name, "function": member.function,
                                           "language": "de", "email_notifications": "daily"})
    db.session.expire_all()
    assert db.session.get(User, member.id).email_notifications == "daily"
    refused = client.post("/accounts/profile", data={"display_name": member.display_name,
                                                     "function": member.function, "language": "de",
                                                     "email_notifications": "hourly"})
    assert "Bitte prüfen Sie Ihre Eingaben." in text_of(refused)
    db.session.expire_all()
    assert db.session.get(User, member.id).email_notifications == "daily"


# --- unsubscribe --------------------------------------------------------------------------------------------

def test_the_unsubscribe_link_works_without_login_and_get_changes_nothing(app, client, outbox):
    thread = make_thread()
    person = make_user()
    following.follow(person, thread)
    add_post(thread, "Hallo", author=make_user())
    db.session.commit()
    path = link_in(outbox(person.email)[-1].body, "/notifications/unsubscribe/")

    page = client.get(path)
    assert page.status_code == 200 and "Keine Benachrichtigungen mehr per E-Mail" in text_of(page)
    db.session.expire_all()
    assert db.session.get(User, person.id).email_notifications == "immediately"

    response = client.post(path)
    assert response.status_code == 302 and response.headers["Location"] == path
    page = text_of(client.get(path))
    assert "Sie erhalten keine Benachrichtigungen mehr per E-Mail." in page
    assert "An diese Adresse schicken wir keine Benachrichtigungen mehr." in page
    db.session.expire_all()
    assert db.session.get(User, person.id).email_notifications == "never"
    assert client.get("/notifications/").status_code == 302  # everything else still needs the login


@pytest.mark.parametrize("change", ["tampered", "garbage", "other_salt"])
def test_a_tampered_unsubscribe_token_is_refused(app, client, member, change):
    from itsdangerous import URLSafeSerializer

    token = mailing.make_unsubscribe_token(member)
    bad = {"tampered": token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "garbage": "kein-token",
           "other_salt": URLSafeSerializer(app.config["SECRET_KEY"], salt="reset").dumps(member.id)}[change]
    db.session.commit()
    for response in (client.get(f"/notifications/unsubscribe/{bad}"), client.post(f"/notifications/unsubscribe/{bad}")):
        assert response.status_code == 400
        assert "Dieser Link zum Abbestellen der Benachrichtigungen ist ungültig." in text_of(response)
    db.session.expire_all()
    assert db.session.get(User, member.id).email_notifications == "immediately"



# --- who sees a notification (NOTIFICATION_MATRIX in tests/helpers.py) ----------------------------------------

@pytest.mark.parametrize("about", sorted(NOTIFICATION_MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_a_notification_is_shown_while_what_it_is_about_is_visible(app, about, role):
    user = actor(role)
    thread = idea = None
    if about == "thread":
        thread = make_thread()
    elif about == "published_idea":
        idea = make_idea()
    else:
        idea = make_idea(status="submitted")
        thread, idea = (idea.thread, None) if about == "submitted_idea_thread" else (None, idea)
    notification = Notification(user_id=make_user().id, kind="reply", thread=thread, idea=idea)
    assert permissions.can_view_notification(user, notification) is (role in NOTIFICATION_MATRIX[about])


def test_the_daily_digest_leaves_out_what_the_person_may_no_longer_see(app, outbox):
    person = make_user()
    person.email_notifications = "daily"
    shown, sent_back = make_idea(title="Lotsen im Quartier"), make_idea(title="Jobcoaching im Betrieb")
    make_notification(user=person, kind="reply", thread=shown.thread)
    make_notification(user=person, kind="reply", thread=sent_back.thread)
    sent_back.status = "submitted"
    db.session.flush()
    assert mailing.send_digests() == 1
    [mail] = outbox(person.email)
    assert "Lotsen im Quartier" in mail.body and "Jobcoaching im Betrieb" not in mail.body
