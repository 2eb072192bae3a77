"""The structured description of an idea: five sections, each stored in its own column, composed into one markdown
text (`description_source`) under German headings, which the page, search, revisions, redaction and exports read.

The headings are German whatever the author's language, so every stored description looks the same; the form
labels are translated (`LABELS`). `split_description()` reads a description written as one text back into sections.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from forum.ideas.models import SECTION_KEYS as KEYS

# (key, German heading); the column of a section is f"{key}_source".
SECTIONS = tuple(zip(KEYS, ("Ausgangslage", "Ziel", "Umsetzung", "Ergebnisse", "Übertragbarkeit")))
LABELS = {"situation": _l("Ausgangslage"), "goal": _l("Ziel"), "implementation": _l("Umsetzung"),
          "results": _l("Ergebnisse"), "transferability": _l("Übertragbarkeit")}
# Heading names (casefolded) recognised when a whole description is split: German, and the English of the old
# template that was filled in in the author's language.
HEADING_NAMES = {
    "ausgangslage": "situation", "starting point": "situation",
    "ziel": "goal", "ziele": "goal", "goal": "goal", "goals": "goal",
    "umsetzung": "implementation", "implementation": "implementation",
    "ergebnisse": "results", "ergebnis": "results", "results": "results",
    "übertragbarkeit": "transferability", "transferability": "transferability",
}
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def compose_description(sections: dict[str, str]) -> str:
    """The whole description: every written section under its German heading, in the fixed order."""
    parts = [f"# {heading}\n\n{trim_section(sections[key])}" for key, heading in SECTIONS
             if (sections.get(key) or "").strip()]
    return "\n\n".join(parts)


def split_description(text: str) -> dict[str, str]:
    """{key: text} of a description written as one markdown text with section headings (German or English, any
    level; a trailing colon is allowed). Nothing is dropped: text before the first known heading goes to the
    first section, unknown headings stay as text of the section they stand in, a repeated heading adds to its
    section. Headings inside fenced code are text."""
    found: dict[str, list[str]] = {key: [] for key in KEYS}
    current, fenced = KEYS[0], None
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        fence = _FENCE.match(line)
        if fence and (fenced is None or fence.group(1) == fenced):
            fenced = fence.group(1) if fenced is None else None
        heading = _ATX_HEADING.match(line) if fenced is None and not fence else None
        key = HEADING_NAMES.get(heading.group(1).rstrip(":").strip().casefold()) if heading else None
        if key is not None:
            if found[key] and found[key][-1].strip():
                found[key].append("")  # a repeated heading: its text follows after a blank line
            current = key
            continue
        found[current].append(line)
    return {key: trim_section("\n".join(lines)) for key, lines in found.items()}


def trim_section(text: str) -> str:
    """Without blank lines at the start and whitespace at the end; the indentation of the first line stays."""
    return re.sub(r"\A(?:[ \t]*\n)+", "", text.replace("\r\n", "\n")).rstrip()
