"""The client-data guard (Sozialdatenschutz): named patterns of text that looks like personal data of benefit
recipients, the highlighted copy shown to the author, and the count of how often it fired and was overridden.

The patterns aim at what staff copy from case files or tell about a case: BG-Nummer, Kundennummer and other case
numbers, IBAN, Rentenversicherungs-, Krankenversicherten- and Steuer-ID numbers, dates of birth (German and
English), an age next to a name, phone numbers, street addresses, e-mail addresses, and health information in a
sentence about a particular person ("Frau M. aus meinem Bestand hat Depressionen"). They leave alone what ordinary
posts are full of: event dates, paragraph numbers ("§ 16i SGB II"), years, counts, times, room numbers, prices,
an office's phone number or address (by the words around it), staff e-mail addresses (the organisations' domains
and the public employment service's), and colleagues named in a sentence about a talk or a project. Numbers with a
check digit (IBAN, Steuer-ID, Krankenversichertennummer) must pass it. tests/data/guard/ holds the labelled staff
texts that measure precision and recall. Nothing of the text is ever stored.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from forum.clock import UTCDateTime, utcnow
from forum.extensions import db
from forum.organisations.models import OrganisationDomain

GUARD_CONTEXTS = ("post", "idea")
# Each pattern looks at no more candidates than this per text, so a hostile text (thousands of "Depression" or of
# e-mail-like strings, each checked against its sentence) costs no more than an ordinary one; a real post has few.
MAX_CANDIDATES = 200

_SEP = r"[ \u00a0]?"  # numbers are typed with or without (non-breaking) spaces between their groups
_GROUP_SEP = r"[ \u00a0/-]?"  # … or with dashes and slashes (Rentenversicherungsnummer: "12-150871-M-015")
_DAY, _MONTH = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])"
_DATE = rf"{_DAY}\.\s?{_MONTH}\.\s?(?:19|20)?\d{{2}}"
_MONTHS = r"(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)"
_MONTHS_EN = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
              r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?")
_LONG_DATE = rf"{_DAY}\.\s?{_MONTHS}\s(?:19|20)\d{{2}}"
_ANY_DATE = (rf"(?:{_DATE}|{_LONG_DATE}|{_DAY}/{_MONTH}/(?:19|20)?\d{{2}}|(?:19|20)\d{{2}}-[01]\d-[0-3]\d"
             rf"|{_DAY}(?:st|nd|rd|th)?\.?\s(?:of\s)?(?:{_MONTHS}|{_MONTHS_EN})\s(?:19|20)\d{{2}}"
             rf"|{_MONTHS_EN}\s{_DAY}(?:st|nd|rd|th)?,?\s(?:19|20)\d{{2}})")
_BIRTH_YEAR = r"(?:19[2-9]\d|200\d|201[0-2])"
_STREET_SUFFIX = r"(?i:straße|strasse|str\.|weg|allee|gasse|ring|damm|ufer|chaussee|pfad|steig|platz|markt)"
_STREET_WORD = r"(?:Straße|Strasse|Str\.|Weg|Allee|Gasse|Ring|Damm|Ufer|Chaussee|Platz|Markt)"
_HOUSE_NUMBER = r"\d{1,4}(?:\s?[a-h])?(?:\s?[-–/]\s?\d{1,4}[a-h]?)?"
_NAMED_STREET = rf"[A-ZÄÖÜ][\wäöüß-]*{_STREET_SUFFIX}\s?"  # Musterstraße 12, Hauptstr. 5a, Lindenweg 7
_ADJECTIVE_STREET = rf"[A-ZÄÖÜ][\wäöüß-]*(?:er|sche|sches)\s{_STREET_WORD}\s"  # Berliner Straße 17
_ANY_PLACE = r"(?!(?:Raum|Zimmer|Saal|Etage|Stock|Haus|Gebäude|Nr|Tel)\b)[A-ZÄÖÜ][\wäöüß.-]+"  # with a PLZ only
_POSTCODE_CITY = r",?\s+\d{5}\s+[A-ZÄÖÜ][\wäöüß-]+"
_PREPOSITION = r"(?:Am|An der|An den|Auf der|Auf dem|Im|In der|In den|Zum|Zur|Hinter der|Unter den|Alte|Neue)"

# A particular person: a title with a name or an initial ("Frau M.", "Herrn Dr. Schulz", "Ms K."), a client with an
# initial ("Kundin S."), or one's own single client ("meine Kundin", "aus meinem Bestand", "my client").
_TITLE = r"(?:Herrn?|Frau|Hr\.|Fr\.|Mr\.?|Mrs\.?|Ms\.?|Miss)"
_NAME = r"(?:Dr\.\s)?[A-ZÄÖÜ][\wäöüß'-]*\.?(?:\s[A-ZÄÖÜ][\wäöüß'-]*\.?)?"
_CLIENT_NOUN = (r"(?:Kunde|Kunden|Kundin|Klient|Klientin|Leistungsberechtigte[rn]?|Leistungsbezieher(?:in)?"
                r"|Teilnehmer(?:in)?|Antragsteller(?:in)?|client|customer|claimant|participant)")
_NAMED_PERSON = rf"(?:\b{_TITLE}\s{_NAME}|\b{_CLIENT_NOUN}\s[A-ZÄÖÜ]\.)"
# The same starts as one group of literals, so the regex engine can skip to candidates quickly (see Pattern).
_TITLE_OR_CLIENT = (r"(?:Herrn|Herr|Frau|Hr\.|Fr\.|Mrs\.|Mrs|Mr\.|Mr|Ms\.|Ms|Miss|Kunde|Kunden|Kundin|Klientin|Klient"
                    r"|Leistungsberechtigte|Leistungsberechtigter|Leistungsbezieherin|Leistungsbezieher|Teilnehmerin"
                    r"|Teilnehmer|client|customer)")
_ADVERB = (r"(?:(?:erst|schon|bereits|gerade|fast|knapp|über|inzwischen|mittlerweile|jetzt|only|almost|just|over|now"
           r"|already)\s)")
_CASE_KEYWORD = (r"(?:Kundennummer|kundennummer|Kunden-Nr\.?|KundenNr\.?|Kundennr\.?|kundennr\.?|Kunden-ID"
                 r"|Kd\.?\s?-?\s?Nr\.?|KdNr\.?|kdnr\.?|BG-?\s?Nummer|BG-?\s?Nr\.?|Bedarfsgemeinschaftsnummer|Bedarfsgemeinschafts-?\s?Nr\.?"
                 r"|Aktenzeichen|Az\.|AZ\.|Fallnummer|Vorgangsnummer|Personenkennziffer|PKZ|Kennziffer"
                 r"|Customer\s(?:number|no\.?|ID)|customer\s(?:number|no\.?|ID)|Case\s(?:number|no\.?|ID)"
                 r"|case\s(?:number|no\.?|ID)|Client\s(?:number|no\.?|ID)|client\s(?:number|no\.?|ID)"
                 r"|Reference\s(?:number|no\.?)|reference\s(?:number|no\.?))")
_BIRTH_KEYWORD = (r"(?:geb\.|Geb\.|geboren|Geboren|Geburtsdatum|Geb\.-Datum|Geburtstag|Geburtsjahr|Jahrgang|Jg\.|born"
                  r"|Born|DOB|D\.O\.B\.|date\sof\sbirth|Date\sof\sbirth|birth\s?date|Birth\s?date|birthday|Birthday"
                  r"|year\sof\sbirth|Year\sof\sbirth)")
_CLIENT = re.compile(
    rf"\b{_CLIENT_NOUN}\s[A-ZÄÖÜ]\.|(?i:\b(?:mein|meine|meinem|meiner|unser|unsere|unserem|unserer|my|our)\s{_CLIENT_NOUN}\b)"
    r"|(?i:\b(?:aus|in)\s(?:meinem|unserem)\s(?:Bestand|Fallmanagement|Fallbestand)\b|\bfrom\smy\scaseload\b"
    r"|\bin\smeiner\s(?:Betreuung|Beratung)\b|\bbei\smir\sin\sder\s(?:Betreuung|Beratung)\b)")
_PERSON = re.compile(rf"{_NAMED_PERSON}|{_CLIENT.pattern}")
_HEALTH = re.compile(  # every alternative starts with a letter, so the engine skips fast to candidates
    r"(?:schwanger\w*|Schwangerschaft\w*|SSW|pregnan\w*|Risikoschwangerschaft"
    r"|Depression(?:en)?|depressiv\w*|depress(?:ed|ion)|Angststörung\w*|Panikattacke\w*|Psychose\w*|psychotisch\w*"
    r"|Schizophren\w*|schizophren\w*|bipolar\w*|Borderline|PTBS|PTSD|posttraumatisch\w*|traumatisiert\w*|Traumatisierung\w*|Kriegstrauma\w*"
    r"|Burn-?out|psychisch(?:e|en)?\s(?:Erkrankung|erkrankt|krank|Probleme|Störung|belastet)\w*|psychiatrisch\w*"
    r"|Psychiatrie|Suizid\w*|suizid\w*|Essstörung\w*|ADHS|ADHD|Autismus|autistisch\w*|Demenz|dement"
    r"|Alkohol(?:ismus|sucht|problem|probleme|krank\w*|abhängig\w*|iker\w*|erkrank\w*)|Erkrankung\w*|erkrankt\w*|alkoholabhängig\w*|alkoholkrank\w*"
    r"|trinkt|drogenabhängig\w*|Drogen(?:sucht|problem\w*|konsum|abhängigkeit)|suchtkrank\w*|Sucht|Spielsucht|schwerhörig\w*|Hörgerät\w*|sehbehindert\w*|Persönlichkeitsstörung\w*|Zwangsstörung\w*"
    r"|Belastungsstörung\w*|Schlafstörung\w*|chemo\w*|spielsüchtig|süchtig|alkoholsüchtig|drogensüchtig|kaufsüchtig"
    r"|Substitution\w*|substituiert|Methadon|Polamidon|Heroin|Kokain|Cannabiskonsum|Crystal"
    r"|Entzug\w*|Entgiftung|Krebs\w*|Tumor\w*|Chemo\w*|Diabet\w*|HIV|Aids|Hepatitis|Epilep\w*"
    r"|Multiple[rn]?\sSklerose|Parkinson|Rheuma\w*|Bandscheibe\w*|Herzinfarkt|Schlaganfall|Long[\s-]Covid"
    r"|chronisch\s(?:krank|erkrankt)\w*|schwerbehindert\w*|Schwerbehinderung|Schwerbehindertenausweis|GdB"
    r"|Grad\sder\sBehinderung|behindert\w*|Behinderung|Rollstuhl\w*|gehörlos\w*|erblindet|Pflegegrad"
    r"|arbeitsunfähig\w*|Arbeitsunfähigkeit|krankgeschrieben|AU-Bescheinigung\w*|Diagnose\w*|diagnostiziert"
    r"|amtsärztlich\w*|ärztlich\w*\sGutachten|psychologisch\w*\sGutachten|Klinikaufenthalt|Psychotherapie|Therapieplatz"
    r"|Therapie|Reha-Klinik|stationär|Entzugsklinik|Tagesklinik|OP|Operation|operiert|betrunken|alkoholisiert"
    r"|Drogen|Übergewicht|Adipositas|Rückenprobleme|Rückenschmerzen|Trauma|Asthma|COPD|Dialyse|Allergie\w*"
    r"|Sehbehinderung|Hörbehinderung|Medikament\w*|Psychopharmaka|Antidepressiva|Fehlgeburt|Mutterschutz"
    r"|Herzerkrankung|Herzprobleme|Nierenerkrankung|Lungenerkrankung|Krankenhaus|Klinik|Psychiater\w*"
    r"|anxiety|addict\w*|alcoholi\w*|drug\s(?:use|problem|addiction)|diagnosed|diagnosis|cancer|diabet\w*"
    r"|disabilit\w*|disabled|wheelchair|mental\s(?:health\s(?:issues|problems|condition)|illness)|psychiatric"
    r"|rehab|sick\sleave|chronically\sill|in\stherapy|HIV-positive|drunk|surgery|hospital\w*|illness|injur\w*"
    r"|medication|miscarriage|overweight)\b")
# "Menschen mit Diabetes", "für Kundinnen mit Behinderung": a group, not a person.
_GROUP_OF_PEOPLE = re.compile(
    r"(?i:\b(?:Menschen|Personen|Kundinnen|Kunden|Leistungsberechtigte[n]?|Frauen|Männer|Eltern|Jugendliche[n]?"
    r"|Betroffene[n]?|people|persons|clients|customers|adults)\s(?:mit|with|ohne|without)\s(?:[\w-]{1,30}\s){0,2})$")
# A name next to a health word is not about a client when the sentence is about a talk, an event or a colleague.
_STAFF_CONTEXT = re.compile(
    r"(?i:\b(?:referier\w*|Referent\w*|Vortrag|Vorträge|vorgestellt|stellt\w*\s(?:das|ihr|sein|unser)|präsentier\w*"
    r"|Fachtag\w*|Fachveranstaltung|Tagung|Workshop|moderier\w*|Impuls\w*|Kolleg\w*|Leiter(?:in)?\b|Projekt\w*"
    r"|Webinar|Fortbildung\w*|Schulung\w*|Arbeitskreis|Netzwerk\w*|Konzept\w*|Ansprechpartner\w*|leitet"
    r"|erklärt\w*|erläutert\w*|Folien|Thema|Themen|Studie|Buch|Artikel|Film\b|Prof\.|Gesundheitsamt"
    r"|presented|presentation|talk\b|speaker|colleague|workshop|project|heads\b|leads\b|slides|topic"
    r"|explained|article|Fachärzt\w*|Psycholog(?:in|e)\b|berät\b|Teamleit\w*|Bereichsleit\w*|Geschäftsführ\w*"
    r"|team\sleader|manager|head\sof|Vertretung\w*|vertritt|vertreten|Urlaub|Abwesenheit|Sitzung|Besprechung"
    r"|Team|Teams|Dienstreise|out\sof\soffice|on\sleave|meeting))")
# Words near an address or a phone number that say it belongs to an office or a venue, not to a client.
_OFFICE_CONTEXT = re.compile(
    r"(?i:Servicestelle|Hotline|Zentrale|Sekretariat|Geschäftsstelle|Service-?Center|Infotelefon|Durchwahl"
    r"|Geschäftszeiten|Sprechzeiten|Einwahl|Telefonkonferenz|Veranstaltungsort|Tagungs\w*|findet\s|statt\b"
    r"|Treffpunkt|Anfahrt|Hotel|Bürgerhaus|Rathaus|Kreishaus|Landratsamt|Akademie|Sitz\b|sitzt|Standort"
    r"|Jobcenter|Agentur\sfür\sArbeit|Beratungsstelle|Bildungszentrum|Eingang|Raum\b|Saal\b"
    r"|dienstlich\w*|beruflich\w*|Büro|Funktionspostfach|office|venue|helpdesk|dial-in|hotline)")
_CLIENT_CONTEXT = re.compile(
    r"(?i:\bwohn\w*|\blebt\b|\bgemeldet\b|\bWohnung\b|\bprivat\w*|\bHandy\b|\bKund\w*|Leistungsberechtigt\w*"
    r"|\bKlient\w*|\bBestand\b|\bTeilnehmer(?:in)?\b|\bMutter\b|\bVater\b|\bparticipant\b|\blives\b|\bclient\b|\bcustomer\b|\bprivate\b|\bmobile\b)")
_SENTENCE_END = re.compile(  # not after "Frau M.", "28." or "geb."
    r"[a-zäöüß)]{2}(?<!\bgeb)(?<!\bbzw)(?<!\bggf)(?<!\bvgl)(?<!\busw)(?<!\binkl)(?<!\bevtl)(?<!\bca)(?<!\bstr)"
    r"[.!?](?=\s)|\n")
_FREEMAIL = frozenset((
    "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.com", "web.de", "t-online.de", "gmail.com", "googlemail.com",
    "yahoo.de", "yahoo.com", "ymail.com", "hotmail.de", "hotmail.com", "outlook.de", "outlook.com", "live.de",
    "live.com", "msn.com", "icloud.com", "me.com", "aol.com", "aol.de", "freenet.de", "arcor.de", "posteo.de",
    "mailbox.org", "online.de", "email.de", "mail.de", "vodafone.de", "kabelmail.de", "1und1.de", "proton.me",
    "protonmail.com", "tutanota.com", "tuta.io", "yandex.ru", "mail.ru", "o2online.de", "gmx.org",
    "mail.com", "yahoo.co.uk", "yahoo.fr", "hotmail.fr", "orange.fr", "laposte.net", "libero.it", "ukr.net",
    "wp.pl", "o2.pl", "onet.pl", "interia.pl", "seznam.cz", "abv.bg", "inbox.ru", "bk.ru", "list.ru", "rambler.ru",
    "yandex.com", "hotmail.co.uk", "btinternet.com", "gmx.fr", "outlook.fr", "live.fr", "windowslive.com",
))
# The public employment service's own staff domains; every other staff domain is an organisation's in the database.
STAFF_DOMAINS = frozenset(("jobcenter-ge.de", "arbeitsagentur.de"))
_FUNCTION_MAILBOX = re.compile(
    r"(?i:info|kontakt|contact|post|poststelle|service|servicestelle|office|team|presse|press|datenschutz"
    r"|noreply|no-reply|mail|anmeldung|veranstaltung\w*|redaktion|webmaster|buero|büro|sekretariat|zentrale"
    r"|jobcenter[\w.-]*|hotline|beratung|support|netzwerk\w*|extranet)")


def _context(match: re.Match, before: int = 160, after: int = 100) -> str:
    """The sentence around a match: at most `before`/`after` characters, cut at a sentence end or line break."""
    text = match.string
    head = text[max(0, match.start() - before):match.start()]
    ends = list(_SENTENCE_END.finditer(head))
    if ends:
        head = head[ends[-1].end():]
    tail = text[match.end():match.end() + after]
    end = _SENTENCE_END.search(tail)
    return head + match.group(0) + (tail[:end.end()] if end else tail)


class GuardEvent(db.Model):
    """The client-data guard fired (and whether the author overrode it) — counted without any of the text."""

    __tablename__ = "guard_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    context: Mapped[str] = mapped_column(String(20))
    patterns: Mapped[str] = mapped_column(String(200))
    overridden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def _iban_valid(match: re.Match) -> bool:
    """ISO 13616 check digits (mod 97 == 1)."""
    iban = re.sub(r"\s", "", match.group(0)).upper()
    digits = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def _tax_id_valid(match: re.Match) -> bool:
    """Steuerliche Identifikationsnummer: 11 digits, no leading 0, ISO 7064 MOD 11,10 check digit."""
    digits = re.sub(r"\D", "", match.group(0))
    if len(digits) != 11 or digits[0] == "0":
        return False
    product = 10
    for digit in digits[:10]:
        total = (int(digit) + product) % 10 or 10
        product = (total * 2) % 11
    check = 11 - product
    return (0 if check == 10 else check) == int(digits[10])


def _insurance_number_valid(match: re.Match) -> bool:
    """Rentenversicherungsnummer: the six digits after the area number are a date of birth (DDMMYY)."""
    digits = re.sub(r"\D", "", match.group(0))
    day, month = int(digits[2:4]), int(digits[4:6])
    return 1 <= day <= 31 and 1 <= month <= 12


def _health_insurance_number_valid(match: re.Match) -> bool:
    """Krankenversichertennummer (§ 290 SGB V): a letter and nine digits, the last a check digit — the letter as
    01–26 and the first eight digits weighted 1, 2, 1, 2, …, the digit sums of the products added up, modulo 10."""
    raw = re.sub(r"\s", "", match.group(0)).upper()
    digits = f"{ord(raw[0]) - 64:02d}" + raw[1:9]
    total = sum(sum(divmod(int(digit) * (1 + index % 2), 10)) for index, digit in enumerate(digits))
    return total % 10 == int(raw[9])


def _phone_plausible(match: re.Match) -> bool:
    """Between 6 and 15 digits, as German numbers have; not a service number (0800, 0180…, 115) and not one
    that its sentence gives as an office's (switchboard "-0", Servicestelle, hotline, dial-in)."""
    digits = re.sub(r"\D", "", match.group(0))
    if not 6 <= len(digits) <= 15 or re.match(r"(?:0|0049|49)(?:800|180)|115$", digits):
        return False
    if re.search(r"-\s?0$", match.group(0)):
        return False
    if re.match(r"(?:0|0049|49)1[5-7]", digits):  # a mobile number is a person's, whatever the sentence says
        return True
    around = _context(match, before=90, after=60)
    return not _OFFICE_CONTEXT.search(around) or bool(_CLIENT_CONTEXT.search(around))


