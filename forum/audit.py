"""The audit log's model and the one way to write it: every service that a moderator, organiser or admin calls
records its action here, with a snapshot of the object as it was.

This module sits below every domain package (it imports only the extensions and the clock), so events, ideas,
accounts, discussion and moderation all record without importing each other. The Moderationsprotokoll page, its
filters and its CSV export are in forum/moderation/services.py.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.clock import UTCDateTime, utcnow
from forum.extensions import db


# Every action the code records, with the words the log shows (and filters by).
ACTION_LABELS = {
    "post.hide": _l("Beitrag ausgeblendet"),
    "post.auto_hide": _l("Beitrag wegen Sozialdaten-Meldung ausgeblendet"),
    "post.unhide": _l("Beitrag wieder eingeblendet"),
    "post.pin": _l("Beitrag angeheftet"),
    "post.unpin": _l("Beitrag gelöst"),
    "post.edit": _l("Beitrag von der Moderation bearbeitet"),
    "post.redact": _l("Beitrag geschwärzt"),
    "thread.redact": _l("Titel einer Diskussion geschwärzt"),
    "idea.redact": _l("Ansatz geschwärzt"),
    "report.resolve": _l("Meldung abgeschlossen"),
    "thread.pin": _l("Diskussion angeheftet"),
    "thread.unpin": _l("Diskussion gelöst"),
    "thread.lock": _l("Diskussion geschlossen"),
    "thread.unlock": _l("Diskussion wieder geöffnet"),
    "thread.move": _l("Diskussion verschoben"),
    "thread.rename": _l("Diskussion umbenannt"),
    "user.suspend": _l("Konto gesperrt"),
    "user.reactivate": _l("Sperre aufgehoben"),
    "user.suspension_ended": _l("Sperre abgelaufen"),
    "user.change_role": _l("Rolle geändert"),
    "user.change_status": _l("Status geändert"),
    "user.change_organisation": _l("Organisation geändert"),
    "user.second_factor_reset": _l("Zweiter Faktor zurückgesetzt"),
    "user.delete": _l("Konto von der Administration gelöscht (anonymisiert)"),
    "user.delete_self": _l("Konto auf eigenen Wunsch gelöscht (anonymisiert)"),
    "privacy.purge": _l("Löschfristen angewandt"),
    "registration.approve": _l("Registrierung freigeschaltet"),
    "registration.reject": _l("Registrierung abgelehnt"),
    "audit_log.export": _l("Protokoll exportiert"),
    "statistics.export": _l("Programmstatistik exportiert"),
    "board.create": _l("Fachforum angelegt"),
    "board.update": _l("Fachforum geändert"),
    "board.move": _l("Fachforum verschoben"),
    "event.create": _l("Veranstaltung angelegt"),
    "event.update": _l("Veranstaltung geändert"),
    "event.cancel": _l("Veranstaltung abgesagt"),
    "event.complete": _l("Veranstaltung abgeschlossen"),
    "event.documentation": _l("Dokumentation geändert"),
    "event.participants_export": _l("Teilnehmendenliste exportiert"),
    "event.attachment.add": _l("Datei hochgeladen"),
    "event.attachment.delete": _l("Datei gelöscht"),
    "event.follow_up.start": _l("Folgediskussion begonnen"),
    "event.follow_up.link": _l("Folgediskussion verknüpft"),
    "event.follow_up.unlink": _l("Folgediskussion gelöst"),
    "event.attendance": _l("Anwesenheit erfasst"),
    "event.walk_in.add": _l("Teilnahme ohne Anmeldung ergänzt"),
    "event.walk_in.remove": _l("Teilnahme ohne Anmeldung entfernt"),
    "event.report.save": _l("Abschlussbericht gespeichert"),
    "event.report.publish": _l("Abschlussbericht veröffentlicht"),
    "event.report.unpublish": _l("Abschlussbericht zurück zum Entwurf"),
    "event.documentation_pack": _l("Dokumentation mit Teilnehmendenliste heruntergeladen"),
    "idea.edit": _l("Ansatz bearbeitet"),
    "idea.status": _l("Status eines Ansatzes geändert"),
    "idea.link_event": _l("Ansatz mit Veranstaltung verknüpft"),
    "idea.unlink_event": _l("Verknüpfung gelöst"),
    "reference_term.create": _l("Listeneintrag angelegt"),
    "reference_term.rename": _l("Listeneintrag umbenannt"),
    "reference_term.move": _l("Listeneintrag verschoben"),
    "reference_term.activate": _l("Listeneintrag aktiviert"),
    "reference_term.deactivate": _l("Listeneintrag deaktiviert"),
    "organisation.create": _l("Organisation angelegt"),
    "organisation.update": _l("Organisation geändert"),
    "organisation.import": _l("Organisationen importiert"),
    "page.update": _l("Rechtstext geändert"),
    "announcement.create": _l("Mitteilung entworfen"),
    "announcement.update": _l("Mitteilung geändert"),
    "announcement.queue": _l("Mitteilung zum Versand freigegeben"),
    "announcement.send": _l("Mitteilung versendet"),
    "barrier_report.status": _l("Status einer Barrieremeldung geändert"),
}
TARGET_LABELS = {
    "posts": _l("Beitrag"),
    "threads": _l("Diskussion"),
    "users": _l("Konto"),
    "events": _l("Veranstaltung"),
    "ideas": _l("Ansatz"),
    "boards": _l("Fachforum"),
    "organisations": _l("Organisation"),
    "site_pages": _l("Seite"),
    "reference_terms": _l("Listeneintrag"),
    "event_attachments": _l("Datei"),
    "audit_entries": _l("Protokoll"),
    "announcements": _l("Mitteilung"),
    "barrier_reports": _l("Barrieremeldung"),
}


class AuditEntry(db.Model):
    """Who did what to which object, why and when; never edited or deleted."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_target", "target_type", "target_id"),
                      Index("ix_audit_entries_action_created_at", "action", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor = relationship("User")

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def target_label(self) -> str:
        return str(TARGET_LABELS.get(self.target_type, self.target_type or "–"))

    @property
    def subject(self) -> str:
        """The object's name as it was at the time ("Nr. 3 in „Titel“" for a post), whatever shape the action's
        snapshot has: a mapping, {"before": …, "after": …} of mappings or of plain values (a renamed title)."""
        snapshot = self.snapshot if isinstance(self.snapshot, dict) else {}
        state = snapshot.get("after", snapshot)
        if not isinstance(state, dict):
            state = {"title": state}
        if self.target_type == "posts" and state.get("number") is not None:
            return gettext("Nr. %(number)s in „%(title)s“", number=state.get("number"), title=state.get("thread") or "")
        for key in ("display_name", "name", "title", "email"):
            value = state.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
                return str(value)
        return ""


def record(actor, action: str, target, *, reason: str = "", snapshot: dict | None = None) -> AuditEntry:
    """Add one audit entry (who, what, on which object, why) with a snapshot of the target; flushes."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__tablename__ if target is not None else "",
        target_id=getattr(target, "id", None),
        reason=reason or "",
        snapshot=snapshot or {},
    )
    db.session.add(entry)
    db.session.flush()
    return entry


# --- snapshots: what the log keeps of an object at the moment of an action ----------------------------------

def post_snapshot(post) -> dict:
    """Where the post is, who wrote it, its text."""
    return {"thread": post.thread.title, "thread_id": post.thread_id, "number": post.number,
            "author": post.author.display_name, "text": post.body_source}


def thread_snapshot(thread) -> dict:
    return {"title": thread.title, "board": thread.board.title if thread.board else None}


def user_snapshot(user) -> dict:
    return {"email": user.email, "display_name": user.display_name, "role": user.role, "status": user.status,
            "organisation": user.organisation.name if user.organisation else None}


def event_snapshot(event) -> dict:
    return {"title": event.title, "kind": event.kind, "status": event.status,
            "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat(),
            "location": event.location, "online_url": event.online_url, "land": event.land,
            "capacity": event.capacity,
            "registration_deadline": event.registration_deadline.isoformat() if event.registration_deadline else None}


def event_report_snapshot(report) -> dict:
    """The report's texts and figures as the organiser wrote them (no attendee's name is in it)."""
    return {"title": report.event.title, "summary": report.summary_source, "results": report.results_source,
            "next_steps": report.next_steps_source, "attendees_override": report.attendees_override,
            "jobcenters_override": report.jobcenters_override, "published": report.published_at is not None}


def idea_snapshot(idea) -> dict:
    return {"title": idea.title, "summary": idea.summary, "description": idea.description_source,
            "status": idea.status, "organisation": idea.organisation.name if idea.organisation else None,
            "contact": idea.contact, "terms": [term.name for term in idea.terms]}


def board_snapshot(board) -> dict:
    return {"title": board.title, "description": board.description, "position": board.position}


def term_snapshot(term) -> dict:
    return {"kind": term.kind, "name": term.name, "position": term.position, "active": term.active}


def organisation_snapshot(organisation) -> dict:
    return {"name": organisation.name, "kind": organisation.kind, "land": organisation.land,
            "region": organisation.region, "jobcenter_type": organisation.jobcenter_type,
            "domains": organisation.domain_names}


def announcement_snapshot(announcement) -> dict:
    """Subject, text and segment with the number of recipients — never their names."""
    return {"title": announcement.subject, "text": announcement.body_source, "segment": announcement.segment,
            "segment_value": announcement.segment_value, "segment_target_id": announcement.segment_target_id,
            "recipients": announcement.recipient_count, "mailed": announcement.mailed_count}
