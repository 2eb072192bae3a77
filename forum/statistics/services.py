"""Exports of the programme statistics for the office's spreadsheets (CSV and XLSX), each audited with its period
and filters. The figures themselves are read in figures.py."""
from __future__ import annotations

import io

import xlsxwriter
from babel.numbers import format_decimal
from flask_babel import gettext as _

from forum.audit import record
from forum.exports import excel_csv
from forum.statistics.figures import Figure, Scope, figures


def table_rows(scope: Scope, shown: list[Figure]) -> list[list]:
    """Every figure one below the other: its title, its header, its rows, an empty line; the period and filters
    first, so a file says what it counts."""
    rows = [[_("Programmstatistik"), scope.period.label]]
    if scope.land or scope.jobcenter_type:
        rows.append([_("Jobcenter"), scope.label])
    rows.append([])
    for figure in shown:
        rows += [[figure.title], figure.columns, *figure.rows, []]
    return rows


def _csv_value(value):
    """Numbers as German Excel reads them (83,3); "–" where a share cannot be computed."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return format_decimal(value, locale="de_DE")
    return value


def export_csv(scope: Scope, *, actor) -> bytes:
    """The figures the actor may see, as one CSV file for Excel (formulas guarded by forum/exports.py)."""
    rows = table_rows(scope, figures(scope, actor))
    record(actor, "statistics.export", None, snapshot={"format": "csv", **scope.as_dict()})
    return excel_csv(rows[0], ([_csv_value(value) for value in row] for row in rows[1:]))


def export_xlsx(scope: Scope, *, actor) -> bytes:
    """The same table as an Excel workbook: numbers as numbers, every text written as text (never a formula,
    also when it begins with = + - @)."""
    rows = table_rows(scope, figures(scope, actor))
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_("Statistik")[:31])
    bold = workbook.add_format({"bold": True})
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, 4, 22)
    for number, row in enumerate(rows):
        for column, value in enumerate(row):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(number, column, value)
            else:
                text = "–" if value is None else str(value)
                sheet.write_string(number, column, text, bold if len(row) == 1 else None)
    workbook.close()
    record(actor, "statistics.export", None, snapshot={"format": "xlsx", **scope.as_dict()})
    return buffer.getvalue()