def _address_of_a_person(match: re.Match) -> bool:
    """A street address, unless its sentence says it is an office's or a venue's (and not where someone lives)."""
    around = _context(match, before=120, after=80)
    return not _OFFICE_CONTEXT.search(around) or bool(re.search(r"(?i:\bwohn\w*|\blebt\b|\bgemeldet\b|\blives\b)",
                                                                  around))


def _birth_year(match: re.Match) -> bool:
    """A date next to a name counts as a birth date when it lies at least 14 years back (events do not)."""
    year = re.search(r"(\d{2,4})\s*\)?$", match.group(0).rstrip(")"))
    if year is None:
        return False
    number = int(year.group(1))
    if number < 100:
        number += 1900 if number > date.today().year % 100 else 2000
    return number <= date.today().year - 14


def _about_a_person(match: re.Match) -> bool:
    """A health word (a whole word) counts when its sentence is about one's own client ("meine Kundin", "Kunde
    S.", "aus meinem Bestand"), or names a person and is not about a talk, a project or a colleague."""
    if match.start() and match.string[match.start() - 1].isalnum():
        return False
    if _GROUP_OF_PEOPLE.search(match.string[max(0, match.start() - 60):match.start()]):
        return False
    around = _context(match)
    return bool(_CLIENT.search(around)) or bool(_PERSON.search(around)) and not _STAFF_CONTEXT.search(around)


