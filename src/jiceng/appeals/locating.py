"""Where a case filed through a page or the JSON API goes when no area was picked: the
caller's address text and/or WGS-84 position, located by places.locate. Open311 does
the same in its own error shape (appeals.open311)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from jiceng.appeals.errors import MSG_PLACE_LEVEL, MSG_UNPLACEABLE, invalid
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.core.access import get_area_for_view
from jiceng.core.models import Area
from jiceng.places.locate import Location, locate


@dataclass(frozen=True)
class IntakePlace:
    area: Area
    placement_reason: str = ""  # not empty: the case waits in the district's queue
    street_hint: Area | None = None


def intake_place(
    *,
    area: Area | None,
    address: str = "",
    latitude=None,
    longitude=None,
    territory: Area | None = None,
) -> IntakePlace:
    """The picked area as it is; else what the text and position locate; a refusal
    naming `area` only when not even a district can be told.

    `territory`: where the caller files (a hotline import's district): a match outside
    it does not count, and a case told no deeper lands in its district's queue."""
    if area is not None:
        return IntakePlace(area)
    has_text = bool((address or "").strip())
    has_position = latitude is not None and longitude is not None
    if not has_text and not has_position:
        raise invalid(MSG_UNPLACEABLE, Code.UNPLACEABLE, "area")
    location = locate(
        address_string=address or "",
        latitude=latitude,
        longitude=longitude,
        fallback=territory,
        within=territory,
    )
    if location is None:
        raise invalid(MSG_UNPLACEABLE, Code.UNPLACEABLE, "area")
    return from_location(location)


def from_location(location: Location) -> IntakePlace:
    if location.placed:
        return IntakePlace(location.area)
    reason = location.reason or _("地址未能定位到社区")
    return IntakePlace(location.area, reason[:200], location.street)


def place_target(*, viewer, area_id: int | None, where: str = "") -> Area:
    """The place a person chose for a queued case: an area they see, by id, or the
    place a text locates at a community, grid or building. Refusals name `area`."""
    if area_id is not None:
        return get_area_for_view(viewer, area_id)
    if (where or "").strip():
        location = locate(address_string=where)
        if location is not None and location.placed:
            return location.area
    raise invalid(MSG_PLACE_LEVEL, Code.PLACE_LEVEL, "area")
