"""Query helpers shared by the packages: case-insensitive search, idempotent inserts, ordered lists, pages."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import request
from sqlalchemy import Select, Table
from sqlalchemy.dialects import postgresql, sqlite

from forum.extensions import db


def contains(column, text: str):
    """Case-insensitive "column contains text", with %, _ and \\ in the text matched literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def insert_new(table: Table, conflict: list[str], **values) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True only when this request really added the row.

    The unique key decides, not a check before the insert, so parallel requests never add twice.
    """
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict)
                 .execution_options(preserve_rowcount=True))  # rowcount of an INSERT is kept only when asked
    return db.session.execute(statement).rowcount == 1


def move_in_order(rows: list, row, step: int) -> bool:
    """Move `row` one place up (-1) or down (+1) among `rows` (in their order) and renumber their `position`
    1, 2, 3, …; False when it cannot move. The caller flushes."""
    index = rows.index(row)
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(rows):
        return False
    rows[index], rows[target] = rows[target], rows[index]
    for position, each in enumerate(rows, start=1):
        each.position = position
    return True


MAX_PAGE = 100_000  # far beyond any list here; a larger OFFSET would overflow the database's integers
# ASCII digits only ("²".isdigit() is true, int("²") fails), no leading zero.
_DIGITS = re.compile(r"[1-9][0-9]*")


def page_number() -> int:
    """The page the request asks for (`?page=`): a whole number, larger ones as MAX_PAGE (an empty page past the
    end, like any page after the last); anything else is page 1."""
    value = request.args.get("page", "")
    if not _DIGITS.fullmatch(value):
        return 1
    return MAX_PAGE if len(value) > len(str(MAX_PAGE)) else min(int(value), MAX_PAGE)


def paginate(query: Select, *, per_page: int, count: bool = True):
    """One page of a SELECT, at the page the request asks for (what every list view uses instead of
    `db.paginate`, which reads any number from the request)."""
    return db.paginate(query, page=page_number(), per_page=per_page, error_out=False, count=count)


@dataclass
class Page:
    """One page of a list that is not a plain SELECT of rows (for the `pagination` macro), numbered from 1."""

    page: int
    pages: int
    items: list = field(default_factory=list)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` rows fill (at least one)."""
    return max((total - 1) // per_page + 1, 1)


def page_window(page: int, pages: int, around: int = 1) -> list[int | None]:
    """The page numbers the `pagination` macro links: the first, the last and `around` neighbours of the current
    one, None for a gap ("…"). A gap would stand for a single page: that page is shown instead, a number is as
    short as the ellipsis and saves a click."""
    shown = {1, pages, *range(page - around, page + around + 1)}
    numbers = sorted(number for number in shown if 1 <= number <= pages)
    window: list[int | None] = []
    for number in numbers:
        if window and number - window[-1] == 2:
            window.append(number - 1)
        elif window and number - window[-1] > 2:
            window.append(None)
        window.append(number)
    return window
