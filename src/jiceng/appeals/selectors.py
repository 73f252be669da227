"""Every read of appeals; already scoped through core.scope."""

import datetime
import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils.dateparse import parse_datetime

from jiceng.appeals.models import (
    Appeal,
    AppealEvent,
    Category,
    HandlerMembership,
    HandlingUnit,
    RoutingRule,
    SummonsTarget,
)
from jiceng.appeals.references import references
from jiceng.core.bulk import execute_bound
from jiceng.core.models import Area
from jiceng.core.scope import scope_for

OPEN_STATES = [s for s in Appeal.State.values if s != Appeal.State.CLOSED]
LOCAL = ZoneInfo(settings.TIME_ZONE)


def appeal_visible(viewer) -> QuerySet[Appeal]:
    return scope_for(viewer).filter(
        Appeal.objects.select_related("category", "area", "street", "unit")
    )


def appeal_list(
    *,
    viewer,
    area: Area | None = None,
    state: str | None = None,
    category: str | None = None,
    unit: HandlingUnit | None = None,
    overdue: bool | None = None,
    q: str | None = None,
    reference: str | None = None,
) -> QuerySet[Appeal]:
    """`q`: a tracking code, words of the description, or part of a number another
    system knows the case by (appeals.references); `reference`: such a number, whole."""
    appeals = appeal_visible(viewer)
    if area is not None:
        appeals = appeals.filter(area__path__startswith=area.path)
    if state == "open":
        appeals = appeals.filter(state__in=OPEN_STATES)
    elif state:
        appeals = appeals.filter(state=state)
    if category:
        appeals = appeals.filter(category__code=category)
    if unit is not None:
        appeals = appeals.filter(unit=unit)
    if overdue:
        appeals = appeals.filter(Q(response_overdue=True) | Q(resolution_overdue=True))
    if q:
        matches = Q(tracking_code=q.strip().upper()) | Q(description__contains=q)
        for known in references():
            matches |= Q(**{f"{known.lookup}__icontains": q.strip()})
        appeals = appeals.filter(matches)
    if reference and reference.strip():
        named = Q(pk__in=[])
        for known in references():
            named |= Q(**{f"{known.lookup}__iexact": reference.strip()})
        appeals = appeals.filter(named)
    return appeals.order_by("-received_at", "-id")


def appeal_references(*, appeal: Appeal) -> list[tuple[str, str]]:
    """(label, number) of each number another system knows the case by; one query."""
    known = references()
    if not known:
        return []
    row = Appeal.objects.filter(pk=appeal.pk).values(*(r.lookup for r in known)).first() or {}
    return [(str(r.label), row[r.lookup]) for r in known if row.get(r.lookup)]


def handler_units(user, *, limit: int) -> list[HandlingUnit]:
    """The first `limit` units whose queue the user works: by membership, or community
    and street units in the territory the user manages."""
    scope = scope_for(user)
    units = HandlingUnit.objects.filter(is_active=True)
    if not scope.everything:
        # Two small reads of ids rather than one OR across the memberships' and the
        # areas' joins, which scanned every unit of the city (a street: 130 ms).
        ids = set(
            HandlerMembership.objects.filter(user=user, ended_at__isnull=True).values_list(
                "unit_id", flat=True
            )
        )
        # The first `limit` of each part hold the first `limit` of the whole.
        for path in scope.managed_area_paths():
            ids.update(
                units.filter(area__path__startswith=path)
                .exclude(kind=HandlingUnit.Kind.DEPARTMENT)
                .order_by(*QUEUE_ORDER)
                .values_list("pk", flat=True)[:limit]
            )
        units = units.filter(pk__in=ids)
    return list(units.select_related("area").order_by(*QUEUE_ORDER)[:limit])


QUEUE_ORDER = ("area__path", "kind", "name")


def handler_queues(*, viewer, units: list[HandlingUnit], first: int) -> dict[int, list[Appeal]]:
    """The first `first` cases of each unit's queue (as `handler_queue` orders them), in
    one query for all the units: a city's queue page read them unit by unit (50 queries)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    if not units:
        return {}
    rows = (
        handler_queue(viewer=viewer, unit=None)
        .filter(unit__in=units)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("unit_id")],
                order_by=[F("resolution_due_at").asc(), F("id").asc()],
            )
        )
        .filter(rank__lte=first)
    )
    queues: dict[int, list[Appeal]] = {unit.pk: [] for unit in units}
    for appeal in rows:
        queues[appeal.unit_id].append(appeal)
    return queues


def handler_queue(*, viewer, unit: HandlingUnit | None) -> QuerySet[Appeal]:
    """Cases sent to a unit (None: to any) and not yet answered, oldest deadline first:
    those the viewer may see (core.scope), as the case's page and its actions require."""
    appeals = appeal_visible(viewer).filter(
        state__in=[Appeal.State.DISPATCHED, Appeal.State.ACCEPTED, Appeal.State.IN_PROGRESS],
    )
    if unit is not None:
        appeals = appeals.filter(unit=unit)
    return appeals.order_by("resolution_due_at", "id")


