"""Dashboard, language switch and /healthz."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from forum.accounts import services as account_services
from forum.accounts.forms import LanguageForm
from forum.events import services as event_services
from forum.extensions import db
from forum.forms import ConfirmForm
from forum.ideas.models import Idea
from forum.ideas.services import ideas_query
from forum.main import bp, news
from forum.moderation import reports
from forum.permissions import can_approve_registrations, can_view_dashboard, can_view_reports, require
from forum.security import is_safe_next


DASHBOARD_ITEMS = 5
DASHBOARD_NEWS = 3  # of each kind; the page /neu lists the rest


@bp.route("/")
def dashboard():
    """The logged-in home page: who I am, where I belong, what the programme is, what waits for me."""
    require(can_view_dashboard(current_user))
    pending = account_services.count_pending_registrations() if can_approve_registrations(current_user) else 0
    open_cases = reports.open_case_count() if can_view_reports(current_user) else 0
    new_ideas = db.session.scalars(ideas_query(current_user, sort="newest").where(Idea.status != "submitted")
                                   .limit(DASHBOARD_ITEMS)).all()
    my_registrations = event_services.my_upcoming_registrations(current_user, limit=DASHBOARD_ITEMS)
    upcoming_events = event_services.upcoming_events(limit=3, not_for=current_user)
    event_counts = event_services.registration_counts(  # for each event's state badge, in one query
        [registration.event_id for registration in my_registrations] + [event.id for event in upcoming_events])
    return render_template("main/dashboard.html", pending_registrations=pending, open_cases=open_cases,
                           my_registrations=my_registrations, upcoming_events=upcoming_events,
                           event_counts=event_counts, new_ideas=new_ideas,
                           news=news.whats_new(current_user, limit=DASHBOARD_NEWS))


@bp.route("/neu")
def whats_new():
    """Neu seit Ihrem letzten Besuch: unread posts by thread, ideas and events, and the button to mark all read."""
    require(can_view_dashboard(current_user))
    return render_template("main/news.html", news=news.whats_new(current_user), form=ConfirmForm())


@bp.route("/neu/read-all", methods=["POST"])
def mark_all_read():
    """Alles als gelesen markieren: what is listed now is no longer new (threads, ideas, events)."""
    require(can_view_dashboard(current_user))
    if ConfirmForm().validate_on_submit():
        news.mark_all_read(current_user)
        db.session.commit()
        flash(_("Alles ist als gelesen markiert."), "success")
    return redirect(url_for("main.whats_new"))


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch between German and English; saved in the profile when logged in."""
    form = LanguageForm()
    if form.validate_on_submit() and form.language.data in ("de", "en"):
        session["language"] = form.language.data
        if current_user.is_authenticated:
            account_services.set_language(current_user, form.language.data)
            db.session.commit()
    target = form.next.data
    return redirect(target if is_safe_next(target) else url_for("main.dashboard"))


@bp.route("/healthz")
def healthz():
    """200 with {"status": "ok"} when the database answers, 503 otherwise (for the load balancer)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
