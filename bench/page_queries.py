"""Where one page's time goes: its queries, slowest first, with what called them.

    .venv/bin/python bench/page_queries.py --database jiceng_city demo_city / /dashboard/…

For each URL, logged in as the account (Django test client, TOTP off, as
`page_latency_bench.py`), the page is requested once to warm up, then once more with
every query captured: the wall time, the time in SQL, and the `--top` slowest queries
with their milliseconds, the project's innermost frame that ran them, and the start of
their SQL. `--explain` also prints PostgreSQL's EXPLAIN ANALYZE of the slowest one. A
tool for finding what to make faster, not a measurement for bench/README.md (use
page_latency_bench.py for that).
"""

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = "postgres://postgres@127.0.0.1:5432/{}"


def _caller() -> str:
    """The two innermost frames in the project's own code (not Django's, not this file's)."""
    frames = [
        f"{frame.filename.split('/src/jiceng/', 1)[1]}:{frame.lineno} {frame.name}"
        for frame in reversed(traceback.extract_stack())
        if "/src/jiceng/" in frame.filename
    ]
    return " ← ".join(frames[:2]) or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="jiceng_bench_pages")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("account")
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=PG.format(args.database),
        DJANGO_SETTINGS_MODULE="jiceng.settings",
        JICENG_TOTP_ROLES="",
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from jiceng.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=args.account))
    captured: list[dict] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append(
                {
                    "ms": (time.perf_counter() - started) * 1000,
                    "sql": sql,
                    "params": params,
                    "caller": _caller(),
                }
            )

    for url in args.urls:
        client.get(url)  # warm: caches, templates, the first import of each module
        captured.clear()
        started = time.perf_counter()
        with connection.execute_wrapper(record):
            status = client.get(url).status_code
        wall = (time.perf_counter() - started) * 1000
        in_sql = sum(q["ms"] for q in captured)
        print(f"\n{url} → {status}: {wall:.0f} ms, {len(captured)} queries, {in_sql:.0f} ms SQL")
        for query in sorted(captured, key=lambda q: -q["ms"])[: args.top]:
            sql = " ".join(query["sql"].split())
            print(f"  {query['ms']:7.1f} ms  {query['caller']}\n             {sql[:160]}")
        if args.explain and captured:
            slowest = max(captured, key=lambda q: q["ms"])
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + slowest["sql"], slowest["params"])
                print("\n".join("    " + row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
