"""The Ideenbörse as its users meet it: submit, see, edit, status workflow, adoptions, events, reference lists,
the list page, bounded queries, the permission matrix and the demo data."""
from __future__ import annotations

import re

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from forum import permissions
from forum.discussion.models import Thread
from forum.extensions import db
from forum.ideas import services, terms as term_services
from forum.ideas.models import Idea, IdeaAdoption, IdeaEvent, IdeaRevision, ReferenceTerm
from forum.audit import AuditEntry
from forum.ideas.sections import compose_description, split_description
from tests.factories import IDEA_DESCRIPTION, make_event, make_idea, make_organisation, make_term, make_user
from tests.helpers import (IDEA_MATRIX, IDEA_RULES_WITHOUT_OBJECT, ROLES, actor, audit_actions, count_queries,
                           queries_for, text_of)


@pytest.fixture
def terms(app):
    """One entry in each list, plus a retired Handlungsfeld."""
    return {
        "topic": make_term(kind="topic", name="Gesundheitsorientierung"),
        "target_group": make_term(kind="target_group", name="Alleinerziehende"),
        "partner_type": make_term(kind="partner_type", name="Krankenkasse"),
        "retired": make_term(kind="topic", name="Bürgerarbeit", active=False),
    }


IDEA_SECTIONS = split_description(IDEA_DESCRIPTION)


def idea_form(terms, **overrides):
    return {"title": "Gesundheitscoaching mit der AOK", "summary": "Eine Sprechstunde der Krankenkasse im Jobcenter.",
            **IDEA_SECTIONS, "contact": "Erika Beispiel, erika@jobcenter.example",
            "topics": [terms["topic"].id], "target_groups": [terms["target_group"].id],
            "partner_types": [terms["partner_type"].id], **overrides}


def idea_titled(title: str) -> Idea | None:
    db.session.expire_all()
    return db.session.scalar(select(Idea).where(Idea.title == title))


# --- submit -------------------------------------------------------------------------------------------------

def test_submit_page_has_a_labelled_field_per_section_and_active_terms_only(member_client, terms):
    page = member_client.get("/ideas/new").get_data(as_text=True)
    for key, label in (("situation", "Ausgangslage"), ("goal", "Ziel"), ("implementation", "Umsetzung"),
                       ("results", "Ergebnisse"), ("transferability", "Übertragbarkeit")):
        assert re.search(rf'<label class="kern-label" for="{key}">{label}(</label>| <span)', page), key
        assert re.search(rf'<textarea[^>]*id="{key}"[^>]*>\s*</textarea>', page), key  # empty: no template
    assert "# Ausgangslage" not in page
    assert "Gesundheitsorientierung" in page and "Krankenkasse" in page
    assert "Bürgerarbeit" not in page
    assert '<legend class="kern-label">Handlungsfelder</legend>' in page


def test_member_submits_an_idea_for_their_jobcenter_with_its_thread(member_client, member, terms):
    response = member_client.post("/ideas/new", data=idea_form(terms))
    idea = idea_titled("Gesundheitscoaching mit der AOK")
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    assert idea.status == "submitted" and idea.author_id == member.id
    assert idea.organisation_id == member.organisation_id
    assert {term.name for term in idea.terms} == {"Gesundheitsorientierung", "Alleinerziehende", "Krankenkasse"}
    assert idea.sections == IDEA_SECTIONS
    assert idea.description_source == compose_description(IDEA_SECTIONS)
    for heading in ("Ausgangslage", "Ziel", "Umsetzung", "Ergebnisse", "Übertragbarkeit"):
        assert f"<h3>{heading}</h3>" in idea.description_html
    thread = db.session.scalar(select(Thread).where(Thread.idea_id == idea.id))
    assert thread.title == "Gesundheitscoaching mit der AOK"

    page = text_of(member_client.get(f"/ideas/{idea.id}"))
    assert "Ihr Ansatz wurde eingereicht" in page
    assert "Dieser Ansatz wartet auf die Prüfung durch die Servicestelle" in page
    assert "Ausgangslage" in page and "Erika Beispiel, erika@jobcenter.example" in page
    assert member.organisation.name in page and "Alleinerziehende" in page


def test_submit_form_explains_every_problem_in_german_and_keeps_the_input(member_client, terms):
    response = member_client.post("/ideas/new", data=idea_form(
        terms, title="", summary="x" * 301, situation=" \n ", goal="", topics=[], contact="Erika Beispiel",
        results="Mehr Kurse, **fett**."))
    page = text_of(response)
    assert "Die Kurzbeschreibung darf höchstens 300 Zeichen lang sein. Zurzeit sind es 301 Zeichen." in page
    assert "Bitte geben Sie einen Titel an." in page
    assert "Bitte beschreiben Sie die Ausgangslage." in page and "Bitte beschreiben Sie das Ziel des Ansatzes." in page
    assert "Bitte wählen Sie mindestens ein Handlungsfeld aus." in page
    html = response.get_data(as_text=True)
    assert "x" * 301 in html and 'value="Erika Beispiel"' in html and "Mehr Kurse, **fett**.</textarea>" in html
    assert IDEA_SECTIONS["implementation"] in html and IDEA_SECTIONS["transferability"] in html
    assert re.search(rf'value="{terms["target_group"].id}" checked', html)
    assert 'aria-invalid="true"' in html and "error-summary" in html
    assert db.session.scalar(select(func.count(Idea.id))) == 0


