"""Appeal intake over HTTP on PostgreSQL (issue 4): cases per second, latency
percentiles and errors under a bounded loopback load; the ratio to raw inserts of the
same rows through the same driver; and the deferred routing step's own rate, so the
whole path is measured, not only the part that answers the client.

- A throwaway database (default `jiceng_bench_intake` on 127.0.0.1:5432, user postgres;
  dropped at the end) holding a district of 20 streets × 15 communities × 10 grids, a
  居委会 per community with a routing rule (any category) and one district rule for
  违章搭建, and an Open311 key; all written through the services.
- gunicorn serves the project (2 workers by default, gthread with 8 threads each: see
  bench/README.md for why); wrk (Debian package `wrk`) posts Open311 requests,
  form-encoded with the api_key and an Idempotency-Key header, each at a random grid,
  in a random one of the 22 categories, with a text put together from pieces, at a fixed
  number of connections for a fixed time, to 127.0.0.1 only. A Lua `done` hook prints
  p50/p95/p99 (wrk's own --latency has no p95).
- Phases, each with `uptime`'s load average before it:
  1. intake alone: the number the target is about;
  2. `jiceng process-intake` over the backlog phase 1 left (its own process, as cron
     runs it): routed cases per second;
  3. intake with the routing step looping beside it on the same two cores (unless
     --no-combined): what the whole path sustains, and the backlog left at the end;
  4. raw inserts: the same statement the intake sends (the case and its "received"
     event, one CTE) through psycopg without Django or HTTP, (a) executemany in one
     transaction on one connection, (b) one commit per case from as many connections as
     the HTTP load used;
  5. checks: nothing pending after a last run of the step, the audit chain verifies,
     the monthly counters equal a rebuild from the cases, stored cases match 2xx answers.

  Before each phase the benchmark idles (--settle) and notes `uptime`; during it, it
  reads from /proc how many cores went to its own processes (its process tree and its
  database's PostgreSQL backends), to PostgreSQL's shared processes, and to other work on
  the machine, which it does not control.

    .venv/bin/python bench/appeals_intake_bench.py [--seconds 20] [--connections 16]
        [--worker-class gthread|sync] [--workers 2] [--threads 8] [--database NAME]
        [--no-combined] [--json bench/out/intake.json]
"""

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

PORT = 8311
ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin"
STREETS, COMMUNITIES, GRIDS = 20, 15, 10
PLACES = ["小区门口", "楼道里", "路口", "菜场旁", "幼儿园门口", "公交站", "地下车库", "健身步道"]
PROBLEMS = [
    "垃圾桶满溢三天没人清运",
    "路灯不亮",
    "井盖松动有安全隐患",
    "夜间施工噪音扰民",
    "有人违章搭建",
    "下雨积水严重",
    "电梯经常故障",
    "绿化带枯死无人养护",
    "共享单车乱停放",
    "楼上漏水",
]

LUA = r"""
local codes = {%(codes)s}
local services = {%(services)s}
local places = {%(places)s}
local problems = {%(problems)s}
local key = "%(key)s"
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  counter = 0
  math.randomseed(tid * 7919 + %(seed)d)
end
function request()
  counter = counter + 1
  local body = "api_key=" .. key
    .. "&service_code=" .. services[math.random(#services)]
    .. "&address_id=" .. codes[math.random(#codes)]
    .. "&description=" .. places[math.random(#places)] .. math.random(1, 200)
    .. "%%E5%%8F%%B7" .. problems[math.random(#problems)]
  return wrk.format("POST", "/open311/v2/requests.json", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Idempotency-Key"] = "%(run)s-" .. tid .. "-" .. counter,
  }, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LATENCY_US p50=%%d p95=%%d p99=%%d max=%%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
  io.write(string.format("ERRORS connect=%%d read=%%d write=%%d status=%%d timeout=%%d\n",
    e.connect, e.read, e.write, e.status, e.timeout))
  io.write(string.format("COMPLETED %%d\n", summary.requests))
end
"""


def sh(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, **kwargs)


