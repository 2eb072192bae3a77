"""Extract every translatable string and update the catalogues: German is the source language, so its
catalogue is the identity; the English catalogue keeps its translations and lists new strings untranslated.

Run with `make extract-messages`, then translate the empty msgstr entries in forum/translations/en.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "forum" / "translations"
POT = TRANSLATIONS / "messages.pot"


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def fill_identity(path: Path) -> None:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="de")
    for message in catalog:
        if message.id:
            message.string = tuple(message.id) if isinstance(message.id, tuple) else message.id
            message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=120, sort_output=True)


def main() -> None:
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--no-location", "--sort-output",
            "--omit-header", "-o", str(POT), ".")
    pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete",
            "--width", "120")
    fill_identity(TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po")


if __name__ == "__main__":
    main()