def test_terms_that_are_not_offered_are_refused_with_a_message(member_client, terms):
    for bad in ([terms["retired"].id], ["abc"], [terms["partner_type"].id]):
        page = text_of(member_client.post("/ideas/new", data=idea_form(terms, topics=bad)))
        assert "Dieser Eintrag wird nicht angeboten. Bitte wählen Sie aus der Liste aus." in page
    assert db.session.scalar(select(func.count(Idea.id))) == 0


def test_members_submit_only_for_their_own_jobcenter(member_client, member, terms):
    other = make_organisation(name="Jobcenter Anderswo")
    assert "Einreichendes Jobcenter" in text_of(member_client.get("/ideas/new"))
    assert "Jobcenter Anderswo" not in text_of(member_client.get("/ideas/new"))
    member_client.post("/ideas/new", data=idea_form(terms, organisation_id=other.id))
    assert idea_titled("Gesundheitscoaching mit der AOK").organisation_id == member.organisation_id


def test_service_office_staff_submit_on_behalf_of_a_jobcenter(client_as, terms):
    office = make_organisation(name="Servicestelle SGB II", kind="service_office", land=None)
    organiser = make_user(role="organiser", organisation=office)
    jobcenter = make_organisation(name="Jobcenter Leipzig", land="SN")
    client = client_as(organiser)
    form = client.get("/ideas/new").get_data(as_text=True)
    assert f'<option selected value="{office.id}">' in form or f'value="{office.id}" selected' in form
    assert '<optgroup label="Sachsen">' in form
    client.post("/ideas/new", data=idea_form(terms, organisation_id=jobcenter.id))
    idea = idea_titled("Gesundheitscoaching mit der AOK")
    assert idea.organisation_id == jobcenter.id and idea.author_id == organiser.id
    unknown = text_of(client.post("/ideas/new", data=idea_form(terms, title="Zweiter", organisation_id=99999)))
    assert "Bitte wählen Sie eine Organisation aus der Liste aus." in unknown


def test_description_is_sanitised_when_written(member_client, terms):
    member_client.post("/ideas/new", data=idea_form(
        terms, goal="<script>alert(1)</script> [Link](javascript:alert(1)) **wichtig**"))
    html = idea_titled("Gesundheitscoaching mit der AOK").description_html
    assert "<script>" not in html and "javascript:" not in html and "<strong>wichtig</strong>" in html


# --- visibility ---------------------------------------------------------------------------------------------

def test_submitted_ideas_are_seen_only_by_their_author_and_the_moderators(client_as, member, moderator):
    idea = make_idea(title="Noch geheim", status="submitted", author=member)
    other = client_as(make_user())
    assert other.get(f"/ideas/{idea.id}").status_code == 403
    assert "Noch geheim" not in text_of(other.get("/ideas/"))
    assert client_as(member).get(f"/ideas/{idea.id}").status_code == 200
    assert "Noch geheim" in text_of(client_as(member).get("/ideas/"))
    assert client_as(moderator).get(f"/ideas/{idea.id}").status_code == 200
    assert "Noch geheim" in text_of(client_as(moderator).get("/ideas/?status=submitted"))
    for path in ("vote", "adopt", "revisions", "edit"):
        method = other.get if path in ("revisions", "edit") else other.post
        assert method(f"/ideas/{idea.id}/{path}").status_code == 403, path


def test_unknown_idea_is_404(member_client):
    assert member_client.get("/ideas/424242").status_code == 404


# --- edit ---------------------------------------------------------------------------------------------------

