"""Time and peak memory of `jiceng demo --scale X` on a fresh database.

    .venv/bin/python bench/demo_bench.py --scale district --db sqlite
    .venv/bin/python bench/demo_bench.py --scale district --db postgres
    .venv/bin/python bench/demo_bench.py --scale city --db postgres

SQLite: a new file in a temporary directory (JICENG_VAR_DIR and DATABASE_URL point
there), so var/jiceng.sqlite3 is never touched. PostgreSQL: the database `jiceng_bench`
(or --database) on 127.0.0.1:5432 (user postgres, trust) is dropped and created for
the run and dropped afterwards (--keep leaves it; bench/member_register_bench.py can
then measure the register on it). `migrate` runs first and is not timed; the demo
runs in its own subprocess, whose wall time and peak resident memory (ru_maxrss of
that child, from os.wait4; resource.getrusage(RUSAGE_CHILDREN) is printed as well) are
recorded with the row counts the demo wrote. Prints one JSON object; --markdown adds a
table row for bench/README.md.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
JICENG = str(BIN / "jiceng")
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "jiceng_bench"

COUNTS_SNIPPET = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
import django
django.setup()
from django.db import connection
from jiceng.demo.generator import demo_counts
counts = demo_counts()
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute(
            "select pg_database_size(current_database()), current_setting('server_version')"
        )
        counts["database_bytes"], counts["server_version"] = cursor.fetchone()
print(json.dumps(counts))
"""


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(sql)


def _run(args: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """Run one child; return its wall time, its own peak RSS in KiB and its CPU time
    (user and system: on a shared machine the wall time also counts waiting)."""
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed with exit code {child.returncode}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def _machine() -> dict[str, str]:
    import django

    free = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.splitlines()
    return {
        "nproc": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
        "memory_gib": free[1].split()[1] if len(free) > 1 else "",
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def bench(scale: str, db: str, seed: int, keep: bool, database: str = PG_BENCH_DB) -> dict:
    env = {**os.environ, "JICENG_TESTING": "0", "PYTHONUNBUFFERED": "1"}
    workdir = Path(tempfile.mkdtemp(prefix="jiceng-bench-"))
    env["JICENG_VAR_DIR"] = str(workdir)
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        _pg_admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {database}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    try:
        _run([JICENG, "migrate", "--no-input", "-v", "0"], env)
        load_before = os.getloadavg()
        seconds, peak_kib, cpu_seconds = _run(
            [JICENG, "demo", "--scale", scale, "--seed", str(seed), "--quiet", "-v", "0"], env
        )
        children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        counts = json.loads(
            subprocess.run(
                [sys.executable, "-c", COUNTS_SNIPPET],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
        if db == "sqlite":
            counts["database_bytes"] = sum(f.stat().st_size for f in workdir.glob("bench.sqlite3*"))
    finally:
        if db == "postgres" and not keep:
            _pg_admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "scale": scale,
        "db": db,
        "seed": seed,
        "load_average_after": os.getloadavg(),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "load_average_before": load_before,
        "peak_rss_mib": round(peak_kib / 1024),
        "children_max_rss_mib": round(children_kib / 1024),
        "counts": counts,
        "machine": _machine(),
    }


def markdown_row(result: dict) -> str:
    c = result["counts"]
    return (
        f"| {result['scale']} | {result['db']} | {result['seconds']:.1f} s "
        f"| {result['peak_rss_mib']} MiB | {c['area_street']:,} | {c['area_community']:,} "
        f"| {c['party_orgs']:,} | {c['units']:,} | {c['members']:,} "
        f"| {c['transfers'] + c['outflows'] + c['inflows'] + c['dual_reports']:,} "
        f"| {c['appeals']:,} | {c['appeal_events']:,} | {c['audit_entries']:,} "
        f"| {c['database_bytes'] / 2**20:,.0f} MiB | {result['load_average_before'][0]:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("street", "district", "city"), default="district")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--database", default=PG_BENCH_DB, help="PostgreSQL database name")
    parser.add_argument("--markdown", action="store_true", help="also print a README row")
    args = parser.parse_args()
    result = bench(args.scale, args.db, args.seed, args.keep, args.database)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.markdown:
        print(markdown_row(result))


if __name__ == "__main__":
    main()
