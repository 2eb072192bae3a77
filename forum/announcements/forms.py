"""The announcement form: subject, markdown text and the segment with what it needs (a Land, a Jobcenter type,
an event, an idea or a thread)."""
from __future__ import annotations

import re

from flask_babel import LazyString, format_number, gettext as _, lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from forum.announcements.models import SEGMENTS
from forum.announcements.services import AnnouncementData
from forum.dates import format_date
from forum.discussion.models import Thread
from forum.events.models import Event
from forum.extensions import db
from forum.forms import Form, choices, clean_text, one_line
from forum.ideas.models import Idea
from forum.inputs import MAX_ID
from forum.markup import MAX_SOURCE_CHARS
from forum.organisations.models import JOBCENTER_TYPE_LABELS, LAENDER

_TOO_LONG = LazyString(lambda: _("Höchstens %(count)s Zeichen.", count=format_number(MAX_SOURCE_CHARS)))
# "123", "/ideas/123", "https://…/discussion/123#antworten": the number at the end of what was pasted.
_REFERENCE = re.compile(r"(?:^|/)\s*(\d{1,12})\s*/?\s*(?:[?#].*)?$")
_ADDRESS_TOO_LONG = _l("Die Adresse darf höchstens 300 Zeichen lang sein.")
EVENT_CHOICES_LIMIT = 400  # the newest events offered in the select


def _reference(text: str) -> int | None:
    match = _REFERENCE.search(text or "")
    number = int(match.group(1)) if match else None
    return number if number is not None and 0 < number <= MAX_ID else None


class AnnouncementForm(Form):
    subject = StringField(_l("Betreff"), filters=[one_line], validators=[
        DataRequired(_l("Bitte geben Sie einen Betreff an.")),
        Length(max=200, message=_l("Der Betreff darf höchstens 200 Zeichen lang sein."))])
    body = TextAreaField(_l("Text"), filters=[clean_text], validators=[
        DataRequired(_l("Bitte schreiben Sie den Text der Mitteilung.")),
        Length(max=MAX_SOURCE_CHARS, message=_TOO_LONG)],
        description=_l("Markdown ist möglich. Der Text geht als Benachrichtigung im Extranet und per E-Mail an "
                       "alle Personen der Zielgruppe, die Mitteilungen per E-Mail nicht abbestellt haben."),
        render_kw={"data-markdown": True})
    segment = SelectField(_l("Zielgruppe"), choices=choices(SEGMENTS), validators=[
        InputRequired(_l("Bitte wählen Sie eine Zielgruppe."))])
    land = SelectField(_l("Land"), choices=choices({"": "", **LAENDER}),
                       description=_l("Nur für die Zielgruppe „Mitglieder eines Landes“."))
    jobcenter_type = SelectField(_l("Jobcenter-Form"), choices=choices({"": "", **JOBCENTER_TYPE_LABELS}),
                                 description=_l("Nur für die Zielgruppe „Mitglieder einer Jobcenter-Form“."))
    event = SelectField(_l("Veranstaltung"), choices=[],
                        description=_l("Nur für die Zielgruppen der Angemeldeten oder Teilnehmenden."))
    idea = StringField(_l("Ansatz (Adresse oder Nummer)"), validators=[Length(max=300, message=_ADDRESS_TOO_LONG)],
                       description=_l("Nur für „Wer einem Ansatz folgt“: die Adresse der Seite des Ansatzes, "
                                      "z. B. …/ideas/12, oder nur die Nummer."))
    thread = StringField(_l("Diskussion (Adresse oder Nummer)"),
                         validators=[Length(max=300, message=_ADDRESS_TOO_LONG)],
                         description=_l("Nur für „Wer einer Diskussion folgt“: die Adresse der Diskussion, "
                                        "z. B. …/discussion/34, oder nur die Nummer."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        events = db.session.execute(select(Event.id, Event.title, Event.starts_at)
                                    .order_by(Event.starts_at.desc(), Event.id.desc()).limit(EVENT_CHOICES_LIMIT))
        self.event.choices = choices({"": "", **{str(event_id): f"{format_date(starts_at)} – "
                                                 f"{title}" for event_id, title, starts_at in events}})

    def validate_land(self, field):
        if self.segment.data == "land" and not field.data:
            raise ValidationError(_("Bitte wählen Sie das Land."))

    def validate_jobcenter_type(self, field):
        if self.segment.data == "jobcenter_type" and not field.data:
            raise ValidationError(_("Bitte wählen Sie die Jobcenter-Form."))

    def validate_event(self, field):
        if self.segment.data in ("event_participants", "event_attendees") and not field.data:
            raise ValidationError(_("Bitte wählen Sie die Veranstaltung."))

    def validate_idea(self, field):
        if self.segment.data == "idea_followers":
            number = _reference(field.data)
            if number is None or db.session.get(Idea, number) is None:
                raise ValidationError(_("Bitte geben Sie die Adresse oder Nummer eines Ansatzes an, den es gibt."))

    def validate_thread(self, field):
        if self.segment.data == "thread_followers":
            number = _reference(field.data)
            if number is None or db.session.get(Thread, number) is None:
                raise ValidationError(_("Bitte geben Sie die Adresse oder Nummer einer Diskussion an, die es "
                                        "gibt."))

    def fill_from(self, announcement) -> None:
        """Show a stored draft's segment in the fields it came from."""
        target = str(announcement.segment_target_id or "")
        self.land.data = announcement.segment_value if announcement.segment == "land" else ""
        self.jobcenter_type.data = announcement.segment_value if announcement.segment == "jobcenter_type" else ""
        self.event.data = target if announcement.segment.startswith("event_") else ""
        self.idea.data = target if announcement.segment == "idea_followers" else ""
        self.thread.data = target if announcement.segment == "thread_followers" else ""

    def announcement_data(self) -> AnnouncementData:
        """The clean values: only what the chosen segment needs."""
        segment = self.segment.data
        value = {"land": self.land.data, "jobcenter_type": self.jobcenter_type.data}.get(segment, "")
        target = None
        if segment in ("event_participants", "event_attendees"):
            target = int(self.event.data)
        elif segment == "idea_followers":
            target = _reference(self.idea.data)
        elif segment == "thread_followers":
            target = _reference(self.thread.data)
        return AnnouncementData(subject=self.subject.data, body=self.body.data, segment=segment,
                                segment_value=value or "", segment_target_id=target)
