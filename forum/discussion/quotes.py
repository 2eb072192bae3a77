"""Quotes of posts, and who may read them.

The quote feature starts a quote with a link to the quoted post (`> [**Name**:](/discussion/posts/7)`, the same in
every UI language),
so every copy of a post's text knows where it came from — in replies, in quotes of quotes, and when the markdown
is pasted into another thread. Rendering marks such a blockquote with the post's id (markup.QUOTE_ATTRIBUTE);
whoever may not read the quoted post (permissions.can_read_post: hidden, pending review, withdrawn, or in a
thread they do not see) is shown a placeholder instead of the quoted text — in the stored HTML (shown_html), in
the markdown offered for editing, quoting and on revision pages (shown_sources) and in a new quote (quote()).
Deciding takes one query for all quoted posts of a page and no markdown.

Quotes written before the link existed ("**Name** schrieb:" above the quote) are linked to their source post by
`flask --app forum rerender` (link_legacy_quotes).
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from forum import markup
from forum.discussion import bp
from forum.discussion.models import Post, PostRevision, Thread
from forum.extensions import db
from forum.permissions import can_read_post

QUOTE_MAX_CHARS = 2_000  # a quote longer than this is cut, so the reply stays within the length limit
# The address of a post (its permalink), also with the host or below a path prefix; group 1 is the post's id.
QUOTE_LINKS = re.compile(rf"(?:https?://[^/\s]+)?(?:/[^\s?#()]*)?{re.escape(bp.url_prefix)}/posts/(\d+)/?")


def post_path(post_id: int) -> str:
    """The permalink's path of a post, also outside a request (the `rerender` command)."""
    if has_request_context():
        return url_for("discussion.post", post_id=post_id)
    return current_app.url_map.bind("localhost").build("discussion.post", {"post_id": post_id})


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text)


def quote(post: Post, *, reader=None) -> str:
    """The start of a reply quoting the post: a link to it with the attribution, then its source as a markdown
    quote. With a `reader`, quotes inside it of posts the reader may not read are cut down to a placeholder."""
    source = post.body_source.replace("\r\n", "\n").strip()
    if reader is not None:
        [source] = shown_sources([source], reader)
    if len(source) > QUOTE_MAX_CHARS:
        source = source[:QUOTE_MAX_CHARS].rstrip() + " […]"
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in source.split("\n"))
    # Language-independent (the name and a colon), so a reply does not carry the quoting person's UI language.
    return f"> [{attribution_of(post.author.stored_name)}]({post_path(post.id)})\n{quoted}\n\n"


def attribution_of(name: str) -> str:
    """How a quote names the quoted post's author in the source (the stored name, so a deleted account's quotes
    read "ehemaliges Mitglied" in every language, like its posts)."""
    return f"**{_escape(name)}**:"


def rename_attribution(source: str, post_ids: set[int], old: str, new: str) -> str:
    """The source with the quotes of these posts attributed to `new` instead of `old` (account deletion: the
    person's name leaves the replies that quoted them); quotes of other posts of the same name stay."""
    pattern = re.compile(rf"\[{re.escape(attribution_of(old))}\]\(({QUOTE_LINKS.pattern})\)")
    return pattern.sub(lambda match: f"[{attribution_of(new)}]({match[1]})" if int(match[2]) in post_ids
                       else match[0], source)


# --- reading ------------------------------------------------------------------------------------------------

def placeholder(post: Post | None) -> str:
    """What a reader who may not read a post sees instead of a quote of it."""
    if post is not None and post.is_withdrawn:
        return _("Zitat aus einem zurückgezogenen Beitrag")
    return _("Zitat aus einem ausgeblendeten Beitrag")


def unreadable(post_ids: Iterable[int], reader) -> dict[int, str]:
    """{post id: placeholder} for the posts among `post_ids` the reader may not read (a post that does not exist
    any more counts as hidden), in one query with the posts' threads and ideas; no query for no ids."""
    wanted = set(post_ids)
    if not wanted:
        return {}
    posts = {post.id: post for post in db.session.scalars(
        select(Post).options(joinedload(Post.thread).joinedload(Thread.idea)).where(Post.id.in_(wanted)))}
    return {post_id: placeholder(posts.get(post_id)) for post_id in sorted(wanted)
            if post_id not in posts or not can_read_post(reader, posts[post_id])}


