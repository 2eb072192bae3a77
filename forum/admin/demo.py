"""Demo administration for `flask seed-demo`, played through the real services so the audit log has it: an
organisation added, one changed, two partners imported from CSV, a legal page updated, and accounts whose role,
status or organisation an admin changed.

Idempotent: each change is played once, recognised by its audit entry (or the organisation's name).
"""
from __future__ import annotations

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.accounts.services import change_user
from forum.extensions import db
from forum.moderation.demo import days_ago
from forum.audit import AuditEntry
from forum.organisations.models import Organisation
from forum.organisations.services import OrganisationData, import_organisations, save_organisation
from forum.pages.services import get_page, update_page

ADMIN_EMAIL = "admin@servicestelle.example"
NEW_JOBCENTER = OrganisationData(name="Jobcenter StädteRegion Aachen", kind="jobcenter", land="NW",
                                 region="Rheinland", jobcenter_type="ge",
                                 domains=["jobcenter-staedteregion-aachen.example"])
CHANGED_PARTNER = ("Suchthilfe Dortmund e. V.", "Ruhrgebiet")  # gets its region
IMPORT_CSV = ("Name;Art;Land;Region;Typ;Domains\n"
              "Caritasverband für die Stadt Köln e. V.;Kooperationspartner;NW;Rheinland;;caritas-koeln.example\n"
              "Diakonie Leipzig;Kooperationspartner;SN;Westsachsen;;diakonie-leipzig.example\n").encode()
TERMS_OF_USE = "nutzungsbedingungen"
TERMS_OF_USE_ADDITION = ("\n5. **Fotos und Dateien** nur hochladen, wenn alle Abgebildeten einverstanden sind und "
                         "keine Sozialdaten darauf zu sehen sind.")
# (e-mail, what changes, reason)
ACCOUNT_CHANGES = (
    ("n.hartmann@servicestelle.example", {"role": "organiser"},
     "Übernimmt die Organisation der Werkstattgespräche."),
    ("d.koch@jobcenter-koeln.example", {"status": "deleted"},
     "Hat das Jobcenter verlassen; Konto auf Wunsch gelöscht."),
    ("b.arnold@jobcenter-halle-saale.example", {"organisation": "Jobcenter Magdeburg"},
     "Wechsel in das Jobcenter Magdeburg."),
)


def seed_administration() -> int:
    """Play the admins' changes not played yet; returns how many audit entries were added."""
    admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    if admin is None:
        return 0
    before = _entries()
    if _organisation(NEW_JOBCENTER.name) is None:
        with days_ago(75):
            save_organisation(None, NEW_JOBCENTER, actor=admin)
    name, region = CHANGED_PARTNER
    partner = _organisation(name)
    if partner is not None and not _audited("organisation.update", "organisations", partner.id):
        with days_ago(74):
            save_organisation(partner, OrganisationData(
                name=partner.name, kind=partner.kind, land=partner.land, region=region,
                jobcenter_type=partner.jobcenter_type, domains=partner.domain_names), actor=admin)
    if not _audited("organisation.import"):
        with days_ago(73):
            import_organisations(IMPORT_CSV, actor=admin)
    page = get_page(TERMS_OF_USE)
    if page is not None and not _audited("page.update", "site_pages", page.id):
        with days_ago(60):
            update_page(TERMS_OF_USE, title=page.title, body=page.body_source + TERMS_OF_USE_ADDITION, actor=admin)
    for email, changes, reason in ACCOUNT_CHANGES:
        user = db.session.scalar(select(User).where(User.email == email))
        field = next(iter(changes))
        if user is None or _audited(f"user.change_{field}", "users", user.id):
            continue
        organisation = _organisation(changes["organisation"]) if "organisation" in changes else user.organisation
        with days_ago(10):
            change_user(user, actor=admin, role=changes.get("role", user.role),
                        status=changes.get("status", user.status), organisation=organisation or user.organisation,
                        reason=reason)
    return _entries() - before


def _organisation(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def _audited(action: str, target_type: str | None = None, target_id: int | None = None) -> bool:
    query = select(AuditEntry.id).where(AuditEntry.action == action)
    if target_type is not None:
        query = query.where(AuditEntry.target_type == target_type, AuditEntry.target_id == target_id)
    return db.session.scalar(query.limit(1)) is not None


def _entries() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))
