"""Tiny factories: make_<thing>(**overrides) adds and flushes one row with sensible German defaults."""
from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from forum.accounts.models import User
from forum.clock import utcnow
from forum.extensions import db
from forum.organisations.models import Organisation, OrganisationDomain

PASSWORD = "Heftklammer-Ampel-Wolke-42"
# Hashing is slow on purpose; the factories share one hash of PASSWORD.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt")
_numbers = itertools.count(1)


def make_organisation(*, name: str | None = None, kind: str = "jobcenter", land: str | None = "NW",
                      region: str = "Ruhrgebiet", jobcenter_type: str | None = "ge",
                      domains: tuple[str, ...] | None = None) -> Organisation:
    number = next(_numbers)
    if kind != "jobcenter":
        jobcenter_type = None
    organisation = Organisation(
        name=name or f"Jobcenter Teststadt {number}", kind=kind, land=land, region=region,
        jobcenter_type=jobcenter_type,
        domains=[OrganisationDomain(domain=d) for d in (domains if domains is not None
                                                         else (f"jobcenter-teststadt-{number}.example",))],
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_user(*, role: str = "member", status: str = "active", organisation: Organisation | None = None,
              email: str | None = None, display_name: str | None = None, function: str = "Integrationsfachkraft",
              language: str = "de", confirmed: bool = True) -> User:
    number = next(_numbers)
    organisation = organisation or make_organisation()
    now = utcnow()
    user = User(
        email=email or f"person{number}@{organisation.domain_names[0] if organisation.domains else 'mail.example'}",
        display_name=display_name or f"Person {number}", function=function, organisation=organisation, role=role,
        status=status, password_hash=PASSWORD_HASH, language=language, terms_accepted_at=now,
        email_confirmed_at=now if confirmed else None, approved_at=now if status == "active" else None,
    )
    db.session.add(user)
    db.session.flush()
    return user
