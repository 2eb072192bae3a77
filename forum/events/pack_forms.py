"""The period of a documentation pack (e.g. a quarter): chosen in a GET form, sent again with the PDF button."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import InputRequired, ValidationError

from forum.events.documentation import MAX_PERIOD_DAYS
from forum.forms import DATE_FORMATS, FIRST_YEAR, LAST_YEAR, FilterForm, Form, date_field


def _check_period(first: date | None, last: date | None) -> str | None:
    """Why the period cannot be documented, or None."""
    if first is None or last is None:
        return None
    if last < first:
        return str(_l("Das Ende des Zeitraums liegt vor seinem Anfang."))
    if (last - first).days >= MAX_PERIOD_DAYS:
        return str(_l("Bitte wählen Sie höchstens ein Jahr (%(days)s Tage).", days=MAX_PERIOD_DAYS))
    return None


class PeriodForm(FilterForm):
    """From … to … (German dates, both included), read from the query string; errors are shown at the fields."""

    first = date_field(_l("Von"), InputRequired(_l("Bitte geben Sie den ersten Tag an.")))
    last = date_field(_l("Bis"), InputRequired(_l("Bitte geben Sie den letzten Tag an.")))

    def validate_last(self, field):
        problem = _check_period(self.first.data, field.data)
        if problem:
            raise ValidationError(problem)


def _parsed(text: str) -> date | None:
    """The date of the hidden copy (as the date field would read it), or None."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


class PeriodPdfForm(Form):
    """The PDF button of the period page: the chosen dates again (hidden), with CSRF."""

    first = HiddenField()
    last = HiddenField()

    def period(self) -> tuple[date, date] | None:
        """The valid period, or None (changed by hand, beyond a year)."""
        first, last = _parsed(self.first.data or ""), _parsed(self.last.data or "")
        if first is None or last is None or _check_period(first, last) is not None:
            return None
        if not FIRST_YEAR <= first.year <= LAST_YEAR or not FIRST_YEAR <= last.year <= LAST_YEAR:
            return None
        return first, last
