"""Event pages: the lists, an event with registration, the organisers' create/edit/cancel/complete, and the
iCalendar downloads and personal feed. Participants, documentation and follow-ups are in manage_views.py."""
from __future__ import annotations

from datetime import date, time

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from forum.forms import ConfirmForm, attempt
from forum.clock import from_berlin, to_berlin, utcnow
from forum.events import attachments, bp, calendar, reports, services
from forum.events.forms import CancelEventForm, EventFilterForm, EventForm
from forum.events.models import EVENT_KINDS, Event
from forum.extensions import db
from forum.ideas.services import ideas_presented_at
from forum.notifications.outbox import absolute_url
from forum.organisations.models import LAENDER
from forum.permissions import (can_cancel_event, can_cancel_registration, can_complete_event, can_edit_event,
                               can_manage_events, can_register_for_event, can_subscribe_calendar, can_view_event,
                               can_view_event_report, can_view_online_link, require)
from forum.queries import paginate

PER_PAGE = 20


@bp.route("/")
def index():
    """Upcoming (or past) events, filtered by format, Land and year; unknown filter values are ignored."""
    years = _years()
    selected = EventFilterForm(options={"when": {"past": "past"}, "kind": EVENT_KINDS, "land": LAENDER,
                                        "year": years}).chosen()
    past, kind, land, year = (selected.get("when") == "past", selected.get("kind", ""), selected.get("land", ""),
                              selected.get("year", ""))
    now = utcnow()
    query = (select(Event).where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id.desc()) if past
             else select(Event).where(Event.ends_at >= now).order_by(Event.starts_at, Event.id))
    if kind:
        query = query.where(Event.kind == kind)
    if land:
        query = query.where(Event.land == land)
    if year:
        query = query.where(Event.starts_at >= from_berlin(date(int(year), 1, 1), time(0)),
                            Event.starts_at < from_berlin(date(int(year) + 1, 1, 1), time(0)))
    page = paginate(query, per_page=PER_PAGE)
    ids = [event.id for event in page.items]
    return render_template("events/index.html", page=page, past=past, kind=kind, land=land, year=year,
                           kinds=EVENT_KINDS, laender=LAENDER, years=years,
                           counts=services.registration_counts(ids),
                           mine=services.registration_states(current_user, ids))


def _years() -> dict[str, str]:
    """{"2026": "2026", …}: the years (German time) from the first to the last event, newest first."""
    first, last = db.session.execute(select(func.min(Event.starts_at), func.max(Event.starts_at))).one()
    if first is None:
        return {}
    return {str(y): str(y) for y in range(to_berlin(last).year, to_berlin(first).year - 1, -1)}


