"""The monthly counters behind the rates (AppealMonthStat), and the cases received per
category beside them (AppealCategoryMonthStat), kept incrementally.

Each case contributes a vector of 0/1 counters that depends on its stored fields only
(never on the clock), so every service that changes a case applies `after - before` to
its community-month row in the same transaction, and `rebuild` recomputes the same rows
from the cases. The rates read the rows; tests check both ways give the same numbers.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from jiceng.appeals.models import Appeal, AppealCategoryMonthStat, AppealMonthStat
from jiceng.core import rollups
from jiceng.core.bulk import execute_bound

LOCAL = ZoneInfo(settings.TIME_ZONE)
COUNTERS = (
    "received",
    "responded_on_time",
    "rated",
    "resolved",
    "satisfied",
    "on_time_due",
    "on_time_met",
)
SATISFIED = (Appeal.Satisfaction.SATISFIED, Appeal.Satisfaction.BASICALLY)

# The same definitions as database conditions, for `rebuild` and for raw aggregates.
CONDITIONS: dict[str, Q] = {
    "received": Q(),
    "responded_on_time": Q(responded_at__isnull=False, responded_at__lte=F("response_due_at")),
    "rated": Q(rated_at__isnull=False),
    "resolved": Q(rated_at__isnull=False, resolved=True),
    "satisfied": Q(rated_at__isnull=False, satisfaction__in=SATISFIED),
    "on_time_due": Q(replied_at__isnull=False) | Q(resolution_overdue=True),
    "on_time_met": Q(replied_at__isnull=False, replied_at__lte=F("resolution_due_at")),
}


def contribution(appeal: Appeal) -> dict[str, int]:
    rated = appeal.rated_at is not None
    replied = appeal.replied_at is not None
    return {
        "received": 1,
        "responded_on_time": int(
            appeal.responded_at is not None and appeal.responded_at <= appeal.response_due_at
        ),
        "rated": int(rated),
        "resolved": int(rated and appeal.resolved is True),
        "satisfied": int(rated and appeal.satisfaction in SATISFIED),
        "on_time_due": int(replied or appeal.resolution_overdue),
        "on_time_met": int(replied and appeal.replied_at <= appeal.resolution_due_at),
    }


NOTHING = dict.fromkeys(COUNTERS, 0)
# The cases the rows leave out (`apply` and `rebuild`): those waiting for
# `process-intake`, and those waiting for a place, which have no community until placed
# (appeals.services.placement). Both have a partial index, so a reader adds them from the
# cases at little cost.
NOT_COUNTED = Q(routing_pending=True) | Q(placement_pending=True)


def month_of(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LOCAL).date().replace(day=1)


def apply(appeal: Appeal, before: dict[str, int], after: dict[str, int]) -> None:
    """Add `after - before` to the case's community-month row.

    A case still waiting for `process-intake` (routing_pending) is not counted yet: that
    step adds its whole contribution when it takes the case, so nothing is added before.
    `appeal` must be as stored under the caller's row lock for that flag to be current."""
    if appeal.routing_pending:
        return
    delta = {name: after[name] - before[name] for name in COUNTERS}
    if not any(delta.values()) or appeal.community_id is None:
        return
    key = {"community_id": appeal.community_id, "month": month_of(appeal.received_at)}
    if delta["received"]:  # counted from now on (or no longer): its category's row too
        _add_category(appeal, key, delta["received"])
    updates = {name: F(name) + value for name, value in delta.items() if value}
    if not AppealMonthStat.objects.filter(**key).update(**updates):
        try:
            with transaction.atomic():
                AppealMonthStat.objects.create(street_id=appeal.street_id, **key, **delta)
                return
        except IntegrityError:  # created meanwhile by a concurrent intake
            pass
        AppealMonthStat.objects.filter(**key).update(**updates)


def _add_category(appeal: Appeal, key: dict, received: int) -> None:
    key = {"street_id": appeal.street_id, "month": key["month"], "category_id": appeal.category_id}
    rollups.add(AppealCategoryMonthStat, key, {"received": received})


class Totals(dict[tuple[int, int, datetime.date], dict[str, int]]):
    """{(community_id, street_id, month): {counter: n}} for add_many, with the cases
    received per category beside them in `categories`."""

    def __init__(self) -> None:
        super().__init__()
        self.categories: dict[tuple[int, datetime.date, int], int] = {}


# Rows per statement in add_many: 10 parameters a row stays well below SQLite's 32,766.
ADD_MANY_ROWS = 1000


def tally(totals: Totals, appeal: Appeal) -> None:
    """Add the whole of what a case counts for now to `totals`, for add_many."""
    if appeal.community_id is None:
        return
    key = (appeal.community_id, appeal.street_id, month_of(appeal.received_at))
    counts = totals.setdefault(key, dict.fromkeys(COUNTERS, 0))
    for name, value in contribution(appeal).items():
        counts[name] += value
    by_category = (appeal.street_id, key[2], appeal.category_id)
    totals.categories[by_category] = totals.categories.get(by_category, 0) + 1


