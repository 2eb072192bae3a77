"""Organisers' event pages: participant list and CSV export, documentation with attachments (and their download
by members), follow-up threads."""
from __future__ import annotations

import io

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.forms import ConfirmForm, attempt
from forum.discussion.models import Thread
from forum.events import attachments, bp, services
from forum.events.forms import AttachmentForm, DocumentationForm, FollowUpLinkForm, FollowUpStartForm
from forum.events.models import Event, EventAttachment
from forum.extensions import db
from forum.permissions import can_download_attachment, can_edit_event, can_link_follow_up, require


@bp.route("/<int:event_id>/participants")
def participants(event_id: int):
    """Who is registered and who waits (in order), with their organisations."""
    event = db.get_or_404(Event, event_id)
    require(can_edit_event(current_user, event))
    rows = services.participants(event)
    return render_template("events/participants.html", event=event, export_form=ConfirmForm(),
                           registered=[r for r in rows if r.status == "registered"],
                           waiting=[r for r in rows if r.status == "waiting"],
                           cancelled=[r for r in rows if r.status == "cancelled"])


@bp.route("/<int:event_id>/participants.csv", methods=["POST"])
def participants_csv(event_id: int):
    """The participant list for Excel (UTF-8 with BOM, semicolons). Names and addresses are personal data, so
    the export is a POST that is audited."""
    event = db.get_or_404(Event, event_id)
    require(can_edit_event(current_user, event))
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("events.participants", event_id=event.id))
    data = services.export_participants(event, actor=current_user)
    db.session.commit()
    response = current_app.response_class(data, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="teilnehmende-veranstaltung-{event.id}.csv"'
    return response


# --- documentation ------------------------------------------------------------------------------------------

def _documentation_page(event: Event, text_form=None, upload_form=None):
    if text_form is None:
        text_form = DocumentationForm(documentation=event.documentation_source)
    return render_template("events/documentation.html", event=event, text_form=text_form,
                           upload_form=upload_form or AttachmentForm(max_bytes=current_app.config["UPLOAD_MAX_BYTES"]),
                           delete_form=ConfirmForm(), format_size=attachments.format_size)


@bp.route("/<int:event_id>/documentation", methods=["GET", "POST"])
def documentation(event_id: int):
    """Organisers write the documentation text and manage its files."""
    event = db.get_or_404(Event, event_id)
    require(can_edit_event(current_user, event))
    form = DocumentationForm()
    if form.validate_on_submit():
        services.update_documentation(event, form.documentation.data or "", actor=current_user)
        db.session.commit()
        flash(_("Die Dokumentation wurde gespeichert."), "success")
        return redirect(url_for("events.show", event_id=event.id, _anchor="dokumentation"))
    return _documentation_page(event, text_form=form if form.is_submitted() else None)


@bp.route("/<int:event_id>/attachments", methods=["POST"])
def upload_attachment(event_id: int):
    """Add a file; its type is checked by its content, not only by its name."""
    event = db.get_or_404(Event, event_id)
    require(can_edit_event(current_user, event))
    form = AttachmentForm(max_bytes=current_app.config["UPLOAD_MAX_BYTES"])
    if form.validate_on_submit():
        upload = form.file.data
        done, attachment = attempt(form.file, lambda: attachments.add_attachment(
            event, filename=upload.filename or "", stream=upload.stream, actor=current_user))
        if done:
            db.session.commit()
            flash(_("Die Datei „%(name)s“ wurde hinzugefügt.", name=attachment.filename), "success")
            return redirect(url_for("events.documentation", event_id=event.id))
    return _documentation_page(event, upload_form=form)


@bp.route("/<int:event_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
def delete_attachment(event_id: int, attachment_id: int):
    """Delete a file (recorded in the Moderationsprotokoll)."""
    attachment = _attachment(event_id, attachment_id)
    require(can_edit_event(current_user, attachment.event))
    if ConfirmForm().validate_on_submit():
        name = attachment.filename
        attachments.delete_attachment(attachment, actor=current_user)
        db.session.commit()
        flash(_("Die Datei „%(name)s“ wurde gelöscht.", name=name), "success")
    return redirect(url_for("events.documentation", event_id=event_id))


@bp.route("/<int:event_id>/attachments/<int:attachment_id>")
def download(event_id: int, attachment_id: int):
    """A documentation file as a download under its original name, never shown inline by the browser."""
    attachment = _attachment(event_id, attachment_id)
    require(can_download_attachment(current_user, attachment))
    data = attachments.attachment_data(attachment)
    if data is None:
        current_app.logger.error("Attachment %s is missing its file %s", attachment.id, attachment.stored_name)
        return render_template("errors/error.html", code=404, title=_("Datei nicht gefunden"),
                               message=_("Die Datei ist nicht mehr vorhanden.")), 404
    response = send_file(io.BytesIO(data), mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _attachment(event_id: int, attachment_id: int) -> EventAttachment:
    attachment = db.get_or_404(EventAttachment, attachment_id)
    if attachment.event_id != event_id:
        abort(404)
    return attachment


# --- follow-up threads --------------------------------------------------------------------------------------

def _follow_ups_page(event: Event, start_form=None, link_form=None):
    return render_template("events/follow_ups.html", event=event, start_form=start_form or FollowUpStartForm(),
                           link_form=link_form or FollowUpLinkForm(), unlink_form=ConfirmForm())


@bp.route("/<int:event_id>/follow-ups")
def follow_ups(event_id: int):
    """Organisers start follow-up discussions, mark existing ones as follow-ups, or unlink them."""
    event = db.get_or_404(Event, event_id)
    require(can_link_follow_up(current_user, event))
    return _follow_ups_page(event)


@bp.route("/<int:event_id>/follow-ups/new", methods=["POST"])
def start_follow_up(event_id: int):
    """Start a new thread as follow-up of the event."""
    event = db.get_or_404(Event, event_id)
    require(can_link_follow_up(current_user, event))
    form = FollowUpStartForm()
    if not form.validate_on_submit():
        return _follow_ups_page(event, start_form=form)
    thread = services.start_follow_up(event, form.title.data, actor=current_user)
    db.session.commit()
    flash(_("Die Folgediskussion „%(title)s“ wurde angelegt.", title=thread.title), "success")
    return redirect(url_for("events.follow_ups", event_id=event.id))


@bp.route("/<int:event_id>/follow-ups/link", methods=["POST"])
def link_follow_up(event_id: int):
    """Mark an existing standalone thread (by number or address) as follow-up of the event."""
    event = db.get_or_404(Event, event_id)
    require(can_link_follow_up(current_user, event))
    form = FollowUpLinkForm()
    if form.validate_on_submit():
        thread = db.session.get(Thread, form.thread_id)
        done, _thread = attempt(form.thread, lambda: services.link_follow_up(event, thread, actor=current_user))
        if done:
            db.session.commit()
            flash(_("„%(title)s“ ist jetzt eine Folgediskussion der Veranstaltung.", title=thread.title), "success")
            return redirect(url_for("events.follow_ups", event_id=event.id))
    return _follow_ups_page(event, link_form=form)


@bp.route("/<int:event_id>/follow-ups/<int:thread_id>/unlink", methods=["POST"])
def unlink_follow_up(event_id: int, thread_id: int):
    """Remove the follow-up mark; the thread itself stays."""
    event = db.get_or_404(Event, event_id)
    thread = db.get_or_404(Thread, thread_id)
    require(can_link_follow_up(current_user, event))
    if ConfirmForm().validate_on_submit() and services.unlink_follow_up(event, thread, actor=current_user):
        db.session.commit()
        flash(_("„%(title)s“ ist keine Folgediskussion dieser Veranstaltung mehr.", title=thread.title), "success")
    return redirect(url_for("events.follow_ups", event_id=event.id))
