"""Scale-out: two gunicorn servers on one PostgreSQL database and one Redis are one extranet. A session from one
works on the other, rate limits and the login throttle count together, a file uploaded through one downloads
through the other, a change made through one is on the other's next page, and `send-digests` and `send-mail` run
on two servers at once send each mail once. Then the database is backed up with `pg_dump` and restored into a
fresh one, row for row (the restore the README describes).

Only with FORUM_TEST_DATABASE_URL and Redis on 127.0.0.1:6379 (with CI=true their absence fails). It uses a
database of its own (`<name>_scale`, created fresh and migrated) and Redis database 14 under a key prefix of its
own run, so it never meets the other tests. Both servers start once for all checks.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, inspect, select, text
from sqlalchemy.engine import make_url

from forum.clock import utcnow
from forum.config import Config
from forum.events.models import EventAttachment
from forum.extensions import db
from forum.notifications.models import OutboxMessage
from forum.storage import StoredFile
from tests.factories import PASSWORD, make_event, make_notification, make_post, make_thread, make_user
from tests.helpers import ROOT, make_test_app, skip_or_fail

REDIS_DB = 14  # the login-throttle test uses 15, the benchmark 0
DAILY_PEOPLE = 20  # each gets one digest
QUEUED_MAILS = 300  # waiting in the outbox besides the digests
PNG = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(200_000)  # checked by its magic bytes only: no text extraction


# --- the infrastructure ---------------------------------------------------------------------------------------

def scale_database_url() -> str:
    """A fresh, empty PostgreSQL database next to the test database (one per xdist worker)."""
    url = os.environ.get("FORUM_TEST_DATABASE_URL")
    if not url:
        skip_or_fail("the scale-out test needs PostgreSQL (FORUM_TEST_DATABASE_URL)")
    parsed = make_url(url)
    name = f"{parsed.database}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_scale"
    maintenance = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    maintenance.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def redis_client():
    import redis  # only this test talks to Redis directly

    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        skip_or_fail("the scale-out test needs Redis on 127.0.0.1:6379")
    return client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer the test looks at


class Browser:
    """One person's browser. Cookies are kept per host (127.0.0.1), not per port, as behind one reverse proxy:
    whichever server answers gets the same cookies."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects())

    def get(self, url: str) -> tuple[int, bytes]:
        return self._open(urllib.request.Request(url))

    def post(self, form_url: str, url: str, fields: dict, files: dict | None = None) -> tuple[int, bytes]:
        """Open the form (for its CSRF token), then send it, as multipart when there are files."""
        status, page = self.get(form_url)
        assert status == 200, (form_url, status)
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        fields = {"csrf_token": token, **fields}
        if files:
            boundary = secrets.token_hex(16)
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                     for name, value in fields.items()]
            parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                      f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
                      for name, (filename, data) in files.items()]
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        return self._open(urllib.request.Request(url, data=body, headers={"Content-Type": content_type}))

    def _open(self, request) -> tuple[int, bytes]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read()


def shared_cache_settings() -> dict:
    """The page cache's settings for both servers: Redis, under this run's prefix. Until the extranet has a cache
    (forum/config.py without CACHE_* settings) there is nothing to share."""
    settings = sorted(name for name in vars(Config) if name.startswith("CACHE_"))
    assert not settings, (
        f"forum/config.py has a cache now ({', '.join(settings)}): give both servers its Redis settings here, so "
        "the check that B never shows a stale page after a change through A covers it")
    return {}


def start_server(port: int, env: dict, log: Path) -> subprocess.Popen:
    """gunicorn as `make run` starts it, one worker (light), reading gunicorn.conf.py like production."""
    with log.open("wb") as output:
        return subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--threads", "2", "--no-control-socket", "wsgi:app"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_until_up(server: subprocess.Popen, base: str, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn at {base} ended:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn at {base} did not answer in time:\n{log.read_text()}")


# Each server's cron jobs in one process (one app start, not four): both processes wait for the seed and for each
# other before each command, so the two runs of `send-digests`, then of `send-mail`, really overlap. The commands
# are the ones `flask --app forum send-digests` / `send-mail` run.
CRON = """
import sys, time
from pathlib import Path
from forum import create_app

app = create_app()
runner = app.test_cli_runner()
folder, me, other = Path(sys.argv[1]), sys.argv[2], sys.argv[3]

def together(step):
    (folder / f"{step}-{me}").touch()
    deadline = time.monotonic() + 120
    while not (folder / "seeded").exists() or not (folder / f"{step}-{other}").exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"waited in vain for {other} ({step})")
        time.sleep(0.005)

for step, args in (("digests", ["send-digests"]), ("mail", ["send-mail", "--limit", "100000"])):
    together(step)
    result = runner.invoke(args=args)
    if result.exit_code:
        raise SystemExit(f"{args}: {result.output} {result.exception!r}")
    print(result.output.strip().splitlines()[-1])
"""


