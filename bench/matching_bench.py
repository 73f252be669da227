"""Matching 100,000 needs against 50,000 resources (DESIGN target: under 10 s).

Generates a district of 20 streets × 15 communities with needs and resources in 11
categories, then measures:

1. the solver alone (`jiceng.cobuild.matching.solve`, no database): merging into groups
   and building the network, the OR-Tools min-cost max-flow, the split back into pairs;
2. with `--db sqlite|postgres`, end to end: the same needs and resources are loaded into
   a new database (bulk inserts; that is the fixture, not timed), then
   `jiceng.cobuild.services.match_run_create` is timed for the whole district: reading
   the open needs and resources with their used capacity, solving, writing one proposal
   per matched need with its reason, and the audit entry.

Windows are "periods" by default (needs start on the 1st or 16th of a month and last
half a month, a month or a quarter; resources are offered from the 1st of a month for a
quarter, half a year or a year) or, with `--windows daily`, any day and any length (a
stress case: the answer is as exact, the network larger).

    .venv/bin/python bench/matching_bench.py                    # solver only
    .venv/bin/python bench/matching_bench.py --db sqlite
    .venv/bin/python bench/matching_bench.py --db postgres      # new jiceng_bench_matching
    .venv/bin/python bench/matching_bench.py --windows daily
"""

import argparse
import datetime
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

CATEGORIES = {
    "elderly_care": 20,
    "culture": 14,
    "child_care": 12,
    "health": 10,
    "environment": 10,
    "venue": 8,
    "volunteers": 8,
    "legal": 6,
    "employment": 6,
    "funds": 3,
    "materials": 3,
}
DISTRICT = "310104000000"
FIRST_DAY = datetime.date(2026, 12, 1)
TODAY = datetime.date(2026, 11, 22)
PG_DB = "jiceng_bench_matching"


