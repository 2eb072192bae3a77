"""Thread pages and posts: read a thread page by page (and remember how far), permalinks, reply (with preview,
quote and the client-data guard), edit with revisions and stale-edit detection, withdraw.

The Fachforen (overview, board pages, new threads, administration) are in `forum/discussion/board_views.py`.
"""
from __future__ import annotations

from functools import partial

from flask import abort, current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from forum.forms import ConfirmForm, attempt
from forum.discussion import bp, quotes, services
from forum.discussion.articles import PostArticles
from forum.discussion.loaders import post_url, visible_post, visible_thread
from forum.discussion.posting import held_back
from forum.discussion.forms import EditPostForm, PostForm, QuoteRequestForm
from forum.extensions import db
from forum.queries import page_number
from forum.moderation import reports, services as moderation
from forum.permissions import (can_edit_post, can_quote_post, can_reply, can_view_post_revisions, can_view_reports,
                               can_withdraw_post, require)


# --- reading ------------------------------------------------------------------------------------------------

@bp.route("/<int:thread_id>")
def show(thread_id: int):
    """One page of a thread: what it belongs to, its posts, the reply form (on the last page, where a reply will
    appear); remembers how far the user read."""
    thread = visible_thread(thread_id)
    number = page_number()
    if number > services.page_count(thread):
        abort(404)
    page = services.thread_page(thread, number, current_user)
    read, first_unread = services.read_state(current_user, thread)
    first_unread = first_unread if read else None  # never read: the start is the place
    pinned = moderation.pinned_posts(thread)
    html = render_template(
        "discussion/thread.html", thread=thread, page=page, first_unread=first_unread,
        first_unread_page=services.page_of(first_unread) if first_unread else None,
        form=PostForm(formdata=None) if page.page == page.pages and can_reply(current_user, thread) else None,
        pinned=pinned, shown=quotes.shown_html([*page.items, *pinned], current_user), action_form=ConfirmForm(),
        articles=PostArticles(thread),
        open_reports=reports.open_report_counts([post.id for post in page.items])
        if can_view_reports(current_user) else {})
    _remember_read(current_user.id, thread.id, page.last_number, read)
    return html


def _remember_read(user_id: int, thread_id: int, number: int, known: int) -> None:
    """Store the read state after the page is rendered, and only when it grew.

    The one write on a GET in the whole app (every other state change is a POST with CSRF): how far the user
    has read is their own bookkeeping, changes nothing anyone else sees, and repeating it is harmless.

    GET requests on SQLite read in a deferred transaction; the write gets a fresh one, so it waits for the lock
    instead of failing on an old snapshot. Should it fail anyway, the page is still shown.
    """
    if number <= known:
        return
    try:
        db.session.commit()
        services.mark_read(user_id, thread_id, number, known=known)
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        current_app.logger.warning("Read state of thread %s for user %s not saved", thread_id, user_id)


@bp.route("/posts/<int:post_id>")
def post(post_id: int):
    """Permalink of a post: the page of its thread it is on, scrolled to it."""
    return redirect(post_url(visible_post(post_id)))


# --- reply --------------------------------------------------------------------------------------------------

@bp.route("/<int:thread_id>/reply", methods=["GET", "POST"])
def reply(thread_id: int):
    """Write a reply (also quoting a post); preview, client-data guard and rate limit; the text is never lost."""
    thread = visible_thread(thread_id)
    form = PostForm()
    if not can_reply(current_user, thread):
        # A locked thread (or locked while the form was open): the text stays on the page to be copied.
        return render_template("discussion/reply.html", thread=thread, form=form, locked=True), 403
    quote_id = QuoteRequestForm().chosen().get("quote") if request.method == "GET" else None
    if quote_id:
        quoted = services.load_post(quote_id)
        if quoted is not None and quoted.thread_id == thread.id and can_quote_post(current_user, quoted):
            form.body.data = quotes.quote(quoted, reader=current_user)
    render = partial(render_template, "discussion/reply.html", thread=thread, form=form)
    if not form.validate_on_submit():
        return render()
    answer = held_back(form, [(_("Beitrag"), form.body.data)], render)
    if answer is not None:
        return answer
    done, new_post = attempt(form.body, lambda: services.add_post(thread, form.body.data, author=current_user))
    if not done:  # locked in the meantime (409): the text stays in the form
        return render(), new_post.status
    db.session.commit()
    flash(_("Ihr Beitrag wurde veröffentlicht."), "success")
    return redirect(post_url(new_post))


# --- edit, revisions, withdraw ------------------------------------------------------------------------------

@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    """The author changes a post; the old text is kept as a revision. When the post was saved elsewhere in the
    meantime, both texts are shown and nothing is overwritten."""
    post = visible_post(post_id)
    require(can_edit_post(current_user, post))
    form = EditPostForm()
    [source] = quotes.shown_sources([post.body_source], current_user)
    if request.method == "GET":
        form.body.data, form.version.data = source, post.version
    render = partial(render_template, "discussion/edit_post.html", post=post, form=form, thread=post.thread,
                     shown=quotes.shown_html([post], current_user), shown_source=source)
    if not form.validate_on_submit():
        return render()
    answer = held_back(form, [(_("Beitrag"), form.body.data)], render, rate_limited=False)
    if answer is not None:
        return answer
    done, changed = attempt(form.body, lambda: services.edit_post(post, form.body.data, editor=current_user,
                                                                  version=form.version.data))
    if not done:  # saved elsewhere meantime (StaleEdit, 409): both texts are shown
        # Saving again now replaces the current text on purpose: the form carries its version from here on.
        form.version.data, form.version.raw_data = post.version, [str(post.version)]
        return render(stale=isinstance(changed, services.StaleEdit)), changed.status
    db.session.commit()
    flash(_("Ihre Änderungen wurden gespeichert.") if changed else _("Sie haben nichts geändert."),
          "success" if changed else "info")
    return redirect(post_url(post))


@bp.route("/posts/<int:post_id>/revisions")
def post_revisions(post_id: int):
    """Earlier texts of a post (for its author and the moderators)."""
    post = visible_post(post_id)
    require(can_view_post_revisions(current_user, post))
    revisions = services.revisions_of(post)
    current, *earlier = quotes.shown_sources([post.body_source, *(each.body_source for each in revisions)],
                                             current_user)
    return render_template("discussion/revisions.html", post=post, source=current,
                           revisions=list(zip(revisions, earlier)))


@bp.route("/posts/<int:post_id>/withdraw", methods=["GET", "POST"])
def withdraw_post(post_id: int):
    """The author takes a post back after confirming; a placeholder stays in the thread."""
    post = visible_post(post_id)
    require(can_withdraw_post(current_user, post))
    form = ConfirmForm()
    if form.validate_on_submit():
        services.withdraw_post(post, actor=current_user)
        db.session.commit()
        flash(_("Ihr Beitrag wurde zurückgezogen. An seiner Stelle steht nun ein Hinweis."), "success")
        return redirect(post_url(post))
    return render_template("discussion/withdraw.html", post=post, form=form,
                           shown=quotes.shown_html([post], current_user))


