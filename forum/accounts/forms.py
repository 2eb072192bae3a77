"""Forms of the account pages; every message German by default (lazy_gettext)."""
from __future__ import annotations

import re

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError
from zxcvbn import zxcvbn

from forum.forms import FilterForm, Form, choices, search_field
from forum.accounts.models import FORMER_MEMBER, FORMER_MEMBER_LABEL, LANGUAGE_LABELS, ROLE_LABELS, STATUS_LABELS
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


# Words everyone here would try first: the programme, the network, the office (besides the person's own words).
PROGRAMME_WORDS = ("jobcenter", "netzwerke", "netzwerk", "abc", "extranet", "servicestelle", "sgb", "bundesprogramm",
                   "programm", "bmas", "dialog", "ideenboerse", "ideenbörse", "passwort", "password")
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; a password that long is not weak for that reason alone


def _not_the_former_member(form, field) -> None:
    """Deleted accounts are shown as "ehemaliges Mitglied" / "former member": nobody may pass as one."""
    with force_locale("en"):
        reserved = {FORMER_MEMBER.casefold(), str(FORMER_MEMBER_LABEL).casefold()}
    if " ".join((field.data or "").split()).casefold() in reserved:
        raise ValidationError(_l("Dieser Name ist für gelöschte Konten reserviert. Bitte geben Sie Ihren Namen an."))


def _name_field():
    return StringField(_l("Vor- und Nachname"), validators=[
        DataRequired(_l("Bitte geben Sie Ihren Namen an.")),
        Length(max=120, message=_l("Der Name darf höchstens 120 Zeichen lang sein.")),
        _not_the_former_member,
    ], render_kw={"autocomplete": "name"})


def context_words(*texts: str | None) -> list[str]:
    """The words of names, e-mail addresses and organisations (three letters or more), lower-cased."""
    words = set(PROGRAMME_WORDS)
    for text in texts:
        words.update(word for word in re.split(r"[^\w]+", (text or "").lower()) if len(word) >= 3)
    return sorted(words, key=len, reverse=True)


class StrongPassword:
    """At least 12 characters and not easy to guess: zxcvbn score ≥ 3, also once the words of the programme, the
    organisation, the person's name and e-mail are taken out ("Dortmund Jobcenter 2024" is not a good password).

    The form supplies the person's words through `password_context()` (their name, e-mail, organisation)."""

    def __call__(self, form, field):
        password = field.data or ""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationError(_l("Das Passwort muss mindestens %(count)s Zeichen lang sein.",
                                     count=MIN_PASSWORD_LENGTH))
        if len(password) > MAX_PASSWORD_LENGTH:
            raise ValidationError(_l("Das Passwort darf höchstens %(count)s Zeichen lang sein.",
                                     count=MAX_PASSWORD_LENGTH))
        words = context_words(*form.password_context()) if hasattr(form, "password_context") else context_words()
        checked = password[:ZXCVBN_MAX_LENGTH]
        remainder = checked
        for word in words:
            remainder = re.sub(re.escape(word), "", remainder, flags=re.IGNORECASE)
        if (zxcvbn(checked, user_inputs=words)["score"] < 3
                or zxcvbn(remainder, user_inputs=words)["score"] < 3):
            raise ValidationError(_l("Dieses Passwort ist zu leicht zu erraten (zum Beispiel ein häufiges Passwort, "
                                     "ein Wort mit Zahlen, Ihr Name, Ihre Organisation oder der Name des "
                                     "Programms). Nehmen Sie besser mehrere Wörter, die nicht zusammengehören."))


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


