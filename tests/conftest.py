"""Test fixtures: the app on SQLite and (with FORUM_TEST_DATABASE_URL) PostgreSQL, each test in a transaction that
is rolled back, role clients, mail.

Every test that uses `app` runs once per database backend. Without FORUM_TEST_DATABASE_URL the PostgreSQL run is
skipped with a visible reason, except under CI=true, where it fails. Under pytest-xdist each worker has its own
SQLite file, mail and upload folders (tmp_path_factory) and its own PostgreSQL database: the configured name with
the worker id appended (`test_gw0`, …), created when missing.

Isolation: a test runs on one connection inside an outer transaction. The views' and the test's commits only
release SAVEPOINTs within it (join_transaction_mode="create_savepoint"), and the whole is rolled back afterwards.
A test whose commits other connections must see (threads of its own, a second engine, migrations, DDL) is marked
`@pytest.mark.real_commits`: it commits for real, and every table is emptied afterwards. Either way a test that
leaves a row behind fails.
"""
from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from flask_sqlalchemy.session import Session, _app_ctx_id
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import scoped_session, sessionmaker

from forum.extensions import db, limiter
from forum.notifications.models import OutboxMessage
from tests.factories import make_user
from tests.helpers import Client, make_test_app, reset_schema, session_id, skip_or_fail


# --- the databases --------------------------------------------------------------------------------------------

def worker_database_url(url: str) -> str:
    """Under pytest-xdist, the URL of this worker's own PostgreSQL database (created when missing)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    for maintenance in (parsed.database, "postgres"):  # CI creates only the configured database
        engine = create_engine(parsed.set(database=maintenance), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                    connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            break
        except OperationalError:
            if maintenance == "postgres":
                raise
        finally:
            engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"
    url = os.environ.get("FORUM_TEST_DATABASE_URL")
    if not url:
        skip_or_fail("PostgreSQL tests need FORUM_TEST_DATABASE_URL")
    return worker_database_url(url)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = make_test_app(database_url, tmp_path_factory)
    with app.app_context():
        reset_schema()
    yield app
    with app.app_context():
        db.engine.dispose()


# --- isolation ------------------------------------------------------------------------------------------------

class ConnectionSession(Session):
    """Flask-SQLAlchemy's session picks the engine itself and would ignore `bind`; this one uses the connection
    it is bound to, so that it joins the test's outer transaction."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@contextmanager
def rolled_back():
    """db.session (every session of every app context) on one connection whose outer transaction is rolled
    back at the end; commits inside only release SAVEPOINTs."""
    connection = db.engine.connect()
    outer = connection.begin()
    committing = db.session
    db.session = scoped_session(
        sessionmaker(class_=ConnectionSession, db=db, query_cls=db.Query, bind=connection,
                     join_transaction_mode="create_savepoint"),
        scopefunc=_app_ctx_id)
    try:
        yield
    finally:
        db.session.remove()
        db.session = committing
        outer.rollback()
        connection.close()


def empty_tables() -> None:
    """Delete every row (what a test with real commits left)."""
    db.session.rollback()
    db.session.remove()
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


def tables_with_rows() -> list[str]:
    """The tables that are not empty, in one query."""
    probes = " UNION ALL ".join(f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM {table.name})"
                                for table in db.metadata.sorted_tables)
    with db.engine.connect() as connection:
        return list(connection.scalars(text(probes)))


@pytest.fixture(autouse=True)
def _database(request):
    """An app context per test, on a transaction that is rolled back (or, marked real_commits, real commits and
    every table emptied afterwards); a test that leaves rows fails."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        if request.node.get_closest_marker("real_commits"):
            try:
                yield
            finally:
                empty_tables()
            return
        with rolled_back():
            yield
        left = tables_with_rows()
        if left:
            empty_tables()
            pytest.fail(f"The test left rows in {', '.join(left)} although its transaction was rolled back: it "
                        f"committed through another connection; mark it @pytest.mark.real_commits")


# --- clients and people ---------------------------------------------------------------------------------------

@pytest.fixture
def client(app):
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def client_as(app):
    """client_as(user): a new client logged in as that user: a session row started as a complete login starts
    it (password and, for staff, the second factor are tested in test_accounts.py and test_second_factor.py),
    the Flask session set as Flask-Login would."""

    def make(user):
        user_id = session_id(user)
        db.session.commit()  # the user and the session exist for real, whatever the requests roll back
        app.test_client_class = Client
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
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
def account_steps(app):
    """The production steps of the per-account login limit (wrong passwords and codes), on fresh counters, for one
    test (the testing configuration is generous)."""
    saved = app.config["RATELIMIT_LOGIN_ACCOUNT"]
    app.config["RATELIMIT_LOGIN_ACCOUNT"] = "5 per minute;10 per 15 minutes;20 per hour;40 per day"
    limiter.reset()
    yield
    app.config["RATELIMIT_LOGIN_ACCOUNT"] = saved
    limiter.reset()


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
