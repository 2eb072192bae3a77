"""Forms of the event pages: the event itself (times entered in Europe/Berlin), cancellation, documentation,
attachments and follow-up threads."""
from __future__ import annotations

import re
from datetime import date, time

from flask_babel import LazyString, format_number, gettext as _, lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField, TimeField, URLField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from forum.clock import from_berlin, to_berlin
from forum.dates import format_date
from forum.events.attachments import ALLOWED_EXTENSIONS, format_size
from forum.events.models import EVENT_KINDS, EVENT_STATUSES, MAX_REMINDER_DAYS, Event
from forum.events.services import EventData
from forum.forms import FilterForm, Form, choices, date_field as _date_field
from forum.markup import MAX_SOURCE_CHARS
from forum.organisations.models import LAENDER

TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
DEADLINE_TIME = time(23, 59)
EDITABLE_STATUSES = ("planned", "open")  # "done" and "cancelled" are set by their own buttons
_THREAD_REFERENCE = re.compile(r"(?:^|/|#)\s*(\d{1,9})\s*/?\s*$")

# The limit written the reader's way (20.000 / 20,000), decided when the message is shown.
_TOO_LONG = LazyString(lambda: _("Höchstens %(count)s Zeichen.", count=format_number(MAX_SOURCE_CHARS)))


def _time_field(label, *validators, description=None):
    return TimeField(label, validators=list(validators), format=TIME_FORMATS, description=description,
                     invalid_value_message=_l("Bitte geben Sie eine Uhrzeit an, z. B. 09:30."))


def _markdown_field(label, description):
    return TextAreaField(label, validators=[Length(max=MAX_SOURCE_CHARS, message=_TOO_LONG)],
                         description=description, render_kw={"data-markdown": True})  # the editor toolbar


def _web_address(form, field):
    if field.data and not re.fullmatch(r"https?://[^\s/?#]+\.[^\s/?#]+\S*", field.data.strip(), re.IGNORECASE):
        raise ValidationError(_l("Bitte geben Sie eine vollständige Adresse mit https:// an, "
                                 "z. B. https://meet.example.de/raum."))