def test_author_edits_and_the_old_text_is_kept_as_a_revision(client_as, member, terms):
    idea = make_idea(title="Alter Titel", summary="Alte Kurzbeschreibung", author=member, terms=(terms["topic"],))
    client = client_as(member)
    form = client.get(f"/ideas/{idea.id}/edit").get_data(as_text=True)
    assert 'value="Alter Titel"' in form and "Alte Kurzbeschreibung" in form
    for key, text in IDEA_SECTIONS.items():
        assert re.search(rf'id="{key}"[^>]*>\s*{re.escape(text)}</textarea>', form), key
    response = client.post(f"/ideas/{idea.id}/edit", data=idea_form(
        terms, title="Neuer Titel", summary="Neue Kurzbeschreibung", goal="Neu beschrieben."))
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    idea = idea_titled("Neuer Titel")
    assert "<p>Neu beschrieben.</p>" in idea.description_html and idea.updated_at > idea.created_at
    assert idea.sections == {**IDEA_SECTIONS, "goal": "Neu beschrieben."}
    revision = db.session.scalar(select(IdeaRevision).where(IdeaRevision.idea_id == idea.id))
    assert (revision.title, revision.summary, revision.editor_id) == ("Alter Titel", "Alte Kurzbeschreibung",
                                                                     member.id)
    assert revision.description_source == IDEA_DESCRIPTION
    assert db.session.scalar(select(Thread.title).where(Thread.idea_id == idea.id)) == "Neuer Titel"
    assert audit_actions(idea) == []  # the author's own edit is no moderation

    page = text_of(client.get(f"/ideas/{idea.id}"))
    assert "Neue Kurzbeschreibung" in page and "1 frühere Fassung ansehen" in page
    history = text_of(client.get(f"/ideas/{idea.id}/revisions"))
    assert "Alter Titel" in history and "Alte Kurzbeschreibung" in history and member.display_name in history
    assert "Gesundheit wird Teil der Beratung" in history  # the old goal, in the composed text of the revision

    client.post(f"/ideas/{idea.id}/edit", data=idea_form(terms, title="Neuer Titel", summary="Neue Kurzbeschreibung",
                                                         goal="Noch einmal neu."))
    newest = services.revisions_of(idea)[0]
    assert newest.description_source == compose_description({**IDEA_SECTIONS, "goal": "Neu beschrieben."})
    assert "# Ziel\n\nNeu beschrieben.\n\n# Umsetzung" in newest.description_source


def test_the_idea_page_shows_every_written_section_under_its_german_heading_in_order(client_as, member, terms):
    client = client_as(make_user(language="en"))
    client.post("/ideas/new", data=idea_form(terms, implementation="", results="Mehr Kurse."))
    idea = idea_titled("Gesundheitscoaching mit der AOK")
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    positions = [html.index(f"<h3>{heading}</h3>") for heading in ("Ausgangslage", "Ziel", "Ergebnisse",
                                                                   "Übertragbarkeit")]
    assert positions == sorted(positions) and "<h3>Umsetzung</h3>" not in html  # empty sections are left out
    assert "<p>Mehr Kurse.</p>" in html and "Starting point" not in html


def test_the_whole_description_has_a_limit_told_on_the_longest_section(member_client, terms):
    response = member_client.post("/ideas/new", data=idea_form(terms, situation="a" * 12_000, goal="b" * 9_000))
    page = text_of(response)
    assert "Die Beschreibung darf insgesamt höchstens 20.000 Zeichen lang sein." in page
    assert re.search(r'id="situation-error"', response.get_data(as_text=True))
    assert "b" * 9_000 in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Idea.id))) == 0
    one = text_of(member_client.post("/ideas/new", data=idea_form(terms, results="c" * 20_001)))
    assert "Ein Abschnitt darf höchstens 20.000 Zeichen lang sein. Zurzeit sind es 20001 Zeichen." in one


def test_split_and_compose_keep_every_line(app):
    description = "Vorweg.\n\n## Ausgangslage:\nA\n\n# Unbekannt\nU\n\n# Results\nR\n\n# Ziel\nZ\n\n# Ziel\nZ2"
    sections = split_description(description)
    assert sections == {"situation": "Vorweg.\n\nA\n\n# Unbekannt\nU", "goal": "Z\n\nZ2", "implementation": "",
                        "results": "R", "transferability": ""}
    assert compose_description(sections) == ("# Ausgangslage\n\nVorweg.\n\nA\n\n# Unbekannt\nU\n\n# Ziel\n\nZ\n\nZ2"
                                             "\n\n# Ergebnisse\n\nR")
    assert split_description(compose_description(sections)) == sections


def test_edit_without_changes_keeps_no_revision(client_as, member, terms):
    idea = make_idea(title="Gleich", author=member, terms=(terms["topic"],), contact="Erika")
    client_as(member).post(f"/ideas/{idea.id}/edit", data=idea_form(
        terms, title="Gleich", summary=idea.summary, contact="Erika",
        target_groups=[], partner_types=[]))
    assert db.session.scalar(select(func.count(IdeaRevision.id))) == 0


def test_edit_errors_are_german_and_keep_the_input(client_as, member, terms):
    idea = make_idea(author=member, terms=(terms["topic"],))
    response = client_as(member).post(f"/ideas/{idea.id}/edit", data=idea_form(terms, summary="ü" * 320))
    assert "Zurzeit sind es 320 Zeichen." in text_of(response)
    assert "ü" * 320 in response.get_data(as_text=True)


