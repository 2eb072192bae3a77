"""Reports (Meldungen): members flag posts, moderators work the queue of open cases (one case per post).

One open report per member and post is a partial unique index; INSERT … ON CONFLICT DO NOTHING decides, so
parallel reports never double. A report of client data hides the post at once, pending review. Closing a case
claims its open reports with one UPDATE … RETURNING: when two moderators close the same case at once, the
second claims nothing and gets CaseClosed — never a double action.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _, ngettext
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from forum.audit import post_snapshot, record
from forum.clock import utcnow
from forum.discussion.models import Post, Thread
from forum.extensions import db
from forum.moderation.models import Report
from forum.moderation.services import ModerationError, close_reports, hide_post, set_hidden, unhide_post
from forum.notifications.inbox import notify_new_report
from forum.queries import Page, page_count

REPORT_WINDOW = timedelta(days=1)


class CaseClosed(ModerationError):
    """The case was closed by someone else in the meantime (or had no open report)."""


# --- reporting ----------------------------------------------------------------------------------------------

def reports_today(user) -> int:
    """How many reports the member made in the last 24 hours (on the reporter/created_at index)."""
    return db.session.scalar(select(func.count(Report.id)).where(
        Report.reporter_id == user.id, Report.created_at >= utcnow() - REPORT_WINDOW))


def report_post(post: Post, *, reporter, reason: str, note: str = "") -> Report | None:
    """Flag a post for the moderators. None when this member has an open report of it already.

    Raises ModerationError when the member used up the day's reports (REPORTS_PER_DAY). A report of client
    data hides the post at once (privacy first); the moderators are notified either way.
    """
    limit = current_app.config["REPORTS_PER_DAY"]
    if reports_today(reporter) >= limit:
        raise ModerationError(ngettext(
            "Sie haben in den letzten 24 Stunden schon %(num)s Beitrag gemeldet. Das ist die Höchstzahl pro Tag. "
            "Bei Dringendem wenden Sie sich bitte direkt an die Servicestelle.",
            "Sie haben in den letzten 24 Stunden schon %(num)s Beiträge gemeldet. Das ist die Höchstzahl pro Tag. "
            "Bei Dringendem wenden Sie sich bitte direkt an die Servicestelle.", limit), status=429)
    table = Report.__table__
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (insert(table)
                 .values(post_id=post.id, reporter_id=reporter.id, reason=reason, note=note.strip(),
                         created_at=utcnow(), outcome="", resolution_note="")
                 .on_conflict_do_nothing(index_elements=[table.c.post_id, table.c.reporter_id],
                                         index_where=table.c.resolved_at.is_(None))
                 .returning(table.c.id))
    report_id = db.session.execute(statement).scalar()
    if report_id is None:
        return None
    if reason == "client_data" and set_hidden(post, actor=None, reason="client_data",
                                              note=_("Der Beitrag wurde als möglicherweise personenbezogene "
                                                     "Daten enthaltend gemeldet und wird geprüft.")):
        record(reporter, "post.auto_hide", post, reason=_("Meldung: Sozialdaten"), snapshot=post_snapshot(post))
    # notify_new_report skips moderators with an unread notice of this post; parallel reports of one post must
    # see each other's notices, so they take turns on the post's row (NO KEY UPDATE: the reports' foreign keys
    # hold KEY SHARE on it). SQLite serialises writers anyway and ignores the clause.
    db.session.execute(select(Post.id).where(Post.id == post.id).with_for_update(key_share=True))
    notify_new_report(post, reporter=reporter, reason=reason)
    return db.session.get(Report, report_id)


# --- closing cases ------------------------------------------------------------------------------------------

def resolve_case(post: Post, *, actor, outcome: str, note: str = "", reason: str = "") -> int:
    """Close the case of a post from the queue: "hidden" hides it with `reason` (or the most frequent reason
    of the reports), "dismissed" finds no violation and shows a post again that a client-data report hid.

    Raises CaseClosed when no report is open any more. Returns the number of reports closed.
    """
    if outcome not in ("hidden", "dismissed"):
        raise ValueError(outcome)
    closed = close_reports(post, actor=actor, outcome=outcome, note=note)
    if not closed:
        raise CaseClosed(_("Dieser Fall wurde inzwischen schon abgeschlossen, wahrscheinlich von einer anderen "
                           "Person der Moderation. Es wurde nichts weiter geändert."))
    if outcome == "hidden":  # the reports are closed already, so hide_post closes none twice
        most_reported = Counter(reason for _reporter, reason in closed).most_common(1)[0][0]
        hide_post(post, actor=actor, reason=reason or most_reported, note=note)
    elif post.is_pending_review:
        unhide_post(post, actor=actor, reason=_("Prüfung ergab keinen Verstoß."))
    return len(closed)


# --- the queue ----------------------------------------------------------------------------------------------

@dataclass
class Case:
    """The open reports of one post, for the queue."""

    post: Post
    count: int
    first_at: datetime
    reasons: dict[str, int]
    notes: list[str]


def open_cases(*, page: int, per_page: int) -> Page:
    """One page of open cases, oldest first: the count, a grouped query over the open reports, the posts
    (with thread and author), and the reasons and notes of the page's cases — four queries whatever the size."""
    pages = page_count(open_case_count(), per_page)
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        select(Report.post_id, func.count(Report.id).label("count"), func.min(Report.created_at).label("first_at"))
        .where(Report.resolved_at.is_(None)).group_by(Report.post_id)
        .order_by(func.min(Report.created_at), Report.post_id).limit(per_page).offset((page - 1) * per_page)).all()
    ids = [row.post_id for row in rows]
    if not ids:
        return Page(page, pages, [])
    posts = {post.id: post for post in db.session.scalars(
        select(Post).options(joinedload(Post.thread).joinedload(Thread.board), joinedload(Post.author))
        .where(Post.id.in_(ids)))}
    reasons: dict[int, Counter] = {post_id: Counter() for post_id in ids}
    notes: dict[int, list[str]] = {post_id: [] for post_id in ids}
    for post_id, reason, note in db.session.execute(
            select(Report.post_id, Report.reason, Report.note)
            .where(Report.post_id.in_(ids), Report.resolved_at.is_(None)).order_by(Report.created_at)):
        reasons[post_id][reason] += 1
        if note:
            notes[post_id].append(note)
    return Page(page, pages, [Case(posts[row.post_id], row.count, row.first_at, dict(reasons[row.post_id]),
                                   notes[row.post_id]) for row in rows])


