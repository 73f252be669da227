"""Matching 100,000 hotline addresses against the demo district's standard address
registry (issue 18): throughput and the share placed at each level.

Builds, in a new SQLite database (or PostgreSQL with `--db postgres`), the demo's
district (徐汇区: its real streets and residents' committees, the demo's generated grids
and buildings) and its registry as the demo writes it (`jiceng.demo.addresses.fill`:
real road names from the committees, generated lanes and numbers, compounds, a few
aliases). That is the fixture, timed but apart. Then 100,000 addresses are generated
from the registry the way hotline operators type them, with noise:

- full-width digits (30 %), Chinese numerals for the lane and number (10 %), spaces (10 %)
- prefixes: 上海市徐汇区 / 徐汇区 / 上海徐汇 / the street's name (45 %), none otherwise
- an extra room: 502室, 3-502, 12楼 (40 %); the building as 3幢 / 3栋 / 3号楼 (15 %)
- the compound and building number instead of the road (10 %)
- a number the registry does not have on a known lane (5 %): the lane's area
- unplaceable: an unknown road with the district named (4 %) or with nothing (3 %)

and each is matched (`places.matcher.match_text`, the Open311 and intake path) against
the index built once from the registry (its build time is reported too).

    .venv/bin/python bench/address_bench.py                  # SQLite in a temp dir
    .venv/bin/python bench/address_bench.py --db postgres    # creates jiceng_bench_address
"""

import argparse
import collections
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

PG_DB = "jiceng_bench_address"
FULL = str.maketrans("0123456789", "０１２３４５６７８９")
NUMERALS = "零一二三四五六七八九"


def chinese(number: int) -> str:
    if number < 10:
        return NUMERALS[number]
    if number < 20:
        return "十" + (NUMERALS[number % 10] if number % 10 else "")
    if number < 100:
        return NUMERALS[number // 10] + "十" + (NUMERALS[number % 10] if number % 10 else "")
    return "".join(NUMERALS[int(d)] for d in str(number))


def setup_database(args) -> None:
    if args.db == "postgres":
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-qc",
                f"DROP DATABASE IF EXISTS {PG_DB}",
            ],
            check=True,
        )
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {PG_DB}"],
            check=True,
        )
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        path = Path(tempfile.mkdtemp()) / "address_bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_registry(seed: int) -> dict:
    """The demo district's areas and registry, as the demo writes them."""
    from django.db import transaction

    from jiceng.core.models import Area
    from jiceng.core.services import AreaSpec, area_bulk_create, area_create
    from jiceng.demo import addresses
    from jiceng.demo.generator import _write_areas
    from jiceng.demo.plan import plan_street
    from jiceng.demo.territory import CITY_CODE, CITY_NAME, DEMO_DISTRICT_CODE, territory_for

    territory = territory_for("district")
    [district] = [d for d in territory.districts if d.code == DEMO_DISTRICT_CODE]
    with transaction.atomic():
        city = area_create(actor=None, parent=None, code=CITY_CODE, name=CITY_NAME, level="city")
        area_bulk_create(
            actor=None,
            parent_by_code={CITY_CODE: city},
            specs=[(CITY_CODE, AreaSpec(district.code, district.name, "district"))],
        )
        district_area = Area.objects.get(code=district.code)
        used: set[str] = set()
        plans = [
            plan_street(
                seed=seed,
                district=district,
                street=street,
                communities=territory.communities_of(street),
                used_usccs=used,
            )
            for street in territory.streets_of(district)
        ]
        _write_areas(district_area, plans)
        written = addresses.fill(seed=seed, area=district_area)
    return {"district": district.name, "streets": len(plans), "addresses": written}


