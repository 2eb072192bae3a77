"""Posts per person and calendar month (PostMonth), for the programme statistics (forum/statistics/figures.py).

Kept exact in the transaction of every change that moves a count: a post written (services.append_post) adds
one with INSERT … ON CONFLICT DO UPDATE (parallel posts never lose a count); an idea's status change moves the
posts of its discussion between "every member sees the thread" (thread_id 0) and the thread's own rows
(ideas/services.py), decided by the same visible_threads filter as the pages. Hiding and withdrawing change
nothing: the statistics count every post written. `rebuild()` recounts everything (after bulk imports, the demo
data and the benchmark's seeding).
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from forum.clock import BERLIN
from forum.discussion.models import Post, PostMonth, Thread
from forum.extensions import db
from forum.permissions import ANY_MEMBER, visible_threads
from forum.statistics.period import start_of



def month_of(moment: datetime) -> datetime:
    """The first moment (UTC) of the Berlin calendar month a moment falls into."""
    local = moment.astimezone(BERLIN)
    return start_of(date(local.year, local.month, 1))


def _key(thread_ids: list[int] | None = None) -> dict[int, int]:
    """{thread id: its key} (of every thread when None): 0 for the threads every member sees (the stand-in
    member of permissions.py), else the thread's own id."""
    threads = select(Thread.id) if thread_ids is None else select(Thread.id).where(Thread.id.in_(thread_ids))
    everyone = set(db.session.scalars(visible_threads(ANY_MEMBER, threads)))
    return {thread_id: 0 if thread_id in everyone else thread_id for thread_id in db.session.scalars(threads)}


def _add(month: datetime, author_id: int, thread_id: int, posts: int) -> None:
    """posts = posts + n of one row, created when missing, in one statement that holds under parallel writers."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(PostMonth).values(month=month, author_id=author_id, thread_id=thread_id, posts=posts)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["month", "author_id", "thread_id"],
        set_={"posts": PostMonth.posts + statement.excluded.posts}))


def count_post(post: Post) -> None:
    """A post was written."""
    _add(month_of(post.created_at), post.author_id, _key([post.thread_id])[post.thread_id], 1)


def follow_threads(thread_ids: list[int]) -> None:
    """Who sees these threads may have changed (an idea's status): move their posts' counts to the right key."""
    for thread_id, key in _key(thread_ids).items():
        counted_apart = db.session.scalar(select(PostMonth.id).where(PostMonth.thread_id == thread_id).limit(1))
        if (key == 0) != (counted_apart is not None):
            continue  # already under the right key
        old = thread_id if key == 0 else 0
        counts = Counter((month_of(at), author_id) for author_id, at in db.session.execute(
            select(Post.author_id, Post.created_at).where(Post.thread_id == thread_id)))
        for (month, author_id), posts in counts.items():
            db.session.execute(update(PostMonth).where(
                PostMonth.month == month, PostMonth.author_id == author_id, PostMonth.thread_id == old)
                .values(posts=PostMonth.posts - posts).execution_options(synchronize_session=False))
            _add(month, author_id, key, posts)
        db.session.execute(delete(PostMonth).where(PostMonth.thread_id == old, PostMonth.posts <= 0,
                                                   PostMonth.month.in_({month for month, _ in counts})))


def rebuild() -> int:
    """Recount every post; returns the number of rows."""
    db.session.execute(delete(PostMonth))
    keys = _key()
    counts: Counter = Counter()
    rows = db.session.execute(select(Post.author_id, Post.created_at, Post.thread_id)
                              .execution_options(yield_per=10_000))
    for author_id, at, thread_id in rows:
        counts[(month_of(at), author_id, keys[thread_id])] += 1
    values = [{"month": month, "author_id": author_id, "thread_id": key, "posts": posts}
              for (month, author_id, key), posts in counts.items()]
    for start in range(0, len(values), 10_000):
        db.session.execute(PostMonth.__table__.insert(), values[start:start + 10_000])
    return len(values)
