"""Registration for events: places, the waiting list (oldest first, with an e-mail when moving up), closed
registration, exact counts under parallel requests, and the organisers' participant list and CSV export."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.clock import utcnow
from forum.events.models import EventRegistration
from forum.extensions import db
from forum.audit import AuditEntry
from tests.factories import make_event, make_organisation, make_user
from tests.helpers import event_form, run_in_parallel, session_id, text_of


def statuses(event) -> dict[int, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(EventRegistration.user_id, EventRegistration.status)
                                   .where(EventRegistration.event_id == event.id)).all())


def count(event, status: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(EventRegistration.id)).where(
        EventRegistration.event_id == event.id, EventRegistration.status == status))


def test_member_registers_and_sees_it_on_the_event_page(client_as, member):
    event = make_event(capacity=2)
    client = client_as(member)
    assert f'action="/events/{event.id}/register"' in client.get(f"/events/{event.id}").get_data(as_text=True)
    response = client.post(f"/events/{event.id}/register")
    assert response.headers["Location"] == f"/events/{event.id}"
    page = client.get(response.headers["Location"])
    assert "Sie sind angemeldet." in text_of(page) and "1 von 2 Plätzen frei" in text_of(page)
    assert f'href="/events/{event.id}/unregister"' in page.get_data(as_text=True)
    assert statuses(event) == {member.id: "registered"}
    client.post(f"/events/{event.id}/register")  # a second click changes nothing
    assert count(event, "registered") == 1


def test_full_event_puts_people_on_the_waiting_list_in_order(client_as):
    event = make_event(capacity=1)
    first, second, third = make_user(), make_user(), make_user()
    db.session.commit()
    client_as(first).post(f"/events/{event.id}/register")
    second_client = client_as(second)
    assert "Auf die Warteliste setzen" in text_of(second_client.get(f"/events/{event.id}"))
    second_client.post(f"/events/{event.id}/register")
    client_as(third).post(f"/events/{event.id}/register")
    assert statuses(event) == {first.id: "registered", second.id: "waiting", third.id: "waiting"}
    assert "Sie stehen auf Platz 1 der Warteliste." in text_of(second_client.get(f"/events/{event.id}"))
    third_page = text_of(client_as(third).get(f"/events/{event.id}"))
    assert "Sie stehen auf Platz 2 der Warteliste." in third_page
    assert "ausgebucht, 2 Personen auf der Warteliste" in third_page


def test_unlimited_event_never_has_a_waiting_list(client_as):
    event = make_event(capacity=None)
    people = [make_user() for _ in range(4)]
    db.session.commit()
    for person in people:
        client_as(person).post(f"/events/{event.id}/register")
    assert count(event, "registered") == 4
    assert "Plätze nicht begrenzt (4 Anmeldungen)" in text_of(client_as(people[0]).get(f"/events/{event.id}"))


def test_cancelling_moves_the_oldest_waiting_person_up_with_a_mail(client_as, outbox):
    event = make_event(capacity=1, title="Werkstattgespräch Sucht")
    first, second, third = make_user(), make_user(), make_user()
    db.session.commit()
    for person in (first, second, third):
        client_as(person).post(f"/events/{event.id}/register")
    response = client_as(first).post(f"/events/{event.id}/unregister")
    assert response.headers["Location"] == f"/events/{event.id}"
    assert statuses(event) == {first.id: "cancelled", second.id: "registered", third.id: "waiting"}
    mail = outbox(second.email)[-1]
    assert mail.subject == "Ein Platz ist frei: Werkstattgespräch Sucht"
    assert f"http://127.0.0.1:5000/events/{event.id}" in mail.body
    assert f"http://127.0.0.1:5000/events/{event.id}.ics" in mail.body
    assert outbox(third.email) == [] and outbox(first.email) == []
    assert "Sie sind angemeldet." in text_of(client_as(second).get(f"/events/{event.id}"))
    assert "Sie stehen auf Platz 1 der Warteliste." in text_of(client_as(third).get(f"/events/{event.id}"))


def test_leaving_the_waiting_list_frees_no_place(client_as, outbox):
    event = make_event(capacity=1)
    first, second, third = make_user(), make_user(), make_user()
    db.session.commit()
    for person in (first, second, third):
        client_as(person).post(f"/events/{event.id}/register")
    client_as(second).post(f"/events/{event.id}/unregister")
    assert statuses(event) == {first.id: "registered", second.id: "cancelled", third.id: "waiting"}
    assert outbox(third.email) == []


def test_registering_again_after_cancelling_queues_at_the_end(client_as):
    event = make_event(capacity=1)
    first, second = make_user(), make_user()
    db.session.commit()
    first_client = client_as(first)
    first_client.post(f"/events/{event.id}/register")
    client_as(second).post(f"/events/{event.id}/register")
    first_client.post(f"/events/{event.id}/unregister")
    first_client.post(f"/events/{event.id}/register")
    assert statuses(event) == {first.id: "waiting", second.id: "registered"}
    assert db.session.scalar(select(func.count(EventRegistration.id))) == 2  # the same row, queued anew


def test_more_places_move_waiting_people_up(client_as, organiser, outbox):
    event = make_event(capacity=1)
    people = [make_user() for _ in range(3)]
    db.session.commit()
    for person in people:
        client_as(person).post(f"/events/{event.id}/register")
    client_as(organiser).post(f"/events/{event.id}/edit", data=event_form(
        title=event.title, capacity="2", start_date="2030-06-12", deadline_date=""))
    assert [statuses(event)[p.id] for p in people] == ["registered", "registered", "waiting"]
    assert len(outbox(people[1].email)) == 1 and outbox(people[2].email) == []


@pytest.mark.parametrize("state, message", [
    ({"status": "planned"}, "Die Anmeldung ist noch nicht geöffnet."),
    ({"status": "cancelled"}, "Die Veranstaltung wurde abgesagt."),
    ({"status": "done"}, "Die Veranstaltung ist abgeschlossen."),
    ({"registration_deadline": "past"}, "Die Anmeldefrist ist abgelaufen."),
    ({"starts_in": timedelta(hours=-1)}, "Die Anmeldefrist ist abgelaufen."),
])
def test_closed_registration_is_explained_and_refused(client_as, member, state, message):
    if state.get("registration_deadline") == "past":
        state = {"registration_deadline": utcnow() - timedelta(minutes=1), "starts_in": timedelta(days=1)}
    event = make_event(**state)
    client = client_as(member)
    page = client.get(f"/events/{event.id}")
    assert message in text_of(page) and f'action="/events/{event.id}/register"' not in page.get_data(as_text=True)
    response = client.post(f"/events/{event.id}/register")
    assert response.status_code == 302
    assert message in text_of(client.get(response.headers["Location"]))
    assert count(event, "registered") + count(event, "waiting") == 0


def test_withdrawing_after_the_deadline_is_allowed_but_not_after_the_start(client_as, member):
    event = make_event(starts_in=timedelta(days=2))
    client = client_as(member)
    client.post(f"/events/{event.id}/register")
    event.registration_deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert f'href="/events/{event.id}/unregister"' in client.get(f"/events/{event.id}").get_data(as_text=True)
    client.post(f"/events/{event.id}/unregister")
    assert statuses(event) == {member.id: "cancelled"}
    begun = make_event(starts_in=timedelta(hours=-1))
    db.session.commit()
    assert client.post(f"/events/{begun.id}/unregister").status_code == 403


# --- parallel requests ----------------------------------------------------------------------------------------

@pytest.mark.real_commits  # the requests run in threads of their own
def test_thirty_parallel_registrations_for_ten_places_are_exact(app, outbox):
    event = make_event(capacity=10)
    people = [make_user() for _ in range(30)]
    user_ids, path = [session_id(person) for person in people], f"/events/{event.id}/register"
    db.session.commit()  # and touch no expired object until the threads are done: no transaction stays open
    results = run_in_parallel(app, user_ids, path)
    assert results == [302] * 30
    assert count(event, "registered") == 10 and count(event, "waiting") == 20
    queued = db.session.scalars(select(EventRegistration.queued_at).where(
        EventRegistration.event_id == event.id, EventRegistration.status == "registered")).all()
    latest_registered = max(queued)
    waiting = db.session.scalars(select(EventRegistration.queued_at).where(
        EventRegistration.event_id == event.id, EventRegistration.status == "waiting")).all()
    assert min(waiting) >= latest_registered  # places went to the first ten, in order


@pytest.mark.real_commits  # the requests run in threads of their own
def test_parallel_cancellations_move_exactly_as_many_waiting_people_up(app, client_as, outbox):
    event = make_event(capacity=10)
    people = [make_user() for _ in range(25)]
    db.session.commit()
    for person in people:
        client_as(person).post(f"/events/{event.id}/register")
    user_ids, path = [session_id(person) for person in people[:6]], f"/events/{event.id}/unregister"
    db.session.commit()
    results = run_in_parallel(app, user_ids, path)
    assert results == [302] * 6
    assert count(event, "registered") == 10 and count(event, "waiting") == 9 and count(event, "cancelled") == 6
    moved_up = [person for person in people[10:] if statuses(event)[person.id] == "registered"]
    assert moved_up == people[10:16]  # the oldest six of the waiting list
    assert all(len(outbox(person.email)) == 1 for person in moved_up)
    assert sum(len(outbox(person.email)) for person in people[16:]) == 0


# --- participants ---------------------------------------------------------------------------------------------

def test_organiser_sees_participants_with_organisations_and_the_waiting_list_in_order(client_as, organiser):
    event = make_event(capacity=1)
    dortmund = make_organisation(name="Jobcenter Dortmund")
    first = make_user(display_name="Anna Arendt", organisation=dortmund)
    second = make_user(display_name="Bert Brandt", organisation=make_organisation(name="Jobcenter Essen"))
    third = make_user(display_name="Cem Çelik", organisation=dortmund)
    db.session.commit()
    for person in (first, second, third):
        client_as(person).post(f"/events/{event.id}/register")
    page = text_of(client_as(organiser).get(f"/events/{event.id}/participants"))
    assert "Angemeldet: 1 von 1 Plätzen" in page and "Warteliste: 2" in page
    assert page.index("Anna Arendt") < page.index("Warteliste: 2") < page.index("Bert Brandt") < page.index(
        "Cem Çelik")
    assert "Jobcenter Essen" in page and "Jobcenter Dortmund" in page


def test_participant_csv_is_for_excel_and_guards_against_formulas(client_as, organiser):
    event = make_event(capacity=1)
    evil = make_user(display_name="=HYPERLINK(\"http://evil.example\",\"klick\")", function="+49 201 123",
                     organisation=make_organisation(name="@Jobcenter Mitte"))
    plain = make_user(display_name="Jörg Übel", function="-Teamleitung")
    db.session.commit()
    client_as(evil).post(f"/events/{event.id}/register")
    client_as(plain).post(f"/events/{event.id}/register")
    response = client_as(organiser).post(f"/events/{event.id}/participants.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Status", "Wartelistenplatz", "Name", "Funktion", "Organisation"]
    assert rows[1][:5] == ["angemeldet", "", "'=HYPERLINK(\"http://evil.example\",\"klick\")", "'+49 201 123",
                           "'@Jobcenter Mitte"]
    assert rows[2][:4] == ["Warteliste", "1", "Jörg Übel", "'-Teamleitung"]
    assert rows[1][6] == evil.email
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.participants_export"))
    assert entry.actor_id == organiser.id and entry.target_id == event.id and entry.snapshot["rows"] == 2
    assert evil.email not in str(entry.snapshot)  # the log says that, not what, was exported
    assert client_as(organiser).get(f"/events/{event.id}/participants.csv").status_code == 405
