"""The search page's form: the query, the kind (tab), the filters and the order, all from the query string."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from forum.forms import FilterForm, date_field
from forum.search.text import MAX_QUERY_CHARS, MAX_QUERY_WORDS


def _int_or_none(value):
    return int(value) if value not in (None, "") else None


class SearchForm(FilterForm):
    """GET /search?q=…: unknown filter values are dropped (chosen()); a too long query gets a message and is
    kept in the field."""

    NOT_FILTERS = ("q", "kind", "sort")

    q = StringField(_l("Suchbegriff"), filters=[lambda value: " ".join(value.split()) if value else ""],
                    validators=[Length(max=MAX_QUERY_CHARS, message=_l(
                        "Bitte kürzen Sie die Suche auf höchstens %(max)d Zeichen."))],
                    description=_l("Tipps: „Wörter in Anführungszeichen“ finden genau diese Wortfolge, -wort "
                                   "schließt ein Wort aus. Paragrafen wie § 16i finden Sie so, wie sie geschrieben "
                                   "werden."))
    kind = SelectField(_l("Art"))
    board = SelectField(_l("Fachforum"), coerce=_int_or_none, validators=[Optional()])
    event = SelectField(_l("Veranstaltung"), coerce=_int_or_none, validators=[Optional()])
    topic = SelectField(_l("Handlungsfeld"), coerce=_int_or_none, validators=[Optional()])
    land = SelectField(_l("Land"))
    organisation = SelectField(_l("Organisation"), coerce=_int_or_none, validators=[Optional()])
    author = SelectField(_l("Person"), coerce=_int_or_none, validators=[Optional()])
    date_from = date_field(_l("Von (Datum)"), Optional())
    date_to = date_field(_l("Bis (Datum)"), Optional())
    sort = SelectField(_l("Sortierung"))

    def validate_q(self, field):
        if len(field.data.split()) > MAX_QUERY_WORDS:
            raise ValidationError(_l("Bitte suchen Sie mit höchstens %(count)d Wörtern.", count=MAX_QUERY_WORDS))

    def validate_date_to(self, field):
        if field.data and isinstance(self.date_from.data, date) and field.data < self.date_from.data:
            raise ValidationError(_l("Das Enddatum liegt vor dem Anfangsdatum."))


class SimilarIdeasForm(FilterForm):
    """GET /search/similar-ideas: the title and summary being written, and the idea being edited (left out)."""

    title = StringField(filters=[lambda value: value[:MAX_QUERY_CHARS] if value else ""])
    summary = StringField(filters=[lambda value: value[:300] if value else ""])
    idea = SelectField(coerce=_int_or_none, validators=[Optional()])
