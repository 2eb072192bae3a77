"""The second factor: set-up with QR code and secret, recovery codes shown once, the code step of the login (wrong,
replayed and recovery codes, the pause after wrong codes), staff made to set it up, members opting in and out,
the admin's audited reset."""
from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from forum import clock, permissions
from forum.accounts.models import RecoveryCode, User, UserSession
from tests.factories import PASSWORD, TOTP_SECRET, make_user
from tests.helpers import actor, audit, fresh, text_of

def code(secret: str = TOTP_SECRET, *, ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.utcnow().timestamp() + ahead)


def wrong_code(secret: str = TOTP_SECRET) -> str:
    valid = {code(secret, ahead=offset) for offset in (-30, 0, 30)}
    return next(candidate for candidate in ("123456", "654321", "111111", "222222") if candidate not in valid)


def log_in(client, user, **extra):
    return client.post("/accounts/login", data={"email": user.email, "password": PASSWORD, **extra})


def logged_in_as(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


def session_rows(user) -> int:
    from forum.extensions import db

    return db.session.scalar(select(func.count(UserSession.id)).where(UserSession.user_id == user.id))


def set_up(client) -> tuple[str, list[str]]:
    """Set up through the pages: read the secret off the set-up page, confirm with its code; the codes shown."""
    page = client.get("/accounts/second-factor/setup").get_data(as_text=True)
    secret = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    shown = client.post("/accounts/second-factor/setup", data={"code": code(secret)})
    assert shown.status_code == 200
    return secret, re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", shown.get_data(as_text=True))


# --- set-up ----------------------------------------------------------------------------------------------------

def test_a_member_sets_up_the_second_factor_and_sees_ten_recovery_codes_once(member_client, member):
    page = member_client.get("/accounts/second-factor/setup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<svg' in html and "QR-Code zum Einrichten der Authenticator-App" in html
    assert "Schlüssel zur Eingabe von Hand" in text_of(page)
    assert fresh(User, member.id).has_second_factor is False  # looking at the page changes nothing

    secret, codes = set_up(member_client)
    person = fresh(User, member.id)
    assert person.has_second_factor and person.totp_secret == secret
    assert len(codes) == 10 and len(set(codes)) == 10
    from forum.extensions import db
    stored = list(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == member.id)))
    assert len(stored) == 10 and not set(codes) & set(stored)  # only digests are kept
    overview = text_of(member_client.get("/accounts/second-factor"))
    assert "Der zweite Faktor ist eingeschaltet" in overview and "10 unbenutzte Wiederherstellungscodes" in overview
    assert not any(recovery in overview for recovery in codes)  # shown once, never again


def test_the_qr_code_is_inline_svg_without_scripts_or_styles(member_client):
    html = member_client.get("/accounts/second-factor/setup").get_data(as_text=True)
    svg = re.search(r'<svg[^>]*class="qr-code".*?</svg>', html, flags=re.S).group(0)
    assert "<title>" in svg
    assert "style" not in svg and "<script" not in svg and " on" not in svg.lower().replace(" onl", "")


def test_a_wrong_code_at_set_up_keeps_it_off_with_a_german_message(member_client, member):
    member_client.get("/accounts/second-factor/setup")
    answer = member_client.post("/accounts/second-factor/setup", data={"code": "12 34 5x"})
    assert answer.status_code == 200
    assert "Dieser Code passt nicht" in text_of(answer)
    assert fresh(User, member.id).has_second_factor is False


def test_the_secret_stays_the_same_until_it_is_confirmed(member_client):
    first = member_client.get("/accounts/second-factor/setup").get_data(as_text=True)
    again = member_client.get("/accounts/second-factor/setup").get_data(as_text=True)
    pattern = r'<code class="totp-secret">([A-Z2-7 ]+)</code>'
    assert re.search(pattern, first).group(1) == re.search(pattern, again).group(1)


# --- the code step of the login --------------------------------------------------------------------------------

def test_login_with_a_second_factor_asks_for_the_code_before_anything_opens(client):
    person = make_user(second_factor=True)
    answer = log_in(client, person)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/accounts/login/code")
    assert logged_in_as(client) is None and session_rows(person) == 0
    assert client.get("/").status_code == 302  # not logged in yet
    assert "Code aus Ihrer Authenticator-App" in text_of(client.get("/accounts/login/code"))

    done = client.post("/accounts/login/code", data={"code": code()})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/").status_code == 200 and session_rows(person) == 1


def test_login_without_a_second_factor_needs_no_code(client, member):
    answer = log_in(client, member)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_the_code_step_keeps_where_the_person_wanted_to_go(client):
    person = make_user(second_factor=True)
    log_in(client, person, next="/ideas/")
    assert client.post("/accounts/login/code", data={"code": code()}).headers["Location"] == "/ideas/"


