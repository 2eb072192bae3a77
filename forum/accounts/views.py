"""Account pages: register, confirm, log in and out, reset and change the password, edit the profile."""
from __future__ import annotations

import math

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from forum.accounts import bp, services, throttle
from forum.accounts.forms import (FUNCTION_SUGGESTIONS, ChangePasswordForm, ConfirmEmailForm, ForgotPasswordForm,
                                  LoginForm, ProfileForm, RegistrationForm, ResetPasswordForm)
from forum.extensions import db, limiter
from forum.organisations.models import Organisation
from forum.organisations.services import grouped_organisations, organisation_choices
from forum.security import is_safe_next, taking_at_least_the_floor


def _limit(setting: str):
    """Rate limit for POSTs only, read from the config at request time."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"])


@bp.route("/login", methods=["GET", "POST"])
@_limit("RATELIMIT_LOGIN")
def login():
    """Log in; one message for every wrong combination, so nobody learns which addresses exist."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    problem = None
    if form.validate_on_submit():
        wait = throttle.seconds_to_wait(form.email.data)
        if wait:
            current_app.logger.warning("login paused for %s s after wrong passwords (from %s)", wait,
                                       request.remote_addr)
            minutes = math.ceil(wait / 60)
            return render_template("accounts/login.html", form=form, problem=ngettext(
                "Zu viele falsche Passwörter für diese Adresse. Bitte warten Sie %(num)s Minute und versuchen Sie "
                "es dann erneut – oder setzen Sie Ihr Passwort über „Passwort vergessen“ zurück.",
                "Zu viele falsche Passwörter für diese Adresse. Bitte warten Sie %(num)s Minuten und versuchen Sie "
                "es dann erneut – oder setzen Sie Ihr Passwort über „Passwort vergessen“ zurück.", minutes),
                show_demo_logins=current_app.config["SHOW_DEMO_LOGINS"]), 429
        user = services.authenticate(form.email.data, form.password.data)
        problem = services.login_refusal(user)
        if user is None:
            throttle.count_wrong_password(form.email.data)
        if problem is None:
            throttle.forget_wrong_passwords(form.email.data)
            chosen_language = session.get("language")
            session.clear()  # a fresh session at login: nothing from before carries over
            session.permanent = True  # ends after PERMANENT_SESSION_LIFETIME without activity
            login_user(user, remember=form.remember.data)
            services.record_login(user, language=chosen_language)
            db.session.commit()
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("main.dashboard"))
    return render_template("accounts/login.html", form=form, problem=problem,
                           show_demo_logins=current_app.config["SHOW_DEMO_LOGINS"])


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out here and end every other copy of this session too."""
    services.end_all_sessions(current_user)
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
                session.clear()
                session.permanent = True
                login_user(user)
                services.record_login(user)
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
            login_user(user)  # the session carries the new version
            flash(_("Ihr Passwort wurde geändert. Auf anderen Geräten sind Sie jetzt abgemeldet."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)
