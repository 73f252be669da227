"""Where a case counts: the street and the community above the place it was filed at."""

from jiceng.core.models import Area


def street_of(area: Area) -> Area:
    """The street-level ancestor: the third element of the path (city/district/street)."""
    street_code = area.path.split("/")[2]
    return Area.objects.get(code=street_code)


def community_of(area: Area) -> Area:
    """The community-level ancestor (or the area itself): the fourth path element."""
    if area.level == Area.Level.COMMUNITY:
        return area
    return Area.objects.get(code=area.path.split("/")[3])


def area_moved(area: Area) -> None:
    """After a community, grid or building moved (core.services.area_move): the cases
    filed under it take their new street and community, and the monthly counters of the
    communities and streets they left and joined are counted again from the cases, so
    that a street's figures and queue are those of its territory as it now stands."""
    from jiceng.appeals import rollup
    from jiceng.appeals.models import Appeal

    if area.level not in (Area.Level.COMMUNITY, Area.Level.GRID, Area.Level.BUILDING):
        return  # a street or a district keeps its cases' streets and communities
    from jiceng.appeals.cache import forget_cached

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
