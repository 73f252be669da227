"""Reference data the Open311 intake reads on every request, cached per process: the
filing system's key (by its hash), the category, the place with the street and community
it counts in.

Entries are read-only model instances shared between requests; each expires after
INTAKE_CACHE_SECONDS. A revoked key is refused at once all the same: the insert itself
requires the key to be unrevoked (`appeals.intake.appeal_receive`), and a revocation in
this process forgets every cached entry (`forget_cached`).
"""

import functools
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from jiceng.appeals.models import Category, Open311Key
from jiceng.appeals.places import community_of, street_of
from jiceng.core.models import Area
from jiceng.places import matcher

# How long a worker trusts what it read of keys, categories and places.
CACHE_SECONDS_DEFAULT = 60


def key_hash(raw: str) -> str:
    """How an Open311 key is stored and looked up: its SHA-256, never the key itself."""
    return hashlib.sha256(raw.encode()).hexdigest()


class _Cache:
    """A small time-limited map for one process. Entries are read-only model instances
    shared between requests; every value expires after INTAKE_CACHE_SECONDS."""

    def __init__(self) -> None:
        self._entries: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, load: Callable[[], Any]) -> Any:
        now = time.monotonic()
        found = self._entries.get(key)
        if found is not None and found[0] > now:
            return found[1]
        value = load()
        seconds = getattr(settings, "INTAKE_CACHE_SECONDS", CACHE_SECONDS_DEFAULT)
        if value is not None and seconds > 0:
            with self._lock:
                if len(self._entries) > 100_000:  # a flood of distinct codes
                    self._entries.clear()
                self._entries[key] = (now + seconds, value)
        return value

    def forget(self, key: Any = None) -> None:
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)


_keys = _Cache()
_categories = _Cache()
_places = _Cache()


def forget_cached() -> None:
    """Drop everything cached in this process (tests; a key revoked here)."""
    for cache in (_keys, _categories, _places):
        cache.forget()
    # The address matcher's index is reference data of the intake too (places.matcher).
    matcher.forget()


@dataclass(frozen=True)
class Place:
    """An area that cases may be filed at, with the street and community they count in."""

    area: Area
    street_id: int
    community_id: int | None


def open311_key_cached(raw: str | None) -> Open311Key | None:
    """The active key matching `raw`, or None. Read once per cache period per process;
    its last use is stamped then (to the minute is what `open311-key list` shows), not on
    every request. Revocation needs no cache: `appeal_receive` refuses a revoked key."""
    if not raw:
        return None
    digest = key_hash(raw)

    def load() -> Open311Key | None:
        key = (
            Open311Key.objects.select_related("area")
            .filter(key_hash=digest, revoked_at=None)
            .first()
        )
        if key is not None:
            Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return key

    return _keys.get(digest, load)


def forget_key(raw: str) -> None:
    _keys.forget(key_hash(raw))


def category_cached(code: str) -> Category | None:
    """The active category with this code (Open311 service_code)."""
    return _categories.get(code, lambda: Category.objects.filter(code=code, is_active=True).first())


def area_cached(code: str) -> Area | None:
    return _places.get(("area", code), lambda: Area.objects.filter(code=code).first())


PLACE_LEVELS = (Area.Level.COMMUNITY, Area.Level.GRID, Area.Level.BUILDING)


@functools.cache
def _place_sql() -> tuple[str, list[str]]:
    """The area and its three nearest ancestors' levels and ids, by code: static SQL,
    since compiling the ORM's query cost more than running it, on every cache miss."""
    fields = [f for f in Area._meta.concrete_fields]
    table = Area._meta.db_table
    columns = ", ".join(f"a.{f.column}" for f in fields)
    ancestors = ", ".join(f"p{n}.level, p{n}.id" for n in (1, 2, 3))
    sql = (
        f"SELECT {columns}, {ancestors} FROM {table} a"
        f" LEFT JOIN {table} p1 ON p1.id = a.parent_id"
        f" LEFT JOIN {table} p2 ON p2.id = p1.parent_id"
        f" LEFT JOIN {table} p3 ON p3.id = p2.parent_id"
        f" WHERE a.code = %s AND a.level IN (%s, %s, %s)"
    )
    return sql, [f.attname for f in fields]


def place_cached(code: str) -> Place | None:
    """The area with this code, if cases may be filed there, and the street and
    community it counts in (its ancestors, as `street_of` and `community_of` find them
    on its path), read in one query: at a city's 100,000 grids and buildings, a worker
    meets many places for the first time."""

    def load() -> Place | None:
        sql, names = _place_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, [code, *PLACE_LEVELS])
            row = cursor.fetchone()
        if row is None:
            return None
        area = Area.from_db(connection.alias, names, row[: len(names)])
        line = {area.level: area.pk}
        ancestors = row[len(names) :]
        for level, pk in zip(ancestors[::2], ancestors[1::2], strict=True):
            if pk is None:
                break
            line.setdefault(level, pk)
            if level == Area.Level.STREET:
                break
        if Area.Level.STREET not in line or Area.Level.COMMUNITY not in line:
            # Not the usual street → community → grid → building line: ask the path.
            return Place(area, street_of(area).pk, community_of(area).pk)
        return Place(area, line[Area.Level.STREET], line[Area.Level.COMMUNITY])

    return _places.get(("place", code), load)
