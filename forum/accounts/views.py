"""Account pages: register, confirm, log in (password, then the second factor where set up) and out, reset and
change the password, edit the profile."""
from __future__ import annotations

import math

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from forum import clock
from forum.accounts import bp, second_factor, services, sessions, throttle
from forum.accounts.forms import (FUNCTION_SUGGESTIONS, ChangePasswordForm, ConfirmEmailForm, ForgotPasswordForm,
                                  LoginCodeForm, LoginForm, ProfileForm, RegistrationForm, ResetPasswordForm)
from forum.accounts.models import User
from forum.extensions import db, limiter
from forum.organisations.models import Organisation
from forum.organisations.services import grouped_organisations, organisation_choices
from forum.security import is_safe_next, taking_at_least_the_floor


# In the Flask session between the password and the code: who, "remember", where to, since when.
PENDING_LOGIN = "second_factor_login"


def _limit(setting: str):
    """Rate limit for POSTs only, read from the config at request time."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"])


def _start_session(user: User, *, remember: bool = False, language: str | None = None) -> None:
    """Complete a login: a fresh Flask session (nothing from before carries over), a UserSession row whose key
    the session and the remember-me cookie carry, the login noted; the account's wrong-password count is
    forgotten only now, after the second factor too."""
    session.clear()
    session.permanent = True  # the cookie may live PERMANENT_SESSION_LIFETIME; the row decides the real end
    sessions.start_session(user, remember=remember, user_agent=request.user_agent.string)
    login_user(user, remember=remember)
    services.record_login(user, language=language)
    throttle.forget_wrong_passwords(user.email)


def _too_many_wrong(email: str, template: str, **context):
    """The answer while an account's logins are paused after too many wrong passwords or codes (else None)."""
    wait = throttle.seconds_to_wait(email)
    if not wait:
        return None
    current_app.logger.warning("login paused for %s s after wrong passwords (from %s)", wait, request.remote_addr)
    return render_template(template, problem=ngettext(
        "Zu viele falsche Passwörter für diese Adresse. Bitte warten Sie %(num)s Minute und versuchen Sie "
        "es dann erneut – oder setzen Sie Ihr Passwort über „Passwort vergessen“ zurück.",
        "Zu viele falsche Passwörter für diese Adresse. Bitte warten Sie %(num)s Minuten und versuchen Sie "
        "es dann erneut – oder setzen Sie Ihr Passwort über „Passwort vergessen“ zurück.",
        math.ceil(wait / 60)), **context), 429


@bp.route("/login", methods=["GET", "POST"])
@_limit("RATELIMIT_LOGIN")
def login():
    """Log in; one message for every wrong combination, so nobody learns which addresses exist."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    problem = None
    if form.validate_on_submit():
        paused = _too_many_wrong(form.email.data, "accounts/login.html", form=form,
                                 show_demo_logins=current_app.config["SHOW_DEMO_LOGINS"])
        if paused:
            return paused
        user = services.authenticate(form.email.data, form.password.data)
        problem = services.login_refusal(user)
        if user is None:
            throttle.count_wrong_password(form.email.data)
        if problem is None:
            chosen_language = session.get("language")
            target = form.next.data if is_safe_next(form.next.data) else ""
            if user.has_second_factor:
                session.clear()
                if chosen_language:
                    session["language"] = chosen_language
                session[PENDING_LOGIN] = {"user": user.id, "remember": bool(form.remember.data), "next": target,
                                          "at": int(clock.utcnow().timestamp())}
                db.session.commit()  # an ended suspension was lifted by authenticate()
                return redirect(url_for("accounts.login_code"))
            _start_session(user, remember=form.remember.data, language=chosen_language)
            db.session.commit()
            return redirect(target or url_for("main.dashboard"))
    return render_template("accounts/login.html", form=form, problem=problem,
                           show_demo_logins=current_app.config["SHOW_DEMO_LOGINS"])


def _pending_login() -> tuple[User | None, dict]:
    """The person who gave the right password a moment ago (SECOND_FACTOR_LOGIN_WINDOW) and still may log in."""
    pending = session.get(PENDING_LOGIN)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None, {}
    window = current_app.config["SECOND_FACTOR_LOGIN_WINDOW"].total_seconds()
    if clock.utcnow().timestamp() - pending.get("at", 0) > window:
        return None, {}
    user = db.session.get(User, pending["user"])
    if user is None or services.login_refusal(user) is not None or not user.has_second_factor:
        return None, {}
    return user, pending


@bp.route("/login/code", methods=["GET", "POST"])
@_limit("RATELIMIT_LOGIN")
def login_code():
    """The second step of the login: a TOTP code or a recovery code, each valid once; wrong codes count against
    the account like wrong passwords (the same stepped pause)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    user, pending = _pending_login()
    if user is None:
        session.pop(PENDING_LOGIN, None)
        flash(_("Bitte melden Sie sich erneut mit E-Mail-Adresse und Passwort an."), "info")
        return redirect(url_for("accounts.login"))
    form = LoginCodeForm()
    if form.validate_on_submit():
        paused = _too_many_wrong(user.email, "accounts/login_code.html", form=form)
        if paused:
            return paused
        used = second_factor.use_code(user, form.code.data)
        if used is None:
            throttle.count_wrong_password(user.email)
            form.code.errors.append(_("Dieser Code ist nicht richtig oder wurde schon verwendet. Jeder Code gilt "
                                      "nur einmal: Warten Sie gegebenenfalls auf den nächsten Code Ihrer App."))
        else:
            _start_session(user, remember=pending.get("remember", False), language=session.get("language"))
            if used == "recovery":
                left = second_factor.remaining_recovery_codes(user)
                flash(ngettext("Sie haben sich mit einem Wiederherstellungscode angemeldet. Es bleibt noch "
                               "%(num)s Code. Richten Sie Ihre App neu ein oder erzeugen Sie neue Codes.",
                               "Sie haben sich mit einem Wiederherstellungscode angemeldet. Es bleiben noch "
                               "%(num)s Codes. Richten Sie Ihre App neu ein oder erzeugen Sie neue Codes.", left),
                      "warning")
            db.session.commit()
            target = pending.get("next", "")
            return redirect(target if is_safe_next(target) else url_for("main.dashboard"))
    return render_template("accounts/login_code.html", form=form, problem=None)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out: this session's row ends, so every copy of its cookie (and its remember-me cookie) ends too."""
    sessions.end_current_session(current_user)
    db.session.commit()
    session.clear()
    logout_user()
    flash(_("Sie sind abgemeldet."), "success")
    response = redirect(url_for("accounts.login"))
    # The cookie could no longer log in (its session version is void), but it should not stay on the device.
    response.delete_cookie(current_app.config["REMEMBER_COOKIE_NAME"],
                           domain=current_app.config.get("REMEMBER_COOKIE_DOMAIN"),
                           path=current_app.config.get("REMEMBER_COOKIE_PATH", "/"))
    return response


