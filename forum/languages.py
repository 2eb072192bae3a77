"""Language of parts (WCAG 3.1.2): the language a user text was written in, and its `lang` mark where it is shown
in a UI of the other language. A bottom module: imports nothing of `forum`."""
from __future__ import annotations

from markupsafe import Markup, escape
from sqlalchemy import String
from sqlalchemy.orm import mapped_column

LANGUAGES = ("de", "en")


def written_in(author) -> str:
    """The language of a text the author writes now: their UI language (set at creation; German if unknown)."""
    language = getattr(author, "language", None)
    return language if language in LANGUAGES else "de"


def language_column():
    """The `language` column of every model holding user text; services set it with written_in(author) when the
    text is created; existing rows (and rows written without an author, like the default legal pages) are German."""
    return mapped_column(String(2), default="de", server_default="de")


def lang_attribute(written, ui_language: str, text=None) -> Markup:
    """The `lang` template filter. `<div{{ post | lang }}>`: ` lang="en"` for a text (an object with `.language`, or
    a language code) shown in a UI of another language, else nothing. `{{ thread | lang(thread.title) }}`: the
    text itself, in a `<span lang="en">` where needed — for a title inside a translated sentence."""
    language = getattr(written, "language", written)
    marked = language in LANGUAGES and language != ui_language
    if text is None:
        return Markup(' lang="%s"') % language if marked else Markup("")
    return Markup('<span lang="%s">%s</span>') % (language, text) if marked else escape(text)
