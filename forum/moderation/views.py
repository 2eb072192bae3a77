"""The moderation area: the report queue and its cases, pending registrations, accounts (suspend, reactivate)
and the audit log with its CSV export. Actions on posts and threads in place are in post_views.py."""
from __future__ import annotations

from datetime import time, timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from forum.accounts import services as account_services
from forum.accounts.forms import RejectRegistrationForm, UserFilterForm
from forum.forms import ConfirmForm, attempt
from forum.accounts.models import STATUS_LABELS, User
from forum.clock import from_berlin
from forum.discussion import quotes, services as discussion
from forum.discussion.loaders import visible_post
from forum.extensions import db
from forum.forms import choices
from forum.moderation import bp, reports, services
from forum.moderation.forms import AuditFilterForm, ResolveCaseForm, SuspendForm
from forum.audit import ACTION_LABELS, TARGET_LABELS
from forum.moderation.models import REASONS
from forum.permissions import (can_approve_registrations, can_decide_registration, can_decide_case,
                               can_reactivate_user, can_suspend_user, can_view_audit_log, can_view_reports, require)
from forum.queries import page_number, paginate

PER_PAGE = 50


@bp.route("/registrations")
def registrations():
    """Confirmed registrations whose domain did not match: the moderators decide."""
    require(can_approve_registrations(current_user))
    page = paginate(account_services.pending_registrations_query(), per_page=PER_PAGE)
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


# --- reports ------------------------------------------------------------------------------------------------

CASES_PER_PAGE = 20


@bp.route("/")
def index():
    """The moderation area starts with the report queue."""
    return redirect(url_for("moderation.queue"))


@bp.route("/reports")
def queue():
    """Open reports grouped by post, oldest case first, with reasons and notes."""
    require(can_view_reports(current_user))
    page = reports.open_cases(page=page_number(), per_page=CASES_PER_PAGE)
    return render_template("moderation/queue.html", page=page, reasons=REASONS,
                           shown=quotes.shown_html([case.post for case in page.items], current_user))


@bp.route("/reports/posts/<int:post_id>")
def case(post_id: int):
    """One case: the post in its context (the post before it), every report of it, and the decisions."""
    post = visible_post(post_id)
    require(can_decide_case(current_user, post))
    before = discussion.post_before(post)
    return render_template("moderation/case.html", post=post, before=before, reports=reports.reports_of(post),
                           shown=quotes.shown_html([post, *([before] if before else [])], current_user),
                           hide_form=ResolveCaseForm(outcome="hidden"),
                           dismiss_form=ResolveCaseForm(outcome="dismissed"), reasons=REASONS)


@bp.route("/reports/posts/<int:post_id>/resolve", methods=["POST"])
def resolve_case(post_id: int):
    """Close a case by hiding the post or finding no violation; a case closed meanwhile is not closed twice."""
    post = visible_post(post_id)
    require(can_decide_case(current_user, post))
    form = ResolveCaseForm()
    if not form.validate_on_submit():
        flash(_("Bitte prüfen Sie Ihre Eingaben: %(errors)s",
                errors=" ".join(error for errors in form.errors.values() for error in errors)), "warning")
        return redirect(url_for("moderation.case", post_id=post.id))
    done, closed = attempt(None, lambda: reports.resolve_case(
        post, actor=current_user, outcome=form.outcome.data, note=form.note.data or "", reason=form.reason.data or ""))
    if not done:  # closed by someone else meanwhile: said as a warning
        return redirect(url_for("moderation.case", post_id=post.id))
    db.session.commit()
    flash(ngettext("Der Fall ist abgeschlossen; %(num)s meldende Person wird benachrichtigt.",
                   "Der Fall ist abgeschlossen; %(num)s meldende Personen werden benachrichtigt.", closed), "success")
    return redirect(url_for("moderation.queue"))


# --- accounts -----------------------------------------------------------------------------------------------

USERS_PER_PAGE = 50


@bp.route("/users")
def users():
    """Accounts for the moderators: search by name, e-mail or organisation; suspended ones by filter."""
    require(can_view_reports(current_user))
    statuses = {key: label for key, label in STATUS_LABELS.items() if key in ("active", "suspended", "pending")}
    selected = UserFilterForm(options={"status": statuses, "role": {}}).chosen()
    status, search = selected.get("status", ""), selected.get("q", "")
    query = account_services.users_query(status=status, search=search)
    page = paginate(query, per_page=USERS_PER_PAGE)
    return render_template("moderation/users.html", page=page, status=status, search=search, statuses=statuses)


@bp.route("/users/<int:user_id>/suspend", methods=["GET", "POST"])
def suspend_user(user_id: int):
    """Suspend an account with a reason, until a date or until lifted; the person is logged out at once."""
    person = db.get_or_404(User, user_id)
    require(can_suspend_user(current_user, person))
    form = SuspendForm()
    if form.validate_on_submit():
        until = from_berlin(form.until.data + timedelta(days=1), time(0, 0)) if form.until.data else None
        account_services.suspend_user(person, actor=current_user, reason=form.reason.data, until=until)
        db.session.commit()
        flash(_("Das Konto von %(name)s ist gesperrt; die Person ist abgemeldet und per E-Mail informiert.",
                name=person.display_name), "success")
        return redirect(url_for("moderation.users", status="suspended"))
    return render_template("moderation/suspend.html", person=person, form=form)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate_user(user_id: int):
    """Lift a suspension now."""
    person = db.get_or_404(User, user_id)
    require(can_reactivate_user(current_user, person))
    if ConfirmForm().validate_on_submit():
        account_services.reactivate_user(person, actor=current_user)
        db.session.commit()
        flash(_("Die Sperre von %(name)s ist aufgehoben.", name=person.display_name), "success")
    return redirect(url_for("moderation.users", status="suspended"))


# --- the audit log ------------------------------------------------------------------------------------------

LOG_PER_PAGE = 50


def _audit_filter() -> tuple[AuditFilterForm, services.AuditFilter]:
    """The filter form from the query string, and the filters it yields (invalid ones are left out)."""
    form = AuditFilterForm()
    form.actor.choices = choices({"": _("alle"), **services.audit_actors()})
    form.action.choices = choices({"": _("alle"), **ACTION_LABELS})
    form.target.choices = choices({"": _("alle"), **TARGET_LABELS})
    form.validate()
    valid = lambda field: field.data if not field.errors else None  # noqa: E731
    return form, services.AuditFilter(actor_id=valid(form.actor), action=valid(form.action) or "",
                                      target_type=valid(form.target) or "", date_from=valid(form.date_from),
                                      date_to=valid(form.date_to))


@bp.route("/log")
def audit_log():
    """The Moderationsprotokoll, newest first, filtered by actor, action, target type and dates."""
    require(can_view_audit_log(current_user))
    form, filters = _audit_filter()
    page = paginate(services.audit_query(filters), per_page=LOG_PER_PAGE)
    return render_template("moderation/log.html", page=page, form=form, export_form=ConfirmForm())


@bp.route("/log/export", methods=["POST"])
def export_audit_log():
    """The filtered log as a CSV file; the export itself is written to the log."""
    require(can_view_audit_log(current_user))
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("moderation.audit_log", **request.args))
    _form, filters = _audit_filter()
    data = services.export_audit_log(filters, actor=current_user)
    db.session.commit()
    response = current_app.response_class(data, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="moderationsprotokoll.csv"'
    return response