def street_queue(*, viewer, street: Area) -> QuerySet[Appeal]:
    """Cases waiting for the street to dispatch: unroutable, returned, reopened."""
    return (
        appeal_visible(viewer)
        .filter(
            street=street,
            state__in=[Appeal.State.RECEIVED, Appeal.State.RETURNED, Appeal.State.REOPENED],
            placement_pending=False,  # the placement queue's, until placed
        )
        .order_by("received_at", "id")
    )


def _shingles(text: str) -> set[str]:
    """Two-character pieces of Chinese text (and longer Latin words): enough to see that
    two short complaints speak of the same thing without a tokenizer."""
    pieces = set()
    chinese = re.sub(r"[^\u4e00-\u9fff]", "", text)
    pieces.update(chinese[i : i + 2] for i in range(len(chinese) - 1))
    pieces.update(w.lower() for w in re.findall(r"[A-Za-z0-9]{3,}", text))
    return pieces


def similarity(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


SIMILAR_DAYS = 30
SIMILAR_THRESHOLD = 0.3
SIMILAR_CANDIDATES = 200


def similar_open_appeals(appeal: Appeal, *, limit: int = 5, threshold: float = SIMILAR_THRESHOLD):
    """Open cases in the same place (the same grid or community) and category, received
    in the last 30 days, whose text overlaps enough to be the same matter."""
    since = appeal.received_at - datetime.timedelta(days=SIMILAR_DAYS)
    candidates = (
        Appeal.objects.filter(
            area=appeal.area,
            category=appeal.category,
            state__in=OPEN_STATES,
            received_at__gte=since,
        )
        .exclude(pk=appeal.pk)
        .only("id", "tracking_code", "description", "received_at", "state")
        .order_by("-received_at")[:SIMILAR_CANDIDATES]
    )
    scored = [(similarity(appeal.description, c.description), c) for c in candidates]
    scored = [(s, c) for s, c in scored if s >= threshold]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return [c for _s, c in scored[:limit]]


def earlier_similar_open(appeals: Sequence[Appeal]) -> set[int]:
    """The ids of `appeals` that have a similar open case (as `similar_open_appeals`
    finds them) among the cases filed before them: what the duplicate check at intake
    saw when each arrived, for a batch at once. "Before" is by id, the order cases were
    written in, so of two similar cases in one batch only the later one is held back.

    One query for the batch: per (place, category) pair, the most recent open cases of
    the last 30 days written before the batch's last case, at most SIMILAR_CANDIDATES
    more than the batch itself could add, so a flood of reports at one place costs no
    more than `similar_open_appeals` would per case."""
    if not appeals:
        return set()
    pairs = sorted({(a.area_id, a.category_id) for a in appeals})
    since = min(a.received_at for a in appeals) - datetime.timedelta(days=SIMILAR_DAYS)
    last = max(a.pk for a in appeals)
    ops = connection.ops
    table = Appeal._meta.db_table
    states = ", ".join(["%s"] * len(OPEN_STATES))
    bigint = "::bigint" if connection.vendor == "postgresql" else ""
    sql = (
        "SELECT id, area_id, category_id, received_at, description FROM ("
        " SELECT id, area_id, category_id, received_at, description, ROW_NUMBER() OVER ("
        "  PARTITION BY area_id, category_id ORDER BY received_at DESC, id DESC) AS n"
        f" FROM {table} WHERE (area_id, category_id) IN (VALUES "
        + ", ".join([f"(%s{bigint}, %s{bigint})"] * len(pairs))
        + f") AND state IN ({states}) AND received_at >= %s AND id < %s"
        ") recent WHERE n <= %s ORDER BY received_at DESC, id DESC"
    )
    params = [value for pair in pairs for value in pair]
    params += [*OPEN_STATES, ops.adapt_datetimefield_value(since), last]
    params.append(SIMILAR_CANDIDATES + len(appeals))
    by_pair: dict[tuple[int, int], list[tuple]] = {}
    rows = execute_bound(sql, params)
    for pk, area_id, category_id, received_at, description in rows:
        if isinstance(received_at, str):  # SQLite: text, or a naive datetime in UTC
            received_at = parse_datetime(received_at)
        if received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=datetime.UTC)
        by_pair.setdefault((area_id, category_id), []).append((pk, received_at, description))

    pieces: dict[int, set[str]] = {}  # each text cut into shingles once, not per pair

    def shingles(pk: int, text: str) -> set[str]:
        if pk not in pieces:
            pieces[pk] = _shingles(text)
        return pieces[pk]

    held = set()
    for appeal in appeals:
        window = appeal.received_at - datetime.timedelta(days=SIMILAR_DAYS)
        same = by_pair.get((appeal.area_id, appeal.category_id), ())
        candidates = [
            (pk, description)
            for pk, received_at, description in same
            if pk < appeal.pk and received_at >= window
        ][:SIMILAR_CANDIDATES]
        mine = shingles(appeal.pk, appeal.description)
        for pk, description in candidates:
            theirs = shingles(pk, description)
            # similarity(), without cutting the same texts again
            if mine and theirs and len(mine & theirs) / len(mine | theirs) >= SIMILAR_THRESHOLD:
                held.add(appeal.pk)
                break
    return held