def test_moderators_edit_any_idea_audited_other_members_cannot(client_as, moderator, terms):
    idea = make_idea(title="Fremder Ansatz", terms=(terms["topic"],))
    assert client_as(make_user()).get(f"/ideas/{idea.id}/edit").status_code == 403
    assert client_as(make_user()).post(f"/ideas/{idea.id}/edit", data=idea_form(terms)).status_code == 403
    assert "Bearbeiten" not in text_of(client_as(make_user()).get(f"/ideas/{idea.id}"))
    client_as(moderator).post(f"/ideas/{idea.id}/edit", data=idea_form(
        terms, title="Von der Moderation", organisation_id=idea.organisation_id))
    idea = idea_titled("Von der Moderation")
    assert audit_actions(idea) == ["idea.edit"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "idea.edit"))
    assert entry.snapshot["before"]["title"] == "Fremder Ansatz"


def test_revisions_are_for_the_author_and_moderators_only(client_as, member, moderator, terms):
    idea = make_idea(author=member, terms=(terms["topic"],))
    client_as(member).post(f"/ideas/{idea.id}/edit", data=idea_form(terms, title="Geändert"))
    stranger = client_as(make_user())
    assert stranger.get(f"/ideas/{idea.id}/revisions").status_code == 403
    assert "frühere Fassung" not in text_of(stranger.get(f"/ideas/{idea.id}"))
    assert "frühere Fassung" in text_of(client_as(moderator).get(f"/ideas/{idea.id}"))
    assert client_as(moderator).get(f"/ideas/{idea.id}/revisions").status_code == 200


def test_edit_keeps_terms_that_are_no_longer_offered(client_as, member, terms):
    idea = make_idea(author=member, terms=(terms["retired"], terms["topic"]))
    page = text_of(client_as(member).get(f"/ideas/{idea.id}/edit"))
    assert "bleiben bei diesem Ansatz aber erhalten: Bürgerarbeit" in page
    client_as(member).post(f"/ideas/{idea.id}/edit", data=idea_form(terms, title="Mit altem Eintrag"))
    assert "Bürgerarbeit" in {term.name for term in idea_titled("Mit altem Eintrag").terms}
    assert "Bürgerarbeit" in text_of(client_as(member).get(f"/ideas/{idea.id}"))


# --- status workflow ----------------------------------------------------------------------------------------

def test_moderator_publishes_with_a_reason_audited_and_the_author_is_mailed(client_as, moderator, outbox):
    author = make_user(language="en")
    idea = make_idea(title="Gesundheit im Fokus", status="submitted", author=author)
    form = text_of(client_as(moderator).get(f"/ideas/{idea.id}"))
    assert "Status ändern" in form
    response = client_as(moderator).post(f"/ideas/{idea.id}/status", data={
        "status": "published", "reason": "Vollständig und gut übertragbar."})
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    idea = idea_titled("Gesundheit im Fokus")
    assert idea.status == "published" and idea.status_changed_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "idea.status"))
    assert entry.actor_id == moderator.id and entry.reason == "Vollständig und gut übertragbar."
    assert entry.snapshot == {"title": "Gesundheit im Fokus", "from": "submitted", "to": "published"}
    mail = outbox(author.email)[-1]
    assert "Gesundheit im Fokus" in mail.subject
    assert "Vollständig und gut übertragbar." in mail.body and f"/ideas/{idea.id}" in mail.body
    assert "Dear " in mail.body and "Kind regards" in mail.body  # the author's language
    assert "Gesundheit im Fokus" in text_of(client_as(make_user()).get("/ideas/"))


def test_status_change_needs_a_reason_and_an_allowed_step(client_as, moderator, outbox):
    idea = make_idea(status="submitted")
    client = client_as(moderator)
    no_reason = client.post(f"/ideas/{idea.id}/status", data={"status": "published", "reason": "  "})
    assert "Bitte begründen Sie die Änderung des Status." in text_of(no_reason)
    skipping = client.post(f"/ideas/{idea.id}/status", data={"status": "proven", "reason": "Schneller"})
    assert "Dieser Statuswechsel ist nicht möglich." in text_of(skipping)
    assert "Schneller" in skipping.get_data(as_text=True)  # the reason typed is kept
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "submitted"
    assert outbox(idea.author.email) == [] and audit_actions(idea) == []


def test_the_workflow_goes_forward_and_back_where_sensible(client_as, moderator):
    idea = make_idea(status="published")
    client = client_as(moderator)
    for status in ("in_trial", "proven", "archived", "published"):
        client.post(f"/ideas/{idea.id}/status", data={"status": status, "reason": "Weiter"})
        db.session.expire_all()
        assert db.session.get(Idea, idea.id).status == status
    offered = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert all(f'value="{status}"' in offered for status in ("in_trial", "proven", "archived", "submitted"))
    assert 'value="published"' not in offered  # not to the status it already has


def test_only_moderators_set_the_status(client_as, organiser):
    idea = make_idea(status="submitted")
    for user in (idea.author, make_user(), organiser):
        client = client_as(user)
        assert client.post(f"/ideas/{idea.id}/status", data={"status": "published", "reason": "x"}).status_code == 403
        assert "Status ändern" not in text_of(client.get(f"/ideas/{idea.id}"))


