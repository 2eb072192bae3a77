"""Every date and time the extranet shows, in one format per language (templates, mails, CSV, form messages).

German: 13.12.2026, 14:00 (with the weekday: Sonntag, 13.12.2026); English: day, month, year — 13 Dec 2026,
14:00 (Sunday, 13 Dec 2026). Times are 24-hour in both, shown in Europe/Berlin (Flask-Babel's time zone).

The template filters `date`, `datetime` and `time` are these functions. They accept Babel's style names
("short", "medium", …) so that every template gets the one format whatever it asks for; only "full" and
"weekday" add the weekday.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import flask_babel
from flask_babel import get_locale

from forum.clock import BERLIN

_DATE = {"de": "dd.MM.yyyy", "en": "d MMM yyyy"}
_WEEKDAY = {"de": "EEEE, dd.MM.yyyy", "en": "EEEE, d MMM yyyy"}
_TIME = "HH:mm"
_WITH_WEEKDAY = ("full", "weekday")
# Babel's "MMM" in English (CLDR); the German date has no month name. Written out here because the date and time
# of every post on a thread page through Babel's pattern formatter cost ~7 % of the page.
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _language() -> str:
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "de"


def format_date(value: date | datetime | None, style: str | None = None) -> str:
    """13.12.2026 / 13 Dec 2026 (a datetime in Berlin's calendar day); "" for None."""
    if value is None:
        return ""
    patterns = _WEEKDAY if style in _WITH_WEEKDAY else _DATE
    if isinstance(value, datetime):  # the day in Berlin, not in UTC
        return flask_babel.format_datetime(value, patterns[_language()])
    return flask_babel.format_date(value, patterns[_language()])


def format_datetime(value: datetime | None, style: str | None = None) -> str:
    """13.12.2026, 14:00 / 13 Dec 2026, 14:00 in Berlin time; "" for None."""
    if value is None:
        return ""
    if style in _WITH_WEEKDAY:
        return flask_babel.format_datetime(value, f"{_WEEKDAY[_language()]}, {_TIME}")
    berlin = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(BERLIN)
    if _language() == "en":
        return f"{berlin.day} {_MONTHS_EN[berlin.month - 1]} {berlin.year:04d}, {berlin.hour:02d}:{berlin.minute:02d}"
    return f"{berlin.day:02d}.{berlin.month:02d}.{berlin.year:04d}, {berlin.hour:02d}:{berlin.minute:02d}"


def format_month(value: date) -> str:
    """A month as the statistics label it: Dez. 2026 / Dec 2026."""
    return flask_babel.format_date(value, "MMM yyyy")


def format_time(value: datetime | time | None, style: str | None = None) -> str:
    """14:00 (Berlin time for a datetime); "" for None."""
    if value is None:
        return ""
    return flask_babel.format_time(value, _TIME)