def appeal_events(*, appeal: Appeal, public_only: bool = False) -> QuerySet[AppealEvent]:
    events = appeal.events.select_related("actor")
    if public_only:
        events = events.filter(is_public=True)
    return events.order_by("at", "id")


def appeal_by_tracking_code(code: str) -> Appeal | None:
    """The public lookup: no login; the caller shows status and public replies only."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return Appeal.objects.select_related("category").filter(tracking_code=code).first()


def summons_board(*, viewer, street: Area | None = None) -> QuerySet[SummonsTarget]:
    """Whistles and who answered: for the street that blew them, or the department."""
    visible = appeal_visible(viewer).values("pk")
    targets = SummonsTarget.objects.filter(summons__appeal__in=visible).select_related(
        "summons", "summons__appeal", "unit"
    )
    if street is not None:
        targets = targets.filter(summons__street=street)
    return targets.order_by("-summons__created_at", "unit__name")


# ---- configuration (办理设置) -----------------------------------------------------------


# An area's path has one "code/" per level: city 1, district 2, street 3.
STREET_DEPTH = 3


def appeal_sections(viewer) -> frozenset[str]:
    """Which of the section's optional pages the viewer may open, for its navigation,
    decided from the viewer's grants without a query: the street board needs a street in
    scope (a grant at street level or above), the set-up a managing role over an area."""
    scope = scope_for(viewer)
    if scope.everything:
        return frozenset({"street", "setup"})
    sections = set()
    if any(path.count("/") <= STREET_DEPTH for path in scope.area_roots()):
        sections.add("street")
    if scope.manages_territory:
        sections.add("setup")
    return frozenset(sections)


def managed_roots(viewer) -> list[Area]:
    """The top areas the viewer manages (a street, a district...), outermost first."""
    scope = scope_for(viewer)
    if scope.everything:
        return list(Area.objects.filter(parent__isnull=True).order_by("id"))
    paths = scope.managed_area_paths()
    return list(Area.objects.filter(path__in=paths).order_by("path"))


def _under_any(paths: list[str], lookup: str) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def configured_units(*, viewer) -> QuerySet[HandlingUnit]:
    """Handling units inside the territory the viewer manages, with their handlers."""
    paths = [root.path for root in managed_roots(viewer)]
    return (
        HandlingUnit.objects.filter(_under_any(paths, "area__path"))
        .select_related("area")
        .prefetch_related(
            Prefetch(
                "handlers",
                queryset=HandlerMembership.objects.filter(ended_at__isnull=True).select_related(
                    "user"
                ),
                to_attr="open_handlers",
            )
        )
        .order_by("area__path", "kind", "name")
    )


def routable_units(*, viewer) -> QuerySet[HandlingUnit]:
    """Units a rule in the viewer's territory may send to: those inside it, and the
    departments above it that serve it (a district department for a street)."""
    roots = managed_roots(viewer)
    above = {p for root in roots for p in _ancestor_paths(root.path)}
    return (
        HandlingUnit.objects.filter(is_active=True)
        .filter(_under_any([r.path for r in roots], "area__path") | Q(area__path__in=above))
        .select_related("area")
        .order_by("area__path", "kind", "name")
    )


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def routing_rules(*, viewer) -> QuerySet[RoutingRule]:
    """Rules set on areas inside the territory the viewer manages."""
    paths = [root.path for root in managed_roots(viewer)]
    return (
        scope_for(viewer)
        .filter(RoutingRule.objects.filter(_under_any(paths, "area__path")))
        .select_related("area", "category", "unit", "unit__area")
        .order_by("area__path", "category__sort", "id")
    )


# ---- lookups for the pages and the API -----------------------------------------------------


def active_categories() -> QuerySet[Category]:
    """The categories a case may be filed under (public: names and deadlines)."""
    return Category.objects.filter(is_active=True).order_by("sort", "code")


def all_categories() -> QuerySet[Category]:
    return Category.objects.order_by("sort", "code")


def category_named(*, pk: int | None = None, code: str | None = None, active: bool = True):
    """One category by id or code, or None; `active` leaves out retired ones."""
    categories = Category.objects.filter(is_active=True) if active else Category.objects.all()
    if pk is not None:
        return categories.filter(pk=pk).first()
    return categories.filter(code=code).first()


def area_named(area_id) -> Area | None:
    """A place anywhere in the city, by id: where a case happened is checked by the
    intake service against the filer's rights, not here."""
    try:
        return Area.objects.filter(pk=int(area_id)).first()
    except (TypeError, ValueError):
        return None


