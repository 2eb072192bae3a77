"""Profile one page in-process: its SQL statements with their times, its time per request (wall and CPU) and
where that time goes (pyinstrument when installed, else cProfile).

    .venv/bin/python bench/profile_page.py DATABASE_URL [--path /discussion/10000] [--user 3] [--requests 200]

DATABASE_URL is a database seeded by bench/throughput.py or bench/run.py (the SQLite file they printed, or
FORUM_BENCH_DATABASE_URL). User 3 is a member, 2 a moderator; logged in through the test client.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pyotp  # noqa: E402

from run import PASSWORD, TOTP_SECRET  # noqa: E402
from search import email  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--path", default="/discussion/10000")
    parser.add_argument("--user", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cprofile", action="store_true", help="cProfile instead of pyinstrument")
    parser.add_argument("--sql-width", type=int, default=150, help="characters of each SQL statement shown")
    args = parser.parse_args()
    try:
        import pyinstrument  # noqa: F401  (optional: `.venv/bin/pip install pyinstrument`)
    except ImportError:
        args.cprofile = True

    from sqlalchemy import event

    from forum import create_app
    from forum.extensions import db

    app = create_app({"FORUM_CONFIG": "testing", "TESTING": False, "SQLALCHEMY_DATABASE_URI": args.database_url})
    client = app.test_client()
    client.post("/accounts/login", data={"email": email(args.user), "password": PASSWORD})
    for ahead in (0, 30):  # staff: the code step
        if client.get("/").status_code == 200:
            break
        client.post("/accounts/login/code", data={"code": pyotp.TOTP(TOTP_SECRET).at(time.time() + ahead)})
    response = client.get(args.path)
    assert response.status_code == 200, response.status_code
    with app.app_context():
        engine = db.engine
    statements: list[list] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append([a[2], time.perf_counter()]))
    event.listen(engine, "after_cursor_execute",
                 lambda *a: statements[-1].__setitem__(1, time.perf_counter() - statements[-1][1]))
    for _ in range(5):
        statements.clear()
        client.get(args.path)
    print(f"{args.path}: {len(response.data) / 1024:.0f} KB, {len(statements)} SQL statements")
    for statement, seconds in statements:
        print(f"  {seconds * 1000:6.2f} ms  {' '.join(statement.split())[:args.sql_width]}")
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.requests // 2):
        client.get(args.path)
    print(f"{(time.perf_counter() - started) * 1000 / (args.requests // 2):.2f} ms per request, "
          f"{(time.process_time() - cpu) * 1000 / (args.requests // 2):.2f} ms of CPU (unprofiled)")
    if args.cprofile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            client.get(args.path)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
    else:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.requests):
            client.get(args.path)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
