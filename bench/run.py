"""The benchmark: seed data at scale, serve the app under gunicorn, drive the main pages, print a table.

    .venv/bin/python bench/run.py [--users 5000] [--requests 200] [--concurrency 4]

Uses a throw-away SQLite database (or FORUM_BENCH_DATABASE_URL, e.g. PostgreSQL) and only 127.0.0.1. Each page
has a p95 budget; the exit code is 1 when a budget is missed. Speed targets live here, not in timed tests.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyotp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Heftklammer-Ampel-Wolke-42"
# The authenticator secret of the benchmark's staff accounts (moderators and admins need a second factor).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# page -> p95 budget in milliseconds (2 cores, 2 gunicorn workers)
BUDGETS = {
    "/healthz": 50,
    "/accounts/login": 100,
    "/": 100,
    "/organisations/": 150,
    "/organisations/{organisation}": 150,
    "/organisations/?land=NW&kind=jobcenter": 150,
    "/admin/users": 150,
    "/admin/users?q=jobcenter&status=active": 200,
    "/moderation/registrations": 150,
    "/moderation/log": 150,
    "/moderation/log?action=post.hide&target=posts": 150,
    "/moderation/reports": 150,
    "/moderation/reports/posts/{reported_post}": 150,
    "/moderation/users?status=suspended": 150,
    "/discussion/boards/{board}": 150,
    "/discussion/{thread}": 150,
    "/discussion/{thread}?page=20": 150,
    "/events/": 150,
    "/events/?past=1": 150,
    "/events/{event}": 150,
    "/ideas/": 200,
    "/ideas/?sort=votes": 200,
    "/ideas/{idea}": 150,
    "/statistics/": 300,
    "/statistics/?period=quarter&quarter=1&land=NW&jobcenter_type=ge": 300,
}


MEMBER, MODERATOR = 3, 2  # user ids besides the admin (1), as in bench/search.py
IDS = {"organisation": 1, "event": 1, "idea": 1, "board": 1, "thread": 10_000, "reported_post": 1}  # what seed() made


def seed(database_url: str, users: int, posts: int = 0) -> dict[str, int]:
    """Schema by migration, then organisations, users, audit entries, events with registrations and threads,
    ideas with votes, in bulk, and `posts` more posts (bench/search.py's German text, over three years: 85 % in
    Fachforum threads, 10 % under the ideas, 5 % under the events); returns ids of an organisation, an event and
    an idea to load."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from forum import create_app
    from forum.accounts.models import User
    from forum.accounts.services import hash_password
    from forum.clock import utcnow
    from forum.discussion import monthly
    from forum.extensions import db
    from forum.audit import AuditEntry
    from forum.organisations.models import LAENDER, Organisation, OrganisationDomain

    app = create_app({"FORUM_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        now = utcnow()
        laender = list(LAENDER)
        organisations = [{"id": i, "name": f"Jobcenter Benchstadt {i}", "kind": "jobcenter",
                          "land": laender[i % 16], "region": "Region", "jobcenter_type": "ge" if i % 4 else "zkt",
                          "created_at": now} for i in range(1, 301)]
        db.session.execute(insert(Organisation), organisations)
        db.session.execute(insert(OrganisationDomain), [
            {"organisation_id": o["id"], "domain": f"jc-bench-{o['id']}.example"} for o in organisations])
        password_hash = hash_password(PASSWORD)
        rows = []
        for i in range(1, users + 1):
            organisation = (i % 300) + 1
            status = "pending" if i % 20 == 0 else "active"
            rows.append({"id": i, "email": f"person{i}@jc-bench-{organisation}.example", "display_name": f"Person {i}",
                         "function": "Integrationsfachkraft", "organisation_id": organisation,
                         "role": {1: "admin", MODERATOR: "moderator"}.get(i, "member"), "status": status,
                         "status_reason": "", "password_hash": password_hash, "language": "de",
                         "totp_secret": TOTP_SECRET if i in (1, MODERATOR) else None,
                         "second_factor_at": now if i in (1, MODERATOR) else None,
                         "created_at": now, "terms_accepted_at": now, "email_confirmed_at": now,
                         "approved_at": now if status == "active" else None})
        db.session.execute(insert(User.__table__), rows)  # by table: the rows name columns, not attributes
        db.session.execute(insert(AuditEntry), [
            {"actor_id": 1, "action": "user.change_role", "target_type": "users", "target_id": random.randint(2, users),
             "reason": "Benchmark", "snapshot": {"before": {"role": "member"}}, "created_at": now}
            for _ in range(users * 2)])
        events, ideas = seed_events_and_ideas(users, now, threads=not posts)
        discussion = seed_discussions_and_reports(users, now)
        if posts:
            seed_posts(posts, users, now, events, ideas)
        monthly.rebuild()  # the posts were inserted in bulk, not through the service that counts them
        db.session.commit()
    if posts:
        from search import analyse  # bench/search.py imports this module; PostgreSQL plans with fresh numbers

        analyse(app)
    return {"organisation": organisations[0]["id"], "event": 1, "idea": 1, **discussion}


def seed_events_and_ideas(users: int, now, *, threads: bool = True) -> tuple[list[dict], list[dict]]:
    """300 events (every 10th in the past) with up to 60 registrations each, 2,000 ideas with 20,000 votes, and
    (with `threads`) the empty thread of each; returns the rows of events and ideas."""
    from datetime import timedelta

    from sqlalchemy import insert

    from forum.discussion.models import Thread
    from forum.events.models import Event, EventRegistration
    from forum.extensions import db
    from forum.ideas.models import Idea, IdeaVote

    kinds = ("workshop", "regional_conference", "federal_event", "online")
    events = [{"id": i, "kind": kinds[i % 4], "title": f"Werkstattgespräch Benchmark {i}",
               "starts_at": now + timedelta(days=i - 30), "ends_at": now + timedelta(days=i - 30, hours=6),
               "location": "Berlin", "online_url": "", "land": "BE", "description_source": "Text",
               "description_html": "<p>Text</p>", "agenda_source": "", "agenda_html": "", "capacity": 40,
               "status": "done" if i < 30 else "open", "documentation_source": "", "documentation_html": "",
               "created_at": now, "updated_at": now} for i in range(1, 301)]
    db.session.execute(insert(Event), events)
    db.session.execute(insert(EventRegistration), [
        {"event_id": 1 + (i % 300), "user_id": 1 + (i * 7) % users, "status": "registered" if i % 3 else "waiting",
         "queued_at": now, "updated_at": now} for i in range(min(users, 18_000))])
    ideas = [{"id": i, "title": f"Gesundheitslotsen {i}", "summary": "Lotsinnen begleiten zu Ärzten.",
              "description_source": "Text", "description_html": "<p>Text</p>", "organisation_id": 1 + i % 300,
              "contact": "", "author_id": 1 + i % users, "status": ("published", "in_trial", "proven")[i % 3],
              "vote_count": 10, "created_at": now, "updated_at": now, "last_activity_at": now}
             for i in range(1, 2001)]
    db.session.execute(insert(Idea), ideas)
    db.session.execute(insert(IdeaVote), [{"idea_id": 1 + i % 2000, "user_id": 1 + (i // 2000) % users,
                                            "created_at": now} for i in range(20_000)])
    if threads:
        db.session.execute(insert(Thread), [{"title": e["title"], "event_id": e["id"], "created_at": now,
                                             "last_activity_at": now, "post_count": 0} for e in events]
                           + [{"title": i["title"], "idea_id": i["id"], "created_at": now, "last_activity_at": now,
                               "post_count": 0} for i in ideas])
    return events, ideas


def seed_posts(posts: int, users: int, now, events: list[dict], ideas: list[dict]) -> None:
    """`posts` posts with their threads, by bench/search.py's discussions(), after the ids used here."""
    from datetime import timedelta

    from search import Writer, discussions  # bench/search.py imports this module

    rnd = random.Random(7)
    discussions(posts, boards=[1], idea_rows=ideas, event_rows=events, users=users, now=now,
                past=lambda: now - timedelta(minutes=rnd.randint(60, 3 * 365 * 24 * 60)), writer=Writer(), rnd=rnd,
                first_thread=20_000, first_post=10_000)


def seed_discussions_and_reports(users: int, now) -> dict[str, int]:
    """A Fachforum with 500 threads, one of them with 1,000 posts (every 10th hidden, two pinned), 3,000 open
    reports on 1,000 posts, 5,000 audit entries of post actions; returns the ids the pages load."""
    from datetime import timedelta

    from sqlalchemy import insert

    from forum.discussion.models import Board, Post, Thread
    from forum.extensions import db
    from forum.audit import AuditEntry
    from forum.moderation.models import Report

    db.session.execute(insert(Board), [{"id": 1, "title": "Benchmark-Forum", "description": "", "position": 1,
                                        "created_at": now}])
    first_thread = 10_000
    threads = [{"id": first_thread + i, "title": f"Frage {i}", "board_id": 1, "created_at": now,
                "last_activity_at": now - timedelta(minutes=i), "pinned_at": now if i % 100 == 0 else None,
                "post_count": 1000 if i == 0 else 2, "lock_reason": ""} for i in range(500)]
    db.session.execute(insert(Thread), threads)
    posts, post_id, texts = [], 1, post_texts()
    for thread in threads:
        for number in range(1, thread["post_count"] + 1):
            source, html = texts[post_id % len(texts)]
            posts.append({"id": post_id, "thread_id": thread["id"], "number": number, "author_id": 1 + post_id % users,
                          "body_source": source, "body_html": html,
                          "created_at": now, "version": 1, "hidden_reason": "insult" if post_id % 10 == 0 else "",
                          "hidden_note": "", "hidden_at": now if post_id % 10 == 0 else None,
                          "pinned_at": now if post_id in (1, 500) else None})
            post_id += 1
    db.session.execute(insert(Post), posts)
    reasons = ("client_data", "insult", "off_topic", "spam", "other")
    db.session.execute(insert(Report), [
        {"post_id": 1 + (i % 1000), "reporter_id": 2 + i // 1000, "reason": reasons[i % 5], "note": "Bitte prüfen",
         "created_at": now - timedelta(minutes=i), "outcome": "", "resolution_note": ""} for i in range(3000)])
    db.session.execute(insert(AuditEntry), [
        {"actor_id": 1, "action": ("post.hide", "post.pin", "report.resolve")[i % 3], "target_type": "posts",
         "target_id": 1 + i % 1000, "reason": "Benchmark", "created_at": now - timedelta(minutes=i),
         "snapshot": {"thread": "Frage 0", "number": 1 + i % 1000, "author": "Person", "text": "Text"}}
        for i in range(5000)])
    return {"board": 1, "thread": first_thread, "reported_post": 1}


def post_texts(count: int = 50) -> list[tuple[str, str]]:
    """`count` realistic German markdown posts (source, stored HTML): paragraphs of bench/search.py's sentences,
    now and then a list, bold words or a link; about 2 KB of HTML each, rendered as a post is when written."""
    from search import Writer  # bench/search.py imports this module

    from forum.markup import render

    writer, texts = Writer(seed=5), []
    for _ in range(count):
        paragraphs = [writer.text((2, 5)) for _ in range(writer.random.randint(2, 4))]
        if writer.random.random() < 0.4:
            paragraphs.insert(1, "\n".join(f"- **{writer.noun()}**: {writer.sentence()}" for _ in range(3)))
        if writer.random.random() < 0.3:
            paragraphs.append(f"Mehr dazu: https://www.arbeitsagentur.de/{writer.noun().lower()}")
        source = "\n\n".join(paragraphs)
        texts.append((source, render(source)))
    return texts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer at {url}")


class _LoopbackPolicy(http.cookiejar.DefaultCookiePolicy):
    """Production cookies are Secure; the benchmark talks plain HTTP on loopback and sends them anyway."""

    def return_ok_secure(self, cookie, request):
        return True


def login(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar(policy=_LoopbackPolicy())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": "person1@jc-bench-2.example",
                                   "password": PASSWORD}).encode()
    enter_code(opener, opener.open(base + "/accounts/login", data=data))
    if "Willkommen" not in opener.open(base + "/").read().decode():
        raise SystemExit("benchmark login failed")
    return opener


def enter_code(opener, response) -> None:
    """The code step of a staff login (a code is valid once: the next one if this one was just used)."""
    for ahead in (0, 30):
        if not response.geturl().endswith("/accounts/login/code"):
            return
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.read().decode()).group(1)
        code = pyotp.TOTP(TOTP_SECRET).at(time.time() + ahead)
        response = opener.open(response.geturl(), data=urllib.parse.urlencode(
            {"csrf_token": token, "code": code}).encode())


def drive(opener, url: str, requests: int, concurrency: int) -> list[float]:
    timings: list[float] = []
    lock = threading.Lock()
    per_thread = max(1, requests // concurrency)

    def worker():
        for _ in range(per_thread):
            started = time.perf_counter()
            with opener.open(url, timeout=30) as response:
                response.read()
                assert response.status == 200, (url, response.status)
            with lock:
                timings.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--posts", type=int, default=0,
                        help="posts besides the benchmark forum's 2,000, e.g. 1000000 (the statistics at scale)")
    parser.add_argument("--no-seed", action="store_true",
                        help="measure an already seeded database again (FORUM_BENCH_DATABASE_URL)")
    parser.add_argument("--only", default="", help="only the pages whose path contains this, e.g. statistics")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="abc-bench-"))
    database_url = os.environ.get("FORUM_BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite'}"
    if args.no_seed:
        ids = IDS
    else:
        print(f"seeding {args.users} users, 300 organisations, {2 * args.users} audit entries, 300 events, "
              f"2,000 ideas with 20,000 votes, {args.posts:,} more posts into {database_url}", flush=True)
        started = time.perf_counter()
        ids = seed(database_url, args.users, args.posts)
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)

    port = free_port()
    env = {**os.environ, "FORUM_CONFIG": "production", "FORUM_SECRET_KEY": secrets.token_urlsafe(32),
           "FORUM_DATABASE_URL": database_url, "FORUM_MAIL_BACKEND": "file"}
    # several workers share their rate-limit counters in Redis (the app refuses to start without), under a prefix
    # of this run's own: runs one after another would otherwise meet the login limit of the runs before
    env.setdefault("FORUM_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    env.setdefault("FORUM_RATELIMIT_KEY_PREFIX", f"bench-{secrets.token_hex(4)}")
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(args.workers),
                               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                              cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    failed = False
    try:
        wait_for(base + "/healthz")
        opener = login(base)
        anonymous = urllib.request.build_opener()
        print(f"\n{'page':45} {'req':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'req/s':>7} {'budget':>7}")
        for page, budget in BUDGETS.items():
            if args.only not in page:
                continue
            url = base + page.format(**ids)
            client = anonymous if page in ("/healthz", "/accounts/login") else opener
            drive(client, url, 8, 2)  # warm-up
            started = time.perf_counter()
            timings = sorted(drive(client, url, args.requests, args.concurrency))
            elapsed = time.perf_counter() - started
            p95 = timings[int(len(timings) * 0.95) - 1]
            verdict = "ok" if p95 <= budget else "MISSED"
            failed |= verdict != "ok"
            print(f"{page:45} {len(timings):5d} {statistics.median(timings):8.1f} {p95:8.1f} {timings[-1]:8.1f} "
                  f"{len(timings) / elapsed:7.1f} {budget:5d} {verdict}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