class LoginForm(Form):
    email = _email_field()
    password = PasswordField(_l("Passwort"), validators=[InputRequired(_l("Bitte geben Sie Ihr Passwort an."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Angemeldet bleiben (30 Tage, nur auf einem persönlichen Gerät)"))
    next = HiddenField()


class RegistrationForm(Form):
    email = _email_field(_l("Dienstliche E-Mail-Adresse"))
    display_name = _name_field()
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

    def password_context(self) -> list[str]:
        organisation = dict((choice.value, str(choice.label)) for choice in self.organisation_id.choices)
        return [self.email.data, self.display_name.data, organisation.get(self.organisation_id.data)]

    def validate_organisation_id(self, field):
        if not field.data:
            raise ValidationError(_l("Bitte wählen Sie Ihre Organisation aus."))


class ConfirmEmailForm(Form):
    """Confirming an address asks for the registration's password: whoever controls the mailbox and knows it."""

    password = PasswordField(_l("Ihr Passwort"), validators=[InputRequired(_l("Bitte geben Sie Ihr Passwort an."))],
                             render_kw={"autocomplete": "current-password"},
                             description=_l("Das Passwort, das Sie bei der Registrierung gewählt haben."))


class ForgotPasswordForm(Form):
    email = _email_field()


class _AccountPasswordForm(Form):
    """A new password for a known account, checked against that person's own words."""

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def password_context(self) -> list[str]:
        account = self.account
        if account is None:
            return []
        return [account.email, account.display_name, account.organisation.name if account.organisation else None]


class ResetPasswordForm(_AccountPasswordForm):
    password, password_confirm = _new_password_fields()


class ChangePasswordForm(_AccountPasswordForm):
    current_password = PasswordField(_l("Aktuelles Passwort"), validators=[
        InputRequired(_l("Bitte geben Sie Ihr aktuelles Passwort an."))],
        render_kw={"autocomplete": "current-password"})
    password, password_confirm = _new_password_fields()


class ProfileForm(Form):
    display_name = _name_field()
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
    announcement_emails = BooleanField(
        _l("Mitteilungen der Servicestelle auch per E-Mail erhalten"),
        description=_l("Im Extranet erscheinen sie immer unter „Benachrichtigungen“."))


class LanguageForm(Form):
    language = HiddenField(validators=[InputRequired()])
    next = HiddenField()


class RejectRegistrationForm(Form):
    reason = TextAreaField(_l("Begründung (wird der Person per E-Mail mitgeteilt)"), validators=[
        DataRequired(_l("Bitte begründen Sie die Ablehnung.")),
        Length(max=500, message=_l("Die Begründung darf höchstens 500 Zeichen lang sein."))])


class UserAdminForm(Form):
    role = SelectField(_l("Rolle"), choices=choices(ROLE_LABELS))
    status = SelectField(_l("Status"), choices=choices({key: label for key, label in STATUS_LABELS.items()
                                                        if key != "deleted"}))
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    reason = TextAreaField(_l("Begründung (für das Protokoll; bei einer Sperrung auch an die Person)"), validators=[
        Length(max=500, message=_l("Die Begründung darf höchstens 500 Zeichen lang sein."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = kwargs.get("obj")

    def validate_status(self, field):
        # An unconfirmed address may belong to someone else: only its owner activates it (link or reset).
        if (field.data == "active" and self.account is not None and self.account.status != "active"
                and not self.account.is_email_confirmed):
            raise ValidationError(_l("Die E-Mail-Adresse dieses Kontos ist noch nicht bestätigt. Es wird aktiv, "
                                     "sobald die Person ihre Adresse über den Link in der E-Mail oder über "
                                     "„Passwort vergessen“ bestätigt hat."))

    def validate_reason(self, field):
        if self.status.data == "suspended" and self.status.object_data != "suspended" and not field.data.strip():
            raise ValidationError(_l("Bitte begründen Sie die Sperrung."))


class UserFilterForm(FilterForm):
    """The filters of the account lists (admins, moderators): status, role, a search in name, e-mail and
    organisation; the view sets the choices it offers."""

    status = SelectField()
    role = SelectField()
    q = search_field(_l("Suche"))


def _code_field(label, description):
    return StringField(label, validators=[
        DataRequired(_l("Bitte geben Sie den Code an.")),
        Length(max=32, message=_l("Der Code ist zu lang."))],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"},
        description=description)


class LoginCodeForm(Form):
    """The second step of the login: a code from the authenticator app or a recovery code."""

    code = _code_field(_l("Code"), _l("Die sechs Ziffern aus Ihrer Authenticator-App – oder, wenn Sie Ihr Gerät "
                                      "nicht haben, einer Ihrer Wiederherstellungscodes (z. B. abcde-fghjk)."))


class SecondFactorSetupForm(Form):
    """Setting up proves the app has the secret: one code from it."""

    code = _code_field(_l("Code aus der App"), _l("Die sechs Ziffern, die Ihre App jetzt für das ABC-Extranet "
                                                  "anzeigt."))


class SecondFactorProofForm(Form):
    """Turning the factor off or renewing the recovery codes asks for a current code or the password."""

    proof = PasswordField(_l("Code aus der App oder Ihr Passwort"), validators=[
        DataRequired(_l("Bitte geben Sie einen Code aus Ihrer App oder Ihr Passwort an.")),
        Length(max=MAX_PASSWORD_LENGTH, message=_l("Die Eingabe ist zu lang."))],
        render_kw={"autocomplete": "off"})


class SecondFactorResetForm(Form):
    """An admin resets someone's second factor; the reason goes into the audit log."""

    reason = TextAreaField(_l("Begründung (für das Protokoll)"), validators=[
        DataRequired(_l("Bitte begründen Sie das Zurücksetzen, z. B. „Telefon verloren, Identität telefonisch "
                        "geprüft“.")),
        Length(max=500, message=_l("Die Begründung darf höchstens 500 Zeichen lang sein."))])
