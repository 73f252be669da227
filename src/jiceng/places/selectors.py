"""Reads of the standard address registry, scoped by core.scope (an address is seen
where its building is; an alias where its target is), and the public "where does this
land" answer of the report page."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from jiceng.core.models import PATH_SEPARATOR, Area, StandardAddress
from jiceng.core.scope import scope_for
from jiceng.places.locate import Location, locate
from jiceng.places.models import AddressAlias
from jiceng.places.normalize import normalize

SEARCH_MAX = 100


def address_list(*, viewer, q: str = "", area: Area | None = None) -> QuerySet[StandardAddress]:
    """Registered addresses the viewer sees, searched by text, compound or building."""
    addresses = scope_for(viewer).filter(
        StandardAddress.objects.select_related("building", "building__parent")
    )
    if area is not None:
        addresses = addresses.filter(building__path__startswith=area.path)
    q = (q or "").strip()[:SEARCH_MAX]
    if q:
        key = normalize(q)
        addresses = addresses.filter(
            Q(text__contains=q)
            | Q(text__contains=key)
            | Q(compound__contains=q)
            | Q(building__name__contains=q)
        )
    return addresses.order_by("text", "id")


def address_get(*, viewer, address_id) -> StandardAddress:
    return scope_for(viewer).get(
        StandardAddress.objects.select_related("building", "building__parent"), pk=address_id
    )


def alias_list(*, viewer, address: StandardAddress | None = None) -> QuerySet[AddressAlias]:
    aliases = scope_for(viewer).filter(
        AddressAlias.objects.select_related("address", "address__building", "area")
    )
    if address is not None:
        aliases = aliases.filter(address=address)
    return aliases.order_by("-created_at", "-id")


def alias_get(*, viewer, alias_id) -> AddressAlias:
    return scope_for(viewer).get(
        AddressAlias.objects.select_related("address", "address__building", "area"), pk=alias_id
    )


def building_named(*, viewer, code: str) -> Area | None:
    """A building the viewer sees, by its code (the forms ask for the code)."""
    return (
        scope_for(viewer)
        .filter(Area.objects.filter(level=Area.Level.BUILDING, code=(code or "").strip()[:24]))
        .first()
    )


@dataclass(frozen=True)
class Landing:
    """Where a resident's address lands, for the report page: public area names only."""

    location: Location | None
    names: list[str]


def landing(*, where: str = "", latitude=None, longitude=None) -> Landing:
    location = locate(address_string=where, latitude=latitude, longitude=longitude)
    if location is None:
        return Landing(None, [])
    shown = location.area if location.placed else (location.street or location.area)
    codes = [c for c in shown.path.split(PATH_SEPARATOR) if c][1:]  # no city
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    return Landing(location, [names[c] for c in codes if c in names])
