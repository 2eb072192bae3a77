"""Forms after an event: the attendance checklist, a walk-in, the closing report."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from forum.events.forms import _markdown_field
from forum.events.reports import ReportData
from forum.forms import Form, choices


class AttendanceForm(Form):
    """One checkbox per registration (the view gives the ids as choices); values not on the list are refused."""

    present = SelectMultipleField(_l("Anwesend"), choices=[], validate_choice=False)

    def __init__(self, *args, registration_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = {str(number) for number in registration_ids}

    def validate_present(self, field):
        if any(value not in self.allowed for value in field.data or []):
            raise ValidationError(_l("Bitte wählen Sie nur Personen aus der Liste der Angemeldeten."))

    @property
    def present_ids(self) -> set[int]:
        return {int(value) for value in self.present.data or []}


class WalkInForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Bitte geben Sie den Namen an.")),
                                               Length(max=120, message=_l("Höchstens 120 Zeichen."))])
    organisation = SelectField(_l("Organisation aus dem Verzeichnis"), choices=[], validate_choice=False)
    organisation_name = StringField(_l("Andere Organisation"), validators=[
        Optional(), Length(max=200, message=_l("Höchstens 200 Zeichen."))],
        description=_l("Nur wenn die Organisation nicht im Verzeichnis steht."))

    def __init__(self, *args, organisations: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = choices({"": _l("– nicht im Verzeichnis –"), **organisations})
        self.known = set(organisations)

    def validate_organisation(self, field):
        if field.data and field.data not in self.known:
            raise ValidationError(_l("Bitte wählen Sie eine Organisation aus der Liste."))
        if not field.data and not (self.organisation_name.data or "").strip():
            raise ValidationError(_l("Bitte wählen Sie eine Organisation aus dem Verzeichnis oder geben Sie "
                                     "sie unter „Andere Organisation“ ein."))

    @property
    def organisation_id(self) -> int | None:
        return int(self.organisation.data) if self.organisation.data else None


def _count_field(label, description):
    return IntegerField(label, validators=[
        Optional(), NumberRange(min=0, message=_l("Die Zahl darf nicht negativ sein."))],
        invalid_value_message=_l("Bitte geben Sie eine ganze Zahl an."), description=description,
        render_kw={"min": 0, "inputmode": "numeric"})


class ReportForm(Form):
    summary = _markdown_field(_l("Zusammenfassung"), _l("Worum es ging und wer dabei war. Markdown ist möglich."))
    results = _markdown_field(_l("Ergebnisse"), _l("Was erarbeitet und verabredet wurde. Markdown ist möglich."))
    next_steps = _markdown_field(_l("Nächste Schritte"), _l("Wer macht was bis wann. Markdown ist möglich."))
    attendees_override = _count_field(_l("Zahl der Teilnehmenden (abweichend)"), _l(
        "Leer lassen, um die Zahl aus der Anwesenheit zu übernehmen."))
    jobcenters_override = _count_field(_l("Zahl der teilnehmenden Jobcenter (abweichend)"), _l(
        "Leer lassen, um die Zahl aus der Anwesenheit zu übernehmen."))

    def fill_from(self, report) -> None:
        self.summary.data, self.results.data = report.summary_source, report.results_source
        self.next_steps.data = report.next_steps_source
        self.attendees_override.data, self.jobcenters_override.data = (report.attendees_override,
                                                                       report.jobcenters_override)

    def validate_jobcenters_override(self, field):
        attendees = self.attendees_override.data
        if field.data is not None and attendees is not None and not self.attendees_override.errors \
                and field.data > attendees:
            raise ValidationError(_l("Es können nicht mehr Jobcenter als Personen teilgenommen haben."))

    def report_data(self) -> ReportData:
        return ReportData(summary=self.summary.data or "", results=self.results.data or "",
                          next_steps=self.next_steps.data or "", attendees_override=self.attendees_override.data,
                          jobcenters_override=self.jobcenters_override.data)
