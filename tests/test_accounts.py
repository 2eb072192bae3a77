"""Registration, confirmation, approval, login, password reset and change, profile — as users experience them."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.accounts.models import User
from forum.extensions import db
from forum.audit import AuditEntry
from tests.factories import PASSWORD, make_organisation, make_user
from tests.helpers import link_in, text_of

STRONG = "Fahrrad-Kompass-Laterne-7"


@pytest.fixture
def dortmund():
    return make_organisation(name="Jobcenter Dortmund", domains=("jobcenter-dortmund.example",))


def register(client, organisation, **overrides):
    data = {"email": "neu@jobcenter-dortmund.example", "display_name": "Nina Neumann",
            "function": "Integrationsfachkraft", "organisation_id": organisation.id, "password": STRONG,
            "password_confirm": STRONG, "accept_terms": "y", **overrides}
    return client.post("/accounts/register", data=data)


def confirm(client, mail, password=STRONG):
    """Open the confirmation link of `mail` and confirm with the registration's password."""
    link = link_in(mail.body, "/accounts/confirm/")
    assert "Adresse bestätigen" in text_of(client.get(link))
    return client.post(link, data={"password": password})


def user_by_email(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


# --- registration -------------------------------------------------------------------------------------------

def test_registration_with_matching_domain_is_active_after_confirmation(client, dortmund, outbox):
    response = register(client, dortmund, email="Neu@Jobcenter-Dortmund.example")
    assert response.headers["Location"] == "/accounts/register/sent"
    user = user_by_email("neu@jobcenter-dortmund.example")
    assert user.status == "pending" and not user.is_email_confirmed
    assert user.terms_accepted_at is not None

    mail = outbox("neu@jobcenter-dortmund.example")[-1]
    assert "bestätigen" in mail.subject
    confirmed = confirm(client, mail)
    assert confirmed.headers["Location"] == "/"  # confirming logs in
    assert user_by_email("neu@jobcenter-dortmund.example").status == "active"
    assert "Willkommen, Nina Neumann" in text_of(client.get("/"))
    client.post("/accounts/logout")

    login = client.post("/accounts/login", data={"email": "neu@jobcenter-dortmund.example", "password": STRONG})
    assert login.headers["Location"] == "/"


def test_registration_with_other_domain_waits_for_a_moderator(client, dortmund, outbox, moderator_client):
    register(client, dortmund, email="nina@mail.example")
    assert "Ihre Registrierung wird geprüft" in text_of(confirm(client, outbox("nina@mail.example")[-1]))
    user = user_by_email("nina@mail.example")
    assert user.status == "pending" and user.awaits_approval

    refused = client.post("/accounts/login", data={"email": "nina@mail.example", "password": STRONG})
    assert "wird noch von der Servicestelle geprüft" in text_of(refused)

    queue = text_of(moderator_client.get("/moderation/registrations"))
    assert "Nina Neumann" in queue and "nina@mail.example" in queue and "Jobcenter Dortmund" in queue


def test_unconfirmed_registrations_are_not_in_the_moderation_queue(client, dortmund, moderator_client):
    register(client, dortmund, email="nina@mail.example")
    assert "nina@mail.example" not in text_of(moderator_client.get("/moderation/registrations"))


def test_moderator_approves_registration_and_the_applicant_is_mailed(moderator_client, moderator, outbox, client):
    applicant = make_user(status="pending", email="lena@mail.example", display_name="Lena Fischer")
    db.session.commit()
    response = moderator_client.post(f"/moderation/registrations/{applicant.id}/approve")
    assert response.status_code == 302
    assert user_by_email("lena@mail.example").status == "active"
    mail = outbox("lena@mail.example")[-1]
    assert "freigeschaltet" in mail.subject
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.approve"))
    assert entry.actor_id == moderator.id and entry.target_id == applicant.id
    assert entry.snapshot["email"] == "lena@mail.example"
    login = client.post("/accounts/login", data={"email": "lena@mail.example", "password": PASSWORD})
    assert login.status_code == 302


def test_rejection_needs_a_reason_which_is_mailed_and_audited(moderator_client, outbox):
    applicant = make_user(status="pending", email="lena@mail.example")
    db.session.commit()
    empty = moderator_client.post(f"/moderation/registrations/{applicant.id}/reject", data={"reason": "  "})
    assert empty.status_code == 200
    assert "Bitte begründen Sie die Ablehnung." in text_of(empty)
    assert user_by_email("lena@mail.example").status == "pending"

    reason = "Die Adresse gehört nicht zum Jobcenter; bitte mit der dienstlichen Adresse registrieren."
    moderator_client.post(f"/moderation/registrations/{applicant.id}/reject", data={"reason": reason})
    rejected = user_by_email("lena@mail.example")
    assert rejected.status == "rejected" and rejected.status_reason == reason
    assert reason in outbox("lena@mail.example")[-1].body
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.reject")).reason == reason


def test_rejection_mail_asks_for_a_reply_only_when_replies_reach_the_office(app, moderator_client, outbox):
    from forum.notifications.outbox import _as_email

    first, second = make_user(status="pending"), make_user(status="pending")
    db.session.commit()
    moderator_client.post(f"/moderation/registrations/{first.id}/reject", data={"reason": "Falsche Adresse"})
    mail = outbox(first.email)[-1]
    assert "antworten" not in mail.body and "/pages/impressum" in mail.body
    assert "Reply-To" not in _as_email(mail)
    app.config["MAIL_REPLY_TO"] = "servicestelle@servicestelle.example"
    try:
        moderator_client.post(f"/moderation/registrations/{second.id}/reject", data={"reason": "Falsche Adresse"})
        mail = outbox(second.email)[-1]
        assert "antworten Sie bitte auf diese E-Mail" in mail.body
        assert _as_email(mail)["Reply-To"] == "servicestelle@servicestelle.example"
    finally:
        app.config["MAIL_REPLY_TO"] = ""


def test_a_registration_cannot_be_approved_twice_or_before_confirmation(moderator_client):
    unconfirmed = make_user(status="pending", confirmed=False)
    active = make_user(status="active")
    db.session.commit()
    assert moderator_client.post(f"/moderation/registrations/{unconfirmed.id}/approve").status_code == 403
    assert moderator_client.post(f"/moderation/registrations/{active.id}/approve").status_code == 403


def test_registering_a_known_address_looks_the_same_and_mails_the_owner(client, dortmund, outbox):
    existing = make_user(email="bekannt@jobcenter-dortmund.example", organisation=dortmund)
    db.session.commit()
    response = register(client, dortmund, email="BEKANNT@jobcenter-dortmund.example")
    assert response.headers["Location"] == "/accounts/register/sent"
    assert db.session.scalar(select(db.func.count(User.id)).where(User.email == existing.email)) == 1
    hint = outbox(existing.email)[-1]
    assert "Sie haben bereits ein Konto" in hint.body and "/accounts/password/forgot" in hint.body


def test_registering_again_before_confirming_replaces_the_pending_registration(client, dortmund, outbox):
    register(client, dortmund)
    register(client, dortmund, display_name="Nina Neumann-Berg")
    mails = outbox("neu@jobcenter-dortmund.example")
    assert [m.subject for m in mails] == [mails[0].subject] * 2 and "bestätigen" in mails[0].subject
    assert user_by_email("neu@jobcenter-dortmund.example").display_name == "Nina Neumann-Berg"
    assert client.get(link_in(mails[0].body, "/accounts/confirm/")).status_code == 400  # the earlier link is void
    confirm(client, mails[-1])
    assert user_by_email("neu@jobcenter-dortmund.example").status == "active"


ATTACKER = "Zitrone-Teppich-Segelboot-3"


def test_a_stranger_who_registered_the_address_first_never_keeps_a_working_password(client, app, dortmund,
                                                                                     outbox):
    register(client, dortmund, password=ATTACKER, password_confirm=ATTACKER, display_name="Mallory")
    register(app.test_client(), dortmund)  # the real owner, with their own password
    confirm(app.test_client(), outbox("neu@jobcenter-dortmund.example")[-1])
    owner = user_by_email("neu@jobcenter-dortmund.example")
    assert owner.status == "active" and owner.display_name == "Nina Neumann"
    stranger = client.post("/accounts/login", data={"email": owner.email, "password": ATTACKER})
    assert stranger.status_code == 200 and "nicht richtig" in text_of(stranger)
    owner_login = app.test_client().post("/accounts/login", data={"email": owner.email, "password": STRONG})
    assert owner_login.headers["Location"] == "/"


def test_the_newest_link_after_a_strangers_repeated_registration_needs_the_strangers_password(client, app,
                                                                                             dortmund, outbox):
    register(app.test_client(), dortmund)  # the owner first
    register(client, dortmund, password=ATTACKER, password_confirm=ATTACKER)  # then the stranger again
    owners_link, newest = outbox("neu@jobcenter-dortmund.example")
    assert app.test_client().get(link_in(owners_link.body, "/accounts/confirm/")).status_code == 400
    refused = confirm(app.test_client(), newest, password=STRONG)
    assert "Das Passwort passt nicht zu dieser Registrierung" in text_of(refused)
    assert not user_by_email("neu@jobcenter-dortmund.example").is_email_confirmed


def test_an_admin_cannot_activate_an_account_whose_address_nobody_confirmed(admin_client, dortmund):
    stranger = make_user(status="pending", confirmed=False, organisation=dortmund)
    db.session.commit()
    response = admin_client.post(f"/admin/users/{stranger.id}", data={
        "role": "member", "status": "active", "organisation_id": dortmund.id, "reason": ""})
    assert response.status_code == 200 and "noch nicht bestätigt" in text_of(response)
    assert user_by_email(stranger.email).status == "pending"


def test_a_reset_link_confirms_an_unconfirmed_address_with_the_new_password_only(client, dortmund, outbox):
    register(client, dortmund, password=ATTACKER, password_confirm=ATTACKER)
    client.post("/accounts/password/forgot", data={"email": "neu@jobcenter-dortmund.example"})
    link = link_in(outbox("neu@jobcenter-dortmund.example")[-1].body, "/accounts/password/reset/")
    client.post(link, data={"password": STRONG, "password_confirm": STRONG})
    assert user_by_email("neu@jobcenter-dortmund.example").status == "active"
    assert client.post("/accounts/login", data={"email": "neu@jobcenter-dortmund.example",
                                                "password": ATTACKER}).status_code == 200


@pytest.mark.parametrize("password, message", [
    ("kurz-1", "mindestens 12 Zeichen"),
    ("passwort1234", "zu leicht zu erraten"),
    ("qwertzuiop12", "zu leicht zu erraten"),
])
def test_weak_passwords_are_refused_with_a_german_message_and_the_form_is_kept(client, dortmund, password,
                                                                               message):
    response = register(client, dortmund, password=password, password_confirm=password)
    page = text_of(response)
    assert response.status_code == 200
    assert message in page
    html = response.get_data(as_text=True)
    assert 'value="neu@jobcenter-dortmund.example"' in html and 'value="Nina Neumann"' in html
    assert f'<option value="{dortmund.id}" selected>' in html
    assert user_by_email("neu@jobcenter-dortmund.example") is None


def test_registration_requires_consent_matching_passwords_and_an_organisation(client, dortmund):
    page = text_of(register(client, dortmund, accept_terms="", password_confirm=STRONG + "x", organisation_id=0))
    assert "Bitte stimmen Sie den Nutzungsbedingungen und dem Datenschutzhinweis zu." in page
    assert "Die beiden Passwörter stimmen nicht überein." in page
    assert "Bitte wählen Sie Ihre Organisation aus." in page


def test_registration_rejects_an_invalid_address_in_german(client, dortmund):
    page = text_of(register(client, dortmund, email="keine-adresse"))
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in page


def test_confirmation_link_is_tamper_proof_and_expires(app, client, dortmund, outbox):
    register(client, dortmund)
    link = link_in(outbox()[-1].body, "/accounts/confirm/")
    assert client.get(link[:-3] + "xyz").status_code == 400
    app.config["CONFIRM_TOKEN_MAX_AGE"] = -1
    try:
        expired = client.get(link)
    finally:
        app.config["CONFIRM_TOKEN_MAX_AGE"] = 3 * 24 * 3600
    assert expired.status_code == 400 and "abgelaufen" in text_of(expired)
    assert client.get(link).status_code == 200


def test_registration_hashes_a_password_for_known_and_unknown_addresses_alike(client, dortmund, monkeypatch):
    from forum.accounts import services

    calls = []
    original = services.hash_password
    monkeypatch.setattr(services, "hash_password", lambda password: calls.append(password) or original(password))
    make_user(email="bekannt@jobcenter-dortmund.example", organisation=dortmund)
    db.session.commit()
    register(client, dortmund, email="bekannt@jobcenter-dortmund.example")
    register(client, dortmund, email="unbekannt@jobcenter-dortmund.example")
    assert len(calls) == 2  # the same work either way: timing does not reveal an account


def test_passwords_are_hashed_with_full_strength_scrypt_outside_the_tests(app, client, monkeypatch):
    from forum.accounts import services
    from forum.config import ProductionConfig

    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", ProductionConfig.PASSWORD_HASH_METHOD)
    assert services.hash_password(PASSWORD).startswith("scrypt:32768:8:1$")
    # an unknown address is checked against a hash as strong, so it takes as long as a known one
    assert services._dummy_hash().startswith("scrypt:32768:8:1$")


# --- login --------------------------------------------------------------------------------------------------

def test_wrong_password_and_unknown_address_get_the_same_answer(client, member):
    wrong = text_of(client.post("/accounts/login", data={"email": member.email, "password": "falsch-falsch-1"}))
    unknown = text_of(client.post("/accounts/login", data={"email": "niemand@example.org",
                                                            "password": "falsch-falsch-1"}))
    assert "E-Mail-Adresse oder Passwort ist nicht richtig." in wrong
    assert wrong == unknown


def test_login_is_case_insensitive_in_the_address_and_keeps_it_in_the_form(client, member):
    assert client.post("/accounts/login", data={"email": member.email.upper(), "password": PASSWORD}
                       ).status_code == 302
    client.post("/accounts/logout")
    response = client.post("/accounts/login", data={"email": member.email, "password": "falsch-falsch-1"})
    assert f'value="{member.email}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("status, message", [
    ("suspended", "Ihr Konto ist gesperrt."),
    ("rejected", "E-Mail-Adresse oder Passwort ist nicht richtig."),
])
def test_suspended_and_rejected_accounts_cannot_log_in(client, status, message):
    user = make_user(status=status)
    db.session.commit()
    response = client.post("/accounts/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200 and message in text_of(response)


def test_logout_is_a_post_and_ends_the_session(member_client):
    assert member_client.get("/accounts/logout").status_code == 405
    response = member_client.post("/accounts/logout")
    assert response.headers["Location"] == "/accounts/login"
    assert member_client.get("/").status_code == 302


def test_remember_me_keeps_the_user_logged_in_after_the_browser_session(app, client, member):
    client.post("/accounts/login", data={"email": member.email, "password": PASSWORD, "remember": "y"})
    remember = next(c for c in client._cookies.values() if c.key == "abc_remember")
    fresh_browser = app.test_client()
    fresh_browser.set_cookie("abc_remember", remember.value)
    assert fresh_browser.get("/").status_code == 200


# --- password reset and change ------------------------------------------------------------------------------

def test_password_reset_by_mail_link_works_once(client, member, outbox):
    response = client.post("/accounts/password/forgot", data={"email": member.email})
    assert "Wenn zu" in text_of(response)
    link = link_in(outbox(member.email)[-1].body, "/accounts/password/reset/")

    response = client.post(link, data={"password": STRONG, "password_confirm": STRONG})
    assert response.headers["Location"] == "/accounts/login"
    assert client.post("/accounts/login", data={"email": member.email, "password": PASSWORD}).status_code == 200
    assert client.post("/accounts/login", data={"email": member.email, "password": STRONG}).status_code == 302
    client.post("/accounts/logout")

    again = client.get(link)
    assert again.status_code == 400 and "ungültig oder abgelaufen" in text_of(again)
    assert "Ihr Passwort für das ABC-Extranet wurde geändert" in outbox(member.email)[-1].subject


def test_reset_request_for_an_unknown_address_looks_the_same_and_sends_nothing(client, member, outbox):
    known = text_of(client.post("/accounts/password/forgot", data={"email": member.email}))
    unknown = text_of(client.post("/accounts/password/forgot", data={"email": "niemand@example.org"}))
    assert known.replace(member.email, "X") == unknown.replace("niemand@example.org", "X")
    assert outbox("niemand@example.org") == []


def test_reset_request_does_the_same_work_for_known_and_unknown_addresses(client, member, monkeypatch):
    from forum.accounts import services

    rendered = []
    original = services.render_mail
    monkeypatch.setattr(services, "render_mail",
                        lambda template, **context: rendered.append(template) or original(template, **context))
    client.post("/accounts/password/forgot", data={"email": member.email})
    client.post("/accounts/password/forgot", data={"email": "niemand@example.org"})
    assert rendered == ["reset_password", "reset_password"]


def test_registration_and_reset_answers_take_at_least_the_floor_for_every_address(app, client, member, dortmund):
    import time

    app.config["ACCOUNT_ANSWER_FLOOR"] = 0.2
    try:
        for post in (lambda: register(client, dortmund, email=member.email), lambda: register(client, dortmund),
                     lambda: client.post("/accounts/password/forgot", data={"email": member.email}),
                     lambda: client.post("/accounts/password/forgot", data={"email": "niemand@example.org"})):
            started = time.monotonic()
            assert post().status_code in (200, 302)
            assert time.monotonic() - started >= 0.2
    finally:
        app.config["ACCOUNT_ANSWER_FLOOR"] = 0.0


@pytest.mark.parametrize("password", ["Jobcenter2024!", "Dortmund Jobcenter 2024", "Nina-Neumann-Jobcenter",
                                      "Servicestelle-Netzwerke-ABC"])
def test_passwords_made_of_the_programme_organisation_or_own_name_are_refused(client, dortmund, password):
    response = register(client, dortmund, password=password, password_confirm=password)
    assert "zu leicht zu erraten" in text_of(response)
    assert user_by_email("neu@jobcenter-dortmund.example") is None


def test_a_new_password_is_checked_against_the_persons_own_name_and_organisation(client_as, dortmund):
    person = make_user(display_name="Kerstin Wolkenbruch", organisation=dortmund)
    response = client_as(person).post("/accounts/password", data={
        "current_password": PASSWORD, "password": "Kerstin Wolkenbruch Dortmund 7",
        "password_confirm": "Kerstin Wolkenbruch Dortmund 7"})
    assert "zu leicht zu erraten" in text_of(response)


def test_reset_link_expires_after_its_lifetime(app, client, member, outbox):
    client.post("/accounts/password/forgot", data={"email": member.email})
    link = link_in(outbox(member.email)[-1].body, "/accounts/password/reset/")
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    try:
        assert client.get(link).status_code == 400
    finally:
        app.config["RESET_TOKEN_MAX_AGE"] = 3600


def test_reset_form_keeps_the_user_on_the_page_with_a_message_for_a_weak_password(client, member, outbox):
    client.post("/accounts/password/forgot", data={"email": member.email})
    link = link_in(outbox(member.email)[-1].body, "/accounts/password/reset/")
    response = client.post(link, data={"password": "passwort1234", "password_confirm": "passwort1234"})
    assert response.status_code == 200 and "zu leicht zu erraten" in text_of(response)


def test_change_password_requires_the_current_one(member_client, member):
    response = member_client.post("/accounts/password", data={"current_password": "falsch-falsch-1",
                                                               "password": STRONG, "password_confirm": STRONG})
    assert "Das aktuelle Passwort ist nicht richtig." in text_of(response)
    ok = member_client.post("/accounts/password", data={"current_password": PASSWORD, "password": STRONG,
                                                         "password_confirm": STRONG})
    assert ok.headers["Location"] == "/accounts/profile"
    assert "Auf anderen Geräten sind Sie jetzt abgemeldet" in text_of(member_client.get("/accounts/profile"))


# --- profile ------------------------------------------------------------------------------------------------

def test_profile_edit_saves_name_function_and_language(member_client, member):
    response = member_client.post("/accounts/profile", data={"display_name": "Mehmet Yılmaz",
                                                              "function": "Teamleitung", "language": "en"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (member.display_name, member.function, member.language) == ("Mehmet Yılmaz", "Teamleitung", "en")
    assert "Welcome, Mehmet Yılmaz" in text_of(member_client.get("/"))


def test_profile_edit_refuses_an_empty_name_and_keeps_the_other_input(member_client, member):
    response = member_client.post("/accounts/profile", data={"display_name": "", "function": "Teamleitung",
                                                              "language": "de"})
    assert "Bitte geben Sie Ihren Namen an." in text_of(response)
    assert 'value="Teamleitung"' in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["ehemaliges Mitglied", "  Former   MEMBER "])
def test_nobody_may_take_the_name_deleted_accounts_are_shown_with(member_client, member, name):
    response = member_client.post("/accounts/profile", data={"display_name": name, "function": "Teamleitung",
                                                              "language": "de"})
    assert "Dieser Name ist für gelöschte Konten reserviert." in text_of(response)
    assert 'value="Teamleitung"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert member.display_name != name


def test_language_switch_in_the_header_works_before_and_after_login(client, member):
    client.post("/language", data={"language": "en", "next": "/accounts/login"})
    assert '<html lang="en"' in client.get("/accounts/login").get_data(as_text=True)
    client.post("/accounts/login", data={"email": member.email, "password": PASSWORD})
    client.post("/language", data={"language": "en", "next": "/"})
    db.session.expire_all()
    assert member.language == "en"
    client.post("/language", data={"language": "de", "next": "/"})
    assert '<html lang="de"' in client.get("/").get_data(as_text=True)


def test_dashboard_shows_name_organisation_and_programme_introduction(member_client, member):
    page = text_of(member_client.get("/"))
    assert f"Willkommen, {member.display_name}" in page
    assert member.organisation.name in page
    assert "Netzwerke für Aktivierung, Beratung und Chancen" in page


def test_moderators_see_how_many_registrations_wait(moderator_client):
    make_user(status="pending")
    make_user(status="pending")
    db.session.commit()
    assert "2 Registrierungen warten auf Freigabe." in text_of(moderator_client.get("/"))


def test_own_organisation_page_lists_its_active_members(member_client, member):
    colleague = make_user(organisation=member.organisation, display_name="Sabine Krüger", function="Teamleitung")
    hidden = make_user(organisation=member.organisation, display_name="Gesperrt Gustav", status="suspended")
    db.session.commit()
    page = text_of(member_client.get(f"/organisations/{member.organisation_id}"))
    assert member.organisation.name in page and "Nordrhein-Westfalen" in page and "Ruhrgebiet" in page
    assert "gemeinsame Einrichtung (gE)" in page
    assert colleague.display_name in page and "Teamleitung" in page
    assert hidden.display_name not in page


def test_dashboard_lists_my_next_events_upcoming_events_and_new_ideas(member_client, member):
    from datetime import timedelta

    from forum.events.models import EventRegistration
    from tests.factories import make_event, make_idea

    mine = make_event(title="Werkstattgespräch Gesundheit")
    db.session.add(EventRegistration(event=mine, user=member, status="waiting"))
    make_event(title="Regionalkonferenz Süd", status="planned")
    past = make_event(title="Vergangene Konferenz", starts_in=-timedelta(days=40), status="done")
    past.created_at = past.starts_at - timedelta(days=30)  # known long ago: not new either
    make_idea(title="Gesundheitslotsen")
    make_idea(title="Noch nicht veröffentlicht", status="submitted")
    db.session.commit()
    page = text_of(member_client.get("/"))
    assert "Werkstattgespräch Gesundheit" in page and "(Warteliste)" in page
    assert "Regionalkonferenz Süd" in page and "Vergangene Konferenz" not in page
    assert "Gesundheitslotsen" in page and "Noch nicht veröffentlicht" not in page
