"""Where `jiceng prepare` spends its time on a fresh database: the schema (made as
`jiceng prepare` makes it on an empty database, core.fresh_schema), then the street
demo part by part, each with its wall time and its CPU time (on a busy machine the CPU
figure is the one that does not depend on the load; both are printed with the load
average before and after).

    .venv/bin/python bench/prepare_bench.py [--runs 3] [--scale street]

Each run is a new process with a new SQLite database in a temporary folder
(JICENG_VAR_DIR; DATABASE_URL is removed), so var/ is never touched. The parts are
timed by wrapping the demo generator's own steps (territory and members, appeals,
accounts, co-building, organizational life with the year of meetings and its bulk
write); the wrappers only read the clock. `bench/setup_bench.py` measures the whole
`make run` from a fresh clone; this one says which step to look at.
"""

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# (module, function, label): the demo's steps, in the order they run.
PARTS = [
    ("jiceng.demo.generator", "_write_areas", "territory: areas"),
    ("jiceng.demo.generator", "_write_orgs", "territory: orgs"),
    ("jiceng.demo.generator", "_write_units", "territory: units"),
    ("jiceng.demo.generator", "_write_people", "grid leaders, big committees"),
    ("jiceng.demo.generator", "_write_members", "party members"),
    ("jiceng.demo.cases", "write_cases", "a year of appeals"),
    ("jiceng.demo.logins", "demo_accounts_create", "demo accounts"),
    ("jiceng.demo.cases", "finish", "today's appeals"),
    ("jiceng.demo.cobuild", "fill", "co-building"),
    ("jiceng.demo.orglife", "fill_meetings", "orglife: a year of meetings"),
    ("jiceng.orglife.bulk", "MeetingBatch.write", "  of which the bulk write"),
    ("jiceng.demo.orglife", "fill_deliberation", "orglife: deliberation"),
    ("jiceng.demo.orglife", "fill_contact_points", "orglife: contact points"),
    ("jiceng.demo.orglife", "fill_household_visits", "orglife: household visits"),
]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def child(scale: str) -> dict:
    """One run, inside a process whose JICENG_VAR_DIR is a new folder."""
    import importlib

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    django.setup()

    spent: dict[str, list[float]] = {}

    def timed(function, label):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            wall, cpu = time.monotonic(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                total = spent.setdefault(label, [0.0, 0.0])
                total[0] += time.monotonic() - wall
                total[1] += time.process_time() - cpu

        return wrapper

    for module_name, name, label in PARTS:
        owner = importlib.import_module(module_name)
        *path, attribute = name.split(".")
        for step in path:
            owner = getattr(owner, step)
        setattr(owner, attribute, timed(getattr(owner, attribute), label))

    result: dict = {"load_before": load()}
    wall, cpu = time.monotonic(), time.process_time()
    from jiceng.core import fresh_schema

    fresh_schema.create_schema(verbosity=0)
    result["migrate"] = [time.monotonic() - wall, time.process_time() - cpu]
    result["load_after_migrate"] = load()

    from jiceng.demo.generator import demo_generate

    wall, cpu = time.monotonic(), time.process_time()
    demo = demo_generate(scale=scale)
    result["demo"] = [time.monotonic() - wall, time.process_time() - cpu]
    result["load_after"] = load()
    result["parts"] = {label: spent[label] for _, _, label in PARTS if label in spent}
    result["meetings"] = demo.counts.get("orglife_meetings")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--scale", default="street")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.scale)))
        return
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {os.cpu_count()} cores")
    for run in range(1, args.runs + 1):
        scratch = Path(tempfile.mkdtemp(prefix="jiceng-prepare-bench-"))
        env = dict(os.environ, JICENG_VAR_DIR=str(scratch))
        env.pop("DATABASE_URL", None)
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--child", "--scale", args.scale],
                cwd=REPO,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        migrate, demo = result["migrate"], result["demo"]
        print(
            f"run {run}: schema {migrate[0]:.1f} s (CPU {migrate[1]:.1f} s), "
            f"demo {demo[0]:.1f} s (CPU {demo[1]:.1f} s), {result['meetings']} meetings · "
            f"load {result['load_before']} → {result['load_after_migrate']} → "
            f"{result['load_after']}"
        )
        for label, (wall, cpu) in result["parts"].items():
            print(f"    {label:<32} {wall:6.2f} s  CPU {cpu:6.2f} s")


if __name__ == "__main__":
    main()
