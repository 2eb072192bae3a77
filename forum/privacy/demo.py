"""Demo data protection for `flask seed-demo`, played through the real services: the demo member has a copy of
their data ready to download and an older one expired, a member of Köln has one requested; one former member
deleted their own account (their post and vote stay, as by "ehemaliges Mitglied"), one was deleted by the admin
with their posts withdrawn; one run of the retention purge is audited.

Idempotent: the people are recognised by their audit entries, the exports by their member.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.accounts.services import hash_password
from forum.audit import AuditEntry
from forum.clock import utcnow
from forum.discussion.models import Thread
from forum.discussion.services import add_post
from forum.extensions import db
from forum.ideas.models import Idea
from forum.ideas.services import vote
from forum.organisations.models import Organisation
from forum.privacy.deletion import delete_account
from forum.privacy.exports import build_export, claim_next_export, request_export
from forum.privacy.models import DataExport
from forum.privacy.retention import PERIODS, purge

ADMIN = "admin@servicestelle.example"
EXPORTER = "mitglied@jobcenter-dortmund.example"  # ready and expired copies
WAITING = "j.hoffmann@jobcenter-koeln.example"  # a copy requested, not built yet
# (e-mail, name, organisation, deleted by themselves?, post)
FORMER_MEMBERS = (
    ("c.wolf@jobcenter-essen.example", "Claudia Wolf", "Jobcenter Essen", True,
     "Bei uns hat sich die **gemeinsame Sprechstunde** mit der Suchtberatung bewährt: einmal im Monat, ohne Termin."),
    ("s.roth@jobcenter-kiel.example", "Stefan Roth", "Jobcenter Kiel", False,
     "Wir probieren gerade Gruppenangebote in der Stadtteilbibliothek aus und berichten später."),
)
_KEEP_EVERYTHING = {period.setting: 36500 for period in PERIODS}  # the demo's young accounts and posts stay


def _done(action: str) -> bool:
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action)) > 0


def seed_privacy() -> int:
    """Add what is missing; returns the number of rows created."""
    admin = db.session.scalar(select(User).where(User.email == ADMIN))
    if admin is None:
        return 0
    created = _seed_former_members(admin) + _seed_exports()
    if not _done("privacy.purge"):
        purge(periods=_KEEP_EVERYTHING)  # expires the old copy (its link ended) and audits the counts
        created += 1
    return created


def _seed_former_members(admin: User) -> int:
    created = 0
    thread = db.session.scalar(select(Thread).where(Thread.board_id.is_not(None), Thread.locked_at.is_(None))
                               .order_by(Thread.id).limit(1))
    idea = db.session.scalar(select(Idea).where(Idea.status == "published").order_by(Idea.id).limit(1))
    for email, name, organisation_name, by_themselves, text in FORMER_MEMBERS:
        action = "user.delete_self" if by_themselves else "user.delete"
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == organisation_name))
        if _done(action) or thread is None or idea is None or organisation is None:
            continue
        joined = utcnow() - timedelta(days=80)
        person = User(email=email, display_name=name, function="Integrationsfachkraft", organisation=organisation,
                      role="member", status="active", password_hash=hash_password("nicht-mehr-benutzt-" + email),
                      created_at=joined, terms_accepted_at=joined, email_confirmed_at=joined, approved_at=joined)
        db.session.add(person)
        db.session.flush()
        add_post(thread, text, author=person)
        vote(idea, person)
        delete_account(person, actor=person if by_themselves else admin, withdraw_posts=not by_themselves)
        created += 1
    return created


def _seed_exports() -> int:
    exporter = db.session.scalar(select(User).where(User.email == EXPORTER))
    waiting = db.session.scalar(select(User).where(User.email == WAITING))
    if exporter is None or waiting is None:
        return 0
    if db.session.scalar(select(func.count(DataExport.id)).where(DataExport.user_id == exporter.id)):
        return 0
    for _ in range(2):  # the older one ran out: its link ended a week after it was made
        request_export(exporter)
        build_export(claim_next_export())
    older = db.session.scalar(select(DataExport).where(DataExport.user_id == exporter.id)
                              .order_by(DataExport.id).limit(1))
    older.created_at = older.ready_at = utcnow() - timedelta(days=20)
    older.expires_at = utcnow() - timedelta(days=13)
    request_export(waiting)
    db.session.flush()
    return 3
