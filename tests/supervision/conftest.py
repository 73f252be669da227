"""Supervision on the shared territory fixture. Cases are written straight into the
appeals table with the fields the rates read (the rates' own tests cover how the
services set them), then the monthly counters are rebuilt from them, as
`jiceng appeals-rollup` would."""

import datetime
import itertools

import pytest

from jiceng.appeals import rollup
from jiceng.appeals.models import Appeal, Category
from jiceng.core.workdays import LOCAL

YEAR = 2025
YEAR_END = datetime.date(YEAR, 12, 31)
_codes = itertools.count(1)


def at(month: int, day: int = 10, year: int = YEAR) -> datetime.datetime:
    return datetime.datetime(year, month, day, 9, tzinfo=LOCAL)


def category(*, mediation: bool = False, index: int = 0) -> Category:
    found = Category.objects.filter(is_mediation=mediation).order_by("sort", "pk")
    return list(found[: index + 1])[index]


def case(
    t,
    area_key: str,
    *,
    received: datetime.datetime | None = None,
    cat: Category | None = None,
    channel: str = "hotline",
    satisfied: bool | None = True,
    resolved: bool = True,
    responded: bool = True,
    address: str = "",
    reopened: int = 0,
) -> Appeal:
    """One case under `area_key`; `satisfied` None leaves it unrated."""
    area = t.areas[area_key]
    community = area if area.level == "community" else area.parent
    while community.level not in ("community",):
        community = community.parent
    street = community.parent
    received = received or at(3)
    rated = satisfied is not None
    return Appeal.objects.create(
        tracking_code=f"T{next(_codes):010d}",
        channel=channel,
        category=cat or category(),
        area=area,
        street=street,
        community=community,
        address=address,
        description="测试",
        state="closed" if rated else "dispatched",
        received_at=received,
        response_due_at=received + datetime.timedelta(days=1),
        resolution_due_at=received + datetime.timedelta(days=10),
        responded_at=received + datetime.timedelta(hours=1 if responded else 48),
        replied_at=received + datetime.timedelta(days=2) if rated else None,
        rated_at=received + datetime.timedelta(days=3) if rated else None,
        resolved=resolved if rated else None,
        satisfaction=("satisfied" if satisfied else "unsatisfied") if rated else "",
        reopen_count=reopened,
    )


def cases(t, area_key: str, n: int, **kwargs) -> list[Appeal]:
    return [case(t, area_key, **kwargs) for _ in range(n)]


def counted() -> None:
    rollup.rebuild()


@pytest.fixture
def t(territory):
    return territory