# --- adoptions ----------------------------------------------------------------------------------------------

def test_member_records_an_adoption_with_a_note_shown_apart_from_votes(client_as, member):
    idea = make_idea(title="Aufsuchende Beratung")
    client = client_as(member)
    assert "Mein Jobcenter hat diesen Ansatz übernommen" in text_of(client.get(f"/ideas/{idea.id}"))
    response = client.post(f"/ideas/{idea.id}/adopt", data={"note": "Seit März im Team Ü25."})
    assert response.headers["Location"] == f"/ideas/{idea.id}#uebernommen"
    page = text_of(client.get(f"/ideas/{idea.id}"))
    adopted = page.split("Übernommen von", 1)[1]
    assert member.organisation.name in adopted and "Seit März im Team Ü25." in adopted
    assert "Noch keine Stimmen" in page
    assert "Mein Jobcenter hat diesen Ansatz übernommen" not in page  # once is enough


def test_an_adoption_is_recorded_once_per_jobcenter(client_as, member):
    idea = make_idea()
    colleague = make_user(organisation=member.organisation)
    client_as(member).post(f"/ideas/{idea.id}/adopt", data={"note": "Erste"})
    again = client_as(colleague).post(f"/ideas/{idea.id}/adopt", data={"note": "Zweite"}, follow_redirects=True)
    assert "ist bereits als übernehmendes Jobcenter eingetragen" in text_of(again)
    notes = db.session.scalars(select(IdeaAdoption.note).where(IdeaAdoption.idea_id == idea.id)).all()
    assert notes == ["Erste"]


def test_a_jobcenter_cannot_adopt_its_own_idea(client_as):
    idea = make_idea()
    colleague = client_as(make_user(organisation=idea.organisation))
    assert colleague.post(f"/ideas/{idea.id}/adopt", data={}).status_code == 403
    assert "Mein Jobcenter hat diesen Ansatz übernommen" not in text_of(colleague.get(f"/ideas/{idea.id}"))


def test_no_adoption_of_archived_or_unpublished_ideas(member_client):
    for status in ("archived", "submitted"):
        idea = make_idea(status=status)
        db.session.commit()
        assert member_client.post(f"/ideas/{idea.id}/adopt", data={}).status_code == 403
    assert db.session.scalar(select(func.count(IdeaAdoption.id))) == 0


def test_an_over_long_adoption_note_is_refused_and_kept(member_client):
    idea = make_idea()
    response = member_client.post(f"/ideas/{idea.id}/adopt", data={"note": "n" * 501})
    assert "Die Anmerkung darf höchstens 500 Zeichen lang sein. Zurzeit sind es 501 Zeichen." in text_of(response)
    assert "n" * 501 in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(IdeaAdoption.id))) == 0


def test_colleagues_and_moderators_withdraw_an_adoption_others_cannot(client_as, member, moderator):
    idea = make_idea()
    client_as(member).post(f"/ideas/{idea.id}/adopt", data={})
    path = f"/ideas/{idea.id}/adoptions/{member.organisation_id}/withdraw"
    assert client_as(make_user()).post(path).status_code == 403
    client_as(make_user(organisation=member.organisation)).post(path)
    assert db.session.scalar(select(func.count(IdeaAdoption.id))) == 0
    client_as(member).post(f"/ideas/{idea.id}/adopt", data={})
    client_as(moderator).post(path)
    assert db.session.scalar(select(func.count(IdeaAdoption.id))) == 0
    assert client_as(moderator).post(path).status_code == 404


# --- presented at events ------------------------------------------------------------------------------------

def test_organiser_links_an_idea_to_an_event_audited_and_shown(client_as, organiser, member):
    idea = make_idea(title="Gesundheitslotsen")
    event = make_event(title="Werkstattgespräch Gesundheit", status="done")
    client = client_as(organiser)
    assert "Werkstattgespräch Gesundheit" in text_of(client.get(f"/ideas/{idea.id}"))  # offered in the select
    response = client.post(f"/ideas/{idea.id}/events", data={"event_id": event.id})
    assert response.headers["Location"] == f"/ideas/{idea.id}#veranstaltungen"
    assert audit_actions(idea) == ["idea.link_event"]
    page = client_as(member).get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}">Werkstattgespräch Gesundheit</a>' in page
    assert "Verknüpfung entfernen" not in page
    assert [i.title for i in services.ideas_presented_at(event, member)] == ["Gesundheitslotsen"]
    again = client.post(f"/ideas/{idea.id}/events", data={"event_id": event.id})
    assert "Bitte wählen Sie eine Veranstaltung aus der Liste aus." in text_of(again)
    assert db.session.scalar(select(func.count()).select_from(IdeaEvent)) == 1


