"""Migrations: one head; upgrade from empty equals the models; downgrade to base leaves nothing behind."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from forum import ROOT
from forum.extensions import db
from tests.helpers import reset_schema


def _drop_everything():
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_migrations_have_exactly_one_head():
    script = ScriptDirectory(str(ROOT / "migrations"))
    assert len(script.get_heads()) == 1


def test_migration_files_are_date_prefixed():
    names = [path.name for path in (ROOT / "migrations" / "versions").glob("*.py")]
    assert names and all(name[:8].isdigit() and name[8] == "_" for name in names)


@pytest.mark.real_commits  # DDL on other connections
def test_upgrade_from_empty_matches_the_models_and_downgrade_removes_everything(app):
    try:
        _drop_everything()
        upgrade(directory=str(ROOT / "migrations"))
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []

        downgrade(directory=str(ROOT / "migrations"), revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
    finally:
        reset_schema()


@pytest.mark.real_commits  # DDL on other connections
def test_names_stored_with_bidi_overrides_are_cleaned_by_the_upgrade(app):
    try:
        _drop_everything()
        upgrade(directory=str(ROOT / "migrations"), revision="0005")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO organisations (name, kind, region, created_at) "
                "VALUES ('Jobcenter \u202eetseT', 'jobcenter', '', CURRENT_TIMESTAMP)")
        upgrade(directory=str(ROOT / "migrations"))
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT name FROM organisations").scalar() == "Jobcenter etseT"
    finally:
        reset_schema()
