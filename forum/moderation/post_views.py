"""Moderation in place, reached from the thread page: report a post (members); hide, unhide, pin, unpin and redact
a post; pin, lock, move, rename a thread and redact its title (moderators) — and, from the idea page, redact an
idea. Every change goes back to where it was made."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.forms import ConfirmForm, attempt, choices
from forum import guard
from forum.discussion import quotes
from forum.discussion.models import Board, Thread
from forum.discussion.loaders import post_url, visible_post, visible_thread
from forum.extensions import db
from forum.ideas.models import Idea
from forum.moderation import bp, redaction, reports, services
from forum.moderation.forms import (HidePostForm, LockThreadForm, MoveThreadForm, RedactForm, RedactIdeaForm,
                                   RedactThreadForm, RenameThreadForm, ReportForm)
from forum.permissions import (can_hide_post, can_lock_thread, can_moderate_post, can_moderate_thread,
                               can_move_thread, can_pin_post, can_pin_thread, can_redact_idea, can_redact_post,
                               can_redact_thread, can_rename_thread, can_report_post, can_unhide_post,
                               can_unlock_thread, can_unpin_post, can_unpin_thread, require, require_unless_moot)


def _thread(thread_id: int, predicate) -> tuple[Thread, bool]:
    """The thread, and whether the act is allowed now (False: moot, see require_unless_moot; else 403)."""
    thread = visible_thread(thread_id)
    allowed = require_unless_moot(predicate(current_user, thread), reach=can_moderate_thread(current_user, thread))
    return thread, allowed


def _thread_url(thread: Thread) -> str:
    return url_for("discussion.show", thread_id=thread.id)


# --- reporting (members) ------------------------------------------------------------------------------------

@bp.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
def report_post(post_id: int):
    """Report a post to the moderators with a reason; client data hides it at once."""
    post = visible_post(post_id)
    if reports.has_open_report(post, current_user):
        flash(_("Sie haben diesen Beitrag bereits gemeldet. Die Moderation prüft ihn."), "info")
        return redirect(post_url(post))
    require(can_report_post(current_user, post))
    form = ReportForm()
    if form.validate_on_submit():
        done, report = attempt(form.reason, lambda: reports.report_post(
            post, reporter=current_user, reason=form.reason.data, note=form.note.data or ""))
        if not done:  # the day's reports are used up (429)
            return render_template("moderation/report.html", post=post, form=form,
                                   shown=quotes.shown_html([post], current_user)), report.status
        db.session.commit()
        if report is None:
            flash(_("Sie haben diesen Beitrag bereits gemeldet. Die Moderation prüft ihn."), "info")
        elif report.reason == "client_data":
            flash(_("Danke. Der Beitrag ist bis zur Prüfung durch die Moderation ausgeblendet."), "success")
        else:
            flash(_("Danke für Ihre Meldung. Die Moderation prüft den Beitrag und Sie erfahren das Ergebnis."),
                  "success")
        return redirect(post_url(post))
    return render_template("moderation/report.html", post=post, form=form,
                           shown=quotes.shown_html([post], current_user))


# --- posts --------------------------------------------------------------------------------------------------

@bp.route("/posts/<int:post_id>/hide", methods=["GET", "POST"])
def hide_post(post_id: int):
    """Hide a post with a reason (members see a placeholder, the author is told)."""
    post = visible_post(post_id)
    if not require_unless_moot(can_hide_post(current_user, post), reach=can_moderate_post(current_user, post)):
        flash(_("Beitrag Nr. %(number)s war bereits ausgeblendet. Es wurde nichts geändert.",
                number=post.number), "info")
        return redirect(post_url(post))
    form = HidePostForm()
    if form.validate_on_submit():
        if services.hide_post(post, actor=current_user, reason=form.reason.data, note=form.note.data or ""):
            db.session.commit()
            flash(_("Beitrag Nr. %(number)s ist ausgeblendet; die verfassende Person wurde benachrichtigt.",
                    number=post.number), "success")
        else:
            flash(_("Beitrag Nr. %(number)s war bereits ausgeblendet. Es wurde nichts geändert.",
                    number=post.number), "info")
        return redirect(post_url(post))
    return render_template("moderation/hide_post.html", post=post, form=form,
                           shown=quotes.shown_html([post], current_user))


def _simple_post_action(post_id: int, predicate, action, done: str, noop: str):
    """A POST with only a confirmation: change, commit once, say what happened (or that nothing did)."""
    post = visible_post(post_id)
    allowed = require_unless_moot(predicate(current_user, post), reach=can_moderate_post(current_user, post))
    if ConfirmForm().validate_on_submit():
        if allowed and action(post, actor=current_user):
            db.session.commit()
            flash(done % {"number": post.number}, "success")
        else:
            flash(noop % {"number": post.number}, "info")
    return redirect(post_url(post))


@bp.route("/posts/<int:post_id>/unhide", methods=["POST"])
def unhide_post(post_id: int):
    """Show a hidden post again."""
    return _simple_post_action(
        post_id, can_unhide_post, services.unhide_post,
        _("Beitrag Nr. %(number)s ist wieder sichtbar."),
        _("Beitrag Nr. %(number)s war nicht ausgeblendet. Es wurde nichts geändert."))


@bp.route("/posts/<int:post_id>/pin", methods=["POST"])
def pin_post(post_id: int):
    """Pin a post to the top of its thread."""
    return _simple_post_action(
        post_id, can_pin_post, services.pin_post,
        _("Beitrag Nr. %(number)s ist oben angeheftet."),
        _("Beitrag Nr. %(number)s ist bereits angeheftet oder nicht sichtbar."))


@bp.route("/posts/<int:post_id>/unpin", methods=["POST"])
def unpin_post(post_id: int):
    """Take a post from the top of its thread."""
    return _simple_post_action(
        post_id, can_unpin_post, services.unpin_post,
        _("Beitrag Nr. %(number)s ist nicht mehr angeheftet."),
        _("Beitrag Nr. %(number)s war nicht angeheftet."))


@bp.route("/posts/<int:post_id>/redact", methods=["GET", "POST"])
def redact_post(post_id: int):
    """Remove a passage (client data) from a post, its quotes, its earlier versions and unsent mails."""
    post = visible_post(post_id)
    require(can_redact_post(current_user, post))
    form = RedactForm()
    if not form.is_submitted():
        form.show_again.data = post.is_pending_review
    if form.validate_on_submit():
        done, result = attempt(form.passage, lambda: redaction.redact_post(
            post, form.passage.data, actor=current_user, replacement=form.replacement.data,
            show_again=form.show_again.data, note=form.note.data or ""))
        if done:
            db.session.commit()
            flash(_("Die Stelle wurde entfernt: in %(posts)s Beitrag/Beiträgen und %(revisions)s früheren Fassungen; "
                    "%(mails)s noch nicht versandte E-Mails wurden bereinigt.", posts=result.post_count,
                    revisions=result.revisions, mails=result.mails), "success")
            return redirect(post_url(post))
    hits = guard.scan(post.body_source)
    return render_template("moderation/redact_post.html", post=post, form=form,
                           found=[(hit.label, post.body_source[hit.start:hit.end]) for hit in hits],
                           highlighted=guard.highlight(post.body_source, hits))


# --- threads ------------------------------------------------------------------------------------------------

def _simple_thread_action(thread_id: int, predicate, action, done: str, noop: str):
    """A POST with only a confirmation on a thread: change, commit once, say what happened (or that nothing did)."""
    thread, allowed = _thread(thread_id, predicate)
    if ConfirmForm().validate_on_submit():
        if allowed and action(thread, actor=current_user):
            db.session.commit()
            flash(done, "success")
        else:
            flash(noop, "info")
    return redirect(_thread_url(thread))


@bp.route("/threads/<int:thread_id>/pin", methods=["POST"])
def pin_thread(thread_id: int):
    """Pin a thread to the top of its list."""
    return _simple_thread_action(
        thread_id, can_pin_thread, services.pin_thread,
        _("Die Diskussion ist oben in der Liste angeheftet."),
        _("Die Diskussion war bereits angeheftet."))


@bp.route("/threads/<int:thread_id>/unpin", methods=["POST"])
def unpin_thread(thread_id: int):
    """Back into the order of latest activity."""
    return _simple_thread_action(
        thread_id, can_unpin_thread, services.unpin_thread,
        _("Die Diskussion ist nicht mehr angeheftet."),
        _("Die Diskussion war nicht angeheftet."))


@bp.route("/threads/<int:thread_id>/unlock", methods=["POST"])
def unlock_thread(thread_id: int):
    """Open a locked thread for replies again."""
    return _simple_thread_action(
        thread_id, can_unlock_thread, services.unlock_thread,
        _("Die Diskussion ist wieder geöffnet."),
        _("Die Diskussion war nicht geschlossen."))


@bp.route("/threads/<int:thread_id>/lock", methods=["GET", "POST"])
def lock_thread(thread_id: int):
    """Close a thread for replies, with a reason shown in the thread."""
    thread, allowed = _thread(thread_id, can_lock_thread)
    if not allowed:
        flash(_("Die Diskussion war bereits geschlossen. Es wurde nichts geändert."), "info")
        return redirect(_thread_url(thread))
    form = LockThreadForm()
    if form.validate_on_submit():
        if services.lock_thread(thread, actor=current_user, reason=form.reason.data):
            db.session.commit()
            flash(_("Die Diskussion ist geschlossen."), "success")
        else:
            flash(_("Die Diskussion war bereits geschlossen. Es wurde nichts geändert."), "info")
        return redirect(_thread_url(thread))
    return render_template("moderation/thread_form.html", thread=thread, form=form, action="lock",
                           title=_("Diskussion schließen"), submit=_("Diskussion schließen"))


@bp.route("/threads/<int:thread_id>/move", methods=["GET", "POST"])
def move_thread(thread_id: int):
    """Move a standalone thread into another Fachforum."""
    thread = visible_thread(thread_id)
    require(can_move_thread(current_user, thread))
    form = MoveThreadForm(board_id=thread.board_id)
    form.board_id.choices = choices(services.board_choices())
    if form.validate_on_submit():
        board = db.session.get(Board, form.board_id.data)
        if board is None:
            form.board_id.errors.append(_("Dieses Fachforum gibt es nicht mehr."))
        else:
            if services.move_thread(thread, board, actor=current_user, reason=form.reason.data or ""):
                db.session.commit()
                flash(_("Die Diskussion steht jetzt im Fachforum „%(board)s“.", board=board.title), "success")
            else:
                flash(_("Die Diskussion steht bereits in diesem Fachforum."), "info")
            return redirect(_thread_url(thread))
    return render_template("moderation/thread_form.html", thread=thread, form=form, action="move",
                           title=_("Diskussion verschieben"), submit=_("Verschieben"))


@bp.route("/threads/<int:thread_id>/rename", methods=["GET", "POST"])
def rename_thread(thread_id: int):
    """Give a thread a new title."""
    thread = visible_thread(thread_id)
    require(can_rename_thread(current_user, thread))
    form = RenameThreadForm(title=thread.title)
    if form.validate_on_submit():
        if services.rename_thread(thread, form.title.data, actor=current_user, reason=form.reason.data or ""):
            db.session.commit()
            flash(_("Die Diskussion heißt jetzt „%(title)s“.", title=thread.title), "success")
        else:
            flash(_("Der Titel ist unverändert."), "info")
        return redirect(_thread_url(thread))
    return render_template("moderation/thread_form.html", thread=thread, form=form, action="rename",
                           title=_("Diskussion umbenennen"), submit=_("Umbenennen"))


# --- redacting a thread's title and an idea -----------------------------------------------------------------

def _redaction_page(form, *, action: str, back: tuple[str, str], heading: str, intro: str,
                    texts: list[tuple[str, str]]):
    """The form of a title or idea redaction, with the texts to copy from (the guard's findings marked);
    `back` is (address, link text)."""
    marked = [(label, guard.highlight(text, guard.scan(text))) for label, text in texts if text]
    return render_template("moderation/redact_text.html", form=form, action=action, back=back, heading=heading,
                           intro=intro, texts=marked)


@bp.route("/threads/<int:thread_id>/redact", methods=["GET", "POST"])
def redact_thread(thread_id: int):
    """Remove a passage (client data) from a thread's title, unsent mails and the audit log, in one action."""
    thread = visible_thread(thread_id)
    require(can_redact_thread(current_user, thread))
    form = RedactThreadForm()
    if form.validate_on_submit():
        done, result = attempt(form.passage, lambda: redaction.redact_thread(
            thread, form.passage.data, actor=current_user, replacement=form.replacement.data))
        if done:
            db.session.commit()
            flash(_("Die Stelle wurde aus dem Titel entfernt; %(mails)s noch nicht versandte E-Mails und "
                    "%(entries)s Einträge im Moderationsprotokoll wurden bereinigt.", mails=result.mails,
                    entries=result.entries), "success")
            return redirect(_thread_url(thread))
    return _redaction_page(
        form, action=url_for("moderation.redact_thread", thread_id=thread.id),
        back=(_thread_url(thread), _("Zurück zur Diskussion")),
        heading=_("Titel der Diskussion schwärzen"),
        intro=_("Kopieren Sie die Stelle mit den Daten von Leistungsberechtigten in das Feld unten. Sie wird im "
                "Titel ersetzt, in noch nicht versandten E-Mails (auch im Betreff) und in früheren Einträgen des "
                "Moderationsprotokolls, etwa beim Umbenennen. Das Protokoll vermerkt die Schwärzung, nicht die "
                "Daten."),
        texts=[(_("Titel"), thread.title)])


@bp.route("/ideas/<int:idea_id>/redact", methods=["GET", "POST"])
def redact_idea(idea_id: int):
    """Remove a passage (client data) from an idea's texts, its earlier versions, its discussion's title, unsent
    mails and the audit log, in one action."""
    idea = db.get_or_404(Idea, idea_id)
    require(can_redact_idea(current_user, idea))
    form = RedactIdeaForm()
    if form.validate_on_submit():
        done, result = attempt(form.passage, lambda: redaction.redact_idea(
            idea, form.passage.data, actor=current_user, replacement=form.replacement.data))
        if done:
            db.session.commit()
            flash(_("Die Stelle wurde aus dem Ansatz entfernt, auch aus %(revisions)s früheren Fassungen; "
                    "%(mails)s noch nicht versandte E-Mails und %(entries)s Einträge im Moderationsprotokoll "
                    "wurden bereinigt.", revisions=result.revisions, mails=result.mails, entries=result.entries),
                  "success")
            return redirect(url_for("ideas.show", idea_id=idea.id))
    return _redaction_page(
        form, action=url_for("moderation.redact_idea", idea_id=idea.id),
        back=(url_for("ideas.show", idea_id=idea.id), _("Zurück zum Ansatz")),
        heading=_("Ansatz schwärzen"),
        intro=_("Kopieren Sie die Stelle mit den Daten von Leistungsberechtigten in das Feld unten. Sie wird in "
                "allen Texten des Ansatzes ersetzt, in allen früheren Fassungen, im Titel seiner Diskussion, in noch "
                "nicht versandten E-Mails und in früheren Einträgen des Moderationsprotokolls. Das Protokoll "
                "vermerkt die Schwärzung, nicht die Daten."),
        texts=[(_("Titel"), idea.title), (_("Kurzbeschreibung"), idea.summary),
               (_("Beschreibung (Markdown)"), idea.description_source), (_("Ansprechperson"), idea.contact)])
