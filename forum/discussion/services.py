"""Threads and posts: start a thread, reply, edit (with revisions and stale-edit detection), withdraw, the read
state per user and thread, and the pages of a thread. Quotes (and who may read them) are in quotes.py.

Post numbers and counters are exact under parallel replies: the thread row is updated in SQL
(`post_count = post_count + 1 … RETURNING post_count`) and that number is the new post's number. Markdown is
rendered once, here, when a text is written. The Fachforen themselves are in `forum/discussion/boards.py`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from forum import markup
from forum.accounts.models import User
from forum.clock import utcnow
from forum.discussion import monthly
from forum.discussion.mentions import link_mentions
from forum.discussion.models import POSTS_PER_PAGE, Board, Post, PostRevision, Thread, ThreadRead
from forum.discussion.quotes import QUOTE_LINKS, keep_hidden_quotes
from forum.extensions import db
from forum.languages import written_in
from forum.moderation.services import record_moderator_edit
from forum.notifications import following, inbox
from forum.queries import Page, page_count as pages_for
from forum.rules import RuleBroken
from forum.search import index as search_index
from forum.permissions import readable_posts, visible_posts


class DiscussionError(RuleBroken):
    """A rule of the discussions was broken; the message is in the user's language, for the form."""


class StaleEdit(DiscussionError):
    """The post was changed (another tab, another window) since the edit form was opened."""

    status = 409


# --- writing ------------------------------------------------------------------------------------------------

def render_post(source: str) -> tuple[str, list[User]]:
    """The sanitised HTML of a post's markdown, with @mentions linked and quotes of posts marked, and the people
    it mentions."""
    linked, mentioned = link_mentions(source)
    try:
        return markup.render(linked, quote_links=QUOTE_LINKS), mentioned
    except markup.TextTooLong:  # the links made a text just under the limit a little longer
        return markup.render(source, quote_links=QUOTE_LINKS), []


def start_thread(title: str, *, author, event=None, idea=None, follow_up_of=None, board: Board | None = None
                 ) -> Thread:
    """Create a thread: the main thread of an event or an idea, a follow-up of an event, or a thread of a
    Fachforum (whose first post is added by open_thread)."""
    thread = Thread(title=" ".join(title.split()), created_by=author, event=event, idea=idea,
                    follow_up_event=follow_up_of, board=board, language=written_in(author))
    db.session.add(thread)
    db.session.flush()
    search_index.index_thread(thread)
    return thread


def open_thread(board: Board, title: str, body: str, *, author: User) -> Post:
    """Start a thread in a Fachforum with its first post; the author follows it. Returns the first post."""
    thread = start_thread(title, author=author, board=board)
    return add_post(thread, body, author=author)


def add_post(thread: Thread, body: str, *, author: User) -> Post:
    """Append a post to a thread: numbered exactly, the author follows the thread, followers and the people
    mentioned are notified. Raises DiscussionError for a locked thread."""
    post, mentioned = append_post(thread, body, author=author)
    mark_read(author.id, thread.id, post.number)
    following.follow(author, thread)
    inbox.notify_new_post(post, mentioned=[person for person in mentioned if person.id != author.id])
    return post


def append_post(thread: Thread, body: str, *, author: User, at: datetime | None = None) -> tuple[Post, list[User]]:
    """The post itself, numbered with `post_count = post_count + 1 … RETURNING` and rendered once, and the
    people it mentions — without following or notifying (add_post does that; demo data uses this directly)."""
    html, mentioned = render_post(body)
    now = at or utcnow()
    number = db.session.execute(
        update(Thread).where(Thread.id == thread.id, Thread.locked_at.is_(None))
        .values(post_count=Thread.post_count + 1, last_activity_at=now, last_post_author_id=author.id)
        .returning(Thread.post_count).execution_options(synchronize_session=False)).scalar()
    if number is None:
        raise DiscussionError(_("Diese Diskussion ist geschlossen. Es können keine Beiträge mehr geschrieben "
                                "werden."), status=409)
    db.session.expire(thread, ["post_count", "last_activity_at", "last_post_author_id", "last_post_author"])
    post = Post(thread_id=thread.id, number=number, author_id=author.id, body_source=body, body_html=html,
                created_at=now, language=written_in(author))
    db.session.add(post)
    db.session.flush()
    search_index.index_post(post)
    monthly.count_post(post)
    return post, mentioned


