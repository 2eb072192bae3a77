"""Dialogue events: organisers create, edit, cancel and complete them; members find and read them; iCalendar files
and the personal feed; follow-up threads; the permission rules and bounded query counts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from forum import permissions
from forum.clock import utcnow
from forum.discussion.models import Thread
from forum.events.models import CalendarFeed, Event
from forum.extensions import db
from tests.factories import make_event, make_thread, make_user
from tests.helpers import EVENT_MATRIX, EVENT_RULES, ROLES, actor, audit, event_form, queries_for, text_of


def event_titled(title: str) -> Event | None:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.title == title))


# --- organisers create, edit, cancel and complete -----------------------------------------------------------

def test_organiser_creates_an_event_with_its_discussion_thread(client_as, organiser):
    client = client_as(organiser)
    response = client.post("/events/new", data=event_form())
    event = event_titled("Werkstattgespräch Gesundheitsförderung")
    assert response.headers["Location"] == f"/events/{event.id}"
    assert event.description_html == "<p>Wie <strong>Krankenkassen</strong> und Jobcenter zusammenarbeiten.</p>"
    assert "<li>10:30 Impulse</li>" in event.agenda_html
    assert (event.capacity, event.land, event.status, event.kind) == (25, "NW", "open", "workshop")
    assert event.main_thread.title == "Werkstattgespräch Gesundheitsförderung"
    entry = audit("event.create")[0]
    assert entry.actor_id == organiser.id and entry.target_id == event.id

    page = text_of(client.get(f"/events/{event.id}"))
    assert "Mittwoch, 12.06.2030, 10:00–16:00 Uhr" in page
    assert "Jobcenter Dortmund, Raum 3.12" in page and "Nordrhein-Westfalen" in page
    assert "25 von 25 Plätzen frei" in page
    assert "Anmeldung bis Samstag, 01.06.2030, 23:59 Uhr" in page
    assert "Zur Diskussion über diese Veranstaltung" in page


@pytest.mark.parametrize("day, clock, utc", [
    ("2030-07-02", "10:00", datetime(2030, 7, 2, 8, 0, tzinfo=timezone.utc)),    # summer time: UTC+2
    ("2030-01-15", "10:00", datetime(2030, 1, 15, 9, 0, tzinfo=timezone.utc)),   # winter time: UTC+1
    ("15.01.2030", "9.30", datetime(2030, 1, 15, 8, 30, tzinfo=timezone.utc)),   # typed without a date picker
])
def test_times_are_entered_in_berlin_time_and_stored_in_utc(client_as, organiser, day, clock, utc):
    client = client_as(organiser)
    client.post("/events/new", data=event_form(start_date=day, start_time=clock, end_time="17:00",
                                               deadline_date=""))
    event = event_titled("Werkstattgespräch Gesundheitsförderung")
    assert event.starts_at == utc
    assert event.starts_at.utcoffset() == timedelta(0)
    form = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert f'value="{clock.replace(".", ":").zfill(5)}"' in form  # shown again as typed, on German clocks


def test_event_lasting_several_days_and_a_time_skipped_by_summer_time(client_as, organiser):
    client = client_as(organiser)
    client.post("/events/new", data=event_form(start_date="2030-09-10", end_date="2030-09-11", end_time="13:00"))
    event = event_titled("Werkstattgespräch Gesundheitsförderung")
    page = text_of(client.get(f"/events/{event.id}"))
    assert "Dienstag, 10.09.2030, 10:00 Uhr bis Mittwoch, 11.09.2030, 13:00 Uhr" in page
    skipped = text_of(client.post("/events/new", data=event_form(start_date="2030-03-31", start_time="02:30",
                                                                 deadline_date="")))
    assert "Diese Uhrzeit gibt es am 31.03.2030 wegen der Umstellung auf die Sommerzeit nicht." in skipped


@pytest.mark.parametrize("overrides, message", [
    ({"end_time": "09:00"}, "Das Ende muss nach dem Beginn liegen."),
    ({"end_date": "2030-06-11"}, "Das Ende muss nach dem Beginn liegen."),
    ({"capacity": "-5"}, "Die Zahl der Plätze darf nicht negativ sein."),
    ({"capacity": "zwanzig"}, "Bitte geben Sie die Zahl der Plätze als ganze Zahl an."),
    ({"deadline_date": "2030-06-13"}, "Die Anmeldefrist darf nicht nach dem Beginn liegen."),
    ({"deadline_time": "12:00", "deadline_date": ""}, "Bitte geben Sie auch das Datum der Anmeldefrist an."),
    ({"location": "", "online_url": ""}, "Bitte geben Sie einen Veranstaltungsort oder einen Online-Link an."),
    ({"online_url": "javascript:alert(1)"}, "Bitte geben Sie eine vollständige Adresse mit https:// an"),
    ({"start_date": "12.13.2030"}, "Bitte geben Sie ein Datum an, z. B. 16.06.2026."),
    ({"start_date": "0001-01-01"}, "Bitte geben Sie ein Datum zwischen 2000 und 2100 an."),
    ({"start_time": "25:00"}, "Bitte geben Sie eine Uhrzeit an, z. B. 09:30."),
    ({"start_date": ""}, "Bitte geben Sie das Datum des Beginns an."),
    ({"title": "  "}, "Bitte geben Sie einen Titel an."),
    ({"description": "x" * 20_001}, "Höchstens 20.000 Zeichen."),
    ({"kind": "party"}, "Keine gültige Auswahl"),
])
def test_bad_event_input_gets_a_german_message_and_keeps_the_form(client_as, organiser, overrides, message):
    data = event_form(**{"title": "Regionalkonferenz Nord", "location": "Rathaus Kiel", **overrides})
    response = client_as(organiser).post("/events/new", data=data)
    assert response.status_code == 200
    assert "Bitte prüfen Sie Ihre Eingaben." in text_of(response)
    assert message in text_of(response)
    kept = 'value="Rathaus Kiel"' if "title" in overrides else 'value="Regionalkonferenz Nord"'
    assert kept in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_an_online_event_needs_no_place(client_as, organiser):
    client_as(organiser).post("/events/new", data=event_form(kind="online", location="",
                                                             online_url="https://meet.example.de/abc"))
    event = event_titled("Werkstattgespräch Gesundheitsförderung")
    assert event.online_url == "https://meet.example.de/abc" and event.location == ""


def test_organiser_edits_an_event_and_the_change_is_audited(client_as, organiser):
    event = make_event(title="Alter Titel", capacity=10)
    client = client_as(organiser)
    response = client.post(f"/events/{event.id}/edit", data=event_form(title="Neuer Titel", capacity="12"))
    assert response.headers["Location"] == f"/events/{event.id}"
    event = event_titled("Neuer Titel")
    assert event.capacity == 12 and event.main_thread.title == "Neuer Titel"
    entry = audit("event.update")[0]
    assert entry.snapshot["before"]["title"] == "Alter Titel" and entry.snapshot["after"]["capacity"] == 12


def test_edit_form_shows_the_stored_values(client_as, organiser):
    event = make_event(starts_at=datetime(2030, 7, 2, 8, 0, tzinfo=timezone.utc), duration=timedelta(hours=7),
                       capacity=None, description="Ein *Text*")
    html = client_as(organiser).get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2030-07-02"' in html and 'value="10:00"' in html and 'value="17:00"' in html
    assert "Ein *Text*" in html


def test_members_may_not_manage_events(member_client, moderator_client):
    event = make_event()
    thread = make_thread()
    db.session.commit()
    for client in (member_client, moderator_client):
        assert client.get("/events/new").status_code == 403
        assert client.post("/events/new", data=event_form()).status_code == 403
        assert client.get(f"/events/{event.id}/edit").status_code == 403
        assert client.post(f"/events/{event.id}/cancel").status_code == 403
        assert client.post(f"/events/{event.id}/complete").status_code == 403
        assert client.get(f"/events/{event.id}/participants").status_code == 403
        assert client.post(f"/events/{event.id}/participants.csv").status_code == 403
        assert client.get(f"/events/{event.id}/documentation").status_code == 403
        assert client.post(f"/events/{event.id}/attachments").status_code == 403
        assert client.get(f"/events/{event.id}/follow-ups").status_code == 403
        assert client.post(f"/events/{event.id}/follow-ups/link", data={"thread": str(thread.id)}).status_code == 403
    page = text_of(member_client.get(f"/events/{event.id}"))
    assert "Bearbeiten" not in page and "Absagen" not in page


def test_organiser_cancels_an_event_everyone_registered_or_waiting_gets_a_mail(client_as, organiser, outbox):
    event = make_event(capacity=1)
    first, second, gone = make_user(), make_user(language="en"), make_user()
    db.session.commit()
    for person in (first, second, gone):
        client_as(person).post(f"/events/{event.id}/register")
    client_as(gone).post(f"/events/{event.id}/unregister")
    client = client_as(organiser)
    assert "Alle angemeldeten Personen" in text_of(client.get(f"/events/{event.id}/cancel"))
    response = client.post(f"/events/{event.id}/cancel", data={"reason": "Die Referentin ist erkrankt."})
    assert response.headers["Location"] == f"/events/{event.id}"
    assert "2 Personen wurden per E-Mail informiert" in text_of(client.get(response.headers["Location"]))
    assert event_titled(event.title).status == "cancelled"
    german = outbox(first.email)[-1]
    assert german.subject == f"Abgesagt: {event.title}" and "Die Referentin ist erkrankt." in german.body
    assert outbox(second.email)[-1].subject.endswith(event.title)
    assert outbox(gone.email) == []  # withdrew before: not told
    entry = audit("event.cancel")[0]
    assert entry.reason == "Die Referentin ist erkrankt." and entry.snapshot["notified"] == 2
    page = text_of(client_as(first).get(f"/events/{event.id}"))
    assert "Diese Veranstaltung wurde abgesagt." in page
    assert client.post(f"/events/{event.id}/cancel").status_code == 403  # only once


def test_organiser_completes_an_event_that_has_begun(client_as, organiser):
    future = make_event()
    running = make_event(starts_in=timedelta(hours=-2))
    client = client_as(organiser)
    assert client.post(f"/events/{future.id}/complete").status_code == 403
    assert "Als abgeschlossen markieren" not in text_of(client.get(f"/events/{future.id}"))
    assert "Als abgeschlossen markieren" in text_of(client.get(f"/events/{running.id}"))
    response = client.post(f"/events/{running.id}/complete")
    assert response.headers["Location"] == f"/events/{running.id}"
    assert event_titled(running.title).status == "done"
    assert audit("event.complete")[0].target_id == running.id
    assert "Die Veranstaltung ist abgeschlossen." in text_of(client.get(f"/events/{running.id}"))


# --- lists ----------------------------------------------------------------------------------------------------

def test_list_shows_upcoming_events_and_past_ones_separately(member_client):
    make_event(title="Regionalkonferenz Süd", kind="regional_conference", starts_in=timedelta(days=3))
    make_event(title="Fachveranstaltung Berlin", kind="federal_event", starts_in=timedelta(days=-40))
    db.session.commit()
    upcoming = text_of(member_client.get("/events/"))
    assert "Regionalkonferenz Süd" in upcoming and "Fachveranstaltung Berlin" not in upcoming
    assert "20 von 20 Plätzen frei" in upcoming
    past = text_of(member_client.get("/events/?when=past"))
    assert "Fachveranstaltung Berlin" in past and "Regionalkonferenz Süd" not in past


def test_list_filters_by_kind_land_and_year(member_client):
    make_event(title="Werkstatt Dortmund", land="NW", starts_at=datetime(2030, 3, 3, 9, tzinfo=timezone.utc))
    make_event(title="Regionalkonferenz Leipzig", kind="regional_conference", land="SN",
               starts_at=datetime(2031, 3, 3, 9, tzinfo=timezone.utc))
    make_event(title="Online-Sprechstunde", kind="online", land=None, location="", online_url="https://x.example/a",
               starts_at=datetime(2030, 12, 31, 23, 30, tzinfo=timezone.utc))  # 1 January 2031 in Berlin
    db.session.commit()
    saxony = text_of(member_client.get("/events/?land=SN"))
    assert "Regionalkonferenz Leipzig" in saxony and "Werkstatt Dortmund" not in saxony
    online = text_of(member_client.get("/events/?kind=online"))
    assert "Online-Sprechstunde" in online and "Werkstatt Dortmund" not in online
    year = text_of(member_client.get("/events/?year=2031"))
    assert "Regionalkonferenz Leipzig" in year and "Online-Sprechstunde" in year and "Werkstatt Dortmund" not in year
    assert "3 Veranstaltungen gefunden" in text_of(member_client.get("/events/"))


@pytest.mark.parametrize("query", ["kind=party", "land=XX", "year=abc", "year=1850", "page=abc", "page=999",
                                   "when=gestern", "kind=%00&land=%25"])
def test_list_ignores_unknown_filter_values(member_client, query):
    make_event(title="Werkstattgespräch Sucht")
    db.session.commit()
    response = member_client.get(f"/events/?{query}")
    assert response.status_code == 200
    if not query.startswith("page=999"):
        assert "Werkstattgespräch Sucht" in text_of(response)


def test_list_is_paginated_and_keeps_the_filters(member_client):
    for number in range(23):
        make_event(title=f"Werkstatt Nummer {number:02d}", starts_in=timedelta(days=number + 1), land="HE")
    db.session.commit()
    first = member_client.get("/events/?land=HE")
    assert "Seite 1 von 2" in text_of(first) and "Werkstatt Nummer 19" in text_of(first)
    assert "Werkstatt Nummer 20" not in text_of(first)
    assert 'href="/events/?land=HE&amp;page=2"' in first.get_data(as_text=True)
    second = text_of(member_client.get("/events/?land=HE&page=2"))
    assert "Werkstatt Nummer 22" in second and "Werkstatt Nummer 00" not in second


def test_list_marks_my_registrations(client_as, member):
    event = make_event(title="Werkstatt mit mir")
    make_event(title="Werkstatt ohne mich")
    client = client_as(member)
    client.get(client.post(f"/events/{event.id}/register").headers["Location"])
    assert text_of(client.get("/events/")).count("Sie sind angemeldet") == 1


# --- iCalendar ------------------------------------------------------------------------------------------------

def unfold(body: str) -> str:
    return body.replace("\r\n ", "")


def test_event_downloads_as_icalendar_with_a_link_back(member_client):
    event = make_event(title="Werkstattgespräch: Sucht; Schulden, Gesundheit",
                       starts_at=datetime(2030, 6, 12, 8, 0, tzinfo=timezone.utc), duration=timedelta(hours=8),
                       location="Jobcenter Köln, Raum 1", description="Ä" * 80 + "\nZweite Zeile")
    db.session.commit()
    response = member_client.get(f"/events/{event.id}.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="veranstaltung-{event.id}.ics"'
    raw = response.get_data()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded at 75 octets
    assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF line ends
    body = unfold(raw.decode("utf-8"))
    assert "BEGIN:VCALENDAR" in body and "BEGIN:VEVENT" in body and "END:VCALENDAR" in body
    assert f"UID:event-{event.id}@" in body
    assert "DTSTART:20300612T080000Z" in body and "DTEND:20300612T160000Z" in body
    assert "DTSTAMP:" in body
    assert "SUMMARY:Werkstattgespräch: Sucht\\; Schulden\\, Gesundheit" in body
    assert "LOCATION:Jobcenter Köln\\, Raum 1" in body
    assert "Ä" * 80 + "\\nZweite Zeile" in body
    assert f"URL:http://127.0.0.1:5000/events/{event.id}" in body


def test_icalendar_description_is_plain_text_without_markdown(member_client):
    event = make_event(description="Wie **Krankenkassen** und [Jobcenter](https://jc.example) "
                                   "zusammenarbeiten.\n\n- erster Punkt\n- zweiter & letzter Punkt")
    db.session.commit()
    body = unfold(member_client.get(f"/events/{event.id}.ics").get_data(as_text=True))
    assert "Wie Krankenkassen und Jobcenter zusammenarbeiten.\\n" in body
    assert "• erster Punkt\\n• zweiter & letzter Punkt" in body
    assert "**" not in body and "](" not in body and "&amp;" not in body


def test_icalendar_sequence_counts_up_with_every_edit_and_the_cancellation(client_as, organiser, member_client):
    event = make_event(title="Werkstatt mit Änderungen")
    db.session.commit()

    def sequence() -> str:
        body = unfold(member_client.get(f"/events/{event.id}.ics").get_data(as_text=True))
        return next(line for line in body.splitlines() if line.startswith("SEQUENCE:"))

    assert sequence() == "SEQUENCE:0"
    client = client_as(organiser)
    client.post(f"/events/{event.id}/edit", data=event_form(title="Werkstatt mit Änderungen", start_time="11:00"))
    assert sequence() == "SEQUENCE:1"
    client.post(f"/events/{event.id}/cancel", data={"reason": "Krankheit"})
    assert sequence() == "SEQUENCE:2"


def test_calendar_feed_lists_my_events_works_without_login_and_can_be_revoked(client_as, client, member):
    mine = make_event(title="Meine Werkstatt")
    cancelled = make_event(title="Abgesagte Konferenz")
    make_event(title="Fremde Werkstatt")
    member_client = client_as(member)
    for event in (mine, cancelled):
        member_client.post(f"/events/{event.id}/register")
    cancelled.status = "cancelled"
    db.session.commit()

    assert "Sie haben noch keine Kalender-Adresse." in text_of(member_client.get("/events/calendar"))
    member_client.post("/events/calendar")
    token = db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == member.id))
    page = member_client.get("/events/calendar").get_data(as_text=True)
    assert f'value="http://127.0.0.1:5000/events/calendar/{token}.ics"' in page

    feed = client.get(f"/events/calendar/{token}.ics")  # anonymous, as a calendar program
    assert feed.status_code == 200 and feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = unfold(feed.get_data(as_text=True))
    assert "SUMMARY:Meine Werkstatt" in body and "Fremde Werkstatt" not in body
    assert "SUMMARY:Abgesagt: Abgesagte Konferenz" in body and "STATUS:CANCELLED" in body

    member_client.post("/events/calendar")  # a new address replaces the old one
    assert client.get(f"/events/calendar/{token}.ics").status_code == 404
    new_token = db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == member.id))
    assert client.get(f"/events/calendar/{new_token}.ics").status_code == 200
    member_client.post("/events/calendar/revoke")
    assert client.get(f"/events/calendar/{new_token}.ics").status_code == 404
    assert client.get("/events/calendar/unbekannt.ics").status_code == 404


def test_feed_of_a_suspended_member_stops(client_as, client, member):
    member_client = client_as(member)
    member_client.post("/events/calendar")
    token = db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == member.id))
    member.status = "suspended"
    db.session.commit()
    assert client.get(f"/events/calendar/{token}.ics").status_code == 404


def test_single_event_ics_needs_login(client):
    event = make_event()
    db.session.commit()
    assert client.get(f"/events/{event.id}.ics").headers["Location"].startswith("/accounts/login")


# --- follow-up threads ----------------------------------------------------------------------------------------

def test_organiser_starts_a_follow_up_shown_on_both_pages(client_as, organiser, member):
    event = make_event(title="Regionalkonferenz Ost")
    client = client_as(organiser)
    response = client.post(f"/events/{event.id}/follow-ups/new", data={"title": "Wie geht es weiter?"})
    assert response.headers["Location"] == f"/events/{event.id}/follow-ups"
    thread = db.session.scalar(select(Thread).where(Thread.title == "Wie geht es weiter?"))
    assert thread.follow_up_event_id == event.id and thread.is_standalone
    assert audit("event.follow_up.start")[0].snapshot["thread_id"] == thread.id
    reader = client_as(member)
    assert "Wie geht es weiter?" in text_of(reader.get(f"/events/{event.id}"))
    thread_page = text_of(reader.get(f"/discussion/{thread.id}"))
    assert "Folgediskussion zu Regionalkonferenz Ost" in thread_page
    assert f'href="/events/{event.id}"' in reader.get(f"/discussion/{thread.id}").get_data(as_text=True)


def test_organiser_links_an_existing_thread_by_number_or_address_and_unlinks_it(client_as, organiser):
    event = make_event(title="Werkstatt Jugend")
    thread = make_thread(title="Übergänge Schule–Beruf")
    other = make_thread(title="Netzwerkarbeit")
    client = client_as(organiser)
    client.post(f"/events/{event.id}/follow-ups/link", data={"thread": str(thread.id)})
    client.post(f"/events/{event.id}/follow-ups/link",
                data={"thread": f"https://extranet.example/discussion/{other.id}"})
    db.session.expire_all()
    assert [t.title for t in db.session.get(Event, event.id).follow_ups] == ["Übergänge Schule–Beruf",
                                                                               "Netzwerkarbeit"]
    assert audit("event.follow_up.link")[0].snapshot["thread_title"] == "Übergänge Schule–Beruf"
    response = client.post(f"/events/{event.id}/follow-ups/{thread.id}/unlink")
    assert response.headers["Location"] == f"/events/{event.id}/follow-ups"
    assert "ist keine Folgediskussion dieser Veranstaltung mehr" in text_of(client.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).follow_up_event_id is None
    assert audit("event.follow_up.unlink")[0].snapshot["thread_id"] == thread.id
    assert "Übergänge Schule–Beruf" not in text_of(client.get(f"/events/{event.id}"))


def test_main_threads_and_follow_ups_of_other_events_cannot_be_linked(client_as, organiser):
    event = make_event()
    other = make_event(title="Fachveranstaltung Bonn")
    taken = make_thread(title="Schon vergeben", follow_up_of=other)
    client = client_as(organiser)
    main = text_of(client.post(f"/events/{event.id}/follow-ups/link", data={"thread": str(other.main_thread.id)}))
    assert "Die Diskussion einer Veranstaltung oder Idee kann keine Folgediskussion sein." in main
    busy = text_of(client.post(f"/events/{event.id}/follow-ups/link", data={"thread": str(taken.id)}))
    assert "Diese Diskussion ist schon Folgediskussion von „Fachveranstaltung Bonn“." in busy
    missing = text_of(client.post(f"/events/{event.id}/follow-ups/link", data={"thread": "999999"}))
    assert "Diese Diskussion gibt es nicht. Bitte prüfen Sie die Nummer oder die Adresse." in missing
    nonsense = text_of(client.post(f"/events/{event.id}/follow-ups/link", data={"thread": "irgendwas"}))
    assert "Bitte geben Sie die Nummer oder die Adresse der Diskussion an." in nonsense
    assert 'value="irgendwas"' in client.post(f"/events/{event.id}/follow-ups/link",
                                              data={"thread": "irgendwas"}).get_data(as_text=True)


def test_main_thread_page_names_its_event(member_client):
    event = make_event(title="Werkstattgespräch Schulden")
    db.session.commit()
    page = text_of(member_client.get(f"/discussion/{event.main_thread.id}"))
    assert "Diskussion zur Veranstaltung Werkstattgespräch Schulden" in page
    assert "Noch keine Beiträge. Schreiben Sie den ersten!" in page
    assert member_client.get("/discussion/999999").status_code == 404


# --- permissions (their table, EVENT_MATRIX, is in tests/helpers.py) ------------------------------------------

def event_in(state: str):
    """An event in the given state (or, for the thread rules, a thread of an event)."""
    now = utcnow()
    if state == "follow_up":
        return make_thread(follow_up_of=make_event())
    if state == "main_thread":
        return make_event().main_thread
    if state == "deadline_passed":
        return make_event(registration_deadline=now - timedelta(hours=1), starts_in=timedelta(days=2))
    if state == "begun":
        return make_event(starts_in=timedelta(hours=-1))
    return make_event(status=state)


@pytest.mark.parametrize("rule, state", sorted(EVENT_MATRIX, key=str))
@pytest.mark.parametrize("role", ROLES)
def test_event_permission_matrix(app, rule, state, role):
    user = actor(role)
    predicate = getattr(permissions, rule)
    allowed = predicate(user) if state is None else predicate(user, event_in(state))
    assert allowed is (role in EVENT_MATRIX[(rule, state)])


@pytest.mark.parametrize("rule", sorted(EVENT_RULES))
def test_suspended_organisers_may_do_nothing_with_events(app, rule):
    user = make_user(role="admin", status="suspended")
    predicate = getattr(permissions, rule)
    state = next(state for r, state in EVENT_MATRIX if r == rule)
    assert (predicate(user) if state is None else predicate(user, event_in(state))) is False


# --- query counts ---------------------------------------------------------------------------------------------

def test_event_list_query_count_does_not_grow_with_events_or_registrations(client_as, member):
    client = client_as(member)
    people = [make_user() for _ in range(5)]

    def grow(count: int):
        for number in range(count):
            event = make_event(capacity=3, land="NW")
            for person in people[: number % 5 + 1]:
                client_as(person).post(f"/events/{event.id}/register")
        db.session.commit()

    grow(5)
    small = {path: len(queries_for(client, path)) for path in ("/events/", "/events/?land=NW&year=2030&when=past")}
    grow(40)
    large = {path: len(queries_for(client, path)) for path in small}
    assert large == small
    assert max(small.values()) <= 8, small


def test_event_page_query_count_does_not_grow_with_registrations_follow_ups_or_files(client_as, organiser):
    event = make_event(capacity=3)
    client = client_as(organiser)

    def grow(count: int):
        for _number in range(count):
            client_as(make_user()).post(f"/events/{event.id}/register")
            make_thread(follow_up_of=event)
        db.session.commit()

    grow(5)
    paths = (f"/events/{event.id}", f"/events/{event.id}/participants", f"/events/{event.id}/follow-ups")
    small = {path: len(queries_for(client, path)) for path in paths}
    grow(60)
    large = {path: len(queries_for(client, path)) for path in paths}
    assert large == small
    assert max(small.values()) <= 12, small  # 10 + the header's notification count + the follow button
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Thread.id)).where(Thread.follow_up_event_id == event.id)) == 65


# --- operator commands ----------------------------------------------------------------------------------------

def test_rerender_rebuilds_the_html_of_events(app):
    event = make_event(description="**fett**", agenda="*kursiv*")
    event.description_html = event.agenda_html = "veraltet"
    event.documentation_source = "- Punkt"
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["rerender"]).exit_code == 0
    db.session.expire_all()
    assert event.description_html == "<p><strong>fett</strong></p>"
    assert event.agenda_html == "<p><em>kursiv</em></p>"
    assert event.documentation_html == "<ul>\n<li>Punkt</li>\n</ul>"
