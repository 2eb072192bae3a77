"""What the search page needs besides the engine: the options of its filters and the per-user rate limit."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy import select

from forum import permissions
from forum.accounts.models import User
from forum.discussion.models import Board
from forum.events.models import Event
from forum.extensions import db, limiter
from forum.ideas.models import ReferenceTerm
from forum.organisations.models import LAENDER
from forum.organisations.services import organisation_choices

KIND_LABELS = {
    "post": _l("Beiträge"),
    "thread": _l("Diskussionen"),
    "idea": _l("Ideen"),
    "event": _l("Veranstaltungen"),
    "document": _l("Dokumente"),
    "organisation": _l("Organisationen"),
}
SORT_LABELS = {"relevance": _l("Relevanz"), "date": _l("Datum (neueste zuerst)")}


def within_search_limit(user) -> bool:
    """Count one search against the user's budget (RATELIMIT_SEARCH); False when it is used up. By hand, like
    the posting limit, so the page keeps the query and says why (Flask-Limiter's storage: Redis in production)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    limits = parse_many(current_app.config["RATELIMIT_SEARCH"])
    return all([limiter.limiter.hit(item, "search", str(user.id)) for item in limits])


def filter_options(user, *, event_id: int | None, author_id: int | None) -> dict[str, dict]:
    """{field: {value: label}} of the search form. Events and people are many, so each is offered only when a
    link chose one (the event page's and a result's "more from this person"), checked to exist and be visible."""
    options = {
        "kind": {kind: str(label) for kind, label in KIND_LABELS.items()},
        "sort": {key: str(label) for key, label in SORT_LABELS.items()},
        "land": dict(LAENDER),
        "board": {str(id_): title for id_, title in db.session.execute(
            select(Board.id, Board.title).order_by(Board.position, Board.title))},
        "topic": {str(id_): name for id_, name in db.session.execute(
            select(ReferenceTerm.id, ReferenceTerm.name).where(ReferenceTerm.kind == "topic")
            .order_by(ReferenceTerm.position, ReferenceTerm.name))},
        "organisation": {str(id_): name for id_, name in organisation_choices().items()},
        "event": {},
        "author": {},
    }
    if event_id is not None:
        options["event"] = {str(id_): title for id_, title in db.session.execute(
            permissions.visible_events(user, select(Event.id, Event.title).where(Event.id == event_id)))}
    if author_id is not None:
        options["author"] = {str(id_): name for id_, name in db.session.execute(
            permissions.visible_members(user, select(User.id, User.display_name).where(User.id == author_id)))}
    return options