def edit_post(post: Post, body: str, *, editor: User, version: int) -> bool:
    """Change a post's text, keeping the previous text as a revision; False when nothing changed. A moderator's
    edit of someone else's post is audited and closes the post's open reports. Quotes the editor was offered
    as placeholders (posts they may not read) are kept as they were.

    `version` is the one the edit form was opened with: when the post was saved in between, StaleEdit is
    raised and nothing is written (the caller shows both texts, so nothing is lost).
    """
    if version != post.version:
        raise StaleEdit(_("Dieser Beitrag wurde inzwischen geändert."))
    body = keep_hidden_quotes(body, post.body_source, editor)
    if body == post.body_source:
        return False
    html, _mentioned = render_post(body)
    previous = post.body_source
    changed = db.session.execute(
        update(Post).where(Post.id == post.id, Post.version == version)
        .values(body_source=body, body_html=html, edited_at=utcnow(), version=Post.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise StaleEdit(_("Dieser Beitrag wurde inzwischen geändert."))
    db.session.add(PostRevision(post_id=post.id, editor_id=editor.id, body_source=previous))
    db.session.flush()
    db.session.expire(post)
    search_index.index_post(post)
    if editor.id != post.author_id:  # only moderators may edit other people's posts (permissions.can_edit_post)
        record_moderator_edit(post, previous, editor=editor)
    return True


def withdraw_post(post: Post, *, actor: User) -> bool:
    """The author takes a post back: a placeholder stays in its place; False when it was withdrawn already."""
    withdrawn = db.session.execute(
        update(Post).where(Post.id == post.id, Post.withdrawn_at.is_(None)).values(withdrawn_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.expire(post, ["withdrawn_at"])
    if withdrawn:  # its text leaves the index with it
        search_index.forget("post", post.id)
    return withdrawn


def rerender_posts() -> int:
    """Rebuild the HTML of every post (after an allowlist change); returns how many."""
    count = 0
    for post in db.session.scalars(select(Post).execution_options(yield_per=500)):
        post.body_html = render_post(post.body_source)[0]
        count += 1
    db.session.flush()
    return count


# --- reading ------------------------------------------------------------------------------------------------

@dataclass
class PostPage(Page):
    """One page of a thread's posts (posts keep their numbers, so no count query)."""

    @property
    def last_number(self) -> int:
        return max((post.number for post in self.items), default=0)


def page_count(thread: Thread) -> int:
    """How many pages of POSTS_PER_PAGE the thread has (at least one)."""
    return pages_for(thread.post_count, POSTS_PER_PAGE)


def page_of(number: int) -> int:
    """The page a post number is on."""
    return (max(number, 1) - 1) // POSTS_PER_PAGE + 1


def thread_page(thread: Thread, page: int, reader: User) -> PostPage:
    """The posts of one page the reader sees (permissions.visible_posts) with their authors and organisations,
    in one query by number range."""
    first = (page - 1) * POSTS_PER_PAGE + 1
    posts = db.session.scalars(
        visible_posts(reader, select(Post), thread=thread).options(joinedload(Post.author))
        .where(Post.number >= first, Post.number < first + POSTS_PER_PAGE)
        .order_by(Post.number)).unique().all()
    return PostPage(page=page, pages=page_count(thread), items=list(posts))


def load_thread(thread_id: int) -> Thread | None:
    """A thread with everything its page names (board, event, idea, follow-up, starter), in one query. Without
    the organisations of starter and locker (the page names only them): nine tables took PostgreSQL ~4 ms to
    plan, for 0.6 ms of work."""
    return db.session.scalar(
        select(Thread).where(Thread.id == thread_id).options(
            joinedload(Thread.board), joinedload(Thread.event), joinedload(Thread.idea),
            joinedload(Thread.follow_up_event), joinedload(Thread.created_by).lazyload(User.organisation),
            joinedload(Thread.locked_by).lazyload(User.organisation)))


def load_post(post_id: int) -> Post | None:
    """A post with its thread and author."""
    return db.session.scalar(select(Post).where(Post.id == post_id)
                             .options(joinedload(Post.thread).joinedload(Thread.idea), joinedload(Post.author)))


def post_before(post: Post) -> Post | None:
    """The post just before this one in its thread (its context in the report queue)."""
    if post.number <= 1:
        return None
    return db.session.scalar(select(Post).options(joinedload(Post.author))
                             .where(Post.thread_id == post.thread_id, Post.number == post.number - 1))


def read_numbers(user_id: int, thread_ids: list[int]) -> dict[int, int]:
    """{thread id: number of the last post the user has seen} for a list of threads, in one query."""
    if not thread_ids:
        return {}
    return dict(db.session.execute(select(ThreadRead.thread_id, ThreadRead.last_read_number).where(
        ThreadRead.user_id == user_id, ThreadRead.thread_id.in_(thread_ids))).all())


def unread_posts(user: User, thread_ids: list[int] | Select | None = None) -> Select:
    """Per thread (thread_id, unread, first_unread, latest): the posts the user has not read yet — the one
    definition of "ungelesen" for the board lists, the thread page and "Neu seit Ihrem letzten Besuch".

    Unread are posts of others whose text the user may read (permissions.readable_posts; withdrawn ones show only a
    placeholder), beyond how far they read the thread (ThreadRead) and newer than `user.news_since`. The user's own
    posts never count."""
    return _unread(user, select(Post.thread_id, func.count(Post.id).label("unread"),
                                func.min(Post.number).label("first_unread"),
                                func.max(Post.created_at).label("latest")).group_by(Post.thread_id),
                   among=thread_ids)


def _unread(user: User, query: Select, thread: Thread | None = None, among=None) -> Select:
    """A query over posts narrowed to those unread_posts() counts (`thread`: of that thread only; `among`: of
    these threads only)."""
    return readable_posts(user, thread=thread, among=among, query=query.outerjoin(
        ThreadRead, (ThreadRead.thread_id == Post.thread_id) & (ThreadRead.user_id == user.id)).where(
        Post.author_id != user.id, Post.withdrawn_at.is_(None), Post.created_at > user.news_since,
        Post.number > func.coalesce(ThreadRead.last_read_number, 0)))


def read_state(user: User, thread: Thread) -> tuple[int, int | None]:
    """(number of the last post the user has seen in the thread — 0: none —, number of the first unread post or
    None), in one query. The first unread post is the first by number (it stops there, counting none of the rest
    as unread_posts() does: in a long thread most posts are unread)."""
    read = select(ThreadRead.last_read_number).where(ThreadRead.user_id == user.id, ThreadRead.thread_id == thread.id)
    first = _unread(user, select(Post.number), thread).order_by(Post.number).limit(1)
    number, first_unread = db.session.execute(select(func.coalesce(read.scalar_subquery(), 0),
                                                     first.scalar_subquery())).one()
    return number, first_unread


def unread_in(user: User, thread_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{thread id: (how many posts are unread, number of the first unread one)} for a list of threads, one
    query; threads with nothing unread are missing."""
    if not thread_ids:
        return {}
    return {thread_id: (unread, first) for thread_id, unread, first, _latest
            in db.session.execute(unread_posts(user, thread_ids))}


def mark_read(user_id: int, thread_id: int, number: int, *, known: int | None = None) -> bool:
    """Record that the user has seen the thread up to post `number` — only when that is further than before.

    Takes ids, not objects: the thread page calls it after rendering, in a transaction of its own.

    `known` is the value the caller has already read: when `number` is not beyond it nothing is written at all.
    One UPSERT that never lowers the value, so parallel tabs cannot move it back.
    """
    if number <= 0 or (known is not None and number <= known):
        return False
    table = ThreadRead.__table__
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(user_id=user_id, thread_id=thread_id, last_read_number=number,
                                     updated_at=utcnow())
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.thread_id],
        set_={"last_read_number": statement.excluded.last_read_number, "updated_at": statement.excluded.updated_at},
        where=table.c.last_read_number < statement.excluded.last_read_number)
    db.session.execute(statement)
    return True


def revisions_of(post: Post) -> list[PostRevision]:
    """Earlier texts of a post, newest first, with their editors."""
    return list(db.session.scalars(select(PostRevision).options(joinedload(PostRevision.editor))
                                   .where(PostRevision.post_id == post.id)
                                   .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())))
