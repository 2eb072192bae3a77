"""Throughput against a bare reference: each page's requests per second as a ratio to a bare Flask page.

    .venv/bin/python bench/throughput.py [--seconds 6] [--posts 0] [--no-seed]

Seeds like bench/run.py (a throw-away SQLite file, or FORUM_BENCH_DATABASE_URL, e.g. PostgreSQL), serves the
extranet under gunicorn (2 workers) and, under the same gunicorn settings, `bench/bare.py`: a minimal Flask app
that serves the thread page's HTML (25 posts, as the member sees it) pre-rendered from one query. wrk drives each
page with 4 connections, logged in; the table gives requests/s, the ratio to the bare page (measured before and
after the pages, the mean taken, so the ratio holds on a noisy machine), p50/p99 and the RSS of each worker.
The exit code is 1 when a target is missed: thread page ≥ 0.5× bare and p99 < 25 ms, every other page ≥ 0.35×,
RSS < 150 MB per worker.

wrk (`apt-get install wrk`), not the Python client of bench/run.py: at ~1,000 requests/s a threaded urllib client
needs more CPU than the server it measures (the GIL), so it would measure itself; wrk's event loop costs a few %.
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import IDS, MEMBER, MODERATOR, free_port, seed, wait_for  # noqa: E402

THREAD_MIN, OTHER_MIN, P99_MAX_MS, RSS_MAX_MB = 0.5, 0.35, 25.0, 150.0
# label -> (path, who); the thread page is the first of the board's 1,000-post thread (25 posts)
PAGES = {
    "thread page (member)": ("/discussion/{thread}", MEMBER),
    "thread page (moderator)": ("/discussion/{thread}", MODERATOR),
    "dashboard": ("/", MEMBER),
    "board": ("/discussion/boards/{board}", MEMBER),
    "ideas list": ("/ideas/", MEMBER),
    "events list": ("/events/", MEMBER),
    "notifications": ("/notifications/", MEMBER),
    "report queue": ("/moderation/reports", MODERATOR),
    "search results": ("/search/?q=Beratung", MEMBER),
}


def log_in(base: str, user_id: int) -> str:
    """Log in as bench/search.py does (the form, and the code step for staff); the Cookie header of that session."""
    from search import login

    opener = login(base, user_id)
    jar = next(handler.cookiejar for handler in opener.handlers
               if isinstance(handler, urllib.request.HTTPCookieProcessor))
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def fetch(url: str, cookie: str = "") -> bytes:
    """One page, which must answer 200 itself (a redirect to the login page would be measured as fast)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 200 or response.geturl() != url:
            raise SystemExit(f"{url} answered {response.status} at {response.geturl()}")
        return response.read()


def store_bare_page(database_url: str, html: bytes) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bench_bare_pages (id INTEGER PRIMARY KEY, html TEXT)"))
        connection.execute(text("DELETE FROM bench_bare_pages"))
        connection.execute(text("INSERT INTO bench_bare_pages (id, html) VALUES (1, :html)"),
                           {"html": html.decode()})
    engine.dispose()