def test_moderator_unlinks_an_event_audited_members_cannot_link(client_as, moderator, member):
    idea = make_idea()
    event = make_event()
    assert client_as(member).post(f"/ideas/{idea.id}/events", data={"event_id": event.id}).status_code == 403
    assert "Als „vorgestellt bei“ verknüpfen" not in text_of(client_as(member).get(f"/ideas/{idea.id}"))
    client = client_as(moderator)
    client.post(f"/ideas/{idea.id}/events", data={"event_id": event.id})
    assert client_as(member).post(f"/ideas/{idea.id}/events/{event.id}/unlink").status_code == 403
    client.post(f"/ideas/{idea.id}/events/{event.id}/unlink")
    assert db.session.scalar(select(func.count()).select_from(IdeaEvent)) == 0
    assert audit_actions(idea) == ["idea.link_event", "idea.unlink_event"]


def test_linking_needs_a_chosen_event(client_as, organiser):
    idea = make_idea()
    make_event()
    for value in ("", "0", "abc", "99999"):
        page = text_of(client_as(organiser).post(f"/ideas/{idea.id}/events", data={"event_id": value}))
        assert "Veranstaltung aus" in page, value


def test_ideas_presented_at_an_event_are_only_the_visible_ones_in_one_query(app, member, moderator):
    event = make_event()
    shown = make_idea(title="B veröffentlicht")
    hidden = make_idea(title="A eingereicht", status="submitted")
    for idea in (shown, hidden):
        services.link_event(idea, event, actor=moderator)
    with count_queries() as queries:
        for_member = services.ideas_presented_at(event, member)
        names = [idea.organisation.name for idea in for_member]
    assert [idea.title for idea in for_member] == ["B veröffentlicht"] and names and len(queries) == 1
    assert [idea.title for idea in services.ideas_presented_at(event, moderator)] == ["A eingereicht",
                                                                                      "B veröffentlicht"]


# --- reference lists ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["member", "organiser", "moderator"])
def test_only_admins_keep_the_reference_lists(client_as, role):
    term = make_term()
    client = client_as(make_user(role=role))
    assert client.get("/ideas/reference-lists").status_code == 403
    assert client.post("/ideas/reference-lists/topic/add", data={"topic-name": "Neu"}).status_code == 403
    for action in ("rename", "move", "deactivate", "activate"):
        method = client.get if action == "rename" else client.post
        assert method(f"/ideas/reference-lists/terms/{term.id}/{action}").status_code == 403
    assert "Listen verwalten" not in text_of(client.get("/ideas/"))


def test_admin_adds_renames_reorders_and_deactivates_terms(admin_client, member_client, terms):
    assert "Listen verwalten" in text_of(admin_client.get("/ideas/"))
    response = admin_client.post("/ideas/reference-lists/topic/add", data={"topic-name": "  Netzwerk   arbeit "})
    assert response.headers["Location"] == "/ideas/reference-lists#liste-topic"
    new = db.session.scalar(select(ReferenceTerm).where(ReferenceTerm.name == "Netzwerk arbeit"))
    assert new.kind == "topic" and new.active

    duplicate = text_of(admin_client.post("/ideas/reference-lists/topic/add", data={"topic-name": "netzwerk arbeit"}))
    assert "„netzwerk arbeit“ steht schon in der Liste." in duplicate
    empty = text_of(admin_client.post("/ideas/reference-lists/partner_type/add", data={"partner_type-name": ""}))
    assert "Bitte geben Sie eine Bezeichnung an." in empty
    assert admin_client.post("/ideas/reference-lists/nonsense/add", data={}).status_code == 404

    admin_client.post(f"/ideas/reference-lists/terms/{new.id}/rename", data={"name": "Netzwerkarbeit"})
    admin_client.post(f"/ideas/reference-lists/terms/{new.id}/move", data={"direction": "up"})
    db.session.expire_all()
    order = db.session.scalars(select(ReferenceTerm.name).where(ReferenceTerm.kind == "topic")
                               .order_by(ReferenceTerm.position)).all()
    assert order == ["Gesundheitsorientierung", "Netzwerkarbeit", "Bürgerarbeit"]
    offered = member_client.get("/ideas/new").get_data(as_text=True)
    assert offered.index("Netzwerkarbeit") > offered.index("Gesundheitsorientierung")

    idea = make_idea(title="Mit Gesundheit", terms=(terms["topic"],))
    admin_client.post(f"/ideas/reference-lists/terms/{terms['topic'].id}/deactivate")
    assert "Gesundheitsorientierung" not in text_of(member_client.get("/ideas/new"))
    assert "Gesundheitsorientierung" in text_of(member_client.get(f"/ideas/{idea.id}"))
    listing = text_of(admin_client.get("/ideas/reference-lists"))
    assert "nein, nicht mehr angeboten" in listing and "wieder anbieten" in listing
    admin_client.post(f"/ideas/reference-lists/terms/{terms['topic'].id}/activate")
    assert "Gesundheitsorientierung" in text_of(member_client.get("/ideas/new"))
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "reference_terms")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["reference_term.create", "reference_term.rename", "reference_term.move",
                       "reference_term.deactivate", "reference_term.activate"]


