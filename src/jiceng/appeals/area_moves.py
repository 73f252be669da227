"""What follows a community, grid or building moved to another parent (registered with
core.services.on_area_moved): the cases filed under it count in its new street and
community."""

from jiceng.appeals import rollup
from jiceng.appeals.cache import forget_cached
from jiceng.appeals.models import Appeal
from jiceng.appeals.places import community_of, street_of
from jiceng.core.models import Area


def area_moved(area: Area) -> None:
    """After a community, grid or building moved (core.services.area_move): the cases
    filed under it take their new street and community, and the monthly counters of the
    communities and streets they left and joined are counted again from the cases, so
    that a street's figures and queue are those of its territory as it now stands."""
    if area.level not in (Area.Level.COMMUNITY, Area.Level.GRID, Area.Level.BUILDING):
        return  # a street or a district keeps its cases' streets and communities
    forget_cached()  # this process's places: their streets and communities changed
    street, community = street_of(area), community_of(area)
    cases = Appeal.objects.filter(area__path__startswith=area.path, street__isnull=False)
    left = set(cases.values_list("street_id", "community_id").distinct().order_by())
    if left <= {(street.pk, community.pk)}:
        return
    streets = {s for s, _c in left} | {street.pk}
    communities = {c for _s, c in left if c is not None} | {community.pk}
    cases.filter(community__isnull=False).update(street=street, community=community)
    cases.filter(community__isnull=True).update(street=street)
    rollup.recount(streets=streets, communities=communities)
