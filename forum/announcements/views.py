"""Pages of announcements: the moderators' list, writing a draft (with a preview that needs no JavaScript), the
test mail, the confirmation with the number of recipients, reading one, and the one-click unsubscribe."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from forum import markup
from forum.announcements import bp, services
from forum.announcements.forms import AnnouncementForm
from forum.announcements.models import Announcement
from forum.extensions import csrf, db
from forum.forms import ConfirmForm, attempt
from forum.permissions import (can_edit_announcement, can_manage_announcements, can_send_announcement,
                               can_view_announcement, require)
from forum.queries import paginate

PER_PAGE = 25


@bp.route("/")
def index():
    """Every announcement, newest first, with its status, segment and numbers."""
    require(can_manage_announcements(current_user))
    page = paginate(services.announcements_query(), per_page=PER_PAGE)
    return render_template("announcements/index.html", page=page)


def _form_page(form: AnnouncementForm, announcement: Announcement | None):
    """The form with what was typed; with "Vorschau" also the text as it will look and the number reached."""
    preview = count = None
    if "preview" in request.form and not form.errors:
        data = form.announcement_data()
        preview = markup.render(data.body)
        count = services.count_recipients(data.segment, data.segment_value, data.segment_target_id)
    return render_template("announcements/form.html", form=form, announcement=announcement, preview=preview,
                           count=count)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Write a draft; "Vorschau" shows it without saving."""
    require(can_manage_announcements(current_user))
    form = AnnouncementForm()
    if form.validate_on_submit() and "preview" not in request.form:
        announcement = services.create_announcement(form.announcement_data(), actor=current_user)
        db.session.commit()
        flash(_("Der Entwurf ist gespeichert."), "success")
        return redirect(url_for("announcements.show", announcement_id=announcement.id))
    return _form_page(form, None)


@bp.route("/<int:announcement_id>/edit", methods=["GET", "POST"])
def edit(announcement_id: int):
    """Change a draft (only while it is one)."""
    announcement = db.get_or_404(Announcement, announcement_id)
    require(can_edit_announcement(current_user, announcement))
    if request.method == "POST":
        form = AnnouncementForm()
    else:
        form = AnnouncementForm(obj=announcement, data={"body": announcement.body_source})
        form.fill_from(announcement)
    if form.validate_on_submit() and "preview" not in request.form:
        done, _result = attempt(form.subject, lambda: services.update_announcement(
            announcement, form.announcement_data(), actor=current_user))
        if done:
            db.session.commit()
            flash(_("Der Entwurf ist gespeichert."), "success")
            return redirect(url_for("announcements.show", announcement_id=announcement.id))
    return _form_page(form, announcement)


@bp.route("/<int:announcement_id>")
def show(announcement_id: int):
    """The announcement as its recipients read it; for moderators also its status, segment and actions."""
    announcement = db.get_or_404(Announcement, announcement_id)
    require(can_view_announcement(current_user, announcement,
                                  received=services.has_received(current_user, announcement)))
    manage = can_manage_announcements(current_user)
    count = services.recipients_of(announcement) if manage and announcement.status == "draft" else None
    return render_template("announcements/show.html", announcement=announcement, count=count, manage=manage,
                           form=ConfirmForm())


@bp.route("/<int:announcement_id>/test-mail", methods=["POST"])
def test_mail(announcement_id: int):
    """"Testmail an mich": the mail only to the moderator's own address."""
    announcement = db.get_or_404(Announcement, announcement_id)
    require(can_edit_announcement(current_user, announcement))
    if ConfirmForm().validate_on_submit():
        services.send_test_mail(announcement, actor=current_user)
        db.session.commit()
        flash(_("Die Testmail an %(email)s ist im Postausgang.", email=current_user.email), "success")
    return redirect(url_for("announcements.show", announcement_id=announcement.id))


@bp.route("/<int:announcement_id>/send", methods=["GET", "POST"])
def send(announcement_id: int):
    """The confirmation with the number of recipients; its button queues the announcement for the command."""
    announcement = db.get_or_404(Announcement, announcement_id)
    require(can_send_announcement(current_user, announcement))
    form = ConfirmForm()
    if form.validate_on_submit():
        done, count = attempt(None, lambda: services.queue_announcement(announcement, actor=current_user))
        if done:
            db.session.commit()
            flash(ngettext("Die Mitteilung wird an %(num)s Person versendet.",
                           "Die Mitteilung wird an %(num)s Personen versendet.", count), "success")
            return redirect(url_for("announcements.index"))
        return redirect(url_for("announcements.show", announcement_id=announcement.id))
    return render_template("announcements/send.html", announcement=announcement, form=form,
                           count=services.recipients_of(announcement))


# --- unsubscribe (public: the signed token is the credential) -------------------------------------------------

@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" without a form; the token decides
def unsubscribe(token: str):
    """Switch announcement e-mails off without logging in: GET asks (one button), POST does it — also the
    one-click POST of a mail program. Notification e-mails stay as they are."""
    user = services.user_from_unsubscribe_token(token)
    if user is None:
        return render_template("announcements/unsubscribe_failed.html"), 400
    if request.method == "POST":
        services.unsubscribe(user)
        db.session.commit()
        if request.form.get("List-Unsubscribe") == "One-Click":
            return "", 204
        flash(_("Sie erhalten keine Mitteilungen der Servicestelle mehr per E-Mail."), "success")
        return redirect(url_for("announcements.unsubscribe", token=token))
    return render_template("announcements/unsubscribe.html", user=user, form=ConfirmForm(), token=token)
