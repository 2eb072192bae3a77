"""The figures of the programme statistics: each is one aggregate SQL statement over the period (never one per
row), read through the visible_* filters of the viewer, and returned as a table (a label, then numbers).

How the figures count (the page says the same in each figure's note):
- an event was held when it began within the period, before now, and was not cancelled;
- participants are registrations with the status "angemeldet" at held events;
- an idea counts as published, in trial or proven in the period when it reached that status then — by a status
  change in the audit log ("idea.status", its snapshot's "to"), or, for ideas whose status was set without one
  (imported, seeded), when it is in that status now and `status_changed_at` lies in the period;
- active members are the distinct people who posted, voted, submitted an idea or registered for an event;
- posts of a year or a quarter are read from PostMonth (posts per person and month, forum/discussion/monthly.py),
  custom periods count the posts themselves; tests/test_statistics.py holds both equal.

The filters by Land and Jobcenter type choose whose activity counts: people (authors, voters, participants) of
Jobcenters in that Land or of that type; ideas by their submitting Jobcenter, adoptions by the adopting one,
reports by the reported post's author. Moderation actions are the service office's own work and are not filtered.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import case, distinct, func, literal, or_, select, true, union_all

from forum.accounts.models import User
from forum.audit import ACTION_LABELS, AuditEntry
from forum.clock import UTCDateTime, utcnow
from forum.dates import format_month
from forum.discussion.models import Post, PostMonth, Thread
from forum.events.models import EVENT_KINDS, Event, EventRegistration, EventWalkIn
from forum.extensions import db
from forum.ideas.models import IDEA_STATUSES, Idea, IdeaAdoption, IdeaVote
from forum.moderation.models import REASONS, Report
from forum.organisations.models import JOBCENTER_TYPE_LABELS, LAENDER, Organisation
from forum.permissions import (can_view_audit_log, can_view_reports, visible_events, visible_ideas,
                               visible_threads)
from forum.statistics.period import Period

# The audit actions that are moderation (of posts, threads, reports, accounts, registrations, redactions).
MODERATION_PREFIXES = ("post.", "thread.", "report.", "user.", "registration.")
MODERATION_ACTIONS = tuple(action for action in ACTION_LABELS
                           if action.startswith(MODERATION_PREFIXES) or action == "idea.redact")
IDEA_STAGES = ("published", "in_trial", "proven")


@dataclass(frozen=True)
class Scope:
    """What the figures count: a period, and optionally the Jobcenters (by Land and type) whose activity counts."""

    period: Period
    land: str = ""
    jobcenter_type: str = ""

    @property
    def filtered(self) -> bool:
        return bool(self.land or self.jobcenter_type)

    def organisations(self):
        """SQL: the ids of the chosen Jobcenters."""
        query = select(Organisation.id).where(Organisation.kind == "jobcenter")
        if self.land:
            query = query.where(Organisation.land == self.land)
        if self.jobcenter_type:
            query = query.where(Organisation.jobcenter_type == self.jobcenter_type)
        return query

    def of_organisation(self, column):
        """SQL condition: the organisation column is one of the chosen Jobcenters (always true without filter)."""
        return column.in_(self.organisations()) if self.filtered else true()

    def of_person(self, column):
        """SQL condition: the user column is someone of the chosen Jobcenters (always true without filter)."""
        if not self.filtered:
            return true()
        return column.in_(select(User.id).where(User.organisation_id.in_(self.organisations())))

    def within(self, column):
        return (column >= self.period.start) & (column < self.period.end)

    @property
    def label(self) -> str:
        """The chosen Jobcenters in words ("Nordrhein-Westfalen, gemeinsame Einrichtung (gE)")."""
        return ", ".join(part for part in (LAENDER.get(self.land, ""),
                                           str(JOBCENTER_TYPE_LABELS.get(self.jobcenter_type, ""))) if part)

    def as_dict(self) -> dict:
        return {**self.period.as_dict(), **({"land": self.land} if self.land else {}),
                **({"jobcenter_type": self.jobcenter_type} if self.jobcenter_type else {})}


@dataclass
class Figure:
    """One figure: a table whose first column names each row, and which columns are drawn as charts."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]
    charted: tuple[int, ...] = (1,)
    note: str = ""
    monthly: bool = False
    percent: tuple[int, ...] = field(default_factory=tuple)  # columns holding a percentage (or None)


