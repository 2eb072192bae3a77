"""The search benchmark (issue 11): seed German forum text at scale, rebuild the index, search through gunicorn.

    .venv/bin/python bench/search.py [--posts 1000000] [--ideas 20000] [--events 20000] [--requests 100]

Uses a throw-away SQLite file (or FORUM_BENCH_DATABASE_URL, e.g. PostgreSQL in an empty database of its own) and
only 127.0.0.1. Prints how long seeding and `reindex` took, how big the index is, then p50/p95/max and requests
per second of each search as a member and as a moderator, and the SQL statements of each search page (counted
in-process). The exit code is 1 when a query misses p50 < 50 ms or p95 < 150 ms or a page runs more than
MAX_STATEMENTS statements. `--no-seed` measures an already seeded database again (after a change to the engine).
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pyotp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import (PASSWORD, ROOT, TOTP_SECRET, _LoopbackPolicy, drive, enter_code, free_port,  # noqa: E402
                 wait_for)  # (bench/ is no package)

P50_BUDGET_MS, P95_BUDGET_MS = 50, 150
MAX_STATEMENTS = 16  # per search page, whatever the data size: request, filters, counts, page, one loader per kind
MEMBER, MODERATOR = 3, 2  # user ids (user 1 is the admin)
SIMILAR = urllib.parse.urlencode({"title": "Schuldnerberatung für Alleinerziehende im Jobcenter",
                                  "summary": "Aufsuchende Beratung und Kinderbetreuung während der Qualifizierung"})
QUERIES = {  # label -> query string of /search/
    "one word, common": {"q": "Beratung"},
    "one word, rare": {"q": "Quartierslotsen"},
    "two words": {"q": "Jobcenter Kinderbetreuung"},
    "phrase": {"q": '"aufsuchende Beratung"'},
    "prefix": {"q": "Schuldnerber"},
    "§ 16i SGB II": {"q": "§ 16i SGB II"},
    "tab Beiträge": {"q": "Beratung", "kind": "post"},
    "tab Ideen": {"q": "Beratung", "kind": "idea"},
    "filter Land": {"q": "Beratung", "land": "NW"},
    "by date": {"q": "Coaching", "sort": "date"},
    "page 5": {"q": "Netzwerk", "page": "5"},
}

# --- German text ------------------------------------------------------------------------------------------------

# (forms of a noun); the first form is the one the queries use, the others are its inflections
NOUNS = [
    ("Beratung", "Beratungen"), ("Schuldnerberatung", "Schuldnerberatungen"), ("Jobcenter", "Jobcentern",
    "Jobcenters"), ("Langzeitarbeitslose", "Langzeitarbeitslosen"), ("Alleinerziehende", "Alleinerziehenden"),
    ("Coaching", "Coachings"), ("Wohnungslose", "Wohnungslosen"), ("Netzwerk", "Netzwerke", "Netzwerken",
    "Netzwerks"), ("Qualifizierung", "Qualifizierungen"), ("Sprachkurs", "Sprachkurse", "Sprachkursen"),
    ("Kinderbetreuung",), ("Gesundheit",), ("Integrationsfachkraft", "Integrationsfachkräfte"),
    ("Fallmanagement",), ("Teilhabe",), ("Arbeitgeber", "Arbeitgebern", "Arbeitgebers"), ("Bürgergeld",),
    ("Kooperationsplan", "Kooperationspläne"), ("Maßnahme", "Maßnahmen"), ("Träger", "Trägern", "Trägers"),
    ("Praktikum", "Praktika"), ("Ausbildung", "Ausbildungen"), ("Weiterbildung", "Weiterbildungen"),
    ("Bewerbungstraining", "Bewerbungstrainings"), ("Suchtberatung",), ("Migrationsberatung",),
    ("Familienzentrum", "Familienzentren"), ("Kita", "Kitas"), ("Gesundheitsförderung",), ("Sozialraum",
    "Sozialräume"), ("Nachbetreuung",), ("Eingliederung",), ("Zielgruppe", "Zielgruppen"),
    ("Arbeitsmarkt", "Arbeitsmarkts"), ("Fachkraft", "Fachkräfte", "Fachkräften"), ("Erfahrung", "Erfahrungen"),
]
ADJECTIVES = [("aufsuchende", "aufsuchenden", "aufsuchender"), ("niedrigschwellige", "niedrigschwelligen"),
              ("ganzheitliche", "ganzheitlichen"), ("begleitende", "begleitenden"), ("individuelle",
              "individuellen"), ("gute", "guten"), ("neue", "neuen"), ("regionale", "regionalen"),
              ("digitale", "digitalen"), ("kommunale", "kommunalen")]
VERBS = ["bietet", "organisiert", "plant", "testet", "begleitet", "unterstützt", "finanziert", "verbessert",
         "startet", "beendet", "braucht", "sucht"]
SUBJECTS = ["Wir", "Unser Team", "Das Jobcenter", "Die Integrationsfachkraft", "Der Träger", "Die Kommune",
            "Unsere Geschäftsführung", "Das Familienzentrum"]
PARAGRAPHS = ["§ 16i SGB II", "§ 16e SGB II", "§ 16h SGB II", "§ 16k SGB II", "§ 45 SGB III"]
PLACES = ["Landkreis", "Stadtteil", "Quartier", "Kreis", "Bezirk", "Netzwerk vor Ort"]
# Words in about one post of 5,000: a query with few hits among a million posts.
RARE = ["Quartierslotsen", "Zuwendungsbescheid", "Trägerversammlung", "Wohnungsnotfallhilfe", "Ehrenamtskarte"]


class Writer:
    """Varied German sentences about Jobcenter work (seeded, so every run writes the same text)."""

    def __init__(self, seed: int = 11):
        self.random = random.Random(seed)

    def noun(self) -> str:
        return self.random.choice(self.random.choice(NOUNS))

    def adjective(self) -> str:
        return self.random.choice(self.random.choice(ADJECTIVES))

    def sentence(self) -> str:
        r, pick = self.random, self.random.choice
        form = r.randrange(8)
        if form == 0:
            return f"{pick(SUBJECTS)} {pick(VERBS)} {self.adjective()} {self.noun()} für {self.noun()}."
        if form == 1:
            return f"Hat jemand Erfahrung mit {self.adjective()} {self.noun()} nach {pick(PARAGRAPHS)}?"
        if form == 2:
            return (f"Die {self.noun()} im {pick(PLACES)} läuft seit {r.randint(2015, 2026)} mit "
                    f"{r.randint(5, 80)} Teilnehmenden.")
        if form == 3:
            return f"{pick(('Aufsuchende', 'Niedrigschwellige', 'Begleitende'))} Beratung hilft {self.noun()}."
        if form == 4:
            return f"Wie organisiert ihr {self.noun()} und {self.noun()} im {pick(PLACES)}?"
        if form == 5:
            return f"Für {self.noun()} ist {self.adjective()} {self.noun()} entscheidend."
        if form == 6:
            return f"Danke für den Hinweis zur {self.noun()}, wir melden uns nach dem Termin."
        return f"Im Netzwerk mit {self.noun()} und {self.noun()} haben wir gute Erfahrungen gemacht."

    def text(self, sentences: tuple[int, int] = (1, 6)) -> str:
        words = [self.sentence() for _ in range(self.random.randint(*sentences))]
        if self.random.random() < 0.001:
            words.insert(self.random.randrange(len(words) + 1), f"Stichwort {self.random.choice(RARE)}.")
        return " ".join(words)

    def title(self) -> str:
        return f"{self.adjective().capitalize()} {self.noun()} für {self.noun()}"[:200]


def html(text: str) -> str:
    return "<p>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>"


# --- seeding ----------------------------------------------------------------------------------------------------

BATCH = 10_000


def seed(app, *, posts: int, ideas: int, events: int) -> None:
    """Schema by migration, then organisations, 5,000 users, 12 Fachforen, events, ideas in every status, threads
    and posts (a few % hidden or withdrawn), in bulk inserts of BATCH rows."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from forum.accounts.models import User
    from forum.accounts.services import hash_password
    from forum.clock import utcnow
    from forum.discussion import monthly
    from forum.discussion.models import Board
    from forum.events.models import Event
    from forum.extensions import db
    from forum.ideas.models import IDEA_STATUSES, Idea
    from forum.organisations.models import LAENDER, Organisation

    writer, rnd = Writer(), random.Random(7)
    now = utcnow()
    users = 5000

    def bulk(model, rows) -> None:
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(model), rows[start:start + BATCH])

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        laender = list(LAENDER)
        bulk(Organisation, [{"id": i, "name": f"Jobcenter Suchstadt {i}", "kind": "jobcenter", "land": laender[i % 16],
                             "region": f"Region {i % 40}", "jobcenter_type": "ge" if i % 4 else "zkt",
                             "created_at": now} for i in range(1, 301)])
        password_hash = hash_password(PASSWORD)
        # by table: the rows name columns (display_name), whatever the model calls its attributes
        bulk(User.__table__, [{
            "id": i, "email": f"person{i}@jc-bench-{1 + i % 300}.example", "display_name": f"Person {i}",
            "function": "Integrationsfachkraft", "organisation_id": 1 + i % 300,
            "role": {1: "admin", MODERATOR: "moderator"}.get(i, "member"), "status": "active",
            "status_reason": "", "password_hash": password_hash, "language": "de",
            "totp_secret": TOTP_SECRET if i in (1, MODERATOR) else None,
            "second_factor_at": now if i in (1, MODERATOR) else None,
            "created_at": now, "terms_accepted_at": now, "email_confirmed_at": now, "approved_at": now}
            for i in range(1, users + 1)])
        bulk(Board, [{"id": i, "title": f"Fachforum {noun[0]}", "description": "", "position": i, "created_at": now}
                     for i, noun in enumerate(NOUNS[:12], start=1)])

        def past(days: int = 3 * 365):
            return now - timedelta(minutes=rnd.randint(60, days * 24 * 60))

        kinds, statuses = ("workshop", "regional_conference", "federal_event", "online"), ("planned", "open", "done")
        event_rows = []
        for i in range(1, events + 1):
            starts = now + timedelta(days=rnd.randint(-3 * 365, 180))
            event_rows.append({
                "id": i, "kind": kinds[i % 4], "title": f"Werkstattgespräch {writer.title()}"[:200],
                "starts_at": starts, "ends_at": starts + timedelta(hours=6), "location": f"Tagungshaus {i % 50}",
                "online_url": "", "land": laender[i % 16], "description_source": (text := writer.text((2, 8))),
                "description_html": html(text), "agenda_source": "", "agenda_html": "", "capacity": 40,
                "status": "done" if starts < now else statuses[i % 2], "documentation_source": "",
                "documentation_html": "", "created_by_id": 1, "created_at": now, "updated_at": now})
        bulk(Event, event_rows)
        idea_rows, idea_statuses = [], list(IDEA_STATUSES)
        for i in range(1, ideas + 1):
            situation, goal = writer.text((2, 5)), writer.text((1, 3))
            idea_rows.append({
                "id": i, "title": writer.title(), "summary": writer.text((1, 2))[:300], "situation_source": situation,
                "goal_source": goal, "description_source": f"## Ausgangslage\n\n{situation}\n\n## Ziel\n\n{goal}",
                "description_html": f"<h2>Ausgangslage</h2>{html(situation)}<h2>Ziel</h2>{html(goal)}",
                "organisation_id": 1 + i % 300, "contact": "", "author_id": 1 + (i * 13) % users,
                "status": idea_statuses[i % len(idea_statuses)], "vote_count": i % 17,
                "created_at": (created := past()),
                "updated_at": created, "last_activity_at": created})
        bulk(Idea, idea_rows)

        discussions(posts, boards=range(1, 13), idea_rows=idea_rows, event_rows=event_rows, users=users,
                    now=now, past=past, writer=writer, rnd=rnd)
        monthly.rebuild()  # posts per person and month, as the services count them (the statistics read them)
        db.session.commit()


