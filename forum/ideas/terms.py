"""The reference lists (Handlungsfelder, Zielgruppen, Kooperationspartner): data kept by admins, not code.

Terms are never deleted: a deactivated term stays on the ideas that carry it but is no longer offered.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.extensions import db
from forum.ideas.models import REFERENCE_KINDS, Idea, ReferenceTerm
from forum.ideas.services import IdeaError
from forum.audit import term_snapshot, record
from forum.queries import move_in_order
from forum.search import index as search_index

# What a new installation starts with (`ensure_reference_terms`); admins change the lists afterwards.
DEFAULT_TERMS = {
    "topic": (
        "Ganzheitliche Betreuung", "Gesundheitsorientierung", "Netzwerkarbeit", "Aufsuchende Arbeit",
        "Familienorientierung und Bedarfsgemeinschaften", "Arbeitgeberorientierung", "Qualifizierung und Teilhabe",
        "Organisation und Personal im Jobcenter",
    ),
    "target_group": (
        "Langzeitleistungsbeziehende", "Langzeitarbeitslose über 50 Jahre", "Alleinerziehende",
        "Menschen mit gesundheitlichen Einschränkungen", "Junge Erwachsene unter 25 Jahren",
        "Bedarfsgemeinschaften mit Kindern", "Menschen mit Fluchtgeschichte",
    ),
    "partner_type": (
        "Krankenkasse", "Reha-Träger", "Kommune", "Schuldnerberatung", "Suchtberatung", "Jugendamt",
        "Psychosoziale Beratung", "Wohnungslosenhilfe", "Arbeitgeber und Kammern", "Bildungsträger",
    ),
}


def terms_by_kind(*, active_only: bool = False) -> dict[str, list[ReferenceTerm]]:
    """{kind: [terms in list order]} for every kind, in one query."""
    query = select(ReferenceTerm).order_by(ReferenceTerm.kind, ReferenceTerm.position, ReferenceTerm.name)
    if active_only:
        query = query.where(ReferenceTerm.active.is_(True))
    grouped: dict[str, list[ReferenceTerm]] = {kind: [] for kind in REFERENCE_KINDS}
    for term in db.session.scalars(query):
        grouped.setdefault(term.kind, []).append(term)
    return grouped


def _same_name(kind: str, name: str) -> ReferenceTerm | None:
    return db.session.scalar(select(ReferenceTerm).where(
        ReferenceTerm.kind == kind, func.lower(ReferenceTerm.name) == name.lower()))


def add_term(kind: str, name: str, *, actor: User) -> ReferenceTerm:
    """Append a term to the end of its list (audited); raises IdeaError for a name the list already has."""
    name = " ".join(name.split())
    if kind not in REFERENCE_KINDS:
        raise IdeaError(_("Diese Liste gibt es nicht."))
    if _same_name(kind, name) is not None:
        raise IdeaError(_("„%(name)s“ steht schon in der Liste.", name=name))
    last = db.session.scalar(select(func.max(ReferenceTerm.position)).where(ReferenceTerm.kind == kind))
    term = ReferenceTerm(kind=kind, name=name, position=(last or 0) + 1, active=True)
    db.session.add(term)
    db.session.flush()
    record(actor, "reference_term.create", term, snapshot=term_snapshot(term))
    return term


def rename_term(term: ReferenceTerm, name: str, *, actor: User) -> bool:
    """Rename a term everywhere it is used (audited); False when the name did not change."""
    name = " ".join(name.split())
    if name == term.name:
        return False
    other = _same_name(term.kind, name)
    if other is not None and other.id != term.id:
        raise IdeaError(_("„%(name)s“ steht schon in der Liste.", name=name))
    before = term_snapshot(term)
    term.name = name
    db.session.flush()
    for idea in db.session.scalars(select(Idea).where(Idea.terms.contains(term))):  # the term's words are indexed
        search_index.index_idea(idea)
    record(actor, "reference_term.rename", term, snapshot={"before": before, "after": term_snapshot(term)})
    return True


def move_term(term: ReferenceTerm, step: int, *, actor: User) -> bool:
    """Move a term one place up (-1) or down (+1) in its list; the list is renumbered 1, 2, 3, …"""
    terms = list(db.session.scalars(select(ReferenceTerm).where(ReferenceTerm.kind == term.kind)
                                    .order_by(ReferenceTerm.position, ReferenceTerm.name)))
    if not move_in_order(terms, term, step):
        return False
    db.session.flush()
    record(actor, "reference_term.move", term, snapshot=term_snapshot(term))
    return True


def set_term_active(term: ReferenceTerm, active: bool, *, actor: User) -> bool:
    """Offer a term again or stop offering it (it stays on existing ideas); audited."""
    if term.active == active:
        return False
    term.active = active
    db.session.flush()
    record(actor, "reference_term.activate" if active else "reference_term.deactivate", term,
           snapshot=term_snapshot(term))
    return True


def ensure_reference_terms() -> int:
    """Add the default terms to lists that are still empty (seeding); returns how many were added."""
    filled = set(db.session.scalars(select(ReferenceTerm.kind).distinct()))
    added = 0
    for kind, names in DEFAULT_TERMS.items():
        if kind in filled:
            continue
        for position, name in enumerate(names, start=1):
            db.session.add(ReferenceTerm(kind=kind, name=name, position=position, active=True))
            added += 1
    db.session.flush()
    return added
