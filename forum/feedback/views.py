"""Barriere melden (public, from the footer of every page) and the admins' list of reported barriers."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user
from limits import parse_many
from sqlalchemy.orm import joinedload

from forum.extensions import db, limiter
from forum.feedback import bp, services
from forum.feedback.forms import BarrierReportForm, CameFromForm, StatusFilterForm, StatusForm
from forum.feedback.models import STATUS_LABELS, BarrierReport
from forum.permissions import can_manage_barrier_reports, require
from forum.queries import paginate
from forum.security import is_safe_next

PER_PAGE = 30


def _came_from() -> str:
    """The page the person came from (`?from=`, set by the footer link), if it is a path of this site."""
    target = CameFromForm().chosen().get("from", "")
    return target if is_safe_next(target) else ""


def _within_limit() -> bool:
    """Count one report against the sender's address (RATELIMIT_BARRIER_REPORT); checked by hand, so a refused
    form comes back with its text rather than as an error page."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    limits = parse_many(current_app.config["RATELIMIT_BARRIER_REPORT"])
    return all([limiter.limiter.hit(item, "barrier_report", request.remote_addr or "") for item in limits])


@bp.route("/", methods=["GET", "POST"])
def report():
    """Public (BITV 2.0 § 7): anyone reports a barrier; signed-in people find their name and address filled in."""
    signed_in = current_user.is_authenticated
    form = BarrierReportForm(page_url=_came_from(), name=current_user.display_name if signed_in else "",
                             email=current_user.email if signed_in else "")
    if form.validate_on_submit():
        if not _within_limit():
            return render_template("feedback/report.html", form=form, too_many=True), 429
        sent = services.submit_barrier_report(
            description=form.description.data, page_url=form.page_url.data, name=form.name.data,
            email=form.email.data, user=current_user if signed_in else None, language=str(get_locale()))
        db.session.commit()
        if sent.email:
            flash(_("Wir haben Ihnen eine Eingangsbestätigung an %(email)s geschickt.", email=sent.email), "success")
        return redirect(url_for("feedback.sent", **({"from": sent.page_url} if is_safe_next(sent.page_url) else {})))
    return render_template("feedback/report.html", form=form, too_many=False)


@bp.route("/sent")
def sent():
    """Public: the thanks after a report, with the way back to the page it was about."""
    return render_template("feedback/sent.html", back=_came_from())


@bp.route("/manage")
def manage():
    """Admins: every reported barrier, newest first, filtered by status."""
    require(can_manage_barrier_reports(current_user))
    status = StatusFilterForm(options={"status": STATUS_LABELS}).chosen().get("status", "")
    query = services.reports_query(status=status).options(joinedload(BarrierReport.user))
    page = paginate(query, per_page=PER_PAGE)
    return render_template("feedback/manage.html", page=page, status=status, statuses=STATUS_LABELS,
                           status_form=StatusForm())


@bp.route("/<int:report_id>/status", methods=["POST"])
def set_status(report_id: int):
    """Admins: move a report to new / in Bearbeitung / erledigt (audited)."""
    barrier_report = db.get_or_404(BarrierReport, report_id)
    require(can_manage_barrier_reports(current_user))
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Bitte wählen Sie einen Status."), "warning")
        return redirect(url_for("feedback.manage"))
    changed = services.change_status(barrier_report, form.status.data, actor=current_user)
    db.session.commit()
    flash(_("Der Status ist jetzt „%(status)s“.", status=barrier_report.status_label) if changed
          else _("Die Meldung hatte diesen Status schon."), "success" if changed else "info")
    return redirect(request.form.get("next") if is_safe_next(request.form.get("next")) else url_for("feedback.manage"))