def test_a_wrong_code_is_refused_in_german_and_nobody_is_logged_in(client):
    person = make_user(second_factor=True)
    log_in(client, person)
    answer = client.post("/accounts/login/code", data={"code": wrong_code()})
    assert answer.status_code == 200
    assert "Dieser Code ist nicht richtig oder wurde schon verwendet" in text_of(answer)
    assert logged_in_as(client) is None


def test_a_code_works_only_once_even_after_logging_out(client, app):
    person = make_user(second_factor=True)
    used = code()
    log_in(client, person)
    assert client.post("/accounts/login/code", data={"code": used}).status_code == 302
    client.post("/accounts/logout")
    log_in(client, person)
    replay = client.post("/accounts/login/code", data={"code": used})
    assert replay.status_code == 200 and "schon verwendet" in text_of(replay)
    assert client.post("/accounts/login/code", data={"code": code(ahead=30)}).status_code == 302  # the next one


def test_an_older_code_is_refused_once_a_newer_one_was_used(client):
    person = make_user(second_factor=True)
    log_in(client, person)
    assert client.post("/accounts/login/code", data={"code": code(ahead=30)}).status_code == 302
    client.post("/accounts/logout")
    log_in(client, person)
    assert client.post("/accounts/login/code", data={"code": code()}).status_code == 200


def test_a_recovery_code_logs_in_once_and_says_how_many_are_left(client, member_client, member):
    _secret, codes = set_up(member_client)
    log_in(client, member)
    answer = client.post("/accounts/login/code", data={"code": codes[3].upper().replace("-", " ")},
                         follow_redirects=True)
    assert "Es bleiben noch 9 Codes" in text_of(answer)
    client.post("/accounts/logout")
    log_in(client, member)
    again = client.post("/accounts/login/code", data={"code": codes[3]})
    assert again.status_code == 200 and logged_in_as(client) is None


def test_wrong_codes_pause_the_account_like_wrong_passwords(client, account_steps):
    person = make_user(second_factor=True)
    log_in(client, person)
    answers = [client.post("/accounts/login/code", data={"code": wrong_code()}).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    assert client.post("/accounts/login/code", data={"code": code()}).status_code == 429  # even the right one
    # The right password does not lift the pause (it is forgotten only after a complete login).
    assert log_in(client, person).status_code == 429


def test_the_code_step_ends_after_five_minutes(client, monkeypatch):
    person = make_user(second_factor=True)
    log_in(client, person)
    later = clock.utcnow() + timedelta(minutes=6)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    answer = client.post("/accounts/login/code", data={"code": code()})
    assert answer.status_code == 302 and "/accounts/login" in answer.headers["Location"]
    assert logged_in_as(client) is None


def test_the_code_page_without_a_password_first_goes_to_the_login(client):
    answer = client.get("/accounts/login/code")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/accounts/login")


def test_a_suspended_account_cannot_finish_the_code_step(client):
    person = make_user(second_factor=True)
    log_in(client, person)
    person.status = "suspended"
    assert client.post("/accounts/login/code", data={"code": code()}).status_code == 302
    assert logged_in_as(client) is None


# --- staff must set it up --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, path", [("moderator", "/moderation/"), ("admin", "/admin/users"),
                                        ("moderator", "/"), ("admin", "/ideas/")])
def test_staff_without_a_second_factor_are_sent_to_set_it_up(client_as, role, path):
    client = client_as(make_user(role=role, second_factor=False))
    answer = client.get(path)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/accounts/second-factor/setup")
    page = text_of(client.get(answer.headers["Location"]))
    assert "Moderation und Administration brauchen einen zweiten Faktor" in page


def test_staff_reach_their_pages_once_the_second_factor_is_set_up(client_as):
    client = client_as(make_user(role="moderator", second_factor=False))
    assert client.get("/accounts/profile").status_code == 200  # the account settings stay open
    set_up(client)
    assert client.get("/moderation/reports").status_code == 200


@pytest.mark.parametrize("role", ["member", "organiser"])
def test_members_and_organisers_need_no_second_factor(client_as, role):
    assert client_as(make_user(role=role)).get("/").status_code == 200


def test_a_member_made_moderator_must_set_it_up_before_the_moderation(client_as, member):
    client = client_as(member)
    member.role = "moderator"
    assert client.get("/moderation/").headers["Location"].endswith("/accounts/second-factor/setup")


# --- opting out, renewing --------------------------------------------------------------------------------------

def test_a_member_turns_it_off_with_the_password(member_client, member):
    set_up(member_client)
    answer = member_client.post("/accounts/second-factor/off", data={"off-proof": PASSWORD})
    assert answer.status_code == 302
    person = fresh(User, member.id)
    assert not person.has_second_factor and person.totp_secret is None
    from forum.extensions import db
    assert db.session.scalar(select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == member.id)) == 0


