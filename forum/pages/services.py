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

# The accessibility statement (BITV 2.0 § 7, Anlage 2) as the checks justify it: automated axe-core checks
# (WCAG 2.1 A/AA rules) in Chromium on the pages of the browser tests and the crawl, and keyboard checks by hand.
# Admins keep it current under "Seite bearbeiten"; the page shows the date of the last change as "Stand".
ACCESSIBILITY_STATEMENT = (
    "Die Servicestelle SGB II ist bemüht, das ABC-Extranet im Einklang mit den Vorgaben des "
    "Behindertengleichstellungsgesetzes (BGG) und der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) "
    "barrierefrei zugänglich zu machen. Diese Erklärung gilt für das ABC-Extranet mit allen seinen Seiten.\n\n"
    "## Stand der Vereinbarkeit mit den Anforderungen\n\n"
    "Das ABC-Extranet ist mit den Anforderungen der BITV 2.0 (WCAG 2.1, Konformitätsstufe AA) **teilweise "
    "vereinbar**. Die unten genannten Inhalte sind noch nicht vollständig barrierefrei.\n\n"
    "## Nicht barrierefreie Inhalte\n\n"
    "- **Hochgeladene Dateien:** Dokumente in der Veranstaltungsdokumentation (PDF, Word, PowerPoint) stammen "
    "von Veranstaltenden und Referierenden. Sie sind nicht durchgängig barrierefrei. Auf Wunsch stellen wir "
    "Ihnen die Inhalte in einer zugänglichen Form bereit.\n"
    "- **Texte der Mitglieder:** Beiträge, Ideen und Dokumentationen schreiben die Mitglieder selbst. "
    "Linktexte und Gliederung verantworten die Verfassenden; die Reihenfolge der Überschriften wird beim "
    "Speichern automatisch angepasst.\n"
    "- **Sprachwechsel:** Deutsche Texte in der englischen Oberfläche (und umgekehrt) sind ausgezeichnet, "
    "wenn die Sprache beim Schreiben erfasst wurde; bei älteren Texten kann die Auszeichnung fehlen.\n\n"
    "## Erstellung dieser Erklärung\n\n"
    "Die Erklärung beruht auf einer Selbstbewertung. Jede Seite der automatischen Browsertests wird mit "
    "axe-core auf die Regeln der WCAG 2.1 (Stufen A und AA) geprüft; dabei gibt es keine Beanstandungen. "
    "Zusätzlich prüfen wir die Bedienung mit der Tastatur von Hand. Das Datum der letzten Überprüfung steht "
    "unten als „Stand“.\n\n"
    "## Barrieren melden: Kontakt zu Feedback\n\n"
    "Ist Ihnen eine Barriere aufgefallen? Melden Sie sie über das Formular [Barriere melden](/feedback/) – "
    "auch ohne Anmeldung – oder per E-Mail an servicestelle@servicestelle.example. Wir bestätigen den Eingang "
    "und antworten in der Regel innerhalb von sechs Wochen.\n\n"
    "## Schlichtungsverfahren\n\n"
    "Wenn Sie auf Ihre Meldung keine zufriedenstellende Antwort erhalten, können Sie einen Antrag auf ein "
    "Schlichtungsverfahren stellen bei der Schlichtungsstelle nach dem Behindertengleichstellungsgesetz "
    "(Schlichtungsstelle BGG). Sie ist bei dem Beauftragten der Bundesregierung für die Belange von Menschen "
    "mit Behinderungen angesiedelt. Das Verfahren ist kostenlos; Sie brauchen keinen Rechtsbeistand.\n\n"
    "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz  \n"
    "bei dem Beauftragten der Bundesregierung für die Belange von Menschen mit Behinderungen  \n"
    "Mauerstraße 53  \n10117 Berlin  \n"
    "Internet: [www.schlichtungsstelle-bgg.de](https://www.schlichtungsstelle-bgg.de)")

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
    "barrierefreiheit": ACCESSIBILITY_STATEMENT,
    "nutzungsbedingungen": _PLACEHOLDER + (
        "1. Das Extranet dient dem fachlichen Austausch der Jobcenter und ihrer Partner im Programm "
        "„Netzwerke ABC“.\n2. Beiträge sind sachlich und respektvoll.\n3. **Keine Sozialdaten:** Namen, "
        "BG-Nummern, Kundennummern oder andere Daten von Leistungsberechtigten dürfen nicht veröffentlicht "
        "werden.\n4. Die Servicestelle moderiert und kann Beiträge ausblenden oder Konten sperren."),
}


def render_page_text(source: str) -> str:
    """A page's text as HTML; it follows the page's h1 directly, so its headings start at h2."""
    return markup.render(source, heading_level=1)


def get_page(slug: str) -> SitePage | None:
    return db.session.scalar(select(SitePage).where(SitePage.slug == slug))


def ensure_legal_pages() -> int:
    """Create the placeholder pages that do not exist yet; returns how many were created."""
    existing = set(db.session.scalars(select(SitePage.slug)))
    created = 0
    for slug, title in LEGAL_PAGES.items():
        if slug not in existing:
            source = DEFAULT_TEXTS[slug]
            db.session.add(SitePage(slug=slug, title=str(title), body_source=source,
                                    body_html=render_page_text(source)))
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
    page.body_html = render_page_text(body)
    page.updated_at = utcnow()
    page.updated_by_id = actor.id
    db.session.flush()
    record(actor, "page.update", page, snapshot={"before": before})
    return page
