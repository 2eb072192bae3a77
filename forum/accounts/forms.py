"""Forms of the account pages; every message German by default (lazy_gettext)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError
from zxcvbn import zxcvbn

from forum.forms import choices
from forum.accounts.models import LANGUAGE_LABELS, ROLE_LABELS, STATUS_LABELS
from forum.notifications.models import EMAIL_PREFERENCE_LABELS

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
FUNCTION_SUGGESTIONS = (
    "Integrationsfachkraft", "Fallmanagerin / Fallmanager", "Teamleitung", "Bereichsleitung",
    "Geschäftsführung", "Netzwerkkoordination", "Beauftragte für Chancengleichheit am Arbeitsmarkt",
    "Referentin / Referent",
)


def _email_field(label=None):
    return EmailField(label or _l("E-Mail-Adresse"), validators=[
        DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse an.")),
        Email(_l("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@jobcenter-beispiel.de.")),
        Length(max=254, message=_l("Die E-Mail-Adresse ist zu lang.")),
    ], render_kw={"autocomplete": "email", "spellcheck": "false"})


class StrongPassword:
    """At least 12 characters and not easy to guess (zxcvbn score ≥ 3, e.g. not a common password)."""

    def __call__(self, form, field):
        password = field.data or ""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationError(_l("Das Passwort muss mindestens %(count)s Zeichen lang sein.",
                                     count=MIN_PASSWORD_LENGTH))
        if len(password) > MAX_PASSWORD_LENGTH:
            raise ValidationError(_l("Das Passwort darf höchstens %(count)s Zeichen lang sein.",
                                     count=MAX_PASSWORD_LENGTH))
        hints = [getattr(form, name).data for name in ("email", "display_name") if hasattr(form, name)]
        if zxcvbn(password, user_inputs=[h for h in hints if h])["score"] < 3:
            raise ValidationError(_l("Dieses Passwort ist zu leicht zu erraten (zum Beispiel ein häufiges Passwort, "
                                     "ein Wort mit Zahlen oder Ihr Name). Nehmen Sie besser mehrere Wörter, "
                                     "die nicht zusammengehören."))


def _new_password_fields():
    password = PasswordField(_l("Neues Passwort"), validators=[InputRequired(_l("Bitte geben Sie ein Passwort an.")),
                                                                StrongPassword()],
                             render_kw={"autocomplete": "new-password"},
                             description=_l("Mindestens 12 Zeichen; am besten mehrere Wörter, die nicht "
                                            "zusammengehören."))
    confirm = PasswordField(_l("Neues Passwort wiederholen"), validators=[
        InputRequired(_l("Bitte wiederholen Sie das Passwort.")),
        EqualTo("password", _l("Die beiden Passwörter stimmen nicht überein.")),
    ], render_kw={"autocomplete": "new-password"})
    return password, confirm


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Passwort"), validators=[InputRequired(_l("Bitte geben Sie Ihr Passwort an."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Angemeldet bleiben (30 Tage, nur auf einem persönlichen Gerät)"))
    next = HiddenField()


class RegistrationForm(FlaskForm):
    email = _email_field(_l("Dienstliche E-Mail-Adresse"))
    display_name = StringField(_l("Vor- und Nachname"), validators=[
        DataRequired(_l("Bitte geben Sie Ihren Namen an.")),
        Length(max=120, message=_l("Der Name darf höchstens 120 Zeichen lang sein.")),
    ], render_kw={"autocomplete": "name"})
    function = StringField(_l("Funktion"), validators=[
        DataRequired(_l("Bitte geben Sie Ihre Funktion an, z. B. Integrationsfachkraft.")),
        Length(max=120, message=_l("Die Funktion darf höchstens 120 Zeichen lang sein.")),
    ], render_kw={"autocomplete": "organization-title", "list": "function-suggestions"},
        description=_l("Zum Beispiel Integrationsfachkraft oder Teamleitung."))
    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=True, validators=[
        InputRequired(_l("Bitte wählen Sie Ihre Organisation aus."))],
        description=_l("Ihr Jobcenter oder Ihre Organisation. Passt die Domain Ihrer E-Mail-Adresse zur "
                       "Organisation, ist Ihr Konto nach der Bestätigung sofort aktiv; sonst prüft die "
                       "Servicestelle Ihre Registrierung."))
    password, password_confirm = _new_password_fields()
    accept_terms = BooleanField(validators=[DataRequired(
        _l("Bitte stimmen Sie den Nutzungsbedingungen und dem Datenschutzhinweis zu."))])

    def __init__(self, *args, organisations: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices({0: _l("– bitte auswählen –"), **(organisations or {})})
        self.password.label.text = _l("Passwort")
        self.password_confirm.label.text = _l("Passwort wiederholen")

    def validate_organisation_id(self, field):
        if not field.data:
            raise ValidationError(_l("Bitte wählen Sie Ihre Organisation aus."))


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password, password_confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Aktuelles Passwort"), validators=[
        InputRequired(_l("Bitte geben Sie Ihr aktuelles Passwort an."))], render_kw={"autocomplete": "current-password"})
    password, password_confirm = _new_password_fields()


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Vor- und Nachname"), validators=[
        DataRequired(_l("Bitte geben Sie Ihren Namen an.")),
        Length(max=120, message=_l("Der Name darf höchstens 120 Zeichen lang sein."))],
        render_kw={"autocomplete": "name"})
    function = StringField(_l("Funktion"), validators=[
        DataRequired(_l("Bitte geben Sie Ihre Funktion an, z. B. Integrationsfachkraft.")),
        Length(max=120, message=_l("Die Funktion darf höchstens 120 Zeichen lang sein."))],
        render_kw={"list": "function-suggestions"})
    language = SelectField(_l("Sprache"), choices=choices(LANGUAGE_LABELS),
                           validators=[InputRequired()])
    # Not required: a form without the field (an older page) keeps the current choice; other values are refused.
    email_notifications = SelectField(
        _l("Benachrichtigungen per E-Mail"), choices=choices(EMAIL_PREFERENCE_LABELS),
        description=_l("Über neue Beiträge in dem, was Sie verfolgen, über Erwähnungen, Folgediskussionen und den "
                       "Status Ihrer Ansätze. Im Extranet sehen Sie alles unter „Benachrichtigungen“."))


class LanguageForm(FlaskForm):
    language = HiddenField(validators=[InputRequired()])
    next = HiddenField()


class RejectRegistrationForm(FlaskForm):
    reason = TextAreaField(_l("Begründung (wird der Person per E-Mail mitgeteilt)"), validators=[
        DataRequired(_l("Bitte begründen Sie die Ablehnung.")),
        Length(max=500, message=_l("Die Begründung darf höchstens 500 Zeichen lang sein."))])


class ConfirmForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class UserAdminForm(FlaskForm):
    role = SelectField(_l("Rolle"), choices=choices(ROLE_LABELS))
    status = SelectField(_l("Status"), choices=choices({key: label for key, label in STATUS_LABELS.items()
                                                        if key != "deleted"}))
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    reason = TextAreaField(_l("Begründung (für das Protokoll; bei einer Sperrung auch an die Person)"), validators=[
        Length(max=500, message=_l("Die Begründung darf höchstens 500 Zeichen lang sein."))])

    def validate_reason(self, field):
        if self.status.data == "suspended" and self.status.object_data != "suspended" and not field.data.strip():
            raise ValidationError(_l("Bitte begründen Sie die Sperrung."))