def _visible(column, visible, viewer, ids):
    """SQL condition: `column` is one of the ids the viewer may see (visible_* over `ids`), or none at all when the
    filter leaves the query as it is (the viewer sees every row): an IN over a whole table costs, and SQLite then
    probes composite keys for every listed id."""
    shown = visible(viewer, ids)
    return true() if shown is ids else column.in_(shown)


def held_events(scope: Scope, viewer):
    """SQL: ids of the visible events held in the period (begun, before now, not cancelled)."""
    return visible_events(viewer, select(Event.id).where(
        scope.within(Event.starts_at), Event.starts_at <= utcnow(), Event.status != "cancelled"))


def events_by_kind(scope: Scope, viewer) -> Figure:
    """Held events and their registered participants, per kind of event; with a filter, the events at which
    people of the chosen Jobcenters were registered, and only those people."""
    registered = ((EventRegistration.event_id == Event.id) & (EventRegistration.status == "registered")
                  & scope.of_person(EventRegistration.user_id))
    events = (func.count(distinct(EventRegistration.event_id)) if scope.filtered
              else func.count(distinct(Event.id)))
    counts = {kind: (number, people) for kind, number, people in db.session.execute(
        select(Event.kind, events, func.count(EventRegistration.id))
        .outerjoin(EventRegistration, registered)
        .where(Event.id.in_(held_events(scope, viewer)))
        .group_by(Event.kind))}
    rows = [[str(label), *counts.get(kind, (0, 0))] for kind, label in EVENT_KINDS.items()]
    rows += [[kind, *numbers] for kind, numbers in counts.items() if kind not in EVENT_KINDS]
    return Figure("events", _("Veranstaltungen und Teilnehmende nach Format"),
                  [_("Format"), _("Durchgeführte Veranstaltungen"), _("Angemeldete Teilnehmende")], rows,
                  charted=(1, 2),
                  note=_("Durchgeführt: im Zeitraum begonnen und nicht abgesagt. Teilnehmende: Anmeldungen mit "
                         "dem Status „angemeldet“ (ohne Warteliste und Abmeldungen)."))


