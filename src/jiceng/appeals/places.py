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
