"""Forms of the ideas exchange; every message German by default (lazy_gettext)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from forum.discussion.forms import confirm_client_data_field
from forum.forms import FilterForm, Form, MaxChars, choices, clean_text as _clean, one_line as _one_line
from forum.markup import MAX_SOURCE_CHARS

SUMMARY_MAX = 300
NOTE_MAX = 500
REASON_MAX = 500
DESCRIPTION_HEADINGS = (_l("Ausgangslage"), _l("Ziel"), _l("Umsetzung"), _l("Ergebnisse"), _l("Übertragbarkeit"))


def description_template() -> str:
    """The headings of a structured description, with room to write under each (in the user's language)."""
    return "\n\n\n".join(f"# {heading}" for heading in DESCRIPTION_HEADINGS) + "\n"


def _terms_field(label, description=None):
    message = _l("Dieser Eintrag wird nicht angeboten. Bitte wählen Sie aus der Liste aus.")
    return SelectMultipleField(label, coerce=int, description=description, invalid_choice_message=message,
                               invalid_value_message=message)


class IdeaForm(Form):
    """Submit or edit an idea. `organisations` ({optgroup: {id: name}}) only for people who may submit for
    another Jobcenter; otherwise the field is removed and the author's organisation is used."""

    title = StringField(_l("Titel"), filters=[_one_line], validators=[
        DataRequired(_l("Bitte geben Sie einen Titel an.")),
        MaxChars(200, _l("Der Titel darf höchstens 200 Zeichen lang sein."))],
        description=_l("Kurz und aussagekräftig, z. B. „Gesundheitscoaching mit der AOK vor Ort“."))
    summary = TextAreaField(_l("Kurzbeschreibung"), filters=[_clean], validators=[
        DataRequired(_l("Bitte fassen Sie den Ansatz kurz zusammen.")),
        MaxChars(SUMMARY_MAX, _l("Die Kurzbeschreibung darf höchstens 300 Zeichen lang sein."))],
        description=_l("Höchstens 300 Zeichen; erscheint in der Übersicht der Ideenbörse."),
        render_kw={"rows": 3})
    description = TextAreaField(_l("Beschreibung"), filters=[_clean], validators=[
        DataRequired(_l("Bitte beschreiben Sie den Ansatz.")),
        MaxChars(MAX_SOURCE_CHARS, _l("Die Beschreibung darf höchstens 20.000 Zeichen lang sein."))],
        description=_l("Schreiben Sie unter jede Überschrift: Ausgangslage – welche Situation gab es vor Ort? "
                       "Ziel – was soll erreicht werden? Umsetzung – wie funktioniert der Ansatz, wer ist "
                       "beteiligt? Ergebnisse – was hat sich bisher gezeigt? Übertragbarkeit – was brauchen andere "
                       "Jobcenter, um ihn zu übernehmen? Markdown ist möglich, z. B. **fett** oder Listen mit „-“. "
                       "Bitte keine Daten von Leistungsberechtigten."),
        render_kw={"rows": 18})
    organisation_id = SelectField(_l("Einreichendes Jobcenter"), coerce=int, validate_choice=True,
                                  invalid_choice_message=_l("Bitte wählen Sie eine Organisation aus der Liste aus."),
                                  invalid_value_message=_l("Bitte wählen Sie eine Organisation aus der Liste aus."),
                                  description=_l("Sie können einen Ansatz auch im Namen eines Jobcenters "
                                                 "einreichen."))
    contact = StringField(_l("Ansprechperson"), filters=[_one_line], validators=[
        DataRequired(_l("Bitte nennen Sie eine Ansprechperson.")),
        MaxChars(200, _l("Die Angabe zur Ansprechperson darf höchstens 200 Zeichen lang sein."))],
        description=_l("Name und E-Mail-Adresse oder Telefonnummer für Rückfragen anderer Jobcenter."))
    topics = _terms_field(_l("Handlungsfelder"), _l("Mindestens ein Handlungsfeld."))
    target_groups = _terms_field(_l("Zielgruppen"))
    partner_types = _terms_field(_l("Beteiligte Kooperationspartner"))
    confirm_client_data = confirm_client_data_field()

    def __init__(self, *args, terms: dict | None = None, organisations: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        terms = terms or {}
        for name, kind in (("topics", "topic"), ("target_groups", "target_group"),
                           ("partner_types", "partner_type")):
            getattr(self, name).choices = choices({term.id: term.name for term in terms.get(kind, ())})
        if organisations is None:
            del self.organisation_id
        else:
            self.organisation_id.choices = [SelectChoice(id_, name, optgroup=group)
                                            for group, members in organisations.items()
                                            for id_, name in members.items()]

    def validate_description(self, field):
        written = [line for line in (field.data or "").splitlines() if line.strip() and not line.startswith("#")]
        if not written:
            raise ValidationError(_l("Bitte beschreiben Sie den Ansatz unter den Überschriften."))

    def validate_topics(self, field):
        if field.choices and not field.data:
            raise ValidationError(_l("Bitte wählen Sie mindestens ein Handlungsfeld aus."))

    @property
    def term_ids(self) -> list[int]:
        return [*(self.topics.data or ()), *(self.target_groups.data or ()), *(self.partner_types.data or ())]


class StatusForm(Form):
    """A moderator moves an idea to another status, with a reason for the author and the log."""

    status = SelectField(_l("Neuer Status"), validate_choice=True,
                         invalid_choice_message=_l("Dieser Statuswechsel ist nicht möglich."))
    reason = TextAreaField(_l("Begründung"), filters=[_clean], validators=[
        DataRequired(_l("Bitte begründen Sie die Änderung des Status.")),
        MaxChars(REASON_MAX, _l("Die Begründung darf höchstens 500 Zeichen lang sein."))],
        description=_l("Wird der einreichenden Person per E-Mail mitgeteilt und im Moderationsprotokoll "
                       "festgehalten."), render_kw={"rows": 3})

    def __init__(self, *args, statuses: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = choices(statuses or {})


class AdoptForm(Form):
    """A member records that their Jobcenter adopted the idea."""

    note = TextAreaField(_l("Anmerkung"), filters=[_clean], validators=[
        MaxChars(NOTE_MAX, _l("Die Anmerkung darf höchstens 500 Zeichen lang sein."))],
        description=_l("Zum Beispiel: seit wann, in welcher Form oder was Sie angepasst haben."),
        render_kw={"rows": 3})


class EventLinkForm(Form):
    """An organiser or moderator links the idea to an event where it was presented."""

    event_id = SelectField(_l("Veranstaltung"), coerce=int, validate_choice=True,
                           invalid_choice_message=_l("Bitte wählen Sie eine Veranstaltung aus der Liste aus."),
                           invalid_value_message=_l("Bitte wählen Sie eine Veranstaltung aus der Liste aus."))

    def __init__(self, *args, events: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_id.choices = choices({0: _l("– bitte auswählen –"), **(events or {})})

    def validate_event_id(self, field):
        if not field.data:
            raise ValidationError(_l("Bitte wählen Sie eine Veranstaltung aus."))


class TermForm(Form):
    """The name of a reference-list entry (add or rename)."""

    name = StringField(_l("Bezeichnung"), filters=[_one_line], validators=[
        DataRequired(_l("Bitte geben Sie eine Bezeichnung an.")),
        MaxChars(120, _l("Die Bezeichnung darf höchstens 120 Zeichen lang sein."))])


class IdeaFilterForm(FilterForm):
    """The filters and the order of the Ideenbörse; the view sets the choices."""

    NOT_FILTERS = ("sort",)

    topic = SelectField()
    target_group = SelectField()
    partner_type = SelectField()
    land = SelectField()
    status = SelectField()
    event = SelectField()
    sort = SelectField()

