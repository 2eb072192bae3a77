"""Time in the database is timezone-aware UTC; shown in Europe/Berlin by Flask-Babel's formatters."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current moment as an aware UTC datetime (the only clock the code reads)."""
    return datetime.now(timezone.utc)


BERLIN = ZoneInfo("Europe/Berlin")


def from_berlin(day: date, clock: time) -> datetime | None:
    """A date and time on a clock in Germany as an aware UTC datetime; None for a time that does not exist
    there (the hour skipped when summer time begins)."""
    local = datetime.combine(day, clock, tzinfo=BERLIN)
    moment = local.astimezone(timezone.utc)
    if moment.astimezone(BERLIN).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return moment


def to_berlin(moment: datetime) -> datetime:
    """An aware datetime as the time on a clock in Germany (for pre-filling forms)."""
    return moment.astimezone(BERLIN)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and gives them back aware, also on SQLite (which drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