def _age_of_a_client(match: re.Match) -> bool:
    """An age next to a name, unless the sentence is about a colleague ("Frau M., 58, Leiterin des Jobcenters")."""
    around = _context(match)
    return bool(_CLIENT.search(around)) or not _STAFF_CONTEXT.search(around)


def _personal_address(match: re.Match) -> bool:
    """An e-mail address at a free-mail provider, or a personal one in a sentence about a client; an office's
    mailbox (info@, servicestelle@ …) and the addresses of staff domains are not client data."""
    local, _at, domain = match.group(0).lower().rpartition("@")
    if _is_staff_domain(domain, STAFF_DOMAINS):
        return False
    if domain in _FREEMAIL:
        return True
    return not _FUNCTION_MAILBOX.fullmatch(local) and bool(_CLIENT_CONTEXT.search(_context(match)))


def _is_staff_domain(domain: str, staff: Iterable[str]) -> bool:
    """The domain or one of its parents (jobcenter-ge.de for dortmund.jobcenter-ge.de) is a staff domain."""
    parts = domain.lower().split(".")
    return any(".".join(parts[index:]) in staff for index in range(len(parts) - 1))


def _case_number_valid(match: re.Match) -> bool:
    """A number after "Kundennummer", "BG-Nr.", "Aktenzeichen" … with at least six digits and not a date."""
    number = match.group(1)
    return len(re.sub(r"\D", "", number)) >= 6 and not re.fullmatch(_ANY_DATE, number)


