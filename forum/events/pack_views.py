"""The documentation pack: the print view and PDF of a held event, and of all held events of a period (for the
report to the ministry). The PDF is a POST: a pack with attendees' names is audited when it is downloaded."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.clock import to_berlin, utcnow
from forum.dates import format_date
from forum.events import attachments, bp, documentation
from forum.events.models import Event
from forum.events.pack_forms import PeriodForm, PeriodPdfForm
from forum.extensions import db
from forum.forms import ConfirmForm
from forum.organisations.models import LAENDER
from forum.permissions import can_make_period_pack, can_view_documentation_pack, require


def _context(packs, title: str, *, period: dict | None = None) -> dict:
    return {"packs": packs, "title": title, "period": period, "laender": LAENDER,
            "format_size": attachments.format_size, "today": to_berlin(utcnow()).date()}


def _pdf(html: str, filename: str) -> Response:
    # WeasyPrint (with Pango's bindings) takes ~30 MB in every worker: loaded with the first PDF, not at start
    from forum.events.pdf import render_pdf

    response = Response(render_pdf(html, static_folder=current_app.static_folder), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _event_pack(event_id: int):
    event = db.get_or_404(Event, event_id)
    require(can_view_documentation_pack(current_user, event))
    pack = documentation.documentation_packs([event], current_user)[0]
    return event, pack, _("Dokumentation: %(title)s", title=event.title)


@bp.route("/<int:event_id>/documentation-pack")
def documentation_pack(event_id: int):
    """The print view of a held event's documentation (title, agenda, report, organisations, ideas, pinned
    posts, files); the attendance list with names only for organisers and moderators."""
    event, pack, title = _event_pack(event_id)
    return render_template("events/pack.html", event=event, form=ConfirmForm(), external=False,
                           **_context([pack], title))


@bp.route("/<int:event_id>/documentation-pack.pdf", methods=["POST"])
def documentation_pack_pdf(event_id: int):
    """The same documentation as an accessible PDF; a download with names is written to the audit log."""
    event, pack, title = _event_pack(event_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("events.documentation_pack", event_id=event.id))
    html = render_template("events/pack_document.html", external=True, **_context([pack], title))
    if pack.has_names:
        documentation.record_pack_download(event, pack, actor=current_user)
        db.session.commit()
    return _pdf(html, f"dokumentation-veranstaltung-{event.id}.pdf")


def _quarters(today: date, count: int = 4) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of this quarter and the ones before, newest first."""
    year, quarter = today.year, (today.month - 1) // 3
    found = []
    for _step in range(count):
        first = date(year, quarter * 3 + 1, 1)
        last = (date(year + 1, 1, 1) if quarter == 3 else date(year, quarter * 3 + 4, 1)) - timedelta(days=1)
        found.append((_("%(number)s. Quartal %(year)s", number=quarter + 1, year=year), first, last))
        year, quarter = (year - 1, 3) if quarter == 0 else (year, quarter - 1)
    return found


def _period_title(first: date, last: date) -> str:
    return _("Dokumentation der Veranstaltungen %(first)s–%(last)s", first=format_date(first),
             last=format_date(last))


@bp.route("/documentation-pack")
def period_pack():
    """Choose a period (or a quarter) and see every held event of it in one print view with a table of contents;
    no names of attendees (it goes to the ministry)."""
    require(can_make_period_pack(current_user))
    form = PeriodForm()
    asked = any(field.raw_data for field in (form.first, form.last))
    packs, title, period = None, _("Dokumentation eines Zeitraums"), None
    if asked and form.validate():
        first, last = form.first.data, form.last.data
        events = documentation.held_events_between(first, last, current_user)
        packs = documentation.documentation_packs(events, current_user, with_names=False)
        title, period = _period_title(first, last), {"first": first, "last": last}
    return render_template("events/period_pack.html", form=form, asked=asked,
                           pdf_form=PeriodPdfForm(first=period and period["first"].isoformat(),
                                                  last=period and period["last"].isoformat()),
                           quarters=_quarters(to_berlin(utcnow()).date()), external=False,
                           **_context(packs, title, period=period))


@bp.route("/documentation-pack.pdf", methods=["POST"])
def period_pack_pdf():
    """The documentation of the chosen period as one accessible PDF with a table of contents."""
    require(can_make_period_pack(current_user))
    form = PeriodPdfForm()
    chosen = form.period() if form.validate_on_submit() else None
    if chosen is None:
        flash(_("Bitte wählen Sie den Zeitraum noch einmal."), "warning")
        return redirect(url_for("events.period_pack"))
    first, last = chosen
    events = documentation.held_events_between(first, last, current_user)
    packs = documentation.documentation_packs(events, current_user, with_names=False)
    html = render_template("events/pack_document.html", external=True,
                           **_context(packs, _period_title(first, last), period={"first": first, "last": last}))
    return _pdf(html, f"dokumentation-{first.isoformat()}-bis-{last.isoformat()}.pdf")
