"""Realistic German demo data for `flask seed-demo`: organisations in all 16 Länder, users of every role and
status, events in every state, ideas in every status, Fachforen, discussions and moderation.

The changes after the first state are played through the real services, so that every kind of audit entry, every
kind of notification and every state of a post, an event and an idea occurs with the exact shape the code writes
(tests/test_crawl.py requests every page against this data and checks the variety against the code).

Idempotent: everything is looked up by name or e-mail first, each change by its audit entry. The domains use the
reserved .example TLD.
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from forum.accounts.demo import DEMO_RECOVERY_CODE, DEMO_TOTP_SECRET, seed_second_factors
from forum.accounts.models import User
from forum.accounts.services import hash_password
from forum.admin.demo import seed_administration
from forum.announcements.demo import seed_announcements
from forum.clock import utcnow
from forum.discussion.boards import ensure_boards
from forum.discussion.demo import seed_board_administration, seed_conversation, seed_discussions, seed_english_texts
from forum.events.demo import (seed_attendance_and_reports, seed_documentation_pack_download, seed_events,
                               seed_follow_up_links)
from forum.extensions import db
from forum.feedback.demo import seed_barrier_reports
from forum.ideas.demo import seed_ideas
from forum.moderation.demo import seed_moderation
from forum.organisations.models import Organisation, OrganisationDomain
from forum.pages.services import ensure_legal_pages
from forum.privacy.demo import seed_privacy
from forum.search.index import reindex_all
from forum.discussion import monthly
from forum.statistics.demo import seed_statistics

DEMO_PASSWORD = "demo-passwort"
DEMO_LOGINS = (
    ("admin@servicestelle.example", "Administration"),
    ("moderation@servicestelle.example", "Moderation"),
    ("veranstaltung@servicestelle.example", "Veranstalter"),
    ("mitglied@jobcenter-dortmund.example", "Mitglied (Jobcenter Dortmund)"),
    ("s.krueger@jobcenter-dortmund.example", "Mitglied mit zweitem Faktor"),
)
# Administration, Moderation and the member with a second factor: the code step takes a code of this secret
# (any TOTP app) or the recovery code (once per account until the demo data is seeded again).
SECOND_FACTOR_LOGINS = ("admin@servicestelle.example", "moderation@servicestelle.example",
                        "s.krueger@jobcenter-dortmund.example")
DEMO_SECOND_FACTOR = (DEMO_TOTP_SECRET, DEMO_RECOVERY_CODE)

# (name, Land, region, type); the domain is derived from the name.
JOBCENTERS = (
    ("Jobcenter Stuttgart", "BW", "Region Stuttgart", "ge"),
    ("Jobcenter Ortenaukreis", "BW", "Südlicher Oberrhein", "zkt"),
    ("Jobcenter München", "BY", "Oberbayern", "ge"),
    ("Jobcenter Nürnberg-Stadt", "BY", "Mittelfranken", "ge"),
    ("Jobcenter Landkreis Miesbach", "BY", "Oberbayern", "zkt"),
    ("Jobcenter Berlin Mitte", "BE", "Berlin", "ge"),
    ("Jobcenter Berlin Neukölln", "BE", "Berlin", "ge"),
    ("Jobcenter Potsdam", "BB", "Havelland-Fläming", "ge"),
    ("Jobcenter Landkreis Oberhavel", "BB", "Prignitz-Oberhavel", "zkt"),
    ("Jobcenter Bremen", "HB", "Bremen", "ge"),
    ("Jobcenter Bremerhaven", "HB", "Bremerhaven", "ge"),
    ("Jobcenter team.arbeit.hamburg", "HH", "Hamburg", "ge"),
    ("Jobcenter Frankfurt am Main", "HE", "Rhein-Main", "ge"),
    ("Jobcenter Kreis Offenbach", "HE", "Rhein-Main", "zkt"),
    ("Jobcenter Hochtaunuskreis", "HE", "Rhein-Main", "zkt"),
    ("Jobcenter Rostock", "MV", "Mittleres Mecklenburg", "ge"),
    ("Jobcenter Vorpommern-Greifswald", "MV", "Vorpommern", "zkt"),
    ("Jobcenter Region Hannover", "NI", "Hannover", "ge"),
    ("Jobcenter Landkreis Emsland", "NI", "Weser-Ems", "zkt"),
    ("Jobcenter Dortmund", "NW", "Ruhrgebiet", "ge"),
    ("Jobcenter Köln", "NW", "Rheinland", "ge"),
    ("Jobcenter Essen", "NW", "Ruhrgebiet", "zkt"),
    ("Jobcenter Bielefeld", "NW", "Ostwestfalen-Lippe", "ge"),
    ("Jobcenter Kreis Düren", "NW", "Rheinland", "zkt"),
    ("Jobcenter Mainz", "RP", "Rheinhessen", "ge"),
    ("Jobcenter Landkreis Südwestpfalz", "RP", "Westpfalz", "zkt"),
    ("Jobcenter Regionalverband Saarbrücken", "SL", "Saarland", "ge"),
    ("Jobcenter Saarpfalz-Kreis", "SL", "Saarland", "zkt"),
    ("Jobcenter Leipzig", "SN", "Westsachsen", "ge"),
    ("Jobcenter Dresden", "SN", "Oberes Elbtal", "ge"),
    ("Jobcenter Landkreis Görlitz", "SN", "Oberlausitz", "zkt"),
    ("Jobcenter Magdeburg", "ST", "Magdeburg", "ge"),
    ("Jobcenter Halle (Saale)", "ST", "Halle", "ge"),
    ("Jobcenter Kiel", "SH", "Kiel", "ge"),
    ("Jobcenter Kreis Schleswig-Flensburg", "SH", "Nord", "zkt"),
    ("Jobcenter Erfurt", "TH", "Mittelthüringen", "ge"),
    ("Jobcenter Jena", "TH", "Ostthüringen", "zkt"),
)
OTHER_ORGANISATIONS = (
    ("Servicestelle SGB II", "service_office", None, "servicestelle.example"),
    ("Bundesministerium für Arbeit und Soziales", "ministry", None, "bmas.example"),
    ("AOK Nordwest", "partner", "NW", "aok-nordwest.example"),
    ("Deutsche Rentenversicherung Westfalen", "partner", "NW", "drv-westfalen.example"),
    ("Suchthilfe Dortmund e. V.", "partner", "NW", "suchthilfe-dortmund.example"),
)
# (e-mail, name, function, organisation, role, status, confirmed)
USERS = (
    ("admin@servicestelle.example", "Andrea Albrecht", "Administration", "Servicestelle SGB II", "admin", "active",
     True),
    ("moderation@servicestelle.example", "Moritz Möller", "Moderation", "Servicestelle SGB II", "moderator", "active",
     True),
    ("veranstaltung@servicestelle.example", "Vera Vogel", "Veranstaltungsorganisation", "Servicestelle SGB II",
     "organiser", "active", True),
    ("mitglied@jobcenter-dortmund.example", "Mehmet Yılmaz", "Integrationsfachkraft", "Jobcenter Dortmund", "member",
     "active", True),
    ("s.krueger@jobcenter-dortmund.example", "Sabine Krüger", "Teamleitung", "Jobcenter Dortmund", "member", "active",
     True),
    ("j.hoffmann@jobcenter-koeln.example", "Jana Hoffmann", "Fallmanagerin", "Jobcenter Köln", "member", "active",
     True),
    ("t.schulz@jobcenter-leipzig.example", "Thomas Schulz", "Netzwerkkoordination", "Jobcenter Leipzig", "member",
     "active", True),
    ("l.nguyen@jobcenter-berlin-mitte.example", "Linh Nguyen", "Integrationsfachkraft", "Jobcenter Berlin Mitte",
     "member", "active", True),
    ("k.wagner@jobcenter-landkreis-emsland.example", "Klaus Wagner", "Bereichsleitung",
     "Jobcenter Landkreis Emsland", "member", "active", True),
    ("f.becker@jobcenter-muenchen.example", "Franziska Becker", "Beauftragte für Chancengleichheit am Arbeitsmarkt",
     "Jobcenter München", "member", "active", True),
    ("p.richter@bmas.example", "Peter Richter", "Referent", "Bundesministerium für Arbeit und Soziales", "member",
     "active", True),
    ("a.schmidt@aok-nordwest.example", "Anja Schmidt", "Gesundheitsmanagement", "AOK Nordwest", "member", "active",
     True),
    # Waiting for a moderator: private addresses that do not match the chosen Jobcenter.
    ("lena.fischer@mail.example", "Lena Fischer", "Integrationsfachkraft", "Jobcenter Essen", "member", "pending",
     True),
    ("r.weber@kommune-bielefeld.example", "Rainer Weber", "Sozialplanung", "Jobcenter Bielefeld", "member", "pending",
     True),
    ("o.klein@jobcenter-kiel.example", "Olga Klein", "Integrationsfachkraft", "Jobcenter Kiel", "member", "pending",
     False),
    # The moderation suspends Gerd Braun, Uwe Lorenz (for a week) and Maria Schneider (lifted the next day) in
    # forum/moderation/demo.py; an admin changes the next three in forum/admin/demo.py.
    ("g.braun@jobcenter-erfurt.example", "Gerd Braun", "Integrationsfachkraft", "Jobcenter Erfurt", "member",
     "active", True),
    ("u.lorenz@jobcenter-bremen.example", "Uwe Lorenz", "Arbeitsvermittler", "Jobcenter Bremen", "member", "active",
     True),
    ("m.schneider@jobcenter-mainz.example", "Maria Schneider", "Integrationsfachkraft", "Jobcenter Mainz", "member",
     "active", True),
    ("n.hartmann@servicestelle.example", "Nina Hartmann", "Veranstaltungsorganisation", "Servicestelle SGB II",
     "member", "active", True),
    ("d.koch@jobcenter-koeln.example", "Dirk Koch", "Teamleitung", "Jobcenter Köln", "member", "active", True),
    ("b.arnold@jobcenter-halle-saale.example", "Birgit Arnold", "Netzwerkkoordination", "Jobcenter Halle (Saale)",
     "member", "active", True),
    # Decided by the moderation: a city employee working for the Jobcenter, and a private coach.
    ("h.peters@stadt-dortmund.example", "Hanna Peters", "Sozialplanung", "Jobcenter Dortmund", "member", "pending",
     True),
    ("kai.mueller@coaching-mueller.example", "Kai Müller", "Coach", "Jobcenter Köln", "member", "pending", True),
)


def domain_for(name: str) -> str:
    """"Jobcenter Halle (Saale)" → "jobcenter-halle-saale.example"."""
    ascii_name = name.lower()
    for umlaut, replacement in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        ascii_name = ascii_name.replace(umlaut, replacement)
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-") + ".example"


def seed(*, only_if_empty: bool = False) -> int:
    """Add what is missing; returns the number of rows created (0 when everything was there)."""
    if only_if_empty and db.session.scalar(select(func.count(User.id))):
        return 0
    created = ensure_legal_pages() + ensure_boards()
    organisations = {o.name: o for o in db.session.scalars(select(Organisation))}
    definitions = [(name, "jobcenter", land, region, kind, domain_for(name)) for name, land, region, kind in JOBCENTERS]
    definitions += [(name, kind, land, "", None, domain) for name, kind, land, domain in OTHER_ORGANISATIONS]
    for name, kind, land, region, jobcenter_type, domain in definitions:
        if name in organisations:
            continue
        organisation = Organisation(name=name, kind=kind, land=land, region=region, jobcenter_type=jobcenter_type,
                                    domains=[OrganisationDomain(domain=domain)])
        db.session.add(organisation)
        organisations[name] = organisation
        created += 1
    db.session.flush()

    existing = set(db.session.scalars(select(User.email)))
    password_hash = hash_password(DEMO_PASSWORD)
    now = utcnow()
    for index, (email, name, function, organisation, role, status, confirmed) in enumerate(USERS):
        if email in existing:
            continue
        joined = now - timedelta(days=90 - index * 3)
        db.session.add(User(
            email=email, display_name=name, function=function, organisation=organisations[organisation], role=role,
            status=status, password_hash=password_hash, created_at=joined, terms_accepted_at=joined,
            email_confirmed_at=joined if confirmed else None,
            approved_at=joined if status in ("active", "suspended") else None,
            last_login_at=now - timedelta(days=index) if status == "active" else None,
            status_reason="Wiederholte Verstöße gegen die Nutzungsbedingungen." if status == "suspended" else "",
        ))
        created += 1
    db.session.flush()
    created += seed_administration()
    created += seed_second_factors()
    created += seed_events()
    created += seed_ideas()
    created += seed_discussions()
    created += seed_follow_up_links()
    created += seed_attendance_and_reports()
    created += seed_documentation_pack_download()
    created += seed_board_administration()
    created += seed_conversation()
    created += seed_english_texts()
    created += seed_moderation()
    created += seed_statistics()
    created += seed_announcements()
    created += seed_barrier_reports()
    created += seed_privacy()
    if created:  # organisations (and the people's accounts) are written directly above, not by services
        reindex_all()
        monthly.rebuild()  # some demo ideas get their status written directly, not by set_idea_status
    return created
