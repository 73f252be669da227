"""The one pagination of the API's lists: django-ninja's limit/offset, with the offset
bounded. Unbounded, an offset beyond 2^63 reaches the database as a number it cannot
hold and answers 500; no real page lies past a billion rows, so anything larger is a 422
naming `offset`, like any other bad value. Every list imports it from here (and
NINJA_PAGINATION_CLASS points here for a bare `@paginate`)."""

from collections.abc import Callable, Sequence
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination
from ninja.pagination import paginate  # noqa: F401  (imported from here by the apps)

MAX_OFFSET = 1_000_000_000


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            ninja_settings.PAGINATION_PER_PAGE,
            ge=1,
            le=ninja_settings.PAGINATION_MAX_LIMIT,
            description="每页条数",
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


class Converted(Sequence):
    """A queryset whose rows the schema reads only once converted (`convert(row)`), for a
    paginated list: only the page asked for is read and converted, and the count is the
    database's, so the list need not be cut at an arbitrary length."""

    def __init__(self, queryset: QuerySet, convert: Callable[[Any], Any]):
        self.queryset = queryset
        self.convert = convert

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.convert(row) for row in self.queryset[index]]
        return self.convert(self.queryset[index])


class Counted:
    """A queryset whose total is known without counting its rows (a rollup's figure for
    the same set): a page is read from the queryset, the count is `total()`. Django's
    Paginator calls `count()`, the API's pagination `len()` (this has no `all()`, so it
    is not taken for a queryset). Not a Sequence: its `count()` takes no value."""

    def __init__(self, queryset: QuerySet, total: Callable[[], int]):
        self.queryset = queryset
        self.total = total

    def count(self) -> int:
        return self.total()

    def __len__(self) -> int:
        return self.total()

    def __getitem__(self, index):
        return self.queryset[index]


class CappedPaginator(Paginator):
    """A page's paginator that counts at most CAP rows: a district's or the city's list
    of 200,000 cases counted in full for "page 1 of 4,526" took 140 ms on every page,
    for a figure nobody pages through (filters and exports do that). Beyond the cap
    the page says "10,000+" (`capped`); the pages up to it are all reachable."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        # Unordered: the count needs no sort, and stops at the cap.
        rows: QuerySet = self.object_list  # type: ignore[assignment]  # a queryset here
        return rows.order_by()[: self.CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.CAP
