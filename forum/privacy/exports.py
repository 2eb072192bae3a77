"""Download my data (Art. 15 and 20 DSGVO): a member asks on their profile page, `flask build-exports` builds
the ZIP outside any request (claiming each request, so parallel runs never build one twice), the member is
notified and downloads it from their profile page until it expires.

What goes in is declared table by table in EXPORTED (every row whose column refers to the member), and what is
left out is named with its reason in NOT_EXPORTED; tests/test_dsgvo.py fails when a table with a column
referring to users.id is in neither, so a new table is never silently missing from the copy.
"""
from __future__ import annotations

import io
import json
import secrets
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update

from forum.accounts.models import User
from forum import storage
from forum.audit import AuditEntry
from forum.clock import utcnow
from forum.discussion.models import Post, Thread
from forum.extensions import db
from forum.ideas.models import Idea
from forum.notifications.inbox import notify_data_export
from forum.privacy.models import DataExport
from forum.rules import RuleBroken

# kind (file and key in data.json): (table, column referring to the member)
EXPORTED = {
    "profil": ("users", "id"),
    "beitraege": ("posts", "author_id"),
    "beitragsversionen": ("post_revisions", "editor_id"),
    "diskussionen": ("threads", "created_by_id"),
    "lesestand": ("thread_reads", "user_id"),
    "ansaetze": ("ideas", "author_id"),
    "ansatzversionen": ("idea_revisions", "editor_id"),
    "stimmen": ("idea_votes", "user_id"),
    "uebernahmen": ("idea_adoptions", "user_id"),
    "anmeldungen_und_teilnahme": ("event_registrations", "user_id"),
    "verfolgt": ("follows", "user_id"),
    "benachrichtigungen": ("notifications", "user_id"),
    "meldungen": ("reports", "reporter_id"),
    "kalender_abo": ("calendar_feeds", "user_id"),
    "mitteilungen_erhalten": ("announcement_recipients", "user_id"),
    "protokoll_eigene_handlungen": ("audit_entries", "actor_id"),
    "gemeldete_barrieren": ("barrier_reports", "user_id"),
    "sitzungen": ("user_sessions", "user_id"),
}
# (table, column): why it is not in the copy. Work of service-office staff appears there through the audit
# entries of their own actions (protokoll_eigene_handlungen), which name each object they acted on.
_STAFF_WORK = "Arbeitsschritt der Servicestelle; steht mit Zeitpunkt im Protokoll der eigenen Handlungen"
NOT_EXPORTED = {
    ("users", "organisation_id"): "die Organisation steht im Profil",
    ("notifications", "actor_id"): "Benachrichtigung einer anderen Person",
    ("threads", "last_post_author_id"): "abgeleitet: der letzte Beitrag ist unter den Beiträgen",
    ("threads", "locked_by_id"): _STAFF_WORK,
    ("posts", "hidden_by_id"): _STAFF_WORK,
    ("reports", "resolved_by_id"): _STAFF_WORK,
    ("events", "created_by_id"): _STAFF_WORK,
    ("event_attachments", "uploaded_by_id"): _STAFF_WORK,
    ("event_reports", "updated_by_id"): _STAFF_WORK,
    ("event_walk_ins", "created_by_id"): _STAFF_WORK,
    ("idea_events", "linked_by_id"): _STAFF_WORK,
    ("site_pages", "updated_by_id"): _STAFF_WORK,
    ("announcements", "created_by_id"): _STAFF_WORK,
    ("announcements", "queued_by_id"): _STAFF_WORK,
    ("search_documents", "author_id"): "Kopie der Beiträge und Ansätze für die Suche",
    ("post_months", "author_id"): "abgeleitet: Zahl der Beiträge je Monat für die Statistik; die Beiträge selbst "
                                  "sind in der Kopie",
    ("data_exports", "user_id"): "die Anforderungen dieser Kopie selbst",
    ("recovery_codes", "user_id"): "nur Prüfsummen von Einmalcodes für die Anmeldung: ein Geheimnis, keine Angabe "
                                   "über die Person",
}
# Never copied out, even of one's own rows: secrets that would let a copy of the ZIP log in or subscribe.
_SECRET_PARTS = ("password", "token", "secret", "hash", "session_version", "code", "key")
_STALE_CLAIM = timedelta(hours=1)  # a run that crashed mid-build leaves its claim; another run takes it over


class ExportError(RuleBroken):
    """A request for a copy that cannot be made now."""


def exports_of(user) -> list[DataExport]:
    """The member's export requests, newest first (the profile page shows them)."""
    return list(db.session.scalars(select(DataExport).where(DataExport.user_id == user.id)
                                   .order_by(DataExport.created_at.desc(), DataExport.id.desc()).limit(5)))


def request_export(user) -> DataExport:
    """Ask for a copy; refused while one is still being prepared (one at a time is enough)."""
    waiting = db.session.scalar(select(DataExport.id).where(DataExport.user_id == user.id,
                                                            DataExport.status.in_(("requested", "building"))))
    if waiting is not None:
        raise ExportError(_("Ihre Daten werden bereits zusammengestellt. Sie erhalten eine Benachrichtigung, "
                            "sobald die Datei bereitsteht."))
    export = DataExport(user_id=user.id, status="requested", token=secrets.token_urlsafe(32), created_at=utcnow())
    db.session.add(export)
    db.session.flush()
    return export