@dataclass(frozen=True)
class Pattern:
    """One kind of client data: its name (stored in GuardEvent), its German label and how it is found (the
    stretch marked is the regex's `group`)."""

    name: str
    label: object
    regex: re.Pattern
    valid: Callable[[re.Match], bool] | None = None
    group: int = 0
    word_start: bool = False  # the match must start a word (checked here: a leading \\b would slow the regex down)
    needs: str = ""  # a word (lower case) without which the text is not searched: keeps costly regexes off most texts


PATTERNS: tuple[Pattern, ...] = (
    Pattern("bg_nummer", _l("BG-Nummer"),
            re.compile(rf"(?<![\w/])\d{{5}}(?:{_SEP}BG{_SEP}|{_SEP}//{_SEP})\d{{7}}(?![\w])", re.IGNORECASE)),
    Pattern("kundennummer", _l("Kundennummer der Bundesagentur für Arbeit"),
            re.compile(rf"(?<![\w.,/-])\d{{3}}(?:{_SEP}|-)[A-Z](?:{_SEP}|-)\d{{6}}(?![\w]|[.,]\d)")),
    Pattern("fallnummer", _l("Kunden-, BG- oder Fallnummer"),
            re.compile(rf"{_CASE_KEYWORD}\s?:?\s?(?:(?:lautet|ist|is|war|was)\s)?([A-Z0-9][A-Z0-9/.-]{{3,20}}[A-Z0-9])"
                       r"(?![\w/-])"), _case_number_valid, group=1, word_start=True),
    Pattern("iban", _l("IBAN"),
            re.compile(r"(?<![\w])[A-Za-z]{2}\d{2}\s?[A-Za-z0-9]{4}(?:\s?(?=[A-Za-z]{0,3}\d)[A-Za-z0-9]{4}){1,6}"
                       r"(?:\s?\d{1,3})?(?![\w])"),
            _iban_valid),
    Pattern("rentenversicherungsnummer", _l("Rentenversicherungsnummer"),
            re.compile(rf"(?<![\w/-])\d{{2}}{_GROUP_SEP}\d{{6}}{_GROUP_SEP}[A-Z]{_GROUP_SEP}\d{{2}}"
                       rf"{_GROUP_SEP}\d(?![\w]|[/-]\d)"), _insurance_number_valid),
    Pattern("krankenversichertennummer", _l("Krankenversichertennummer"),
            re.compile(r"(?<![\w/-])[A-Z]\s?\d{9}(?![\w]|[.,/-]\d)"), _health_insurance_number_valid),
    Pattern("steuer_id", _l("Steuer-Identifikationsnummer"),
            re.compile(r"(?<![\w.,/-])\d{2}\s?\d{3}\s?\d{3}\s?\d{3}(?![\w]|[.,]\d)"), _tax_id_valid),
    Pattern("geburtsdatum", _l("Geburtsdatum"),
            re.compile(rf"{_BIRTH_KEYWORD}(?:\s(?:der|des|von|of|the)\s[\w-]{{1,20}})?(?:\s(?:is|was|ist|war|lautet))?"
                       rf"(?:\s{{1,3}}(?:am|den|on|im\sJahr|in))?:?\s{{0,3}}(?:{_ANY_DATE}|{_MONTH}/{_BIRTH_YEAR}"
                       rf"|(?:im\s)?(?:{_MONTHS}|{_MONTHS_EN})\s{_BIRTH_YEAR}|{_BIRTH_YEAR}(?![\d.]\d|-)|['’]\d{{2}}\b)(?!\d)"),
            word_start=True),
    Pattern("geburtsdatum", _l("Geburtsdatum"),  # "*12.03.1985", "* 1961", not "**fett**" or "12*3"
            re.compile(rf"\*(?<![*\w]\*)\s?(?:{_DATE}|{_LONG_DATE}|{_BIRTH_YEAR})(?![\d*])")),
    Pattern("geburtsdatum", _l("Geburtsdatum"), re.compile(rf"\(b\.\s?{_BIRTH_YEAR}\)")),  # "(b. 1980)"
    Pattern("geburtsdatum", _l("Geburtsdatum"),  # "am 12. Mai 1976 in Halle geboren": the date comes first
            re.compile(rf"\b(?:am\s|im\sJahr\s)?(?:{_ANY_DATE}|{_BIRTH_YEAR})(?:\sin\s[A-ZÄÖÜ][\w-]{{1,30}})?\sgeboren",
                       re.IGNORECASE),
            needs="geboren"),
    Pattern("name_mit_datum", _l("Geburtsdatum neben einem Namen"),
            re.compile(rf"(?:Herr|Frau|Hr\.|Fr\.)\s+(?:Dr\.\s+)?[A-ZÄÖÜ][\w.-]*(?:\s+[A-ZÄÖÜ][\w-]*)?"
                       rf"(?:\s*,\s*|\s*\(\s*|\s+){_DATE}\)?(?!\d)"), _birth_year, word_start=True),
    Pattern("alter_mit_name", _l("Alter neben einem Namen"),
            re.compile(rf"{_TITLE_OR_CLIENT}\s{_NAME}\s?(?:,\s?|\(\s?|\s(?:ist|is|wird|turns)\s{_ADVERB}?)"
                       r"(?:(?:ca\.|aged?|Alter:?)\s?)?(?:1[4-9]|[2-9]\d)(?:\s?(?:Jahre\b(?!\s(?:Erfahrung|Berufserfahrung"
                       r"|im\b|in\b|bei\b|lang\b|dabei|tätig|Betriebs\w*|Dienst\w*|Mitglied|Praxis))|J\.|-?jährig\w*"
                       r"|years?\b(?!\s(?:of|in|at|with|experience))|y/?o\b|yrs\b)|\)|(?=\s?,|[.;]\s|\s(?:und|and)\s))"),
            _age_of_a_client, word_start=True),
    Pattern("alter_mit_name", _l("Alter neben einem Namen"),  # "die 23-jährige Kundin Frau B."
            re.compile(rf"\b(?:1[4-9]|[2-9]\d)\s?-?\s?jährige[rn]?\s(?:{_NAMED_PERSON}|{_CLIENT_NOUN}\s{_NAME})"),
            _age_of_a_client, needs="jährig"),
    Pattern("alter_mit_name", _l("Alter neben einem Namen"),  # "a 34-year-old client Mr Brown"
            re.compile(r"\b(?:1[4-9]|[2-9]\d)-year-old\s(?:client|customer|Mr\.?|Mrs\.?|Ms\.?)\s[A-Z]"),
            _age_of_a_client, needs="year-old"),
    Pattern("telefonnummer", _l("Telefonnummer"),
            re.compile(r"(?<![\w.,/+-])(?<!\d[ \u00a0])(?:"
                       r"(?:\+|00)49[ \u00a0/-]?(?:\(0\)[ \u00a0]?)?[1-9]\d{1,4}"
                       r"|\(0[1-9]\d{1,4}\)|0[1-9]\d{1,4}"
                       r")(?:[ \u00a0]?[/-][ \u00a0]?|[ \u00a0])?\d(?:[ \u00a0-]?\d){3,11}(?![\w]|[.,]\d)"
                       r"|\b(?:Tel\.|Telefon|Tel|Mobil|Handy|Fon|phone|mobile|cell)\s?(?:-?Nr\.)?:?\s?"
                       r"\d(?:[ \u00a0/-]?\d){4,14}(?!\w)", re.IGNORECASE), _phone_plausible),
    Pattern("anschrift", _l("Anschrift"),
            re.compile(rf"\b(?:{_NAMED_STREET}|{_ADJECTIVE_STREET}){_HOUSE_NUMBER}(?:{_POSTCODE_CITY})?(?!\w|[.,]\d)"
                       rf"|\b(?:{_PREPOSITION}\s[A-ZÄÖÜ][\wäöüß-]+|{_ANY_PLACE})\s{_HOUSE_NUMBER}{_POSTCODE_CITY}"),
            _address_of_a_person),
    Pattern("email", _l("E-Mail-Adresse"),
            re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,5}(?![\w-])"),
            _personal_address),
    Pattern("gesundheit", _l("Gesundheitsangabe zu einer Person"), _HEALTH, _about_a_person),
)
PATTERN_LABELS = {pattern.name: pattern.label for pattern in PATTERNS}  # a name may have several patterns


