"""Forms of the ideas exchange; every message German by default (lazy_gettext)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from forum.discussion.forms import confirm_client_data_field
from forum.forms import FilterForm, Form, MaxChars, choices, clean_text as _clean, one_line as _one_line
from forum.ideas.sections import KEYS, LABELS, compose_description
from forum.markup import MAX_SOURCE_CHARS

SUMMARY_MAX = 300
NOTE_MAX = 500
REASON_MAX = 500


def _section_field(key: str, description, *, required=None) -> TextAreaField:
    """One section of the structured description: markdown, with the editor toolbar and a draft in the browser."""
    validators = [MaxChars(MAX_SOURCE_CHARS, _l("Ein Abschnitt darf höchstens 20.000 Zeichen lang sein."))]
    if required is not None:
        validators.insert(0, DataRequired(required))
    return TextAreaField(LABELS[key], filters=[_clean], validators=validators, description=description,
                         render_kw={"rows": 6, "data-markdown": True, "data-draft": True})


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
    situation = _section_field("situation", _l("Welche Situation gab es vor Ort? Was war der Anlass?"),
                               required=_l("Bitte beschreiben Sie die Ausgangslage."))
    goal = _section_field("goal", _l("Was soll der Ansatz erreichen, und für wen?"),
                          required=_l("Bitte beschreiben Sie das Ziel des Ansatzes."))
    implementation = _section_field("implementation", _l("Wie funktioniert der Ansatz? Wer ist beteiligt?"))
    results = _section_field("results", _l("Was hat sich bisher gezeigt?"))
    transferability = _section_field("transferability",
                                     _l("Was brauchen andere Jobcenter, um den Ansatz zu übernehmen?"))
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
    # "Ähnliche Ansätze anzeigen": the form comes back with the similar ideas, nothing is saved (without JS).
    similar = SubmitField(_l("Ähnliche Ansätze anzeigen"))

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

    def validate(self, extra_validators=None) -> bool:
        """The fields one by one, then the length of the whole description they are composed into."""
        valid = super().validate(extra_validators)
        length = len(compose_description(self.sections))
        if length > MAX_SOURCE_CHARS:
            longest = max(self.section_fields, key=lambda field: len(field.data or ""))
            longest.errors = [*longest.errors, _l(
                "Die Beschreibung darf insgesamt höchstens 20.000 Zeichen lang sein. Zurzeit sind es %(count)s "
                "Zeichen; bitte kürzen Sie einen der Abschnitte.", count=length)]
            return False
        return valid

    @property
    def section_fields(self) -> list:
        return [self[key] for key in KEYS]

    @property
    def sections(self) -> dict[str, str]:
        return {key: self[key].data or "" for key in KEYS}

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

