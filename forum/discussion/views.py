"""Thread pages: what a thread belongs to (an event, an idea, or the follow-up of an event); posts come with
the discussions issue."""
from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_login import current_user

from forum.discussion import bp
from forum.discussion.models import Thread
from forum.extensions import db
from forum.permissions import can_view_thread, require


@bp.route("/<int:thread_id>")
def show(thread_id: int):
    """One thread: its title and what it belongs to."""
    thread = db.get_or_404(Thread, thread_id)
    require(can_view_thread(current_user, thread))
    idea_url = None
    if thread.idea_id is not None and "ideas.show" in current_app.view_functions:
        idea_url = url_for("ideas.show", idea_id=thread.idea_id)
    return render_template("discussion/thread.html", thread=thread, idea_url=idea_url)
