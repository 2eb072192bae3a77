"""After an event: organisers mark attendance (checklist, "Alle anwesend", walk-ins), write and publish the closing
report (followers notified), copy an event as a template; who may see what, the audit entries, the derived numbers
counted by hand, and bounded query counts."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import permissions
from forum.events import attendance, reports
from forum.events import services as events
from forum.events.models import Event, EventRegistration, EventReport, EventWalkIn
from forum.extensions import db
from forum.ideas.services import link_event
from forum.notifications.following import follow
from forum.notifications.models import Notification
from tests.factories import make_event, make_idea, make_organisation, make_thread, make_user
from tests.helpers import (ATTENDANCE_MATRIX, ROLES, actor, audit, count_queries, event_form, fresh, queries_for,
                           text_of)


def past_event(**overrides) -> Event:
    """An event that took place yesterday (still "open": not yet marked as held)."""
    return make_event(starts_in=-timedelta(days=1), duration=timedelta(hours=5), **overrides)


def registered(event: Event, *people) -> list[EventRegistration]:
    """People registered for the event (written directly: registration is closed once it began)."""
    rows = [EventRegistration(event_id=event.id, user_id=person.id, status="registered",
                              queued_at=event.starts_at - timedelta(days=10)) for person in people]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def event_in(state: str) -> Event:
    if state == "upcoming":
        return make_event()
    if state == "begun":
        return make_event(starts_in=-timedelta(hours=1))
    if state == "over":
        return past_event()
    if state == "done":
        return past_event(status="done")
    if state == "cancelled_past":
        return past_event(status="cancelled")
    event = past_event()
    if state != "no_report":
        reports.save_report(event, reports.ReportData("Gut.", "", ""), publish=state == "published_report",
                            actor=make_user(role="organiser"))
    return event


# --- permissions (the table, ATTENDANCE_MATRIX, is in tests/helpers.py) ---------------------------------------

@pytest.mark.parametrize("rule, state", sorted(ATTENDANCE_MATRIX, key=str))
@pytest.mark.parametrize("role", ROLES)
def test_attendance_and_report_permission_matrix(app, rule, state, role):
    allowed = getattr(permissions, rule)(actor(role), event_in(state))
    assert allowed is (role in ATTENDANCE_MATRIX[(rule, state)])


def test_attendance_page_is_for_organisers_and_moderators_only(client_as, organiser, moderator, member):
    event = past_event()
    registered(event, member)
    path = f"/events/{event.id}/attendance"
    assert client_as(member).get(path).status_code == 403
    assert client_as(make_user(role="member")).get(path).status_code == 403  # someone of another Jobcenter
    assert member.display_name in text_of(client_as(moderator).get(path))
    assert client_as(moderator).post(path, data={"all": "1"}).status_code == 403  # moderators read, not mark
    page = client_as(organiser).get(path).get_data(as_text=True)
    assert f'name="present" value="{event_registration_id(event, member)}"' in page and "Alle anwesend" in page
    assert client_as(organiser).get(f"/events/{make_event().id}/attendance").status_code == 403  # not begun


def event_registration_id(event: Event, person) -> int:
    return db.session.scalar(select(EventRegistration.id).where(EventRegistration.event_id == event.id,
                                                                EventRegistration.user_id == person.id))


# --- marking attendance -----------------------------------------------------------------------------------------

def test_organiser_ticks_who_attended_and_only_they_see_it(client_as, organiser, member):
    event = past_event()
    other = make_user(organisation=member.organisation)
    absent = make_user()
    first, second, third = registered(event, member, other, absent)
    client = client_as(organiser)
    response = client.post(f"/events/{event.id}/attendance", data={"present": [str(first.id), str(second.id)]})
    assert response.status_code == 302
    assert fresh(EventRegistration, first.id).attended_at is not None
    assert fresh(EventRegistration, third.id).attended_at is None
    entry = audit("event.attendance")[-1]
    assert entry.snapshot == {"title": event.title, "present": 2, "marked_present": 2, "marked_absent": 0}
    assert member.display_name not in str(entry.snapshot)

    assert "Sie waren dabei." in text_of(client_as(member).get(f"/events/{event.id}"))
    page = text_of(client_as(absent).get(f"/events/{event.id}"))
    assert "Sie waren dabei." not in page and member.display_name not in page

    client.post(f"/events/{event.id}/attendance", data={"present": [str(second.id)]})  # a tick taken back
    assert fresh(EventRegistration, first.id).attended_at is None
    assert audit("event.attendance")[-1].snapshot["marked_absent"] == 1


def test_all_present_marks_every_registered_person_but_not_the_waiting_list(client_as, organiser):
    event = past_event()
    rows = registered(event, make_user(), make_user())
    waiting = EventRegistration(event_id=event.id, user_id=make_user().id, status="waiting")
    db.session.add(waiting)
    db.session.flush()
    client_as(organiser).post(f"/events/{event.id}/attendance", data={"all": "1"})
    assert all(fresh(EventRegistration, row.id).attended_at for row in rows)
    assert fresh(EventRegistration, waiting.id).attended_at is None
    assert attendance.attendance_counts([event.id]) == {event.id: (2, 2)}
    response = client_as(organiser).post(f"/events/{event.id}/attendance", data={"all": "1"}, follow_redirects=True)
    assert "Die Anwesenheit war schon so gespeichert." in text_of(response)
    assert len(audit("event.attendance")) == 1  # nothing changed the second time: nothing audited


def test_a_registration_of_another_event_cannot_be_ticked(client_as, organiser):
    event, other = past_event(), past_event()
    mine, = registered(event, make_user())
    theirs, = registered(other, make_user())
    response = client_as(organiser).post(f"/events/{event.id}/attendance",
                                         data={"present": [str(mine.id), str(theirs.id)]})
    assert response.status_code == 200
    assert "Bitte wählen Sie nur Personen aus der Liste der Angemeldeten." in text_of(response)
    assert fresh(EventRegistration, theirs.id).attended_at is None
    assert fresh(EventRegistration, mine.id).attended_at is None


def test_attendance_is_refused_for_cancelled_or_upcoming_events(app, organiser):
    for event in (past_event(status="cancelled"), make_event()):
        with pytest.raises(events.EventError):
            attendance.mark_all_present(event, actor=organiser)


# --- walk-ins --------------------------------------------------------------------------------------------------

def test_walk_ins_from_the_directory_or_typed_are_added_and_removed(client_as, organiser):
    event = past_event()
    jobcenter = make_organisation(name="Jobcenter Bochum")
    client = client_as(organiser)
    path = f"/events/{event.id}/walk-ins"
    assert client.post(path, data={"name": " Erika  Muster ", "organisation": str(jobcenter.id)}).status_code == 302
    client.post(path, data={"name": "Max Beispiel", "organisation": "", "organisation_name": "Caritas Bochum"})
    page = text_of(client.get(f"/events/{event.id}/attendance"))
    assert "Erika Muster (Jobcenter Bochum)" in page and "Max Beispiel (Caritas Bochum)" in page
    assert attendance.attendance_counts([event.id]) == {event.id: (2, 1)}  # free text: a person, no Jobcenter
    added = audit("event.walk_in.add")
    assert [entry.snapshot["organisation"] for entry in added] == ["Jobcenter Bochum", "Caritas Bochum"]
    assert "Erika" not in str(added[0].snapshot)

    walk_in = db.session.scalar(select(EventWalkIn).where(EventWalkIn.name == "Max Beispiel"))
    client.post(f"/events/{event.id}/walk-ins/{walk_in.id}/delete")
    assert fresh(EventWalkIn, walk_in.id) is None and audit("event.walk_in.remove")[0].target_id == event.id
    assert client.post(f"/events/{past_event().id}/walk-ins/{walk_in.id}/delete").status_code == 404


def test_a_walk_in_needs_a_name_and_an_organisation_and_keeps_the_input(client_as, organiser):
    event = past_event()
    response = client_as(organiser).post(f"/events/{event.id}/walk-ins",
                                         data={"name": "Erika Muster", "organisation": "", "organisation_name": ""})
    page = text_of(response)
    assert response.status_code == 200 and "Bitte wählen Sie eine Organisation aus dem Verzeichnis" in page
    assert 'value="Erika Muster"' in response.get_data(as_text=True)
    response = client_as(organiser).post(f"/events/{event.id}/walk-ins", data={"name": "X", "organisation": "999999"})
    assert "Bitte wählen Sie eine Organisation aus der Liste." in text_of(response)
    assert db.session.scalar(select(EventWalkIn.id)) is None


def test_attendance_counts_are_hand_counted_over_several_events_in_one_query(app, organiser):
    dortmund, essen = make_organisation(), make_organisation()
    partner = make_organisation(kind="partner")
    first, second, empty = past_event(), past_event(), past_event()
    # first: two from Dortmund and one from Essen attended, one from Essen was absent; a partner walked in
    a, b, c, d = registered(first, make_user(organisation=dortmund), make_user(organisation=dortmund),
                            make_user(organisation=essen), make_user(organisation=essen))
    attendance.mark_attendance(first, {a.id, b.id, c.id}, actor=organiser)
    attendance.add_walk_in(first, "Partnerin", organisation=partner, actor=organiser)
    # second: nobody registered attended; a Dortmund walk-in and a typed organisation
    registered(second, make_user(organisation=essen))
    attendance.add_walk_in(second, "Gast", organisation=dortmund, actor=organiser)
    attendance.add_walk_in(second, "Gast 2", organisation=None, organisation_name="Stadt Hagen", actor=organiser)
    ids = [first.id, second.id, empty.id]
    with count_queries() as statements:
        counts = attendance.attendance_counts(ids)
    assert counts == {first.id: (4, 2), second.id: (2, 1), empty.id: (0, 0)}
    assert len(statements) == 1


# --- the closing report --------------------------------------------------------------------------------------

def report_form(**overrides) -> dict:
    data = {"summary": "Ein **guter** Austausch.", "results": "- Kooperation mit der Krankenkasse",
            "next_steps": "Treffen im Herbst.", "attendees_override": "", "jobcenters_override": ""}
    data.update(overrides)
    return data


def test_a_draft_is_for_organisers_then_published_to_members_and_followers_are_told(client_as, organiser, member):
    event = past_event()
    follower, quiet_member = make_user(), make_user()
    follow(follower, event)
    registered(event, member)
    client = client_as(organiser)
    assert client.post(f"/events/{event.id}/report", data=report_form()).status_code == 302
    report = db.session.scalar(select(EventReport).where(EventReport.event_id == event.id))
    assert report.published_at is None and report.summary_html == "<p>Ein <strong>guter</strong> Austausch.</p>"
    assert "Abschlussbericht" not in text_of(client_as(quiet_member).get(f"/events/{event.id}"))
    assert "Entwurf, nur für die Servicestelle sichtbar" in text_of(client.get(f"/events/{event.id}"))
    assert db.session.scalar(select(Notification.id).where(Notification.kind == "event_report")) is None

    client.post(f"/events/{event.id}/report", data=report_form(results="- Fallkonferenzen"), follow_redirects=True)
    client.post(f"/events/{event.id}/report", data=report_form(publish="1"))
    notified = db.session.scalars(select(Notification.user_id).where(Notification.kind == "event_report")).all()
    assert notified == [follower.id]
    page = text_of(client_as(quiet_member).get(f"/events/{event.id}"))
    assert "Abschlussbericht" in page and "Ein guter Austausch." in page and "Treffen im Herbst." in page
    assert [entry.action for entry in audit(target=event) if entry.action.startswith("event.report")] == [
        "event.report.save", "event.report.save", "event.report.publish"]
    assert audit("event.report.save")[1].snapshot["before"]["results"] == "- Kooperation mit der Krankenkasse"

    client.post(f"/events/{event.id}/report", data=report_form(summary="Korrigiert.", publish="1"))
    assert fresh(EventReport, report.id).published_at is not None
    assert len(db.session.scalars(select(Notification.id).where(Notification.kind == "event_report")).all()) == 1
    assert audit()[-1].action == "event.report.save"  # a change after publishing notifies nobody again


def test_a_report_published_too_early_goes_back_to_draft_until_it_is_published_again(client_as, organiser, member):
    event = past_event()
    follower = make_user()
    follow(follower, event)
    client = client_as(organiser)
    client.post(f"/events/{event.id}/report", data=report_form(publish="1"))
    form = client.get(f"/events/{event.id}/report").get_data(as_text=True)
    assert f'action="/events/{event.id}/report/draft"' in form and "Zurück zum Entwurf" in form
    # a member may not, and the form needs its token
    assert client_as(member).post(f"/events/{event.id}/report/draft").status_code == 403
    page = client.post(f"/events/{event.id}/report/draft", follow_redirects=True)
    assert "Der Abschlussbericht ist wieder ein Entwurf." in text_of(page)
    assert "Zurück zum Entwurf" not in page.get_data(as_text=True)
    assert "Ein guter Austausch." not in text_of(client_as(member).get(f"/events/{event.id}"))
    entry = audit("event.report.unpublish")[0]
    assert entry.snapshot["before"]["published"] is True and entry.snapshot["after"]["published"] is False
    # twice (a second tab): a message, nothing changes
    again = client.post(f"/events/{event.id}/report/draft", follow_redirects=True)
    assert "Der Abschlussbericht ist nicht veröffentlicht." in text_of(again)
    assert len(audit("event.report.unpublish")) == 1

    client.post(f"/events/{event.id}/report", data=report_form(summary="Überarbeitet.", publish="1"))
    assert "Überarbeitet." in text_of(client_as(member).get(f"/events/{event.id}"))
    notified = db.session.scalars(select(Notification.user_id).where(Notification.kind == "event_report")).all()
    assert notified == [follower.id, follower.id]  # published anew: told again


def test_the_published_report_shows_figures_ideas_and_follow_ups(client_as, organiser, member):
    event = past_event()
    rows = registered(event, make_user(), make_user())
    attendance.mark_all_present(event, actor=organiser)
    attendance.add_walk_in(event, "Gast", organisation=None, organisation_name="Verein", actor=organiser)
    idea = make_idea(title="Gesundheitslotsen im Jobcenter")
    link_event(idea, event, actor=organiser)
    make_thread(title="Nach dem Werkstattgespräch", follow_up_of=event)
    reports.save_report(event, reports.ReportData("Zusammen.", "", ""), publish=True, actor=organiser)
    page = text_of(client_as(member).get(f"/events/{event.id}"))
    assert f"Teilnehmende {len(rows) + 1} Teilnehmende Jobcenter 2" in page
    assert "Vorgestellte Ideen Gesundheitslotsen im Jobcenter" in page
    assert "Folgediskussionen Nach dem Werkstattgespräch" in page

    client_as(organiser).post(f"/events/{event.id}/report", data=report_form(attendees_override="40",
                                                                             jobcenters_override="12"))
    page = text_of(client_as(member).get(f"/events/{event.id}"))
    assert "Teilnehmende 40 Teilnehmende Jobcenter 12" in page


def test_report_form_refuses_bad_numbers_and_keeps_the_text(client_as, organiser):
    event = past_event()
    client = client_as(organiser)
    response = client.post(f"/events/{event.id}/report", data=report_form(attendees_override="5",
                                                                          jobcenters_override="9"))
    assert "Es können nicht mehr Jobcenter als Personen teilgenommen haben." in text_of(response)
    assert "Ein **guter** Austausch." in response.get_data(as_text=True)
    response = client.post(f"/events/{event.id}/report", data=report_form(attendees_override="-3"))
    assert "Die Zahl darf nicht negativ sein." in text_of(response)
    response = client.post(f"/events/{event.id}/report", data=report_form(preview="1"))
    assert "<strong>guter</strong>" in response.get_data(as_text=True)
    assert db.session.scalar(select(EventReport.id)) is None  # neither error nor preview saved anything


def test_no_report_before_the_end_or_for_a_cancelled_event(client_as, organiser):
    for event in (make_event(), make_event(starts_in=-timedelta(hours=1)), past_event(status="cancelled")):
        assert client_as(organiser).get(f"/events/{event.id}/report").status_code == 403
    running = make_event(starts_in=-timedelta(hours=1))
    with pytest.raises(events.EventError):
        reports.save_report(running, reports.ReportData("", "", ""), publish=False, actor=organiser)


def test_members_cannot_write_a_report(client_as, member):
    event = past_event()
    assert client_as(member).post(f"/events/{event.id}/report", data=report_form(publish="1")).status_code == 403
    assert db.session.scalar(select(EventReport.id)) is None


# --- copy an event ------------------------------------------------------------------------------------------

def test_organiser_copies_an_event_as_template_with_empty_dates(client_as, organiser, member):
    source = past_event(title="Werkstattgespräch Sucht", capacity=18, land="NW", location="Jobcenter Essen",
                        online_url="https://meet.example.de/raum", description="Für **alle**.", agenda="- Start")
    source.reminder_days = 5
    client = client_as(organiser)
    form = client.get(f"/events/{source.id}/copy").get_data(as_text=True)
    assert 'value="Werkstattgespräch Sucht (Kopie)"' in form and 'value="Jobcenter Essen"' in form
    assert 'value="18"' in form and "Für **alle**." in form
    for name in ("start_date", "start_time", "end_time", "deadline_date"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', form).group(0)
        assert not re.search(r'value="[^"]', field), field  # the dates are for the organiser to fill in
    assert '<option selected value="planned">' in form
    assert re.search(r'<input[^>]*name="reminder_days"[^>]*value="5"', form)  # the template's reminder days
    data = event_form(title="Werkstattgespräch Sucht (Kopie)", location="Jobcenter Essen", capacity="18",
                      online_url="https://meet.example.de/raum", status="planned", reminder_days="5")
    response = client.post(f"/events/{source.id}/copy", data=data)
    copy = db.session.scalar(select(Event).where(Event.title == "Werkstattgespräch Sucht (Kopie)"))
    assert response.headers["Location"] == f"/events/{copy.id}"
    assert (copy.capacity, copy.status, copy.reminder_days, copy.main_thread is not None) == (18, "planned", 5, True)
    entry = audit("event.create")[-1]
    assert entry.target_id == copy.id and entry.snapshot["copied_from"] == {"id": source.id, "title": source.title}
    assert client_as(member).get(f"/events/{source.id}/copy").status_code == 403
    assert client_as(member).post(f"/events/{source.id}/copy", data=data).status_code == 403


def test_copy_with_missing_dates_says_so_and_keeps_the_values(client_as, organiser):
    source = past_event(title="Regionalkonferenz West")
    response = client_as(organiser).post(f"/events/{source.id}/copy", data=event_form(
        title="Regionalkonferenz West (Kopie)", start_date="", start_time=""))
    assert response.status_code == 200
    assert "Bitte geben Sie das Datum des Beginns an." in text_of(response)
    assert 'value="Regionalkonferenz West (Kopie)"' in response.get_data(as_text=True)


# --- query counts ------------------------------------------------------------------------------------------

def test_attendance_page_and_event_page_queries_do_not_grow_with_attendees(client_as, organiser, member):
    event = past_event()
    reports.save_report(event, reports.ReportData("Kurz.", "", ""), publish=True, actor=organiser)
    registered(event, member)

    def grow(count: int):
        rows = registered(event, *(make_user() for _ in range(count)))
        attendance.mark_attendance(event, {row.id for row in rows}, actor=organiser)
        for number in range(count):
            attendance.add_walk_in(event, f"Gast {number}", organisation=make_organisation(), actor=organiser)
        link_event(make_idea(), event, actor=organiser)
        make_thread(follow_up_of=event)

    pages = (f"/events/{event.id}/attendance", f"/events/{event.id}/report")
    grow(1)
    few = [len(queries_for(client_as(organiser), path)) for path in pages]
    few.append(len(queries_for(client_as(member), f"/events/{event.id}")))
    grow(12)
    many = [len(queries_for(client_as(organiser), path)) for path in pages]
    many.append(len(queries_for(client_as(member), f"/events/{event.id}")))
    assert many == few, (few, many)
