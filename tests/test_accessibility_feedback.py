"""Barriere melden (BITV 2.0 § 7): the form from every page, the mails, the admins' list and its status changes."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.audit import AuditEntry
from forum.extensions import db, limiter
from forum.feedback.models import BarrierReport
from forum.feedback.services import submit_barrier_report
from tests.factories import make_user
from tests.helpers import count_queries, text_of

OFFICE = "servicestelle@servicestelle.example"


def _reports() -> list[BarrierReport]:
    db.session.expire_all()
    return list(db.session.scalars(select(BarrierReport).order_by(BarrierReport.id)))


def test_the_footer_of_every_page_links_to_the_form_with_the_page_it_is_on(client, member_client):
    login = client.get("/accounts/login").get_data(as_text=True)
    assert 'href="/feedback/?from=/accounts/login"' in login
    assert 'href="/feedback/?from=/events/"' in member_client.get("/events/").get_data(as_text=True)


def test_an_anonymous_person_reports_a_barrier_and_the_office_gets_it_by_mail(client, outbox):
    form = client.get("/feedback/?from=/events/3")
    assert 'value="/events/3"' in form.get_data(as_text=True)
    answer = client.post("/feedback/", data={"page_url": "/events/3", "description": "Der Kalender ist mit der "
                                             "Tastatur nicht bedienbar.", "name": "", "email": ""})
    assert answer.status_code == 302 and answer.headers["Location"] == "/feedback/sent?from=/events/3"
    [report] = _reports()
    assert (report.page_url, report.status, report.user_id, report.email) == ("/events/3", "new", None, "")
    [mail] = outbox()
    assert mail.recipient == OFFICE and "/events/3" in mail.body and "Tastatur nicht bedienbar" in mail.body
    thanks = client.get(answer.headers["Location"])
    assert "Vielen Dank für Ihre Meldung" in text_of(thanks) and 'href="/events/3"' in thanks.get_data(as_text=True)


def test_a_sender_with_an_address_gets_an_acknowledgement_in_their_language(client, outbox):
    client.post("/language", data={"language": "en", "next": "/"})
    answer = client.post("/feedback/", data={"description": "Contrast too low", "name": "Kim Berg",
                                             "email": "kim@example.org"}, follow_redirects=True)
    assert "kim@example.org" in text_of(answer)
    [acknowledgement] = outbox("kim@example.org")
    assert "Kim Berg" in acknowledgement.body and "Contrast too low" in acknowledgement.body
    assert _reports()[0].language == "en"  # the acknowledgement is rendered in it (render_mail's force_locale)
    assert outbox(OFFICE)[0].subject.startswith("Barrieremeldung Nr.")  # the office reads German


def test_a_signed_in_member_finds_name_and_address_filled_in_and_is_linked(client_as, outbox):
    person = make_user(display_name="Erika Muster", email="erika@jobcenter-a.de")
    member = client_as(person)
    page = member.get("/feedback/?from=/ideas/").get_data(as_text=True)
    assert 'value="Erika Muster"' in page and 'value="erika@jobcenter-a.de"' in page
    member.post("/feedback/", data={"page_url": "/ideas/", "description": "Fokus unsichtbar",
                                    "name": "Erika Muster", "email": "erika@jobcenter-a.de"})
    [report] = _reports()
    assert report.user_id == person.id
    assert "Erika Muster" in outbox(OFFICE)[0].body


@pytest.mark.parametrize("data, message", [
    ({"description": "  "}, "Bitte beschreiben Sie die Barriere."),
    ({"description": "x", "email": "keine-adresse"}, "Bitte geben Sie eine gültige E-Mail-Adresse an"),
    ({"description": "x" * 5001}, "Die Beschreibung darf höchstens 5.000 Zeichen lang sein."),
    ({"description": "x", "page_url": "/" * 501}, "höchstens 500 Zeichen"),
])
def test_bad_input_gets_a_german_message_and_keeps_what_was_typed(client, data, message):
    data = {"page_url": "/events/", "name": "Kim Berg", **data}
    answer = client.post("/feedback/", data=data)
    assert answer.status_code == 200 and message in text_of(answer)
    assert 'value="Kim Berg"' in answer.get_data(as_text=True)
    assert _reports() == []


def test_an_address_from_elsewhere_is_not_offered_as_the_page_or_the_way_back(client):
    assert 'value="https://evil.example"' not in client.get("/feedback/?from=https://evil.example").get_data(
        as_text=True)
    assert 'href="//evil.example"' not in client.get("/feedback/sent?from=//evil.example").get_data(as_text=True)
    assert 'href="/events/"' in client.get("/feedback/sent?from=/events/").get_data(as_text=True)


def test_reports_are_rate_limited_per_address_and_the_text_is_kept(app, client):
    limiter.reset()
    app.config["RATELIMIT_BARRIER_REPORT"] = "2 per minute"
    try:
        codes = [client.post("/feedback/", data={"description": f"Meldung {number}"}).status_code
                 for number in range(3)]
        refused = client.post("/feedback/", data={"description": "Vierte Meldung"})
    finally:
        app.config["RATELIMIT_BARRIER_REPORT"] = "10000 per minute"
        limiter.reset()
    assert codes == [302, 302, 429] and refused.status_code == 429
    assert "Vierte Meldung" in refused.get_data(as_text=True) and "warten Sie einen Moment" in text_of(refused)
    assert len(_reports()) == 2


def test_only_admins_see_the_list(client, member_client, moderator_client, admin_client):
    assert client.get("/feedback/manage").status_code == 302  # to the login
    assert member_client.get("/feedback/manage").status_code == 403
    assert moderator_client.get("/feedback/manage").status_code == 403
    assert admin_client.get("/feedback/manage").status_code == 200


def test_admins_filter_by_status_and_change_it_audited(admin, admin_client):
    first = submit_barrier_report(description="Tabelle ohne Überschriften", page_url="/statistics/")
    submit_barrier_report(description="Button ohne Namen", name="Kim Berg", email="kim@example.org")
    answer = admin_client.post(f"/feedback/{first.id}/status", data={"status": "in_progress"})
    assert answer.status_code == 302
    assert "in Bearbeitung" in text_of(admin_client.get(answer.headers["Location"]))
    assert _reports()[0].status == "in_progress"
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "barrier_report.status"))
    assert (entry.actor_id, entry.target_id, entry.snapshot["before"]["status"]) == (admin.id, first.id, "new")
    assert entry.action_label == "Status einer Barrieremeldung geändert"
    listed = text_of(admin_client.get("/feedback/manage?status=in_progress"))
    assert "Tabelle ohne Überschriften" in listed and "Button ohne Namen" not in listed
    assert "Button ohne Namen" in text_of(admin_client.get("/feedback/manage?status=new"))
    assert "2 Meldungen gefunden" in text_of(admin_client.get("/feedback/manage?status=unbekannt"))  # all


def test_a_status_change_is_refused_to_others_and_for_unknown_states(member_client, admin_client):
    report = submit_barrier_report(description="Kontrast")
    assert member_client.post(f"/feedback/{report.id}/status", data={"status": "done"}).status_code == 403
    answer = admin_client.post(f"/feedback/{report.id}/status", data={"status": "gelöscht"}, follow_redirects=True)
    assert "Bitte wählen Sie einen Status." in text_of(answer)
    assert _reports()[0].status == "new"
    assert admin_client.post("/feedback/999999/status", data={"status": "done"}).status_code == 404


def test_setting_the_same_status_again_says_so_and_records_nothing(admin_client):
    report = submit_barrier_report(description="Kontrast")
    answer = admin_client.post(f"/feedback/{report.id}/status", data={"status": "new"}, follow_redirects=True)
    assert "hatte diesen Status schon" in text_of(answer)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "barrier_report.status")) is None


def test_the_list_needs_few_queries_whatever_its_length(admin_client):
    for number in range(12):
        submit_barrier_report(description=f"Meldung {number}", user=make_user())
    admin_client.get("/feedback/manage")
    with count_queries() as queries:
        assert admin_client.get("/feedback/manage").status_code == 200
    assert len(queries) <= 6  # measured: 4 (session, count, page with the accounts joined)