class EventForm(Form):
    kind = SelectField(_l("Format"), choices=choices(EVENT_KINDS))
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Bitte geben Sie einen Titel an.")),
                                                 Length(max=200, message=_l("Höchstens 200 Zeichen."))])
    start_date = _date_field(_l("Beginn: Datum"), InputRequired(_l("Bitte geben Sie das Datum des Beginns an.")))
    start_time = _time_field(_l("Beginn: Uhrzeit"),
                             InputRequired(_l("Bitte geben Sie die Uhrzeit des Beginns an.")),
                             description=_l("Deutsche Zeit, z. B. 09:30."))
    end_date = _date_field(_l("Ende: Datum"), Optional(),
                           description=_l("Leer lassen, wenn die Veranstaltung am selben Tag endet."))
    end_time = _time_field(_l("Ende: Uhrzeit"), InputRequired(_l("Bitte geben Sie die Uhrzeit des Endes an.")))
    location = StringField(_l("Veranstaltungsort"), validators=[
        Optional(), Length(max=300, message=_l("Höchstens 300 Zeichen."))],
        description=_l("Adresse mit Raum; bei Online-Formaten leer lassen."))
    online_url = URLField(_l("Online-Link"), validators=[
        Optional(), Length(max=500, message=_l("Höchstens 500 Zeichen.")), _web_address],
        description=_l("Link zum Videoraum, falls online oder hybrid."))
    land = SelectField(_l("Land"), choices=choices({"": _l("– bundesweit / kein Land –"), **LAENDER}))
    description = _markdown_field(_l("Beschreibung"), _l("Worum es geht und für wen. Markdown ist möglich."))
    agenda = _markdown_field(_l("Programm"), _l("Ablauf mit Uhrzeiten, z. B. als Liste. Markdown ist möglich."))
    capacity = IntegerField(_l("Plätze"), validators=[
        Optional(), NumberRange(min=0, message=_l("Die Zahl der Plätze darf nicht negativ sein."))],
        invalid_value_message=_l("Bitte geben Sie die Zahl der Plätze als ganze Zahl an."),
        description=_l("Leer lassen, wenn die Zahl der Plätze nicht begrenzt ist. Sind alle Plätze vergeben, "
                       "kommen weitere Anmeldungen auf die Warteliste."),
        render_kw={"min": 0, "inputmode": "numeric"})
    deadline_date = _date_field(_l("Anmeldefrist: Datum"), Optional(),
                                description=_l("Leer lassen: Anmeldung bis zum Beginn."))
    deadline_time = _time_field(_l("Anmeldefrist: Uhrzeit"), Optional(),
                                description=_l("Leer lassen: bis 23:59 Uhr."))
    reminder_days = IntegerField(_l("Erinnerung: Tage vor Beginn"), default=3, validators=[
        Optional(), NumberRange(min=0, max=MAX_REMINDER_DAYS, message=_l(
            "Bitte geben Sie eine Zahl von 0 bis %(max)s an.", max=MAX_REMINDER_DAYS))],
        invalid_value_message=_l("Bitte geben Sie die Zahl der Tage als ganze Zahl an."),
        description=_l("So viele Tage vor Beginn bekommen Angemeldete und die Warteliste eine Erinnerung per "
                       "E-Mail. 0: keine Erinnerung."),
        render_kw={"min": 0, "max": MAX_REMINDER_DAYS, "inputmode": "numeric"})
    status = SelectField(_l("Status"), choices=choices({key: EVENT_STATUSES[key] for key in EDITABLE_STATUSES}),
                         description=_l("Anmeldungen sind nur im Status „Anmeldung offen“ möglich."))

    def __init__(self, *args, event: Event | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.starts_at = self.ends_at = self.registration_deadline = None
        statuses = list(EDITABLE_STATUSES)
        if event is not None and event.status not in statuses:
            statuses.append(event.status)
        self.status.choices = choices({key: EVENT_STATUSES[key] for key in statuses})

    def fill_from(self, event: Event) -> None:
        """Put an event's values into the form, times on German clocks."""
        starts, ends = to_berlin(event.starts_at), to_berlin(event.ends_at)
        self.kind.data, self.title.data, self.status.data = event.kind, event.title, event.status
        self.start_date.data, self.start_time.data = starts.date(), starts.time()
        self.end_date.data = ends.date() if ends.date() != starts.date() else None
        self.end_time.data = ends.time()
        self.location.data, self.online_url.data, self.land.data = event.location, event.online_url, event.land or ""
        self.description.data, self.agenda.data = event.description_source, event.agenda_source
        self.capacity.data, self.reminder_days.data = event.capacity, event.reminder_days
        if event.registration_deadline is not None:
            deadline = to_berlin(event.registration_deadline)
            self.deadline_date.data, self.deadline_time.data = deadline.date(), deadline.time()

    def validate(self, extra_validators=None) -> bool:
        """The field checks, then the rules between fields: end after start, deadline not after the start,
        a place or a link."""
        valid = super().validate(extra_validators)
        if self.start_date.data and self.start_time.data and not self.start_date.errors:
            self.starts_at = self._moment(self.start_date.data, self.start_time.data, self.start_time)
        end_day = self.end_date.data or self.start_date.data
        if end_day and self.end_time.data and not self.end_date.errors:
            self.ends_at = self._moment(end_day, self.end_time.data, self.end_time)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            self.end_time.errors.append(_l("Das Ende muss nach dem Beginn liegen."))
        if self.deadline_time.data and not self.deadline_date.data and not self.deadline_date.errors:
            self.deadline_date.errors.append(_l("Bitte geben Sie auch das Datum der Anmeldefrist an."))
        elif self.deadline_date.data and not self.deadline_time.errors:
            self.registration_deadline = self._moment(self.deadline_date.data,
                                                      self.deadline_time.data or DEADLINE_TIME, self.deadline_time)
            if self.starts_at and self.registration_deadline and self.registration_deadline > self.starts_at:
                self.deadline_date.errors.append(_l("Die Anmeldefrist darf nicht nach dem Beginn liegen."))
        if not (self.location.data or "").strip() and not (self.online_url.data or "").strip():
            self.location.errors.append(_l("Bitte geben Sie einen Veranstaltungsort oder einen Online-Link an."))
        return valid and not any(field.errors for field in self)

    @staticmethod
    def _moment(day: date, clock: time, field):
        moment = from_berlin(day, clock)
        if moment is None:
            field.errors.append(_l("Diese Uhrzeit gibt es am %(day)s wegen der Umstellung auf die Sommerzeit nicht.",
                                   day=format_date(day)))
        return moment

    def event_data(self) -> EventData:
        """The clean values for the services (call after validate())."""
        return EventData(
            kind=self.kind.data, title=" ".join(self.title.data.split()), starts_at=self.starts_at,
            ends_at=self.ends_at, location=(self.location.data or "").strip(),
            online_url=(self.online_url.data or "").strip(), land=self.land.data or None,
            description=self.description.data or "", agenda=self.agenda.data or "", capacity=self.capacity.data,
            registration_deadline=self.registration_deadline, status=self.status.data,
            reminder_days=self.reminder_days.data)


class CancelEventForm(Form):
    reason = TextAreaField(_l("Begründung (wird allen Angemeldeten und Wartenden per E-Mail mitgeteilt)"),
                           validators=[Length(max=1000, message=_l("Höchstens 1.000 Zeichen."))])


class DocumentationForm(Form):
    documentation = _markdown_field(_l("Dokumentation"), _l(
        "Ergebnisse, Präsentationen und Verabredungen der Veranstaltung. Markdown ist möglich."))


class AttachmentForm(Form):
    file = FileField(_l("Datei"), validators=[FileRequired(_l("Bitte wählen Sie eine Datei aus."))],
                     render_kw={"accept": ",".join(ALLOWED_EXTENSIONS)})

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.file.description = _l("PDF, PPTX, DOCX, XLSX, PNG oder JPEG, höchstens %(size)s.",
                                   size=format_size(max_bytes))


class FollowUpStartForm(Form):
    title = StringField(_l("Titel der Folgediskussion"), validators=[
        DataRequired(_l("Bitte geben Sie einen Titel an.")), Length(max=200, message=_l("Höchstens 200 Zeichen."))])


class FollowUpLinkForm(Form):
    thread = StringField(_l("Vorhandene Diskussion"), validators=[
        DataRequired(_l("Bitte geben Sie die Nummer oder die Adresse der Diskussion an."))],
        description=_l("Die Nummer der Diskussion (z. B. 42) oder ihre Adresse aus der Adresszeile des "
                       "Browsers."))

    def validate_thread(self, field):
        if _THREAD_REFERENCE.search(field.data or "") is None:
            raise ValidationError(_l("Bitte geben Sie die Nummer oder die Adresse der Diskussion an."))

    @property
    def thread_id(self) -> int:
        return int(_THREAD_REFERENCE.search(self.thread.data).group(1))


class EventFilterForm(FilterForm):
    """The filters of the event list: upcoming or past, format, Land, year; the view sets the choices."""

    when = SelectField()
    kind = SelectField()
    land = SelectField()
    year = SelectField()
