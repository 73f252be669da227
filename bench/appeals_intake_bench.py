"""Appeal intake over HTTP on PostgreSQL: cases per second, p95 latency, and the ratio to
raw inserts of the same rows through the same driver.

- A throwaway database `jiceng_bench_intake` (127.0.0.1:5432, user postgres) with a
  district of 20 streets × 15 communities, a 居委会 per community with a routing rule,
  and an Open311 key.
- gunicorn (sync workers, one per core) serving the project; wrk (Debian package,
  installed here if missing) posts Open311 requests (form-encoded, with api_key) for a
  fixed time at a bounded number of connections, each with its own place and text.
- Raw inserts: the same number of appeal rows written with psycopg `executemany` in
  one connection, no Django, for the ratio.

    .venv/bin/python bench/appeals_intake_bench.py [--seconds 20] [--connections 8]
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DB = "jiceng_bench_intake"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
PORT = 8311
ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin"

LUA = r"""
local codes = {%(codes)s}
local key = "%(key)s"
local counter = 0
request = function()
  counter = counter + 1
  local code = codes[(counter %% #codes) + 1]
  local body = "api_key=" .. key .. "&service_code=sanitation&address_id=" .. code ..
    "&description=bench+" .. counter .. "+" .. math.random(1, 1000000000)
  return wrk.format("POST", "/open311/v2/requests.json",
    {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
"""


def sh(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, **kwargs)


def psql(sql: str) -> None:
    sh("psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", sql, stdout=subprocess.DEVNULL)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    sh(*prefix, "apt-get", "install", "-y", "-qq", "wrk", stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or "/usr/bin/wrk"


def prepare() -> tuple[list[str], str]:
    """Territory, handling units, rules and a key, through the services."""
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from jiceng.appeals import services
    from jiceng.core.models import Area
    from jiceng.core.services import AreaSpec, area_bulk_create, area_create

    city = area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
    district = area_create(
        actor=None, parent=city, code="310104000000", name="徐汇区", level="district"
    )
    parents = {district.code: district}
    area_bulk_create(
        actor=None,
        parent_by_code=parents,
        specs=[
            ("310104000000", AreaSpec(f"310104{i:03d}000", f"街道{i}", "street"))
            for i in range(1, 21)
        ],
    )
    area_bulk_create(
        actor=None,
        parent_by_code=parents,
        specs=[
            (f"310104{i:03d}000", AreaSpec(f"310104{i:03d}{j:03d}", f"社区{i}-{j}", "community"))
            for i in range(1, 21)
            for j in range(1, 16)
        ],
    )
    communities = list(Area.objects.filter(level="community").order_by("code"))
    for community in communities:
        unit = services.handling_unit_create(
            actor=None, name=f"{community.name}居委会", kind="community", area=community
        )
        services.routing_rule_set(actor=None, area=community, unit=unit)
    _key, raw = services.open311_key_create(actor=None, name="bench")
    return [c.code for c in communities], raw


def raw_inserts(count: int, codes: list[str]) -> float:
    """The same rows inserted directly: cases per second through psycopg alone."""
    import datetime

    import psycopg

    now = datetime.datetime.now(datetime.UTC)
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={DB}") as conn:
        cur = conn.cursor()
        cur.execute("select id, code, parent_id from core_area where level='community'")
        areas = {code: (pk, parent) for pk, code, parent in cur.fetchall()}
        cur.execute("select id from appeals_category where code='sanitation'")
        category = cur.fetchone()[0]
        rows = [
            (
                f"R{n:011d}", "open311", category, areas[codes[n % len(codes)]][0],
                areas[codes[n % len(codes)]][1], areas[codes[n % len(codes)]][0], "",
                f"raw {n}", "", "", "", "received", "", now, now, now, False, False, 0,
                "raw", f"k{n}",
            )
            for n in range(count)
        ]  # fmt: skip
        started = time.perf_counter()
        cur.executemany(
            "insert into appeals_appeal (tracking_code, channel, category_id, area_id,"
            " street_id, community_id, address, description, photo, contact_name,"
            " contact_phone_encrypted, state, unroutable_reason, received_at,"
            " response_due_at, resolution_due_at, response_overdue, resolution_overdue,"
            " reopen_count, client, idempotency_key, public_reply, satisfaction)"
            " values (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,'','')",
            rows,
        )
        conn.commit()
        return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    wrk = ensure_wrk()
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    codes, key = prepare()
    env = dict(os.environ, DATABASE_URL=URL, JICENG_ALLOWED_HOSTS="127.0.0.1,localhost")
    server = subprocess.Popen(
        [str(VENV / "gunicorn"), "jiceng.wsgi", "-w", str(args.workers), "-b",
         f"127.0.0.1:{PORT}", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        time.sleep(3)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % {"codes": ",".join(f'"{c}"' for c in codes), "key": key})
        # A short warm-up, then the measured run.
        subprocess.run(
            [wrk, "-t1", "-c2", "-d2s", "-s", script.name, f"http://127.0.0.1:{PORT}"],
            check=True, capture_output=True,
        )  # fmt: skip
        result = subprocess.run(
            [wrk, "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
             "-s", script.name, f"http://127.0.0.1:{PORT}"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(result)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1))
    p99 = re.search(r"99%\s+([\d.]+\w+)", result).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    os.environ["DATABASE_URL"] = URL
    from jiceng.appeals.models import Appeal

    stored = Appeal.objects.count()
    raw = raw_inserts(max(stored, 10_000), codes)
    from django.db import connection

    connection.close()
    print(f"cases stored: {stored}, non-2xx: {non2xx.group(1) if non2xx else 0}")
    print(
        f"| intake over HTTP (Open311 POST) | gunicorn {args.workers} workers, "
        f"{args.connections} connections, {args.seconds} s | {rate:.0f} cases/s | "
        f"p99 {p99} | raw inserts {raw:.0f} rows/s | ratio {rate / raw:.2f} |"
    )
    psql(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    sys.exit(main())