def shown_html(posts: Iterable[Post], reader) -> dict[int, Markup]:
    """{post id: its HTML as the reader may see it}: every quote of a post the reader may not read is replaced
    by a placeholder. Templates show posts only through this (never `body_html` directly)."""
    posts = list(posts)
    quoted = {post.id: markup.quoted_post_ids(post.body_html) for post in posts}
    hidden = unreadable(set().union(*quoted.values()), reader)
    return {post.id: Markup(markup.replace_quotes(post.body_html,
                                                  {post_id: hidden[post_id] for post_id in quoted[post.id]
                                                   if post_id in hidden}))
            for post in posts}


def shown_sources(sources: list[str], reader) -> list[str]:
    """The markdown sources (of posts, of their earlier versions) as the reader may see them: quotes of posts
    the reader may not read are cut down to a linked placeholder line. One query for all quoted posts."""
    blocks = [markup.quote_blocks(source, QUOTE_LINKS) for source in sources]
    hidden = unreadable({block.post_id for found in blocks for block in found}, reader)
    return [markup.replace_quoted_sources(source, QUOTE_LINKS, hidden) if found else source
            for source, found in zip(sources, blocks)]


def keep_hidden_quotes(body: str, previous: str, reader) -> str:
    """The text a reader saves from the edit form, with each placeholder line it was offered for a quote they
    may not read (shown_sources) put back to that quote as it was — editing one's post does not delete a quote
    of a post hidden in the meantime; deleting the line does."""
    blocks = markup.quote_blocks(previous, QUOTE_LINKS)
    hidden = unreadable({block.post_id for block in blocks}, reader)
    _cut_source, cut = markup.cut_quotes(previous, QUOTE_LINKS, hidden)
    if not cut:
        return body
    originals: dict[str, list[str]] = defaultdict(list)
    for line, original in cut:
        originals[line].append(original)
    lines = body.replace("\r\n", "\n").split("\n")
    for index, line in enumerate(lines):
        if originals.get(line.rstrip()):
            lines[index] = originals[line.rstrip()].pop(0)
    return "\n".join(lines)


def quoted_ids(source: str) -> set[int]:
    """The posts quoted in a markdown source (also in quotes of quotes)."""
    return {block.post_id for block in markup.quote_blocks(source, QUOTE_LINKS)}


def quoting_filter(post_id: int, column):
    """A SQL condition on a source column that holds for every text quoting the post (and a few more, which
    quoted_ids() then sorts out): the link to the post ends with its path and ")"."""
    return column.contains(f"/posts/{post_id})", autoescape=True)


# --- quotes written before the link -------------------------------------------------------------------------

_LEGACY_ATTRIBUTION = re.compile(r"(?P<markers>(?:[ \t]{0,3}>[ \t]?)*)"
                                 r"(?P<attribution>\*\*(?P<name>(?:\\.|[^*\n\\])+)\*\* (?:schrieb|wrote):)[ \t]*")
_LEGACY_PROBES = ("** schrieb:", "** wrote:")


@dataclass
class LegacyResult:
    """What link_legacy_quotes() did: quotes linked (in posts and earlier versions), posts changed, and quotes
    whose source post could not be found (left as they are, for a moderator to check: the ids of their posts)."""

    linked: int = 0
    unresolved: int = 0
    posts: int = 0
    unresolved_in: list[int] = field(default_factory=list)


_QUOTE_MARKERS = re.compile(r"(?:[ \t]{0,3}>[ \t]?)*")
_ATTRIBUTION_LINK = re.compile(r"\[(?:\\.|[^\]\\\n])*\]\([^()\s]*/posts/\d+/?\)")


def _comparable(text: str) -> str:
    """A text reduced to its words for comparing a quote with its source: without quote markers, attribution
    lines, blank lines and the mark of a cut quote."""
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        content = line[len(_QUOTE_MARKERS.match(line).group(0)):].strip()
        if not content or _LEGACY_ATTRIBUTION.fullmatch(content) or _ATTRIBUTION_LINK.match(content):
            continue
        kept.append(" ".join(content.split()))
    joined = "\n".join(kept)
    return joined[:-4].rstrip() if joined.endswith(" […]") else joined


