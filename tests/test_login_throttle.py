"""Wrong passwords per account from many addresses, shared counters across workers, the reverse proxy's
client address, and the production start-up check of workers vs. rate-limit storage."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from forum.accounts import throttle
from forum.config import check_worker_setup
from tests.factories import PASSWORD
from tests.helpers import make_test_app, skip_or_fail, text_of

ROOT = Path(__file__).resolve().parent.parent


def login_from(client, address: str, email: str, password: str):
    return client.post("/accounts/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_wrong_passwords_for_one_account_from_thirty_addresses_are_paused_after_five(client, member,
                                                                                       account_steps):
    answers = [login_from(client, f"198.51.100.{number}", member.email, "falsch-falsch-falsch").status_code
               for number in range(1, 31)]
    assert answers[:5] == [200] * 5 and set(answers[5:]) == {429}
    paused = login_from(client, "203.0.113.9", member.email, PASSWORD)  # even the right password waits
    assert paused.status_code == 429
    page = text_of(paused)
    assert "Zu viele falsche Passwörter für diese Adresse" in page and "Passwort vergessen" in page
    assert 'value="%s"' % member.email in paused.get_data(as_text=True)  # the input is kept


def test_the_pause_grows_with_the_wrong_passwords_and_is_never_permanent(app, member, account_steps):
    with app.test_request_context():
        for _ in range(5):
            throttle.count_wrong_password(member.email)
        first = throttle.seconds_to_wait(member.email)
        for _ in range(5):
            throttle.count_wrong_password(member.email)
        second = throttle.seconds_to_wait(member.email)
        for _ in range(30):
            throttle.count_wrong_password(member.email)
        longest = throttle.seconds_to_wait(member.email)
    assert 0 < first <= 60 < second <= 15 * 60 < longest <= 24 * 3600


def test_unknown_addresses_are_paused_the_same_way(client, account_steps):
    answers = [login_from(client, f"198.51.100.{n}", "niemand@example.org", "falsch-falsch-falsch").status_code
               for n in range(6)]
    assert answers == [200] * 5 + [429]


def test_a_successful_login_or_reset_forgets_the_wrong_passwords(app, client, member, account_steps):
    for _ in range(4):
        login_from(client, "198.51.100.1", member.email, "falsch-falsch-falsch")
    assert login_from(client, "198.51.100.2", member.email, PASSWORD).status_code == 302
    with app.test_request_context():
        assert throttle.seconds_to_wait(member.email) == 0
        for _ in range(4):
            throttle.count_wrong_password(member.email)
        assert throttle.seconds_to_wait(member.email) == 0  # 4 new ones, not 8


def test_a_pause_is_logged(client, member, account_steps, caplog):
    for _ in range(6):
        login_from(client, "198.51.100.1", member.email, "falsch-falsch-falsch")
    assert any("login paused" in record.getMessage() for record in caplog.records)


def redis_url() -> str:
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            skip_or_fail("the shared-counter test needs Redis on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/15"


def test_two_workers_sharing_redis_count_wrong_passwords_together(database_url, tmp_path_factory):
    """Two app instances (as two gunicorn workers) with the Redis storage: the count is one."""
    url = redis_url()
    workers = [make_test_app(database_url, tmp_path_factory, RATELIMIT_STORAGE_URI=url,
                             RATELIMIT_LOGIN_ACCOUNT="5 per minute") for _ in range(2)]
    email = f"geteilt-{os.getpid()}@example.org"
    try:
        for number in range(5):
            with workers[number % 2].test_request_context():
                throttle.count_wrong_password(email)
        for worker in workers:
            with worker.test_request_context():
                assert throttle.seconds_to_wait(email) > 0
    finally:
        with workers[0].test_request_context():
            throttle.forget_wrong_passwords(email)


def test_behind_one_trusted_proxy_each_client_has_its_own_address_and_cannot_spoof_it(database_url,
                                                                                       tmp_path_factory):
    from flask import request

    seen = []
    for proxies in (0, 1):
        app = make_test_app(database_url, tmp_path_factory, TRUSTED_PROXIES=proxies)
        app.view_functions["accounts.registration_sent"] = lambda: seen.append(request.remote_addr) or "ok"
        client = app.test_client()
        # The client claims 6.6.6.6; the proxy (10.0.0.2) appends the address it really saw.
        client.get("/accounts/register/sent", headers={"X-Forwarded-For": "6.6.6.6, 192.0.2.44"},
                   environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert seen == ["10.0.0.2", "192.0.2.44"]


@pytest.mark.parametrize("workers, storage, refused", [
    (1, "memory://", False), (4, "memory://", True), (4, None, True), (4, "redis://127.0.0.1:6379/0", False)])
def test_several_workers_need_shared_rate_limit_storage(workers, storage, refused):
    if refused:
        with pytest.raises(RuntimeError, match="FORUM_RATELIMIT_STORAGE_URI"):
            check_worker_setup(workers, storage)
    else:
        check_worker_setup(workers, storage)


def test_gunicorn_with_two_workers_and_memory_counters_refuses_to_start(tmp_path):
    environment = {**os.environ, "FORUM_CONFIG": "production", "FORUM_SECRET_KEY": "x" * 40,
                   "FORUM_DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite'}"}
    environment.pop("FORUM_RATELIMIT_STORAGE_URI", None)
    environment.pop("FORUM_RATELIMIT_STORAGE_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run([str(gunicorn), "--workers", "2", "--bind", "127.0.0.1:0", "wsgi:app"], cwd=ROOT,
                            env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "FORUM_RATELIMIT_STORAGE_URI" in result.stderr


def test_logout_deletes_the_remember_me_cookie(client, member):
    client.post("/accounts/login", data={"email": member.email, "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("abc_remember") is not None
    response = client.post("/accounts/logout")
    cleared = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("abc_remember=")]
    assert cleared and ("Max-Age=0" in cleared[0] or "Expires=Thu, 01 Jan 1970" in cleared[0])
    assert client.get_cookie("abc_remember") is None
