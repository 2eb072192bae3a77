"""The legal pages: placeholder texts created once, replaced by admins (audited)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from forum import markup
from forum.clock import utcnow
from forum.extensions import db
from forum.languages import written_in
from forum.audit import record
from forum.pages.models import SitePage

LEGAL_PAGES = {
    "impressum": _l("Impressum"),
    "datenschutz": _l("Datenschutzerklärung"),
    "barrierefreiheit": _l("Erklärung zur Barrierefreiheit"),
    "nutzungsbedingungen": _l("Nutzungsbedingungen"),
}

_PLACEHOLDER = "*Platzhaltertext – die Administration ersetzt ihn unter „Seite bearbeiten“.*\n\n"
DEFAULT_TEXTS = {
    "impressum": _PLACEHOLDER + (
        "### Anbieter\n\nServicestelle SGB II im Auftrag des Bundesministeriums für Arbeit und Soziales  \n"
        "Musterstraße 1, 10115 Berlin\n\n### Kontakt\n\nE-Mail: servicestelle@servicestelle.example\n\n"
        "### Verantwortlich für den Inhalt\n\nName der verantwortlichen Person, Anschrift wie oben"),
    "datenschutz": _PLACEHOLDER + (
        "### Verantwortliche Stelle\n\nServicestelle SGB II, Anschrift siehe Impressum.\n\n"
        "### Welche Daten wir verarbeiten\n\nFür Ihr Konto: E-Mail-Adresse, Name, Funktion, Organisation und "
        "Spracheinstellung; für die Sicherheit: Zeitpunkt der letzten Anmeldung. Ihre Beiträge sind für "
        "angemeldete Mitglieder sichtbar.\n\n### Keine Daten von Leistungsberechtigten\n\n"
        "Personenbezogene Daten von Kundinnen und Kunden der Jobcenter (Sozialdaten) dürfen im Extranet "
        "nicht eingegeben werden.\n\n### Ihre Rechte\n\nAuskunft, Berichtigung, Löschung, Einschränkung, "
        "Widerspruch und Beschwerde bei der zuständigen Aufsichtsbehörde."),
    "barrierefreiheit": _PLACEHOLDER + (
        "Dieses Extranet soll die Anforderungen der BITV 2.0 (WCAG 2.1, Stufe AA) erfüllen. Es nutzt das "
        "KERN-Designsystem der öffentlichen Verwaltung und wird mit automatischen Prüfungen (axe-core) in einem "
        "echten Browser getestet.\n\n### Barriere melden\n\nWenn Ihnen Barrieren auffallen, schreiben Sie an "
        "servicestelle@servicestelle.example.\n\n### Schlichtungsverfahren\n\nBei nicht zufriedenstellenden "
        "Antworten können Sie sich an die Schlichtungsstelle nach § 16 BGG wenden."),
    "nutzungsbedingungen": _PLACEHOLDER + (
        "1. Das Extranet dient dem fachlichen Austausch der Jobcenter und ihrer Partner im Programm "
        "„Netzwerke ABC“.\n2. Beiträge sind sachlich und respektvoll.\n3. **Keine Sozialdaten:** Namen, "
        "BG-Nummern, Kundennummern oder andere Daten von Leistungsberechtigten dürfen nicht veröffentlicht "
        "werden.\n4. Die Servicestelle moderiert und kann Beiträge ausblenden oder Konten sperren."),
}


def get_page(slug: str) -> SitePage | None:
    return db.session.scalar(select(SitePage).where(SitePage.slug == slug))


def ensure_legal_pages() -> int:
    """Create the placeholder pages that do not exist yet; returns how many were created."""
    existing = set(db.session.scalars(select(SitePage.slug)))
    created = 0
    for slug, title in LEGAL_PAGES.items():
        if slug not in existing:
            source = DEFAULT_TEXTS[slug]
            db.session.add(SitePage(slug=slug, title=str(title), body_source=source, body_html=markup.render(source)))
            created += 1
    db.session.flush()
    return created


def update_page(slug: str, *, title: str, body: str, actor) -> SitePage:
    """Replace a legal page's text (rendered now, once) and audit it with the old text."""
    page = get_page(slug)
    before = {"title": page.title, "body_source": page.body_source} if page else None
    if page is None:
        page = SitePage(slug=slug, language=written_in(actor))
        db.session.add(page)
    page.title = title.strip()
    page.body_source = body
    page.body_html = markup.render(body)
    page.updated_at = utcnow()
    page.updated_by_id = actor.id
    db.session.flush()
    record(actor, "page.update", page, snapshot={"before": before})
    return page