def psql(sql: str, database: str = "postgres") -> str:
    return sh(
        "psql", "-qAt", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-c", sql,
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def others() -> list[str]:
    """What else is busy on the machine (the load this benchmark does not control)."""
    top = subprocess.run(
        ["ps", "-eo", "pcpu,args", "--sort=-pcpu", "--no-headers"], capture_output=True, text=True
    ).stdout.splitlines()
    return [line.strip()[:90] for line in top[:6] if float(line.split()[0]) >= 5]


class CpuMeter:
    """Where the machine's CPU went during a phase, from /proc: this benchmark's own
    processes (its process tree, and the PostgreSQL backends of its database), the
    PostgreSQL processes everyone shares (WAL writer, checkpointer, …), and everything
    else — other people's work, which this benchmark does not control. In cores: 1.0 is
    one core busy for the whole phase. A process that ends during the phase is counted in
    the machine's total only, so "others" is that total less the rest."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.tick = os.sysconf("SC_CLK_TCK")

    def _processes(self) -> dict[int, tuple[int, int, str]]:
        found = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                raw = Path(entry.path, "stat").read_text()
                cmd = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            fields = raw.rsplit(")", 1)[1].split()
            found[int(entry.name)] = (int(fields[11]) + int(fields[12]), int(fields[1]), cmd)
        return found

    @staticmethod
    def _busy() -> int:
        cpu = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        return sum(int(v) for i, v in enumerate(cpu) if i not in (3, 4))  # not idle, iowait

    @staticmethod
    def _children() -> float:
        """CPU seconds of this process's children that ended and were waited for."""
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def start(self) -> None:
        self.t0, self.busy0, self.before = time.monotonic(), self._busy(), self._processes()
        self.children0 = self._children()

    def stop(self) -> dict:
        seconds = time.monotonic() - self.t0
        busy, after = self._busy(), self._processes()
        backends = set(
            int(pid)
            for pid in psql(
                f"select pid from pg_stat_activity where datname = '{self.database}'"
            ).split()
        )
        children: dict[int, list[int]] = {}
        for pid, (_ticks, parent, _cmd) in after.items():
            children.setdefault(parent, []).append(pid)
        ours, stack = set(), [os.getpid()]
        while stack:
            pid = stack.pop()
            ours.add(pid)
            stack.extend(children.get(pid, ()))
        ours |= backends
        split = {
            "ours": (self._children() - self.children0) / seconds,
            "postgresql_shared": 0.0,
            "others_seen": 0.0,
        }
        top: dict[str, float] = {}
        for pid, (ticks, _parent, cmd) in after.items():
            # A process started during the phase counts from its start.
            used = (ticks - self.before.get(pid, (0,))[0]) / self.tick / seconds
            if pid in ours:
                split["ours"] += used
            elif cmd.startswith("postgres: 15/main: ") and "127.0.0.1" not in cmd:
                split["postgresql_shared"] += used
            else:
                split["others_seen"] += used
                if used >= 0.02:
                    top[cmd[:80]] = top.get(cmd[:80], 0) + used
        total = (busy - self.busy0) / self.tick / seconds
        result = {name: round(value, 2) for name, value in split.items()}
        result["machine_busy"] = round(total, 2)
        result["others"] = round(max(0.0, total - split["ours"] - split["postgresql_shared"]), 2)
        result["others_top"] = {
            k: round(v, 2) for k, v in sorted(top.items(), key=lambda i: -i[1])[:5]
        }
        return result


def settle(result: dict, phase: str, seconds: float) -> None:
    """Let the load average fall back from the previous phase, then note it: the 1-minute
    figure then shows the machine's other work rather than this benchmark's own."""
    time.sleep(seconds)
    result[f"load_before_{phase}"] = uptime()
    result[f"others_before_{phase}"] = others()


def find_wrk() -> str:
    found = shutil.which("wrk")
    if not found:
        sys.exit(
            "wrk is needed for the HTTP load and is not installed.\n"
            "Debian/Ubuntu: sudo apt-get install wrk   (then run this again)"
        )
    return found


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()


def prepare() -> tuple[list[str], str]:
    """Territory, handling units, rules and a key, through the services."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from jiceng.appeals import services
    from jiceng.appeals.models import Category
    from jiceng.core.models import Area
    from jiceng.core.services import AreaSpec, area_bulk_create, area_create

    city = area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
    district = area_create(
        actor=None, parent=city, code="310104000000", name="徐汇区", level="district"
    )
    specs = [
        ("310104000000", AreaSpec(f"310104{i:03d}000", f"街道{i}", "street"))
        for i in range(1, STREETS + 1)
    ]
    specs += [
        (f"310104{i:03d}000", AreaSpec(f"310104{i:03d}{j:03d}", f"社区{i}-{j}", "community"))
        for i in range(1, STREETS + 1)
        for j in range(1, COMMUNITIES + 1)
    ]
    specs += [
        (
            f"310104{i:03d}{j:03d}",
            AreaSpec(f"310104{i:03d}{j:03d}{k:03d}", f"第{k}网格", "grid"),
        )
        for i in range(1, STREETS + 1)
        for j in range(1, COMMUNITIES + 1)
        for k in range(1, GRIDS + 1)
    ]
    area_bulk_create(actor=None, parent_by_code={district.code: district}, specs=specs)
    communities = list(Area.objects.filter(level="community").order_by("code"))
    units = services.handling_unit_bulk_create(
        actor=None,
        rows=[services.HandlingUnitRow(f"{c.name}居委会", "community", c) for c in communities],
    )
    department = services.handling_unit_create(
        actor=None, name="区城管执法局", kind="department", area=district
    )
    rows = [services.RoutingRuleRow(u.area, u) for u in units]
    rows.append(
        services.RoutingRuleRow(district, department, Category.objects.get(code="illegal-building"))
    )
    services.routing_rule_bulk_set(actor=None, rows=rows)
    _key, raw = services.open311_key_create(actor=None, name="bench")
    grids = list(Area.objects.filter(level="grid").order_by("code").values_list("code", flat=True))
    return grids, raw


def run_wrk(wrk: str, script: str, connections: int, seconds: int) -> dict:
    out = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", script, f"http://127.0.0.1:{PORT}"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    latency = dict(re.findall(r"(p\d+|max)=(\d+)", re.search(r"LATENCY_US .*", out).group(0)))
    errors = dict(re.findall(r"(\w+)=(\d+)", re.search(r"ERRORS .*", out).group(0)))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    completed = int(re.search(r"COMPLETED (\d+)", out).group(1))
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "completed": completed,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(v) for k, v in errors.items() if k != "status"),
        "p50_ms": int(latency["p50"]) / 1000,
        "p95_ms": int(latency["p95"]) / 1000,
        "p99_ms": int(latency["p99"]) / 1000,
        "max_ms": int(latency["max"]) / 1000,
        "seconds": seconds,
        "raw": out,
    }


def count_cases(database: str) -> tuple[int, int]:
    row = psql(
        "select count(*), count(*) filter (where routing_pending) from appeals_appeal"
        " where channel = 'open311'",
        database,
    )
    total, pending = row.split("|")
    return int(total), int(pending)


def route_loop(url: str, seconds: float) -> None:
    """Phase 3's routing step: the deferred step every half second, as a
    `process-intake` loop would run beside the intake."""
    django_setup(url)
    from jiceng.appeals.intake import intake_process

    started = time.monotonic()
    routed = 0
    while time.monotonic() < started + seconds:
        routed += intake_process().processed
        time.sleep(0.5)
    routed += intake_process().processed
    print(f"ROUTED {routed} IN {time.monotonic() - started:.2f}")


def raw_inserts(url: str, count: int, grids: list[str], connections: int) -> dict:
    """The same rows (case + received event) through psycopg alone, with the very
    statement the intake sends: (a) executemany in one transaction, (b) one commit per
    case from `connections` connections at once."""
    import datetime

    import psycopg

    django_setup(url)
    from jiceng.appeals.intake import APPEAL_COLUMNS, receive_sql
    from jiceng.appeals.models import Category
    from jiceng.appeals.services import deadlines, new_tracking_code
    from jiceng.core.models import Area

    conninfo = url.replace("postgres://", "postgresql://")
    categories = list(Category.objects.all())
    places = {
        a.code: (a.pk, a.parent.parent_id, a.parent_id)
        for a in Area.objects.filter(code__in=grids).select_related("parent")
    }
    rng = random.Random(2026)

    def params(n: int, tag: str) -> list:
        now = datetime.datetime.now(datetime.UTC)
        category = rng.choice(categories)
        area, street, community = places[rng.choice(grids)]
        response_due, resolution_due = deadlines(category, now)
        fields = {
            "tracking_code": new_tracking_code(),
            "channel": "open311", "category_id": category.pk, "area_id": area,
            "street_id": street, "community_id": community, "address": "",
            "latitude": None, "longitude": None,
            "description": f"{rng.choice(PLACES)}{n}号{rng.choice(PROBLEMS)}", "photo": "",
            "contact_name": "", "contact_phone_encrypted": "", "state": "received",
            "unroutable_reason": "", "received_at": now, "response_due_at": response_due,
            "resolution_due_at": resolution_due, "satisfaction": "", "public_reply": "",
            "public_description": "",
            "response_overdue": False, "resolution_overdue": False, "reopen_count": 0,
            "client": "raw", "idempotency_key": f"{tag}-{n}", "created_by_id": None,
            "routing_pending": False,
        }  # fmt: skip
        return [fields[c] for c in APPEAL_COLUMNS] + [None, None, now, "诉求已受理"]

    batch = [params(n, "a") for n in range(count)]
    with psycopg.connect(conninfo) as conn:
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany(receive_sql(), batch)
        conn.commit()
        batched = count / (time.perf_counter() - started)

    per_commit = [params(n, "b") for n in range(count)]
    chunks = [per_commit[i::connections] for i in range(connections)]
    barrier = threading.Barrier(connections + 1)

    def commit_each(rows: list) -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn, conn.cursor() as cur:
            barrier.wait()
            for row in rows:
                cur.execute(receive_sql(), row)

    threads = [threading.Thread(target=commit_each, args=(c,)) for c in chunks]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    one_by_one = count / (time.perf_counter() - started)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DELETE FROM appeals_appealevent USING appeals_appeal a"
                     " WHERE appeal_id = a.id AND a.client = 'raw'")  # fmt: skip
        conn.execute("DELETE FROM appeals_appeal WHERE client = 'raw'")
    return {"batched": batched, "one_commit_each": one_by_one, "rows": count}


def checks(url: str) -> dict:
    """Correctness after the load: drain the step, then verify."""
    django_setup(url)
    from django.db.models import Count

    from jiceng.appeals import rollup
    from jiceng.appeals.intake import intake_process
    from jiceng.appeals.models import Appeal, AppealMonthStat
    from jiceng.core.audit import audit_verify

    drained = intake_process().processed

    def stats() -> list:
        return sorted(
            AppealMonthStat.objects.values_list("community_id", "month", *rollup.COUNTERS)
        )

    kept = stats()
    rollup.rebuild()
    verified = audit_verify()
    cases = Appeal.objects.filter(channel="open311")
    return {
        "drained_by_last_step": drained,
        "pending_left": Appeal.objects.filter(routing_pending=True).count(),
        "audit_chain_ok": verified.ok,
        "audit_entries": verified.checked,
        "counters_equal_rebuild": kept == stats(),
        "open311_cases": cases.count(),
        "received_events": cases.filter(events__action="receive").count(),
        "states": dict(cases.values_list("state").annotate(n=Count("id")).order_by()),
        "unroutable_reasons": dict(
            cases.exclude(unroutable_reason="")
            .values_list("unroutable_reason")
            .annotate(n=Count("id"))
            .order_by()
        ),
    }


def versions(url: str, wrk: str) -> dict:
    import django
    import gunicorn
    import psycopg

    database = url.rsplit("/", 1)[1]
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "psycopg": psycopg.__version__,
        "gunicorn": gunicorn.__version__,
        "postgresql": psql("show server_version", database),
        "wrk": subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split("\n")[0],
        "synchronous_commit": psql("show synchronous_commit", database),
    }


def serve(url: str, args) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, JICENG_ALLOWED_HOSTS="127.0.0.1,localhost")
    env.pop("JICENG_DEBUG", None)
    command = [
        str(VENV / "gunicorn"),
        "jiceng.wsgi",
        "-w",
        str(args.workers),
        "-b",
        f"127.0.0.1:{PORT}",
        "--log-level",
        "warning",
        "-k",
        args.worker_class,
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # fmt: skip
    for _ in range(100):
        try:
            import urllib.request

            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/open311/discovery.json", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database", default="jiceng_bench_intake")
    parser.add_argument("--no-combined", action="store_true")
    parser.add_argument(
        "--settle", type=float, default=30, help="idle seconds before each measured phase"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--route-loop", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    if args.route_loop:
        return route_loop(url, args.route_loop)
    if args.step:
        found = _step(args.step, url, json.loads(sys.stdin.read()))
        print("RESULT " + json.dumps(found, default=str))
        return None
    wrk = find_wrk()
    psql(f"DROP DATABASE IF EXISTS {args.database}")
    psql(f"CREATE DATABASE {args.database}")
    result: dict = {"date": time.strftime("%Y-%m-%d %H:%M"), "args": vars(args)}
    try:
        # Set up in a child process, so this one holds no connection or cache.
        grids, key = _prepare_in_child(url)
        result["versions"] = versions(url, wrk)
        from jiceng.appeals.taxonomy import CATEGORIES

        def script(run: str) -> str:
            """A load script of its own for each wrk run: its own Idempotency-Keys (a
            key seen before would be answered as a retry) and its own random seed (the
            same texts at the same places again would be held as duplicates)."""
            quote = urllib.parse.quote
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
                file.write(LUA % {
                    "codes": ",".join(f'"{c}"' for c in grids),
                    "services": ",".join(f'"{c[0]}"' for c in CATEGORIES),
                    "places": ",".join(f'"{quote(p)}"' for p in PLACES),
                    "problems": ",".join(f'"{quote(p)}"' for p in PROBLEMS),
                    "key": key, "seed": random.randrange(10**9), "run": run,
                })  # fmt: skip
            return file.name

        meter = CpuMeter(args.database)
        server = serve(url, args)
        try:
            # Warm-up: every worker and thread connected, caches filled (not counted).
            subprocess.run(
                [wrk, "-t2", f"-c{args.connections}", "-d3s", "-s", script("warm"),
                 f"http://127.0.0.1:{PORT}"], check=True, capture_output=True,
            )  # fmt: skip
            subprocess.run([str(VENV / "jiceng"), "process-intake"], env=dict(
                os.environ, DATABASE_URL=url), check=True, capture_output=True)  # fmt: skip
            before, _pending = count_cases(args.database)

            settle(result, "intake", args.settle)
            meter.start()
            intake = run_wrk(wrk, script("intake"), args.connections, args.seconds)
            intake["cpu"] = meter.stop()
            after, pending = count_cases(args.database)
            intake["stored"] = after - before
            intake["pending"] = pending
            result["intake"] = intake

            settle(result, "routing", args.settle / 2)
            env = dict(os.environ, DATABASE_URL=url)
            meter.start()
            started = time.perf_counter()
            out = subprocess.run(
                [str(VENV / "jiceng"), "process-intake"], env=env, check=True,
                capture_output=True, text=True,
            ).stdout  # fmt: skip
            wall = time.perf_counter() - started
            routing_cpu = meter.stop()
            step = re.search(r"待派单 (\d+) 件.*?（([\d.]+) 秒", out)
            routed, seconds = int(step.group(1)), float(step.group(2))
            result["routing"] = {
                "cases": routed, "seconds": seconds, "rate": routed / seconds,
                "wall_seconds": wall, "output": out.strip(), "cpu": routing_cpu,
            }  # fmt: skip

            if not args.no_combined:
                settle(result, "combined", args.settle)
                before, _pending = count_cases(args.database)
                meter.start()
                # The loop runs a little past the load, to take what the last seconds left.
                loop = subprocess.Popen(
                    [sys.executable, __file__, "--database", args.database,
                     "--route-loop", str(args.seconds + 2)],
                    stdout=subprocess.PIPE, text=True, env=env,
                )  # fmt: skip
                combined = run_wrk(wrk, script("combined"), args.connections, args.seconds)
                combined["cpu"] = meter.stop()
                routed_out, _err = loop.communicate(timeout=600)
                combined["stored"] = count_cases(args.database)[0] - before
                found = re.search(r"ROUTED (\d+) IN ([\d.]+)", routed_out)
                combined["routed"] = int(found.group(1))
                combined["routed_rate"] = combined["routed"] / float(found.group(2))
                combined["pending_after"] = count_cases(args.database)[1]
                result["combined"] = combined
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        settle(result, "raw", args.settle / 2)
        meter.start()
        result["raw"] = _in_child(
            "raw", url, {"count": 10_000, "grids": grids, "connections": args.connections}
        )
        result["raw"]["cpu"] = meter.stop()
        result["checks"] = _in_child("checks", url, {})
        # wrk stops counting at its deadline: requests in flight then are stored but
        # not counted, so stored may exceed answered by up to the connections.
        for phase in ("intake", "combined"):
            if phase in result:
                run = result[phase]
                run["stored_minus_answered"] = run["stored"] - (run["completed"] - run["non2xx"])
        result["load_after"] = uptime()
    finally:
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {args.database}")
    report(result, args)


def _prepare_in_child(url: str) -> tuple[list[str], str]:
    data = _in_child("prepare", url, {})
    return data["grids"], data["key"]


def _in_child(what: str, url: str, kwargs: dict) -> dict:
    """Run one step in a fresh Python process (its own Django, its own connections), so
    the measuring process holds no database connection or cache of its own."""
    database = url.rsplit("/", 1)[1]
    done = subprocess.run(
        [sys.executable, __file__, "--database", database, "--step", what],
        input=json.dumps(kwargs),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"{what} failed:\n{done.stderr}")
    return json.loads(re.search(r"^RESULT (.*)$", done.stdout, re.M).group(1))


def _step(what: str, url: str, kwargs: dict) -> dict:
    if what == "prepare":
        django_setup(url)
        grids, key = prepare()
        return {"grids": grids, "key": key}
    if what == "raw":
        return raw_inserts(url, kwargs["count"], kwargs["grids"], kwargs["connections"])
    if what == "checks":
        return checks(url)
    raise ValueError(what)


def report(result: dict, args) -> None:
    intake, routing, raw = result["intake"], result["routing"], result["raw"]
    print(intake["raw"])
    print(json.dumps({k: v for k, v in result.items() if k not in ("intake",)}, indent=1,
                     default=str, ensure_ascii=False))  # fmt: skip
    workers = f"gunicorn {args.workers} {args.worker_class} workers" + (
        f" × {args.threads} threads" if args.worker_class == "gthread" else ""
    )
    load = f"wrk 2 threads × {args.connections} connections, {args.seconds} s"
    print()
    print("| what | setting | result |")
    print("|---|---|---|")
    print(
        f"| Open311 POST intake (acknowledged after one write) | {workers}, {load} | "
        f"**{intake['rate']:.0f} cases/s**, p50 {intake['p50_ms']:.1f} ms, "
        f"p95 {intake['p95_ms']:.1f} ms, p99 {intake['p99_ms']:.1f} ms, "
        f"{intake['non2xx']} non-2xx, {intake['socket_errors']} socket errors |"
    )
    print(
        f"| deferred step `jiceng process-intake` over that backlog | batches of 500, "
        f"one process | **{routing['rate']:.0f} cases/s** ({routing['cases']} cases in "
        f"{routing['seconds']:.1f} s) |"
    )
    if "combined" in result:
        c = result["combined"]
        print(
            f"| both at once on the same 2 cores | as above, step every 0.5 s | intake "
            f"{c['rate']:.0f} cases/s (p95 {c['p95_ms']:.1f} ms), routed "
            f"{c['routed_rate']:.0f} cases/s, {c['pending_after']} left pending at the end |"
        )
    print(
        f"| raw: the same statement via psycopg, executemany, one transaction | "
        f"{raw['rows']} cases | {raw['batched']:.0f} cases/s; ratio intake/raw "
        f"{intake['rate'] / raw['batched']:.2f} |"
    )
    print(
        f"| raw: the same statement via psycopg, one commit per case | {raw['rows']} "
        f"cases, {args.connections} connections | {raw['one_commit_each']:.0f} cases/s; "
        f"ratio intake/raw {intake['rate'] / raw['one_commit_each']:.2f} |"
    )
    print()
    print("checks:", json.dumps(result["checks"], ensure_ascii=False))
    for phase in ("intake", "routing", "combined", "raw"):
        if f"load_before_{phase}" in result:
            print(f"load before {phase}: {result[f'load_before_{phase}']}")
            cpu = result.get(phase, {}).get("cpu")
            if cpu:
                print(
                    f"    cores during {phase}: machine busy {cpu['machine_busy']}, this "
                    f"benchmark {cpu['ours']:.2f}, PostgreSQL shared {cpu['postgresql_shared']}, "
                    f"other work {cpu['others_seen']} (long-running processes)"
                )
                for command, cores in cpu["others_top"].items():
                    print(f"      {cores:.2f}  {command}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1, default=str, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
