"""Angemeldete Geräte: the user's active sessions, each of which they can end, and "alle anderen abmelden"."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from forum.accounts import bp, sessions
from forum.extensions import db
from forum.forms import ConfirmForm


@bp.route("/sessions")
def sessions_page():
    """Every session of the user that can still be used, the current one marked."""
    config = current_app.config
    return render_template("accounts/sessions.html", rows=sessions.active_sessions(current_user),
                           current_key=current_user.session_key, form=ConfirmForm(),
                           idle_minutes=int(config["SESSION_IDLE_TIMEOUT"].total_seconds() // 60),
                           hours=int(config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 3600))


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
def end_session(session_id: int):
    """Log out one device; only the user's own sessions are found (the query is bound to them)."""
    if ConfirmForm().validate_on_submit():
        ended = sessions.end_session(current_user, session_id)
        db.session.commit()
        flash(_("Die Sitzung wurde beendet.") if ended else _("Diese Sitzung war bereits beendet."),
              "success" if ended else "info")
    return redirect(url_for("accounts.sessions_page"))


@bp.route("/sessions/end-others", methods=["POST"])
def end_other_sessions():
    """Log out every other device at once."""
    if ConfirmForm().validate_on_submit():
        count = sessions.end_other_sessions(current_user)
        db.session.commit()
        flash(ngettext("%(num)s andere Sitzung wurde beendet.", "%(num)s andere Sitzungen wurden beendet.", count),
              "success")
    return redirect(url_for("accounts.sessions_page"))