@bp.route("/<int:event_id>")
def show(event_id: int):
    """One event with all details, my registration, the discussion, follow-ups and documentation."""
    event = db.get_or_404(Event, event_id)
    require(can_view_event(current_user, event))
    registration = services.registration_of(current_user, event)
    counts = services.registration_counts([event.id])[event.id]
    return render_template(
        "events/show.html", event=event, counts=counts, state=event.state(counts["registered"]),
        registration=registration, position=services.waiting_position(registration) if registration else None,
        closed_reason=event.registration_closed_reason(), form=ConfirmForm(), laender=LAENDER,
        format_size=attachments.format_size, presented_ideas=ideas_presented_at(event, current_user),
        attended=registration is not None and registration.attended_at is not None,
        report_figures=reports.report_figures(event) if can_view_event_report(current_user, event) else None)


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Organisers create an event; its main discussion thread is created with it."""
    require(can_manage_events(current_user))
    form = EventForm()
    if form.validate_on_submit():
        done, event = attempt(form.title, lambda: services.create_event(form.event_data(), actor=current_user))
        if done:
            db.session.commit()
            flash(_("Die Veranstaltung „%(title)s“ wurde angelegt.", title=event.title), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    """Organisers change an event; more places move people up from the waiting list."""
    event = db.get_or_404(Event, event_id)
    require(can_edit_event(current_user, event))
    form = EventForm(event=event)
    if request.method == "GET":
        form.fill_from(event)
    if form.validate_on_submit() and attempt(form.title, lambda: services.update_event(
            event, form.event_data(), actor=current_user))[0]:
        db.session.commit()
        flash(_("Die Änderungen wurden gespeichert."), "success")
        return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=event)


@bp.route("/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel(event_id: int):
    """Organisers cancel an event (with an optional reason); registered and waiting people get an e-mail."""
    event = db.get_or_404(Event, event_id)
    require(can_cancel_event(current_user, event))
    form = CancelEventForm()
    if form.validate_on_submit():
        done, notified = attempt(form.reason, lambda: services.cancel_event(event, actor=current_user,
                                                                            reason=form.reason.data or ""))
        if done:
            db.session.commit()
            flash(_("Die Veranstaltung wurde abgesagt. %(count)s Personen wurden per E-Mail informiert.",
                    count=notified), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/cancel.html", form=form, event=event)


@bp.route("/<int:event_id>/complete", methods=["POST"])
def complete(event_id: int):
    """Organisers mark an event as held; then the documentation follows."""
    event = db.get_or_404(Event, event_id)
    require(can_complete_event(current_user, event))
    if ConfirmForm().validate_on_submit():
        done, _result = attempt(None, lambda: services.complete_event(event, actor=current_user))
        if done:  # else cancelled or completed by someone else meanwhile: said as a warning
            db.session.commit()
            flash(_("Die Veranstaltung ist abgeschlossen. Sie können jetzt die Dokumentation ergänzen."), "success")
    return redirect(url_for("events.show", event_id=event.id))


# --- registration -------------------------------------------------------------------------------------------

@bp.route("/<int:event_id>/register", methods=["POST"])
def register(event_id: int):
    """Register, or join the waiting list when the event is full."""
    event = db.get_or_404(Event, event_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("events.show", event_id=event.id))
    if not can_register_for_event(current_user, event):
        flash(event.registration_closed_reason() or _("Sie können sich nicht anmelden."), "warning")
        return redirect(url_for("events.show", event_id=event.id))
    done, status = attempt(None, lambda: services.register(current_user, event))
    if not done:  # closed while the page was open: said as a warning
        return redirect(url_for("events.show", event_id=event.id))
    db.session.commit()
    if status == "registered":
        flash(_("Sie sind angemeldet."), "success")
    else:
        flash(_("Alle Plätze sind vergeben. Sie stehen auf der Warteliste und bekommen eine E-Mail, "
                "sobald ein Platz für Sie frei wird."), "info")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/<int:event_id>/unregister", methods=["GET", "POST"])
def unregister(event_id: int):
    """Withdraw a registration or a waiting-list place after confirming on its own page; a freed place goes to
    the next person waiting."""
    event = db.get_or_404(Event, event_id)
    require(can_cancel_registration(current_user, event))
    form = ConfirmForm()
    if form.validate_on_submit():
        withdrawal = services.cancel_registration(current_user, event)
        db.session.commit()
        if withdrawal is None:
            flash(_("Sie waren für diese Veranstaltung nicht angemeldet."), "info")
        elif withdrawal.previous == "waiting":
            flash(_("Sie stehen nicht mehr auf der Warteliste."), "success")
        elif withdrawal.place_passed_on:
            flash(_("Sie sind abgemeldet. Ihr Platz geht an die nächste Person auf der Warteliste."), "success")
        else:
            flash(_("Sie sind abgemeldet."), "success")
        return redirect(url_for("events.show", event_id=event.id))
    registration = services.registration_of(current_user, event)
    if registration is None:
        flash(_("Sie sind für diese Veranstaltung nicht angemeldet."), "info")
        return redirect(url_for("events.show", event_id=event.id))
    counts = services.registration_counts([event.id])[event.id]
    return render_template("events/unregister.html", event=event, registration=registration, form=form,
                           position=services.waiting_position(registration),
                           passes_on=registration.status == "registered" and counts["waiting"] > 0)


# --- iCalendar ----------------------------------------------------------------------------------------------

def _calendar_response(body: bytes, filename: str, *, download: bool) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@bp.route("/<int:event_id>.ics")
def ics(event_id: int):
    """The event for the calendar program (with a link back to its page)."""
    event = db.get_or_404(Event, event_id)
    require(can_view_event(current_user, event))
    registration = services.registration_of(current_user, event)
    online = can_view_online_link(current_user, event, registered=registration is not None
                                  and registration.status == "registered")
    return _calendar_response(calendar.ics([event], online_links=online), f"veranstaltung-{event.id}.ics",
                              download=True)


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    """The personal calendar feed: public (calendar programs cannot log in), found only by its secret token."""
    user = calendar.user_for_feed_token(token)
    if user is None:
        abort(404)
    body = calendar.ics(calendar.feed_events(user), name=_("ABC-Extranet: Meine Veranstaltungen"))
    return _calendar_response(body, "abc-extranet.ics", download=False)


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_feed():
    """My calendar subscription: create (or renew) the secret feed address, see it, revoke it."""
    require(can_subscribe_calendar(current_user))
    form = ConfirmForm()
    if form.validate_on_submit():
        calendar.create_calendar_feed(current_user)
        db.session.commit()
        flash(_("Ihre neue Kalender-Adresse ist bereit. Eine frühere Adresse funktioniert nicht mehr."), "success")
        return redirect(url_for("events.calendar_feed"))
    feed = calendar.calendar_feed_of(current_user)
    return render_template("events/calendar.html", feed=feed, form=form,
                           feed_url=absolute_url("events.feed", token=feed.token) if feed else None)


@bp.route("/calendar/revoke", methods=["POST"])
def revoke_calendar_feed():
    """Stop the feed: its address answers "not found" from now on."""
    require(can_subscribe_calendar(current_user))
    if ConfirmForm().validate_on_submit() and calendar.revoke_calendar_feed(current_user):
        db.session.commit()
        flash(_("Die Kalender-Adresse wurde gelöscht und funktioniert nicht mehr."), "success")
    return redirect(url_for("events.calendar_feed"))


