"""CSV files for Excel, shared by the exports (participants of an event, the audit log)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable


def csv_cell(value) -> str:
    """A cell Excel will not run as a formula (OWASP: CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def excel_csv(header: list, rows: Iterable[Iterable]) -> bytes:
    """UTF-8 with BOM, semicolons, CRLF, every cell guarded against formulas: what German Excel opens as is."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
