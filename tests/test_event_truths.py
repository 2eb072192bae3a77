"""Event pages that tell the truth: one state badge per event (list, page, dashboard), places and the deadline
only while they mean something, cancelling asks first and says what happens to the place, and the online link
only for people holding a place, organisers and moderators."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import permissions
from forum.clock import utcnow
from forum.events.models import Event, EventRegistration
from forum.extensions import db
from tests.factories import make_event, make_user
from tests.helpers import ROLES, actor, event_form, queries_for, text_of

ONLINE = "https://meet.example.de/geheimer-raum"


def event_page(client, event) -> str:
    return text_of(client.get(f"/events/{event.id}"))


def fill(event, registered: int = 0, waiting: int = 0) -> list:
    """People holding a place and people waiting, queued in that order."""
    people = []
    for number in range(registered + waiting):
        person = make_user()
        db.session.add(EventRegistration(event_id=event.id, user_id=person.id,
                                         status="registered" if number < registered else "waiting",
                                         queued_at=utcnow() - timedelta(hours=100 - number)))
        people.append(person)
    db.session.flush()
    return people


def badge(page_html: str) -> list[str]:
    """The state classes of the badges on a page, in order."""
    return re.findall(r"event-state--(\w+)", page_html)


# --- one state, one badge ---------------------------------------------------------------------------------------

STATES = [
    ("open", {}, 0, 0, "Anmeldung offen"),
    ("waiting_list", {"capacity": 2}, 2, 1, "Nur noch Warteliste"),
    ("full", {"capacity": 2, "deadline": True}, 2, 0, "Ausgebucht"),
    ("closed", {"capacity": 20, "deadline": True}, 3, 0, "Anmeldung geschlossen"),
    ("planned", {"status": "planned"}, 0, 0, "Anmeldung noch nicht offen"),
    ("past", {"starts_in": timedelta(days=-3)}, 5, 0, "Vergangen"),
    ("past", {"status": "done", "starts_in": timedelta(hours=-2)}, 5, 0, "Vergangen"),
    ("cancelled", {"status": "cancelled"}, 2, 0, "Abgesagt"),
]


def event_in(options: dict):
    options = dict(options)
    if options.pop("deadline", False):
        options.update(registration_deadline=utcnow() - timedelta(hours=1), starts_in=timedelta(days=2))
    return make_event(**options)


@pytest.mark.parametrize("state, options, registered, waiting, label", STATES)
def test_each_state_has_one_badge_on_the_list_and_the_page(member_client, state, options, registered, waiting,
                                                           label):
    event = event_in(options)
    fill(event, registered, waiting)
    assert event.state(registered) == state
    db.session.commit()
    page = member_client.get(f"/events/{event.id}").get_data(as_text=True)
    assert badge(page) == [state]
    assert f"Status: {label}" in text_of(member_client.get(f"/events/{event.id}"))
    listing = member_client.get("/events/?when=past" if event.ends_at < utcnow() else "/events/").get_data(
        as_text=True)
    assert badge(listing) == [state]


def test_a_full_event_never_says_registration_open_next_to_fully_booked(member_client):
    event = make_event(capacity=2)
    fill(event, 2, 2)
    db.session.commit()
    page = event_page(member_client, event)
    assert "ausgebucht, 2 Personen auf der Warteliste" in page
    assert "Anmeldung offen" not in page and "Nur noch Warteliste" in page
    assert "Auf die Warteliste setzen" in page
    assert "Anmeldung offen" not in text_of(member_client.get("/events/"))


def test_the_dashboard_shows_the_same_badge(client_as, member):
    full = make_event(title="Volle Werkstatt", capacity=1, starts_in=timedelta(days=2))
    fill(full, 1, 0)
    mine = make_event(title="Meine Werkstatt", starts_in=timedelta(days=3))
    db.session.add(EventRegistration(event_id=mine.id, user_id=member.id, status="registered"))
    page = client_as(member).get("/").get_data(as_text=True)
    assert "Volle Werkstatt" in page and "Meine Werkstatt" in page
    assert badge(page) == ["open", "waiting_list"]  # mine first, then the others


# --- past events ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["open", "done"])
def test_past_events_show_no_free_places_and_no_deadline(member_client, status):
    event = make_event(status=status, capacity=30, starts_in=timedelta(days=-10),
                       registration_deadline=utcnow() - timedelta(days=12))
    fill(event, 3)
    db.session.commit()
    page = event_page(member_client, event)
    assert "Plätze" not in page and "Plätzen frei" not in page and "Anmeldung bis" not in page
    assert ("Die Veranstaltung hat bereits stattgefunden." if status == "open"
            else "Die Veranstaltung ist abgeschlossen.") in page
    assert "Plätze" not in text_of(member_client.get("/events/?when=past"))


def test_a_closed_event_keeps_its_places_but_not_the_passed_deadline(member_client):
    event = event_in({"capacity": 10, "deadline": True})
    fill(event, 4)
    db.session.commit()
    page = event_page(member_client, event)
    assert "6 von 10 Plätzen frei" in page and "Anmeldung bis" not in page
    assert "Die Anmeldefrist ist abgelaufen." in page


def test_open_events_show_places_and_the_deadline(member_client):
    event = make_event(capacity=10, starts_in=timedelta(days=30))
    db.session.commit()
    page = event_page(member_client, event)
    assert "10 von 10 Plätzen frei" in page and "Anmeldung bis" in page


# --- cancelling asks first and says what happens -----------------------------------------------------------

def test_cancelling_asks_for_confirmation_and_frees_the_place_without_a_waiting_list(client_as, member):
    event = make_event(capacity=111)
    db.session.add(EventRegistration(event_id=event.id, user_id=member.id, status="registered"))
    client = client_as(member)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}/unregister"' in page
    assert f'action="/events/{event.id}/unregister"' not in page  # no one-click cancelling
    confirm = client.get(f"/events/{event.id}/unregister")
    assert confirm.status_code == 200
    text = text_of(confirm)
    assert "Teilnahme absagen" in text and "Warteliste" not in text
    assert "Ihr Platz wird dann wieder frei." in text
    assert db.session.scalar(select(EventRegistration.status).where(EventRegistration.user_id == member.id)) \
        == "registered"  # looking is not cancelling
    response = client.post(f"/events/{event.id}/unregister")
    assert response.headers["Location"] == f"/events/{event.id}"
    after = text_of(client.get(response.headers["Location"]))
    assert "Sie sind abgemeldet." in after and "Warteliste" not in after


def test_cancelling_a_place_of_a_full_event_says_it_goes_to_the_next_person(client_as, member, outbox):
    event = make_event(capacity=1)
    db.session.add(EventRegistration(event_id=event.id, user_id=member.id, status="registered",
                                     queued_at=utcnow() - timedelta(days=2)))
    [next_person] = fill(event, 0, 1)
    client = client_as(member)
    assert "Ihr Platz geht dann an die nächste Person auf der Warteliste." in text_of(
        client.get(f"/events/{event.id}/unregister"))
    after = text_of(client.get(client.post(f"/events/{event.id}/unregister").headers["Location"]))
    assert "Ihr Platz geht an die nächste Person auf der Warteliste." in after
    assert len(outbox(next_person.email)) == 1


def test_leaving_the_waiting_list_asks_first_and_names_the_position(client_as, member):
    event = make_event(capacity=1)
    fill(event, 1, 1)
    db.session.add(EventRegistration(event_id=event.id, user_id=member.id, status="waiting"))
    client = client_as(member)
    assert "Von der Warteliste abmelden …" in event_page(client, event)
    confirm = text_of(client.get(f"/events/{event.id}/unregister"))
    assert "Sie stehen auf Platz 2 der Warteliste." in confirm and "Ja, von der Warteliste abmelden" in confirm
    after = text_of(client.get(client.post(f"/events/{event.id}/unregister").headers["Location"]))
    assert "Sie stehen nicht mehr auf der Warteliste." in after


def test_the_confirmation_page_sends_people_without_a_registration_back(client_as, member):
    event = make_event()
    client = client_as(member)
    response = client.get(f"/events/{event.id}/unregister")
    assert response.headers["Location"] == f"/events/{event.id}"
    assert "Sie sind für diese Veranstaltung nicht angemeldet." in text_of(client.get(response.headers["Location"]))
    begun = make_event(starts_in=timedelta(hours=-1))
    assert client.get(f"/events/{begun.id}/unregister").status_code == 403


# --- the online link --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, registration, sees", [
    ("member", None, False),
    ("member", "waiting", False),
    ("member", "cancelled", False),
    ("member", "registered", True),
    ("organiser", None, True),
    ("moderator", None, True),
    ("admin", None, True),
])
def test_online_link_only_for_people_holding_a_place_and_the_staff(client_as, role, registration, sees):
    event = make_event(kind="online", location="", online_url=ONLINE, capacity=5)
    person = make_user(role=role)
    if registration:
        db.session.add(EventRegistration(event_id=event.id, user_id=person.id, status=registration))
    client = client_as(person)
    assert (ONLINE in client.get(f"/events/{event.id}").get_data(as_text=True)) is sees
    assert (ONLINE in client.get(f"/events/{event.id}.ics").get_data(as_text=True).replace("\r\n ", "")) is sees


@pytest.mark.parametrize("role", ROLES)
def test_online_link_rule_for_registered_people(app, role):
    event = make_event(kind="online", location="", online_url=ONLINE)
    assert permissions.can_view_online_link(actor(role), event, registered=True) is (role != "anonymous")
    event.status = "cancelled"
    assert permissions.can_view_online_link(actor(role), event, registered=True) is (
        role in ("organiser", "moderator", "admin"))


# --- the reminder days in the form -----------------------------------------------------------------------------

def test_organiser_sets_the_reminder_days(client_as, organiser):
    client = client_as(organiser)
    assert 'value="3"' in client.get("/events/new").get_data(as_text=True)
    client.post("/events/new", data=event_form(title="Werkstatt mit Erinnerung", reminder_days="7"))
    event = db.session.scalar(select(Event).where(Event.title == "Werkstatt mit Erinnerung"))
    assert event.reminder_days == 7
    assert 'value="7"' in client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    bad = client.post(f"/events/{event.id}/edit", data=event_form(title="Werkstatt mit Erinnerung",
                                                                   reminder_days="-1"))
    assert "Bitte geben Sie eine Zahl von 0 bis 60 an." in text_of(bad)
    client.post(f"/events/{event.id}/edit", data=event_form(title="Werkstatt mit Erinnerung", reminder_days="0"))
    db.session.expire_all()
    assert db.session.get(Event, event.id).reminder_days == 0


def test_the_confirmation_page_query_count_does_not_grow_with_the_waiting_list(client_as, member):
    event = make_event(capacity=2)
    db.session.add(EventRegistration(event_id=event.id, user_id=member.id, status="waiting"))
    client = client_as(member)
    fill(event, 2, 3)
    few = len(queries_for(client, f"/events/{event.id}/unregister"))
    fill(event, 0, 40)
    assert len(queries_for(client, f"/events/{event.id}/unregister")) == few <= 8
