"""What every view that takes a post form does before saving: the preview, the client-data warning and the
posting rate limit (replies, new threads, edits; in discussion/views.py and discussion/board_views.py)."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from limits import parse_many

from forum import guard
from forum.discussion import services
from forum.extensions import db, limiter


def within_posting_limit() -> bool:
    """Count one post against the user's budget (RATELIMIT_POST, e.g. "10 per minute"); False when it is
    used up. Checked by hand rather than by decorator, so the form comes back with the text instead of an
    error page; the counters live in Flask-Limiter's storage (Redis with several app servers)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    limits = parse_many(current_app.config["RATELIMIT_POST"])
    return all([limiter.limiter.hit(item, "posting", str(current_user.id)) for item in limits])


def held_back(form, texts, render, *, rate_limited: bool = True):
    """The answer to a valid post form that is not saved (yet): the preview (second button "Vorschau", with the
    client-data guard's marks), the client-data warning, or — for new posts — the rate limit. None when the text
    may be saved.

    `texts` are the (label, text) pairs the guard checks; `render(**context)` shows the form again.
    """
    if "preview" in request.form:  # the same marks as on publishing, but nothing counted or stopped
        return render(preview=services.render_post(form.body.data)[0], finding=guard.find(texts))
    answer = guard.hold_back(texts, confirmed=form.confirm_client_data.data, context="post", render=render)
    if answer is not None:
        return answer
    if rate_limited and not within_posting_limit():
        db.session.rollback()
        return render(too_many=True), 429
    return None
