"""The period a statistics page counts: whole days in Berlin, from the first to the last (inclusive), and the
calendar months it touches."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _

from forum.clock import from_berlin
from forum.dates import format_date

MAX_DAYS = 5 * 366  # a custom range of at most five years: its months still fit one chart


def start_of(day: date) -> datetime:
    """Midnight in Berlin at the start of the day, in UTC (01:00 where midnight does not exist)."""
    return from_berlin(day, time(0, 0)) or from_berlin(day, time(1, 0))


@dataclass(frozen=True)
class Period:
    """Days in Berlin, `first` to `last`, both included."""

    first: date
    last: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = date(year, 3 * quarter - 2, 1)
        following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return cls(first, following - timedelta(days=1))

    @property
    def start(self) -> datetime:
        """The first moment of the period (UTC)."""
        return start_of(self.first)

    @property
    def end(self) -> datetime:
        """The first moment after the period (UTC)."""
        return start_of(self.last + timedelta(days=1))

    def months(self) -> list[date]:
        """The first day of every calendar month the period touches, in order."""
        months, month = [], self.first.replace(day=1)
        while month <= self.last:
            months.append(month)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return months

    def month_starts(self) -> list[datetime]:
        """Where each month after the first begins (UTC) within the period: the boundaries of the month buckets."""
        return [start_of(month) for month in self.months()[1:]]

    @property
    def label(self) -> str:
        """"1. Jan. 2026 bis 31. Dez. 2026" (in the user's language)."""
        return _("%(first)s bis %(last)s", first=format_date(self.first),
                 last=format_date(self.last))

    def as_dict(self) -> dict:
        return {"first": self.first.isoformat(), "last": self.last.isoformat()}
