"""Forms of the moderation: reporting a post, hiding, redacting (posts, thread titles, ideas), closing a case,
thread actions, suspensions and the audit log's filters."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Optional, ValidationError

from forum.clock import to_berlin, utcnow
from forum.discussion.forms import TITLE_MAX
from forum.forms import FilterForm, Form, MaxChars, choices, clean_text, date_field, one_line
from forum.moderation.models import REASONS
from forum.moderation.redaction import MIN_PASSAGE_CHARS

NOTE_MAX = 500


def _note_field(label, *, required: bool = False, description=None) -> TextAreaField:
    validators = [MaxChars(NOTE_MAX, _l("Der Text darf höchstens 500 Zeichen lang sein."))]
    if required:
        validators.insert(0, DataRequired(_l("Bitte geben Sie eine Begründung an.")))
    return TextAreaField(label, filters=[clean_text], validators=validators, description=description,
                         render_kw={"rows": 3})


class ReportForm(Form):
    """A member reports a post: a reason from the list and an optional note for the moderators."""

    reason = RadioField(_l("Warum melden Sie diesen Beitrag?"), choices=choices(REASONS),
                        validators=[InputRequired(_l("Bitte wählen Sie einen Grund."))])
    note = TextAreaField(_l("Hinweis für die Moderation"), filters=[clean_text], validators=[
        MaxChars(1000, _l("Der Hinweis darf höchstens 1.000 Zeichen lang sein."))],
        description=_l("Was genau ist das Problem? Bitte wiederholen Sie hier keine Daten von "
                       "Leistungsberechtigten."), render_kw={"rows": 3})


class HidePostForm(Form):
    """A moderator hides a post: the reason (shown in the placeholder) and an optional note."""

    reason = SelectField(_l("Grund"), choices=choices(REASONS), validators=[
        InputRequired(_l("Bitte wählen Sie einen Grund.")), AnyOf(list(REASONS), _l("Bitte wählen Sie einen Grund."))])
    note = _note_field(_l("Hinweis"), description=_l("Wird allen unter dem Platzhalter angezeigt und der "
                                                     "verfassenden Person mitgeteilt."))


class ResolveCaseForm(Form):
    """Close a case from the queue: hide the post (reason, note) or find no violation (note)."""

    outcome = HiddenField(validators=[InputRequired(), AnyOf(("hidden", "dismissed"))])
    reason = SelectField(_l("Grund"), choices=choices({"": _l("wie gemeldet"), **REASONS}), validators=[Optional()])
    note = _note_field(_l("Notiz zur Entscheidung"), description=_l("Die meldenden Personen erfahren das Ergebnis; "
                                                                   "die Notiz steht im Moderationsprotokoll."))


def _passage_field(description) -> TextAreaField:
    return TextAreaField(_l("Zu entfernende Stelle"), filters=[clean_text], validators=[
        DataRequired(_l("Bitte kopieren Sie die Stelle, die entfernt werden soll, in dieses Feld.")),
        MaxChars(2000, _l("Die Stelle darf höchstens 2.000 Zeichen lang sein."))],
        description=description, render_kw={"rows": 3})


def _replacement_field() -> StringField:
    return StringField(_l("Ersetzen durch"), filters=[one_line], default="[entfernt]", validators=[
        DataRequired(_l("Bitte geben Sie einen Ersatztext an, z. B. „[entfernt]“.")),
        MaxChars(100, _l("Der Ersatztext darf höchstens 100 Zeichen lang sein."))])


class RedactForm(Form):
    """Remove a passage from a post and every copy of it."""

    passage = _passage_field(_l(
        "Genau so, wie sie im Text steht (mindestens %(count)s Zeichen). Sie wird im Beitrag, in Beiträgen dieser "
        "Diskussion, in Zitaten des Beitrags (auch in anderen Diskussionen), in allen früheren Fassungen und in noch "
        "nicht versandten E-Mails ersetzt.", count=MIN_PASSAGE_CHARS))
    replacement = _replacement_field()
    show_again = BooleanField(_l("Beitrag danach wieder einblenden"))
    note = _note_field(_l("Notiz zur Entscheidung"), description=_l("Für offene Meldungen: die meldenden Personen "
                                                                   "erfahren das Ergebnis, die Notiz steht im "
                                                                   "Moderationsprotokoll."))


class RedactThreadForm(Form):
    """Remove a passage from a thread's title and every copy of it."""

    passage = _passage_field(_l(
        "Genau so, wie sie im Titel steht (mindestens %(count)s Zeichen). Sie wird im Titel, in noch nicht "
        "versandten E-Mails und im Moderationsprotokoll ersetzt.", count=MIN_PASSAGE_CHARS))
    replacement = _replacement_field()


class RedactIdeaForm(Form):
    """Remove a passage from an idea's texts and every copy of them."""

    passage = _passage_field(_l(
        "Genau so, wie sie im Text steht (mindestens %(count)s Zeichen). Sie wird in Titel, Kurzbeschreibung, "
        "Beschreibung und Ansprechperson, in allen früheren Fassungen, im Titel der Diskussion, in noch nicht "
        "versandten E-Mails und im Moderationsprotokoll ersetzt.", count=MIN_PASSAGE_CHARS))
    replacement = _replacement_field()


class LockThreadForm(Form):
    """Close a thread for replies; the reason is shown in the thread."""

    reason = _note_field(_l("Begründung"), required=True,
                         description=_l("Wird in der Diskussion angezeigt, zusammen mit Ihrem Namen und der Zeit."))


class MoveThreadForm(Form):
    """Move a thread into another Fachforum."""

    board_id = SelectField(_l("Neues Fachforum"), coerce=int,
                           validators=[InputRequired(_l("Bitte wählen Sie ein Fachforum."))])
    reason = _note_field(_l("Begründung"), description=_l("Für das Moderationsprotokoll."))


class RenameThreadForm(Form):
    """Give a thread a new title."""

    title = StringField(_l("Neuer Titel"), filters=[one_line], validators=[
        DataRequired(_l("Bitte geben Sie einen Titel an.")),
        MaxChars(TITLE_MAX, _l("Der Titel darf höchstens 200 Zeichen lang sein."))])
    reason = _note_field(_l("Begründung"), description=_l("Für das Moderationsprotokoll."))


class SuspendForm(Form):
    """Suspend an account with a reason, until a date or until lifted."""

    reason = _note_field(_l("Begründung"), required=True,
                         description=_l("Die Person erhält sie per E-Mail und sieht sie, wenn sie sich anmelden will."))
    until = date_field(_l("Gesperrt bis einschließlich"), Optional(),
                       description=_l("Leer lassen, wenn die Sperre bis auf Weiteres gelten soll."))

    def validate_until(self, field):
        if field.data and field.data < to_berlin(utcnow()).date():
            raise ValidationError(_l("Das Datum liegt in der Vergangenheit."))


class AuditFilterForm(FilterForm):
    """The filters of the Moderationsprotokoll (invalid values are reported and ignored)."""

    actor = SelectField(_l("Wer"), coerce=lambda value: int(value) if value else None, validators=[Optional()])
    action = SelectField(_l("Aktion"), validators=[Optional()])
    target = SelectField(_l("Betrifft"), validators=[Optional()])
    date_from = date_field(_l("Von (Datum)"), Optional())
    date_to = date_field(_l("Bis (Datum)"), Optional())

    def validate_date_to(self, field):
        if field.data and isinstance(self.date_from.data, date) and field.data < self.date_from.data:
            raise ValidationError(_l("Das Enddatum liegt vor dem Anfangsdatum."))
