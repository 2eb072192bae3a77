"""Following threads, ideas and events: one row per person and target, added exactly once under parallel requests."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import delete, select

from forum.clock import utcnow
from forum.discussion.models import Thread
from forum.events.models import Event
from forum.extensions import db
from forum.ideas.models import Idea
from forum.notifications.models import Follow
from forum.queries import insert_new
from forum.permissions import visible_ideas, visible_threads

TARGET_MODELS = {"thread": Thread, "idea": Idea, "event": Event}


def target_key(target) -> tuple[str, int]:
    """("thread" | "idea" | "event", id) of something that can be followed; TypeError for anything else."""
    for target_type, model in TARGET_MODELS.items():
        if isinstance(target, model):
            return target_type, target.id
    raise TypeError(f"{type(target).__name__} cannot be followed")


def load_target(target_type: str, target_id: int):
    """The thread, idea or event with this id, or None (also for an unknown type)."""
    model = TARGET_MODELS.get(target_type)
    return db.session.get(model, target_id) if model is not None else None


def target_url(target) -> str:
    """The page of a followed thread, idea or event."""
    target_type, target_id = target_key(target)
    endpoint = {"thread": "discussion.show", "idea": "ideas.show", "event": "events.show"}[target_type]
    return url_for(endpoint, **{f"{target_type}_id": target_id})


def follow(user, target) -> bool:
    """Follow a thread, idea or event (idempotent, INSERT … ON CONFLICT DO NOTHING); True when new."""
    target_type, target_id = target_key(target)
    return insert_new(Follow.__table__, ["user_id", "target_type", "target_id"], user_id=user.id,
                      target_type=target_type, target_id=target_id, created_at=utcnow())


def unfollow(user, target) -> bool:
    """Stop following; True when a follow was removed."""
    target_type, target_id = target_key(target)
    return db.session.execute(delete(Follow.__table__).where(
        Follow.user_id == user.id, Follow.target_type == target_type, Follow.target_id == target_id)).rowcount == 1


def is_following(user, target) -> bool:
    """Whether the user follows the thread, idea or event (one indexed lookup)."""
    if not getattr(user, "is_authenticated", False):
        return False
    target_type, target_id = target_key(target)
    return db.session.scalar(select(Follow.id).where(
        Follow.user_id == user.id, Follow.target_type == target_type, Follow.target_id == target_id)) is not None


def followers_query(target_type: str, target_id: int):
    """SELECT user_id of the people following one target (a subquery for the notification services)."""
    return select(Follow.user_id).where(Follow.target_type == target_type, Follow.target_id == target_id)


def following_page(user, *, page: int, per_page: int = 25):
    """The user's follows, newest first, paginated; each item gets `.target` (None when it is gone or no longer
    visible to the user: visible_threads, visible_ideas).

    The targets are loaded with one query per kind of target, whatever the page holds.
    """
    pagination = db.paginate(select(Follow).where(Follow.user_id == user.id)
                             .order_by(Follow.created_at.desc(), Follow.id.desc()),
                             page=page, per_page=per_page, error_out=False)
    wanted: dict[str, set[int]] = {}
    for item in pagination.items:
        wanted.setdefault(item.target_type, set()).add(item.target_id)
    found = {}
    for target_type, ids in wanted.items():
        model = TARGET_MODELS.get(target_type)
        if model is not None:
            query = select(model).where(model.id.in_(ids))
            if model is Thread:
                query = visible_threads(user, query)
            elif model is Idea:
                query = visible_ideas(user, query)
            found.update({(target_type, row.id): row for row in db.session.scalars(query)})
    for item in pagination.items:
        item.target = found.get((item.target_type, item.target_id))
    return pagination
