"""The second factor in the account settings: set it up (QR code, secret as text, a code to confirm), see the
recovery codes once, renew them, turn it off (members and organisers only)."""
from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.accounts import bp, second_factor, services, throttle
from forum.accounts.forms import SecondFactorProofForm, SecondFactorSetupForm
from forum.extensions import db
from forum.permissions import can_turn_off_second_factor, require

# The secret being set up lives in the signed session cookie until a code confirms it: a GET writes nothing.
SETUP_SECRET = "second_factor_setup"


def _status_page(off_form=None, codes_form=None, status: int = 200):
    user = current_user
    return render_template("accounts/second_factor.html", off_form=off_form or SecondFactorProofForm(prefix="off"),
                           codes_form=codes_form or SecondFactorProofForm(prefix="codes"),
                           remaining=second_factor.remaining_recovery_codes(user) if user.has_second_factor else 0
                           ), status


def _proven(form: SecondFactorProofForm) -> bool:
    """The current password or a valid code (which is then used up); wrong tries count like wrong passwords."""
    user = current_user._get_current_object()
    if throttle.seconds_to_wait(user.email):
        form.proof.errors.append(_("Zu viele falsche Versuche. Bitte warten Sie einige Minuten."))
        return False
    if services.password_matches(user, form.proof.data) or second_factor.use_code(user, form.proof.data):
        return True
    throttle.count_wrong_password(user.email)
    form.proof.errors.append(_("Das ist weder Ihr Passwort noch ein gültiger Code."))
    return False


@bp.route("/second-factor")
def second_factor_page():
    """Whether the second factor is on, how many recovery codes are left, and what can be done."""
    return _status_page()


@bp.route("/second-factor/setup", methods=["GET", "POST"])
def second_factor_setup():
    """Set up (or move to a new device): scan the QR code or type the secret, confirm with a code; then the
    recovery codes are shown once."""
    secret = session.get(SETUP_SECRET)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[SETUP_SECRET] = second_factor.new_secret()
    form = SecondFactorSetupForm()
    if form.validate_on_submit():
        codes = second_factor.enable(current_user, secret, form.code.data)
        if codes is None:
            form.code.errors.append(_("Dieser Code passt nicht. Prüfen Sie, ob Sie den QR-Code dieser Seite "
                                      "gescannt haben und die Uhrzeit Ihres Geräts stimmt, und geben Sie den "
                                      "aktuellen Code ein."))
        else:
            db.session.commit()
            session.pop(SETUP_SECRET, None)
            return render_template("accounts/recovery_codes.html", codes=codes, first=True)
    uri = second_factor.provisioning_uri(current_user, secret)
    return render_template("accounts/second_factor_setup.html", form=form, secret=second_factor.grouped(secret),
                           qr=second_factor.qr_svg(uri, _("QR-Code zum Einrichten der Authenticator-App")))


@bp.route("/second-factor/recovery-codes", methods=["POST"])
def renew_recovery_codes():
    """Ten new recovery codes (the old ones stop working), after a code or the password."""
    if not current_user.has_second_factor:
        return redirect(url_for("accounts.second_factor_setup"))
    form = SecondFactorProofForm(prefix="codes")
    if form.validate_on_submit() and _proven(form):
        codes = second_factor.new_recovery_codes(current_user)
        db.session.commit()
        return render_template("accounts/recovery_codes.html", codes=codes, first=False)
    db.session.commit()  # a recovery code given as proof is used up even when the rest fails
    return _status_page(codes_form=form)


@bp.route("/second-factor/off", methods=["POST"])
def second_factor_off():
    """Turn the second factor off (members and organisers), after a code or the password."""
    require(can_turn_off_second_factor(current_user))
    form = SecondFactorProofForm(prefix="off")
    if form.validate_on_submit() and _proven(form):
        second_factor.disable(current_user)
        db.session.commit()
        flash(_("Der zweite Faktor ist ausgeschaltet. Sie melden sich jetzt nur mit Ihrem Passwort an."), "success")
        return redirect(url_for("accounts.second_factor_page"))
    db.session.commit()
    return _status_page(off_form=form)
