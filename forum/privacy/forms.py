"""Forms of the data-protection pages: deleting an account always asks for an explicit confirmation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, InputRequired

from forum.forms import Form


class _DeletionForm(Form):
    withdraw_posts = BooleanField(_l("Auch alle meine Beiträge zurückziehen (sonst bleiben sie als Beiträge "
                                     "eines ehemaligen Mitglieds stehen)"))
    confirm = BooleanField(_l("Ja, ich möchte dieses Konto endgültig löschen. Das kann nicht rückgängig gemacht "
                              "werden."),
                           validators=[DataRequired(_l("Bitte bestätigen Sie, dass das Konto gelöscht werden "
                                                       "soll."))])


class DeleteOwnAccountForm(_DeletionForm):
    """The member deletes their own account: their password proves it is them, not someone at their desk."""

    password = PasswordField(_l("Ihr Passwort"), validators=[InputRequired(_l("Bitte geben Sie Ihr Passwort an."))],
                             render_kw={"autocomplete": "current-password"})


class DeleteAccountForm(_DeletionForm):
    """An admin deletes someone's account (e.g. on a written request)."""

    withdraw_posts = BooleanField(_l("Auch alle Beiträge der Person zurückziehen"))