def add_many(totals: Totals) -> None:
    """Add counters to many community-month rows, creating the rows that are missing:
    {(community_id, street_id, month): {counter: n}}, one statement per ADD_MANY_ROWS
    rows. Rows are taken in key order, so two batches running at once lock them in the
    same order."""
    items = sorted(totals.items())
    for start in range(0, len(items), ADD_MANY_ROWS):
        _add_rows(items[start : start + ADD_MANY_ROWS])
    rollups.add_many(
        AppealCategoryMonthStat,
        ("street_id", "month", "category_id"),
        ("received",),
        {key: {"received": n} for key, n in totals.categories.items()},
        casts=("::bigint", "::date", "::bigint"),
    )


def _add_rows(items: list) -> None:
    if not items:
        return
    table = AppealMonthStat._meta.db_table
    ops = connection.ops
    columns = ["community_id", "street_id", "month", *COUNTERS]
    values = []
    for (community, street, month), counts in items:
        values.extend(
            [community, street, ops.adapt_datefield_value(month)]
            + [counts.get(name, 0) for name in COUNTERS]
        )
    # Typed, so the server can bind them (the first row's types carry the VALUES list).
    casts = ["::bigint", "::bigint", "::date"] + ["::integer"] * len(COUNTERS)
    if connection.vendor != "postgresql":
        casts = [""] * len(columns)
    row = "(" + ", ".join(f"%s{cast}" for cast in casts) + ")"
    increments = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in COUNTERS)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        + ", ".join([row] * len(items))
        + f" ON CONFLICT (community_id, month) DO UPDATE SET {increments}"
    )
    execute_bound(sql, values)


@transaction.atomic
def rebuild(*, month: datetime.date | None = None) -> int:
    """Recompute the rows, and the category rows beside them, from the cases (all
    months, or one). Returns the monthly rows written. Cases waiting for
    `process-intake` are left out: that step counts them."""
    cases = Appeal.objects.filter(community__isnull=False, routing_pending=False)
    rows = AppealMonthStat.objects.all()
    category_rows = AppealCategoryMonthStat.objects.all()
    if month is not None:
        start = datetime.datetime.combine(month, datetime.time(), tzinfo=LOCAL)
        end = datetime.datetime.combine(
            (month + datetime.timedelta(days=32)).replace(day=1), datetime.time(), tzinfo=LOCAL
        )
        cases = cases.filter(received_at__gte=start, received_at__lt=end)
        rows = rows.filter(month=month)
        category_rows = category_rows.filter(month=month)
    rows.delete()
    category_rows.delete()
    _category_rows_from(cases)
    return _month_rows_from(cases)


def _month_rows_from(cases) -> int:
    """Write the monthly rows counted from `cases` (their old rows deleted). Returns how many."""
    grouped = (
        cases.annotate(month_start=TruncMonth("received_at", tzinfo=LOCAL))
        .values("community_id", "street_id", "month_start")
        .annotate(**{name: Count("id", filter=CONDITIONS[name]) for name in COUNTERS})
        .order_by()
    )
    stats = [
        AppealMonthStat(
            community_id=g["community_id"],
            street_id=g["street_id"],
            month=_as_date(g["month_start"]),
            **{name: g[name] for name in COUNTERS},
        )
        for g in grouped
    ]
    AppealMonthStat.objects.bulk_create(stats, batch_size=2000)
    return len(stats)


def _category_rows_from(cases) -> None:
    """Write the category rows counted from `cases` (their old rows deleted)."""
    by_category = (
        cases.annotate(month_start=TruncMonth("received_at", tzinfo=LOCAL))
        .values("street_id", "month_start", "category_id")
        .annotate(received=Count("id"))
        .order_by()
    )
    AppealCategoryMonthStat.objects.bulk_create(
        [
            AppealCategoryMonthStat(
                street_id=g["street_id"],
                month=_as_date(g["month_start"]),
                category_id=g["category_id"],
                received=g["received"],
            )
            for g in by_category
        ],
        batch_size=2000,
    )


def recount(*, streets: set[int], communities: set[int]) -> None:
    """Count the monthly rows of these communities and the category rows of these
    streets again from their cases (after an area moved their cases elsewhere)."""
    cases = Appeal.objects.filter(community__isnull=False, routing_pending=False)
    AppealMonthStat.objects.filter(community_id__in=communities).delete()
    AppealCategoryMonthStat.objects.filter(street_id__in=streets).delete()
    _month_rows_from(cases.filter(community_id__in=communities))
    _category_rows_from(cases.filter(street_id__in=streets))


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.astimezone(LOCAL).date() if value.tzinfo else value.date()
    return value
