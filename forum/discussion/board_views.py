"""The Fachforen: the overview, a board with its threads, starting a thread, and the admins' board pages."""
from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.discussion import boards, bp, services
from forum.discussion.forms import BoardForm, ThreadForm
from forum.discussion.models import Board
from forum.discussion.loaders import post_url
from forum.discussion.posting import held_back
from forum.extensions import db
from forum.forms import MoveForm, attempt
from forum.permissions import can_manage_boards, can_start_thread, can_view_board, require
from forum.queries import paginate

THREADS_PER_PAGE = 25


@bp.route("/")
def index():
    """All Fachforen in their order, with how many threads each has and when something last happened."""
    return render_template("discussion/index.html", summaries=boards.boards_overview())


def _board(board_id: int) -> Board:
    board = db.get_or_404(Board, board_id)
    require(can_view_board(current_user, board))
    return board


@bp.route("/boards/<int:board_id>")
def board(board_id: int):
    """A board's threads: pinned first, then by latest activity; replies, last post and unread marker."""
    board = _board(board_id)
    page = paginate(boards.board_threads(board, current_user), per_page=THREADS_PER_PAGE)
    unread = services.unread_in(current_user, [thread.id for thread in page.items])
    return render_template("discussion/board.html", board=board, page=page, unread_in=unread,
                           page_of=services.page_of)


@bp.route("/boards/<int:board_id>/new", methods=["GET", "POST"])
def new_thread(board_id: int):
    """Start a thread: title and first post, with preview, client-data guard and rate limit."""
    board = _board(board_id)
    require(can_start_thread(current_user, board))
    form = ThreadForm()
    render = partial(render_template, "discussion/new_thread.html", board=board, form=form)
    if not form.validate_on_submit():
        return render()
    answer = held_back(form, [(_("Titel"), form.title.data), (_("Erster Beitrag"), form.body.data)], render)
    if answer is not None:
        return answer
    first = services.open_thread(board, form.title.data, form.body.data, author=current_user)
    db.session.commit()
    flash(_("Ihre Diskussion „%(title)s“ wurde eröffnet.", title=first.thread.title), "success")
    return redirect(post_url(first))


# --- administration -----------------------------------------------------------------------------------------

@bp.route("/boards/manage", methods=["GET", "POST"])
def manage_boards():
    """The admins' list of boards: order, edit, and a form to add one."""
    require(can_manage_boards(current_user))
    form = BoardForm()
    if form.validate_on_submit():
        done, created = attempt(form.title, lambda: boards.create_board(form.title.data, form.description.data or "",
                                                                        actor=current_user))
        if done:
            db.session.commit()
            flash(_("Das Fachforum „%(title)s“ wurde angelegt.", title=created.title), "success")
            return redirect(url_for("discussion.manage_boards"))
    return render_template("discussion/manage_boards.html", summaries=boards.boards_overview(), form=form)


@bp.route("/boards/<int:board_id>/edit", methods=["GET", "POST"])
def edit_board(board_id: int):
    """Change a board's title and description (audited)."""
    board = db.get_or_404(Board, board_id)
    require(can_manage_boards(current_user))
    form = BoardForm(obj=board)
    if form.validate_on_submit():
        done, changed = attempt(form.title, lambda: boards.update_board(board, form.title.data,
                                                                        form.description.data or "",
                                                                        actor=current_user))
        if done:
            db.session.commit()
            flash(_("Die Änderungen wurden gespeichert.") if changed else _("Sie haben nichts geändert."),
                  "success" if changed else "info")
            return redirect(url_for("discussion.manage_boards"))
    return render_template("discussion/board_form.html", board=board, form=form)


@bp.route("/boards/<int:board_id>/move", methods=["POST"])
def move_board(board_id: int):
    """One place up or down in the list of Fachforen (audited)."""
    board = db.get_or_404(Board, board_id)
    require(can_manage_boards(current_user))
    form = MoveForm()
    if form.validate_on_submit() and boards.move_board(board, -1 if form.direction.data == "up" else 1,
                                                       actor=current_user):
        db.session.commit()
        flash(_("„%(title)s“ steht jetzt an Position %(position)s.", title=board.title, position=board.position),
              "success")
    return redirect(url_for("discussion.manage_boards", _anchor=f"fachforum-{board.id}"))
