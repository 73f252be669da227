"""Three rates for a district-month of 1,000,000 appeals: time per call (p50/p95).

Builds a throwaway PostgreSQL database (jiceng_bench_rates on 127.0.0.1:5432, user
postgres), a district of 20 streets × 15 communities through the area services, and
one month of cases with realistic outcome mixes, loaded with COPY (the data is the
benchmark's fixture; what is measured is `jiceng.appeals.selectors.rates`, the same code
the rates page and API call). Prints a Markdown row for bench/README.md.

    .venv/bin/python bench/appeals_rates_bench.py [--cases 1000000] [--keep]
"""

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import time

DB = "jiceng_bench_rates"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"


def sh(*args: str) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="reuse an existing database")
    args = parser.parse_args()

    if not args.keep:
        sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {DB}")
        sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from jiceng.appeals import selectors
    from jiceng.appeals.models import Appeal
    from jiceng.core.models import Area

    if not args.keep or not Appeal.objects.exists():
        district = build_territory()
        load_cases(district, args.cases, connection)
    district = Area.objects.get(code="310104000000")

    from jiceng.accounts.services import role_grant, user_create

    admin = user_create(
        actor=None, username=f"bench{random.randrange(10**9)}", password="x", check_password=False
    )
    role_grant(actor=None, user=admin, role="district_admin", area=district)

    # Cross-check: the rows give the same numbers as counting the cases.
    start, end = selectors.month_bounds(2026, 10)
    started = time.perf_counter()
    raw = selectors._cases_under(admin, district, start, end).aggregate(
        **selectors._raw_aggregates()
    )
    raw_ms = (time.perf_counter() - started) * 1000
    assert selectors.Rates.from_counters(raw) == selectors.rates(
        viewer=admin, area=district, year=2026, month=10
    )
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        result = selectors.rates(viewer=admin, area=district, year=2026, month=10)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        version = cursor.fetchone()[0].split(",")[0]
    print(f"received={result.received} counts={result.counts}")
    print(f"counting the cases directly instead: {raw_ms:.0f} ms")
    print(
        f"| rates, district-month | {args.cases:,} cases | PostgreSQL ({version}) "
        f"| p50 {p50:.0f} ms | p95 {p95:.0f} ms | {args.runs} runs |"
    )


def build_territory():
    from jiceng.core.services import AreaSpec, area_bulk_create, area_create

    city = area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
    district = area_create(
        actor=None, parent=city, code="310104000000", name="徐汇区", level="district"
    )
    streets = [
        ("310104000000", AreaSpec(code=f"310104{i:03d}000", name=f"街道{i}", level="street"))
        for i in range(1, 21)
    ]
    parents = {district.code: district}
    area_bulk_create(actor=None, parent_by_code=parents, specs=streets)
    communities = [
        (
            f"310104{i:03d}000",
            AreaSpec(code=f"310104{i:03d}{j:03d}", name=f"社区{i}-{j}", level="community"),
        )
        for i in range(1, 21)
        for j in range(1, 16)
    ]
    area_bulk_create(actor=None, parent_by_code=parents, specs=communities)
    return district


def load_cases(district, count: int, connection) -> None:
    """COPY one month (October 2026) of cases with a realistic mix of outcomes."""
    import datetime
    from zoneinfo import ZoneInfo

    from jiceng.appeals.models import Appeal, Category
    from jiceng.core.models import Area

    tz = ZoneInfo("Asia/Shanghai")
    rng = random.Random(7)
    communities = list(
        Area.objects.filter(level="community", path__startswith=district.path).select_related(
            "parent"
        )
    )
    categories = list(Category.objects.values_list("pk", flat=True))
    start = datetime.datetime(2026, 10, 1, tzinfo=tz)
    buffer = io.StringIO()
    columns = [
        "tracking_code", "channel", "category_id", "area_id", "street_id", "community_id",
        "address", "description", "photo", "contact_name", "contact_phone_encrypted", "state",
        "unroutable_reason", "received_at", "response_due_at", "resolution_due_at",
        "responded_at", "replied_at", "closed_at", "resolved", "satisfaction", "rated_at",
        "public_reply", "response_overdue", "resolution_overdue", "reopen_count", "client",
        "idempotency_key", "public_description",
    ]  # fmt: skip
    null = r"\N"
    for n in range(count):
        community = communities[n % len(communities)]
        received = start + datetime.timedelta(seconds=rng.randrange(31 * 86400))
        response_due = received + datetime.timedelta(hours=24)
        resolution_due = received + datetime.timedelta(days=7)
        responded = received + datetime.timedelta(hours=rng.choice([1, 3, 12, 30]))
        replied = received + datetime.timedelta(days=rng.choice([1, 3, 6, 9]))
        rated = rng.random() < 0.7
        satisfaction = rng.choice(["satisfied", "satisfied", "basically", "unsatisfied"])
        row = [
            f"B{n:011d}", "hotline", str(rng.choice(categories)), str(community.pk),
            str(community.parent_id), str(community.pk), "", "路灯不亮", "", "", "", "closed", "",
            received.isoformat(), response_due.isoformat(), resolution_due.isoformat(),
            responded.isoformat(), replied.isoformat(), replied.isoformat(),
            ("t" if rng.random() < 0.8 else "f") if rated else null,
            satisfaction if rated else "", replied.isoformat() if rated else null,
            "已处理", "f", "f", "0", "", "", "",
        ]  # fmt: skip
        buffer.write("\t".join(row) + "\n")
        if n % 100_000 == 99_999 or n == count - 1:
            buffer.seek(0)
            with (
                connection.cursor() as cursor,
                cursor.copy(
                    f"COPY {Appeal._meta.db_table} ({', '.join(columns)}) FROM STDIN"
                ) as copy,
            ):
                copy.write(buffer.read())
            buffer = io.StringIO()
            print(f"loaded {n + 1:,}", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Appeal._meta.db_table}")
    from jiceng.appeals import rollup

    started = time.perf_counter()
    rows = rollup.rebuild()
    print(f"rebuilt {rows} monthly rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
