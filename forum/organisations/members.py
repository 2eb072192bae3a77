"""A member's profile page: the person, and what they wrote that the viewer may read (newest posts and ideas).

Read-only queries for organisations/views.py, each a fixed number of statements whatever the data size; every list
goes through the visibility filters of forum/permissions.py.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.accounts.models import User
from forum.discussion.models import Post
from forum.extensions import db
from forum.ideas.models import Idea
from forum.permissions import readable_posts, visible_ideas

RECENT = 10  # posts and ideas on a profile: a first impression, the threads and the Ideenbörse hold the rest


def load_member(user_id: int) -> User | None:
    """The account with its organisation (joined by the relationship), or None."""
    return db.session.get(User, user_id)


def recent_posts(viewer, member: User, limit: int = RECENT) -> list[Post]:
    """The member's newest posts that the viewer may read (permissions.readable_posts: only threads they see),
    with their threads, in one query. Hidden and withdrawn posts are left out for everyone, moderators and the
    author too: a profile shows what is shown normally in the threads, not what moderation took out."""
    return list(db.session.scalars(
        readable_posts(viewer, select(Post))
        .where(Post.author_id == member.id, Post.hidden_at.is_(None), Post.withdrawn_at.is_(None))
        .options(joinedload(Post.thread))
        .order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)))


def recent_ideas(viewer, member: User, limit: int = RECENT) -> list[Idea]:
    """The member's newest ideas that the viewer may see (permissions.visible_ideas), in one query."""
    return list(db.session.scalars(
        visible_ideas(viewer, select(Idea)).where(Idea.author_id == member.id)
        .order_by(Idea.created_at.desc(), Idea.id.desc()).limit(limit)))