def open_case_count() -> int:
    """How many posts have open reports (the number next to "Meldungen")."""
    return db.session.scalar(select(func.count(func.distinct(Report.post_id))).where(Report.resolved_at.is_(None)))


def reports_of(post: Post) -> list[Report]:
    """Every report of a post, open ones first, then the closed ones newest first, with the people."""
    return list(db.session.scalars(
        select(Report).options(joinedload(Report.reporter), joinedload(Report.resolved_by))
        .where(Report.post_id == post.id)
        .order_by(Report.resolved_at.is_not(None), Report.resolved_at.desc(), Report.created_at)))


def open_report_counts(post_ids: list[int]) -> dict[int, int]:
    """{post id: number of open reports} for the posts of a thread page (one query)."""
    if not post_ids:
        return {}
    return dict(db.session.execute(select(Report.post_id, func.count(Report.id))
                                   .where(Report.post_id.in_(post_ids), Report.resolved_at.is_(None))
                                   .group_by(Report.post_id)).all())


def has_open_report(post: Post, user) -> bool:
    """Whether the member has an open report of the post (the report page says so instead of a form)."""
    return db.session.scalar(select(Report.id).where(Report.post_id == post.id, Report.reporter_id == user.id,
                                                     Report.resolved_at.is_(None))) is not None