def districts() -> QuerySet[Area]:
    """The first select of the public place picker."""
    return Area.objects.filter(level=Area.Level.DISTRICT).order_by("code")


def place_children(*, parent_id: int | None, level: str) -> QuerySet[Area]:
    """The next select of the public place picker (names only)."""
    if parent_id is None:
        return Area.objects.none()
    return Area.objects.filter(parent_id=parent_id, level=level).order_by("code")


def placement_queue(*, viewer, district: Area | None = None) -> QuerySet[Appeal]:
    """Cases waiting to be placed (待定位), oldest first: those the viewer sees, i.e. the
    district's staff all of the district's, a street's staff those found nearest to
    their street (core.scope: Appeal is placed by its area and its street)."""
    cases = appeal_visible(viewer).filter(placement_pending=True)
    if district is not None:
        cases = cases.filter(area=district)
    return cases.order_by("received_at", "id")


def placement_choices(*, viewer, appeals: Sequence[Appeal], limit: int = 500) -> dict:
    """For each queued case, the communities this viewer may place it in: those of the
    street it was found nearest to, else of its district, that the viewer sees. One
    query for a page of cases: {appeal id: [community, …]}."""
    roots = {a.pk: (a.street if a.street is not None else a.area).path for a in appeals}
    if not roots:
        return {}
    under = Q(pk__in=[])
    for path in set(roots.values()):
        under |= Q(path__startswith=path)
    communities = list(
        scope_for(viewer)
        .filter(Area.objects.filter(under, level=Area.Level.COMMUNITY))
        .order_by("path")[: limit * 4]
    )
    return {
        pk: [c for c in communities if c.path.startswith(path)][:limit]
        for pk, path in roots.items()
    }


def filing_places(*, viewer) -> QuerySet[Area]:
    """Where a staff member may file: communities and grids in their scope (the intake
    form's picker, `appeals.pickers`)."""
    return (
        scope_for(viewer)
        .filter(Area.objects.filter(level__in=[Area.Level.COMMUNITY, Area.Level.GRID]))
        .select_related("parent")
        .order_by("path")
    )


def streets_in_sight(*, viewer) -> QuerySet[Area]:
    return scope_for(viewer).filter(Area.objects.filter(level=Area.Level.STREET)).order_by("code")


def unit_named(unit_id) -> HandlingUnit | None:
    """A handling unit by id; whether a case may go there is the dispatch service's."""
    return HandlingUnit.objects.filter(pk=unit_id).first() if unit_id else None


def summons_target(target_id: int) -> SummonsTarget | None:
    """A summons target by id; who may answer it is `access.require_summons_answer`."""
    return (
        SummonsTarget.objects.select_related("summons__appeal", "unit").filter(pk=target_id).first()
    )


def open_summons_targets(*, units, limit: int = 100) -> QuerySet[SummonsTarget]:
    """Summons the viewer's units have not answered yet, the earliest due first."""
    return (
        SummonsTarget.objects.filter(unit__in=units, acted_at__isnull=True)
        .select_related("summons__appeal", "unit")
        .order_by("report_due_at")[:limit]
    )


def setup_areas(roots: list[Area], levels: list[str]) -> QuerySet[Area]:
    """Areas under the managed roots at `levels`, for the set-up pages' picker."""
    under = _under_any([r.path for r in roots], "path")
    return Area.objects.filter(under, level__in=levels).order_by("path")


def city_root() -> Area | None:
    return Area.objects.filter(parent__isnull=True).order_by("id").first()


def configured_membership(*, viewer, pk: int) -> HandlerMembership | None:
    """A handler membership of a unit the viewer configures, or None."""
    return (
        HandlerMembership.objects.filter(pk=pk, unit__in=configured_units(viewer=viewer))
        .select_related("unit", "user")
        .first()
    )
