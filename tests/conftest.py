"""Test fixtures: the app on SQLite and (with FORUM_TEST_DATABASE_URL) PostgreSQL, role clients, mail, query counts.

Every test that uses `app` runs once per database backend. Without FORUM_TEST_DATABASE_URL the PostgreSQL run is
skipped with a visible reason, except under CI=true, where it fails.
"""
from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager

import pytest
from flask import g
from flask.testing import FlaskClient
from flask_babel import refresh as refresh_babel
from sqlalchemy import event, text

from forum import create_app
from forum.extensions import db
from forum.notifications.models import OutboxMessage
from tests.factories import make_user

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Missing infrastructure skips on a developer machine and fails in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"
    url = os.environ.get("FORUM_TEST_DATABASE_URL")
    if not url:
        skip_or_fail("PostgreSQL tests need FORUM_TEST_DATABASE_URL")
    return url


def make_test_app(database_url: str, tmp_path_factory, **overrides):
    return create_app({
        "FORUM_CONFIG": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_DIR": str(tmp_path_factory.mktemp("mail")),
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),  # not instance/: the demo data uploads files
        **overrides,
    })


def reset_schema() -> None:
    """An empty database with the current models (also after a migration test left Alembic's tables)."""
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.drop_all()
    db.create_all()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = make_test_app(database_url, tmp_path_factory)
    with app.app_context():
        reset_schema()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _database(request):
    """An app context per test; afterwards every table is emptied (tests commit through the views)."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        tables = [table.name for table in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "postgresql":
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))


class Client(FlaskClient):
    """A test client that starts every request fresh although the test keeps one app context open:
    Flask-Login caches the user and Flask-Babel the locale on that context."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        refresh_babel()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def client_as(app):
    """client_as(user): a new client logged in as that user (session set directly, as Flask-Login would)."""

    def make(user):
        db.session.commit()  # the user exists for real, whatever the requests roll back
        app.test_client_class = Client
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return make


@pytest.fixture
def member(app):
    return make_user(role="member")


@pytest.fixture
def organiser(app):
    return make_user(role="organiser")


@pytest.fixture
def moderator(app):
    return make_user(role="moderator")


@pytest.fixture
def admin(app):
    return make_user(role="admin")


@pytest.fixture
def member_client(client_as, member):
    return client_as(member)


@pytest.fixture
def moderator_client(client_as, moderator):
    return client_as(moderator)


@pytest.fixture
def admin_client(client_as, admin):
    return client_as(admin)


@pytest.fixture
def outbox():
    """Mails queued so far, optionally for one recipient, oldest first."""

    def messages(recipient: str | None = None) -> list[OutboxMessage]:
        db.session.expire_all()
        query = db.select(OutboxMessage).order_by(OutboxMessage.id)
        if recipient:
            query = query.where(OutboxMessage.recipient == recipient)
        return list(db.session.scalars(query))

    return messages


def link_in(body: str, path_fragment: str) -> str:
    """The first URL in a mail body containing path_fragment, as a path for the test client."""
    for url in re.findall(r"https?://\S+", body):
        if path_fragment in url:
            return re.sub(r"^https?://[^/]+", "", url)
    raise AssertionError(f"no link with {path_fragment!r} in:\n{body}")


def run_in_parallel(app, user_ids: list[str], path: str, data: dict | None = None) -> list:
    """POST path (with the form `data`) once per user at the same moment, each from its own thread and client
    (own app context)."""
    barrier = threading.Barrier(len(user_ids))
    results: list = []

    def run(user_id: str) -> None:
        client = FlaskClient(app, app.response_class, use_cookies=True)
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        barrier.wait()
        try:
            results.append(client.post(path, data=data).status_code)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results.append(repr(error))

    threads = [threading.Thread(target=run, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block: `with count_queries() as queries: …; len(queries)`."""
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


def text_of(response) -> str:
    """The response body as text with tags removed and whitespace collapsed (what a user reads)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#34;", '"').replace("&#39;", "'")