@dataclass(frozen=True)
class Hit:
    """One stretch of text that looks like client data."""

    pattern: str
    start: int
    end: int

    @property
    def label(self):
        return PATTERN_LABELS[self.pattern]


def scan(text: str, *, staff_domains: Collection[str] | None = None) -> list[Hit]:
    """Every stretch of `text` that looks like client data, in text order, without overlaps (the earlier and
    then the longer stretch wins). E-mail addresses at `staff_domains` (by default the organisations' domains,
    looked up only when the text holds an address) are staff's, not client data."""
    text = text or ""
    lower = text.lower()
    found = []
    for pattern in PATTERNS:
        if pattern.needs and pattern.needs not in lower:
            continue
        for match in itertools.islice(pattern.regex.finditer(text), MAX_CANDIDATES):
            if pattern.word_start and match.start() and (text[match.start() - 1].isalnum()
                                                           or text[match.start() - 1] == "_"):
                continue
            if pattern.valid is None or pattern.valid(match):
                found.append(Hit(pattern.name, *match.span(pattern.group)))
    addresses = {hit: text[hit.start:hit.end].rpartition("@")[2].lower() for hit in found
                 if hit.pattern == "email" and text[hit.start:hit.end].rpartition("@")[2].lower() not in _FREEMAIL}
    if addresses:
        staff = organisation_domains(addresses.values()) if staff_domains is None else staff_domains
        found = [hit for hit in found if hit not in addresses or not _is_staff_domain(addresses[hit], staff)]
    hits: list[Hit] = []
    for hit in sorted(found, key=lambda h: (h.start, -(h.end - h.start))):
        if not hits or hit.start >= hits[-1].end:
            hits.append(hit)
    return hits


