"""Data-protection pages: request and download the copy of one's data, delete one's account, and an admin's
deletion of someone else's account. The work is in exports.py and deletion.py."""
from __future__ import annotations

import io

from flask import abort, current_app, flash, redirect, render_template, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from forum.accounts import services as account_services
from forum.accounts.models import User
from forum.clock import to_berlin
from forum.extensions import db, limiter
from forum.forms import ConfirmForm, attempt
from forum.permissions import can_delete_account, can_delete_own_account, can_request_data_export, require
from forum.privacy import bp
from forum.privacy.deletion import delete_account, is_last_admin
from forum.privacy.exports import downloadable_export, export_data, exports_of, posts_count, request_export
from forum.privacy.forms import DeleteAccountForm, DeleteOwnAccountForm
from forum.privacy.retention import retention_periods

# The privacy page (pages.show "datenschutz") lists the periods below its editable text, read from the config.
bp.add_app_template_global(retention_periods, "retention_periods")


@bp.app_template_global("data_exports_of")
def data_exports_of(user) -> list:
    """The profile page's section "Meine Daten" lists the member's exports: a global, so that section is one
    include and the accounts views need not know about it."""
    return exports_of(user)


def _per_account() -> str:
    return f"account/{getattr(current_user, 'id', None)}"


@bp.route("/export", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_DATA_EXPORT"], key_func=_per_account)
def request_data_export():
    """Ask for a copy of one's data; it is built by `flask build-exports`, never in this request."""
    require(can_request_data_export(current_user))
    if ConfirmForm().validate_on_submit():
        done, _result = attempt(None, lambda: request_export(current_user))
        if done:
            db.session.commit()
            flash(_("Ihre Daten werden zusammengestellt. Sie erhalten eine Benachrichtigung, sobald die Datei "
                    "bereitsteht."), "success")
    return redirect(url_for("accounts.profile", _anchor="meine-daten"))


@bp.route("/export/<token>")
def download_export(token: str):
    """The ZIP, only for the member it belongs to and only until it expires; everyone else gets 404."""
    export = downloadable_export(current_user, token)
    data = export_data(export) if export is not None else None
    if data is None:
        abort(404)
    day = to_berlin(export.ready_at).date().isoformat()
    # Read at once (a copy is small): werkzeug's file wrapper would stay open when a client drops the download.
    response = send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                         download_name=f"abc-extranet-meine-daten-{day}.zip", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _deleted_and_logged_out():
    session.clear()
    logout_user()  # also has Flask-Login delete the remember-me cookie (its session row is gone already)
    flash(_("Ihr Konto wurde gelöscht. Auf Wiedersehen!"), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/delete", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"], key_func=_per_account)
def delete_own_account():
    """Delete one's own account: password and an explicit confirmation; then logged out everywhere."""
    require(can_delete_own_account(current_user))
    user = current_user._get_current_object()
    form = DeleteOwnAccountForm()
    if form.validate_on_submit():
        if account_services.authenticate(user.email, form.password.data) is None:
            form.password.errors.append(_("Das Passwort ist nicht richtig."))
        else:
            done, _result = attempt(form.confirm, lambda: delete_account(
                user, actor=user, withdraw_posts=form.withdraw_posts.data))
            if done:
                db.session.commit()
                return _deleted_and_logged_out()
    return render_template("privacy/delete.html", own=True, form=form, posts=posts_count(user),
                           last_admin=is_last_admin(user))


@bp.route("/users/<int:user_id>/delete", methods=["GET", "POST"])
def delete_user_account(user_id: int):
    """An admin deletes (anonymises) another person's account; audited without the personal data."""
    user = db.get_or_404(User, user_id)
    require(can_delete_account(current_user, user))
    form = DeleteAccountForm()
    if form.validate_on_submit():
        done, _result = attempt(form.confirm, lambda: delete_account(
            user, actor=current_user, withdraw_posts=form.withdraw_posts.data))
        if done:
            db.session.commit()
            flash(_("Das Konto wurde gelöscht und anonymisiert."), "success")
            return redirect(url_for("admin.users"))
    return render_template("privacy/delete.html", own=False, form=form, user=user, posts=posts_count(user),
                           last_admin=is_last_admin(user))