def start_cron(env: dict, folder: Path, me: str, other: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CRON, str(folder), me, other], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


# --- the data ------------------------------------------------------------------------------------------------

def seed(app) -> dict:
    """Migrate (as an operator would) and add the few rows the checks need, committed for the servers."""
    from flask_migrate import upgrade  # the schema as production gets it

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        member = make_user(email="mitglied@scale.example")
        paused = make_user(email="pausiert@scale.example", organisation=member.organisation)
        organiser = make_user(role="organiser", email="veranstalter@scale.example")
        event = make_event(status="done")
        thread = make_thread(title="Zwei Server, ein Forum", author=member)
        post = make_post(thread=thread, author=member, body="Die erste Fassung des Beitrags.")
        for number in range(DAILY_PEOPLE):
            person = make_user(email=f"taeglich-{number}@scale.example", organisation=member.organisation)
            person.email_notifications = "daily"
            make_notification(user=person, kind="reply", actor=member, post=post, thread=thread)
        now = utcnow()
        db.session.execute(insert(OutboxMessage.__table__), [
            {"recipient": f"empfaenger-{number}@scale.example", "subject": f"Nachricht {number}", "body": "Text",
             "created_at": now, "next_attempt_at": now, "attempts": 0, "last_error": "", "headers": {}}
            for number in range(QUEUED_MAILS)])
        db.session.commit()
        return {"member": member.email, "paused": paused.email, "organiser": organiser.email,
                "event": event.id, "thread": thread.id, "post": post.id,
                "version": post.version}


def login(browser: Browser, base: str, email: str, password: str = PASSWORD) -> tuple[int, bytes]:
    return browser.post(f"{base}/accounts/login", f"{base}/accounts/login", {"email": email, "password": password})


def answered(expected: int, answer: tuple[int, bytes]) -> bytes:
    """The page of an answer that must have this status (else the failure shows what came instead)."""
    status, page = answer
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.decode(errors="replace")))
    assert status == expected, f"{status} instead of {expected}: {text[:1500]}"
    return page


# --- the test ------------------------------------------------------------------------------------------------