def attendance(scope: Scope, viewer) -> Figure:
    """Attendance rate (attended / registered) per kind, over the held events whose attendance was taken (someone
    marked present or a walk-in added); walk-ins are counted beside it, not in the rate (they had not registered)."""
    held = held_events(scope, viewer)
    taken = union_all(select(EventRegistration.event_id).where(EventRegistration.attended_at.is_not(None)),
                      select(EventWalkIn.event_id))
    counted = Event.id.in_(held) & Event.id.in_(taken)
    registered = (select(Event.kind.label("kind"), literal(1).label("registered"),
                         case((EventRegistration.attended_at.is_not(None), 1), else_=0).label("attended"),
                         literal(0).label("walk_in"))
                  .select_from(EventRegistration).join(Event, Event.id == EventRegistration.event_id)
                  .where(counted, EventRegistration.status == "registered",
                         scope.of_person(EventRegistration.user_id)))
    walked_in = (select(Event.kind.label("kind"), literal(0).label("registered"), literal(0).label("attended"),
                        literal(1).label("walk_in"))
                 .select_from(EventWalkIn).join(Event, Event.id == EventWalkIn.event_id)
                 .where(counted, scope.of_organisation(EventWalkIn.organisation_id)))
    rows_of = union_all(registered, walked_in).subquery()
    counts = {kind: (registered_, attended, walk_ins) for kind, registered_, attended, walk_ins in db.session.execute(
        select(rows_of.c.kind, func.sum(rows_of.c.registered), func.sum(rows_of.c.attended),
               func.sum(rows_of.c.walk_in)).group_by(rows_of.c.kind))}

    def row(label, numbers):
        registered_, attended, walk_ins = (int(number or 0) for number in numbers)
        return [label, registered_, attended, walk_ins,
                round(100 * attended / registered_, 1) if registered_ else None]

    rows = [row(str(label), counts.get(kind, (0, 0, 0))) for kind, label in EVENT_KINDS.items()]
    rows += [row(kind, numbers) for kind, numbers in counts.items() if kind not in EVENT_KINDS]
    return Figure("attendance", _("Anwesenheit nach Format"),
                  [_("Format"), _("Angemeldet"), _("Davon anwesend"), _("Ohne Anmeldung anwesend"),
                   _("Anwesenheitsquote (%)")], rows, charted=(4,), percent=(4,),
                  note=_("Nur Veranstaltungen, für die die Anwesenheit erfasst wurde. Quote: anwesende "
                         "Angemeldete geteilt durch Angemeldete; Personen ohne Anmeldung zählen nicht zur Quote."))


def participating_jobcenters(scope: Scope, viewer) -> Figure:
    """Jobcenters with at least one registered participant at a held event, and all Jobcenters of the directory
    (both within the filter)."""
    held = held_events(scope, viewer)
    present = union_all(
        select(User.organisation_id.label("organisation_id"))
        .join(EventRegistration, EventRegistration.user_id == User.id)
        .where(EventRegistration.event_id.in_(held), EventRegistration.status == "registered"),
        select(EventWalkIn.organisation_id.label("organisation_id")).where(EventWalkIn.event_id.in_(held)),
    ).subquery()
    participating = (select(func.count(distinct(present.c.organisation_id)))
                     .select_from(present).join(Organisation, Organisation.id == present.c.organisation_id)
                     .where(Organisation.kind == "jobcenter", scope.of_organisation(Organisation.id)))
    directory = select(func.count(Organisation.id)).where(Organisation.kind == "jobcenter",
                                                          scope.of_organisation(Organisation.id))
    taking_part, everyone = db.session.execute(select(participating.scalar_subquery(),
                                                      directory.scalar_subquery())).one()
    share = round(100 * taking_part / everyone, 1) if everyone else None
    return Figure("jobcenters", _("Teilnehmende Jobcenter"),
                  [_("Jobcenter"), _("Anzahl"), _("Anteil (%)")],
                  [[_("mit Teilnehmenden an Veranstaltungen"), taking_part, share],
                   [_("alle im Verzeichnis"), everyone, 100.0 if everyone else None]],
                  percent=(2,),
                  note=_("Jobcenter, aus denen mindestens eine Person zu einer durchgeführten Veranstaltung "
                         "angemeldet war oder ohne Anmeldung teilnahm, und ihr Anteil an allen Jobcentern im "
                         "Verzeichnis."))