def test_a_member_turns_it_off_with_a_current_code(member_client, member):
    secret, _codes = set_up(member_client)
    answer = member_client.post("/accounts/second-factor/off", data={"off-proof": code(secret, ahead=30)})
    assert answer.status_code == 302 and not fresh(User, member.id).has_second_factor


def test_turning_it_off_needs_the_password_or_a_code(member_client, member):
    set_up(member_client)
    answer = member_client.post("/accounts/second-factor/off", data={"off-proof": "geraten"})
    assert answer.status_code == 200 and "weder Ihr Passwort noch ein gültiger Code" in text_of(answer)
    assert fresh(User, member.id).has_second_factor


def test_staff_cannot_turn_it_off(moderator_client, moderator):
    assert moderator_client.post("/accounts/second-factor/off", data={"off-proof": PASSWORD}).status_code == 403
    assert fresh(User, moderator.id).has_second_factor
    assert "Ausschalten" not in text_of(moderator_client.get("/accounts/second-factor"))


def test_new_recovery_codes_replace_the_old_ones(member_client, member, client):
    _secret, old = set_up(member_client)
    shown = member_client.post("/accounts/second-factor/recovery-codes", data={"codes-proof": PASSWORD})
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", shown.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    log_in(client, member)
    assert client.post("/accounts/login/code", data={"code": old[0]}).status_code == 200
    assert client.post("/accounts/login/code", data={"code": new[0]}).status_code == 302


# --- the admin's reset -----------------------------------------------------------------------------------------

def test_an_admin_resets_a_lost_second_factor_audited_and_the_sessions_end(admin_client, admin, client_as):
    moderator = make_user(role="moderator")
    moderators_client = client_as(moderator)
    assert "Zweiten Faktor zurücksetzen" in text_of(admin_client.get(f"/admin/users/{moderator.id}"))
    answer = admin_client.post(f"/admin/users/{moderator.id}/second-factor/reset",
                               data={"reason": "Telefon verloren, Identität telefonisch geprüft."})
    assert answer.status_code == 302
    assert not fresh(User, moderator.id).has_second_factor
    [entry] = audit("user.second_factor_reset", moderator)
    assert entry.actor_id == admin.id and entry.reason == "Telefon verloren, Identität telefonisch geprüft."
    assert moderators_client.get("/").status_code == 302 and session_rows(moderator) == 0
    # At the next login the moderator must set it up again before the moderation pages.
    assert client_as(moderator).get("/moderation/").headers["Location"].endswith("/accounts/second-factor/setup")


def test_the_reset_needs_a_reason_and_keeps_the_page(admin_client):
    person = make_user(second_factor=True)
    answer = admin_client.post(f"/admin/users/{person.id}/second-factor/reset", data={"reason": " "})
    assert answer.status_code == 200 and "Bitte begründen Sie das Zurücksetzen" in text_of(answer)
    assert fresh(User, person.id).has_second_factor and not audit("user.second_factor_reset")


@pytest.mark.parametrize("role", ["member", "organiser", "moderator"])
def test_only_admins_reset_a_second_factor(client_as, role):
    person = make_user(second_factor=True)
    answer = client_as(make_user(role=role)).post(f"/admin/users/{person.id}/second-factor/reset",
                                                  data={"reason": "Versuch"})
    assert answer.status_code == 403 and fresh(User, person.id).has_second_factor


# --- the rules -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, with_factor, expected", [
    ("anonymous", False, False), ("member", True, True), ("member", False, False), ("organiser", True, True),
    ("moderator", True, False), ("admin", True, False)])
def test_who_may_turn_the_second_factor_off(app, role, with_factor, expected):
    person = actor(role) if role == "anonymous" else make_user(role=role, second_factor=with_factor)
    assert permissions.can_turn_off_second_factor(person) is expected


@pytest.mark.parametrize("role, expected", [("anonymous", False), ("member", False), ("organiser", False),
                                            ("moderator", False), ("admin", True)])
def test_who_may_reset_someones_second_factor(app, role, expected):
    target = make_user(second_factor=True)
    assert permissions.can_reset_second_factor(actor(role), target) is expected


def test_no_admin_resets_their_own_or_an_absent_second_factor(app):
    admin = make_user(role="admin")
    assert permissions.can_reset_second_factor(admin, admin) is False
    assert permissions.can_reset_second_factor(admin, make_user(second_factor=False)) is False


@pytest.mark.parametrize("role, with_factor, expected", [
    ("member", False, False), ("organiser", False, False), ("moderator", False, True), ("admin", False, True),
    ("moderator", True, False), ("admin", True, False)])
def test_who_needs_to_set_up_the_second_factor(app, role, with_factor, expected):
    assert permissions.needs_second_factor_setup(make_user(role=role, second_factor=with_factor)) is expected