def test_default_reference_lists_are_seeded_once(app):
    added = term_services.ensure_reference_terms()
    assert added > 20 and term_services.ensure_reference_terms() == 0
    partners = [term.name for term in term_services.terms_by_kind()["partner_type"]]
    assert partners[:6] == ["Krankenkasse", "Reha-Träger", "Kommune", "Schuldnerberatung", "Suchtberatung",
                            "Jugendamt"]


# --- the list -----------------------------------------------------------------------------------------------

def test_cards_show_title_summary_jobcenter_votes_and_status(member_client):
    organisation = make_organisation(name="Jobcenter Essen", land="NW")
    idea = make_idea(title="Gesundheitslotsen", summary="Lotsinnen begleiten zu Ärzten.", status="in_trial",
                     organisation=organisation)
    services.vote(idea, make_user())
    page = text_of(member_client.get("/ideas/"))
    assert "1 Ansatz gefunden" in page
    for expected in ("Gesundheitslotsen", "Lotsinnen begleiten zu Ärzten.", "Jobcenter Essen · Nordrhein-Westfalen",
                     "1 Stimme aus 1 Jobcenter", "Status: in Erprobung"):
        assert expected in page, expected


def test_the_list_filters_by_lists_land_status_and_event(member_client, moderator, terms):
    saxony = make_organisation(land="SN")
    health = make_idea(title="Gesundheit", terms=(terms["topic"], terms["partner_type"]))
    single = make_idea(title="Alleinerziehend", terms=(terms["target_group"],), organisation=saxony,
                       status="proven")
    event = make_event(title="Regionalkonferenz Ost")
    services.link_event(single, event, actor=moderator)

    def titles(query):
        page = text_of(member_client.get(f"/ideas/?{query}"))
        return {title for title in ("Gesundheit", "Alleinerziehend") if f" {title} " in f" {page} "}

    assert titles("") == {"Gesundheit", "Alleinerziehend"}
    assert titles(f"topic={terms['topic'].id}") == {"Gesundheit"}
    assert titles(f"partner_type={terms['partner_type'].id}") == {"Gesundheit"}
    assert titles(f"target_group={terms['target_group'].id}") == {"Alleinerziehend"}
    assert titles("land=SN") == {"Alleinerziehend"}
    assert titles("status=proven") == {"Alleinerziehend"}
    assert titles(f"event={event.id}") == {"Alleinerziehend"}
    assert titles(f"event={event.id}&topic={terms['topic'].id}") == set()
    assert "Kein Ansatz passt zu diesen Filtern." in text_of(member_client.get("/ideas/?land=SN&status=published"))
    assert "Regionalkonferenz Ost" in text_of(member_client.get("/ideas/"))  # offered as a filter
    assert health.id


def test_the_list_ignores_unknown_filter_values(member_client, terms):
    make_idea(title="Bleibt sichtbar")
    for query in ("topic=abc", f"topic={terms['target_group'].id}", "topic=99999999999999999999", "land=XX",
                  "status=evil", "event=12345", "event=-1", "sort=random", "page=abc", "page=-3",
                  "target_group=%00", "partner_type=1e5"):
        response = member_client.get(f"/ideas/?{query}")
        assert response.status_code == 200, query
        assert "Bleibt sichtbar" in text_of(response), query


def test_the_list_sorts_by_votes_newest_and_recent_activity(member_client):
    from datetime import timedelta

    from forum.clock import utcnow
    old = make_idea(title="Alt", created_at=utcnow() - timedelta(days=30))
    new = make_idea(title="Neu", created_at=utcnow() - timedelta(days=1))
    popular = make_idea(title="Beliebt", created_at=utcnow() - timedelta(days=10))
    for _ in range(2):
        services.vote(popular, make_user())
    services.vote(old, make_user())  # voting is activity: "Alt" becomes the most recently active
    db.session.commit()

    def order(sort):
        page = text_of(member_client.get(f"/ideas/?sort={sort}"))
        listed = page[page.index("gefunden"):]  # the list, not the navigation ("Neu für Sie")
        return sorted(("Alt", "Neu", "Beliebt"), key=lambda title: listed.index(f" {title} "))

    assert order("votes") == ["Beliebt", "Alt", "Neu"]
    assert order("newest") == ["Neu", "Beliebt", "Alt"]
    assert order("active") == ["Alt", "Beliebt", "Neu"]
    assert new.id


def test_the_list_is_paginated(member_client):
    for number in range(23):
        make_idea(title=f"Ansatz Nummer {number:02d}")
    first = text_of(member_client.get("/ideas/?sort=newest"))
    assert "23 Ansätze gefunden" in first and "Seite 1 von 2" in first and "Nächste Seite" in first
    assert first.count("Ansatz Nummer") == 20
    second = text_of(member_client.get("/ideas/?sort=newest&page=2"))
    assert second.count("Ansatz Nummer") == 3 and "Vorherige Seite" in second
    assert "page=2" in member_client.get("/ideas/?sort=newest&land=NW").get_data(as_text=True)
    assert member_client.get("/ideas/?page=99").status_code == 200


