"""Moderation pages: pending registrations (approve / reject with a reason) and the audit log."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.accounts import services as account_services
from forum.accounts.forms import ConfirmForm, RejectRegistrationForm
from forum.accounts.models import User
from forum.extensions import db
from forum.moderation import bp
from forum.moderation.models import AuditEntry
from forum.permissions import can_approve_registrations, can_decide_registration, can_view_audit_log, require

PER_PAGE = 50


@bp.route("/registrations")
def registrations():
    """Confirmed registrations whose domain did not match: the moderators decide."""
    require(can_approve_registrations(current_user))
    page = db.paginate(account_services.pending_registrations_query(), per_page=PER_PAGE, error_out=False)
    return render_template("moderation/registrations.html", page=page, approve_form=ConfirmForm(),
                           reject_form=RejectRegistrationForm())


@bp.route("/registrations/<int:user_id>/approve", methods=["POST"])
def approve_registration(user_id: int):
    applicant = db.get_or_404(User, user_id)
    require(can_decide_registration(current_user, applicant))
    if ConfirmForm().validate_on_submit():
        account_services.approve_registration(applicant, actor=current_user)
        db.session.commit()
        flash(_("%(name)s wurde freigeschaltet und per E-Mail benachrichtigt.", name=applicant.display_name),
              "success")
    return redirect(url_for("moderation.registrations"))


@bp.route("/registrations/<int:user_id>/reject", methods=["GET", "POST"])
def reject_registration(user_id: int):
    """Reject with a reason; on a missing reason the form is shown again on its own page."""
    applicant = db.get_or_404(User, user_id)
    require(can_decide_registration(current_user, applicant))
    form = RejectRegistrationForm()
    if form.validate_on_submit():
        account_services.reject_registration(applicant, actor=current_user, reason=form.reason.data.strip())
        db.session.commit()
        flash(_("Die Registrierung von %(name)s wurde abgelehnt; die Person wurde per E-Mail informiert.",
                name=applicant.display_name), "success")
        return redirect(url_for("moderation.registrations"))
    return render_template("moderation/reject.html", applicant=applicant, form=form)


@bp.route("/log")
def audit_log():
    """The Moderationsprotokoll, newest first."""
    require(can_view_audit_log(current_user))
    query = (select(AuditEntry).options(selectinload(AuditEntry.actor))
             .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template("moderation/log.html", page=page)