def ideas_by_stage(scope: Scope, viewer) -> Figure:
    """Ideas submitted in the period, and those that reached published, in trial or proven in it."""
    mine = scope.of_organisation(Idea.organisation_id)
    submitted = (select(literal("submitted").label("stage"), Idea.id.label("idea_id"))
                 .where(scope.within(Idea.created_at), mine))
    to_status = AuditEntry.snapshot["to"].as_string()
    audited = (select(to_status.label("stage"), Idea.id.label("idea_id"))
               .select_from(AuditEntry)
               .join(Idea, (AuditEntry.target_type == "ideas") & (AuditEntry.target_id == Idea.id))
               .where(AuditEntry.action == "idea.status", to_status.in_(IDEA_STAGES),
                      scope.within(AuditEntry.created_at), mine))
    current = (select(Idea.status.label("stage"), Idea.id.label("idea_id"))
               .where(Idea.status.in_(IDEA_STAGES), scope.within(Idea.status_changed_at), mine))
    stages = union_all(*(visible_ideas(viewer, part) for part in (submitted, audited, current))).subquery()
    counts = dict(db.session.execute(select(stages.c.stage, func.count(distinct(stages.c.idea_id)))
                                     .group_by(stages.c.stage)).all())
    return Figure("ideas", _("Ansätze der Ideenbörse"), [_("Stand"), _("Ansätze")],
                  [[_("eingereicht"), counts.get("submitted", 0)],
                   *([str(IDEA_STATUSES[stage]), counts.get(stage, 0)] for stage in IDEA_STAGES)],
                  note=_("Eingereicht: im Zeitraum vorgestellt. Veröffentlicht, in Erprobung, bewährt: Ansätze, "
                         "die diesen Status im Zeitraum erreicht haben."))


def adoptions_and_votes(scope: Scope, viewer) -> Figure:
    """Adoptions (by the chosen Jobcenters) and votes (by their people) of visible ideas in the period."""
    shown = _visible(IdeaAdoption.idea_id, visible_ideas, viewer, select(Idea.id))
    adoptions = select(func.count(IdeaAdoption.id)).where(
        scope.within(IdeaAdoption.created_at), shown,
        scope.of_organisation(IdeaAdoption.organisation_id))
    votes = select(func.count()).select_from(IdeaVote).where(
        scope.within(IdeaVote.created_at), _visible(IdeaVote.idea_id, visible_ideas, viewer, select(Idea.id)),
        scope.of_person(IdeaVote.user_id))
    adopted, voted = db.session.execute(select(adoptions.scalar_subquery(), votes.scalar_subquery())).one()
    return Figure("adoptions", _("Übernahmen und Stimmen"), [_("Art"), _("Anzahl")],
                  [[_("Übernahmen durch Jobcenter"), adopted], [_("Stimmen für Ansätze"), voted]],
                  note=_("Übernahmen: ein Jobcenter hat einen Ansatz übernommen. Stimmen: Unterstützung eines "
                         "Ansatzes durch ein Mitglied."))


def _whole_months(scope: Scope) -> bool:
    """Whether the period is whole calendar months (a year, a quarter): then posts are counted from PostMonth,
    about 12 rows per person and year instead of every post; custom periods count the posts themselves."""
    return scope.period.first.day == 1 and (scope.period.last + timedelta(days=1)).day == 1


def _posts(scope: Scope, viewer):
    """SQL rows (user_id, at, posts): the posts of the chosen people in the period, in threads the viewer sees —
    per person and month from PostMonth (`at` the month's first moment) or, for custom periods, one per post."""
    if _whole_months(scope):
        seen = or_(PostMonth.thread_id == 0,
                   _visible(PostMonth.thread_id, visible_threads, viewer, select(Thread.id)))
        return select(PostMonth.author_id.label("user_id"), PostMonth.month.label("at"),
                      PostMonth.posts.label("posts")).where(
            scope.within(PostMonth.month), scope.of_person(PostMonth.author_id), seen)
    return select(Post.author_id.label("user_id"), Post.created_at.label("at"), literal(1).label("posts")).where(
        scope.within(Post.created_at), scope.of_person(Post.author_id),
        _visible(Post.thread_id, visible_threads, viewer, select(Thread.id)))


