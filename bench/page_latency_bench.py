"""Page latency at city scale: every demo account's home, workbench, dashboard, charts,
statistics, coverage and list pages (and the API lists), on the city demo on PostgreSQL.

    .venv/bin/python bench/page_latency_bench.py --build            # build, then measure
    .venv/bin/python bench/page_latency_bench.py --database NAME     # measure a kept build
    .venv/bin/python bench/page_latency_bench.py --compare-counting  # also without rollups

`--build` drops and creates the database (`--database`, default jiceng_bench_pages, on
127.0.0.1:5432 as user postgres), migrates, runs `jiceng demo --scale city` in a child
process and VACUUM ANALYZE. The database is kept for later runs.

Each demo account (demo_city … demo_auditor) is logged in with the Django test client
(the whole request in this process: middleware, session, scope, queries, template; no
network, no static files; the TOTP requirement is switched off), after the process has
settled as a server's does (`jiceng.startup.settle`: views imported, the loaded objects
frozen out of the garbage collector's way). Its pages are:

- fixed ones: home `/`, the workbench API, its root area's page, charts page and big
  screen, the members' statistics page and the coverage page, and the API lists
  (members, orgs, units, coverage, appeals, needs, charts);
- every link of its navigation, as a new user would click through it (found as the
  navigation walk of tests/pages/test_nav_links.py finds them).

A page that answers other than 200 for the account (not open to its role) is left out
and listed. Each page is requested once to warm up, then `--runs` times; p50 and p95 of
the wall times, and the number of queries of the last request. `--compare-counting`
measures the same pages again with the members' and coverage rollups switched off (their
state rows removed: the pages count rows as before the rollups), then rebuilds them.
Prints JSON (and writes it to --out after every account), with --markdown the tables
for bench/README.md.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG = "postgres://postgres@127.0.0.1:5432/{}"
ACCOUNTS = (
    "demo_city",
    "demo_district",
    "demo_street",
    "demo_community",
    "demo_grid",
    "demo_unit",
    "demo_member",
    "demo_resident",
    "demo_department",
    "demo_auditor",
)
# The pages the 200 ms target names (issue 14): home, workbench and dashboard.
TARGET_PAGES = ("home", "workbench API", "area page", "charts page")
TARGET_MS = 200
NAV = re.compile(r"<nav[^>]*>(.*?)</nav>", re.S)


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG.format("postgres"), autocommit=True) as connection:
        connection.execute(sql)


def build(database: str, env: dict) -> dict:
    _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    _admin(f"CREATE DATABASE {database}")
    subprocess.run([BIN / "jiceng", "migrate", "--no-input", "-v", "0"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run(
        [BIN / "jiceng", "demo", "--scale", "city", "--quiet", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    seconds = time.perf_counter() - started
    import psycopg

    with psycopg.connect(PG.format(database), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return {"demo_seconds": round(seconds, 1)}


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    index = max(0, round(0.95 * len(ordered)) - 1)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[index] * 1000, 1),
        "runs": len(ordered),
    }


def nav_links(html: str) -> list[str]:
    return [
        href
        for block in NAV.findall(html)
        for href in re.findall(r'href="([^"]+)"', block)
        if href.startswith("/") and not href.startswith("/admin/") and "logout" not in href
    ]


def pages_of(client, user) -> list[tuple[str, str]]:
    """(name, path) of what the account opens: the fixed pages, then its navigation."""
    from jiceng.core.selectors import area_roots

    pages = [("home", "/"), ("workbench API", "/api/workbench")]
    roots = area_roots(viewer=user)
    if roots:
        root = roots[0]
        pages += [
            ("area page", f"/areas/{root.pk}/"),
            ("charts page", f"/areas/{root.pk}/charts/"),
            ("big screen", f"/screen/{root.pk}/"),
            ("charts API", f"/api/charts/areas/{root.pk}"),
            ("statistics page", f"/members/statistics/?area={root.pk}"),
            ("statistics API", f"/api/members/statistics?area={root.pk}"),
            ("coverage page", f"/orgs/coverage/?area={root.pk}"),
            ("coverage API", f"/api/coverage?area={root.pk}"),
        ]
    pages += [
        ("members API", "/api/members?limit=50"),
        ("orgs API", "/api/orgs?limit=50"),
        ("units API", "/api/units?limit=50"),
        ("appeals API", "/api/appeals?limit=50"),
        ("needs API", "/api/cobuild/needs?limit=50"),
    ]
    home = client.get("/")
    links = nav_links(home.content.decode())
    for section in [link for link in links if link != "/"]:
        response = client.get(section)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            links += nav_links(response.content.decode())
    known = {path for _name, path in pages}
    pages += [(link, link) for link in dict.fromkeys(links) if link not in known]
    return pages


def measure_account(client, user, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    rows, closed = {}, []
    for name, path in pages_of(client, user):
        response = client.get(path)
        if response.status_code != 200:
            closed.append(f"{path} ({response.status_code})")
            continue
        samples = []
        for _run in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                samples.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        rows[name] = {"path": path, **percentiles(samples), "queries": len(queries)}
    return {"pages": rows, "not_open": closed}


def switch_rollups(on: bool) -> None:
    from jiceng.members import rollup as members_rollup
    from jiceng.members.models import MemberStatState
    from jiceng.orgs import rollup as coverage_rollup
    from jiceng.orgs.models import CoverageStatState

    if on:
        members_rollup.rebuild()
        coverage_rollup.rebuild()
    else:
        MemberStatState.objects.all().delete()
        CoverageStatState.objects.all().delete()


def measure(args, result: dict, save) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from jiceng.startup import settle

    settle()  # as the server process does after loading (jiceng/wsgi.py)

    from jiceng.accounts.models import User
    from jiceng.members import rollup as members_rollup
    from jiceng.orgs import rollup as coverage_rollup

    with connection.cursor() as cursor:
        cursor.execute("select count(*) from members_member")
        result["members"] = cursor.fetchone()[0]
        cursor.execute("select count(*) from appeals_appeal")
        result["appeals"] = cursor.fetchone()[0]
        cursor.execute("select current_setting('server_version')")
        result["server_version"] = cursor.fetchone()[0]
    if members_rollup.state() is None or not coverage_rollup.built():
        switch_rollups(True)  # a database built before the rollups: an upgrade's rebuild
    series = [("rollups", True)] + ([("counting", False)] if args.compare_counting else [])
    for label, on in series:
        if not on:
            switch_rollups(False)
        result[label] = {}
        try:
            for username in args.accounts:
                user = User.objects.get(username=username)
                started = os.getloadavg()
                row = measure_account(Client(), user, args.runs)
                result[label][username] = row | {"load": [started, os.getloadavg()]}
                save()
        finally:
            if not on:
                switch_rollups(True)


def machine() -> dict:
    import django

    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "django": django.get_version(),
        "uptime": uptime,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def markdown(result: dict) -> str:
    lines = []
    for label in ("rollups", "counting"):
        if label not in result:
            continue
        lines += [
            f"### {label}",
            "",
            "| account | page | p50 ms | p95 ms | queries |",
            "|---|---|---:|---:|---:|",
        ]
        for username, row in result[label].items():
            for name, page in row["pages"].items():
                mark = " ⚠" if name in TARGET_PAGES and page["p50_ms"] > TARGET_MS else ""
                lines.append(
                    f"| {username} | {name} | {page['p50_ms']:,.0f}{mark} "
                    f"| {page['p95_ms']:,.0f} | {page['queries']} |"
                )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="jiceng_bench_pages")
    parser.add_argument("--build", action="store_true", help="build the city demo first")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--accounts", nargs="*", default=list(ACCOUNTS))
    parser.add_argument("--compare-counting", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--out", help="also write the JSON here, after every account")
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": PG.format(args.database),
        "DJANGO_SETTINGS_MODULE": "jiceng.settings",
        "JICENG_TESTING": "0",
        "JICENG_TOTP_ROLES": "",
        "JICENG_ALLOWED_HOSTS": "testserver,127.0.0.1",
    }
    result: dict = {"database": args.database, "runs": args.runs}
    if args.build:
        result["build"] = build(args.database, env)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))

    def save() -> None:
        if args.out:
            Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))

    result["machine"] = machine()
    measure(args, result, save)
    result["machine_after"] = machine()
    save()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.markdown:
        print(markdown(result))


if __name__ == "__main__":
    main()