def month(k: int) -> datetime.date:
    return datetime.date(2026 + (11 + k) // 12, (11 + k) % 12 + 1, 1)


def generate(args) -> tuple[list[tuple], list[tuple]]:
    """Needs as (category, street, community, start, end); resources as (category,
    street, community or None, start, end, capacity), streets and communities as codes."""
    rng = random.Random(args.seed)
    streets = [f"310104{s:03d}000" for s in range(1, args.streets + 1)]
    communities = {s: [s[:9] + f"{c:03d}" for c in range(1, args.communities + 1)] for s in streets}
    categories, weights = list(CATEGORIES), list(CATEGORIES.values())
    need_windows = [
        (month(k) + datetime.timedelta(days=half), month(k) + datetime.timedelta(days=half + d))
        for k in range(6)
        for half in (0, 15)
        for d in (14, 30, 90)
    ]
    resource_windows = [
        (month(k), month(k) + datetime.timedelta(days=d)) for k in range(6) for d in (91, 182, 365)
    ]

    def need_window():
        if args.windows == "periods":
            return rng.choice(need_windows)
        start = FIRST_DAY + datetime.timedelta(days=rng.randrange(180))
        return start, start + datetime.timedelta(days=rng.randrange(7, 91))

    def resource_window():
        if args.windows == "periods":
            return rng.choice(resource_windows)
        start = FIRST_DAY + datetime.timedelta(days=rng.randrange(180))
        return start, start + datetime.timedelta(days=rng.randrange(30, 366))

    needs = []
    for _ in range(args.needs):
        street = rng.choice(streets)
        needs.append(
            (
                rng.choices(categories, weights)[0],
                street,
                rng.choice(communities[street]),
                *need_window(),
            )
        )
    resources = []
    for _ in range(args.resources):
        street = rng.choice(streets)
        where = rng.random()
        resources.append(
            (
                rng.choices(categories, weights)[0],
                None if where < 0.05 else street,  # 5 % held by the district
                rng.choice(communities[street]) if where >= 0.2 else None,  # 15 % by a street
                *resource_window(),
                rng.choice([1, 1, 1, 1, 2, 2, 3]),
            )
        )
    return needs, resources


def solver_only(needs, resources) -> dict:
    from jiceng.cobuild.matching import NeedSlot, Place, ResourceSlot, solve

    started = time.perf_counter()
    need_slots = [
        NeedSlot(i, c, Place(DISTRICT, s, m), a, b) for i, (c, s, m, a, b) in enumerate(needs)
    ]
    resource_slots = [
        ResourceSlot(10**7 + i, c, Place(DISTRICT, s, m), a, b, cap)
        for i, (c, s, m, a, b, cap) in enumerate(resources)
    ]
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    solution = solve(need_slots, resource_slots)
    wall = time.perf_counter() - started
    return {
        "slots_s": prepared,
        "solve_call_s": wall,
        "group_and_build_s": solution.build_seconds,
        "ortools_s": solution.solve_seconds,
        "split_s": solution.split_seconds,
        "matched": solution.matched,
        "total_distance": solution.total_distance,
        "nodes": solution.nodes,
        "arcs": solution.arcs,
    }


def end_to_end(args, needs, resources) -> dict:
    if args.db == "postgres":
        for sql in (f"DROP DATABASE IF EXISTS {PG_DB}", f"CREATE DATABASE {PG_DB}"):
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", sql],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        directory = tempfile.mkdtemp(prefix="jiceng-matching-")
        os.environ["JICENG_VAR_DIR"] = directory
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from jiceng.cobuild import services
    from jiceng.cobuild.models import MatchProposal, Need, Resource
    from jiceng.core.models import Area
    from jiceng.core.services import AreaSpec, area_bulk_create, area_create
    from jiceng.orgs.models import PartyOrg
    from jiceng.orgs.services import org_create

    started = time.perf_counter()
    city = area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
    district = area_create(actor=None, parent=city, code=DISTRICT, name="徐汇区", level="district")
    street_codes = sorted({n[1] for n in needs} | {r[1] for r in resources if r[1]})
    parents = {DISTRICT: district}  # filled by area_bulk_create as rows are written
    area_bulk_create(
        actor=None,
        parent_by_code=parents,
        specs=[
            (DISTRICT, AreaSpec(code=s, name=f"街道{s[6:9]}", level="street")) for s in street_codes
        ],
    )
    community_codes = sorted({n[2] for n in needs} | {r[2] for r in resources if r[2]})
    area_bulk_create(
        actor=None,
        parent_by_code=parents,
        specs=[
            (c[:9] + "000", AreaSpec(code=c, name=f"社区{c[6:]}", level="community"))
            for c in community_codes
        ],
    )
    area_id = dict(Area.objects.values_list("code", "id"))
    orgs = {
        s: org_create(
            actor=None,
            name=f"街道{s[6:9]}驻区单位联合党委",
            kind=PartyOrg.Kind.COMMITTEE,
            domain=PartyOrg.Domain.PRIVATE_ENTERPRISE,
            area=Area.objects.get(code=s),
        )
        for s in street_codes
    }
    Need.objects.bulk_create(
        (
            Need(
                title="需求",
                source="staff",
                category=c,
                community_id=area_id[m],
                window_start=a,
                window_end=b,
            )
            for c, _s, m, a, b in needs
        ),
        batch_size=5000,
    )
    Resource.objects.bulk_create(
        (
            Resource(
                title="资源",
                kind="services",
                category=c,
                offered_by_org=orgs[s or street_codes[0]],
                area_id=area_id[m or s or DISTRICT],
                capacity=cap,
                available_from=a,
                available_until=b,
            )
            for c, s, m, a, b, cap in resources
        ),
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    run = services.match_run_create(actor=None, area=district, today=TODAY)
    wall = time.perf_counter() - started
    assert MatchProposal.objects.filter(run=run).count() == run.matched
    with connection.cursor() as cursor:
        cursor.execute(
            "select sqlite_version()" if connection.vendor == "sqlite" else "show server_version"
        )
        version = cursor.fetchone()[0]
    return {
        "database": f"{'SQLite' if connection.vendor == 'sqlite' else 'PostgreSQL'} {version}",
        "load_s": loaded,
        "match_run_create_s": wall,
        "of_which_solver_s": run.solver_ms / 1000,
        "needs_considered": run.needs_considered,
        "resources_considered": run.resources_considered,
        "matched": run.matched,
        "total_distance": run.total_distance,
    }


def machine() -> dict:
    import django
    import numpy
    import ortools

    with open("/proc/meminfo") as meminfo:  # Linux: MemTotal in kB
        kilobytes = int(meminfo.readline().split()[1])
    return {
        "date": datetime.date.today().isoformat(),
        "nproc": os.cpu_count(),
        "memory_gib": round(kilobytes / 1024**2, 1),
        "python": platform.python_version(),
        "ortools": ortools.__version__,
        "numpy": numpy.__version__,
        "django": django.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--resources", type=int, default=50_000)
    parser.add_argument("--streets", type=int, default=20)
    parser.add_argument("--communities", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--windows", choices=["periods", "daily"], default="periods")
    parser.add_argument("--db", choices=["none", "sqlite", "postgres"], default="none")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()

    started = time.perf_counter()
    needs, resources = generate(args)
    print(f"generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    print(f"machine: {machine()}")
    result = solver_only(needs, resources)
    print(
        f"solver only ({args.windows}): {args.needs:,} needs × {args.resources:,} resources → "
        f"{result['matched']:,} matched, total distance {result['total_distance']:,}; "
        f"solve() {result['solve_call_s']:.2f} s = group and build "
        f"{result['group_and_build_s']:.2f} s + OR-Tools {result['ortools_s']:.2f} s + split "
        f"{result['split_s']:.2f} s ({result['nodes']:,} nodes, {result['arcs']:,} arcs)"
    )
    if args.db != "none":
        e2e = end_to_end(args, needs, resources)
        assert e2e["matched"] == result["matched"], (e2e, result)
        assert e2e["total_distance"] == result["total_distance"], (e2e, result)
        if args.db == "postgres" and not args.keep:
            from django.db import connections

            connections.close_all()
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE {PG_DB}"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        print(
            f"end to end on {e2e['database']}: match_run_create {e2e['match_run_create_s']:.2f} s "
            f"(solver {e2e['of_which_solver_s']:.2f} s) for {e2e['needs_considered']:,} needs, "
            f"{e2e['resources_considered']:,} resources → {e2e['matched']:,} proposals "
            f"(fixture loaded in {e2e['load_s']:.1f} s, not timed)"
        )


if __name__ == "__main__":
    main()
