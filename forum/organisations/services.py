"""Organisations: create, edit, import from CSV (all or nothing), and find the one an e-mail address belongs to."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from forum.extensions import db
from forum.audit import organisation_snapshot, record
from forum.organisations.models import KIND_LABELS, LAENDER, Organisation, OrganisationDomain
from forum.rules import RuleBroken
from forum.search import index as search_index

_DOMAIN = re.compile(r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_DOMAIN_SEPARATORS = re.compile(r"[\s,;|]+")

KIND_ALIASES = {
    "jobcenter": "jobcenter",
    "service_office": "service_office", "servicestelle": "service_office", "servicestelle sgb ii": "service_office",
    "ministry": "ministry", "ministerium": "ministry",
    "partner": "partner", "kooperationspartner": "partner",
}
JOBCENTER_TYPE_ALIASES = {
    "ge": "ge", "gemeinsame einrichtung": "ge",
    "zkt": "zkt", "zugelassener kommunaler träger": "zkt", "optionskommune": "zkt",
}
COLUMN_ALIASES = {
    "name": "name",
    "kind": "kind", "art": "kind",
    "land": "land", "bundesland": "land",
    "region": "region",
    "jobcenter_type": "jobcenter_type", "typ": "jobcenter_type", "trägerform": "jobcenter_type",
    "email_domains": "email_domains", "domains": "email_domains", "e-mail-domains": "email_domains",
}
REQUIRED_COLUMNS = ("name", "kind", "land", "jobcenter_type", "email_domains")
MAX_IMPORT_LINES = 5000


class OrganisationError(RuleBroken):
    """A rule about organisations was broken; the message is German (or the user's language) for the form."""


@dataclass
class OrganisationData:
    """Clean values for one organisation, from the admin form or one CSV line."""

    name: str
    kind: str
    land: str | None
    region: str
    jobcenter_type: str | None
    domains: list[str]


@dataclass
class ImportReport:
    """What an import did (or, with errors, would have done: then nothing was written)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_domains(text: str) -> tuple[list[str], list[str]]:
    """Split a list of e-mail domains; returns (valid, invalid), lower-cased, without "@" and duplicates."""
    valid, invalid = [], []
    for part in _DOMAIN_SEPARATORS.split(text.strip().lower()):
        domain = part.lstrip("@").rstrip(".")
        if not domain:
            continue
        target = valid if _DOMAIN.fullmatch(domain) else invalid
        if domain not in target:
            target.append(domain)
    return valid, invalid


def organisation_choices() -> dict[int, str]:
    """{id: name} of every organisation in name order, for select fields."""
    rows = db.session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name))
    return {id_: name for id_, name in rows}


def grouped_organisations() -> list[tuple[str, list[Organisation]]]:
    """Organisations for <optgroup>s: Jobcenters by Land first, then the others by kind; names in order."""
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.land,
                                                                     Organisation.name)).all()
    groups: dict[str, list[Organisation]] = {}
    for organisation in organisations:
        label = organisation.land_name if organisation.kind == "jobcenter" else organisation.kind_label
        groups.setdefault(label or organisation.kind_label, []).append(organisation)
    return sorted(groups.items(), key=lambda item: (item[1][0].kind != "jobcenter", item[0]))


def check_rules(data: OrganisationData) -> list[str]:
    """The rules an organisation must follow, as German messages (empty when fine)."""
    problems = []
    if data.kind == "jobcenter":
        if not data.land:
            problems.append(_("Für ein Jobcenter muss das Land angegeben werden."))
        if not data.jobcenter_type:
            problems.append(_("Für ein Jobcenter muss der Typ (gE oder zkT) angegeben werden."))
    elif data.jobcenter_type:
        problems.append(_("Nur Jobcenter haben einen Typ (gE oder zkT)."))
    return problems


def _domain_owners(domains: list[str]) -> dict[str, Organisation]:
    if not domains:
        return {}
    rows = db.session.execute(
        select(OrganisationDomain.domain, Organisation)
        .join(Organisation).where(OrganisationDomain.domain.in_(domains))
    )
    return {domain: organisation for domain, organisation in rows}


def save_organisation(organisation: Organisation | None, data: OrganisationData, *, actor) -> Organisation:
    """Create (organisation=None) or update an organisation; raises OrganisationError on a broken rule."""
    problems = check_rules(data)
    same_name = db.session.scalar(select(Organisation).where(Organisation.name == data.name))
    if same_name is not None and same_name is not organisation:
        problems.append(_("Eine Organisation mit diesem Namen gibt es schon."))
    for domain, owner in _domain_owners(data.domains).items():
        if owner is not organisation:
            problems.append(_("Die Domain %(domain)s gehört schon zu %(name)s.", domain=domain, name=owner.name))
    if problems:
        raise OrganisationError(" ".join(problems))
    created = organisation is None
    before = None if created else organisation_snapshot(organisation)
    if created:
        organisation = Organisation(name=data.name, kind=data.kind)
        db.session.add(organisation)
    _apply(organisation, data)
    db.session.flush()
    search_index.index_organisation(organisation)
    record(actor, "organisation.create" if created else "organisation.update", organisation,
           snapshot={"before": before, "after": organisation_snapshot(organisation)})
    return organisation


def _apply(organisation: Organisation, data: OrganisationData) -> None:
    organisation.name = data.name
    organisation.kind = data.kind
    organisation.land = data.land
    organisation.region = data.region
    organisation.jobcenter_type = data.jobcenter_type
    keep = {d.domain: d for d in organisation.domains}
    organisation.domains = [keep.get(domain) or OrganisationDomain(domain=domain) for domain in data.domains]


# --- CSV import ---------------------------------------------------------------------------------------------

def import_organisations(raw: bytes, *, actor) -> ImportReport:
    """Create or update (by name) every organisation in a CSV file, or, if any line is bad, none of them."""
    report = ImportReport()
    rows = _read_csv(raw, report)
    if not report.ok:
        return report
    planned: list[tuple[int, OrganisationData]] = []
    seen_names: dict[str, int] = {}
    seen_domains: dict[str, int] = {}
    for line, row in rows:
        data, problems = _parse_row(row)
        if data is not None:
            key = data.name.casefold()
            if key in seen_names:
                problems.append(_("Der Name steht schon in Zeile %(line)s.", line=seen_names[key]))
            seen_names.setdefault(key, line)
            for domain in data.domains:
                if domain in seen_domains:
                    problems.append(_("Die Domain %(domain)s steht schon in Zeile %(line)s.", domain=domain,
                                      line=seen_domains[domain]))
                seen_domains.setdefault(domain, line)
        report.errors.extend((line, problem) for problem in problems)
        if data is not None and not problems:
            planned.append((line, data))
    if not report.ok:
        return report

    existing = {o.name: o for o in db.session.scalars(
        select(Organisation).where(Organisation.name.in_([data.name for _, data in planned])))}
    owners = _domain_owners(list(seen_domains))
    names_in_file = {data.name for _, data in planned}
    for line, data in planned:
        for domain in data.domains:
            owner = owners.get(domain)
            # A domain may move between two organisations of the file (both are rewritten), not from another.
            if owner is not None and owner.name != data.name and owner.name not in names_in_file:
                report.errors.append((line, _("Die Domain %(domain)s gehört schon zu %(name)s.", domain=domain,
                                              name=owner.name)))
    if not report.ok:
        return report

    with db.session.no_autoflush:
        for _line, data in planned:
            organisation = existing.get(data.name)
            if organisation is None:
                organisation = Organisation(name=data.name, kind=data.kind)
                db.session.add(organisation)
                report.created.append(data.name)
            else:
                report.updated.append(data.name)
            organisation.kind, organisation.land, organisation.region = data.kind, data.land, data.region
            organisation.jobcenter_type = data.jobcenter_type
            # Domains are re-assigned in a second pass, after every removed one is gone.
            organisation.domains = [d for d in organisation.domains if d.domain in data.domains]
    db.session.flush()
    by_name = {o.name: o for o in db.session.scalars(
        select(Organisation).where(Organisation.name.in_([data.name for _, data in planned])))}
    for _line, data in planned:
        organisation = by_name[data.name]
        kept = set(organisation.domain_names)
        for domain in data.domains:
            if domain not in kept:
                organisation.domains.append(OrganisationDomain(domain=domain))
        search_index.index_organisation(organisation)
    db.session.flush()
    record(actor, "organisation.import", None,
           snapshot={"created": report.created, "updated": report.updated})
    return report


def _read_csv(raw: bytes, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    """Decode (UTF-8, else Windows-1252 as Excel writes it), sniff ";" or ",", map the header to our columns."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if not text.strip():
        report.errors.append((1, _("Die Datei ist leer.")))
        return []
    first_line = text.splitlines()[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [COLUMN_ALIASES.get(cell.strip().lower(), cell.strip().lower()) for cell in next(reader)]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        report.errors.append((1, _("Die Kopfzeile muss diese Spalten enthalten: %(columns)s. Es fehlen: %(missing)s.",
                                   columns=", ".join(REQUIRED_COLUMNS), missing=", ".join(missing))))
        return []
    rows = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                report.errors.append((line, _("Die Zeile hat mehr Spalten als die Kopfzeile.")))
                continue
            missing = [column for column in header[len(cells):] if column in REQUIRED_COLUMNS]
            if missing:  # a short line is reported as such, not read with empty values (an "unknown kind")
                report.errors.append((line, _("Die Zeile hat nur %(count)s Spalten; es fehlen: %(columns)s.",
                                              count=len(cells), columns=", ".join(missing))))
                continue
            rows.append((line, {column: (cells[i].strip() if i < len(cells) else "")
                                for i, column in enumerate(header)}))
            if len(rows) > MAX_IMPORT_LINES:
                report.errors.append((line, _("Höchstens %(count)s Zeilen je Import.", count=MAX_IMPORT_LINES)))
                return []
    except csv.Error as error:
        report.errors.append((reader.line_num, _("Die Zeile ist kein gültiges CSV: %(error)s", error=str(error))))
    if not rows and report.ok:
        report.errors.append((1, _("Die Datei enthält keine Organisationen.")))
    return rows


def _parse_row(row: dict[str, str]) -> tuple[OrganisationData | None, list[str]]:
    problems = []
    name = " ".join(row["name"].split())
    if not name:
        problems.append(_("Der Name fehlt."))
    elif len(name) > 200:
        problems.append(_("Der Name ist länger als 200 Zeichen."))
    kind = KIND_ALIASES.get(row["kind"].lower())
    if kind is None:
        problems.append(_("Unbekannte Art „%(value)s“ (erlaubt: %(allowed)s).", value=row["kind"],
                          allowed=", ".join(KIND_LABELS)))
    land = _land_code(row["land"])
    if row["land"] and land is None:
        problems.append(_("Unbekanntes Land „%(value)s“.", value=row["land"]))
    jobcenter_type = JOBCENTER_TYPE_ALIASES.get(row["jobcenter_type"].lower()) if row["jobcenter_type"] else None
    if row["jobcenter_type"] and jobcenter_type is None:
        problems.append(_("Unbekannter Typ „%(value)s“ (erlaubt: gE, zkT).", value=row["jobcenter_type"]))
    domains, invalid = parse_domains(row["email_domains"])
    for domain in invalid:
        problems.append(_("„%(value)s“ ist keine gültige E-Mail-Domain.", value=domain))
    region = row.get("region", "")[:120]
    if problems:
        return None, problems
    data = OrganisationData(name=name, kind=kind, land=land, region=region, jobcenter_type=jobcenter_type,
                            domains=domains)
    return data, check_rules(data)


def _land_code(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if value.upper() in LAENDER:
        return value.upper()
    by_name = {name.casefold(): code for code, name in LAENDER.items()}
    return by_name.get(value.casefold())
