"""Redaction (Schwärzen) as moderators, authors and members meet it: a passage with client data is gone from the
post, its earlier versions, quotes of it in the thread, unsent mails, report notes and earlier audit snapshots;
the audit entry records the redaction but never the data; open reports are closed; bad input gets German
messages and keeps the form; an author's open edit form cannot bring the data back."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from forum.clock import utcnow
from forum.discussion import quotes as discussion
from forum.discussion.models import Post, PostRevision
from forum.extensions import db
from forum.audit import AuditEntry
from forum.moderation.models import Report
from forum.notifications.models import Notification, OutboxMessage
from forum.notifications.outbox import queue_mail
from tests.factories import make_post, make_thread, make_user
from tests.helpers import REDACTION_MATRIX, ROLES, actor, audit, fresh, quiet, text_of

PASSAGE = "Jan Kowalczyk, BG-Nr. 04711BG0012345"
ORIGINAL = f"Gestern war Herr {PASSAGE} bei mir in der Beratung. Wie würdet ihr vorgehen?"
NOTICE = "Die Moderation hat Teile dieses Beitrags entfernt (Datenschutz)."


def a_post(*, body: str = ORIGINAL, author=None, thread=None) -> Post:
    """Post Nr. 2 of a new thread (Nr. 1 is an ordinary question)."""
    if thread is None:
        thread = make_thread(title="Schwierige Fälle")
        make_post(thread=thread, author=quiet(), body="Wie geht ihr mit schwierigen Fällen um?")
    return make_post(thread=thread, author=author or quiet(display_name="Bernd Brause"), body=body)


def redact(client, post: Post, passage: str = PASSAGE, replacement: str = "[entfernt]", show_again: bool = False):
    data = {"passage": passage, "replacement": replacement}
    if show_again:
        data["show_again"] = "y"
    return client.post(f"/moderation/posts/{post.id}/redact", data=data)


def edit(client, post: Post, body: str, version: int):
    """The author saves the edit form (confirming the client-data warning, as the text is about client data)."""
    return client.post(f"/discussion/posts/{post.id}/edit",
                       data={"body": body, "version": str(version), "confirm_client_data": "y"})


def revisions_of(post: Post) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(PostRevision.body_source).where(PostRevision.post_id == post.id)
                                   .order_by(PostRevision.id)))


def as_text(entry: AuditEntry) -> str:
    return json.dumps(entry.snapshot, ensure_ascii=False) + entry.reason


def show_again_box(html: str) -> str:
    """The <input> of the checkbox "Beitrag danach wieder einblenden"."""
    [tag] = re.findall(r'<input[^>]*name="show_again"[^>]*>', html)
    return tag


def leaks(text: str) -> bool:
    """Whether any recognisable part of the passage is in the text."""
    return any(part in text for part in (PASSAGE, "Kowalczyk", "04711BG0012345"))


# --- the post and its versions ------------------------------------------------------------------------------

def test_the_redact_page_shows_the_post_source_with_the_guards_findings(moderator_client):
    post = a_post()
    response = moderator_client.get(f"/moderation/posts/{post.id}/redact")
    assert response.status_code == 200
    page = text_of(response)
    assert "Beitrag schwärzen" in page and "Text von Beitrag Nr. 2 (Markdown)" in page
    assert "Der Datenschutz-Hinweis hat diese Stellen markiert:" in page and "04711BG0012345" in page
    assert 'value="[entfernt]"' in response.get_data(as_text=True)


def test_redaction_removes_the_passage_from_the_post_and_every_earlier_version(client_as, moderator):
    author = quiet(display_name="Bernd Brause")
    post = a_post(author=author)
    writer = client_as(author)
    second = ORIGINAL + "\n\nNachtrag: Er kommt am Montag wieder."
    third = f"Herr {PASSAGE} kommt am Montag wieder. Wie würdet ihr vorgehen?"
    assert edit(writer, post, second, 1).status_code == 302
    assert edit(writer, post, third, 2).status_code == 302
    assert revisions_of(post) == [ORIGINAL, second]

    client = client_as(moderator)
    response = redact(client, post)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/discussion/{post.thread_id}#beitrag-2"
    assert ("Die Stelle wurde entfernt: in 1 Beitrag/Beiträgen und 2 früheren Fassungen; 0 noch nicht versandte "
            "E-Mails wurden bereinigt." in text_of(client.get(response.headers["Location"])))

    redacted = fresh(Post, post.id)
    assert redacted.body_source == "Herr [entfernt] kommt am Montag wieder. Wie würdet ihr vorgehen?"
    assert redacted.body_html == "<p>Herr [entfernt] kommt am Montag wieder. Wie würdet ihr vorgehen?</p>"
    assert redacted.redacted_at is not None and redacted.version == 4
    assert revisions_of(post) == [ORIGINAL.replace(PASSAGE, "[entfernt]"), second.replace(PASSAGE, "[entfernt]")]
    for reader in (writer, client, client_as(make_user())):
        assert not leaks(reader.get(f"/discussion/{post.thread_id}").get_data(as_text=True))
    for reader in (writer, client):
        revisions = reader.get(f"/discussion/posts/{post.id}/revisions")
        assert revisions.status_code == 200 and "[entfernt]" in text_of(revisions)
        assert not leaks(revisions.get_data(as_text=True))


def test_the_post_tells_everyone_that_the_moderation_removed_parts(client_as, moderator, member):
    post = a_post()
    before = client_as(member).get(f"/discussion/{post.thread_id}")
    assert NOTICE not in text_of(before)
    redact(client_as(moderator), post)
    for person in (member, post.author, moderator):
        page = text_of(client_as(person).get(f"/discussion/{post.thread_id}"))
        assert NOTICE in page and "Gestern war Herr [entfernt] bei mir in der Beratung." in page


def test_a_passage_only_in_an_earlier_version_is_removed_there(client_as, moderator):
    author = quiet()
    post = a_post(author=author)
    cleaned = "Gestern war ein Kunde bei mir in der Beratung. Wie würdet ihr vorgehen?"
    edit(client_as(author), post, cleaned, 1)
    client = client_as(moderator)
    response = redact(client, post)
    assert response.status_code == 302
    assert "in 1 Beitrag/Beiträgen und 1 früheren Fassungen" in text_of(client.get(response.headers["Location"]))
    assert revisions_of(post) == [ORIGINAL.replace(PASSAGE, "[entfernt]")]
    assert fresh(Post, post.id).body_source == cleaned


def test_redaction_removes_the_passage_from_quotes_of_the_post_in_the_same_thread(client_as, moderator):
    post = a_post(author=quiet(display_name="Bernd Brause"))
    untouched = make_post(thread=post.thread, body="Wir rufen in solchen Fällen erst einmal an.")
    colleague = client_as(quiet())
    body = discussion.quote(post) + "Ich würde zuerst mit dem Team sprechen."
    assert colleague.post(f"/discussion/{post.thread_id}/reply",
                          data={"body": body, "confirm_client_data": "y"}).status_code == 302
    quoting = db.session.scalar(select(Post).where(Post.thread_id == post.thread_id, Post.number == 4))
    assert PASSAGE in quoting.body_source
    client = client_as(moderator)
    response = redact(client, post)
    assert response.status_code == 302
    assert "in 2 Beitrag/Beiträgen" in text_of(client.get(response.headers["Location"]))
    quoting = fresh(Post, quoting.id)
    assert "> Gestern war Herr [entfernt] bei mir in der Beratung." in quoting.body_source
    assert not leaks(quoting.body_source) and not leaks(quoting.body_html)
    assert f'<blockquote data-quote-post="{post.id}">' in quoting.body_html and quoting.redacted_at is not None
    unchanged = fresh(Post, untouched.id)
    assert unchanged.redacted_at is None and unchanged.version == 1
    page = client_as(make_user()).get(f"/discussion/{post.thread_id}").get_data(as_text=True)
    assert not leaks(page) and page.count(NOTICE) == 2


def test_a_passage_over_several_lines_is_removed_from_quotes_and_quotes_of_quotes(client_as, moderator):
    address = "Jan Kowalczyk\nMusterweg 12\n\n45127 Essen"
    post = a_post(body=f"Unser Kunde:\n{address}\n\nWas tun?", author=quiet(display_name="Bernd Brause"))
    first = client_as(quiet(display_name="Clara Conrad"))
    first.post(f"/discussion/{post.thread_id}/reply", data={
        "body": discussion.quote(post) + "Schwierig.", "confirm_client_data": "y"})
    quoting = db.session.scalar(select(Post).where(Post.thread_id == post.thread_id, Post.number == 3))
    assert "> Jan Kowalczyk\n> Musterweg 12\n>\n> 45127 Essen" in quoting.body_source
    client_as(quiet()).post(f"/discussion/{post.thread_id}/reply", data={
        "body": discussion.quote(quoting) + "Sehe ich auch so.", "confirm_client_data": "y"})
    client = client_as(moderator)
    response = redact(client, post, address.replace("\n", "\r\n"))
    assert response.status_code == 302
    assert "in 3 Beitrag/Beiträgen" in text_of(client.get(response.headers["Location"]))
    db.session.expire_all()
    texts = list(db.session.scalars(select(Post.body_source).where(Post.thread_id == post.thread_id)
                                    .order_by(Post.number)))
    assert texts[1] == "Unser Kunde:\n[entfernt]\n\nWas tun?"
    assert "> Unser Kunde:\n> [entfernt]\n>\n> Was tun?" in texts[2]
    assert "> > Unser Kunde:\n> > [entfernt]\n> >\n> > Was tun?" in texts[3]
    for text in texts:
        assert not any(part in text for part in ("Kowalczyk", "Musterweg", "45127"))


def test_a_passage_only_in_another_post_of_the_thread_is_not_found_for_this_post(client_as, moderator):
    post = a_post(body="Ein ganz harmloser Beitrag.")
    other = make_post(thread=post.thread, body=ORIGINAL)
    response = redact(client_as(moderator), post)
    assert response.status_code == 200
    assert "Diese Stelle kommt weder im Beitrag noch in seinen früheren Fassungen vor." in text_of(response)
    assert fresh(Post, other.id).body_source == ORIGINAL


def test_a_withdrawn_post_can_be_redacted(client_as, moderator):
    post = a_post()
    post.withdrawn_at = utcnow()
    client = client_as(moderator)
    assert client.get(f"/moderation/posts/{post.id}/redact").status_code == 200
    assert redact(client, post).status_code == 302
    assert not leaks(fresh(Post, post.id).body_source)


def test_passages_with_like_wildcards_and_line_breaks_are_found_exactly(client_as, moderator):
    post = a_post(body="Kundennummer 12_34%XY laut Akte.\nZweite Zeile mit Name Kowalczyk.\n\nRest bleibt.")
    decoy = make_post(thread=post.thread, body="Kundennummer 12a34bcXY steht woanders.")
    client = client_as(moderator)
    assert redact(client, post, "12_34%XY").status_code == 302
    assert redact(client, post, "laut Akte.\r\nZweite Zeile mit Name Kowalczyk.").status_code == 302
    assert fresh(Post, post.id).body_source == "Kundennummer [entfernt] [entfernt]\n\nRest bleibt."
    assert fresh(Post, decoy.id).body_source == "Kundennummer 12a34bcXY steht woanders."


# --- copies elsewhere ---------------------------------------------------------------------------------------

def test_redaction_cleans_unsent_mails_but_leaves_sent_ones(client_as, moderator, outbox):
    post = a_post()
    someone = quiet(display_name="Erika Beispiel")
    unsent = queue_mail("erika@example.org", "registration_rejected", user=someone,
                        reason=f"Ihr Beitrag nannte {PASSAGE}.")
    sent = queue_mail("erika@example.org", "registration_rejected", user=someone,
                      reason=f"Ältere Mail mit {PASSAGE}.")
    sent.sent_at = utcnow()
    other = queue_mail("erika@example.org", "registration_rejected", user=someone, reason="Nichts Besonderes.")
    ids = unsent.id, sent.id, other.id
    client = client_as(moderator)
    response = redact(client, post)
    assert "1 noch nicht versandte E-Mails wurden bereinigt." in text_of(client.get(response.headers["Location"]))
    unsent, sent, other = (fresh(OutboxMessage, each) for each in ids)
    assert "Ihr Beitrag nannte [entfernt]." in unsent.body and not leaks(unsent.body)
    assert f"Ältere Mail mit {PASSAGE}." in sent.body
    assert "Nichts Besonderes." in other.body


def test_the_flash_counts_the_cleaned_mails(client_as, moderator):
    post = a_post()
    queue_mail("erika@example.org", "registration_rejected", user=quiet(), reason=f"Mit {PASSAGE}.")
    client = client_as(moderator)
    response = redact(client, post)
    assert ("in 1 Beitrag/Beiträgen und 0 früheren Fassungen; 1 noch nicht versandte E-Mails wurden bereinigt."
            in text_of(client.get(response.headers["Location"])))


def test_redaction_cleans_report_notes_and_earlier_audit_snapshots_of_the_post(client_as, moderator, member):
    author = quiet()
    post = a_post(author=author)
    client = client_as(moderator)
    # a moderator edit, a hide with a careless note and an unhide: each audit entry keeps the text
    edit(client, post, ORIGINAL + " (Rechtschreibung korrigiert)", 1)
    client.post(f"/moderation/posts/{post.id}/hide", data={"reason": "client_data", "note": f"Wegen {PASSAGE}"})
    client.post(f"/moderation/posts/{post.id}/unhide")
    # a member reports it for client data, quoting the data in the note
    client_as(member).post(f"/moderation/posts/{post.id}/report",
                           data={"reason": "client_data", "note": f"Da steht {PASSAGE} im Text."})
    before = audit(target=post)
    assert [entry.action for entry in before] == ["post.edit", "post.hide", "post.unhide", "post.auto_hide"]
    assert all(leaks(as_text(entry)) for entry in before)

    assert redact(client, post).status_code == 302
    [stored] = db.session.scalars(select(Report).where(Report.post_id == post.id)).all()
    db.session.refresh(stored)
    assert stored.note == "Da steht [entfernt] im Text."
    for entry in audit(target=post):
        assert not leaks(as_text(entry)), entry.action
    hide = audit("post.hide", post)[0]
    assert hide.reason == "Sozialdaten (Daten von Leistungsberechtigten): Wegen [entfernt]"
    assert "[entfernt]" in hide.snapshot["text"]
    assert "[entfernt]" in audit("post.edit", post)[0].snapshot["before"]


def test_the_redaction_is_audited_without_the_passage(client_as, moderator):
    post = a_post()
    edit(client_as(post.author), post, ORIGINAL + " Nachtrag.", 1)
    redact(client_as(moderator), post)
    [entry] = audit("post.redact", post)
    assert entry.actor_id == moderator.id
    assert not leaks(as_text(entry))
    assert entry.snapshot["posts"] == [2] and entry.snapshot["revisions"] == 1 and entry.snapshot["mails"] == 0
    assert entry.snapshot["number"] == 2 and entry.snapshot["thread"] == "Schwierige Fälle"
    for entry in audit():
        assert not leaks(as_text(entry)), entry.action
    client = client_as(moderator)
    log = client.get("/moderation/log")
    assert "Beitrag geschwärzt" in text_of(log) and not leaks(log.get_data(as_text=True))
    export = client.post("/moderation/log/export")
    assert export.status_code == 200 and not leaks(export.get_data().decode("utf-8-sig"))


def test_a_hide_note_with_the_passage_is_cleaned_too(client_as, moderator, member):
    post = a_post()
    client = client_as(moderator)
    client.post(f"/moderation/posts/{post.id}/hide", data={"reason": "client_data", "note": f"Wegen {PASSAGE}"})
    assert PASSAGE in text_of(client_as(member).get(f"/discussion/{post.thread_id}"))  # the careless note
    redact(client, post)
    hidden = fresh(Post, post.id)
    assert hidden.is_hidden and hidden.hidden_note == "Wegen [entfernt]"
    assert not leaks(client_as(member).get(f"/discussion/{post.thread_id}").get_data(as_text=True))


# --- reports and hidden posts -------------------------------------------------------------------------------

def test_redaction_closes_open_reports_as_redacted_and_tells_the_reporters(client_as, moderator, outbox):
    post = a_post()
    reporters = [make_user(), make_user()]
    for person, reason in zip(reporters, ("other", "client_data")):
        client_as(person).post(f"/moderation/posts/{post.id}/report", data={"reason": reason})
    redact(client_as(moderator), post, show_again=True)
    db.session.expire_all()
    stored = list(db.session.scalars(select(Report).where(Report.post_id == post.id)))
    assert [(each.is_open, each.outcome, each.resolved_by_id) for each in stored] == [
        (False, "redacted", moderator.id)] * 2
    for person in reporters:
        [told] = db.session.scalars(select(Notification).where(Notification.user_id == person.id,
                                                               Notification.kind == "report_resolved")).all()
        assert told.detail == "redacted"
        [mail] = [each for each in outbox(person.email) if each.subject == "Ihre Meldung wurde bearbeitet"]
        assert "Ergebnis: Beitrag geschwärzt" in mail.body
    [resolved] = audit("report.resolve", post)
    assert resolved.snapshot["outcome"] == "redacted" and not leaks(as_text(resolved))
    assert "Zurzeit gibt es keine offenen Meldungen." in text_of(client_as(moderator).get("/moderation/reports"))


def test_show_again_unhides_a_post_hidden_by_a_client_data_report(client_as, moderator, member):
    post = a_post()
    client_as(make_user()).post(f"/moderation/posts/{post.id}/report", data={"reason": "client_data"})
    assert fresh(Post, post.id).is_hidden
    client = client_as(moderator)
    form = client.get(f"/moderation/posts/{post.id}/redact").get_data(as_text=True)
    assert "Beitrag danach wieder einblenden" in form and "checked" in show_again_box(form)
    assert redact(client, post, show_again=True).status_code == 302
    assert not fresh(Post, post.id).is_hidden
    page = text_of(client_as(member).get(f"/discussion/{post.thread_id}"))
    assert "Gestern war Herr [entfernt] bei mir in der Beratung." in page and NOTICE in page
    assert "ausgeblendet" not in page
    assert len(audit("post.unhide", post)) == 1


def test_without_show_again_a_hidden_post_stays_hidden(client_as, moderator, member):
    post = a_post()
    client_as(make_user()).post(f"/moderation/posts/{post.id}/report", data={"reason": "client_data"})
    redact(client_as(moderator), post)
    assert fresh(Post, post.id).is_hidden
    page = client_as(member).get(f"/discussion/{post.thread_id}")
    assert "Dieser Beitrag wurde von der Moderation ausgeblendet." in text_of(page)
    assert "[entfernt]" not in page.get_data(as_text=True) and NOTICE not in text_of(page)


def test_a_post_hidden_by_a_moderator_is_not_offered_to_show_again_by_default(client_as, moderator):
    post = a_post()
    client = client_as(moderator)
    client.post(f"/moderation/posts/{post.id}/hide", data={"reason": "insult"})
    form = client.get(f"/moderation/posts/{post.id}/redact").get_data(as_text=True)
    assert "checked" not in show_again_box(form)


# --- bad input ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("passage, replacement, message", [
    ("Frau Müller aus Essen", "[entfernt]",
     "Diese Stelle kommt weder im Beitrag noch in seinen früheren Fassungen vor. Bitte kopieren Sie sie genau aus "
     "dem Text."),
    ("Ja", "[entfernt]", "Bitte geben Sie die Stelle mit mindestens 3 Zeichen an."),
    ("Kowalczyk", "[Kowalczyk entfernt]", "Der Ersatztext darf die zu entfernende Stelle nicht enthalten."),
    ("", "[entfernt]", "Bitte kopieren Sie die Stelle, die entfernt werden soll, in dieses Feld."),
    ("Kowalczyk", "", "Bitte geben Sie einen Ersatztext an, z. B. „[entfernt]“."),
])
def test_bad_input_gets_a_german_message_keeps_the_form_and_changes_nothing(client_as, moderator, passage,
                                                                            replacement, message):
    post = a_post()
    reporter = make_user()
    client_as(reporter).post(f"/moderation/posts/{post.id}/report", data={"reason": "insult"})
    response = redact(client_as(moderator), post, passage, replacement)
    assert response.status_code == 200
    assert message in text_of(response)
    html = response.get_data(as_text=True)
    if passage:
        assert f"{passage}</textarea>" in html
    if replacement:
        assert f'value="{replacement}"' in html
    unchanged = fresh(Post, post.id)
    assert unchanged.body_source == ORIGINAL and unchanged.redacted_at is None and unchanged.version == 1
    assert audit("post.redact") == [] and audit("report.resolve") == []
    assert fresh(Report, db.session.scalar(select(Report.id))).is_open


# --- who may -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["member", "organiser"])
def test_members_and_organisers_may_not_redact(client_as, role):
    post = a_post()
    client = client_as(make_user(role=role))
    assert client.get(f"/moderation/posts/{post.id}/redact").status_code == 403
    assert redact(client, post).status_code == 403
    assert fresh(Post, post.id).body_source == ORIGINAL


def test_the_author_may_not_redact_either(client_as):
    post = a_post()
    assert redact(client_as(post.author), post).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client):
    post = a_post()
    db.session.commit()
    response = redact(client, post)
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login")
    assert fresh(Post, post.id).body_source == ORIGINAL


def test_admins_may_redact(client_as, admin):
    post = a_post()
    assert redact(client_as(admin), post).status_code == 302
    assert not leaks(fresh(Post, post.id).body_source)


def test_redacting_an_unknown_post_is_404(moderator_client):
    assert moderator_client.get("/moderation/posts/999999/redact").status_code == 404


def test_members_see_no_redact_link_and_moderators_do(client_as, member, moderator):
    post = a_post()
    link = f'href="/moderation/posts/{post.id}/redact"'
    assert link not in client_as(member).get(f"/discussion/{post.thread_id}").get_data(as_text=True)
    assert link in client_as(moderator).get(f"/discussion/{post.thread_id}").get_data(as_text=True)


# --- the author's open edit form ----------------------------------------------------------------------------

def test_an_open_edit_form_of_the_author_gets_the_stale_edit_answer(client_as, moderator):
    author = quiet()
    post = a_post(author=author)
    writer = client_as(author)
    form = writer.get(f"/discussion/posts/{post.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="version"[^>]*value="1"', form)
    redact(client_as(moderator), post)
    response = edit(writer, post, ORIGINAL + " Nachtrag aus dem alten Fenster.", 1)
    assert response.status_code == 409
    assert "Dieser Beitrag wurde inzwischen geändert" in text_of(response)
    [current] = re.findall(r'<section class="post-preview" aria-labelledby="aktuelle-fassung-titel">.*?</section>',
                           response.get_data(as_text=True), flags=re.S)
    assert "Gestern war Herr [entfernt] bei mir" in current and not leaks(current)
    stored = fresh(Post, post.id)
    assert stored.body_source == ORIGINAL.replace(PASSAGE, "[entfernt]") and stored.version == 2
    assert not any(leaks(text) for text in revisions_of(post))


def test_after_a_redaction_the_author_can_edit_the_current_text(client_as, moderator):
    author = quiet()
    post = a_post(author=author)
    redact(client_as(moderator), post)
    writer = client_as(author)
    form = writer.get(f"/discussion/posts/{post.id}/edit").get_data(as_text=True)
    assert "Gestern war Herr [entfernt] bei mir" in form and not leaks(form)
    assert edit(writer, post, "Gestern war ein Kunde bei mir. Wie würdet ihr vorgehen?", 2).status_code == 302
    assert fresh(Post, post.id).version == 3


# --- quotes of the post in other threads ----------------------------------------------------------------------

def reply(client, thread, body: str) -> Post:
    response = client.post(f"/discussion/{thread.id}/reply", data={"body": body, "confirm_client_data": "y"})
    assert response.status_code == 302
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id).order_by(Post.number.desc()))


def test_one_redaction_reaches_quotes_of_the_post_in_other_threads_and_quotes_of_those(client_as, moderator):
    post = a_post(author=quiet(display_name="Bernd Brause"))
    elsewhere, third = make_thread(title="Anderes Thema"), make_thread(title="Drittes Thema")
    unrelated = make_post(thread=elsewhere, body=f"Ein anderer Fall, ebenfalls {PASSAGE}, ohne Zitat.")
    paster = quiet()
    pasted = reply(client_as(paster), elsewhere, discussion.quote(post) + "Hier passt es auch.")
    deeper = reply(client_as(quiet()), third, discussion.quote(pasted) + "Und hier.")
    # the paster later removed the quote: only the earlier version still holds it
    edited = reply(client_as(paster), third, discussion.quote(post) + "Noch einmal.")
    edit(client_as(paster), edited, "Zitat entfernt.", 1)
    assert all(leaks(fresh(Post, each.id).body_source) for each in (pasted, deeper))

    client = client_as(moderator)
    response = redact(client, post)
    assert response.status_code == 302
    assert "in 4 Beitrag/Beiträgen und 1 früheren Fassungen" in text_of(client.get(response.headers["Location"]))
    for each in (pasted, deeper):
        changed = fresh(Post, each.id)
        assert not leaks(changed.body_source) and not leaks(changed.body_html), each.id
        assert "[entfernt]" in changed.body_source and changed.redacted_at is not None
    assert not any(leaks(text) for text in revisions_of(edited))
    assert fresh(Post, unrelated.id).body_source.startswith("Ein anderer Fall, ebenfalls Jan")  # not a copy of it
    [entry] = audit("post.redact", post)
    assert entry.snapshot["posts"] == [2] and entry.snapshot["revisions"] == 1
    assert entry.snapshot["elsewhere"] == sorted([{"thread_id": elsewhere.id, "number": pasted.number},
                                                  {"thread_id": third.id, "number": deeper.number},
                                                  {"thread_id": third.id, "number": edited.number}],
                                                 key=lambda place: (place["thread_id"], place["number"]))
    assert not leaks(as_text(entry))
    for thread in (elsewhere, third):
        assert not leaks(client_as(make_user()).get(f"/discussion/{thread.id}").get_data(as_text=True).replace(
            "Ein anderer Fall, ebenfalls " + PASSAGE, ""))


# --- a thread's title ---------------------------------------------------------------------------------------

TITLE = f"Fall {PASSAGE}"


def redact_title(client, thread, passage: str = PASSAGE, replacement: str = "[entfernt]"):
    return client.post(f"/moderation/threads/{thread.id}/redact",
                       data={"passage": passage, "replacement": replacement})


def test_a_thread_title_is_redacted_in_one_action_with_mails_and_audit_snapshots(client_as, moderator, outbox):
    from tests.factories import make_board

    thread = make_thread(title=TITLE)
    thread.board = make_board()
    first = make_post(thread=thread, author=quiet(), body="Wie geht ihr damit um?")
    follower = make_user()  # wants e-mail at once
    client_as(follower).post(f"/notifications/follow/thread/{thread.id}")
    reply(client_as(quiet()), thread, "Erst einmal durchatmen.")
    assert any(leaks(mail.subject) and leaks(mail.body) for mail in outbox(follower.email))
    client = client_as(moderator)
    client.post(f"/moderation/threads/{thread.id}/rename", data={"title": TITLE + " (erledigt)"})
    client.post(f"/moderation/posts/{first.id}/hide", data={"reason": "off_topic"})
    client.post(f"/moderation/threads/{thread.id}/pin")
    assert leaks(as_text(audit("thread.rename")[0])) and leaks(as_text(audit("post.hide")[0]))

    page = client.get(f"/discussion/{thread.id}").get_data(as_text=True)
    assert f'href="/moderation/threads/{thread.id}/redact"' in page
    form = client.get(f"/moderation/threads/{thread.id}/redact")
    assert form.status_code == 200 and "Titel der Diskussion schwärzen" in text_of(form)
    response = redact_title(client, thread)
    assert response.status_code == 302 and response.headers["Location"] == f"/discussion/{thread.id}"
    assert ("Die Stelle wurde aus dem Titel entfernt; 1 noch nicht versandte E-Mails und 3 Einträge im "
            "Moderationsprotokoll wurden bereinigt." in text_of(client.get(response.headers["Location"])))
    db.session.expire_all()
    assert thread.title == "Fall [entfernt] (erledigt)"
    for mail in outbox(follower.email):
        assert not leaks(mail.subject) and not leaks(mail.body)
        assert "Fall [entfernt]" in mail.subject
    rename = audit("thread.rename")[0]
    assert rename.snapshot == {"before": "Fall [entfernt]", "after": "Fall [entfernt] (erledigt)"}
    for entry in audit():
        assert not leaks(as_text(entry)), entry.action
    [entry] = audit("thread.redact")
    assert entry.actor_id == moderator.id and entry.target_type == "threads" and entry.target_id == thread.id
    assert entry.snapshot["fields"] == ["title"] and entry.snapshot["mails"] == 1 and entry.snapshot["entries"] == 3
    log = client.get("/moderation/log?action=thread.redact")
    assert "Titel einer Diskussion geschwärzt" in text_of(log) and not leaks(log.get_data(as_text=True))
    for reader in (client, client_as(make_user())):
        assert not leaks(reader.get(f"/discussion/{thread.id}").get_data(as_text=True))


def test_a_follow_up_links_audit_snapshot_loses_the_passage_too(client_as, moderator):
    from forum.events.services import start_follow_up
    from tests.factories import make_event

    organiser = make_user(role="organiser")
    thread = start_follow_up(make_event(), TITLE, actor=organiser)
    assert redact_title(client_as(moderator), thread).status_code == 302
    for entry in audit():
        assert not leaks(as_text(entry)), entry.action
    assert audit("event.follow_up.start")[0].snapshot["thread_title"] == "Fall [entfernt]"


@pytest.mark.parametrize("passage, replacement, message", [
    ("Frau Müller", "[entfernt]",
     "Diese Stelle kommt im Titel der Diskussion nicht vor. Bitte kopieren Sie sie genau aus dem Titel."),
    ("Ja", "[entfernt]", "Bitte geben Sie die Stelle mit mindestens 3 Zeichen an."),
    ("Kowalczyk", "[Kowalczyk]", "Der Ersatztext darf die zu entfernende Stelle nicht enthalten."),
])
def test_a_bad_title_redaction_gets_a_german_message_and_changes_nothing(client_as, moderator, passage,
                                                                        replacement, message):
    thread = make_thread(title=TITLE)
    response = redact_title(client_as(moderator), thread, passage, replacement)
    assert response.status_code == 200 and message in text_of(response)
    assert f"{passage}</textarea>" in response.get_data(as_text=True)
    assert fresh(type(thread), thread.id).title == TITLE and audit("thread.redact") == []


def test_only_moderators_redact_titles_and_only_of_threads_with_a_title_of_their_own(client_as, moderator):
    from tests.factories import make_event, make_idea

    thread = make_thread(title=TITLE)
    for role in ("member", "organiser"):
        client = client_as(make_user(role=role))
        assert client.get(f"/moderation/threads/{thread.id}/redact").status_code == 403
        assert redact_title(client, thread).status_code == 403
        assert "/redact" not in client.get(f"/discussion/{thread.id}").get_data(as_text=True)
    event_thread = make_event(title=TITLE).main_thread
    idea = make_idea(title=TITLE)
    client = client_as(moderator)
    assert redact_title(client, event_thread).status_code == 403
    assert redact_title(client, idea.thread).status_code == 403
    assert "/redact" not in client.get(f"/discussion/{event_thread.id}").get_data(as_text=True)
    # an idea's discussion carries the idea's title: the link leads to the idea's redaction
    page = client.get(f"/discussion/{idea.thread.id}").get_data(as_text=True)
    assert f'href="/moderation/ideas/{idea.id}/redact"' in page
    assert fresh(type(thread), thread.id).title == TITLE


# --- an idea --------------------------------------------------------------------------------------------------

def redact_an_idea(client, idea, passage: str = PASSAGE, replacement: str = "[entfernt]"):
    return client.post(f"/moderation/ideas/{idea.id}/redact", data={"passage": passage, "replacement": replacement})


def test_an_idea_is_redacted_in_one_action_texts_versions_thread_mails_and_audit(client_as, moderator, outbox):
    from forum.ideas import services as ideas
    from forum.ideas.models import Idea, IdeaRevision
    from forum.ideas.sections import split_description
    from tests.factories import IDEA_DESCRIPTION, make_idea

    author = make_user()  # wants e-mail at once
    idea = make_idea(title=f"Beratung für {PASSAGE}", summary=f"Erfahrungen mit {PASSAGE}.", author=author,
                     description=IDEA_DESCRIPTION + f"\n\nBeispiel: {PASSAGE}", contact=f"Über {PASSAGE}")
    ideas.edit_idea(idea, ideas.IdeaData(title="Beratung mit Krankenkasse", summary="Erfahrungen vor Ort.",
                                         sections=split_description(IDEA_DESCRIPTION), contact="Erika Beispiel"),
                    editor=moderator)
    ideas.edit_idea(idea, ideas.IdeaData(title=f"Beratung für {PASSAGE}", summary="Erfahrungen vor Ort.",
                                         sections=split_description(IDEA_DESCRIPTION + f"\n\n{PASSAGE}"),
                                         contact="Erika Beispiel"), editor=author)
    ideas.set_idea_status(idea, "in_trial", actor=moderator, reason=f"Bitte {PASSAGE} entfernen.")
    db.session.commit()
    assert any(leaks(mail.body) for mail in outbox(author.email))
    assert leaks(idea.thread.title)

    client = client_as(moderator)
    assert f'href="/moderation/ideas/{idea.id}/redact"' in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    form = client.get(f"/moderation/ideas/{idea.id}/redact")
    assert form.status_code == 200 and "Ansatz schwärzen" in text_of(form)
    response = redact_an_idea(client, idea)
    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}"
    assert ("Die Stelle wurde aus dem Ansatz entfernt, auch aus 1 früheren Fassungen; 1 noch nicht versandte "
            "E-Mails und 2 Einträge im Moderationsprotokoll wurden bereinigt."
            in text_of(client.get(response.headers["Location"])))
    stored = fresh(Idea, idea.id)
    assert stored.title == "Beratung für [entfernt]" and stored.description_source.endswith("\n\n[entfernt]")
    assert "[entfernt]" in stored.description_html and not leaks(stored.description_html)
    for text in (stored.title, stored.summary, stored.description_source, stored.contact, stored.thread.title,
                 *stored.sections.values()):
        assert not leaks(text)
    assert stored.transferability_source.endswith("\n\n[entfernt]")
    revisions = db.session.scalars(select(IdeaRevision).where(IdeaRevision.idea_id == idea.id)).all()
    assert len(revisions) == 2
    assert not any(leaks(text) for revision in revisions
                   for text in (revision.title, revision.summary, revision.description_source))
    assert not any(leaks(mail.body) or leaks(mail.subject) for mail in outbox(author.email))
    for entry in audit():
        assert not leaks(as_text(entry)), entry.action
    [entry] = audit("idea.redact")
    assert entry.target_type == "ideas" and entry.target_id == idea.id
    assert entry.snapshot["fields"] == ["title", "description", "thread"]
    assert entry.snapshot["revisions"] == 1 and entry.snapshot["mails"] == 1 and entry.snapshot["entries"] == 2
    for reader in (client, client_as(author), client_as(make_user())):
        for path in (f"/ideas/{idea.id}", f"/ideas/{idea.id}/revisions", f"/discussion/{idea.thread.id}",
                     "/ideas/", "/moderation/log"):
            response = reader.get(path)
            if response.status_code == 200:
                assert not leaks(response.get_data(as_text=True)), path


def test_a_passage_in_one_section_is_redacted_from_that_section_the_whole_and_the_versions(client_as, moderator):
    from forum.ideas import services as ideas
    from forum.ideas.models import Idea, IdeaRevision
    from forum.ideas.sections import split_description
    from tests.factories import IDEA_DESCRIPTION, make_idea

    idea = make_idea(author=make_user())
    sections = {**split_description(IDEA_DESCRIPTION), "implementation": f"Sprechstunde, zuerst mit {PASSAGE}."}
    ideas.edit_idea(idea, ideas.IdeaData(title=idea.title, summary=idea.summary, sections=sections,
                                         contact=idea.contact), editor=idea.author)
    ideas.edit_idea(idea, ideas.IdeaData(title=idea.title, summary=idea.summary,
                                         sections={**sections, "results": "Mehr Kurse."}, contact=idea.contact),
                    editor=idea.author)
    db.session.commit()
    assert leaks(idea.implementation_source) and leaks(idea.description_source)

    assert redact_an_idea(client_as(moderator), idea).status_code == 302
    stored = fresh(Idea, idea.id)
    assert stored.implementation_source == "Sprechstunde, zuerst mit [entfernt]."
    assert "[entfernt]" in stored.description_html and not leaks(stored.description_html)
    assert not any(leaks(text) for text in (stored.description_source, *stored.sections.values()))
    assert stored.sections["goal"] == sections["goal"]  # the other sections are untouched
    revisions = db.session.scalars(select(IdeaRevision).where(IdeaRevision.idea_id == idea.id)).all()
    assert len(revisions) == 2 and not any(leaks(revision.description_source) for revision in revisions)
    [entry] = audit("idea.redact")
    assert entry.snapshot["fields"] == ["description"] and entry.snapshot["revisions"] == 1
    form = client_as(idea.author).get(f"/ideas/{idea.id}/edit").get_data(as_text=True)
    assert not leaks(form) and "Sprechstunde, zuerst mit [entfernt].</textarea>" in form


def test_a_passage_in_neither_the_idea_nor_its_versions_is_refused(client_as, moderator):
    from tests.factories import make_idea

    idea = make_idea()
    response = redact_an_idea(client_as(moderator), idea)
    assert response.status_code == 200
    assert "Diese Stelle kommt weder im Ansatz noch in seinen früheren Fassungen vor." in text_of(response)
    assert audit("idea.redact") == []


@pytest.mark.parametrize("role", ["member", "organiser"])
def test_members_and_organisers_may_not_redact_ideas_not_even_their_own(client_as, role):
    from tests.factories import make_idea

    author = make_user(role=role)
    idea = make_idea(title=TITLE, author=author)
    client = client_as(author)
    assert client.get(f"/moderation/ideas/{idea.id}/redact").status_code == 403
    assert redact_an_idea(client, idea).status_code == 403
    assert "/redact" not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert redact_an_idea(client_as(make_user(role="moderator")), type("Gone", (), {"id": 999999})).status_code == 404


# --- who may: the matrix (test_permissions checks every rule has its rows) --------------------------------------

@pytest.mark.parametrize("rule, state", sorted(REDACTION_MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_redaction_matrix(app, rule, state, role):
    from forum import permissions
    from tests.factories import make_event, make_idea

    user = actor(role)
    target = {"thread": make_thread, "locked_thread": make_thread,
              "follow_up_thread": lambda: make_thread(follow_up_of=make_event()),
              "event_thread": lambda: make_event().main_thread, "idea_thread": lambda: make_idea().thread,
              "published_idea": make_idea, "submitted_idea": lambda: make_idea(status="submitted")}[state]()
    if state == "locked_thread":
        target.locked_at = utcnow()
    assert getattr(permissions, rule)(user, target) is (role in REDACTION_MATRIX[(rule, state)])
    assert getattr(permissions, rule)(make_user(role="admin", status="suspended"), target) is False
