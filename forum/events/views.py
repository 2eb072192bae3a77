"""Pages of the events package (being built for the events/ideas issue)."""
from __future__ import annotations

from flask import render_template

from forum.events import bp


@bp.route("/")
def index():
    """The list page."""
    return render_template("errors/error.html", code=200, title="…", message="…")
