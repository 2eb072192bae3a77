"""The client-data guard (Sozialdatenschutz): named patterns of text that looks like personal data of benefit
recipients, the highlighted copy shown to the author, and the count of how often it fired and was overridden.

The patterns aim at what staff copy from case files: BG-Nummer, Kundennummer, IBAN, Rentenversicherungsnummer,
Steuer-ID, dates of birth, phone numbers and street addresses. They leave alone what ordinary posts are full of:
event dates, paragraph numbers ("§ 16i SGB II"), years, times, room numbers and prices. Numbers with a check digit
(IBAN, Steuer-ID) must pass it, so a random run of digits does not trigger. Nothing of the text is ever stored.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from forum.clock import UTCDateTime, utcnow
from forum.extensions import db

GUARD_CONTEXTS = ("post", "idea")

_SEP = r"[ \u00a0]?"  # numbers are typed with or without (non-breaking) spaces between their groups
_DATE = r"(?:0?[1-9]|[12]\d|3[01])\.\s?(?:0?[1-9]|1[0-2])\.\s?(?:19|20)?\d{2}"
_MONTHS = r"(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)"
_LONG_DATE = rf"(?:0?[1-9]|[12]\d|3[01])\.\s?{_MONTHS}\s(?:19|20)\d{{2}}"
_STREET_SUFFIX = r"(?i:straße|strasse|str\.|weg|allee|gasse|ring|damm|ufer|chaussee|pfad|steig|platz|markt)"
_STREET_WORD = r"(?:Straße|Strasse|Str\.|Weg|Allee|Gasse|Ring|Damm|Ufer|Chaussee|Platz|Markt)"
_HOUSE_NUMBER = r"\d{1,4}(?:\s?[a-h])?(?:\s?[-–/]\s?\d{1,4}[a-h]?)?"
_NAMED_STREET = rf"[A-ZÄÖÜ][\wäöüß-]*{_STREET_SUFFIX}\s?"  # Musterstraße 12, Hauptstr. 5a, Lindenweg 7
_ADJECTIVE_STREET = rf"[A-ZÄÖÜ][\wäöüß-]*(?:er|sche|sches)\s{_STREET_WORD}\s"  # Berliner Straße 17
_ANY_PLACE = r"(?!(?:Raum|Zimmer|Saal|Etage|Stock|Haus|Gebäude|Nr|Tel)\b)[A-ZÄÖÜ][\wäöüß.-]+"  # with a PLZ only
_POSTCODE_CITY = r",?\s+\d{5}\s+[A-ZÄÖÜ][\wäöüß-]+"
_PREPOSITION = r"(?:Am|An der|An den|Auf der|Auf dem|Im|In der|In den|Zum|Zur|Hinter der|Unter den|Alte|Neue)"


class GuardEvent(db.Model):
    """The client-data guard fired (and whether the author overrode it) — counted without any of the text."""

    __tablename__ = "guard_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    context: Mapped[str] = mapped_column(String(20))
    patterns: Mapped[str] = mapped_column(String(200))
    overridden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def _iban_valid(match: re.Match) -> bool:
    """ISO 13616 check digits (mod 97 == 1)."""
    iban = re.sub(r"\s", "", match.group(0)).upper()
    digits = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def _tax_id_valid(match: re.Match) -> bool:
    """Steuerliche Identifikationsnummer: 11 digits, no leading 0, ISO 7064 MOD 11,10 check digit."""
    digits = re.sub(r"\D", "", match.group(0))
    if len(digits) != 11 or digits[0] == "0":
        return False
    product = 10
    for digit in digits[:10]:
        total = (int(digit) + product) % 10 or 10
        product = (total * 2) % 11
    check = 11 - product
    return (0 if check == 10 else check) == int(digits[10])


def _insurance_number_valid(match: re.Match) -> bool:
    """Rentenversicherungsnummer: the six digits after the area number are a date of birth (DDMMYY)."""
    digits = re.sub(r"\D", "", match.group(0))
    day, month = int(digits[2:4]), int(digits[4:6])
    return 1 <= day <= 31 and 1 <= month <= 12


def _phone_plausible(match: re.Match) -> bool:
    """Between 6 and 15 digits, as German numbers have."""
    return 6 <= len(re.sub(r"\D", "", match.group(0))) <= 15


def _birth_year(match: re.Match) -> bool:
    """A date next to a name counts as a birth date when it lies at least 14 years back (events do not)."""
    year = re.search(r"(\d{2,4})\s*\)?$", match.group(0).rstrip(")"))
    if year is None:
        return False
    number = int(year.group(1))
    if number < 100:
        number += 1900 if number > date.today().year % 100 else 2000
    return number <= date.today().year - 14


@dataclass(frozen=True)
class Pattern:
    """One kind of client data: its name (stored in GuardEvent), its German label and how it is found."""

    name: str
    label: object
    regex: re.Pattern
    valid: Callable[[re.Match], bool] | None = None


PATTERNS: tuple[Pattern, ...] = (
    Pattern("bg_nummer", _l("BG-Nummer"),
            re.compile(rf"(?<![\w])\d{{5}}{_SEP}BG{_SEP}\d{{7}}(?![\w])", re.IGNORECASE)),
    Pattern("kundennummer", _l("Kundennummer der Bundesagentur für Arbeit"),
            re.compile(rf"(?<![\w.,/-])\d{{3}}{_SEP}[A-Z]{_SEP}\d{{6}}(?![\w]|[.,]\d)")),
    Pattern("iban", _l("IBAN"),
            re.compile(r"(?<![\w])DE\s?\d{2}(?:\s?\d{4}){4}\s?\d{2}(?![\w])", re.IGNORECASE), _iban_valid),
    Pattern("rentenversicherungsnummer", _l("Rentenversicherungsnummer"),
            re.compile(rf"(?<![\w])\d{{2}}{_SEP}\d{{6}}{_SEP}[A-Z]{_SEP}\d{{3}}(?![\w])"), _insurance_number_valid),
    Pattern("steuer_id", _l("Steuer-Identifikationsnummer"),
            re.compile(r"(?<![\w.,/-])\d{2}\s?\d{3}\s?\d{3}\s?\d{3}(?![\w]|[.,]\d)"), _tax_id_valid),
    Pattern("geburtsdatum", _l("Geburtsdatum"),
            re.compile(rf"(?:\b(?:geb\.|geboren|Geburtsdatum|Geb\.-Datum|Geburtstag)(?:\s+(?:am|den))?:?\s*"
                       rf"(?:{_DATE}|{_LONG_DATE})(?!\d)"
                       rf"|(?<![*\w])\*\s?(?:{_DATE}|{_LONG_DATE})(?![\d*]))", re.IGNORECASE)),
    Pattern("name_mit_datum", _l("Geburtsdatum neben einem Namen"),
            re.compile(rf"\b(?:Herr|Frau|Hr\.|Fr\.)\s+(?:Dr\.\s+)?[A-ZÄÖÜ][\w.-]*(?:\s+[A-ZÄÖÜ][\w-]*)?"
                       rf"(?:\s*,\s*|\s*\(\s*|\s+){_DATE}\)?(?!\d)"), _birth_year),
    Pattern("telefonnummer", _l("Telefonnummer"),
            re.compile(r"(?<![\w.,/+-])(?<!\d[ \u00a0])(?:"
                       r"(?:\+|00)49[ \u00a0/-]?(?:\(0\)[ \u00a0]?)?[1-9]\d{1,4}"
                       r"|\(0[1-9]\d{1,4}\)|0[1-9]\d{1,4}"
                       r")(?:[ \u00a0]?[/-][ \u00a0]?|[ \u00a0])?\d(?:[ \u00a0-]?\d){3,11}(?![\w]|[.,]\d)"
                       r"|\b(?:Tel\.|Telefon|Tel|Mobil|Handy|Fon)\s?(?:-?Nr\.)?:?\s?\d(?:[ \u00a0/-]?\d){4,14}(?!\w)",
                       re.IGNORECASE), _phone_plausible),
    Pattern("anschrift", _l("Anschrift"),
            re.compile(rf"\b(?:{_NAMED_STREET}|{_ADJECTIVE_STREET}){_HOUSE_NUMBER}(?:{_POSTCODE_CITY})?(?!\w|[.,]\d)"
                       rf"|\b(?:{_PREPOSITION}\s[A-ZÄÖÜ][\wäöüß-]+|{_ANY_PLACE})\s{_HOUSE_NUMBER}{_POSTCODE_CITY}")),
)
PATTERN_LABELS = {pattern.name: pattern.label for pattern in PATTERNS}


@dataclass(frozen=True)
class Hit:
    """One stretch of text that looks like client data."""

    pattern: str
    start: int
    end: int

    @property
    def label(self):
        return PATTERN_LABELS[self.pattern]


def scan(text: str) -> list[Hit]:
    """Every stretch of `text` that looks like client data, in text order, without overlaps (the earlier and
    then the longer stretch wins)."""
    found = []
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(text or ""):
            if pattern.valid is None or pattern.valid(match):
                found.append(Hit(pattern.name, match.start(), match.end()))
    hits: list[Hit] = []
    for hit in sorted(found, key=lambda h: (h.start, -(h.end - h.start))):
        if not hits or hit.start >= hits[-1].end:
            hits.append(hit)
    return hits


def highlight(text: str, hits: list[Hit]) -> Markup:
    """The text escaped, with every hit in <mark> (the pattern's name for screen readers in a title)."""
    parts, position = [], 0
    for hit in hits:
        parts.append(escape(text[position:hit.start]))
        parts.append(Markup('<mark title="{}">{}</mark>').format(str(hit.label), text[hit.start:hit.end]))
        position = hit.end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


@dataclass
class Finding:
    """What the guard found in the texts of one form: per text its label and highlighted copy."""

    parts: list[tuple[object, Markup]] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    blocked: bool = True

    @property
    def labels(self) -> list[str]:
        return [str(PATTERN_LABELS[name]) for name in self.patterns]


def find(texts: Iterable[tuple[object, str]], *, blocked: bool = False) -> Finding | None:
    """What looks like client data in the (label, text) pairs of a form, highlighted; None when nothing does.
    Counts nothing: the preview shows the same marks as publishing would, without stopping anything."""
    finding = Finding(blocked=blocked)
    for label, text in texts:
        hits = scan(text)
        if hits:
            finding.parts.append((label, highlight(text, hits)))
            finding.patterns.extend(hit.pattern for hit in hits if hit.pattern not in finding.patterns)
    return finding if finding.parts else None


def review(texts: Iterable[tuple[object, str]], *, confirmed: bool, context: str) -> Finding | None:
    """Check the (label, text) pairs of a form before they are published; None when nothing looks like
    client data.

    A hit is counted in guard_events (pattern names only, never the text): as overridden when the author has
    confirmed that the text holds no client data, else as fired — then `blocked` is True and the form is shown
    again with the matches highlighted. Flushes.
    """
    if context not in GUARD_CONTEXTS:
        raise ValueError(f"unknown guard context {context!r}")
    finding = find(texts, blocked=not confirmed)
    if finding is None:
        return None
    db.session.add(GuardEvent(context=context, patterns=",".join(finding.patterns)[:200], overridden=confirmed))
    db.session.flush()
    return finding


def hold_back(texts: Iterable[tuple[object, str]], *, confirmed: bool, context: str, render: Callable):
    """The one way a view lets the guard stop a valid form before its service runs: `render(finding=…)` — the
    form again with the matches marked, the count of the warning committed (never the text) — or None when the
    text may be saved (nothing found, or the author confirmed). Post forms reach it through
    discussion.posting.held_back, which adds the preview and the rate limit."""
    finding = review(texts, confirmed=confirmed, context=context)
    if finding and finding.blocked:
        db.session.commit()
        return render(finding=finding)
    return None