def downloadable_export(user, token: str) -> DataExport | None:
    """The export behind a download link, only for its own member and only until it expires; else None."""
    if not token or len(token) > 64:
        return None
    export = db.session.scalar(select(DataExport).where(DataExport.token == token))
    if export is None or export.user_id != getattr(user, "id", None) or not export.is_downloadable:
        return None
    return export


def export_data(export: DataExport) -> bytes | None:
    """The built ZIP of an export (kept by forum/storage.py, area "exports"), or None when there is none."""
    return storage.read("exports", export.file_name) if export.file_name else None


def claim_next_export() -> DataExport | None:
    """Take one waiting request for this run (conditional UPDATE: of parallel runs exactly one wins it)."""
    now = utcnow()
    waiting = or_(DataExport.status == "requested",
                  and_(DataExport.status == "building", DataExport.claimed_at < now - _STALE_CLAIM))
    for export_id in db.session.scalars(select(DataExport.id).where(waiting).order_by(DataExport.id).limit(20)):
        claimed = db.session.execute(
            update(DataExport).where(DataExport.id == export_id, waiting)
            .values(status="building", claimed_at=now).execution_options(synchronize_session=False)).rowcount
        if claimed == 1:
            return db.session.get(DataExport, export_id, populate_existing=True)
    return None


def build_export(export: DataExport) -> None:
    """Write the ZIP of a claimed request, mark it ready until EXPORT_VALID_DAYS from now, notify the member."""
    user = db.session.get(User, export.user_id)
    file_name = secrets.token_hex(16) + ".zip"
    storage.save("exports", file_name, export_zip(user))
    now = utcnow()
    export.status, export.file_name, export.ready_at = "ready", file_name, now
    export.expires_at = now + timedelta(days=current_app.config["EXPORT_VALID_DAYS"])
    db.session.flush()
    notify_data_export(user)


def delete_export_file(export: DataExport) -> None:
    """Remove the ZIP (if it is still there) and forget its name."""
    if export.file_name:
        storage.remove("exports", export.file_name)
    export.file_name = ""


# --- what the copy holds -------------------------------------------------------------------------------------

def _value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(table_name: str, column_name: str, user_id: int) -> list[dict]:
    table = db.metadata.tables[table_name]
    columns = [column for column in table.columns if not any(part in column.name for part in _SECRET_PARTS)]
    query = select(*columns).where(table.c[column_name] == user_id)
    primary = list(table.primary_key.columns)
    if primary:
        query = query.order_by(*primary)
    return [{key: _value(value) for key, value in row._mapping.items()} for row in db.session.execute(query)]


def collect(user) -> dict[str, list[dict]]:
    """Every kind of EXPORTED as lists of rows, plus the organisation and the audit entries about the member."""
    data = {kind: _rows(table, column, user.id) for kind, (table, column) in EXPORTED.items()}
    organisation = user.organisation
    data["organisation"] = [{"id": organisation.id, "name": organisation.name, "kind": organisation.kind,
                             "land": organisation.land, "region": organisation.region}]
    titles = dict(db.session.execute(select(Thread.id, Thread.title).where(
        Thread.id.in_({row["thread_id"] for row in data["beitraege"]}))).all())
    for row in data["beitraege"]:
        row["thread_title"] = titles.get(row["thread_id"], "")
    about = db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == User.__tablename__,
                                                        AuditEntry.target_id == user.id).order_by(AuditEntry.id))
    data["protokoll_ueber_mich"] = [{"id": entry.id, "action": entry.action, "label": entry.action_label,
                                    "reason": entry.reason, "created_at": _value(entry.created_at)}
                                   for entry in about]
    return data


def export_zip(user) -> bytes:
    """data.json (everything, machine-readable), uebersicht.txt, and posts and ideas as markdown files."""
    data = collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        archive.writestr("uebersicht.txt", _overview(user, data))
        for row in data["beitraege"]:
            archive.writestr(f"beitraege/{row['id']}.md",
                             f"# {row['thread_title']} (Nr. {row['number']})\n\n{row['created_at']}\n\n"
                             f"{row['body_source']}\n")
        for idea in db.session.scalars(select(Idea).where(Idea.author_id == user.id).order_by(Idea.id)):
            archive.writestr(f"ansaetze/{idea.id}.md",
                             f"# {idea.title}\n\n{idea.summary}\n\n{idea.description_source}\n")
    return buffer.getvalue()


def _overview(user, data: dict[str, list[dict]]) -> str:
    lines = [_("Ihre Daten im ABC-Extranet, Stand %(when)s", when=utcnow().isoformat(timespec="minutes")), "",
             f"{_('Name')}: {user.display_name}", f"{_('E-Mail-Adresse')}: {user.email}",
             f"{_('Funktion')}: {user.function}", f"{_('Organisation')}: {user.organisation.name}",
             f"{_('Rolle')}: {user.role_label}", "", _("Anzahl je Art (alle Angaben in data.json):")]
    lines += [f"  {kind}: {len(rows)}" for kind, rows in data.items()]
    return "\n".join(lines) + "\n"


def posts_count(user) -> int:
    """How many posts the member wrote (the deletion page says what 'withdraw my posts' would take back)."""
    return db.session.scalar(select(func.count(Post.id)).where(Post.author_id == user.id,
                                                              Post.withdrawn_at.is_(None)))
