"""Every visible string is translatable, the German and English catalogues are complete and up to date."""
from __future__ import annotations

import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from forum import ROOT
from tests.helpers import text_of

TRANSLATIONS = ROOT / "forum" / "translations"


def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def extracted_ids(tmp_path) -> set:
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True,
                   capture_output=True)
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


@pytest.mark.parametrize("language", ["de", "en"])
def test_catalogue_contains_every_string_of_code_and_templates(tmp_path, language):
    missing = extracted_ids(tmp_path) - {message.id for message in catalogue(language) if message.id}
    assert not missing, f"run `make extract-messages` and translate: {sorted(missing)[:10]}"


@pytest.mark.parametrize("language", ["de", "en"])
def test_catalogue_is_completely_translated(language):
    untranslated = [message.id for message in catalogue(language) if message.id and (
        message.fuzzy or not message.string or (isinstance(message.string, tuple) and not all(message.string)))]
    assert untranslated == []


def test_english_translations_keep_every_placeholder():
    import re
    placeholder = re.compile(r"%\(\w+\)s")
    for message in catalogue("en"):
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        target = message.string[0] if isinstance(message.string, tuple) else message.string
        assert sorted(placeholder.findall(source)) == sorted(placeholder.findall(target)), source


def test_the_whole_login_page_is_english_after_switching(client):
    client.post("/language", data={"language": "en", "next": "/accounts/login"})
    page = text_of(client.get("/accounts/login"))
    assert "Anmelden" not in page and "Passwort" not in page and "Impressum" not in page


def test_dates_are_shown_in_german_format_and_berlin_time(client_as, admin, member):
    from datetime import datetime, timezone

    from forum.extensions import db
    member.created_at = datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc)  # 2 March, 00:30 in Berlin
    db.session.commit()
    page = text_of(client_as(admin).get(f"/admin/users/{member.id}"))
    assert "02.03.2026, 00:30" in page and "00:30:00" not in page  # forum/dates.py: no seconds