def organisation_domains(domains: Iterable[str]) -> set[str]:
    """Which of these e-mail domains (or their parent domains) belong to an organisation of the extranet."""
    candidates = set()
    for domain in domains:
        parts = domain.split(".")
        candidates.update(".".join(parts[index:]) for index in range(len(parts) - 1))
    return set(db.session.scalars(select(OrganisationDomain.domain).where(
        func.lower(OrganisationDomain.domain).in_(sorted(candidates)))))


def highlight(text: str, hits: list[Hit]) -> Markup:
    """The text escaped, with every hit in <mark> (the pattern's name for screen readers in a title)."""
    parts, position = [], 0
    for hit in hits:
        parts.append(escape(text[position:hit.start]))
        parts.append(Markup('<mark title="{}">{}</mark>').format(str(hit.label), text[hit.start:hit.end]))
        position = hit.end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


@dataclass
class Finding:
    """What the guard found in the texts of one form: per text its label and highlighted copy."""

    parts: list[tuple[object, Markup]] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    blocked: bool = True

    @property
    def labels(self) -> list[str]:
        return [str(PATTERN_LABELS[name]) for name in self.patterns]


def find(texts: Iterable[tuple[object, str]], *, blocked: bool = False) -> Finding | None:
    """What looks like client data in the (label, text) pairs of a form, highlighted; None when nothing does.
    Counts nothing: the preview shows the same marks as publishing would, without stopping anything."""
    finding = Finding(blocked=blocked)
    for label, text in texts:
        hits = scan(text)
        if hits:
            finding.parts.append((label, highlight(text, hits)))
            finding.patterns.extend(hit.pattern for hit in hits if hit.pattern not in finding.patterns)
    return finding if finding.parts else None


