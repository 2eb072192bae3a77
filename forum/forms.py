"""Helpers shared by the domain forms."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, ValidationError


DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]  # what <input type="date"> sends, and what people type without it


def date_field(label, *validators, description=None) -> DateField:
    """A date typed as 16.06.2026 or chosen in the browser's date picker, with a German message otherwise."""
    return DateField(label, validators=list(validators), format=DATE_FORMATS, description=description,
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


class MoveForm(FlaskForm):
    """Move an entry of an ordered list (a reference term, a Fachforum) one place up or down."""

    direction = HiddenField(validators=[InputRequired(), AnyOf(("up", "down"))])
