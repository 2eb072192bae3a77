"""Organisations: Jobcenters, the service office, the ministry and partner bodies, with their e-mail domains."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.clock import UTCDateTime, utcnow
from forum.extensions import db

KIND_LABELS = {
    "jobcenter": _l("Jobcenter"),
    "service_office": _l("Servicestelle SGB II"),
    "ministry": _l("Ministerium"),
    "partner": _l("Kooperationspartner"),
}
JOBCENTER_TYPE_LABELS = {
    "ge": _l("gemeinsame Einrichtung (gE)"),
    "zkt": _l("zugelassener kommunaler Träger (zkT)"),
}
# The 16 Länder by their official two-letter codes (ISO 3166-2:DE without the prefix).
LAENDER = {
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "BE": "Berlin",
    "BB": "Brandenburg",
    "HB": "Bremen",
    "HH": "Hamburg",
    "HE": "Hessen",
    "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen",
    "RP": "Rheinland-Pfalz",
    "SL": "Saarland",
    "SN": "Sachsen",
    "ST": "Sachsen-Anhalt",
    "SH": "Schleswig-Holstein",
    "TH": "Thüringen",
}


class Organisation(db.Model):
    """A body whose staff use the extranet; registration with one of its domains is linked to it."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    land: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(120), default="")
    jobcenter_type: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    domains: Mapped[list[OrganisationDomain]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationDomain.domain"
    )

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def land_name(self) -> str:
        return LAENDER.get(self.land or "", "")

    @property
    def jobcenter_type_label(self) -> str:
        return str(JOBCENTER_TYPE_LABELS.get(self.jobcenter_type or "", ""))

    @property
    def domain_names(self) -> list[str]:
        return [d.domain for d in self.domains]

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class OrganisationDomain(db.Model):
    """One e-mail domain of an organisation; a domain belongs to exactly one organisation."""

    __tablename__ = "organisation_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="domains")
