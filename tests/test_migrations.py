"""Migrations: one head; upgrade from empty equals the models; downgrade to base leaves nothing behind."""
from __future__ import annotations

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from forum import ROOT
from forum.extensions import db
from forum.search.models import is_engine_object
from forum.ideas.models import SECTION_KEYS
from tests.helpers import reset_schema


def the_models_own(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic compares the models' tables; the full-text engines' own objects are declared beside them."""
    return not is_engine_object(name, type_)


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
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "include_object": the_models_own})
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


LEGACY_DESCRIPTIONS = {
    # German headings of several levels, a trailing colon, text before the first heading, an unknown heading
    "de": ("Vorweg: ein Satz ohne Überschrift.\n\n# Ausgangslage\nViele waren lange nicht beim Arzt.\n\n"
           "## Ziel:\nGesundheit wird Thema.\n\n### Unterpunkt\nmit eigener Überschrift\n\n# Umsetzung\n"
           "- Sprechstunde\n- Fallbesprechung\n\n#### Ergebnisse\nMehr Kurse.\n\n# Übertragbarkeit\nGut."),
    # the old template filled in in English, a heading inside fenced code, a repeated section
    "en": ("# Starting point\nNo doctor for years.\n\n# Goal\nHealth in counselling.\n\n```\n# Results\n```\n\n"
           "# Implementation\nWeekly hours.\n\n# Results\nMore courses.\n\n# Goal\nAnd work."),
    "none": "Nur ein Absatz, ganz ohne Überschriften.\nZweite Zeile.",
}


def _text_lines(text: str) -> list[str]:
    """The lines a reader wrote: not blank, not a known section heading."""
    from forum.ideas.sections import HEADING_NAMES

    heading = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$")
    return [line for line in text.split("\n") if line.strip() and not (
        (match := heading.match(line)) and match.group(1).rstrip(":").strip().casefold() in HEADING_NAMES)]


@pytest.mark.real_commits  # DDL on other connections
def test_the_upgrade_splits_idea_descriptions_into_sections_without_losing_text(app):
    try:
        _drop_everything()
        upgrade(directory=str(ROOT / "migrations"), revision="0006")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO organisations (id, name, kind, region, created_at) "
                "VALUES (1, 'Jobcenter Hagen', 'jobcenter', '', CURRENT_TIMESTAMP)")
            connection.exec_driver_sql(
                "INSERT INTO users (id, email, display_name, function, organisation_id, role, status, status_reason, "
                "password_hash, language, session_version, created_at) VALUES (1, 'e@jobcenter.example', 'Erika', "
                "'', 1, 'member', 'active', '', 'x', 'de', 1, CURRENT_TIMESTAMP)")
            for number, description in enumerate(LEGACY_DESCRIPTIONS.values(), start=1):
                connection.execute(text(
                    "INSERT INTO ideas (id, title, summary, description_source, description_html, organisation_id, "
                    "contact, author_id, status, vote_count, created_at, updated_at, last_activity_at) VALUES "
                    "(:id, 'Ansatz', 'Kurz', :description, '<p>alt</p>', 1, '', 1, 'published', 0, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                    {"id": number, "description": description})
        upgrade(directory=str(ROOT / "migrations"), revision="0007")
        columns = ", ".join(f"{key}_source" for key in SECTION_KEYS)
        with db.engine.connect() as connection:
            rows = {row[0]: row[1:] for row in connection.execute(text(
                f"SELECT id, description_source, description_html, {columns} FROM ideas"))}
        stored = {name: rows[number] for number, name in enumerate(LEGACY_DESCRIPTIONS, start=1)}

        de = dict(zip(SECTION_KEYS, stored["de"][2:]))
        assert de["situation"] == "Vorweg: ein Satz ohne Überschrift.\n\nViele waren lange nicht beim Arzt."
        assert de["goal"] == "Gesundheit wird Thema.\n\n### Unterpunkt\nmit eigener Überschrift"
        assert de["implementation"] == "- Sprechstunde\n- Fallbesprechung"
        assert (de["results"], de["transferability"]) == ("Mehr Kurse.", "Gut.")
        en = dict(zip(SECTION_KEYS, stored["en"][2:]))
        assert en == {"situation": "No doctor for years.", "goal": "Health in counselling.\n\n```\n# Results\n```"
                      "\n\nAnd work.", "implementation": "Weekly hours.", "results": "More courses.",
                      "transferability": ""}
        assert stored["none"][2:] == (LEGACY_DESCRIPTIONS["none"], "", "", "", "")
        for name, description in LEGACY_DESCRIPTIONS.items():
            source, html, *sections = stored[name]
            assert (source, html) == (description, "<p>alt</p>")  # the whole stays as it was
            assert sorted(_text_lines("\n".join(sections))) == sorted(_text_lines(description)), name
    finally:
        reset_schema()
