"""Validate and import a 100,000-row roster: time and peak memory, SQLite and PostgreSQL.

Generates a realistic roster (distinct valid ID numbers, mixed date forms, header
variants) into a temporary .xlsx, then runs `jiceng.members.imports.member_import` in a
child process against a new database, so the peak resident memory is the import's own.

    .venv/bin/python bench/member_import_bench.py [--rows 100000] [--db sqlite|postgres]
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_DB = "jiceng_bench_import"


def make_roster(path: Path, rows: int) -> None:
    import xlsxwriter

    sys.path.insert(0, str(ROOT / "src"))
    from jiceng.core.validators import id_check_character

    rng = random.Random(11)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("党员花名册")
    sheet.write_row(
        0,
        0,
        [
            "姓名",
            "公民身份号码",
            "民族",
            "文化程度",
            "入党时间",
            "转正时间",
            "人员类别",
            "联系电话",
        ],
    )
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
    used = set()
    for r in range(1, rows + 1):
        while True:
            birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(23000))
            body = f"310104{birth:%Y%m%d}{rng.randrange(1000):03d}"
            if body not in used:
                used.add(body)
                break
        joined = birth + datetime.timedelta(days=365 * 19 + rng.randrange(365 * 20))
        joined = min(joined, datetime.date(2025, 1, 1))
        full = joined + datetime.timedelta(days=366)
        forms = (
            joined.isoformat(),
            f"{joined.year}年{joined.month}月{joined.day}日",
            f"{joined:%Y/%m/%d}",
        )
        sheet.write_row(r, 0, [
            rng.choice(surnames) + rng.choice(given)
            + (rng.choice(given) if rng.random() < 0.6 else ""),
            body + id_check_character(body),
            rng.choice(["汉族"] * 20 + ["回族", "满族", "蒙古族"]),
            rng.choice(["本科", "大专", "高中", "研究生", "初中", "中专"]),
            rng.choice(forms),
            full.isoformat(),
            rng.choice(["在职", "退休", "退休", "无业", "学生"]),
            f"13{rng.randrange(10**9):09d}",
        ])  # fmt: skip
    book.close()


CHILD = r"""
import json, os, resource, sys, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from jiceng.core.services import area_create
from jiceng.orgs.services import org_create
city = area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
d = area_create(actor=None, parent=city, code="310104000000", name="徐汇区", level="district")
s = area_create(actor=None, parent=d, code="310104004000", name="湖南路街道", level="street")
org = org_create(
    actor=None, name="湖南路街道综合党委", kind="committee", domain="community", area=s
)
from jiceng.members.imports import member_import
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
report = member_import(actor=None, org=org, data=data, filename="bench.xlsx")
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "rows": report.rows, "created": report.created,
                  "errors": len(report.errors),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jiceng-import-"))
    roster = work / "roster.xlsx"
    started = time.perf_counter()
    make_roster(roster, args.rows)
    print(f"roster of {args.rows:,} rows written in {time.perf_counter() - started:.1f} s "
          f"({roster.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)  # fmt: skip
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="jiceng.settings", JICENG_VAR_DIR=str(work))
    if args.db == "postgres":
        for sql in (f"DROP DATABASE IF EXISTS {PG_DB}", f"CREATE DATABASE {PG_DB}"):
            subprocess.run(
                ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", sql], check=True
            )
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    out = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", CHILD, str(roster)],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(result))
    print(
        f"| import {result['rows']:,} rows | {args.db} | {result['seconds']:.1f} s | "
        f"{result['peak_mib']:.0f} MiB | created {result['created']:,}, "
        f"errors {result['errors']} |"
    )
    if args.db == "postgres":
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c",
                        f"DROP DATABASE IF EXISTS {PG_DB}"], check=False)  # fmt: skip


if __name__ == "__main__":
    main()
