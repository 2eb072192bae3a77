"""The filters of the statistics page: the period (a year, a quarter or a range of days), Land and Jobcenter type."""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from forum.forms import FilterForm, choices, date_field
from forum.organisations.models import JOBCENTER_TYPE_LABELS, LAENDER
from forum.statistics.period import MAX_DAYS, Period

PERIOD_KINDS = {"year": _l("Jahr"), "quarter": _l("Quartal"), "custom": _l("Eigener Zeitraum")}
QUARTERS = {"1": _l("1. Quartal (Januar bis März)"), "2": _l("2. Quartal (April bis Juni)"),
            "3": _l("3. Quartal (Juli bis September)"), "4": _l("4. Quartal (Oktober bis Dezember)")}
YEARS_BACK = 9  # the years offered: this one, the next and nine before


class StatisticsFilterForm(FilterForm):
    """Which period and whose activity the figures count; values the page does not offer are dropped."""

    period = SelectField(_l("Zeitraum"), validators=[Optional()])
    year = SelectField(_l("Jahr"), validators=[Optional()],
                       description=_l("Für die Zeiträume „Jahr“ und „Quartal“."))
    quarter = SelectField(_l("Quartal"), validators=[Optional()], description=_l("Für den Zeitraum „Quartal“."))
    date_from = date_field(_l("Von (Datum)"), Optional(), description=_l("Für „Eigener Zeitraum“."))
    date_to = date_field(_l("Bis (Datum)"), Optional(), description=_l("Für „Eigener Zeitraum“."))
    land = SelectField(_l("Land"), validators=[Optional()])
    jobcenter_type = SelectField(_l("Art des Jobcenters"), validators=[Optional()])

    def __init__(self, *, today: date):
        self.today = today
        years = {str(year): str(year) for year in range(today.year + 1, today.year - YEARS_BACK - 1, -1)}
        super().__init__(options={"period": {}, "year": years, "quarter": QUARTERS, "land": LAENDER,
                                  "jobcenter_type": JOBCENTER_TYPE_LABELS})
        self.period.choices = choices(PERIOD_KINDS)
        self.year.choices = choices(years)
        self.quarter.choices = choices(QUARTERS)
        for field, offered, default in ((self.period, PERIOD_KINDS, "year"), (self.year, years, str(today.year)),
                                        (self.quarter, QUARTERS, str((today.month - 1) // 3 + 1))):
            if not field.raw_data or field.raw_data[0] not in offered:
                field.data = default

    def validate_date_to(self, field):
        if field.data and isinstance(self.date_from.data, date):
            if field.data < self.date_from.data:
                raise ValidationError(_l("Das Enddatum liegt vor dem Anfangsdatum."))
            if (field.data - self.date_from.data).days >= MAX_DAYS:
                raise ValidationError(_l("Der Zeitraum darf höchstens fünf Jahre umfassen."))

    def query(self) -> dict[str, str]:
        """The query string of what was asked (as typed), for the export buttons and redirects."""
        return {field.name: field.raw_data[0] for field in self if field.raw_data and field.raw_data[0]}

    def chosen_period(self) -> Period:
        """The period asked for: the year, its quarter, or the range of days (a missing or refused end of the
        range is the selected year's first or last day)."""
        filters = self.chosen()
        year = int(self.year.data)
        if self.period.data == "quarter":
            return Period.quarter(year, int(self.quarter.data))
        if self.period.data == "custom":
            first = filters.get("date_from") or date(year, 1, 1)
            last = filters.get("date_to") or date(year, 12, 31)
            if last < first or (last - first).days >= MAX_DAYS:
                last = min(first.replace(month=12, day=31), first + timedelta(days=MAX_DAYS - 1))
            return Period(first, last)
        return Period.year(year)
