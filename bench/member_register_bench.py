"""The member register at Shanghai's scale: the city demo (about two million members) on
PostgreSQL, read by a community, a street, a district and a city viewer.

    .venv/bin/python bench/member_register_bench.py --build            # build, then measure
    .venv/bin/python bench/member_register_bench.py                    # measure a kept build

`--build` drops and creates the database (`--database`, default jiceng_bench_members, on
127.0.0.1:5432 as user postgres), migrates, runs `jiceng demo --scale city` in a child
process (wall time and peak memory recorded) and runs VACUUM ANALYZE. The database is
kept for later runs (`--drop` removes it at the end).

Measured in this process, as the demo accounts demo_community, demo_street,
demo_district and demo_city (the TOTP requirement is switched off for the run):

- the register page `/members/` (Django test client: scope, count, first 50 rows masked,
  template), a search by name fragment and by a whole ID number (blind index);
- the selector alone: count plus the first page of rows;
- the composition tables page `/members/statistics/`;
- the Excel export of the viewer's whole register (`members.exports.member_export`);
- the bulk write rate: `member_bulk_create` of `--write-rows` new people into the
  existing register, in a transaction rolled back afterwards (indexes already full).

Each read is run once to warm up, then `--runs` times (3 times when the warm-up took more
than 5 s; exports `--export-runs` times, the city's once); p50 and p95 of those. Prints
JSON (and writes it to --out after every step), and with --markdown the rows for
bench/README.md.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG = "postgres://postgres@127.0.0.1:5432/{}"
VIEWERS = (
    ("community", "demo_community"),
    ("street", "demo_street"),
    ("district", "demo_district"),
    ("city", "demo_city"),
)


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG.format("postgres"), autocommit=True) as connection:
        connection.execute(sql)


def build(database: str, env: dict) -> dict:
    _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    _admin(f"CREATE DATABASE {database}")
    subprocess.run([BIN / "jiceng", "migrate", "--no-input", "-v", "0"], env=env, check=True)
    started = time.perf_counter()
    child = subprocess.Popen(
        [BIN / "jiceng", "demo", "--scale", "city", "--quiet", "-v", "0"], env=env, cwd=ROOT
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("jiceng demo --scale city failed")
    import psycopg

    with psycopg.connect(PG.format(database), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return {"demo_seconds": round(seconds, 1), "demo_peak_rss_mib": usage.ru_maxrss // 1024}


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    if len(ordered) == 1:
        return {"p50_ms": round(ordered[0] * 1000, 1), "p95_ms": None, "runs": 1}
    if len(ordered) < 5:
        return {
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[-1] * 1000, 1),
            "runs": len(ordered),
        }
    cuts = statistics.quantiles(ordered, n=20, method="inclusive")
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(cuts[18] * 1000, 1),
        "runs": len(ordered),
    }


SLOW_SECONDS = 5.0
SLOW_RUNS = 3


def timed(function, runs: int, warm: bool = True) -> tuple[dict, object]:
    """p50/p95 of `runs` calls after one warm-up call; a call slower than SLOW_SECONDS
    is repeated SLOW_RUNS times only (the p95 of three is their maximum)."""
    samples = []
    if warm:
        started = time.perf_counter()
        result = function()
        if time.perf_counter() - started > SLOW_SECONDS:
            runs = min(runs, SLOW_RUNS)
    else:
        result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - started)
    return percentiles(samples), result


def measure(args, results: dict, save) -> dict:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client

    from jiceng.accounts.models import User
    from jiceng.core import crypto
    from jiceng.members.exports import member_export
    from jiceng.members.models import Member
    from jiceng.members.selectors import member_list

    results.update(reads={}, exports={})
    with connection.cursor() as cursor:
        cursor.execute("select count(*) from members_member")
        results["members"] = cursor.fetchone()[0]
        cursor.execute("select current_setting('server_version')")
        results["server_version"] = cursor.fetchone()[0]
    results["bulk_write"] = write_rate(args.write_rows)
    save()
    client = Client()
    for level, username in VIEWERS:
        viewer = User.objects.get(username=username)
        client.force_login(viewer)
        visible = member_list(viewer=viewer)
        total = visible.count()
        # A whole number to search for: somebody in the viewer's register.
        sample = Member.objects.get(pk=visible.order_by("id").values_list("id", flat=True)[37])
        number = crypto.decrypt(sample.id_number_encrypted)

        def page(path: str, **params):
            def get():
                response = client.get(path, params)
                assert response.status_code == 200, (path, response.status_code)
                return response

            return get

        def selector(viewer=viewer):
            members = member_list(viewer=viewer)
            return members.count(), list(members[:50])

        row = {"visible": total}
        row["list_page"], _r = timed(page("/members/"), args.runs)
        row["list_search_name"], _r = timed(page("/members/", q="王建"), args.runs)
        row["list_search_id_number"], _r = timed(page("/members/", q=number), args.runs)
        row["selector_count_and_page"], _r = timed(selector, args.runs)
        row["statistics_page"], _r = timed(page("/members/statistics/"), args.runs)
        results["reads"][level] = row
        save()
        if level == "city" and args.skip_city_export:
            continue
        runs = 1 if level == "city" else args.export_runs

        def export(viewer=viewer):
            with transaction.atomic():
                return member_export(actor=viewer)

        timing, (content, rows) = timed(export, runs, warm=False)
        results["exports"][level] = {**timing, "rows": rows, "bytes": len(content)}
        del content
        save()
    return results


def write_rate(count: int) -> dict:
    """member_bulk_create of `count` new people into the full register; rolled back."""
    import random

    from django.db import transaction
    from django.utils import timezone

    from jiceng.demo.people import BIRTH_YEARS, IdNumbers, _People
    from jiceng.members.services import MemberRow, member_bulk_create
    from jiceng.orgs.models import PartyOrg

    orgs = list(
        PartyOrg.objects.filter(domain="community", area__level="community")
        .select_related("area")
        .order_by("id")[:200]
    )

    class Newcomers(_People):
        # Born in a region no demo number uses (乌鲁木齐市天山区): nobody is registered.
        def region(self, *, newcomer_share: float) -> str:
            return "650102"

    rng = random.Random(5)
    people = Newcomers(rng, ids=IdNumbers(), home_region="650102", today=timezone.localdate())
    rows = []
    for n in range(count):
        org = orgs[n % len(orgs)]
        facts = people.person(
            category="retired",
            years=BIRTH_YEARS["retired"],
            male_share=0.5,
            probationary_share=0,
            newcomer_share=0,
            education=None,
            phone_share=0.9,
        )
        rows.append(MemberRow(facts=facts, org=org, residence_community=org.area))
    started = time.perf_counter()
    with transaction.atomic():
        created = member_bulk_create(actor=None, rows=rows, note="bench")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {
        "rows": created,
        "seconds": round(seconds, 1),
        "rows_per_second": round(created / seconds),
    }


def machine() -> dict:
    import django

    free = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.splitlines()
    return {
        "nproc": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
        "memory_gib": free[1].split()[1] if len(free) > 1 else "",
        "python": platform.python_version(),
        "django": django.get_version(),
        "load_average": os.getloadavg(),
    }


def markdown(result: dict) -> str:
    lines = []
    for level, row in result["reads"].items():

        def cell(key, row=row):
            timing = row[key]
            return f"{timing['p50_ms']:,.0f} / {timing['p95_ms']:,.0f}"

        lines.append(
            f"| {level} | {row['visible']:,} | {cell('list_page')} | {cell('list_search_name')} "
            f"| {cell('list_search_id_number')} | {cell('selector_count_and_page')} "
            f"| {cell('statistics_page')} |"
        )
    lines.append("")
    for level, row in result["exports"].items():
        p95 = f"{row['p95_ms'] / 1000:,.1f} s" if row["p95_ms"] else "—"
        lines.append(
            f"| {level} | {row['rows']:,} | {row['p50_ms'] / 1000:,.1f} s | {p95} "
            f"| {row['bytes'] / 2**20:,.0f} MiB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="jiceng_bench_members")
    parser.add_argument("--build", action="store_true", help="build the city demo first")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--skip-city-export", action="store_true")
    parser.add_argument("--write-rows", type=int, default=100_000)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--out", help="also write the JSON here, after every step")
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": PG.format(args.database),
        "DJANGO_SETTINGS_MODULE": "jiceng.settings",
        "JICENG_TESTING": "0",
        "JICENG_TOTP_ROLES": "",
        "JICENG_ALLOWED_HOSTS": "testserver,127.0.0.1",
    }
    result: dict = {"database": args.database, "load_before": os.getloadavg()}
    if args.build:
        result["build"] = build(args.database, env)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))

    def save() -> None:
        # Written after each step, so a long run that stops keeps what it measured.
        if args.out:
            Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))

    try:
        measure(args, result, save)
    finally:
        if args.drop:
            _admin(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    result["machine"] = machine()
    save()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.markdown:
        print(markdown(result))


if __name__ == "__main__":
    main()
