"""After an event: the attendance checklist with walk-ins, the closing report (Abschlussbericht), and copying an
event as the template of the next one."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forum.events import attendance, bp, reports, services
from forum.events.forms import EventForm
from forum.events.models import Event, EventWalkIn
from forum.events.report_forms import AttendanceForm, ReportForm, WalkInForm
from forum.extensions import db
from forum.forms import ConfirmForm, attempt
from forum.ideas.services import ideas_presented_at
from forum.organisations.models import Organisation
from forum.permissions import (can_copy_event, can_mark_attendance, can_view_attendance, can_write_event_report,
                               require, visible_organisations)


# --- attendance -----------------------------------------------------------------------------------------------

def _organisations() -> dict[str, str]:
    """{id: name} of the directory, for choosing a walk-in's organisation (one query)."""
    rows = db.session.execute(visible_organisations(current_user, select(Organisation.id, Organisation.name))
                              .order_by(Organisation.name))
    return {str(organisation_id): name for organisation_id, name in rows}


def _attendance_page(event: Event, form=None, walk_in_form=None, status: int = 200):
    registrations = attendance.attendance_list(event)
    if form is None:
        form = AttendanceForm(registration_ids=[r.id for r in registrations])
        form.present.data = [str(r.id) for r in registrations if r.attended_at is not None]
    chosen = set(form.present.data or [])
    return render_template(
        "events/attendance.html", event=event, registrations=registrations, form=form, chosen=chosen,
        walk_in_form=walk_in_form or WalkInForm(organisations=_organisations()), remove_form=ConfirmForm(),
        walk_ins=attendance.walk_ins(event), counts=attendance.attendance_counts([event.id])[event.id],
        may_mark=can_mark_attendance(current_user, event)), status


@bp.route("/<int:event_id>/attendance", methods=["GET", "POST"])
def attendance_page(event_id: int):
    """Organisers tick who attended (or press "Alle anwesend"); moderators read the list."""
    event = db.get_or_404(Event, event_id)
    if request.method == "GET":
        require(can_view_attendance(current_user, event))
        return _attendance_page(event)
    require(can_mark_attendance(current_user, event))
    form = AttendanceForm(registration_ids=[r.id for r in attendance.attendance_list(event)])
    if form.validate_on_submit():
        everyone = "all" in request.form
        done, changed = attempt(form.present, lambda: attendance.mark_all_present(event, actor=current_user)
                                if everyone else attendance.mark_attendance(event, form.present_ids,
                                                                             actor=current_user))
        if done:
            db.session.commit()
            if changed:
                flash(_("Die Anwesenheit wurde gespeichert."), "success")
            else:
                flash(_("Die Anwesenheit war schon so gespeichert."), "info")
            return redirect(url_for("events.attendance_page", event_id=event.id))
    return _attendance_page(event, form=form)


@bp.route("/<int:event_id>/walk-ins", methods=["POST"])
def add_walk_in(event_id: int):
    """Add someone who came without registering, with their organisation."""
    event = db.get_or_404(Event, event_id)
    require(can_mark_attendance(current_user, event))
    form = WalkInForm(organisations=_organisations())
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id) if form.organisation_id else None
        done, _walk_in = attempt(form.name, lambda: attendance.add_walk_in(
            event, form.name.data, organisation=organisation, organisation_name=form.organisation_name.data or "",
            actor=current_user))
        if done:
            db.session.commit()
            flash(_("„%(name)s“ wurde als teilnehmend ergänzt.", name=" ".join(form.name.data.split())), "success")
            return redirect(url_for("events.attendance_page", event_id=event.id, _anchor="ohne-anmeldung"))
    return _attendance_page(event, walk_in_form=form)


