"""Forms for organisations: edit one, import many."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from forum.forms import FilterForm, Form, choices, search_field
from forum.organisations.models import JOBCENTER_TYPE_LABELS, KIND_LABELS, LAENDER
from forum.organisations.services import parse_domains

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class OrganisationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Bitte geben Sie den Namen an.")),
                                               Length(max=200, message=_l("Höchstens 200 Zeichen."))])
    kind = SelectField(_l("Art"), choices=choices(KIND_LABELS))
    land = SelectField(_l("Land"), choices=choices({"": _l("– kein Land –"), **LAENDER}))
    region = StringField(_l("Region"), validators=[Optional(), Length(max=120, message=_l("Höchstens 120 Zeichen."))],
                         description=_l("Zum Beispiel Ruhrgebiet oder Regionaldirektion Nord."))
    jobcenter_type = SelectField(_l("Typ (nur Jobcenter)"),
                                 choices=choices({"": _l("– kein Typ –"), **JOBCENTER_TYPE_LABELS}))
    domains = TextAreaField(_l("E-Mail-Domains"), description=_l(
        "Eine oder mehrere, getrennt durch Leerzeichen, Komma oder Zeilenumbruch, z. B. jobcenter-dortmund.de"))

    def validate_domains(self, field):
        _valid, invalid = parse_domains(field.data or "")
        if invalid:
            raise ValidationError(_l("Keine gültige E-Mail-Domain: %(domains)s", domains=", ".join(invalid)))


class ImportForm(Form):
    file = FileField(_l("CSV-Datei"), validators=[FileRequired(_l("Bitte wählen Sie eine CSV-Datei aus."))],
                     description=_l("Spalten: name; kind; land; jobcenter_type; email_domains (optional: region). "
                                    "Trennzeichen Semikolon oder Komma, Kodierung UTF-8 oder Windows-1252."))

    def validate_file(self, field):
        upload = field.data
        if upload and not (upload.filename or "").lower().endswith((".csv", ".txt")):
            raise ValidationError(_l("Bitte laden Sie eine CSV-Datei (.csv) hoch."))


class OrganisationFilterForm(FilterForm):
    """The filters of the Jobcenter directory: type, Land and a search in the name; the view sets the choices."""

    kind = SelectField()
    land = SelectField()
    q = search_field(_l("Suche"))
