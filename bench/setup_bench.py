"""A new user's first minute: clone, `make run` with empty package caches, first page.

    python3.11 bench/setup_bench.py [--runs 3] [--ref BRANCH] [--port 8765] [--settle 30]

Each run clones this repository (the checked-out branch, or --ref) into a temporary
folder, runs `make run PORT=…` there with empty uv and pip caches (UV_CACHE_DIR and
PIP_CACHE_DIR point into the temporary folder, so nothing comes from an earlier run or
another project), and polls http://127.0.0.1:PORT/accounts/login/ until it answers 200.
It reports the seconds from `make run` to the installed environment (the stamp file
appearing), to the first page, and the steps `jiceng prepare` timed itself (migrate,
compilemessages, demo), with the load average before and after. The server's process
group is ended after each run; the folders are removed only after the last run.

Why so late: on this machine's ext4 (no journal), the inode allocator skips inodes
deleted in the last 60–360 s, checking each one, so creating files right after removing
tens of thousands costs seconds of kernel time (`perf`: 30 % of uv's samples in
`recently_deleted`). Removing the previous run's 300 MB just before the next install made
run after run slower (13 → 19 s back to back, uv's system time 2 → 14 s): the series then
measured the bench, not a new user's machine. Likewise start a series a few minutes after
removing anything large. Before each run the writes are flushed and the machine left
alone for --settle seconds. Stdlib only: it runs before any venv.
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
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 300


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def session_cpu_seconds(session: int) -> float:
    """CPU seconds (user + system) spent so far by the `make run` session: each live
    process's own time plus that of the children it has already reaped (uv, pip and
    `jiceng prepare` are reaped by make when they end). On a loaded machine this is
    the part of the wall time that does not depend on the load."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the name: state ppid pgrp session ... utime(12) stime(13) cutime(14) cstime(15)
        if int(fields[3]) == session:
            total += sum(int(value) for value in fields[11:15])
    return total / CLOCK_TICKS


def first_page(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def one_run(
    ref: str, port: int, keep_log: Path | None, keep_no_bytecode: bool, scratch: Path
) -> dict:
    checkout = scratch / "jiceng"
    subprocess.run(
        ["git", "clone", "--quiet", "--branch", ref, str(REPO), str(checkout)], check=True
    )
    env = dict(os.environ)
    env.update(
        UV_CACHE_DIR=str(scratch / "uv-cache"),
        PIP_CACHE_DIR=str(scratch / "pip-cache"),
    )
    # A new user's shell writes bytecode; a session that turned that off (the variable)
    # would pay Python's compile in each of the three processes. --no-bytecode keeps it.
    if not keep_no_bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("VIRTUAL_ENV", None)
    log_path = scratch / "make-run.log"
    url = f"http://127.0.0.1:{port}/accounts/login/"
    if first_page(url):
        raise SystemExit(f"port {port} already answers; choose another with --port")
    load_before = load()
    started = time.monotonic()
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=checkout,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    installed = page = cpu = cpu_installed = None
    stamp = checkout / ".venv" / ".installed-run"
    try:
        while time.monotonic() - started < TIMEOUT_SECONDS:
            if server.poll() is not None:
                break
            if installed is None and stamp.exists():
                installed = time.monotonic() - started
                cpu_installed = session_cpu_seconds(server.pid)
            if first_page(url):
                page = time.monotonic() - started
                cpu = session_cpu_seconds(server.pid)
                break
            time.sleep(0.1)
    finally:
        load_after = load()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    log_text = log_path.read_text(errors="replace")
    if keep_log is not None:
        shutil.copy(log_path, keep_log)
    if page is None:
        sys.stderr.write(log_text[-4000:])
        raise SystemExit("no first page: see the log above")
    steps = {}
    match = re.search(r"(?:准备用时|Preparation took)[：:] *(.*)", log_text)
    if match:
        for name, seconds in re.findall(r"([a-z]+) ([0-9.]+) s", match.group(1)):
            steps[name] = float(seconds)
    demo_own = re.search(r"(?:用时|in) ([0-9.]+) (?:秒|s)", log_text)
    return {
        "installed": installed,
        "first_page": page,
        "cpu": cpu,
        "cpu_installed": cpu_installed,
        "steps": steps,
        "demo_own": float(demo_own.group(1)) if demo_own else None,
        "load_before": load_before,
        "load_after": load_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--ref",
        default=subprocess.run(
            ["git", "rev-parse", "--abbrev-ref", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip(),
    )
    parser.add_argument(
        "--settle", type=float, default=30, help="seconds of quiet after a sync, before each run"
    )
    parser.add_argument("--log", type=Path, help="keep the last run's make output here")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE from the environment (removed by default)",
    )
    args = parser.parse_args()
    print(f"# {time.strftime('%Y-%m-%d %H:%M %Z')} · {os.cpu_count()} cores · ref {args.ref}")
    print(f"# uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    scratches: list[Path] = []
    try:
        for number in range(1, args.runs + 1):
            os.sync()
            time.sleep(args.settle)
            scratches.append(Path(tempfile.mkdtemp(prefix="jiceng-setup-bench-")))
            report(number, one_run(args.ref, args.port, args.log, args.no_bytecode, scratches[-1]))
    finally:
        for scratch in scratches:
            shutil.rmtree(scratch, ignore_errors=True)


def report(number: int, result: dict) -> None:
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result["steps"].items())
    installed = result["installed"]
    print(
        f"run {number}: first page {result['first_page']:.1f} s, CPU {result['cpu']:.1f} s"
        f" (installed at {installed:.1f} s, CPU {result['cpu_installed']:.1f} s;"
        f" {steps}; demo's own {result['demo_own']} s)"
        f" · load {result['load_before']} → {result['load_after']}"
        if installed is not None
        else f"run {number}: first page {result['first_page']:.1f} s",
        flush=True,
    )


if __name__ == "__main__":
    main()
