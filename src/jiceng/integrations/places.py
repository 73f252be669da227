"""Where in the territory a token or subscription sits: its district, which manages it."""

from jiceng.core.access import can_manage_area, require
from jiceng.core.models import Area
from jiceng.core.types import Actor
from jiceng.integrations.errors import MSG_AREA_LEVEL, IntegrationErrorCode, invalid

TERRITORY_LEVELS = {Area.Level.DISTRICT, Area.Level.STREET, Area.Level.COMMUNITY}


def district_of(area: Area) -> Area:
    """The district-level ancestor (the second element of the path: city/district/…)."""
    if area.level == Area.Level.DISTRICT:
        return area
    return Area.objects.get(code=area.path.split("/")[1])


def require_district_manager(actor: Actor, area: Area) -> None:
    """Systems are the district's business (its 区委组织部 and above): 404 for an area out
    of sight, 403 for one in sight whose district the actor does not manage."""
    if area.level not in TERRITORY_LEVELS:
        raise invalid(MSG_AREA_LEVEL, IntegrationErrorCode.AREA_LEVEL, "area")
    require(actor, area, can_manage_area(actor, district_of(area)))