def _source_of(name: str, quoted: str, earlier: list[tuple[Post, list[str]]]) -> Post | None:
    """The post a legacy quote came from: among the earlier posts of the thread (newest first) the one of that
    author whose text (now or in an earlier version) holds the quoted text; else any post holding it; else the
    author's latest post before (privacy first: a quote is rather hidden once too often than shown once)."""
    def holds(texts: list[str]) -> bool:
        return bool(quoted) and any(quoted in text for text in texts)

    of_author = [(post, texts) for post, texts in earlier if post.author.stored_name == name]
    for candidates in (of_author, earlier):
        for post, texts in candidates:
            if holds(texts):
                return post
    return of_author[0][0] if of_author else None


def _link_legacy(source: str, number: int, earlier_of) -> tuple[str, int, int]:
    """(the source with its legacy quotes linked, how many linked, how many not found)."""
    lines = source.replace("\r\n", "\n").split("\n")
    linked = unresolved = 0
    for index, line in enumerate(lines):
        match = _LEGACY_ATTRIBUTION.fullmatch(line)
        if match is None or index + 1 >= len(lines):
            continue
        depth = match.group("markers").count(">")
        block = []
        for following in lines[index + 1:]:
            if _QUOTE_MARKERS.match(following).group(0).count(">") <= depth:
                break
            block.append(following)
        if not block:
            continue
        name = re.sub(r"\\(.)", r"\1", match.group("name"))
        quoted = _comparable("\n".join(block))
        post = _source_of(name, quoted, earlier_of(number))
        if post is None:
            unresolved += 1
            continue
        lines[index] = f"{'> ' * (depth + 1)}[{match.group('attribution')}]({post_path(post.id)})"
        linked += 1
    return "\n".join(lines), linked, unresolved


def link_legacy_quotes() -> LegacyResult:
    """Give every quote written before quotes linked their source ("**Name** schrieb:" above a "> " quote) the
    link to the quoted post, in posts and their earlier versions; posts changed get a new version (an edit form
    opened before then gets the stale-edit answer). Thread by thread, loading each thread's posts once."""
    result = LegacyResult()
    post_threads = select(Post.thread_id).where(or_(*(Post.body_source.contains(probe) for probe in _LEGACY_PROBES)))
    revision_threads = (select(Post.thread_id).join(PostRevision, PostRevision.post_id == Post.id)
                        .where(or_(*(PostRevision.body_source.contains(probe) for probe in _LEGACY_PROBES))))
    thread_ids = sorted(set(db.session.scalars(post_threads)) | set(db.session.scalars(revision_threads)))
    for thread_id in thread_ids:
        posts = list(db.session.scalars(select(Post).options(joinedload(Post.author))
                                        .where(Post.thread_id == thread_id).order_by(Post.number)))
        revisions: dict[int, list[PostRevision]] = defaultdict(list)
        for revision in db.session.scalars(select(PostRevision).where(
                PostRevision.post_id.in_([post.id for post in posts])).order_by(PostRevision.id)):
            revisions[revision.post_id].append(revision)
        texts = {post.id: [_comparable(post.body_source)] + [_comparable(r.body_source) for r in revisions[post.id]]
                 for post in posts}

        def earlier_of(number: int) -> list[tuple[Post, list[str]]]:
            return [(post, texts[post.id]) for post in reversed(posts) if post.number < number]

        numbers = {post.id: post.number for post in posts}
        for post in posts:
            source, linked, unresolved = _link_legacy(post.body_source, post.number, earlier_of)
            result.linked, result.unresolved = result.linked + linked, result.unresolved + unresolved
            if unresolved:
                result.unresolved_in.append(post.id)
            if linked:
                db.session.execute(update(Post).where(Post.id == post.id)
                                   .values(body_source=source, version=Post.version + 1)
                                   .execution_options(synchronize_session=False))
                result.posts += 1
            for revision in revisions[post.id]:
                source, linked, unresolved = _link_legacy(revision.body_source, numbers[post.id], earlier_of)
                result.linked, result.unresolved = result.linked + linked, result.unresolved + unresolved
                if unresolved and post.id not in result.unresolved_in:
                    result.unresolved_in.append(post.id)
                if linked:
                    revision.body_source = source
        db.session.flush()
        db.session.expire_all()
    return result