@bp.route("/<int:event_id>/walk-ins/<int:walk_in_id>/delete", methods=["POST"])
def remove_walk_in(event_id: int, walk_in_id: int):
    """Remove a walk-in added by mistake."""
    event = db.get_or_404(Event, event_id)
    walk_in = db.get_or_404(EventWalkIn, walk_in_id)
    if walk_in.event_id != event.id:
        abort(404)
    require(can_mark_attendance(current_user, event))
    if ConfirmForm().validate_on_submit():
        name = walk_in.name
        attendance.remove_walk_in(walk_in, actor=current_user)
        db.session.commit()
        flash(_("„%(name)s“ wurde entfernt.", name=name), "success")
    return redirect(url_for("events.attendance_page", event_id=event.id, _anchor="ohne-anmeldung"))


# --- the closing report -----------------------------------------------------------------------------------

@bp.route("/<int:event_id>/report", methods=["GET", "POST"])
def report(event_id: int):
    """Organisers write the closing report: preview, save as draft, publish (followers are told once)."""
    event = db.get_or_404(Event, event_id)
    require(can_write_event_report(current_user, event))
    form = ReportForm()
    preview = None
    if request.method == "GET" and event.report is not None:
        form.fill_from(event.report)
    elif form.validate_on_submit():
        if "preview" in request.form:
            preview = reports.preview(form.report_data())
        else:
            publish = "publish" in request.form
            done, result = attempt(form.summary, lambda: reports.save_report(
                event, form.report_data(), publish=publish, actor=current_user))
            if done:
                db.session.commit()
                _report, published_now = result
                if published_now:
                    flash(_("Der Abschlussbericht ist veröffentlicht. Wer der Veranstaltung folgt, wird "
                            "benachrichtigt."), "success")
                elif _report.published_at is not None:
                    flash(_("Die Änderungen am Abschlussbericht sind gespeichert."), "success")
                else:
                    flash(_("Der Entwurf ist gespeichert. Mitglieder sehen ihn erst nach dem Veröffentlichen."),
                          "success")
                return redirect(url_for("events.show", event_id=event.id, _anchor="abschlussbericht"))
    return render_template("events/report.html", event=event, form=form, preview=preview,
                           draft_form=ConfirmForm(), figures=reports.report_figures(event),
                           presented_ideas=ideas_presented_at(event, current_user))


@bp.route("/<int:event_id>/report/draft", methods=["POST"])
def report_to_draft(event_id: int):
    """"Zurück zum Entwurf": members no longer see the published closing report until it is published again."""
    event = db.get_or_404(Event, event_id)
    require(can_write_event_report(current_user, event))
    if ConfirmForm().validate_on_submit():
        done, _result = attempt(None, lambda: reports.unpublish_report(event, actor=current_user))
        if done:
            db.session.commit()
            flash(_("Der Abschlussbericht ist wieder ein Entwurf. Mitglieder sehen ihn erst nach dem "
                    "Veröffentlichen."), "success")
    return redirect(url_for("events.report", event_id=event.id))


# --- copy as a template ---------------------------------------------------------------------------------------

@bp.route("/<int:event_id>/copy", methods=["GET", "POST"])
def copy(event_id: int):
    """"Als Vorlage kopieren": the new-event form filled with this event's values (title marked as a copy,
    dates empty, status planned); saving creates a new event."""
    source = db.get_or_404(Event, event_id)
    require(can_copy_event(current_user, source))
    form = EventForm()
    if request.method == "GET":
        form.fill_from(source)
        form.title.data = _("%(title)s (Kopie)", title=source.title)[:200]
        form.status.data = "planned"
        for field in (form.start_date, form.start_time, form.end_date, form.end_time, form.deadline_date,
                      form.deadline_time):
            field.data = None
    elif form.validate_on_submit():
        done, event = attempt(form.title, lambda: services.create_event(form.event_data(), actor=current_user,
                                                                        copied_from=source))
        if done:
            db.session.commit()
            flash(_("Die Veranstaltung „%(title)s“ wurde als Kopie angelegt.", title=event.title), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None, copy_of=source)
