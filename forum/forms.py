"""The base form of the app and helpers shared by the domain forms."""
from __future__ import annotations

from functools import lru_cache

from babel import support
from flask import current_app, flash, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.i18n import messages_path
from wtforms.validators import AnyOf, InputRequired, ValidationError
from wtforms.widgets import HiddenInput, PasswordInput, TextArea

from forum.extensions import db
from forum.inputs import MAX_ID, without_bidi_controls
from forum.rules import RuleBroken


DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]  # what <input type="date"> sends, and what people type without it
FIRST_YEAR, LAST_YEAR = 2000, 2100  # no date of this programme lies outside; year 1 or 9999 break time arithmetic


def _check_year(form, field):
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(_l("Bitte geben Sie ein Datum zwischen %(first)s und %(last)s an.",
                                 first=FIRST_YEAR, last=LAST_YEAR))


def date_field(label, *validators, description=None) -> DateField:
    """A date typed as 16.06.2026 or chosen in the browser's date picker, between the years 2000 and 2100,
    with a German message otherwise."""
    return DateField(label, validators=[*validators, _check_year], format=DATE_FORMATS, description=description,
                     invalid_value_message=_l("Bitte geben Sie ein Datum an, z. B. 16.06.2026."))


def choices(mapping: dict) -> list[SelectChoice]:
    """Select options from {value: label} in the given order (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in mapping.items()]


def clean_text(text):
    """Trimmed, with the browser's CR LF line ends as LF (so the length counts what is stored)."""
    return text.replace("\r\n", "\n").strip() if isinstance(text, str) else text


def one_line(text):
    """Whitespace collapsed to single spaces (titles, names)."""
    return " ".join(text.split()) if isinstance(text, str) else text


class MaxChars:
    """At most `limit` characters; the message says how many there are now."""

    def __init__(self, limit: int, message):
        self.limit, self.message = limit, message

    def __call__(self, form, field):
        count = len(field.data or "")
        if count > self.limit:
            raise ValidationError(_("%(message)s Zurzeit sind es %(count)s Zeichen.", message=self.message,
                                    count=count))


class WithinDatabaseRange:
    """A whole number the database can store (INTEGER), else a German message instead of a 500."""

    def __call__(self, form, field):
        if isinstance(field.data, int) and not -MAX_ID - 1 <= field.data <= MAX_ID:
            raise ValidationError(_("Diese Zahl ist zu groß."))


@lru_cache(maxsize=None)
def _wtforms_translations(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    """The base of every form of the app (control characters are already gone: forum.inputs).

    Fields are bound with what no form may forget: a one-line text field (a name, a title) loses bidirectional
    override characters, so "Erika \u202eretsuM" is not shown reversed; a whole number stays within the range of
    the database's INTEGER columns."""

    class Meta:
        def get_translations(self, form):
            """WTForms' own messages in the page's language, from catalogues read once per process (Flask-WTF
            reads the .mo file again for each request: half a millisecond of every page, which all hold a form)."""
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return None
            return _wtforms_translations(str(get_locale()))

        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            widget = unbound_field.kwargs.get("widget") or getattr(field_class, "widget", None)
            if issubclass(field_class, StringField) and not isinstance(widget, (TextArea, PasswordInput,
                                                                                 HiddenInput)):
                unbound_field = _with(unbound_field, "filters", 2, before=[without_bidi_controls])
            if issubclass(field_class, IntegerField):
                unbound_field = _with(unbound_field, "validators", 1, after=[WithinDatabaseRange()])
            return unbound_field.bind(form=form, **options)


class FilterForm(Form):
    """The filters of a list: a GET form without CSRF, read from the query string. Values the page does not offer
    (an old or mistyped link) are dropped field by field, so the list is still shown; `options` gives each select
    field its offered {value: label}, and `NOT_FILTERS` names fields (a sort order) that chosen() leaves out."""

    NOT_FILTERS: tuple[str, ...] = ()

    class Meta:
        csrf = False

    def __init__(self, *, options: dict[str, dict[str, str]] | None = None):
        super().__init__(request.args)
        self.offer(options or {})

    def offer(self, options: dict[str, dict[str, str]]) -> None:
        """Set the offered {value: label} of select fields (also after reading what the query string asks for)."""
        for name, offered in options.items():
            self[name].choices = choices({"": "", **offered})

    def chosen(self) -> dict[str, str]:
        """{field name: value} of the filters set to an offered value."""
        self.validate()
        return {field.name: field.data for field in self
                if field.name not in self.NOT_FILTERS and field.data and not field.errors}


def search_field(label) -> StringField:
    """The search box of a list: trimmed, at most SEARCH_MAX_CHARS characters (a longer text is cut, not refused)."""
    return StringField(label, filters=[lambda value: value.strip()[:SEARCH_MAX_CHARS] if value else ""])


SEARCH_MAX_CHARS = 100


def _with(unbound: UnboundField, key: str, position: int, *, before=(), after=()) -> UnboundField:
    """The field declaration with more filters or validators (given by keyword or by position)."""
    args, kwargs = list(unbound.args), dict(unbound.kwargs)
    if len(args) > position:
        args[position] = [*before, *(args[position] or ()), *after]
    else:
        kwargs[key] = [*before, *(kwargs.get(key) or ()), *after]
    return UnboundField(unbound.field_class, *args, name=unbound.name, **kwargs)


def attempt(field, action):
    """The one way a view calls a service that may refuse: a broken rule (RuleBroken) undoes the transaction and
    becomes `field`'s message, so the form is shown again with what was typed — or, with `field` None (a button
    without input), a flashed warning. Returns (True, result) or (False, the RuleBroken: its `.status` is the
    answer's HTTP status)."""
    try:
        return True, action()
    except RuleBroken as error:
        db.session.rollback()
        if field is None:
            flash(str(error), "warning")
        else:
            field.errors.append(str(error))
        return False, error


class ConfirmForm(Form):
    """A button that changes state: only the CSRF token."""


class MoveForm(Form):
    """Move an entry of an ordered list (a reference term, a Fachforum) one place up or down."""

    direction = HiddenField(validators=[InputRequired(), AnyOf(("up", "down"))])
