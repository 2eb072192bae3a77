"""Programme statistics: every figure against a small dataset counted by hand (the comments say who counts where),
the period's borders in Berlin time, the filters by Land and Jobcenter type, who may see what, the exports (CSV
and XLSX, formula-guarded, audited) and a bounded number of statements whatever the amount of data."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

import pytest

from forum.audit import AuditEntry
from forum.events.models import EventRegistration, EventWalkIn
from forum.extensions import db
from forum.ideas.models import IdeaAdoption, IdeaVote
from forum.moderation.models import Report
from forum.statistics import charts, figures
from forum.statistics.figures import Scope
from forum.statistics.period import Period
from tests.factories import make_event, make_idea, make_organisation, make_post, make_thread, make_user
from tests.helpers import audit, queries_for, text_of

YEAR = Period.year(2025)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.fixture
def data(app):
    """Four Jobcenters (NW gE, NW zkT, BY gE, HE zkT, the last without any activity), the service office and
    people a1, a2 (NW gE), b1 (NW zkT), c1 (BY gE), s1 (office); events, ideas, votes, posts, reports and audit
    entries around 2025, some a few minutes either side of a border in Berlin time."""
    nw_ge = make_organisation(land="NW", jobcenter_type="ge")
    nw_zkt = make_organisation(land="NW", jobcenter_type="zkt")
    by_ge = make_organisation(land="BY", jobcenter_type="ge")
    make_organisation(land="HE", jobcenter_type="zkt")
    office = make_organisation(kind="service_office", land="BE")
    a1, a2 = make_user(organisation=nw_ge), make_user(organisation=nw_ge)
    b1, c1 = make_user(organisation=nw_zkt), make_user(organisation=by_ge)
    s1 = make_user(role="organiser", organisation=office)
    moderator = make_user(role="moderator", organisation=office)

    def register(event, person, status="registered", *, queued, attended=None):
        db.session.add(EventRegistration(event_id=event.id, user_id=person.id, status=status, queued_at=queued,
                                         updated_at=queued, attended_at=attended))

    # E1: a workshop held in March, attendance taken: a1 and s1 present, a2 not, b1 waiting, c1 withdrew; two
    # walk-ins, one from the BY Jobcenter. Registrations in February.
    e1 = make_event(kind="workshop", status="done", starts_at=utc(2025, 3, 10, 9))
    for person, status, attended in ((a1, "registered", True), (a2, "registered", False), (b1, "waiting", False),
                                     (c1, "cancelled", False), (s1, "registered", True)):
        register(e1, person, status, queued=utc(2025, 2, 20), attended=utc(2025, 3, 10, 9) if attended else None)
    db.session.add_all([EventWalkIn(event_id=e1.id, name="Gast Eins", organisation_id=by_ge.id),
                        EventWalkIn(event_id=e1.id, name="Gast Zwei", organisation_name="Kommune")])
    # E2: a regional conference in May, still "open" (not marked as held), no attendance taken.
    e2 = make_event(kind="regional_conference", status="open", starts_at=utc(2025, 5, 20, 8))
    register(e2, b1, queued=utc(2025, 4, 10))
    register(e2, c1, queued=utc(2025, 4, 10))
    # E3: cancelled, never counted as held (a1's registration in May is still activity).
    e3 = make_event(kind="workshop", status="cancelled", starts_at=utc(2025, 6, 1, 8))
    register(e3, a1, queued=utc(2025, 5, 1))
    # E4: 31 Dec 2024 23:30 UTC is 1 January 2025 00:30 in Berlin: a 2025 workshop; a2 registered in 2024.
    e4 = make_event(kind="workshop", status="done", starts_at=utc(2024, 12, 31, 23, 30))
    register(e4, a2, queued=utc(2024, 12, 1))
    # E5: 2026, outside.
    e5 = make_event(kind="online", status="done", starts_at=utc(2026, 1, 5, 8))
    register(e5, a1, queued=utc(2026, 1, 2))

    # Ideas: I1 (a1) submitted and published in February; I2 (b1) from 2024, in trial since April 2025 (audited);
    # I3 (c1) submitted in July, still waiting; I4 (a2) submitted in March, proven in August, archived since.
    i1 = make_idea(author=a1, status="published", created_at=utc(2025, 2, 1))
    i2 = make_idea(author=b1, status="in_trial", created_at=utc(2024, 11, 1))
    i2.status_changed_at = utc(2025, 4, 1)
    make_idea(author=c1, status="submitted", created_at=utc(2025, 7, 1))
    i4 = make_idea(author=a2, status="archived", created_at=utc(2025, 3, 1))
    i4.status_changed_at = utc(2025, 9, 1)

    def logged(action, target_type, target_id, at, **snapshot):
        db.session.add(AuditEntry(actor_id=moderator.id, action=action, target_type=target_type,
                                  target_id=target_id, snapshot=snapshot, created_at=at))

    logged("idea.status", "ideas", i2.id, utc(2024, 11, 10), to="published")
    logged("idea.status", "ideas", i2.id, utc(2025, 4, 1), to="in_trial")
    logged("idea.status", "ideas", i4.id, utc(2025, 8, 1), to="proven")
    logged("idea.status", "ideas", i4.id, utc(2025, 9, 1), to="archived")

    # Adoptions: I1 by the BY Jobcenter in May; I2 by NW gE in 2026. Votes: a2 (Feb), b1 (Jun), and c1 at
    # 31 Dec 2025 23:30 UTC, which is already 2026 in Berlin.
    db.session.add_all([IdeaAdoption(idea_id=i1.id, organisation_id=by_ge.id, created_at=utc(2025, 5, 1)),
                        IdeaAdoption(idea_id=i2.id, organisation_id=nw_ge.id, created_at=utc(2026, 1, 15)),
                        IdeaVote(idea_id=i1.id, user_id=a2.id, created_at=utc(2025, 2, 10)),
                        IdeaVote(idea_id=i2.id, user_id=b1.id, created_at=utc(2025, 6, 1)),
                        IdeaVote(idea_id=i1.id, user_id=c1.id, created_at=utc(2025, 12, 31, 23, 30))])

    # Posts: a1 twice in January, b1 in March, c1 at 31 Mar 22:30 UTC (April in Berlin), s1 at 31 Dec 2024
    # 22:59 UTC (still 2024 in Berlin).
    thread = make_thread()
    make_post(thread=thread, author=a1, created_at=utc(2025, 1, 15))
    make_post(thread=thread, author=a1, created_at=utc(2025, 1, 20))
    by_b1 = make_post(thread=thread, author=b1, created_at=utc(2025, 3, 5))
    by_c1 = make_post(thread=thread, author=c1, created_at=utc(2025, 3, 31, 22, 30))
    make_post(thread=thread, author=s1, created_at=utc(2024, 12, 31, 22, 59))

    # Reports: on b1's post (insult, March), on c1's (spam, April), on b1's again in 2026.
    db.session.add_all([Report(post_id=by_b1.id, reporter_id=a1.id, reason="insult", created_at=utc(2025, 3, 6)),
                        Report(post_id=by_c1.id, reporter_id=a1.id, reason="spam", created_at=utc(2025, 4, 2)),
                        Report(post_id=by_b1.id, reporter_id=c1.id, reason="spam", created_at=utc(2026, 2, 1))])
    # Moderation: two posts hidden and a thread locked in 2025; an event created (not moderation).
    logged("post.hide", "posts", by_b1.id, utc(2025, 3, 7))
    logged("post.hide", "posts", by_c1.id, utc(2025, 4, 3))
    logged("thread.lock", "threads", thread.id, utc(2025, 5, 1))
    logged("event.create", "events", e1.id, utc(2025, 1, 3))
    db.session.flush()
    return {"moderator": moderator, "organiser": s1, "e5": e5}


def rows(figure) -> dict:
    return {row[0]: row[1:] for row in figure.rows}


def test_every_figure_counts_what_was_counted_by_hand(data):
    moderator, scope = data["moderator"], Scope(YEAR)
    # E1 (a1, a2, s1) and E4 (a2) are workshops, E2 (b1, c1) a regional conference; E3 cancelled, E5 in 2026.
    assert rows(figures.events_by_kind(scope, moderator)) == {
        "Werkstattgespräch": [2, 4], "Regionalkonferenz": [1, 2], "Fachveranstaltung": [0, 0],
        "Online-Format": [0, 0]}
    # Only E1 had attendance taken: 3 registered, 2 present, 2 walk-ins; 2/3 = 66.7 %.
    assert rows(figures.attendance(scope, moderator))["Werkstattgespräch"] == [3, 2, 2, 66.7]
    assert rows(figures.attendance(scope, moderator))["Regionalkonferenz"] == [0, 0, 0, None]
    # NW gE (a1, a2), NW zkT (b1 at E2), BY gE (c1 at E2, a walk-in) of four Jobcenters.
    assert figures.participating_jobcenters(scope, moderator).rows == [
        ["mit Teilnehmenden an Veranstaltungen", 3, 75.0], ["alle im Verzeichnis", 4, 100.0]]
    # Submitted: I1, I3, I4; published I1 (no audit entry), in trial I2 (audited, and now), proven I4 (audited).
    assert rows(figures.ideas_by_stage(scope, moderator)) == {
        "eingereicht": [3], "veröffentlicht": [1], "in Erprobung": [1], "bewährt": [1]}
    assert rows(figures.adoptions_and_votes(scope, moderator)) == {
        "Übernahmen durch Jobcenter": [1], "Stimmen für Ansätze": [2]}
    # Jan: a1; Feb: a1 (idea), a2 (vote), and the five registered for E1; Mar: b1 (post), a2 (idea);
    # Apr: c1 (post), b1 and c1 (E2); May: a1 (E3); Jun: b1 (vote); Jul: c1 (idea).
    members = figures.active_members(scope, moderator)
    assert [row[1] for row in members.rows] == [1, 5, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0]
    assert "Im ganzen Zeitraum: 5." in members.note
    assert [row[1] for row in figures.posts_per_month(scope, moderator).rows] == [2, 0, 1, 1, 0, 0, 0, 0, 0, 0,
                                                                                0, 0]
    assert rows(figures.reports_by_reason(scope, moderator))["Beleidigung oder persönlicher Angriff"] == [1]
    assert rows(figures.reports_by_reason(scope, moderator))["Spam oder Werbung"] == [1]
    assert figures.moderation_actions(scope, moderator).rows == [["Beitrag ausgeblendet", 2],
                                                                  ["Diskussion geschlossen", 1]]


def test_posts_counted_per_month_give_the_figures_the_posts_themselves_give(data, monkeypatch):
    """Years and quarters read PostMonth (forum/discussion/monthly.py); counted from the posts (as custom periods
    are) every figure of posts and active members is the same, for each viewer, also after posts are written,
    hidden and withdrawn and an idea's discussion becomes visible to organisers and hidden again."""
    from forum.clock import BERLIN, utcnow
    from forum.discussion import services as discussion
    from forum.ideas.services import set_idea_status
    from forum.moderation.services import hide_post

    moderator, organiser = data["moderator"], data["organiser"]
    author = make_user(organisation=make_organisation(land="NW", jobcenter_type="ge"))
    idea = make_idea(author=author, status="submitted", created_at=utc(2025, 6, 1))
    make_post(thread=idea.thread, author=author, created_at=utc(2025, 6, 2))
    make_post(thread=idea.thread, author=make_user(), created_at=utc(2025, 7, 31, 22, 30))  # August in Berlin
    this_year = Period.year(utcnow().astimezone(BERLIN).year)
    scopes = [Scope(YEAR), Scope(YEAR, land="NW"), Scope(Period.quarter(2025, 3)), Scope(this_year)]

    def counted() -> list:
        return [(figure.rows, figure.note) for scope in scopes for viewer in (moderator, organiser)
                for figure in (figures.active_members(scope, viewer), figures.posts_per_month(scope, viewer))]

    def check() -> list:
        by_month = counted()
        with monkeypatch.context() as patched:
            patched.setattr(figures, "_whole_months", lambda scope: False)
            assert counted() == by_month
        return by_month

    submitted = check()
    # the organiser does not see the submitted idea's discussion, the moderator does
    assert rows(figures.posts_per_month(Scope(YEAR), organiser))["Juni 2025"] == [0]
    assert rows(figures.posts_per_month(Scope(YEAR), moderator))["Juni 2025"] == [1]
    set_idea_status(idea, "published", actor=moderator, reason="Geprüft.")
    assert check() != submitted
    reply = discussion.add_post(idea.thread, "Eine Antwort von heute.", author=author)
    other = discussion.add_post(make_thread(), "Noch eine.", author=organiser)
    check()
    set_idea_status(idea, "submitted", actor=moderator, reason="Zur Überarbeitung.")
    check()
    hide_post(other, actor=moderator, reason="insult")
    discussion.withdraw_post(reply, actor=author)
    check()


