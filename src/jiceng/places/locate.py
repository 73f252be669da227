"""Locating a case from what a caller knows, as GeoReport v2 allows: an address text, a
position, or both (an area code, `address_id`, is looked up by the callers themselves).

The answer is a place a case may be filed at (a community, grid or building), or, when
what was said does not reach below a district, that district with the reason: the case
then waits in the district's placement queue (待定位). A caller is never refused for
being vague; only when not even a district can be told (no district named, a position
outside every district, and no fallback) is the answer None.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from jiceng.core.models import PATH_SEPARATOR, Area
from jiceng.places import matcher


@dataclass(frozen=True)
class Location:
    area: Area  # the place (community, grid, building), or the district when not placed
    placed: bool
    level: str  # what was found: building, grid, community, street, district
    reason: str
    # The street the case counts in once placed; while unplaced, the street it was found
    # nearest to (a road inside one street, the nearest registered address), if any.
    street: Area | None


def _code_of(path: str) -> str:
    return [part for part in path.split(PATH_SEPARATOR) if part][-1]


def _district_path(path: str) -> str:
    return PATH_SEPARATOR.join(path.split(PATH_SEPARATOR)[:2]) + PATH_SEPARATOR


def _street_path(path: str) -> str:
    parts = path.split(PATH_SEPARATOR)
    return PATH_SEPARATOR.join(parts[:3]) + PATH_SEPARATOR if len(parts) > 3 else ""


def match(*, address_string: str = "", latitude=None, longitude=None) -> matcher.Match:
    """The deeper of what the text and the position give (the text's when equal)."""
    found = matcher.NOTHING
    if address_string and address_string.strip():
        found = matcher.match_text(address_string)
    if latitude is not None and longitude is not None and not found.placed:
        found = matcher.deeper(found, matcher.match_position(float(latitude), float(longitude)))
    return found


def locate(
    *,
    address_string: str = "",
    latitude=None,
    longitude=None,
    fallback: Area | None = None,
    within: Area | None = None,
) -> Location | None:
    """Where a case described by `address_string` and/or a WGS-84 position goes.

    `fallback`: an area whose district takes the case when neither the text nor the
    position names one (the Open311 key's territory, the jurisdiction). `within`: the
    territory the caller may file in; a match outside it counts as no match."""
    found = match(address_string=address_string, latitude=latitude, longitude=longitude)
    path = found.path
    reason = found.reason
    if (
        path
        and within is not None
        and not (path.startswith(within.path) or within.path.startswith(path))
    ):
        # Said of a place outside the caller's territory: the match does not count, and
        # the person who places the case reads why.
        path = ""
        reason = _("地址定位到本辖区以外（%(reason)s）") % {"reason": reason}
    if not path and fallback is not None and fallback.path.count(PATH_SEPARATOR) >= 2:
        path = _district_path(fallback.path)
        reason = reason or ""
    if not path:
        return None
    codes = {_code_of(path)}
    street_path = _street_path(path) or found.street_path
    if street_path:
        codes.add(_code_of(street_path))
    district_path = _district_path(path)
    codes.add(_code_of(district_path))
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    area = areas.get(_code_of(path))
    if area is None:
        return None
    street = areas.get(_code_of(street_path)) if street_path else None
    if found.placed and found.path == path:
        return Location(area, True, area.level, reason, street)
    district = areas.get(_code_of(district_path))
    if district is None:
        return None
    return Location(district, False, area.level, reason, street)
