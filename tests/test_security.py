"""The login gate, CSRF, headers, cookies, rate limits, session revocation and production start-up checks."""
from __future__ import annotations

import re

import pytest
from forum import create_app
from forum.extensions import csrf, db, limiter
from forum.security import PUBLIC_ENDPOINTS
from tests.factories import PASSWORD
from tests.helpers import text_of

SAMPLE_VALUES = {"int": "1", "default": "x", "string": "x", "path": "x"}


def _sample_url(rule) -> str:
    """A concrete URL for a rule, with placeholder values for its arguments."""
    def replace(match):
        converter = match.group(1) or "default"
        return SAMPLE_VALUES.get(converter, "1")
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", replace, rule.rule)


def test_every_non_public_endpoint_redirects_anonymous_users_to_login(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_sample_url(rule), method=method)
            assert response.status_code == 302, (rule.rule, method, response.status_code)
            assert response.headers["Location"].startswith("/accounts/login"), (rule.rule, method)
            checked += 1
    assert checked >= 20


def test_unknown_urls_also_go_to_login_so_the_site_cannot_be_mapped_anonymously(client):
    response = client.get("/admin/does-not-exist")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login")


@pytest.mark.parametrize("path", ["/accounts/login", "/accounts/register", "/accounts/password/forgot",
                                  "/pages/impressum", "/pages/datenschutz", "/pages/barrierefreiheit",
                                  "/pages/nutzungsbedingungen", "/healthz"])
def test_public_pages_need_no_login(client, path):
    assert client.get(path).status_code == 200


def test_login_returns_to_the_requested_page_but_never_to_another_site(client, member):
    response = client.post("/accounts/login", data={"email": member.email, "password": PASSWORD,
                                                      "next": "/organisations/"})
    assert response.headers["Location"] == "/organisations/"
    client.post("/accounts/logout")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post("/accounts/login", data={"email": member.email, "password": PASSWORD, "next": evil})
        assert response.headers["Location"] == "/", evil
        client.post("/accounts/logout")


# RFC 8058: a mail program's one-click unsubscribe POST carries no form token; the signed token in the URL is the
# credential, and it can only switch announcement mails off (tests/test_announcements.py).
CSRF_EXEMPT = {"announcements.unsubscribe"}


def test_only_the_one_click_unsubscribe_is_exempt_from_csrf(app):
    exempt = {endpoint for endpoint, view in app.view_functions.items()
              if f"{view.__module__}.{view.__name__}" in csrf._exempt_views}
    assert exempt == CSRF_EXEMPT


def test_every_post_endpoint_refuses_a_request_without_csrf_token(app, admin, client_as):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = client_as(admin)
        checked = 0
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods or rule.endpoint in CSRF_EXEMPT:
                continue
            response = client.post(_sample_url(rule), data={"email": "x@example.org"})
            assert response.status_code == 400, rule.rule
            assert "Formular abgelaufen" in text_of(response)
            checked += 1
        assert checked >= 10
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_login_form_works_with_a_real_csrf_token(app, client, member):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/accounts/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/accounts/login", data={"csrf_token": token, "email": member.email,
                                                          "password": PASSWORD})
        assert response.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_every_response_carries_the_security_headers(client, member_client):
    for response in (client.get("/accounts/login"), member_client.get("/"), client.get("/healthz")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"


def test_pages_contain_no_inline_scripts_or_styles(member_client, client):
    for response in (client.get("/accounts/login"), client.get("/accounts/register"), member_client.get("/")):
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=)", html)
        assert " style=" not in html and "<style" not in html
        assert not re.search(r"\son[a-z]+=", html)


def test_session_and_remember_cookies_are_httponly_and_samesite_lax(client, member):
    response = client.post("/accounts/login", data={"email": member.email, "password": PASSWORD, "remember": "y"})
    cookies = {c.split("=")[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("abc_session", "abc_remember"):
        assert "HttpOnly" in cookies[name]
        assert "SameSite=Lax" in cookies[name]
        assert "Expires=" in cookies[name]  # neither lives forever


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("FORUM_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("FORUM_DATABASE_URL", "sqlite://")
    app = create_app({"FORUM_CONFIG": "production"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("missing", ["FORUM_SECRET_KEY", "FORUM_DATABASE_URL"])
def test_production_refuses_to_start_without_secret_key_or_database(monkeypatch, missing):
    monkeypatch.setenv("FORUM_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("FORUM_DATABASE_URL", "sqlite://")
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        create_app({"FORUM_CONFIG": "production"})


def test_session_is_rotated_at_login(client, member):
    with client.session_transaction() as before:
        before["planted"] = "by-an-attacker"
    client.post("/accounts/login", data={"email": member.email, "password": PASSWORD})
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["_user_id"] == member.get_id()


def test_a_copied_session_cookie_stops_working_after_logout(app, client, member):
    client.post("/accounts/login", data={"email": member.email, "password": PASSWORD, "remember": "y"})
    thief = app.test_client()
    for cookie in client._cookies.values():
        thief.set_cookie(cookie.key, cookie.value)
    assert thief.get("/").status_code == 200  # the copy works while the session lives

    assert client.post("/accounts/logout").status_code == 302
    response = thief.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login")
    thief.delete_cookie("abc_session")  # the remember-me cookie alone does not bring the session back
    assert thief.get("/").status_code == 302


def test_suspended_user_is_logged_out_on_the_next_request(member_client, member):
    assert member_client.get("/").status_code == 200
    member.status = "suspended"
    db.session.commit()
    response = member_client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login")


def test_password_change_ends_other_sessions_but_not_the_current_one(client_as, member):
    laptop, phone = client_as(member), client_as(member)
    response = laptop.post("/accounts/password", data={"current_password": PASSWORD,
                                                       "password": "Fahrrad-Kompass-Laterne-7",
                                                       "password_confirm": "Fahrrad-Kompass-Laterne-7"})
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


@pytest.fixture
def tight_limits(app):
    """Rate limits of 3 per minute for the duration of one test, on fresh counters."""
    keys = ("RATELIMIT_LOGIN", "RATELIMIT_REGISTER", "RATELIMIT_RESET")
    saved = {key: app.config[key] for key in keys}
    app.config.update({key: "3 per minute" for key in keys})
    limiter.reset()
    yield
    app.config.update(saved)
    limiter.reset()


@pytest.mark.parametrize("path, data", [
    ("/accounts/login", {"email": "someone@example.org", "password": "falsch-falsch-falsch"}),
    ("/accounts/register", {"email": "someone@example.org"}),
    ("/accounts/password/forgot", {"email": "someone@example.org"}),
])
def test_login_registration_and_reset_are_rate_limited_with_a_german_message(client, tight_limits, path, data):
    for _ in range(3):
        assert client.post(path, data=data).status_code in (200, 302)
    response = client.post(path, data=data)
    assert response.status_code == 429
    assert "Zu viele Versuche" in text_of(response)
    assert client.get(path).status_code == 200  # reading the form stays possible


def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    app = create_app({"FORUM_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI":
                      "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_the_session_carries_no_personal_data_beyond_the_user_id(client, member):
    client.post("/accounts/login", data={"email": member.email, "password": PASSWORD})
    with client.session_transaction() as stored:
        assert member.email not in str(dict(stored))