# --- bounded queries ----------------------------------------------------------------------------------------

def _grow(count: int, idea: Idea, viewer_events: int = 1) -> None:
    """count more ideas (with terms, votes), and votes, adoptions, events and revisions on `idea`."""
    topic, partner = make_term(kind="topic"), make_term(kind="partner_type")
    for number in range(count):
        other = make_idea(terms=(topic, partner), status="published" if number % 2 else "in_trial")
        services.vote(other, make_user())
        voter = make_user()
        services.vote(idea, voter)
        services.adopt_idea(idea, user=voter, note=f"Notiz {number}")
        services.link_event(idea, make_event(), actor=voter)
        db.session.add(IdeaRevision(idea_id=idea.id, editor_id=voter.id, title="t", summary="s",
                                    description_source="d"))
    db.session.commit()


@pytest.mark.parametrize("path", ["/ideas/", "/ideas/?sort=votes&status=published&land=NW", "/ideas/{idea}",
                                  "/ideas/{idea}/revisions", "/ideas/reference-lists"])
def test_idea_pages_run_the_same_number_of_queries_for_5_and_100_entries(client_as, admin, path):
    idea = make_idea(author=admin)
    client = client_as(admin)
    target = path.format(idea=idea.id)
    _grow(5, idea)
    small = len(queries_for(client, target))
    _grow(95, idea)
    large = len(queries_for(client, target))
    assert large == small, f"{target}: {small} queries with 5 entries, {large} with 100"
    assert small <= 14, f"{target}: {small} queries"  # 12 + the header's notification count + the follow button


# --- permission matrix (its tables, IDEA_*, are in tests/helpers.py) ----------------------------------------

@pytest.mark.parametrize("rule, allowed", IDEA_RULES_WITHOUT_OBJECT)
@pytest.mark.parametrize("role", ROLES)
def test_idea_rules_without_an_object(app, rule, allowed, role):
    assert getattr(permissions, rule)(actor(role)) is (role in allowed)


@pytest.mark.parametrize("rule, status", sorted(IDEA_MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_idea_rules_for_someone_elses_idea(app, rule, status, role):
    idea = make_idea(status=status)
    assert getattr(permissions, rule)(actor(role), idea) is (role in IDEA_MATRIX[(rule, status)])


@pytest.mark.parametrize("role", ROLES[1:])
def test_idea_rules_for_ones_own_idea(app, role):
    author = actor(role)
    idea = make_idea(status="submitted", author=author)
    assert permissions.can_view_idea(author, idea) and permissions.can_edit_idea(author, idea)
    assert permissions.can_view_idea_revisions(author, idea)
    assert permissions.can_adopt_idea(author, make_idea(status="published", author=author)) is False
    assert permissions.can_vote(author, make_idea(status="published", author=author)) is True


@pytest.mark.parametrize("role, allowed", [("member", True), ("organiser", True), ("moderator", True),
                                           ("admin", True)])
def test_withdrawing_an_adoption_is_for_the_jobcenter_and_moderators(app, role, allowed):
    idea = make_idea()
    adopter = make_user()
    services.adopt_idea(idea, user=adopter)
    adoption = db.session.scalar(select(IdeaAdoption))
    colleague = make_user(role=role, organisation=adopter.organisation)
    stranger = make_user(role=role)
    assert permissions.can_withdraw_adoption(colleague, adoption) is allowed
    assert permissions.can_withdraw_adoption(stranger, adoption) is (role in ("moderator", "admin"))
    assert permissions.can_withdraw_adoption(AnonymousUserMixin(), adoption) is False


@pytest.mark.parametrize("status", ["pending", "suspended"])
def test_inactive_accounts_may_do_nothing_with_ideas(app, status):
    person = make_user(role="admin", status=status)
    idea = make_idea(author=person)
    assert not any(rule(person, idea) for rule in (
        permissions.can_view_idea, permissions.can_edit_idea, permissions.can_vote, permissions.can_adopt_idea,
        permissions.can_set_idea_status, permissions.can_link_idea_to_event))
    assert not permissions.can_submit_idea(person) and not permissions.can_manage_reference_lists(person)


def test_rerender_rebuilds_idea_descriptions(app):
    idea = make_idea(description="# Ziel\n**fett**")
    idea.description_html = "veraltet"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rerender"])
    assert "Texte neu erzeugt" in result.output
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).description_html == "<h3>Ziel</h3>\n<p><strong>fett</strong></p>"


def test_idea_filters_come_from_a_get_form_that_drops_unknown_values(member_client):
    page = member_client.get("/ideas/?topic=%C2%B2&land=XX&status=nonsense&event=99999999999&sort=evil")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<option value="active" selected>' in html  # the default order for an unknown one
