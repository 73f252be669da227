"""The real territory of Shanghai, read from the committed cut (data/SOURCES.md).

Three CSV files (code, name, parent_code) carry the 16 districts, their streets and
towns, and the residents' and villagers' committees with their 12-digit statistical
codes. A scale picks the part of the tree the demo fills.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CITY_CODE = "310000000000"
CITY_NAME = "上海市"
# The district and street the smaller scales fill: central Xuhui, 湖南路街道.
DEMO_DISTRICT_CODE = "310104000000"
DEMO_STREET_CODE = "310104004000"
SCALES = ("street", "district", "city")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent_code: str


@dataclass(frozen=True)
class Territory:
    """The divisions one scale fills, each list sorted by code."""

    districts: tuple[Division, ...]
    streets: tuple[Division, ...]
    communities: tuple[Division, ...]

    def streets_of(self, district: Division) -> list[Division]:
        return [s for s in self.streets if s.parent_code == district.code]

    def communities_of(self, street: Division) -> list[Division]:
        return [c for c in self.communities if c.parent_code == street.code]


def _read(name: str) -> tuple[Division, ...]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        rows = [Division(r["code"], r["name"], r["parent_code"]) for r in csv.DictReader(handle)]
    return tuple(sorted(rows, key=lambda d: d.code))


@cache
def shanghai() -> Territory:
    return Territory(
        districts=_read("shanghai_districts.csv"),
        streets=_read("shanghai_streets.csv"),
        communities=_read("shanghai_communities.csv"),
    )


def territory_for(scale: str) -> Territory:
    """street: 湖南路街道 only; district: 徐汇区 whole; city: all of Shanghai."""
    full = shanghai()
    if scale == "city":
        return full
    if scale == "district":
        keep_streets = {s.code for s in full.streets if s.parent_code == DEMO_DISTRICT_CODE}
    elif scale == "street":
        keep_streets = {DEMO_STREET_CODE}
    else:
        raise ValueError(f"unknown scale {scale!r}")
    return Territory(
        districts=tuple(d for d in full.districts if d.code == DEMO_DISTRICT_CODE),
        streets=tuple(s for s in full.streets if s.code in keep_streets),
        communities=tuple(c for c in full.communities if c.parent_code in keep_streets),
    )
