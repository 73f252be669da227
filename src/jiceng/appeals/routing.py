"""Which handling unit gets a case: the most specific routing rule wins."""

from collections.abc import Iterable

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Length

from jiceng.appeals.models import Category, RoutingRule
from jiceng.core.models import Area


def ancestor_paths(area: Area) -> list[str]:
    """ "31/3101/310101/" → ["31/", "31/3101/", "31/3101/310101/"]."""
    parts = [p for p in area.path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def route(category: Category, area: Area) -> RoutingRule | None:
    """The rule for the deepest area on the case's line up the tree; at equal depth a
    rule naming the category beats a rule for any category."""
    return (
        RoutingRule.objects.filter(area__path__in=ancestor_paths(area), unit__is_active=True)
        .filter(_category_q(category))
        .select_related("unit", "unit__area")
        .annotate(
            depth=Length("area__path"),
            specific=Case(
                When(category__isnull=False, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("-depth", "-specific", "id")
        .first()
    )


def _category_q(category: Category) -> Q:
    return Q(category=category) | Q(category__isnull=True)


def route_many(pairs: Iterable[tuple[Category, Area]]) -> dict[tuple[int, int], RoutingRule | None]:
    """`route` for many (category, area) pairs with one query: {(category_id, area_id):
    rule or None}. The same choice as `route`: on an area's line up the tree, paths of
    different depth differ in length, so the deepest area is the longest path; then a rule
    naming the category; then the lowest id."""
    pairs = {(category.pk, area.pk): (category, area) for category, area in pairs}
    if not pairs:
        return {}
    lines = {area.pk: ancestor_paths(area) for _category, area in pairs.values()}
    paths = sorted({path for line in lines.values() for path in line})
    category_ids = sorted({category_id for category_id, _area in pairs})
    candidates: dict[str, list[RoutingRule]] = {}
    rules = (
        RoutingRule.objects.filter(area__path__in=paths, unit__is_active=True)
        .filter(Q(category_id__in=category_ids) | Q(category__isnull=True))
        .select_related("unit", "unit__area", "area")
        .order_by("id")
    )
    for rule in rules:
        candidates.setdefault(rule.area.path, []).append(rule)
    chosen: dict[tuple[int, int], RoutingRule | None] = {}
    for (category_id, area_id), _pair in pairs.items():
        best = None
        for path in reversed(lines[area_id]):  # deepest first
            on_path = [r for r in candidates.get(path, ()) if r.category_id in (category_id, None)]
            if on_path:
                # A rule naming the category beats one for any; then the lowest id.
                best = min(on_path, key=lambda r: (r.category_id is None, r.pk))
                break
        chosen[(category_id, area_id)] = best
    return chosen