@bp.route("/register", methods=["GET", "POST"])
@_limit("RATELIMIT_REGISTER")
def register():
    """Register with a work address; a confirmation link is mailed."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegistrationForm(organisations=organisation_choices())
    if form.validate_on_submit():
        organisation = db.get_or_404(Organisation, form.organisation_id.data)
        with taking_at_least_the_floor():
            services.register_user(email=form.email.data, display_name=form.display_name.data,
                                   function=form.function.data, organisation=organisation,
                                   password=form.password.data, language=session.get("language", "de"))
            db.session.commit()
        return redirect(url_for("accounts.registration_sent"))
    return render_template("accounts/register.html", form=form, function_suggestions=FUNCTION_SUGGESTIONS,
                           grouped_organisations=grouped_organisations())


@bp.route("/register/sent")
def registration_sent():
    """The same answer for new and known addresses (no enumeration)."""
    return render_template("accounts/registration_sent.html")


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@_limit("RATELIMIT_LOGIN")
def confirm_email(token: str):
    """The link from the confirmation mail: the person confirms with the password of their registration, so a
    stranger who registered the address first can never end up with a working password. Logs in when active."""
    user = services.user_from_confirmation_token(token)
    if user is None:
        return render_template("accounts/confirm_failed.html"), 400
    if user.is_email_confirmed:
        return render_template("accounts/confirmed.html", outcome="already_confirmed", user=user)
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        if not services.password_matches(user, form.password.data):
            form.password.errors.append(_("Das Passwort passt nicht zu dieser Registrierung. Wurde die Adresse "
                                          "danach noch einmal registriert, gilt nur der Link aus der letzten "
                                          "E-Mail mit dem Passwort der letzten Registrierung; sonst "
                                          "registrieren Sie sich bitte einfach erneut."))
        else:
            outcome = services.confirm_email(user)
            if outcome == "active":
                _start_session(user)
                db.session.commit()
                flash(_("Ihre E-Mail-Adresse ist bestätigt und Ihr Konto ist aktiv. Willkommen!"), "success")
                return redirect(url_for("main.dashboard"))
            db.session.commit()
            return render_template("accounts/confirmed.html", outcome=outcome, user=user)
    return render_template("accounts/confirm.html", form=form, user=user)


@bp.route("/password/forgot", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def forgot_password():
    """Ask for a reset link; the answer is the same whether the address is known or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with taking_at_least_the_floor():
            services.request_password_reset(form.email.data)
            db.session.commit()
        return render_template("accounts/forgot_password_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def reset_password(token: str):
    """Set a new password from an e-mailed link (valid for an hour, once)."""
    user = services.user_from_reset_token(token)
    if user is None:
        return render_template("accounts/reset_failed.html"), 400
    form = ResetPasswordForm(account=user)
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        db.session.commit()
        throttle.forget_wrong_passwords(user.email)
        logout_user()
        session.clear()
        flash(_("Ihr Passwort wurde geändert. Bitte melden Sie sich mit dem neuen Passwort an."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    """Name, function, language and notification e-mails of the logged-in user."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, display_name=form.display_name.data, function=form.function.data,
                                language=form.language.data, email_notifications=form.email_notifications.data,
                                announcement_emails=form.announcement_emails.data)
        db.session.commit()
        flash(_("Ihr Profil wurde gespeichert."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, function_suggestions=FUNCTION_SUGGESTIONS)


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    """Change the password; every other session ends, this one continues."""
    form = ChangePasswordForm(account=current_user)
    if form.validate_on_submit():
        if services.authenticate(current_user.email, form.current_password.data) is None:
            form.current_password.errors.append(_("Das aktuelle Passwort ist nicht richtig."))
        else:
            user = current_user._get_current_object()
            services.change_password(user, form.password.data)
            db.session.commit()
            flash(_("Ihr Passwort wurde geändert. Auf anderen Geräten sind Sie jetzt abgemeldet."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)