def test_a_quarter_counts_only_its_days_in_berlin(data):
    moderator, scope = data["moderator"], Scope(Period.quarter(2025, 1))
    assert rows(figures.events_by_kind(scope, moderator))["Werkstattgespräch"] == [2, 4]  # E4 and E1
    assert rows(figures.events_by_kind(scope, moderator))["Regionalkonferenz"] == [0, 0]
    assert [row[1] for row in figures.posts_per_month(scope, moderator).rows] == [2, 0, 1]  # c1's is April
    assert rows(figures.reports_by_reason(scope, moderator))["Spam oder Werbung"] == [0]


def test_filters_count_the_activity_of_the_chosen_jobcenters(data):
    moderator = data["moderator"]
    nw = Scope(YEAR, land="NW")
    # NW people: E1 (a1, a2), E4 (a2) and E2 (b1).
    assert rows(figures.events_by_kind(nw, moderator))["Werkstattgespräch"] == [2, 3]
    assert rows(figures.events_by_kind(nw, moderator))["Regionalkonferenz"] == [1, 1]
    assert rows(figures.attendance(nw, moderator))["Werkstattgespräch"] == [2, 1, 0, 50.0]
    assert figures.participating_jobcenters(nw, moderator).rows[0][1:] == [2, 100.0]
    assert rows(figures.ideas_by_stage(nw, moderator)) == {
        "eingereicht": [2], "veröffentlicht": [1], "in Erprobung": [1], "bewährt": [1]}
    assert rows(figures.adoptions_and_votes(nw, moderator)) == {
        "Übernahmen durch Jobcenter": [0], "Stimmen für Ansätze": [2]}
    assert rows(figures.reports_by_reason(nw, moderator))["Spam oder Werbung"] == [0]  # c1 is from Bayern
    ge = Scope(YEAR, jobcenter_type="ge")
    assert figures.participating_jobcenters(ge, moderator).rows[0][1:] == [2, 100.0]  # NW gE, BY gE
    assert rows(figures.adoptions_and_votes(ge, moderator))["Übernahmen durch Jobcenter"] == [1]
    assert figures.moderation_actions(nw, moderator).rows == figures.moderation_actions(Scope(YEAR),
                                                                                        moderator).rows


