"""Compliance with the required meetings for a district of about 3,300 party orgs and a
year of their meetings (about 110,000): time per call (p50/p95), from the yearly rollup
rows the pages read, against computing every org from its meetings on each request.

Builds a throwaway PostgreSQL database (jiceng_bench_orglife on 127.0.0.1:5432, user
postgres): a district of 20 streets × 15 communities through the area services, per
community a general branch and ten branches (bulk_create: the orgs and meetings are the
benchmark's fixture), and a year of meetings with a realistic mix (most orgs keep their
schedule, about a third miss some periods). Rebuilds the rows with
`jiceng.orglife.rollup.rebuild` (what `jiceng orglife-compliance --rebuild` runs), checks
that the rows give exactly what the calculation from the meetings gives, then measures
`jiceng.orglife.selectors.compliance_counts` / `area_compliance` — the code behind the
compliance page, the dashboard figure and the API — and the page itself over HTTP, as the
district admin. Prints Markdown rows for bench/README.md.

    .venv/bin/python bench/orglife_compliance_bench.py [--streets 20] [--keep]
"""

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time

DB = "jiceng_bench_orglife"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
YEAR = 2026
TODAY = datetime.date(YEAR, 12, 1)


def sh(*args: str) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def timed(call, runs: int) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(int(len(timings) * 0.95) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streets", type=int, default=20)
    parser.add_argument("--communities", type=int, default=15)
    parser.add_argument("--branches", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="reuse an existing database")
    args = parser.parse_args()

    if not args.keep:
        sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {DB}")
        sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = URL
    # The page is measured signed in with a session, not the second factor's flow.
    os.environ["JICENG_TOTP_ROLES"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from jiceng.core.models import Area
    from jiceng.orglife import rollup, selectors
    from jiceng.orglife.models import Meeting

    if not args.keep or not Meeting.objects.exists():
        district = build_territory(args.streets, args.communities)
        build_orgs_and_meetings(district, args.branches)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        started = time.perf_counter()
        rows = rollup.rebuild(year=YEAR)
        rebuild_s = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"rebuilt {rows:,} yearly rows in {rebuild_s:.1f} s", file=sys.stderr)
    district = Area.objects.get(code="310104000000")
    street = Area.objects.filter(parent=district).order_by("code").first()

    from jiceng.accounts.services import role_grant, user_create

    admin = user_create(
        actor=None, username=f"bench{random.randrange(10**9)}", password="x", check_password=False
    )
    role_grant(actor=None, user=admin, role="district_admin", area=district)

    orgs = selectors._compliance_sources(admin, district, YEAR)[2]
    meetings = Meeting.objects.filter(org__in=orgs, held_on__year=YEAR).count()
    n_orgs = orgs.count()

    def from_meetings():
        """What the page did before the rollup: every org's meetings, every request."""
        required = selectors.requirements()
        key = rollup.requirements_key(required)
        found = list(orgs.select_related("area"))
        rows = selectors._computed(required, found, YEAR, key)
        return {r.org.pk: rollup.line(r.org, r, TODAY) for r in rows}

    # Cross-check: the rows give the same figures as the calculation from the meetings.
    started = time.perf_counter()
    raw = from_meetings()
    raw_ms = (time.perf_counter() - started) * 1000
    rolled = {
        x.org.pk: x
        for x in selectors.area_compliance(viewer=admin, area=district, year=YEAR, today=TODAY)
    }
    assert {k: (v.due, v.held, v.missing, v.missed) for k, v in raw.items()} == {
        k: (v.due, v.held, v.missing, v.missed) for k, v in rolled.items()
    }
    counts = selectors.compliance_counts(viewer=admin, area=district, year=YEAR, today=TODAY)
    assert counts.behind == sum(1 for v in raw.values() if v.behind)
    print(f"{n_orgs:,} orgs due, {counts.behind:,} behind; {meetings:,} meetings", file=sys.stderr)

    results = []
    p50, p95 = timed(
        lambda: selectors.compliance_counts(viewer=admin, area=district, year=YEAR, today=TODAY),
        args.runs,
    )
    results.append(("district: orgs due and behind, per street (rollup)", p50, p95))
    p50, p95 = timed(
        lambda: selectors.area_compliance(
            viewer=admin, area=district, year=YEAR, today=TODAY, only_behind=True
        ),
        args.runs,
    )
    results.append(("district: the list of orgs behind (rollup)", p50, p95))
    p50, p95 = timed(
        lambda: selectors.area_compliance(viewer=admin, area=street, year=YEAR, today=TODAY),
        args.runs,
    )
    results.append(("street: every org's line (rollup)", p50, p95))

    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    url = f"/orglife/compliance/?area={district.pk}&year={YEAR}"
    first = client.get(url)
    assert first.status_code == 200, (first.status_code, first.get("Location"))
    p50, p95 = timed(lambda: client.get(url), args.runs)
    results.append(("district compliance page over HTTP (rollup)", p50, p95))
    p50, p95 = timed(from_meetings, max(3, args.runs // 5))
    results.append(("district, every org computed from its meetings (before)", p50, p95))

    with connection.cursor() as cursor:
        cursor.execute("select version()")
        version = cursor.fetchone()[0].split(",")[0]
    print(f"first cold run from the meetings: {raw_ms:.0f} ms", file=sys.stderr)
    for what, p50, p95 in results:
        print(
            f"| {what} | {n_orgs:,} orgs, {meetings:,} meetings | {version} "
            f"| {p50:.0f} ms | {p95:.0f} ms |"
        )


def build_territory(streets: int, communities: int):
    from jiceng.core.services import AreaSpec, area_bulk_create, area_create

    city = area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
    district = area_create(
        actor=None, parent=city, code="310104000000", name="徐汇区", level="district"
    )
    parents = {district.code: district}
    specs = [
        ("310104000000", AreaSpec(code=f"310104{i:03d}000", name=f"街道{i}", level="street"))
        for i in range(1, streets + 1)
    ]
    area_bulk_create(actor=None, parent_by_code=parents, specs=specs)
    specs = [
        (
            f"310104{i:03d}000",
            AreaSpec(code=f"310104{i:03d}{j:03d}", name=f"社区{i}-{j}", level="community"),
        )
        for i in range(1, streets + 1)
        for j in range(1, communities + 1)
    ]
    area_bulk_create(actor=None, parent_by_code=parents, specs=specs)
    return district


def build_orgs_and_meetings(district, branches: int) -> None:
    from jiceng.core.models import Area
    from jiceng.orglife.models import Meeting
    from jiceng.orgs.models import PartyOrg

    rng = random.Random(15)
    K = PartyOrg.Kind
    streets = list(Area.objects.filter(parent=district).order_by("code"))
    committees = PartyOrg.objects.bulk_create(
        PartyOrg(name=f"{s.name}党工委", kind=K.WORKING_COMMITTEE, domain="community", area=s)
        for s in streets
    )
    for c in committees:
        c.path = f"{c.pk}/"
    PartyOrg.objects.bulk_update(committees, ["path"])
    by_street = {c.area_id: c for c in committees}
    communities = list(Area.objects.filter(level="community", path__startswith=district.path))
    generals = PartyOrg.objects.bulk_create(
        PartyOrg(
            name=f"{c.name}党总支",
            kind=K.GENERAL_BRANCH,
            domain="community",
            area=c,
            parent=by_street[c.parent_id],
        )
        for c in communities
    )
    for g in generals:
        g.path = f"{g.parent.path}{g.pk}/"
    PartyOrg.objects.bulk_update(generals, ["path"])
    leaves = PartyOrg.objects.bulk_create(
        PartyOrg(
            name=f"{g.area.name}第{n}党支部",
            kind=K.BRANCH,
            domain="community",
            area=g.area,
            parent=g,
            # One in twenty founded during the year.
            established_on=datetime.date(YEAR, rng.randrange(2, 10), 1)
            if rng.random() < 0.05
            else None,
        )
        for g in generals
        for n in range(1, branches + 1)
    )
    for b in leaves:
        b.path = f"{b.parent.path}{b.pk}/"
    PartyOrg.objects.bulk_update(leaves, ["path"], batch_size=2000)

    schedule = [("committee_meeting", m) for m in range(1, 13)]
    schedule += [("themed_day", m) for m in range(1, 13)]
    schedule += [("member_meeting", m) for m in (3, 6, 9)]
    schedule += [("lecture", m) for m in (2, 5, 8, 11)]
    schedule += [("org_life_review", 1), ("member_appraisal", 1)]
    rows = []
    for org in list(generals) + list(leaves):
        careless = rng.random() < 0.35
        for kind, month in schedule:
            if careless and rng.random() < 0.15:
                continue
            held_on = datetime.date(YEAR, month, rng.randrange(1, 28))
            if held_on > TODAY or (org.established_on and held_on < org.established_on):
                continue
            register = rng.randrange(8, 40)
            rows.append(
                Meeting(
                    org=org,
                    kind=kind,
                    held_on=held_on,
                    topic="学习",
                    register_count=register,
                    attended_count=register - rng.randrange(0, 5),
                )
            )
    Meeting.objects.bulk_create(rows, batch_size=5000)
    print(f"loaded {len(rows):,} meetings", file=sys.stderr)


if __name__ == "__main__":
    main()
