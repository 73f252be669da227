"""Which handling unit gets a case: the most specific routing rule wins."""

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
