"""Forms of the discussions: a post (new thread, reply, edit), the client-data confirmation, and the Fachforen."""
from __future__ import annotations

from flask_babel import LazyString, format_number, gettext as _, lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import HiddenInput

from forum.forms import FilterForm, Form, MaxChars, clean_text, one_line
from forum.markup import MAX_SOURCE_CHARS

TITLE_MAX = 200
BOARD_DESCRIPTION_MAX = 500
MARKDOWN_HINT = _l("Markdown ist möglich: **fett**, *kursiv*, Listen mit „-“ oder „1.“, > Zitat, "
                   "[Linktext](https://…). Personen erwähnen Sie mit @Vorname Nachname. "
                   "Bitte keine Daten von Leistungsberechtigten.")
# The limit written the reader's way (20.000 / 20,000), decided when the message is shown.
_TOO_LONG = LazyString(lambda: _("Der Beitrag darf höchstens %(count)s Zeichen lang sein.",
                                 count=format_number(MAX_SOURCE_CHARS)))


def confirm_client_data_field() -> BooleanField:
    """The checkbox with which an author overrides the client-data guard (posts and ideas)."""
    return BooleanField(_l("Ich bestätige, dass der Text keine Daten von Leistungsberechtigten enthält."))


def _body_field(label=None) -> TextAreaField:
    """The markdown text of a post, with the editor toolbar, a draft kept in the browser and @mention suggestions
    (templates/_macros.html `textarea`, static/js/editor.js)."""
    return TextAreaField(label or _l("Ihr Beitrag"), filters=[clean_text], validators=[
        DataRequired(_l("Bitte schreiben Sie einen Text.")), MaxChars(MAX_SOURCE_CHARS, _TOO_LONG)],
        description=MARKDOWN_HINT,
        render_kw={"rows": 10, "data-markdown": True, "data-draft": True, "data-mentions": True})


class PostForm(Form):
    """A reply. The second submit button (name "preview") shows the rendered text instead of saving it."""

    body = _body_field()
    confirm_client_data = confirm_client_data_field()


class ThreadForm(PostForm):
    """A new thread in a Fachforum: its title and first post."""

    title = StringField(_l("Titel"), filters=[one_line], validators=[
        DataRequired(_l("Bitte geben Sie einen Titel an.")),
        MaxChars(TITLE_MAX, _l("Der Titel darf höchstens 200 Zeichen lang sein."))],
        description=_l("Worum geht es? Zum Beispiel „Erfahrungen mit Gesundheitscoaching nach § 16i SGB II“."))
    body = _body_field(_l("Erster Beitrag"))


class EditPostForm(PostForm):
    """Edit one's post; `version` is the one the form was opened with (stale-edit detection)."""

    body = _body_field(_l("Text des Beitrags"))
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class BoardForm(Form):
    """An admin creates or edits a Fachforum."""

    title = StringField(_l("Titel"), filters=[one_line], validators=[
        DataRequired(_l("Bitte geben Sie einen Titel an.")),
        MaxChars(120, _l("Der Titel darf höchstens 120 Zeichen lang sein."))])
    description = TextAreaField(_l("Beschreibung"), filters=[clean_text], validators=[
        MaxChars(BOARD_DESCRIPTION_MAX, _l("Die Beschreibung darf höchstens 500 Zeichen lang sein."))],
        description=_l("Ein, zwei Sätze: worüber in diesem Fachforum gesprochen wird."), render_kw={"rows": 3})


class QuoteRequestForm(FilterForm):
    """`?quote=<post id>` on the reply page: the post to quote (a number within the database's range, else none)."""

    quote = IntegerField(validators=[Optional()])


class MentionQueryForm(FilterForm):
    """`?q=` of the @mention suggestions: the start of a name as typed after "@" (spaces folded, cut to a name's
    length)."""

    q = StringField(filters=[lambda value: " ".join((value or "").split())[:120]])
