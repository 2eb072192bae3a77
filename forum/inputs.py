"""Untrusted input made safe before any view or form sees it: control characters removed from every submitted
value (query string, form, JSON), path ids bounded by the database's integer range, text path segments without
control characters.

Why here and not per field: PostgreSQL refuses text with NUL characters (a 500 from any text field), and ids
above 2³¹ − 1 (PostgreSQL INTEGER) or 2⁶³ − 1 (SQLite) fail inside the driver. One request class and two URL
converters cover every route, every form and every `request.args.get` at once, including those added later.
"""
from __future__ import annotations

import re

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER; every primary key of the schema is one
# C0 control characters and DEL, except tab and line feed (carriage returns become line feeds first).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Bidirectional embeddings, overrides and isolates: they make a name or title display differently from its text.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_controls(text: str) -> str:
    """The text with CR LF and lone CR as LF, and no other control characters than tab and line feed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def without_bidi_controls(text):
    """The text without bidirectional override, embedding and isolate characters (for one-line fields)."""
    return _BIDI.sub("", text) if isinstance(text, str) else text


def _clean(value):
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return value


class CleanMultiDict(ImmutableMultiDict):
    """The request's query string and form fields, each text value without control characters
    (uploaded files pass unchanged)."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            items = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            items = [(key, value) for key, values in mapping.items()
                     for value in (values if isinstance(values, (list, tuple)) else [values])]
        else:
            items = mapping
        super().__init__([(key, _clean(value)) for key, value in items])


class CleanRequest(Request):
    """Every request of the app: args, form and JSON arrive without control characters."""

    parameter_storage_class = CleanMultiDict

    def get_json(self, *args, **kwargs):
        return _clean(super().get_json(*args, **kwargs))


class IdConverter(IntegerConverter):
    """`<int:…>`: a number beyond the database's integer range is no id, so the route answers 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """`<name>` and `<string:name>` (slugs, tokens, kinds): a segment with control characters matches no route."""

    def __init__(self, map, minlength: int = 1, maxlength: int | None = None, length: int | None = None):
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]")


def init_app(app) -> None:
    """Before the blueprints: their rules are compiled with the converters registered at that moment."""
    app.request_class = CleanRequest
    app.url_map.converters.update({"int": IdConverter, "default": TextConverter, "string": TextConverter})