def test_two_app_servers_on_one_database_and_one_redis_act_as_one(tmp_path_factory):
    started = time.monotonic()
    redis = redis_client()
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        skip_or_fail("the backup test needs pg_dump and pg_restore (postgresql-client)")
    url = scale_database_url()
    folder = tmp_path_factory.mktemp("scale")
    prefix = f"scale-{secrets.token_hex(6)}"
    mail_dir = folder / "mail"
    env = {name: value for name, value in os.environ.items() if not name.startswith("FORUM_")}
    env.update({"FORUM_CONFIG": "development", "FORUM_DATABASE_URL": url, "FORUM_SECRET_KEY": secrets.token_hex(32),
                "FORUM_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{REDIS_DB}",
                "FORUM_RATELIMIT_KEY_PREFIX": prefix, "FORUM_MAIL_DIR": str(mail_dir),
                "FORUM_FILE_STORAGE": "database", **shared_cache_settings()})
    per_server = {name: {**env, "FORUM_UPLOAD_DIR": str(folder / f"uploads-{name}"),  # never shared: if a file
                         "FORUM_EXPORT_DIR": str(folder / f"exports-{name}")}  # went there, B would not find it
                  for name in "ab"}
    ports = {name: free_port() for name in "ab"}
    servers = {name: start_server(ports[name], per_server[name], folder / f"gunicorn-{name}.log") for name in "ab"}
    crons = [start_cron(per_server[name], folder, name, other) for name, other in (("a", "b"), ("b", "a"))]
    a, b = (f"http://127.0.0.1:{ports[name]}" for name in "ab")
    app = make_test_app(url, tmp_path_factory)
    try:
        data = seed(app)  # while the servers start: they touch no table before the first request
        (folder / "seeded").touch()
        for name, base in (("a", a), ("b", b)):
            wait_until_up(servers[name], base, folder / f"gunicorn-{name}.log", time.monotonic() + 120)

        # A login on A is a session on B (cookie signed with the shared key, its UserSession row in the database).
        member = Browser()
        answered(302, login(member, a, data["member"]))
        status, page = member.get(f"{b}/discussion/{data['thread']}")
        assert status == 200 and b"Die erste Fassung des Beitrags." in page
        assert Browser().get(f"{b}/discussion/{data['thread']}")[0] == 302  # without the cookie: to the login

        # A change made through A is on B's next page (B has just shown the old text).
        edit = f"/discussion/posts/{data['post']}/edit"
        changed = {"body": "Die zweite Fassung, gespeichert über Server A.", "version": data["version"]}
        status, _page = member.post(f"{b}{edit}", f"{a}{edit}", changed)  # the form from B, sent to A
        assert status == 302
        page = member.get(f"{b}/discussion/{data['thread']}")[1]
        assert b"Die zweite Fassung, gespeichert" in page and b"Die erste Fassung" not in page

        # A file uploaded through A downloads byte for byte through B (neither has it on its disk).
        organiser = Browser()
        answered(302, login(organiser, b, data["organiser"]))
        documentation = f"/events/{data['event']}/documentation"
        status, _page = organiser.post(f"{a}{documentation}", f"{a}/events/{data['event']}/attachments", {},
                                       files={"file": ("Fotoprotokoll.png", PNG)})
        assert status == 302
        with app.app_context():
            attachment_id = db.session.scalar(select(EventAttachment.id))
        status, body = member.get(f"{b}/events/{data['event']}/attachments/{attachment_id}")
        assert status == 200 and body == PNG
        assert not any((folder / f"uploads-{name}").exists() for name in "ab")

        # The login throttle counts wrong passwords on both servers together: 3 on A and 2 on B make 5, so the
        # sixth try is paused, even with the right password (each server alone saw fewer than 5).
        stranger = Browser()
        for base in (a, b, a, b, a):
            answered(200, login(stranger, base, data["paused"], "falsch-falsch-falsch"))
        assert "Zu viele falsche Passwörter".encode() in answered(429, login(stranger, b, data["paused"]))

        # The per-address login limit (10 a minute) is one count too: 8 login POSTs so far (4 on A, 4 on B),
        # the ninth and tenth pass, the eleventh is refused — on whichever server.
        for base in (a, b):
            answered(200, login(stranger, base, "niemand@scale.example", "falsch-falsch-falsch"))
        assert b"Zu viele Versuche" in answered(429, login(stranger, a, "niemand@scale.example", "falsch-falsch-f"))
        answered(429, login(stranger, b, "niemand@scale.example", "falsch-falsch-falsch"))

        # send-digests and send-mail on both servers at once: each digest queued once, each mail sent once.
        outputs = [cron.communicate(timeout=180)[0] for cron in crons]
        assert all(cron.returncode == 0 for cron in crons), outputs
        digests = [int(re.search(r"(\d+) Zusammenfassung", output).group(1)) for output in outputs]
        sent = [int(re.search(r"(\d+) Mail\(s\) versendet", output).group(1)) for output in outputs]
        assert sum(digests) == DAILY_PEOPLE and sum(sent) == DAILY_PEOPLE + QUEUED_MAILS
        assert all(sent), f"the two runs did not overlap: {sent}"  # both delivered some: they really competed
        delivered = sorted(int(path.stem.rpartition("-")[2]) for path in mail_dir.glob("*.eml"))
        with app.app_context():
            rows = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_not(None))).all()
            assert db.session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) == 0
        assert delivered == sorted(rows) and len(delivered) == DAILY_PEOPLE + QUEUED_MAILS  # once each

        backed_up_and_restored(app, url, folder)
    finally:
        for process in (*servers.values(), *crons):
            if process.poll() is None:
                process.terminate()
        for process in (*servers.values(), *crons):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for key in redis.scan_iter(f"{prefix}*"):
            redis.delete(key)
        with app.app_context():
            db.engine.dispose()
    print(f"scale-out checks in {time.monotonic() - started:.1f} s")


def backed_up_and_restored(app, url: str, folder: Path) -> None:
    """The README's backup: `pg_dump -Fc` of the live database, `pg_restore` into a fresh one; every table has
    the same number of rows and the stored files the same bytes."""
    parsed = make_url(url)
    restored = parsed.set(database=f"{parsed.database}_restored")
    dump = folder / "extranet.dump"
    maintenance = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{restored.database}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{restored.database}"')
    libpq = {"host": parsed.host or "127.0.0.1", "port": str(parsed.port or 5432), "user": parsed.username or ""}
    connection_args = [f"--host={libpq['host']}", f"--port={libpq['port']}", f"--username={libpq['user']}"]
    password = {"PGPASSWORD": parsed.password} if parsed.password else {}
    subprocess.run(["pg_dump", "-Fc", *connection_args, f"--file={dump}", parsed.database],
                   check=True, env={**os.environ, **password})
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *connection_args,
                    f"--dbname={restored.database}", str(dump)], check=True, env={**os.environ, **password})
    source, copy = create_engine(url), create_engine(restored)
    try:
        tables = inspect(source).get_table_names()
        assert "stored_files" in tables and "alembic_version" in tables
        with source.connect() as live, copy.connect() as back:
            for table in tables:
                counted = f'SELECT count(*) FROM "{table}"'
                assert live.scalar(text(counted)) == back.scalar(text(counted)), table
            files = select(StoredFile.area, StoredFile.name, StoredFile.data).order_by(StoredFile.name)
            assert live.execute(files).all() == back.execute(files).all() != []
            assert back.scalar(select(func.count()).select_from(OutboxMessage)) == DAILY_PEOPLE + QUEUED_MAILS
    finally:
        source.dispose()
        copy.dispose()
        with maintenance.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{restored.database}" WITH (FORCE)')
        maintenance.dispose()

