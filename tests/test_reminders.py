"""Reminders before an event (`flask send-reminders`): registered people and the waiting list (with their place)
get one mail each, `reminder_days` before the start, with the .ics link; never twice, also when two runs
overlap; nothing for cancelled or held events, withdrawn registrations or suspended accounts."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from forum.clock import utcnow
from forum.events import reminders
from forum.events.models import EventRegistration
from forum.extensions import db
from forum.notifications.models import OutboxMessage
from tests.factories import make_event, make_user
from tests.helpers import event_form, fresh

ONLINE = "https://meet.example.de/raum-7"


def register(event, person, status="registered", hours_ago=10) -> EventRegistration:
    registration = EventRegistration(event_id=event.id, user_id=person.id, status=status,
                                     queued_at=utcnow() - timedelta(hours=hours_ago))
    db.session.add(registration)
    db.session.flush()
    return registration


def test_registered_and_waiting_people_get_their_own_reminder(app, outbox):
    event = make_event(title="Werkstattgespräch Sucht", kind="online", location="", online_url=ONLINE, capacity=1,
                       starts_in=timedelta(days=2))
    holder, first, second = make_user(), make_user(), make_user(language="en")
    register(event, holder, hours_ago=30)
    register(event, first, "waiting", hours_ago=20)
    register(event, second, "waiting", hours_ago=10)
    assert reminders.send_reminders() == 3

    [mail] = outbox(holder.email)
    assert mail.subject.startswith("Erinnerung: Werkstattgespräch Sucht am ")
    assert "Sie sind angemeldet" in mail.body and f"Online-Link: {ONLINE}" in mail.body
    assert f"http://127.0.0.1:5000/events/{event.id}.ics" in mail.body
    assert f"http://127.0.0.1:5000/events/{event.id}\n" in mail.body

    [waiting] = outbox(first.email)
    assert waiting.subject == "Erinnerung: Sie stehen auf der Warteliste für „Werkstattgespräch Sucht“"
    assert "Sie stehen auf Platz 1 der Warteliste." in waiting.body
    assert ONLINE not in waiting.body  # the room is for people holding a place
    assert f"/events/{event.id}.ics" in waiting.body
    [english] = outbox(second.email)
    assert english.body.startswith("Dear ") and " 2 " in english.body and ONLINE not in english.body
    assert all(fresh(EventRegistration, r.id).reminded_at is not None for r in db.session.scalars(
        select(EventRegistration)))


def test_a_second_run_sends_nothing_and_a_late_registration_still_gets_one(app, outbox):
    event = make_event(starts_in=timedelta(days=1))
    early, late = make_user(), make_user()
    register(event, early)
    assert reminders.send_reminders() == 1
    assert reminders.send_reminders() == 0
    register(event, late)
    assert reminders.send_reminders() == 1
    assert len(outbox(early.email)) == 1 and len(outbox(late.email)) == 1


def test_moving_the_event_makes_a_reminder_for_the_new_date_due_again(client_as, outbox):
    organiser, person = make_user(role="organiser"), make_user()
    first = datetime(2030, 6, 12, 8, tzinfo=timezone.utc)  # 10:00 in Berlin, as event_form() says
    event = make_event(title="Fachtag Wohnen", starts_at=first, ends_at=first + timedelta(hours=6))
    register(event, person)
    assert reminders.send_reminders(now=first - timedelta(days=2)) == 1
    client = client_as(organiser)
    client.post(f"/events/{event.id}/edit", data=event_form(title="Fachtag Wohnen (verschoben)",
                                                            start_date="2030-06-19", deadline_date=""))
    assert reminders.send_reminders(now=first - timedelta(days=1)) == 0  # the new date is 8 days away
    assert reminders.send_reminders(now=first + timedelta(days=5)) == 1
    client.post(f"/events/{event.id}/edit", data=event_form(title="Fachtag Wohnen, Raum 2", start_date="2030-06-19",
                                                            deadline_date=""))  # the same date
    assert reminders.send_reminders(now=first + timedelta(days=6)) == 0
    assert [mail.subject.split(" am ")[0] for mail in outbox(person.email)] == [
        "Erinnerung: Fachtag Wohnen", "Erinnerung: Fachtag Wohnen (verschoben)"]


@pytest.mark.parametrize("reminder_days, starts_in, due", [
    (3, timedelta(days=2, hours=23), True),
    (3, timedelta(days=3, hours=1), False),
    (7, timedelta(days=6), True),
    (7, timedelta(days=8), False),
    (1, timedelta(days=2), False),
    (0, timedelta(hours=2), False),  # 0: no reminder
    (3, timedelta(hours=-1), False),  # begun
])
def test_reminders_go_out_reminder_days_before_the_start(app, outbox, reminder_days, starts_in, due):
    event = make_event(starts_in=starts_in)
    event.reminder_days = reminder_days
    person = make_user()
    register(event, person)
    assert reminders.send_reminders() == (1 if due else 0)
    assert len(outbox(person.email)) == (1 if due else 0)


@pytest.mark.parametrize("status", ["cancelled", "done"])
def test_cancelled_and_held_events_send_no_reminder(app, outbox, status):
    event = make_event(status=status, starts_in=timedelta(days=1))
    person = make_user()
    register(event, person)
    assert reminders.send_reminders() == 0 and outbox(person.email) == []


def test_people_who_withdrew_or_are_suspended_get_none(client_as, outbox):
    event = make_event(starts_in=timedelta(days=2), capacity=5)
    stays, leaves, suspended = make_user(), make_user(), make_user(status="suspended")
    left = [register(event, person) for person in (stays, leaves, suspended)][1]
    client_as(leaves).post(f"/events/{event.id}/unregister")
    assert fresh(EventRegistration, left.id).status == "cancelled"
    assert reminders.send_reminders() == 1
    assert len(outbox(stays.email)) == 1 and outbox(leaves.email) == [] and outbox(suspended.email) == []


def test_registering_again_after_withdrawing_is_reminded_again(client_as, outbox):
    event = make_event(starts_in=timedelta(days=2))
    person = make_user()
    client = client_as(person)
    client.post(f"/events/{event.id}/register")
    assert reminders.send_reminders() == 1
    client.post(f"/events/{event.id}/unregister")
    client.post(f"/events/{event.id}/register")
    assert reminders.send_reminders() == 1
    assert len(outbox(person.email)) == 2


def test_the_command_queues_and_says_how_many(app, outbox):
    event = make_event(starts_in=timedelta(days=1))
    register(event, make_user())
    register(event, make_user(), "waiting")
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "2 Erinnerung(en) in den Postausgang gelegt" in result.output
    again = app.test_cli_runner().invoke(args=["send-reminders"])
    assert "0 Erinnerung(en)" in again.output
    assert len(outbox()) == 2


@pytest.mark.real_commits  # the two runs have connections of their own
def test_two_parallel_runs_never_send_a_reminder_twice(app):
    events = [make_event(starts_in=timedelta(days=1), capacity=None) for _ in range(3)]
    people = [make_user() for _ in range(12)]
    for event in events:
        for person in people:
            register(event, person)
    db.session.commit()
    barrier = threading.Barrier(2)
    counts: list = []

    def run() -> None:
        with app.app_context():
            try:
                barrier.wait()
                counts.append(reminders.send_reminders())
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                counts.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(counts, key=str) != [] and all(isinstance(count, int) for count in counts), counts
    assert sum(counts) == 36
    per_person = db.session.execute(select(OutboxMessage.recipient, func.count(OutboxMessage.id))
                                    .group_by(OutboxMessage.recipient)).all()
    assert len(per_person) == 12 and {count for _recipient, count in per_person} == {3}
