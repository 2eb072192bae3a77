"""Reporting a barrier (stored, mailed to the service office, acknowledged to the sender) and working on it."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import Select, select

from forum.audit import record
from forum.clock import utcnow
from forum.extensions import db
from forum.feedback.models import STATUS_LABELS, BarrierReport
from forum.notifications.outbox import absolute_url, queue_mail


def submit_barrier_report(*, description: str, page_url: str = "", name: str = "", email: str = "", user=None,
                          language: str = "de") -> BarrierReport:
    """Store the report, mail it to the service office and, if the sender gave an address, confirm receipt to
    them (in the language they used); flushes. Nobody is audited: the sender is not staff."""
    report = BarrierReport(description=description, page_url=page_url or "", name=name or "", email=email or "",
                           language=language if language in ("de", "en") else "de", status="new",
                           user_id=getattr(user, "id", None))
    db.session.add(report)
    db.session.flush()
    queue_mail(current_app.config["BARRIER_REPORT_RECIPIENT"], "barrier_report", language="de", report=report,
               account=user, list_url=absolute_url("feedback.manage"))
    if report.email:
        queue_mail(report.email, "barrier_report_received", language=report.language, report=report)
    return report


def change_status(report: BarrierReport, status: str, *, actor) -> bool:
    """Move a report to `status` (audited with the status before); False if it already had it."""
    if status not in STATUS_LABELS:
        raise ValueError(status)
    if report.status == status:
        return False
    before = report.status
    report.status, report.status_changed_at = status, utcnow()
    db.session.flush()
    record(actor, "barrier_report.status", report, snapshot={
        "before": {"title": _title(report), "status": before}, "after": {"title": _title(report), "status": status}})
    return True


def _title(report: BarrierReport) -> str:
    return f"#{report.id} {report.page_url}".strip()


def reports_query(*, status: str = "") -> Select:
    """The reports for the admin list, newest first, optionally of one status."""
    query = select(BarrierReport).order_by(BarrierReport.created_at.desc(), BarrierReport.id.desc())
    if status:
        query = query.where(BarrierReport.status == status)
    return query
