"""The Fachforen: the overview with thread counts and latest activity, a board's thread list with the unread
marker, and the admins' create, edit and reorder (audited). `ensure_boards` seeds a new installation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from forum.accounts.models import User
from forum.discussion.models import Board, Thread
from forum.discussion.services import DiscussionError
from forum.extensions import db
from forum.audit import board_snapshot, record
from forum.queries import move_in_order
from forum.permissions import visible_threads

# What a new installation starts with; admins change the boards afterwards.
DEFAULT_BOARDS = (
    ("Gesundheitsorientierung", "Gesundheit in der Beratung: Zusammenarbeit mit Krankenkassen, Reha-Trägern und "
                                "dem Gesundheitsamt, Präventionsangebote, psychische Gesundheit."),
    ("Netzwerkarbeit vor Ort", "Kooperationen mit Kommunen, Schuldner- und Suchtberatung, Jugendämtern und "
                               "freien Trägern: wie Netzwerke entstehen und tragen."),
    ("Familien und Bedarfsgemeinschaften", "Die ganze Bedarfsgemeinschaft im Blick: Familiencoaching, "
                                           "Alleinerziehende, Kinderbetreuung, Übergänge für junge Menschen."),
    ("Organisation und Steuerung im Jobcenter", "Personal, Qualifizierung der Fachkräfte, Prozesse, Kennzahlen und "
                                                "Steuerung ganzheitlicher Betreuung."),
    ("Arbeitgeber und Beschäftigung", "Arbeitgeberorientierung, Teilhabe am Arbeitsmarkt (§ 16i SGB II), "
                                      "Eingliederung von Langzeitarbeitslosen (§ 16e SGB II)."),
    ("Austausch der Servicestelle", "Hinweise der Servicestelle SGB II, Fragen zum Programm und zum Extranet."),
)


@dataclass
class BoardSummary:
    """A board in the overview: how many threads it has and when something last happened there."""

    board: Board
    thread_count: int
    last_activity_at: datetime | None


def boards_overview() -> list[BoardSummary]:
    """Every board in its order, with thread count and latest activity (one grouped query)."""
    stats = (select(Thread.board_id, func.count(Thread.id).label("threads"),
                    func.max(Thread.last_activity_at).label("latest"))
             .where(Thread.board_id.is_not(None)).group_by(Thread.board_id).subquery())
    rows = db.session.execute(select(Board, stats.c.threads, stats.c.latest)
                              .outerjoin(stats, stats.c.board_id == Board.id)
                              .order_by(Board.position, Board.title))
    return [BoardSummary(board, threads or 0, latest) for board, threads, latest in rows]


def board_threads(board: Board, reader) -> Select:
    """The board's threads the reader sees (permissions.visible_threads) for a list: pinned first, then by latest
    activity, with the starter and the last post's author loaded."""
    return (visible_threads(reader, select(Thread))
            .options(joinedload(Thread.last_post_author), joinedload(Thread.created_by))
            .where(Thread.board_id == board.id)
            .order_by(Thread.pinned_at.desc().nulls_last(), Thread.last_activity_at.desc(), Thread.id.desc()))


def _check_title(title: str, board: Board | None = None) -> str:
    title = " ".join(title.split())
    other = db.session.scalar(select(Board).where(func.lower(Board.title) == title.lower()))
    if other is not None and other is not board:
        raise DiscussionError(_("Ein Fachforum „%(title)s“ gibt es schon.", title=title))
    return title


def create_board(title: str, description: str, *, actor: User) -> Board:
    """Add a board at the end of the list (audited)."""
    title = _check_title(title)
    last = db.session.scalar(select(func.max(Board.position)))
    board = Board(title=title, description=description.strip(), position=(last or 0) + 1)
    db.session.add(board)
    db.session.flush()
    record(actor, "board.create", board, snapshot=board_snapshot(board))
    return board


def update_board(board: Board, title: str, description: str, *, actor: User) -> bool:
    """Change a board's title and description (audited); False when nothing changed."""
    title = _check_title(title, board)
    description = description.strip()
    if (title, description) == (board.title, board.description):
        return False
    before = board_snapshot(board)
    board.title, board.description = title, description
    db.session.flush()
    record(actor, "board.update", board, snapshot={"before": before, "after": board_snapshot(board)})
    return True


def move_board(board: Board, step: int, *, actor: User) -> bool:
    """Move a board one place up (-1) or down (+1); the list is renumbered 1, 2, 3, … (audited)."""
    boards = list(db.session.scalars(select(Board).order_by(Board.position, Board.title)))
    if not move_in_order(boards, board, step):
        return False
    db.session.flush()
    record(actor, "board.move", board, snapshot=board_snapshot(board))
    return True


def ensure_boards() -> int:
    """Add the default Fachforen when there are none yet (seeding); returns how many were added."""
    if db.session.scalar(select(func.count(Board.id))):
        return 0
    for position, (title, description) in enumerate(DEFAULT_BOARDS, start=1):
        db.session.add(Board(title=title, description=description, position=position))
    db.session.flush()
    return len(DEFAULT_BOARDS)
