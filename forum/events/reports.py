"""The closing report (Abschlussbericht) of an event: written by organisers as a draft, published to members (the
event's followers are notified once), every change audited. Its figures come from the attendance unless the
organisers override them (walk-ins typed as free text, late corrections)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from forum import markup
from forum.audit import event_report_snapshot, record
from forum.clock import utcnow
from forum.events.attendance import attendance_counts
from forum.events.models import Event, EventReport
from forum.events.services import EventError
from forum.extensions import db
from forum.languages import written_in
from forum.notifications.inbox import notify_event_report


def render_report_text(source: str) -> str:
    """A report text as HTML; it sits below the h3 "Zusammenfassung", "Ergebnisse", "Nächste Schritte" of the
    event page (and of the preview), so its headings start at h4."""
    return markup.render(source, heading_level=3)


@dataclass
class ReportData:
    """Clean values from the report form (markdown sources, optional overrides)."""

    summary: str
    results: str
    next_steps: str
    attendees_override: int | None = None
    jobcenters_override: int | None = None


@dataclass
class ReportFigures:
    """The numbers a report shows: the derived ones, or the organisers' overrides where they gave some."""

    attendees: int
    jobcenters: int
    derived_attendees: int
    derived_jobcenters: int


def report_figures(event: Event) -> ReportFigures:
    """The event's attendees and attending Jobcenters as the report shows them (one query)."""
    attendees, jobcenters = attendance_counts([event.id])[event.id]
    report = event.report
    return ReportFigures(
        attendees=report.attendees_override if report and report.attendees_override is not None else attendees,
        jobcenters=report.jobcenters_override if report and report.jobcenters_override is not None else jobcenters,
        derived_attendees=attendees, derived_jobcenters=jobcenters)


def _check(event: Event, data: ReportData) -> None:
    if event.status == "cancelled":
        raise EventError(_("Die Veranstaltung wurde abgesagt."))
    if event.status != "done" and event.ends_at > utcnow():
        raise EventError(_("Den Abschlussbericht schreiben Sie, wenn die Veranstaltung vorbei ist."))
    for value in (data.attendees_override, data.jobcenters_override):
        if value is not None and value < 0:
            raise EventError(_("Die Zahl darf nicht negativ sein."))
    if (data.attendees_override is not None and data.jobcenters_override is not None
            and data.jobcenters_override > data.attendees_override):
        raise EventError(_("Es können nicht mehr Jobcenter als Personen teilgenommen haben."))


def _locked_report(event: Event) -> EventReport | None:
    """The event's report, read under the event's row lock: two organisers saving the first draft at once write
    one report, not two, and a report is not published and taken back at the same moment."""
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    return db.session.scalar(select(EventReport).where(EventReport.event_id == event.id))


def save_report(event: Event, data: ReportData, *, publish: bool, actor) -> tuple[EventReport, bool]:
    """Write the report (a draft until published; a published one stays published). Returns the report and
    whether it was published just now, in which case the event's followers are notified. Audited: each save
    with the texts before and after, the first publication as its own action."""
    _check(event, data)
    report = _locked_report(event)
    before = event_report_snapshot(report) if report is not None else None
    if report is None:
        report = EventReport(event=event, language=written_in(actor))
        db.session.add(report)
    report.summary_source, report.summary_html = data.summary, render_report_text(data.summary)
    report.results_source, report.results_html = data.results, render_report_text(data.results)
    report.next_steps_source, report.next_steps_html = data.next_steps, render_report_text(data.next_steps)
    report.attendees_override, report.jobcenters_override = data.attendees_override, data.jobcenters_override
    report.updated_at, report.updated_by_id = utcnow(), actor.id
    published_now = publish and report.published_at is None
    if published_now:
        report.published_at = report.updated_at
    db.session.flush()
    after = event_report_snapshot(report)
    if published_now:
        record(actor, "event.report.publish", event, snapshot={"before": before, "after": after})
        notify_event_report(event, actor=actor)
    else:
        record(actor, "event.report.save", event, snapshot={"before": before, "after": after})
    return report, published_now


def unpublish_report(event: Event, *, actor) -> EventReport:
    """"Zurück zum Entwurf": a published closing report (published too early, or to be reworked) becomes a draft
    again, seen only by the organisers until it is published anew (which tells the followers again). Audited with
    the report as it was."""
    report = _locked_report(event)
    if report is None or report.published_at is None:
        raise EventError(_("Der Abschlussbericht ist nicht veröffentlicht."))
    before = event_report_snapshot(report)
    report.published_at = None
    report.updated_at, report.updated_by_id = utcnow(), actor.id
    db.session.flush()
    record(actor, "event.report.unpublish", event, snapshot={"before": before, "after": event_report_snapshot(report)})
    return report


def preview(data: ReportData) -> dict[str, str]:
    """The three texts rendered as they would be shown (nothing is saved)."""
    return {"summary": render_report_text(data.summary), "results": render_report_text(data.results),
            "next_steps": render_report_text(data.next_steps)}