def wrk(url: str, cookie: str, seconds: float, connections: int) -> dict[str, float]:
    """requests/s, p50 and p99 in ms, bytes per request of one wrk run; fails on any answer but 2xx/3xx."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk saw errors on {url}:\n{out}")

    def latency(percentile: str) -> float:
        number, unit = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\b", out, re.M).groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    done, size, unit = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read", out).groups()
    read = float(size) * {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}[unit]
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": latency("50"),
            "p99": latency("99"), "bytes": read / max(1, int(done))}


def worker_rss_mb(server: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (the children of the arbiter), in MB."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
    return sizes


def gunicorn(app: str, port: int, workers: int, env: dict, extra: list[str] = ()) -> subprocess.Popen:
    return subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(workers), *extra,
                             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app], cwd=ROOT, env=env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--posts", type=int, default=0, help="posts besides the benchmark forum's 2,000")
    parser.add_argument("--seconds", type=int, default=6, help="wrk's duration per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-seed", action="store_true", help="measure an already seeded database again")
    parser.add_argument("--only", default="", help="only the pages whose label contains this, e.g. thread")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="abc-throughput-"))
    database_url = os.environ.get("FORUM_BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite'}"
    ids = IDS
    if not args.no_seed:
        print(f"seeding {args.users} users and {2000 + args.posts:,} posts into {database_url}", flush=True)
        started = time.perf_counter()
        ids = seed(database_url, args.users, args.posts)
        from search import analyse, reindex  # bench/search.py: the search page needs its index

        from forum import create_app

        app = create_app({"FORUM_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
        reindex(app)
        analyse(app)  # fresh planner statistics, as autovacuum would keep them
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)

    env = {**os.environ, "FORUM_CONFIG": "production", "FORUM_SECRET_KEY": secrets.token_urlsafe(32),
           "FORUM_DATABASE_URL": database_url, "FORUM_MAIL_BACKEND": "file", "BARE_DATABASE_URL": database_url,
           "PYTHONPATH": str(ROOT)}
    env.setdefault("FORUM_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    # counters of their own: runs one after another would otherwise meet the login limit of the runs before
    env.setdefault("FORUM_RATELIMIT_KEY_PREFIX", f"bench-{secrets.token_hex(4)}")
    port, bare_port = free_port(), free_port()
    # the searches' per-user budget (30 a minute) lifted, as bench/search.py does; the counting itself stays
    server = gunicorn("forum:create_app({'RATELIMIT_SEARCH': '100000000 per minute'})", port, args.workers, env)
    base, bare_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}/"
    bare = None
    failed = False
    try:
        wait_for(base + "/healthz")
        cookies = {MEMBER: log_in(base, MEMBER), MODERATOR: log_in(base, MODERATOR)}
        thread_url = base + PAGES["thread page (member)"][0].format(**ids)
        store_bare_page(database_url, fetch(thread_url, cookies[MEMBER]))
        bare = gunicorn("bare:app", bare_port, args.workers, env, ["--pythonpath", str(ROOT / "bench")])
        wait_for(bare_url)

        def measure(url: str, cookie: str = "") -> dict[str, float]:
            size = len(fetch(url, cookie))
            wrk(url, cookie, 1, args.connections)  # warm-up
            result = wrk(url, cookie, args.seconds, args.connections)
            if abs(result["bytes"] - size) > 0.2 * size + 2048:  # not the page itself (e.g. an error page)
                raise SystemExit(f"{url}: {result['bytes']:.0f} bytes per answer under load, {size} alone")
            return result

        results = {"bare": measure(bare_url)}
        for label, (path, who) in PAGES.items():
            if args.only in label:
                results[label] = measure(base + path.format(**ids), cookies[who])
        again = measure(bare_url)
        reference = (results["bare"]["rps"] + again["rps"]) / 2
        print(f"\nbare page: {results['bare']['rps']:.0f} and {again['rps']:.0f} requests/s "
              f"({results['bare']['bytes'] / 1024:.0f} KB), {args.connections} connections, {args.workers} workers, "
              f"{database_url.split(':')[0]}")
        print(f"{'page':26} {'req/s':>7} {'ratio':>6} {'target':>7} {'p50 ms':>7} {'p99 ms':>7} {'KB':>5}")
        for label, result in results.items():
            if label == "bare":
                continue
            ratio = result["rps"] / reference
            target = THREAD_MIN if label.startswith("thread") else OTHER_MIN
            ok = ratio >= target and (result["p99"] < P99_MAX_MS or not label.startswith("thread"))
            failed |= not ok
            print(f"{label:26} {result['rps']:7.0f} {ratio:6.2f} {target:6.2f}× {result['p50']:7.1f} "
                  f"{result['p99']:7.1f} {result['bytes'] / 1024:5.0f} {'ok' if ok else 'MISSED'}")
        rss = worker_rss_mb(server)
        failed |= max(rss) >= RSS_MAX_MB
        print("RSS per worker: " + ", ".join(f"{size:.0f} MB" for size in rss)
              + f" (bare: {', '.join(f'{size:.0f} MB' for size in worker_rss_mb(bare))}), limit {RSS_MAX_MB:.0f} MB")
    finally:
        for process in (server, bare):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