def review(texts: Iterable[tuple[object, str]], *, confirmed: bool, context: str) -> Finding | None:
    """Check the (label, text) pairs of a form before they are published; None when nothing looks like
    client data.

    A hit is counted in guard_events (pattern names only, never the text): as overridden when the author has
    confirmed that the text holds no client data, else as fired — then `blocked` is True and the form is shown
    again with the matches highlighted. Flushes.
    """
    if context not in GUARD_CONTEXTS:
        raise ValueError(f"unknown guard context {context!r}")
    finding = find(texts, blocked=not confirmed)
    if finding is None:
        return None
    db.session.add(GuardEvent(context=context, patterns=",".join(finding.patterns)[:200], overridden=confirmed))
    db.session.flush()
    return finding


def hold_back(texts: Iterable[tuple[object, str]], *, confirmed: bool, context: str, render: Callable):
    """The one way a view lets the guard stop a valid form before its service runs: `render(finding=…)` — the
    form again with the matches marked, the count of the warning committed (never the text) — or None when the
    text may be saved (nothing found, or the author confirmed). Post forms reach it through
    discussion.posting.held_back, which adds the preview and the rate limit."""
    finding = review(texts, confirmed=confirmed, context=context)
    if finding and finding.blocked:
        db.session.commit()
        return render(finding=finding)
    return None