def noisy(rng: random.Random, rows: list[tuple], streets: dict[str, str]) -> list[tuple[str, str]]:
    """(text as typed, what it should place: 'building', 'lane', 'district', 'none')."""
    out = []
    for _n in range(100_000):
        roll = rng.random()
        if roll < 0.03:
            out.append(
                (
                    f"某{rng.choice('东南西北')}{rng.choice('安康宁和')}路{rng.randint(1, 999)}号",
                    "none",
                )
            )
            continue
        if roll < 0.07:
            out.append((f"徐汇区某{rng.choice('东南西北')}路{rng.randint(1, 999)}号", "district"))
            continue
        text, compound, path = rng.choice(rows)
        expected = "building"
        head, lane_number = text.rsplit("弄", 1) if "弄" in text else (text, "")
        if not lane_number.rstrip("号").isdigit():
            head, lane_number = text, ""
        if lane_number and roll < 0.12:
            text = f"{head}弄{int(lane_number.rstrip('号')) + 40}号"  # a number not registered
            expected = "lane"
        elif lane_number and compound and roll < 0.22:
            text = f"{compound}{lane_number.rstrip('号')}号楼"
        elif lane_number and roll < 0.37:
            text = f"{head}弄{lane_number.rstrip('号')}{rng.choice(['幢', '栋', '号楼'])}"
        if rng.random() < 0.10 and lane_number:
            _road, lane = head.rsplit("路", 1) if "路" in head else (head, "")
            if lane.isdigit() and lane_number.rstrip("号").isdigit():
                text = text.replace(
                    f"{lane}弄{lane_number.rstrip('号')}",
                    f"{chinese(int(lane))}弄{chinese(int(lane_number.rstrip('号')))}",
                )
        if rng.random() < 0.40:
            text += rng.choice(
                [
                    f"{rng.randint(1, 30)}0{rng.randint(1, 4)}室",
                    f"-{rng.randint(1, 30)}0{rng.randint(1, 4)}",
                    f"{rng.randint(2, 30)}楼",
                ]
            )
            if text.endswith(tuple("0123456789")) and "-" in text and "号-" not in text:
                text = text.replace("号楼-", "-")
        prefix_roll = rng.random()
        if prefix_roll < 0.15:
            text = "上海市徐汇区" + text
        elif prefix_roll < 0.30:
            text = "徐汇区" + text
        elif prefix_roll < 0.38:
            text = "上海徐汇" + text
        elif prefix_roll < 0.45:
            text = streets[path.split("/")[2]] + text
        if rng.random() < 0.30:
            text = text.translate(FULL)
        if rng.random() < 0.10:
            text = " ".join(text[i : i + 3] for i in range(0, len(text), 3))
        out.append((text, expected))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    setup_database(args)

    from django.db import connection

    from jiceng.core.models import Area, StandardAddress
    from jiceng.places import matcher

    started = time.perf_counter()
    fixture = build_registry(args.seed)
    fixture_seconds = time.perf_counter() - started
    started = time.perf_counter()
    matcher.forget()
    index = matcher.index()
    index_seconds = time.perf_counter() - started
    rows = list(StandardAddress.objects.values_list("text", "compound", "building__path"))
    streets = dict(Area.objects.filter(level="street").values_list("code", "name"))
    rng = random.Random(args.seed)
    samples = noisy(rng, rows, streets)

    levels: collections.Counter = collections.Counter()
    by_expectation: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    started = time.perf_counter()
    for text, expected in samples:
        found = matcher.match_text(text)
        levels[found.level] += 1
        by_expectation[expected][found.level] += 1
    seconds = time.perf_counter() - started

    total = len(samples)
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"
        f" · {connection.vendor}"
    )
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(
        f"fixture: {fixture} in {fixture_seconds:.1f} s; index: {len(index.exact):,} exact, "
        f"{len(index.prefix):,} prefixes, built in {index_seconds:.2f} s"
    )
    print(
        f"matched {total:,} in {seconds:.2f} s: {total / seconds:,.0f} a second, "
        f"{seconds / total * 1e6:.0f} µs each"
    )
    for level in ("building", "grid", "community", "street", "district", "none"):
        print(f"  {level:10s} {levels[level]:7,d}  {levels[level] / total:6.1%}")
    for expected, found in sorted(by_expectation.items()):
        share = ", ".join(f"{k} {v / sum(found.values()):.1%}" for k, v in found.most_common())
        print(f"  generated as {expected:9s} ({sum(found.values()):,}): {share}")
    if args.db == "postgres":
        connection.close()
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-qc",
                f"DROP DATABASE IF EXISTS {PG_DB}",
            ],
            check=False,
        )


if __name__ == "__main__":
    main()