def discussions(posts: int, *, boards, idea_rows: list[dict], event_rows: list[dict], users: int, now, past,
                writer: Writer, rnd: random.Random, first_thread: int = 1, first_post: int = 1) -> None:
    """Threads and `posts` posts in bulk: 85 % in Fachforum threads of about 20 posts (over the board ids
    `boards`, begun `past()`), 10 % under the ideas and 5 % under the events (one thread each, of the rows
    inserted before); a few % hidden or withdrawn; each post some minutes to two days after the one before
    (never after `now`). Also bench/run.py --posts seeds with it."""
    from sqlalchemy import insert

    from forum.discussion.models import Post, Thread
    from forum.extensions import db

    boards = list(boards)
    threads, thread_id = [], first_thread
    board_posts, idea_posts = posts * 85 // 100, posts // 10
    board_threads = max(1, board_posts // 20)
    for i in range(board_threads):
        threads.append({"id": thread_id, "title": writer.title(), "board_id": boards[i % len(boards)],
                        "created_at": past(), "created_by_id": 1 + rnd.randrange(users), "lock_reason": "",
                        "post_count": board_posts // board_threads + (i < board_posts % board_threads)})
        thread_id += 1
    for i, idea in enumerate(idea_rows):
        threads.append({"id": thread_id, "title": idea["title"], "idea_id": idea["id"],
                        "created_at": idea["created_at"], "lock_reason": "",
                        "post_count": idea_posts // len(idea_rows) + (i < idea_posts % len(idea_rows))})
        thread_id += 1
    event_posts = posts - board_posts - idea_posts
    for i, event in enumerate(event_rows):
        threads.append({"id": thread_id, "title": event["title"], "event_id": event["id"],
                        "created_at": event["starts_at"] - timedelta(days=30), "lock_reason": "",
                        "post_count": event_posts // len(event_rows) + (i < event_posts % len(event_rows))})
        thread_id += 1
    for thread in threads:
        thread["last_activity_at"] = thread["created_at"]
        for key in ("board_id", "idea_id", "event_id", "created_by_id"):
            thread.setdefault(key, None)
    for start in range(0, len(threads), BATCH):
        db.session.execute(insert(Thread), threads[start:start + BATCH])
    rows, post_id = [], first_post
    for thread in threads:
        created = thread["created_at"]
        for number in range(1, thread["post_count"] + 1):
            created = min(now, created + timedelta(minutes=rnd.randint(5, 3000)))
            text, fate = writer.text(), rnd.random()
            rows.append({"id": post_id, "thread_id": thread["id"], "number": number,
                         "author_id": 1 + rnd.randrange(users), "body_source": text, "body_html": html(text),
                         "created_at": created, "version": 1, "hidden_reason": "insult" if fate < 0.03 else "",
                         "hidden_note": "", "hidden_at": created if fate < 0.03 else None,
                         "withdrawn_at": created if 0.03 <= fate < 0.04 else None})
            post_id += 1
            if len(rows) >= BATCH:
                db.session.execute(insert(Post), rows)
                rows.clear()
    if rows:
        db.session.execute(insert(Post), rows)


def reindex(app) -> tuple[float, dict[str, int]]:
    """`flask --app forum reindex --no-files`: reindex_all() in one transaction, committed; seconds and counts."""
    from forum.extensions import db
    from forum.search.index import reindex_all

    with app.app_context():
        started = time.perf_counter()
        counts = reindex_all()
        db.session.commit()
        return time.perf_counter() - started, counts


def analyse(app) -> None:
    """Fresh planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would keep them."""
    from sqlalchemy import text

    from forum.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))


def index_size(app, database_url: str) -> list[str]:
    """Lines saying how big the index is: the table with its indexes, and the full-text part alone."""
    from sqlalchemy import text

    from forum.extensions import db

    def mb(size) -> str:
        return f"{(size or 0) / 1024 / 1024:,.0f} MB"

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            total, table, gin = db.session.execute(text(
                "SELECT pg_total_relation_size('search_documents'), pg_relation_size('search_documents'), "
                "(SELECT sum(pg_relation_size(indexrelid)) FROM pg_index WHERE indrelid = 'search_documents'::regclass "
                "AND indexrelid::regclass::text LIKE 'ix_search_documents_vector%')")).one()
            return [f"search_documents with its indexes and TOAST: {mb(total)} (table {mb(table)}); "
                    f"GIN indexes ix_search_documents_vector_*: {mb(gin)}"]
        sizes = dict(db.session.execute(text(
            "SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE 'search_%' OR name LIKE '%search_documents%' "
            "GROUP BY name")).all())
        fts = sum(size for name, size in sizes.items() if name.startswith("search_fts"))
        table = sum(size for name, size in sizes.items() if not name.startswith("search_fts"))
        file = Path(database_url.removeprefix("sqlite:///")).stat().st_size
        return [f"search_fts (FTS5 shadow tables): {mb(fts)}; search_documents with its indexes: {mb(table)}; "
                f"database file: {mb(file)}"]


# --- measuring --------------------------------------------------------------------------------------------------

def login(base: str, user_id: int) -> urllib.request.OpenerDirector:
    """A logged-in browser (cookies) for person<user_id>."""
    import http.cookiejar
    import re

    jar = http.cookiejar.CookieJar(policy=_LoopbackPolicy())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email(user_id), "password": PASSWORD}).encode()
    enter_code(opener, opener.open(base + "/accounts/login", data=data))
    if "Willkommen" not in opener.open(base + "/").read().decode():
        raise SystemExit("benchmark login failed")
    return opener


def email(user_id: int) -> str:
    return f"person{user_id}@jc-bench-{1 + user_id % 300}.example"


def paths() -> dict[str, str]:
    found = {label: "/search/?" + urllib.parse.urlencode(query) for label, query in QUERIES.items()}
    return {**found, "similar ideas": "/search/similar-ideas?" + SIMILAR}


def statements_per_page(database_url: str) -> dict[str, dict[str, int]]:
    """{user label: {query label: SQL statements}} of one request each through the test client (after one
    warm-up request, like a running server), as tests/helpers.py count_queries() counts them."""
    from sqlalchemy import event

    from forum import create_app
    from forum.extensions import db

    app = create_app({"FORUM_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        engine = db.engine
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    counted = {}
    for label, user_id in (("member", MEMBER), ("moderator", MODERATOR)):
        client = app.test_client()
        client.post("/accounts/login", data={"email": email(user_id), "password": PASSWORD})
        for ahead in (0, 30):  # staff: the code step (valid once: the next code if the server login used this one)
            if client.get("/").status_code == 200:
                break
            client.post("/accounts/login/code", data={"code": pyotp.TOTP(TOTP_SECRET).at(time.time() + ahead)})
        counted[label] = {}
        for query, path in paths().items():
            assert client.get(path).status_code == 200, path
            statements.clear()
            assert client.get(path).status_code == 200, path
            counted[label][query] = len(statements)
    return counted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--ideas", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=100, help="per query and user")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1,
                        help="gunicorn workers; more than one needs FORUM_RATELIMIT_STORAGE_URI (Redis)")
    parser.add_argument("--no-seed", action="store_true", help="measure an already seeded and indexed database")
    args = parser.parse_args()

    from forum import create_app

    database_url = (os.environ.get("FORUM_BENCH_DATABASE_URL")
                    or f"sqlite:///{Path(tempfile.mkdtemp(prefix='abc-bench-search-')) / 'bench.sqlite'}")
    app = create_app({"FORUM_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    if not args.no_seed:
        print(f"seeding {args.posts:,} posts, {args.ideas:,} ideas, {args.events:,} events, 5,000 users "
              f"into {database_url}", flush=True)
        started = time.perf_counter()
        seed(app, posts=args.posts, ideas=args.ideas, events=args.events)
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
        seconds, counts = reindex(app)
        print(f"reindex (reindex_all, committed) in {seconds:.0f} s: "
              + ", ".join(f"{count:,} {kind}" for kind, count in counts.items()), flush=True)
        analyse(app)
    for line in index_size(app, database_url):
        print(line)
    statements = statements_per_page(database_url)

    port = free_port()
    env = {**os.environ, "FORUM_CONFIG": "production", "FORUM_SECRET_KEY": secrets.token_urlsafe(32),
           "FORUM_DATABASE_URL": database_url, "FORUM_MAIL_BACKEND": "file"}
    # The search's per-user limit (30 a minute) would answer most of the benchmark's requests with 429.
    application = "forum:create_app({'RATELIMIT_SEARCH': '1000000 per minute'})"
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(args.workers),
                               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", application],
                              cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    failed = False
    try:
        wait_for(base + "/healthz")
        print(f"\n{'user':9} {'query':20} {'req':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'req/s':>6} "
              f"{'SQL':>4}  budget p50 < {P50_BUDGET_MS}, p95 < {P95_BUDGET_MS}, SQL <= {MAX_STATEMENTS}")
        for label, user_id in (("member", MEMBER), ("moderator", MODERATOR)):
            opener = login(base, user_id)
            for query, path in paths().items():
                url = base + path
                drive(opener, url, 5, 1)  # warm-up
                started = time.perf_counter()
                timings = sorted(drive(opener, url, args.requests, args.concurrency))
                elapsed = time.perf_counter() - started
                p50, p95 = statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]
                count = statements[label][query]
                verdict = "ok" if p50 < P50_BUDGET_MS and p95 < P95_BUDGET_MS and count <= MAX_STATEMENTS \
                    else "MISSED"
                failed |= verdict != "ok"
                print(f"{label:9} {query:20} {len(timings):4d} {p50:7.1f} {p95:7.1f} {timings[-1]:7.1f} "
                      f"{len(timings) / elapsed:6.1f} {count:4d}  {verdict}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
