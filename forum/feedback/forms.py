"""The form to report a barrier, and the status change of a report."""
from __future__ import annotations

from flask_babel import LazyString, format_number, gettext as _, lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length, Optional

from forum.feedback.models import STATUS_LABELS
from forum.forms import FilterForm, Form, MaxChars, choices, clean_text, one_line

MAX_DESCRIPTION_CHARS = 5_000


class BarrierReportForm(Form):
    """Description required; the page is prefilled from where the person came from; name and e-mail optional."""

    page_url = StringField(_l("Betroffene Seite (Adresse)"), filters=[one_line], validators=[
        Length(max=500, message=_l("Die Adresse darf höchstens 500 Zeichen lang sein."))],
        description=_l("Die Adresse der Seite, auf der Sie die Barriere bemerkt haben. Sie können sie ändern."))
    description = TextAreaField(_l("Beschreibung der Barriere"), filters=[clean_text], validators=[
        DataRequired(_l("Bitte beschreiben Sie die Barriere.")),
        MaxChars(MAX_DESCRIPTION_CHARS, LazyString(lambda: _(
            "Die Beschreibung darf höchstens %(count)s Zeichen lang sein.",
            count=format_number(MAX_DESCRIPTION_CHARS))))],
        description=_l("Was hat Sie behindert, und womit haben Sie gearbeitet (z. B. Screenreader, Tastatur, "
                       "Vergrößerung)?"),
        render_kw={"rows": 8})
    name = StringField(_l("Name"), filters=[one_line], validators=[
        Length(max=200, message=_l("Höchstens 200 Zeichen."))], render_kw={"autocomplete": "name"})
    email = EmailField(_l("E-Mail-Adresse"), filters=[one_line], validators=[
        Optional(),
        Email(_l("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@jobcenter-beispiel.de.")),
        Length(max=254, message=_l("Die E-Mail-Adresse ist zu lang."))],
        description=_l("Nur wenn Sie eine Eingangsbestätigung und eine Antwort erhalten möchten."),
        render_kw={"autocomplete": "email", "spellcheck": "false"})


class StatusForm(Form):
    """The new status of a report (a POST with CSRF)."""

    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS), validators=[
        InputRequired(), AnyOf(tuple(STATUS_LABELS), message=_l("Bitte wählen Sie einen Status."))])


class CameFromForm(FilterForm):
    """`?from=`: the page the footer link was on (the view keeps it only if it is a path of this site)."""

    came_from = StringField(name="from", validators=[Length(max=500)])


class StatusFilterForm(FilterForm):
    """The status filter of the admin list."""

    status = SelectField()