def _other_activity(scope: Scope, viewer):
    """SQL rows (user_id, at): every vote, idea and registration of the chosen people in the period."""
    return union_all(
        select(IdeaVote.user_id.label("user_id"), IdeaVote.created_at.label("at"))
        .where(scope.within(IdeaVote.created_at), scope.of_person(IdeaVote.user_id),
               _visible(IdeaVote.idea_id, visible_ideas, viewer, select(Idea.id))),
        visible_ideas(viewer, select(Idea.author_id.label("user_id"), Idea.created_at.label("at"))
                      .where(scope.within(Idea.created_at), scope.of_person(Idea.author_id))),
        select(EventRegistration.user_id.label("user_id"), EventRegistration.queued_at.label("at"))
        .where(scope.within(EventRegistration.queued_at), scope.of_person(EventRegistration.user_id),
               _visible(EventRegistration.event_id, visible_events, viewer, select(Event.id))),
    ).subquery()


def _by_month(scope: Scope, column, values: list):
    """SQL: values[n] for the period's month n a moment within the period falls into, in Berlin time."""
    boundaries = scope.period.month_starts()

    def between(first: int, last: int):  # months first..last: halved at each step, about 4 comparisons a row
        if first == last:
            return values[first]
        middle = (first + last + 1) // 2
        return case((column < boundaries[middle - 1], between(first, middle - 1)), else_=between(middle, last))

    # A CASE testing the months in order took 6 comparisons a row on average (SQLite, 86,000 rows of a year:
    # 60 ms of the active members' 125 ms).
    return between(0, len(boundaries))


def _month(scope: Scope, column):
    """SQL: the number of the period's month (0, 1, …) a moment within the period falls into."""
    return _by_month(scope, column, [literal(number) for number in range(len(scope.period.months()))])


def _month_firsts(scope: Scope) -> list:
    """The first moment of each of the period's months within it (UTC), as PostMonth.month names a month."""
    return [scope.period.start, *scope.period.month_starts()]


def _month_rows(scope: Scope, counts: dict) -> list[list]:
    return [[format_month(month), counts.get(number, 0)]
            for number, month in enumerate(scope.period.months())]


def _active_per_month(scope: Scope, posts, others) -> dict[int, int]:
    """{number of the period's month: distinct people active in it}."""
    if not _whole_months(scope):
        activity = union_all(select(posts.c.user_id, posts.c.at), select(others.c.user_id, others.c.at)).subquery()
        per_month = select(_month(scope, activity.c.at).label("month"), activity.c.user_id).subquery()
        return dict(db.session.execute(select(per_month.c.month, func.count(distinct(per_month.c.user_id)))
                                       .group_by(per_month.c.month)).all())
    # Whole months: PostMonth rows name their month, so each month's distinct authors come from its index in
    # order, and only people who were active in a month without posting in it are added from votes, ideas and
    # registrations, each dated by its month's first moment (SQLite, a year of a million posts: 102 -> 60 ms for
    # the whole figure).
    firsts = _month_firsts(scope)
    month = _by_month(scope, others.c.at, [literal(first, UTCDateTime) for first in firsts])
    posted = select(posts.c.user_id).where(posts.c.at == month, posts.c.user_id == others.c.user_id).exists()
    without_posting = select(month.label("at"), others.c.user_id).where(~posted).subquery()
    numbers = {first: number for number, first in enumerate(firsts)}
    counts: dict[int, int] = {}
    for at, people in db.session.execute(union_all(
            select(posts.c.at, func.count(distinct(posts.c.user_id))).group_by(posts.c.at),
            select(without_posting.c.at, func.count(distinct(without_posting.c.user_id)))
            .group_by(without_posting.c.at))):
        counts[numbers[at]] = counts.get(numbers[at], 0) + people
    return counts


