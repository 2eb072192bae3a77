"""Login sessions as rows: the page of devices (end one, end all others), logout ending only this device, the idle
timeout and the absolute lifetime, the remember-me cookie bound to its row, password changes, and the cost per
request."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum import clock
from forum.accounts import sessions
from forum.accounts.models import UserSession
from forum.extensions import db
from tests.factories import PASSWORD, make_user
from tests.helpers import count_queries, queries_for, text_of

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/18.1 Mobile/15E148 Safari/604.1")


def log_in(client, user, *, agent=FIREFOX, remember=False):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    answer = client.post("/accounts/login", data=data, headers={"User-Agent": agent})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    return client


def rows_of(user) -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                                   .order_by(UserSession.id)))


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def later(monkeypatch):
    """later(delta): the clock moved forward by delta from now on."""
    start = clock.utcnow()

    def move(delta: timedelta) -> None:
        monkeypatch.setattr(clock, "utcnow", lambda: start + delta)

    return move


def forget_session_cookie(client, app) -> None:
    """The browser was closed: the session cookie is gone, a remember-me cookie stays."""
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])


# --- rows --------------------------------------------------------------------------------------------------------

def test_a_login_starts_a_session_row_with_browser_and_system_but_no_address(app, client, member):
    log_in(client, member, agent=IPHONE)
    [row] = rows_of(member)
    assert (row.browser, row.system, row.remember) == ("Safari", "iOS", False)
    assert row.expires_at - row.created_at == app.config["PERMANENT_SESSION_LIFETIME"]
    assert not any("198.51" in str(value) or "127.0.0.1" in str(value) for value in vars(row).values())


@pytest.mark.parametrize("agent, expected", [
    (FIREFOX, ("Firefox", "Windows")), (IPHONE, ("Safari", "iOS")),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 "
     "Safari/537.36 Edg/131.0", ("Edge", "macOS")),
    ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
     ("Chrome", "Android")),
    ("", ("", "")), ("curl/8.5", ("", ""))])
def test_the_device_is_summarised_as_browser_and_system(agent, expected):
    assert sessions.describe_user_agent(agent) == expected


def test_remember_me_makes_a_thirty_day_session(app, client, member):
    log_in(client, member, remember=True)
    [row] = rows_of(member)
    assert row.remember and row.expires_at - row.created_at == timedelta(days=30)


# --- the page of devices -----------------------------------------------------------------------------------------

def test_the_sessions_page_lists_every_device_and_marks_this_one(app, client, member):
    other = log_in(app.test_client(), member, agent=IPHONE)
    log_in(client, member)
    page = text_of(client.get("/accounts/sessions"))
    assert "Angemeldete Geräte" in page
    assert "Firefox · Windows (diese Sitzung)" in page and "Safari · iOS" in page
    assert "Safari · iOS (diese Sitzung)" not in page and "Alle anderen abmelden" in page
    assert is_logged_in(other)


def test_the_sessions_page_runs_a_fixed_number_of_statements(client_as, member):
    client = client_as(member)
    few = len(queries_for(client, "/accounts/sessions"))
    for _ in range(5):
        sessions.start_session(member, remember=False, user_agent=FIREFOX)
    member.session_key = None
    assert len(queries_for(client, "/accounts/sessions")) == few <= 6


def test_ending_another_session_logs_that_device_out(app, client, member):
    other = log_in(app.test_client(), member, agent=IPHONE)
    log_in(client, member)
    theirs = next(row for row in rows_of(member) if row.system == "iOS")
    answer = client.post(f"/accounts/sessions/{theirs.id}/end", follow_redirects=True)
    assert "Die Sitzung wurde beendet." in text_of(answer)
    assert not is_logged_in(other) and is_logged_in(client)
    again = client.post(f"/accounts/sessions/{theirs.id}/end", follow_redirects=True)
    assert "Diese Sitzung war bereits beendet." in text_of(again)


def test_nobody_ends_someone_elses_session(client_as, member):
    stranger = make_user()
    strangers_client = client_as(stranger)
    [theirs] = rows_of(stranger)
    client_as(member).post(f"/accounts/sessions/{theirs.id}/end")
    assert rows_of(stranger) and is_logged_in(strangers_client)


def test_all_other_sessions_end_and_this_one_goes_on(app, client, member):
    others = [log_in(app.test_client(), member, agent=IPHONE) for _ in range(2)]
    log_in(client, member)
    answer = client.post("/accounts/sessions/end-others", follow_redirects=True)
    assert "2 andere Sitzungen wurden beendet." in text_of(answer)
    assert not any(is_logged_in(other) for other in others) and is_logged_in(client)
    assert len(rows_of(member)) == 1


def test_logout_ends_only_this_device(app, client, member):
    other = log_in(app.test_client(), member, agent=IPHONE)
    log_in(client, member)
    client.post("/accounts/logout")
    assert not is_logged_in(client) and is_logged_in(other)
    assert [row.system for row in rows_of(member)] == ["iOS"]


def test_end_all_sessions_ends_every_device_and_cookie(app, client, member):
    other = log_in(app.test_client(), member, remember=True)
    log_in(client, member)
    assert sessions.end_all_sessions(member) == 2
    db.session.commit()
    assert not is_logged_in(client) and not is_logged_in(other)
    forget_session_cookie(other, app)
    assert not is_logged_in(other)  # the remember-me cookie died with its row


# --- lifetimes ---------------------------------------------------------------------------------------------------

def test_a_session_ends_after_two_hours_without_a_request(client, member, later):
    log_in(client, member)
    later(timedelta(hours=1, minutes=59))
    assert is_logged_in(client)
    later(timedelta(hours=3, minutes=58))  # 1 h 59 min after the last request
    assert is_logged_in(client)
    later(timedelta(hours=6))
    answer = client.get("/")
    assert answer.status_code == 302
    assert "Ihre Sitzung ist abgelaufen" in text_of(client.get(answer.headers["Location"]))


def test_a_session_in_use_ends_after_twelve_hours_all_the_same(client, member, later):
    log_in(client, member)
    for hours in range(1, 12):
        later(timedelta(hours=hours))
        assert is_logged_in(client), hours
    later(timedelta(hours=12, minutes=1))
    assert not is_logged_in(client)


def test_remember_me_outlasts_pauses_and_closed_browsers_but_not_thirty_days(app, client, member, later):
    log_in(client, member, remember=True)
    later(timedelta(days=3))
    forget_session_cookie(client, app)
    assert is_logged_in(client)
    later(timedelta(days=30, minutes=1))
    forget_session_cookie(client, app)
    assert not is_logged_in(client)


def test_the_remember_me_cookie_dies_with_its_session(app, client, member):
    log_in(client, member, remember=True)
    forget_session_cookie(client, app)
    assert is_logged_in(client)  # the cookie alone logs in again
    [row] = rows_of(member)
    other = log_in(app.test_client(), member, agent=IPHONE)
    other.post(f"/accounts/sessions/{row.id}/end")
    forget_session_cookie(client, app)
    assert not is_logged_in(client)


def test_the_lifetimes_are_configurable(app, client, member, later, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_TIMEOUT", timedelta(minutes=30))
    log_in(client, member)
    later(timedelta(minutes=31))
    assert not is_logged_in(client)


# --- passwords ---------------------------------------------------------------------------------------------------

def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, member):
    other = log_in(app.test_client(), member, agent=IPHONE)
    log_in(client, member)
    answer = client.post("/accounts/password", data={"current_password": PASSWORD,
                                                     "password": "Zitronen-Fahrrad-Leuchtturm-7",
                                                     "password_confirm": "Zitronen-Fahrrad-Leuchtturm-7"})
    assert answer.status_code == 302
    assert is_logged_in(client) and not is_logged_in(other)
    assert len(rows_of(member)) == 1


def test_a_password_reset_ends_every_session(app, client, member):
    other = log_in(app.test_client(), member, remember=True)
    from forum.accounts import services

    services.reset_password(member, "Zitronen-Fahrrad-Leuchtturm-7")
    db.session.commit()
    assert not is_logged_in(other) and rows_of(member) == []


# --- cost per request --------------------------------------------------------------------------------------------

def test_last_seen_is_written_at_most_every_five_minutes(client, member, later):
    log_in(client, member)
    later(timedelta(minutes=4))
    with count_queries() as statements:
        assert is_logged_in(client)
    assert not any(statement.lstrip().upper().startswith("UPDATE USER_SESSIONS") for statement in statements)
    later(timedelta(minutes=6))
    with count_queries() as statements:
        assert is_logged_in(client)
    assert sum(statement.lstrip().upper().startswith("UPDATE USER_SESSIONS") for statement in statements) == 1
    assert rows_of(member)[0].last_seen_at == clock.utcnow()  # the moved clock's now


def test_checking_the_session_adds_no_statement_to_loading_the_user(client_as, member):
    client = client_as(member)
    statements = queries_for(client, "/accounts/sessions")
    loads = [statement for statement in statements if "FROM users" in statement and "user_sessions" in statement]
    assert len(loads) == 1  # the user and the session row in one statement
    assert not any(statement.lstrip().upper().startswith("SELECT") and "FROM users" in statement
                   and "user_sessions" not in statement and "WHERE users.id" in statement
                   for statement in statements)


def test_expired_rows_are_purged(client, member, later):
    log_in(client, member)
    later(timedelta(hours=13))
    assert sessions.purge_ended_sessions() == 1
    assert db.session.scalar(select(func.count(UserSession.id))) == 0