def test_the_page_shows_each_figure_as_chart_and_table(data, client_as):
    page = client_as(data["moderator"]).get("/statistics/?period=year&year=2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('role="img"') >= 9 and 'aria-label="Veranstaltungen und Teilnehmende nach Format' in html
    text = text_of(page)
    assert "Zeitraum: 01.01.2025 bis 31.12.2025" in text
    assert "Werkstattgespräch 2 4" in text and "Werkstattgespräch 3 2 2 66,7 %" in text
    assert "Meldungen nach Grund" in text and "Moderationsaktionen" in text
    nw = text_of(client_as(data["moderator"]).get("/statistics/?period=quarter&year=2025&quarter=1&land=NW"))
    assert "Zeitraum: 01.01.2025 bis 31.03.2025" in nw and "Nordrhein-Westfalen" in nw


def test_organisers_see_their_figures_members_none(data, client_as):
    organiser = data["organiser"]
    # visible_ideas: an organiser does not see I3, still waiting for review, nor reports and the audit log.
    assert rows(figures.ideas_by_stage(Scope(YEAR), organiser))["eingereicht"] == [2]
    assert [figure.key for figure in figures.figures(Scope(YEAR), organiser)] == [
        "events", "attendance", "jobcenters", "ideas", "adoptions", "members", "posts"]
    page = client_as(organiser).get("/statistics/?year=2025")
    assert page.status_code == 200 and "Meldungen nach Grund" not in text_of(page)
    member = client_as(make_user())
    assert member.get("/statistics/").status_code == 403
    assert member.post("/statistics/export.csv").status_code == 403
    assert "/statistics/" not in member.get("/").get_data(as_text=True)
    assert "/statistics/" in client_as(organiser).get("/").get_data(as_text=True)


def test_csv_export_has_the_figures_and_is_audited(data, client_as):
    client = client_as(data["moderator"])
    response = client.post("/statistics/export.csv?period=year&year=2025&land=NW")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "programmstatistik-2025-01-01-2025-12-31.csv" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    assert "Werkstattgespräch;2;3" in text and "Werkstattgespräch;2;1;0;50" in text
    assert "Jobcenter;Nordrhein-Westfalen" in text and "Beitrag ausgeblendet;2" in text
    entry = audit("statistics.export")[-1]
    assert entry.actor_id == data["moderator"].id
    assert entry.snapshot == {"format": "csv", "first": "2025-01-01", "last": "2025-12-31", "land": "NW"}


def test_exports_never_carry_a_formula(data, client_as):
    """An event kind the code does not know is shown as stored; in the files it must stay text."""
    make_event(kind="=HYPERLINK(1)", status="done", starts_at=utc(2025, 8, 1, 8))
    client = client_as(data["moderator"])
    csv_text = client.post("/statistics/export.csv?year=2025").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK(1);1;0" in csv_text
    workbook = client.post("/statistics/export.xlsx?year=2025")
    assert workbook.status_code == 200 and workbook.mimetype.endswith("spreadsheetml.sheet")
    with zipfile.ZipFile(io.BytesIO(workbook.get_data())) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        strings = archive.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet and "=HYPERLINK(1)" in strings and "Werkstattgespräch" in strings
    assert [entry.snapshot["format"] for entry in audit("statistics.export")] == ["csv", "xlsx"]


def test_refused_filters_get_a_german_message_and_the_page_still_answers(data, client_as):
    client = client_as(data["moderator"])
    page = client.get("/statistics/?period=custom&date_from=2025-06-01&date_to=2025-01-01")
    assert page.status_code == 200
    assert "Das Enddatum liegt vor dem Anfangsdatum." in text_of(page)
    page = client.get("/statistics/?period=custom&date_from=2015-01-01&date_to=2025-01-01")
    assert "Der Zeitraum darf höchstens fünf Jahre umfassen." in text_of(page)
    for query in ("period=gibt-es-nicht&year=99999&quarter=7&land=XX", "date_from=31.02.2025", "year=%00"):
        assert client.get(f"/statistics/?{query}").status_code == 200
    custom = text_of(client.get("/statistics/?period=custom&date_from=01.02.2025&date_to=28.02.2025"))
    assert "Zeitraum: 01.02.2025 bis 28.02.2025" in custom
    # February 2025: only E1's registrations and a1's idea, a2's vote count as activity.
    assert "Feb. 2025 5" in custom


def test_the_page_needs_the_same_number_of_statements_for_little_and_much_data(data, client_as):
    client = client_as(data["moderator"])
    few = len(queries_for(client, "/statistics/?year=2025"))
    more = make_organisation(land="NW")
    for number in range(12):
        person = make_user(organisation=more)
        event = make_event(kind="online", status="done", starts_at=utc(2025, 1 + number, 3, 9))
        db.session.add(EventRegistration(event_id=event.id, user_id=person.id, status="registered",
                                         queued_at=utc(2025, 1 + number, 1), attended_at=utc(2025, 1 + number, 3)))
        make_post(author=person, created_at=utc(2025, 1 + number, 4))
        make_idea(author=person, created_at=utc(2025, 1 + number, 2))
    assert len(queries_for(client, "/statistics/?year=2025")) == few
    assert few <= 20


def test_charts_write_every_value_and_escape_labels():
    bars = [charts.Bar("<b>Januar</b>", 3, "3"), charts.Bar("Februar", 0, "0")]
    svg = str(charts.bar_chart("Beiträge", bars))
    assert 'role="img"' in svg and 'aria-label="Beiträge: &lt;b&gt;Januar&lt;/b&gt; 3, Februar 0"' in svg
    assert "<b>" not in svg and ">3</text>" in svg and ">0</text>" in svg
    columns = str(charts.column_chart("Beiträge pro Monat", [charts.Bar("Jan. 2025", 2, "2")]))
    assert ">Jan.<tspan" in columns and ">2025</tspan>" in columns
    assert str(charts.column_chart("Viele", [charts.Bar(str(n), n, str(n)) for n in range(20)])).count("<rect") == 20
