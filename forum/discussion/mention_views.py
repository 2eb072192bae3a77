"""The @mention suggestions of the post editor (static/js/editor.js): a small JSON answer while typing.

Without JavaScript nobody asks for it; the @-syntax works as before (discussion/mentions.py).
"""
from __future__ import annotations

from flask import current_app, jsonify
from flask_limiter.util import get_remote_address
from flask_login import current_user

from forum.discussion import bp, mentions
from forum.discussion.forms import MentionQueryForm
from forum.extensions import limiter


def _per_account() -> str:
    """The rate-limit bucket: the account (the login gate answers anonymous requests, which count per address)."""
    user_id = getattr(current_user, "id", None)
    return f"mentions:{user_id}" if user_id is not None else f"mentions-address:{get_remote_address()}"


@bp.route("/mentions")
@limiter.limit(lambda: current_app.config["RATELIMIT_MENTIONS"], key_func=_per_account)
def mention_suggestions():
    """Up to eight people to mention whose name starts with `?q=` (at least two letters): name and handle."""
    form = MentionQueryForm()
    form.validate()
    return jsonify(members=mentions.suggest(current_user, form.q.data or ""))
