"""Retention: `flask --app forum purge`, run daily, deletes what is kept longer than needed. Each period is a
setting in forum/config.py (RETENTION_*), and the privacy page shows them from there (retention_periods()),
so the page and the purge never disagree. Idempotent: a second run finds nothing more. Each run writes one
audit entry with the counts per kind, without an actor and without any personal data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from limits import parse_many
from sqlalchemy import delete, select, update

from forum.accounts.models import User
from forum.accounts.sessions import purge_ended_sessions
from forum.audit import record
from forum.clock import utcnow
from forum.discussion.models import Post, PostRevision
from forum.extensions import db
from forum.notifications.models import Notification, OutboxMessage
from forum.privacy.deletion import forget_in_audit
from forum.privacy.exports import delete_export_file
from forum.privacy.models import DataExport


@dataclass(frozen=True)
class Period:
    """One kind of data the purge removes, the setting of its period, and how the privacy page names it."""

    kind: str
    setting: str
    label: object


PERIODS = (
    Period("unconfirmed", "RETENTION_UNCONFIRMED_DAYS",
           _l("Registrierungen, deren E-Mail-Adresse nie bestätigt wurde: gelöscht nach %(days)s Tagen")),
    Period("rejected", "RETENTION_REJECTED_DAYS",
           _l("Abgelehnte Registrierungen: gelöscht %(days)s Tage nach der Registrierung")),
    Period("withdrawn_posts", "RETENTION_WITHDRAWN_POST_DAYS",
           _l("Text zurückgezogener Beiträge (mit allen früheren Fassungen): gelöscht %(days)s Tage nach dem "
              "Zurückziehen")),
    Period("redacted_revisions", "RETENTION_REDACTED_REVISIONS_DAYS",
           _l("Frühere Fassungen geschwärzter Beiträge: gelöscht %(days)s Tage nach der Schwärzung")),
    Period("sent_mails", "RETENTION_SENT_MAIL_DAYS",
           _l("Versendete E-Mails im Postausgang: gelöscht %(days)s Tage nach dem Versand")),
    Period("notifications", "RETENTION_NOTIFICATIONS_DAYS",
           _l("Benachrichtigungen im Extranet: gelöscht nach %(days)s Tagen")),
)
KINDS = tuple(period.kind for period in PERIODS) + ("expired_exports", "ended_sessions")


def retention_periods() -> list[str]:
    """The sentences of the privacy page's generated section, each with its period from the configuration."""
    config = current_app.config
    lines = [str(period.label) % {"days": config[period.setting]} for period in PERIODS]
    lines.append(str(_l("Kopien Ihrer Daten („Meine Daten herunterladen“): gelöscht %(days)s Tage nach dem "
                        "Erstellen")) % {"days": config["EXPORT_VALID_DAYS"]})
    lines.append(ngettext("Zähler falscher Anmeldeversuche: verfallen von selbst, spätestens nach %(num)s Stunde; "
                          "beendete Sitzungen werden beim nächsten Lauf gelöscht",
                          "Zähler falscher Anmeldeversuche: verfallen von selbst, spätestens nach %(num)s Stunden; "
                          "beendete Sitzungen werden beim nächsten Lauf gelöscht", _longest_login_window_hours()))
    return lines


def _longest_login_window_hours() -> int:
    """The login throttle (accounts/throttle.py) keeps its counters in the rate-limit storage, which drops each
    counter when its window ends: the longest window is how long a trace of wrong passwords can live."""
    config = current_app.config
    steps = parse_many(config["RATELIMIT_LOGIN_ACCOUNT"]) + parse_many(config["RATELIMIT_LOGIN"])
    return max(1, max(step.get_expiry() for step in steps) // 3600)


def purge(*, now: datetime | None = None, periods: dict[str, int] | None = None) -> dict[str, int]:
    """Delete what is past its period; returns the counts per kind (all 0 on a second run) and audits them.

    `periods` ({setting: days}) overrides the configuration (the demo data keeps its young test accounts)."""
    now = now or utcnow()
    config = {**current_app.config, **(periods or {})}

    def before(setting: str) -> datetime:
        return now - timedelta(days=config[setting])

    counts = dict.fromkeys(KINDS, 0)
    # Registrations never confirmed: nobody could log in, nothing refers to them; delete the rows.
    unconfirmed = list(db.session.scalars(select(User).where(
        User.status == "pending", User.email_confirmed_at.is_(None),
        User.created_at < before("RETENTION_UNCONFIRMED_DAYS"))))
    rejected = list(db.session.scalars(select(User).where(
        User.status == "rejected", User.created_at < before("RETENTION_REJECTED_DAYS"))))
    for user in unconfirmed + rejected:
        forget_in_audit(user.id, user.email, user.display_name)  # the approval log keeps only that it happened
        db.session.delete(user)
    counts["unconfirmed"], counts["rejected"] = len(unconfirmed), len(rejected)
    db.session.flush()

    withdrawn = select(Post.id).where(Post.withdrawn_at < before("RETENTION_WITHDRAWN_POST_DAYS"),
                                      Post.body_source != "")
    withdrawn_ids = list(db.session.scalars(withdrawn))
    if withdrawn_ids:
        db.session.execute(delete(PostRevision).where(PostRevision.post_id.in_(withdrawn_ids)))
        db.session.execute(update(Post).where(Post.id.in_(withdrawn_ids)).values(body_source="", body_html="")
                           .execution_options(synchronize_session=False))
    counts["withdrawn_posts"] = len(withdrawn_ids)

    redacted = select(Post.id).where(Post.redacted_at < before("RETENTION_REDACTED_REVISIONS_DAYS"))
    counts["redacted_revisions"] = db.session.execute(
        delete(PostRevision).where(PostRevision.post_id.in_(redacted))).rowcount
    counts["sent_mails"] = db.session.execute(delete(OutboxMessage).where(
        (OutboxMessage.sent_at < before("RETENTION_SENT_MAIL_DAYS"))
        | (OutboxMessage.failed_at < before("RETENTION_SENT_MAIL_DAYS")))).rowcount
    counts["notifications"] = db.session.execute(delete(Notification).where(
        Notification.created_at < before("RETENTION_NOTIFICATIONS_DAYS"))).rowcount

    for export in db.session.scalars(select(DataExport).where(DataExport.status == "ready",
                                                              DataExport.expires_at <= now)).all():
        delete_export_file(export)
        export.status = "expired"
        counts["expired_exports"] += 1
    counts["ended_sessions"] = purge_ended_sessions()
    db.session.flush()
    record(None, "privacy.purge", None, snapshot={"counts": counts})
    return counts
