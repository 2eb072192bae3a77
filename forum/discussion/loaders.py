"""Loading a thread or post for a view: 404 when it does not exist, 403 when the user may not see it; and the
URL of a post on its thread page. Shared by the discussion and moderation views."""
from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user

from forum.discussion import services
from forum.discussion.models import Post, Thread
from forum.permissions import can_view_thread, require


def post_url(post: Post) -> str:
    """The thread page with the post on it, scrolled to the post."""
    page = post.page
    return url_for("discussion.show", thread_id=post.thread_id, page=page if page > 1 else None,
                   _anchor=f"beitrag-{post.number}")


def visible_thread(thread_id: int) -> Thread:
    """The thread, or 404; 403 unless the user may see it."""
    thread = services.load_thread(thread_id)
    if thread is None:
        abort(404)
    require(can_view_thread(current_user, thread))
    return thread


def visible_post(post_id: int) -> Post:
    """The post with its thread and author, or 404; 403 unless the user may see its thread."""
    post = services.load_post(post_id)
    if post is None:
        abort(404)
    require(can_view_thread(current_user, post.thread))
    return post
