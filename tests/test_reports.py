"""Reports (Meldungen) as members and moderators meet them: reporting a post with a reason and a note, one open
report per member and post, the daily limit, client data hidden at once, the moderators told once per post, the
queue grouped by post, closing a case by hiding or dismissing (reporters told), and exact under parallel requests."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from forum.clock import utcnow
from forum.discussion.models import Post
from forum.extensions import db
from forum.moderation.models import REASONS, Report
from forum.notifications.models import Notification
from forum.notifications.mailing import send_digests
from tests.factories import make_idea, make_post, make_thread, make_user
from tests.helpers import audit, count_queries, fresh, quiet, run_in_parallel, session_id, text_of

RUDE = "Das ist doch völliger Unsinn, Herr Kollege."


def a_post(*, body: str = RUDE, author=None, title: str = "Fallbesprechungen im Team") -> Post:
    """Post Nr. 2 of a new thread (Nr. 1 is an ordinary question)."""
    thread = make_thread(title=title)
    make_post(thread=thread, body="Wie geht ihr mit kurzfristigen Terminabsagen um?")
    return make_post(thread=thread, author=author or quiet(display_name="Bernd Brause"), body=body)


def report(client, post: Post, reason: str = "insult", note: str = ""):
    data = {"note": note}
    if reason is not None:
        data["reason"] = reason
    return client.post(f"/moderation/posts/{post.id}/report", data=data)


def resolve(client, post: Post, outcome: str, **fields):
    return client.post(f"/moderation/reports/posts/{post.id}/resolve", data={"outcome": outcome, **fields})


def reports_of(post: Post) -> list[Report]:
    db.session.expire_all()
    return list(db.session.scalars(select(Report).where(Report.post_id == post.id).order_by(Report.id)))


def notifications_of(user, kind: str) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == kind).order_by(Notification.id)))


def thread_page(client, post: Post):
    response = client.get(f"/discussion/{post.thread_id}")
    assert response.status_code == 200
    return response


# --- reporting ----------------------------------------------------------------------------------------------

def test_the_report_form_shows_the_post_and_the_five_reasons_in_german(member_client):
    post = a_post()
    response = member_client.get(f"/moderation/posts/{post.id}/report")
    assert response.status_code == 200
    page = text_of(response)
    assert "Beitrag melden" in page and RUDE in page
    assert "Die verfassende Person erfährt nicht, wer gemeldet hat." in page
    for label in ("Sozialdaten (Daten von Leistungsberechtigten)", "Beleidigung oder persönlicher Angriff",
                  "Nicht zum Thema (off-topic)", "Spam oder Werbung", "Sonstiges"):
        assert label in page


def test_the_thread_page_offers_members_a_report_link_for_other_peoples_posts(member_client, member):
    post = a_post()
    own = make_post(thread=post.thread, author=member, body="Mein eigener Beitrag.")
    html = thread_page(member_client, post).get_data(as_text=True)
    assert f'href="/moderation/posts/{post.id}/report"' in html
    assert f'href="/moderation/posts/{own.id}/report"' not in html


@pytest.mark.parametrize("reason", list(REASONS))
def test_a_member_reports_a_post_with_each_reason_and_the_note_is_kept(client_as, member, reason):
    post = a_post()
    response = report(client_as(member), post, reason, note="  Bitte einmal ansehen, der Ton ist daneben.  ")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/discussion/{post.thread_id}#beitrag-2"
    [stored] = reports_of(post)
    assert (stored.reporter_id, stored.reason, stored.is_open) == (member.id, reason, True)
    assert stored.note == "Bitte einmal ansehen, der Ton ist daneben."
    assert (stored.outcome, stored.resolved_by_id) == ("", None)


def test_a_report_thanks_the_member_and_says_what_happens_next(member_client):
    post = a_post()
    page = text_of(member_client.get(report(member_client, post, "spam").headers["Location"]))
    assert "Danke für Ihre Meldung. Die Moderation prüft den Beitrag und Sie erfahren das Ergebnis." in page
    other = a_post()
    page = text_of(member_client.get(report(member_client, other, "client_data").headers["Location"]))
    assert "Danke. Der Beitrag ist bis zur Prüfung durch die Moderation ausgeblendet." in page


def test_a_member_has_one_open_report_per_post(member_client):
    post = a_post()
    report(member_client, post, "insult", note="Erste Meldung")
    again = report(member_client, post, "spam", note="Zweite Meldung")
    assert again.status_code == 302
    assert "Sie haben diesen Beitrag bereits gemeldet. Die Moderation prüft ihn." in text_of(
        member_client.get(again.headers["Location"]))
    form = member_client.get(f"/moderation/posts/{post.id}/report", follow_redirects=True)
    assert "bereits gemeldet" in text_of(form)
    [stored] = reports_of(post)
    assert (stored.reason, stored.note) == ("insult", "Erste Meldung")


def test_another_member_may_report_the_same_post(client_as):
    post = a_post()
    first, second = make_user(), make_user()
    report(client_as(first), post, "insult")
    report(client_as(second), post, "off_topic")
    assert [(each.reporter_id, each.reason) for each in reports_of(post)] == [(first.id, "insult"),
                                                                              (second.id, "off_topic")]


def test_the_database_refuses_a_second_open_report_of_the_same_member(member):
    post = a_post()
    db.session.add(Report(post_id=post.id, reporter_id=member.id, reason="spam"))
    db.session.flush()
    db.session.add(Report(post_id=post.id, reporter_id=member.id, reason="insult"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_after_the_case_is_closed_the_member_may_report_the_post_again(client_as, member, moderator):
    post = a_post()
    reporter = client_as(member)
    report(reporter, post, "off_topic")
    assert resolve(client_as(moderator), post, "dismissed").status_code == 302
    response = report(reporter, post, "insult", note="Es geht weiter so.")
    assert "Danke für Ihre Meldung" in text_of(reporter.get(response.headers["Location"]))
    first, second = reports_of(post)
    assert (first.is_open, first.outcome) == (False, "dismissed")
    assert (second.is_open, second.reason, second.note) == (True, "insult", "Es geht weiter so.")


def test_a_client_data_report_hides_the_post_at_once(client_as, member):
    author = quiet(display_name="Bernd Brause")
    post = a_post(author=author, body="Frau K. aus der Beratung hat heute wieder abgesagt.")
    bystander = client_as(make_user())
    report(client_as(member), post, "client_data", note="Da steht ein Name.")
    hidden = fresh(Post, post.id)
    assert hidden.is_hidden and hidden.hidden_by_id is None and hidden.hidden_reason == "client_data"
    for client in (client_as(member), bystander):
        response = thread_page(client, post)
        page = text_of(response)
        assert "Dieser Beitrag wurde von der Moderation ausgeblendet. Grund: Sozialdaten" in page
        assert "Frau K. aus der Beratung" not in response.get_data(as_text=True)
        assert f'href="/moderation/posts/{post.id}/report"' not in response.get_data(as_text=True)
    page = text_of(thread_page(client_as(author), post))
    assert "Frau K. aus der Beratung hat heute wieder abgesagt." in page
    assert "Nur Sie als verfassende Person und die Moderation sehen den Text noch." in page
    [told] = notifications_of(author, "post_hidden")
    assert (told.detail, told.actor_id) == ("client_data", None)
    [entry] = audit("post.auto_hide", post)
    assert entry.actor_id == member.id and entry.snapshot["text"] == post.body_source


def test_the_author_is_not_told_who_reported(client_as, member):
    author = make_user(display_name="Bernd Brause")
    reporter = make_user(display_name="Rita Ratlos")
    post = a_post(author=author)
    report(client_as(reporter), post, "client_data")
    page = text_of(client_as(author).get("/notifications/"))
    assert "ausgeblendet" in page and "Rita Ratlos" not in page


@pytest.mark.parametrize("reason", ["insult", "off_topic", "spam", "other"])
def test_other_reasons_do_not_hide_the_post(client_as, member, reason):
    post = a_post()
    report(client_as(member), post, reason)
    assert not fresh(Post, post.id).is_hidden
    assert RUDE in text_of(thread_page(client_as(make_user()), post))
    assert audit("post.auto_hide", post) == []


def test_a_second_client_data_report_does_not_hide_twice(client_as):
    post = a_post(author=make_user())
    first, second = make_user(), make_user()
    report(client_as(first), post, "client_data")
    hidden_at = fresh(Post, post.id).hidden_at
    # the post is hidden now: a second member cannot report it any more (there is no link either)
    assert report(client_as(second), post, "client_data").status_code == 403
    assert fresh(Post, post.id).hidden_at == hidden_at
    assert len(audit("post.auto_hide", post)) == 1 and len(reports_of(post)) == 1
    assert len(notifications_of(post.author, "post_hidden")) == 1


@pytest.mark.parametrize("state", ["own", "withdrawn", "hidden"])
def test_members_cannot_report_their_own_withdrawn_or_hidden_posts(client_as, member, moderator, state):
    post = a_post(author=member if state == "own" else None)
    if state == "withdrawn":
        post.withdrawn_at = utcnow()
    elif state == "hidden":
        client_as(moderator).post(f"/moderation/posts/{post.id}/hide", data={"reason": "spam"})
        assert fresh(Post, post.id).is_hidden
    client = client_as(member)
    assert client.get(f"/moderation/posts/{post.id}/report").status_code == 403
    assert report(client, post, "client_data").status_code == 403
    assert reports_of(post) == []


def test_a_post_in_a_discussion_the_member_may_not_see_cannot_be_reported(client_as, member):
    idea = make_idea(status="submitted")  # waiting for review: only its author and the moderators see it
    post = make_post(thread=idea.thread, author=idea.author, body="Entwurf")
    client = client_as(member)
    assert client.get(f"/moderation/posts/{post.id}/report").status_code == 403
    assert report(client, post, "spam").status_code == 403
    assert reports_of(post) == []


def test_anonymous_visitors_are_sent_to_the_login(client):
    post = a_post()
    db.session.commit()
    for response in (client.get(f"/moderation/posts/{post.id}/report"), report(client, post, "spam")):
        assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login")
    assert reports_of(post) == []


def test_a_missing_reason_gets_a_german_message_and_the_note_stays(member_client):
    post = a_post()
    response = report(member_client, post, None, note="Mein Hinweis für die Moderation")
    assert response.status_code == 200
    assert "Bitte wählen Sie einen Grund." in text_of(response)
    assert "Mein Hinweis für die Moderation</textarea>" in response.get_data(as_text=True)
    assert reports_of(post) == []


def test_an_unknown_reason_is_refused_and_nothing_is_stored(member_client):
    post = a_post()
    response = report(member_client, post, "gefällt_mir_nicht", note="Hinweis")
    assert response.status_code == 200
    assert "Keine gültige Auswahl." in text_of(response)
    assert "Hinweis</textarea>" in response.get_data(as_text=True)
    assert reports_of(post) == []


def test_an_over_long_note_gets_a_german_message_and_stays(member_client):
    post = a_post()
    note = "Ä" * 1001
    response = report(member_client, post, "other", note=note)
    assert response.status_code == 200
    assert "Der Hinweis darf höchstens 1.000 Zeichen lang sein." in text_of(response)
    assert note in response.get_data(as_text=True)
    assert reports_of(post) == []


def test_reporting_an_unknown_post_is_404(member_client):
    assert member_client.get("/moderation/posts/999999/report").status_code == 404
    assert member_client.post("/moderation/posts/999999/report", data={"reason": "spam"}).status_code == 404


@pytest.fixture
def reports_per_day(app):
    """Set REPORTS_PER_DAY for one test: reports_per_day(2)."""
    before = app.config["REPORTS_PER_DAY"]

    def set_limit(limit: int) -> None:
        app.config["REPORTS_PER_DAY"] = limit

    yield set_limit
    app.config["REPORTS_PER_DAY"] = before


def test_the_daily_limit_stops_a_member_with_a_german_message_and_nothing_is_stored(
        client_as, member, moderator, reports_per_day):
    reports_per_day(2)
    posts = [a_post() for _ in range(3)]
    client = client_as(member)
    for post in posts[:2]:
        assert report(client, post, "spam").status_code == 302
    db.session.commit()
    response = report(client, posts[2], "client_data", note="Noch einer")
    assert response.status_code == 429
    page = text_of(response)
    assert ("Sie haben in den letzten 24 Stunden schon 2 Beiträge gemeldet. Das ist die Höchstzahl pro Tag." in page)
    assert "Noch einer</textarea>" in response.get_data(as_text=True)
    assert reports_of(posts[2]) == [] and not fresh(Post, posts[2].id).is_hidden
    assert [each.post_id for each in notifications_of(moderator, "report")] == [posts[0].id, posts[1].id]
    # another member is not affected
    assert report(client_as(make_user()), posts[2], "spam").status_code == 302


def test_closed_reports_count_towards_the_limit_but_older_ones_do_not(client_as, member, moderator,
                                                                       reports_per_day):
    reports_per_day(1)
    first, second = a_post(), a_post()
    client = client_as(member)
    report(client, first, "spam")
    resolve(client_as(moderator), first, "dismissed")
    db.session.commit()
    assert report(client, second, "spam").status_code == 429
    db.session.execute(update(Report).values(created_at=utcnow() - timedelta(hours=24, minutes=1)))
    db.session.commit()
    assert report(client, second, "spam").status_code == 302
    assert len(reports_of(second)) == 1


# --- the moderators are told --------------------------------------------------------------------------------

def test_moderators_and_admins_get_one_notification_per_reported_post_and_mail_as_they_wish(
        client_as, outbox):
    at_once = make_user(role="moderator", display_name="Mona Moderatorin")
    daily = make_user(role="moderator")
    daily.email_notifications = "daily"
    admin = make_user(role="admin")
    admin.email_notifications = "never"
    organiser, bystander = make_user(role="organiser"), make_user()
    post = a_post(title="Fallbesprechungen im Team")
    for reason in ("insult", "spam", "insult"):
        report(client_as(quiet()), post, reason, note="Geheime Notiz der meldenden Person")
    for person in (at_once, daily, admin):
        [notification] = notifications_of(person, "report")
        assert (notification.post_id, notification.read_at, notification.detail) == (post.id, None, "insult")
    for person in (organiser, bystander, post.author):
        assert notifications_of(person, "report") == []
    [mail] = outbox(at_once.email)
    assert mail.subject == "Neue Meldung in „Fallbesprechungen im Team“"
    assert "Ein Beitrag in „Fallbesprechungen im Team“ wurde gemeldet. Grund: Beleidigung" in mail.body
    assert f"/moderation/reports/posts/{post.id}" in mail.body
    assert "Geheime Notiz" not in mail.body and RUDE not in mail.body
    assert outbox(daily.email) == [] and outbox(admin.email) == []
    page = text_of(client_as(at_once).get("/notifications/"))
    assert "Ein Beitrag in „ Fallbesprechungen im Team “ wurde gemeldet. Grund: Beleidigung" in page
    assert send_digests() == 1
    [digest] = outbox(daily.email)
    assert "Ein Beitrag in „Fallbesprechungen im Team“ wurde gemeldet." in digest.body
    assert "Geheime Notiz" not in digest.body and RUDE not in digest.body


def test_a_moderator_who_read_the_notice_hears_of_a_new_report_again(client_as, moderator):
    moderator.email_notifications = "never"
    post = a_post()
    report(client_as(make_user()), post, "spam")
    [notification] = notifications_of(moderator, "report")
    moderator_client = client_as(moderator)
    assert moderator_client.post(f"/notifications/{notification.id}/read").status_code == 302
    report(client_as(make_user()), post, "insult")
    assert [each.read_at is None for each in notifications_of(moderator, "report")] == [False, True]


def test_separate_posts_make_separate_notifications(client_as, moderator):
    first, second = a_post(), a_post()
    report(client_as(make_user()), first, "spam")
    report(client_as(make_user()), second, "spam")
    assert [each.post_id for each in notifications_of(moderator, "report")] == [first.id, second.id]


def test_a_moderator_acts_on_a_post_instead_of_reporting_it(client_as, moderator):
    other = make_user(role="moderator")
    post = a_post()
    assert report(client_as(moderator), post, "off_topic").status_code == 403
    assert notifications_of(other, "report") == []
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_the_thread_page_shows_moderators_the_open_reports_of_a_post(client_as, moderator, member):
    post = a_post()
    report(client_as(make_user()), post, "spam")
    report(client_as(make_user()), post, "insult")
    html = thread_page(client_as(moderator), post).get_data(as_text=True)
    assert f'<a class="kern-link" href="/moderation/reports/posts/{post.id}">2 offene Meldungen</a>' in html
    assert "offene Meldung" not in text_of(thread_page(client_as(member), post))


# --- the queue ----------------------------------------------------------------------------------------------

def _age(post: Post, minutes: int) -> None:
    """Make the reports of a post `minutes` old (queue order is by the first report)."""
    db.session.execute(update(Report).where(Report.post_id == post.id)
                       .values(created_at=utcnow() - timedelta(minutes=minutes)))
    db.session.commit()


def test_the_queue_lists_open_cases_grouped_by_post_oldest_first_with_count_reasons_and_notes(
        client_as, moderator):
    newer = a_post(title="Neuere Diskussion", author=quiet(display_name="Nora Neu"))
    older = a_post(title="Ältere Diskussion", author=quiet(display_name="Otto Alt"))
    closed = a_post(title="Erledigte Diskussion")
    report(client_as(quiet()), newer, "client_data")
    report(client_as(quiet()), older, "insult", note="Der Ton geht gar nicht.")
    report(client_as(quiet()), older, "spam", note="")
    report(client_as(quiet()), older, "insult", note="Bitte prüfen.")
    report(client_as(quiet()), closed, "spam")
    resolve(client_as(moderator), closed, "dismissed")
    _age(newer, 10)
    _age(older, 60)
    response = client_as(moderator).get("/moderation/reports")
    assert response.status_code == 200
    page = text_of(response)
    first = page.index("Beitrag Nr. 2 von Otto Alt in „Ältere Diskussion“")
    second = page.index("Beitrag Nr. 2 von Nora Neu in „Neuere Diskussion“")
    assert first < second and "Erledigte Diskussion" not in page
    older_case, newer_case = page[first:second], page[second:]
    assert "Meldungen 3" in older_case
    assert ("Gründe Beleidigung oder persönlicher Angriff (2), Spam oder Werbung (1)" in older_case)
    assert "Hinweise Der Ton geht gar nicht. Bitte prüfen." in older_case
    assert "Meldungen 1 · Beitrag ist ausgeblendet" in newer_case
    assert "Gründe Sozialdaten (Daten von Leistungsberechtigten) (1)" in newer_case
    assert "Hinweise" not in newer_case
    html = response.get_data(as_text=True)
    assert html.index(f'href="/moderation/reports/posts/{older.id}"') < html.index(
        f'href="/moderation/reports/posts/{newer.id}"')


def test_the_queue_says_when_there_is_nothing_to_do(moderator_client):
    assert "Zurzeit gibt es keine offenen Meldungen." in text_of(moderator_client.get("/moderation/reports"))


def test_moderation_starts_with_the_queue(moderator_client):
    response = moderator_client.get("/moderation/")
    assert response.status_code == 302 and response.headers["Location"] == "/moderation/reports"


def _add_cases(count: int) -> None:
    reasons = list(REASONS)
    for number in range(count):
        post = a_post(title=f"Diskussion {number}", author=make_user())
        for each in range(1 + number % 3):
            db.session.add(Report(post_id=post.id, reporter_id=make_user().id, reason=reasons[(number + each) % 5],
                                  note=f"Hinweis {number}-{each}" if each % 2 == 0 else ""))
        if number % 4 == 0:
            post.hidden_at, post.hidden_reason = utcnow(), "client_data"
    db.session.commit()


def test_queue_query_count_is_the_same_for_2_and_20_cases(client_as, moderator):
    client = client_as(moderator)
    _add_cases(2)
    with count_queries() as small:
        response = client.get("/moderation/reports")
    assert response.status_code == 200 and text_of(response).count("Fall bearbeiten") == 2
    _add_cases(18)
    db.session.expire_all()
    with count_queries() as large:
        response = client.get("/moderation/reports")
    assert response.status_code == 200 and text_of(response).count("Fall bearbeiten") == 20
    assert len(large) == len(small), f"{len(small)} queries for 2 cases, {len(large)} for 20"


def test_the_queue_is_paginated(client_as, moderator):
    _add_cases(21)
    client = client_as(moderator)
    assert text_of(client.get("/moderation/reports")).count("Fall bearbeiten") == 20
    assert text_of(client.get("/moderation/reports?page=2")).count("Fall bearbeiten") == 1


def test_the_case_page_shows_the_post_in_context_and_every_report(client_as, moderator):
    post = a_post(author=quiet(display_name="Bernd Brause"))
    report(client_as(quiet(display_name="Rita Ratlos")), post, "insult", note="Der Ton geht gar nicht.")
    response = client_as(moderator).get(f"/moderation/reports/posts/{post.id}")
    assert response.status_code == 200
    page = text_of(response)
    assert "Meldungen zu Beitrag Nr. 2" in page
    assert "Davor: Beitrag Nr. 1" in page and "Wie geht ihr mit kurzfristigen Terminabsagen um?" in page
    assert RUDE in page
    assert "Beleidigung oder persönlicher Angriff – Rita Ratlos" in page
    assert "Hinweis: Der Ton geht gar nicht." in page
    assert "Ausblenden und Fall abschließen" in page and "Meldung zurückweisen und Fall abschließen" in page


def test_the_case_page_of_a_closed_case_has_no_decision_left(client_as, moderator):
    post = a_post()
    report(client_as(make_user()), post, "spam")
    resolve(client_as(moderator), post, "dismissed", note="Passt schon.")
    page = text_of(client_as(moderator).get(f"/moderation/reports/posts/{post.id}"))
    assert "Zu diesem Beitrag gibt es keine offene Meldung." in page
    assert "Abgeschlossen: Kein Verstoß festgestellt" in page and "Passt schon." in page
    assert "Ausblenden und Fall abschließen" not in page


@pytest.mark.parametrize("role", ["member", "organiser"])
def test_members_and_organisers_may_not_see_the_queue_or_decide_cases(client_as, role):
    post = a_post()
    report(client_as(make_user()), post, "spam")
    client = client_as(make_user(role=role))
    assert client.get("/moderation/reports").status_code == 403
    assert client.get(f"/moderation/reports/posts/{post.id}").status_code == 403
    assert resolve(client, post, "hidden").status_code == 403
    assert reports_of(post)[0].is_open and not fresh(Post, post.id).is_hidden


def test_anonymous_visitors_cannot_reach_the_queue(client):
    post = a_post()
    db.session.commit()
    for response in (client.get("/moderation/reports"), client.get(f"/moderation/reports/posts/{post.id}"),
                     resolve(client, post, "hidden")):
        assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login")


def test_admins_work_the_queue_too(client_as, admin):
    post = a_post()
    report(client_as(make_user()), post, "spam")
    client = client_as(admin)
    assert "Fall bearbeiten" in text_of(client.get("/moderation/reports"))
    assert resolve(client, post, "dismissed").status_code == 302
    assert not reports_of(post)[0].is_open


def test_an_unknown_case_is_404(moderator_client):
    assert moderator_client.get("/moderation/reports/posts/999999").status_code == 404
    assert moderator_client.post("/moderation/reports/posts/999999/resolve",
                                 data={"outcome": "hidden"}).status_code == 404


# --- closing a case -----------------------------------------------------------------------------------------

def test_resolving_by_hiding_hides_the_post_and_tells_each_reporter(client_as, moderator, outbox):
    author = quiet(display_name="Bernd Brause")
    post = a_post(author=author)
    reporters = [make_user(), make_user(), make_user()]
    for person, reason in zip(reporters, ("insult", "spam", "insult")):
        report(client_as(person), post, reason)
    client = client_as(moderator)
    response = resolve(client, post, "hidden", reason="insult", note="Bitte sachlich bleiben.")
    assert response.status_code == 302 and response.headers["Location"] == "/moderation/reports"
    page = text_of(client.get(response.headers["Location"]))
    assert "Der Fall ist abgeschlossen; 3 meldende Personen werden benachrichtigt." in page
    assert "Zurzeit gibt es keine offenen Meldungen." in page

    hidden = fresh(Post, post.id)
    assert (hidden.hidden_by_id, hidden.hidden_reason, hidden.hidden_note) == (moderator.id, "insult",
                                                                               "Bitte sachlich bleiben.")
    member_view = thread_page(client_as(make_user()), post)
    assert ("Dieser Beitrag wurde von der Moderation ausgeblendet. Grund: Beleidigung oder persönlicher Angriff "
            "– Bitte sachlich bleiben." in text_of(member_view))
    assert RUDE not in member_view.get_data(as_text=True)

    for each in reports_of(post):
        assert (each.is_open, each.outcome, each.resolved_by_id, each.resolution_note) == (
            False, "hidden", moderator.id, "Bitte sachlich bleiben.")
    for person in reporters:
        [told] = notifications_of(person, "report_resolved")
        assert (told.detail, told.post_id, told.actor_id) == ("hidden", post.id, moderator.id)
        [mail] = outbox(person.email)
        assert mail.subject == "Ihre Meldung wurde bearbeitet"
        assert "ist abgeschlossen. Ergebnis: Beitrag ausgeblendet" in mail.body
        assert "Bitte sachlich bleiben." not in mail.body and RUDE not in mail.body
        assert "Ergebnis: Beitrag ausgeblendet" in text_of(client_as(person).get("/notifications/"))
    [told] = notifications_of(author, "post_hidden")
    assert told.detail == "insult"
    [resolved] = audit("report.resolve", post)
    assert (resolved.actor_id, resolved.reason) == (moderator.id, "Bitte sachlich bleiben.")
    assert resolved.snapshot["outcome"] == "hidden" and resolved.snapshot["reports"] == 3
    assert resolved.snapshot["reasons"] == {"insult": 2, "spam": 1}
    assert len(audit("post.hide", post)) == 1


def test_hiding_without_a_reason_takes_the_most_frequent_reason_of_the_reports(client_as, moderator):
    post = a_post()
    for reason in ("spam", "off_topic", "spam"):
        report(client_as(make_user()), post, reason)
    resolve(client_as(moderator), post, "hidden", reason="")
    assert fresh(Post, post.id).hidden_reason == "spam"


def test_hiding_a_client_data_case_keeps_the_post_hidden_now_by_the_moderators_decision(client_as, moderator,
                                                                                         member):
    post = a_post(author=quiet())
    report(client_as(make_user()), post, "client_data")
    pending = text_of(thread_page(client_as(member), post))
    assert "gemeldet und wird geprüft" in pending
    resolve(client_as(moderator), post, "hidden", note="Enthält Daten einer Kundin.")
    hidden = fresh(Post, post.id)
    assert (hidden.is_hidden, hidden.hidden_by_id, hidden.hidden_reason, hidden.hidden_note) == (
        True, moderator.id, "client_data", "Enthält Daten einer Kundin.")
    page = text_of(thread_page(client_as(member), post))
    assert "Grund: Sozialdaten (Daten von Leistungsberechtigten) – Enthält Daten einer Kundin." in page
    assert "wird geprüft" not in page and RUDE not in page
    assert [each.outcome for each in reports_of(post)] == ["hidden"]
    assert len(audit("report.resolve", post)) == 1 and len(audit("post.hide", post)) == 1
    # the decision is final: the redact form no longer suggests showing the post again
    form = client_as(moderator).get(f"/moderation/posts/{post.id}/redact").get_data(as_text=True)
    [checkbox] = re.findall(r'<input[^>]*name="show_again"[^>]*>', form)
    assert "checked" not in checkbox


def test_dismissing_a_client_data_case_shows_the_post_again(client_as, moderator, outbox):
    post = a_post(body="Ganz harmloser Text ohne Daten.", author=quiet())
    reporter = make_user()
    report(client_as(reporter), post, "client_data")
    assert fresh(Post, post.id).is_hidden
    page = text_of(client_as(moderator).get(f"/moderation/reports/posts/{post.id}"))
    assert "Der Beitrag ist wegen einer Sozialdaten-Meldung ausgeblendet und wird dann wieder angezeigt." in page
    response = resolve(client_as(moderator), post, "dismissed", note="Keine Sozialdaten erkennbar.")
    assert response.status_code == 302
    shown = fresh(Post, post.id)
    assert not shown.is_hidden and shown.hidden_reason == "" and shown.hidden_note == ""
    page = text_of(thread_page(client_as(make_user()), post))
    assert "Ganz harmloser Text ohne Daten." in page and "ausgeblendet" not in page
    [told] = notifications_of(reporter, "report_resolved")
    assert told.detail == "dismissed"
    [mail] = [each for each in outbox(reporter.email) if each.subject == "Ihre Meldung wurde bearbeitet"]
    assert "Ergebnis: Kein Verstoß festgestellt" in mail.body
    [report_row] = reports_of(post)
    assert (report_row.outcome, report_row.resolution_note) == ("dismissed", "Keine Sozialdaten erkennbar.")
    assert len(audit("post.unhide", post)) == 1 and len(audit("report.resolve", post)) == 1
    assert audit("post.hide", post) == []


def test_dismissing_an_ordinary_case_changes_nothing_on_the_post(client_as, moderator):
    post = a_post()
    report(client_as(make_user()), post, "off_topic")
    resolve(client_as(moderator), post, "dismissed")
    shown = fresh(Post, post.id)
    assert not shown.is_hidden and shown.body_source == RUDE
    assert audit("post.unhide", post) == [] and audit("post.hide", post) == []


def test_resolving_a_case_closed_meanwhile_says_so_and_does_nothing_twice(client_as, moderator):
    post = a_post(author=quiet())
    reporter = quiet()
    report(client_as(reporter), post, "insult")
    first, second = client_as(moderator), client_as(make_user(role="moderator"))
    assert resolve(first, post, "hidden").status_code == 302
    response = resolve(second, post, "dismissed")
    assert response.status_code == 302 and response.headers["Location"] == f"/moderation/reports/posts/{post.id}"
    assert ("Dieser Fall wurde inzwischen schon abgeschlossen, wahrscheinlich von einer anderen Person der "
            "Moderation. Es wurde nichts weiter geändert." in text_of(second.get(response.headers["Location"])))
    assert fresh(Post, post.id).is_hidden
    assert [each.outcome for each in reports_of(post)] == ["hidden"]
    assert len(audit("report.resolve", post)) == 1 and len(notifications_of(reporter, "report_resolved")) == 1


def test_a_case_without_reports_cannot_be_resolved(client_as, moderator):
    post = a_post()
    client = client_as(moderator)
    response = resolve(client, post, "hidden")
    assert "inzwischen schon abgeschlossen" in text_of(client.get(response.headers["Location"]))
    assert not fresh(Post, post.id).is_hidden and audit("report.resolve", post) == []


@pytest.mark.parametrize("outcome", ["", "redacted", "deleted"])
def test_an_unknown_outcome_changes_nothing(client_as, moderator, outcome):
    post = a_post()
    report(client_as(make_user()), post, "spam")
    client = client_as(moderator)
    response = resolve(client, post, outcome)
    assert response.status_code == 302 and response.headers["Location"] == f"/moderation/reports/posts/{post.id}"
    assert "Bitte prüfen Sie Ihre Eingaben" in text_of(client.get(response.headers["Location"]))
    assert reports_of(post)[0].is_open and not fresh(Post, post.id).is_hidden


def test_get_on_the_resolve_address_changes_nothing(client_as, moderator):
    post = a_post()
    report(client_as(make_user()), post, "spam")
    assert client_as(moderator).get(f"/moderation/reports/posts/{post.id}/resolve").status_code == 405
    assert reports_of(post)[0].is_open


def test_hiding_a_post_in_place_closes_its_case(client_as, moderator):
    post = a_post()
    reporter = quiet()
    report(client_as(reporter), post, "insult")
    client_as(moderator).post(f"/moderation/posts/{post.id}/hide", data={"reason": "insult", "note": ""})
    assert [each.outcome for each in reports_of(post)] == ["hidden"]
    assert len(notifications_of(reporter, "report_resolved")) == 1


# --- exact under parallel requests --------------------------------------------------------------------------

@pytest.mark.real_commits  # the requests run in threads of their own
def test_two_moderators_resolving_the_same_case_at_once_act_once(app, client_as):
    author, reporter = quiet(), quiet()
    post = a_post(author=author)
    report(client_as(reporter), post, "insult")
    moderators = [make_user(role="moderator"), make_user(role="moderator")]
    path = f"/moderation/reports/posts/{post.id}/resolve"
    user_ids = [session_id(person) for person in moderators for _twice in range(3)]
    db.session.commit()  # no transaction of this test stays open while the threads run (SQLite's lock)
    results = run_in_parallel(app, user_ids, path, data={"outcome": "hidden", "note": "Parallel entschieden."})
    assert results == [302] * 6
    assert len(audit("report.resolve", post)) == 1
    assert len(audit("post.hide", post)) == 1
    assert fresh(Post, post.id).is_hidden
    assert [each.outcome for each in reports_of(post)] == ["hidden"]
    assert len(notifications_of(reporter, "report_resolved")) == 1
    assert len(notifications_of(author, "post_hidden")) == 1


@pytest.mark.real_commits  # the requests run in threads of their own
def test_twenty_members_reporting_one_post_at_once_make_one_report_each(app, client_as):
    moderators = [make_user(role="moderator"), make_user(role="admin")]
    post = a_post()
    people = [quiet() for _ in range(20)]
    path = f"/moderation/posts/{post.id}/report"
    user_ids = [session_id(person) for person in people for _twice in range(2)]
    people_ids = {person.id for person in people}
    db.session.commit()
    results = run_in_parallel(app, user_ids, path, data={"reason": "insult", "note": "Gleichzeitig gemeldet"})
    assert results == [302] * 40
    stored = reports_of(post)
    assert len(stored) == 20 and {each.reporter_id for each in stored} == people_ids
    assert all(each.is_open for each in stored)
    page = text_of(client_as(moderators[0]).get("/moderation/reports"))
    assert "Meldungen 20" in page and "Beleidigung oder persönlicher Angriff (20)" in page
    for person in moderators:
        assert len(notifications_of(person, "report")) == 1, "one notice per moderator and post"


@pytest.mark.real_commits  # the requests run in threads of their own
def test_parallel_client_data_reports_hide_the_post_once(app, client_as):
    author = quiet()
    post = a_post(author=author)
    make_user(role="moderator")
    path, user_ids = f"/moderation/posts/{post.id}/report", [session_id(quiet()) for _ in range(12)]
    db.session.commit()
    results = run_in_parallel(app, user_ids, path, data={"reason": "client_data"})
    # who comes after the post is hidden may not report it any more (as without the race)
    assert set(results) <= {302, 403} and 302 in results, results
    assert len(reports_of(post)) == results.count(302)
    assert fresh(Post, post.id).is_hidden
    assert len(audit("post.auto_hide", post)) == 1
    assert len(notifications_of(author, "post_hidden")) == 1