def active_members(scope: Scope, viewer) -> Figure:
    """Distinct active people in the whole period (the first row) and per month."""
    posts, others = _posts(scope, viewer).subquery(), _other_activity(scope, viewer)
    counts = _active_per_month(scope, posts, others)
    # each person asked whether they posted (by the index of authors) or are among the few thousand others:
    # SQLite counted the distinct ids of the union 2.5 times slower, the ids of both parts as IN lists 2 times
    posted = select(posts.c.user_id).where(posts.c.user_id == User.id).exists()
    total = db.session.scalar(select(func.count(User.id)).where(
        scope.of_person(User.id), or_(posted, User.id.in_(select(others.c.user_id)))))
    return Figure("members", _("Aktive Mitglieder pro Monat"), [_("Monat"), _("Aktive Mitglieder")],
                  _month_rows(scope, counts), monthly=True,
                  note=_("Personen, die im Monat einen Beitrag geschrieben, abgestimmt, einen Ansatz eingereicht "
                         "oder sich zu einer Veranstaltung angemeldet haben. Im ganzen Zeitraum: %(total)s.",
                         total=total))


def posts_per_month(scope: Scope, viewer) -> Figure:
    """Posts written per month (also those withdrawn or hidden since)."""
    # Grouped outside a subquery: PostgreSQL does not match a CASE with bound values in GROUP BY to the SELECT's.
    rows = _posts(scope, viewer).subquery()
    # Summed per moment first: PostMonth has one moment per month, so the month's CASE is reckoned for 12 rows
    # instead of every person's (SQLite, a year of a million posts: 74 -> 8 ms).
    moments = select(rows.c.at, func.sum(rows.c.posts).label("posts")).group_by(rows.c.at).subquery()
    posts = select(_month(scope, moments.c.at).label("month"), moments.c.posts).subquery()
    counts = {month: int(number) for month, number in db.session.execute(
        select(posts.c.month, func.sum(posts.c.posts)).group_by(posts.c.month))}
    return Figure("posts", _("Beiträge pro Monat"), [_("Monat"), _("Beiträge")], _month_rows(scope, counts),
                  monthly=True, note=_("Alle geschriebenen Beiträge, auch später zurückgezogene oder ausgeblendete."))


def reports_by_reason(scope: Scope, viewer) -> Figure:
    """Reports (Meldungen) made in the period, by reason; filtered by the reported post's author."""
    counts = dict(db.session.execute(
        select(Report.reason, func.count(Report.id)).join(Post, Post.id == Report.post_id)
        .where(scope.within(Report.created_at), scope.of_person(Post.author_id)).group_by(Report.reason)).all())
    rows = [[str(label), counts.get(reason, 0)] for reason, label in REASONS.items()]
    rows += [[reason, number] for reason, number in counts.items() if reason not in REASONS]
    return Figure("reports", _("Meldungen nach Grund"), [_("Grund"), _("Meldungen")], rows,
                  note=_("Meldungen von Beiträgen im Zeitraum; mit Filter: Beiträge von Personen der gewählten "
                         "Jobcenter."))


def moderation_actions(scope: Scope, viewer) -> Figure:
    """Moderation actions of the audit log in the period, by action, most frequent first (not filtered)."""
    counts = db.session.execute(
        select(AuditEntry.action, func.count(AuditEntry.id))
        .where(AuditEntry.action.in_(MODERATION_ACTIONS), scope.within(AuditEntry.created_at))
        .group_by(AuditEntry.action).order_by(func.count(AuditEntry.id).desc(), AuditEntry.action)).all()
    rows = [[str(ACTION_LABELS.get(action, action)), number] for action, number in counts]
    return Figure("moderation", _("Moderationsaktionen"), [_("Aktion"), _("Anzahl")], rows,
                  note=_("Aus dem Moderationsprotokoll; unabhängig vom Filter nach Land und Art des Jobcenters."))


def figures(scope: Scope, viewer) -> list[Figure]:
    """Every figure the viewer may see, in the order of the page and the exports."""
    shown = [make(scope, viewer) for make in (events_by_kind, attendance, participating_jobcenters, ideas_by_stage,
                                              adoptions_and_votes, active_members, posts_per_month)]
    if can_view_reports(viewer):
        shown.append(reports_by_reason(scope, viewer))
    if can_view_audit_log(viewer):
        shown.append(moderation_actions(scope, viewer))
    return shown
