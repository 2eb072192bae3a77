"""Pages of the notifications package: the list with the header bell, following, and unsubscribing by e-mail link."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.forms import ConfirmForm
from forum.extensions import db
from forum.moderation.models import OUTCOMES, REASONS
from forum.notifications import bp, inbox, mailing
from forum.notifications import following as following_services  # its names are this module's view names
from forum.notifications.following import load_target, target_url
from forum.permissions import can_follow, can_view_notifications, require
from forum.queries import page_number
from forum.security import is_safe_next

BELL_LIMIT = 100  # the bell counts up to here and then shows "99+"


@bp.app_context_processor
def bell():
    """`unread_notification_count()` for the header; a function, so mails and pages without the header
    never run the query."""

    def unread_notification_count() -> int:
        if not can_view_notifications(current_user):
            return 0
        return inbox.unread_count(current_user, limit=BELL_LIMIT)

    return {"unread_notification_count": unread_notification_count, "bell_limit": BELL_LIMIT}


@bp.app_template_global()
def is_following(user, target) -> bool:
    """For the follow button: whether the user follows the thread, idea or event."""
    return following_services.is_following(user, target)


@bp.route("/")
def index():
    """The user's notifications, newest first, unread ones marked, each with a button to mark it read."""
    require(can_view_notifications(current_user))
    page = inbox.notifications_page(current_user, page=page_number())
    return render_template("notifications/index.html", page=page, unread=inbox.unread_count(current_user),
                           form=ConfirmForm(), reasons=REASONS, outcomes=OUTCOMES)


@bp.route("/<int:notification_id>/read", methods=["POST"])
def read(notification_id: int):
    """Mark one notification as read and come back to the same place in the list."""
    require(can_view_notifications(current_user))
    if ConfirmForm().validate_on_submit() and inbox.mark_read(current_user, notification_id):
        db.session.commit()
    return redirect(url_for("notifications.index", page=page_number()) + f"#benachrichtigung-{notification_id}")


@bp.route("/read-all", methods=["POST"])
def read_all():
    """Mark every notification as read."""
    require(can_view_notifications(current_user))
    if ConfirmForm().validate_on_submit():
        count = inbox.mark_all_read(current_user)
        db.session.commit()
        if count:
            flash(_("Alle Benachrichtigungen sind als gelesen markiert."), "success")
    return redirect(url_for("notifications.index"))


# --- following ------------------------------------------------------------------------------------------------

@bp.route("/following")
def following():
    """Everything the user follows, newest first, each with a button to stop following."""
    require(can_view_notifications(current_user))
    page = following_services.following_page(current_user, page=page_number())
    return render_template("notifications/following.html", page=page, target_url=target_url)


def _set_following(target_type: str, target_id: int, *, on: bool):
    """Follow (on) or stop following the target, then back to the page the button was on (else the target's)."""
    target = load_target(target_type, target_id)
    if target is None:
        abort(404)
    require(can_follow(current_user, target))
    if ConfirmForm().validate_on_submit():
        (following_services.follow if on else following_services.unfollow)(current_user, target)
        db.session.commit()
        flash(_("Sie folgen jetzt „%(title)s“ und werden über Neues benachrichtigt.", title=target.title) if on
              else _("Sie folgen „%(title)s“ nicht mehr.", title=target.title), "success")
    next_path = request.form.get("next", "")
    return redirect(next_path if is_safe_next(next_path) else target_url(target))


@bp.route("/follow/<target_type>/<int:target_id>", methods=["POST"])
def follow(target_type: str, target_id: int):
    """Follow a thread, an idea or an event."""
    return _set_following(target_type, target_id, on=True)


@bp.route("/unfollow/<target_type>/<int:target_id>", methods=["POST"])
def unfollow(target_type: str, target_id: int):
    """Stop following a thread, an idea or an event."""
    return _set_following(target_type, target_id, on=False)


# --- unsubscribe (public: the signed token in the link is the credential) ------------------------------------

@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Switch notification e-mails off from the link in a mail, without logging in: GET asks, POST does it."""
    user = mailing.user_from_unsubscribe_token(token)
    if user is None:
        return render_template("notifications/unsubscribe_failed.html"), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        mailing.unsubscribe(user)
        db.session.commit()
        flash(_("Sie erhalten keine Benachrichtigungen mehr per E-Mail."), "success")
        return redirect(url_for("notifications.unsubscribe", token=token))
    return render_template("notifications/unsubscribe.html", user=user, form=form, token=token)
