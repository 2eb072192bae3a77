"""Query helpers shared by the list pages."""
from __future__ import annotations


def contains(column, text: str):
    """Case-insensitive "column contains text", with %, _ and \\ in the text matched literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
