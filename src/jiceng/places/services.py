"""Writes to the standard address registry and its aliases. Each checks access (the
territory staff who manage the building or area), validates by the input policy, runs in
one transaction, leaves an audit entry and drops the matcher's index in this process."""

import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.inputs import check_model_text
from jiceng.core.models import Area, AuditEntry, StandardAddress
from jiceng.core.types import Actor
from jiceng.places import matcher
from jiceng.places.errors import (
    MSG_ADDRESS_REQUIRED,
    MSG_ADDRESS_TAKEN,
    MSG_ALIAS_IS_ADDRESS,
    MSG_ALIAS_REQUIRED,
    MSG_ALIAS_TAKEN,
    MSG_ALIAS_TARGET,
    MSG_BUILDING_LEVEL,
    MSG_POSITION,
    conflict,
    invalid,
)
from jiceng.places.errors import PlaceErrorCode as Code
from jiceng.places.models import AddressAlias
from jiceng.places.normalize import normalize

ALIAS_AREA_LEVELS = (
    Area.Level.STREET,
    Area.Level.COMMUNITY,
    Area.Level.GRID,
    Area.Level.BUILDING,
)
# A room number says nothing about where the building is: "…3号502室" is learned as "…3号".
ROOM_TAIL = re.compile(r"(?<=号)\d+室?$|(?<=号)\d+[层楼].*$")


def _forget_index() -> None:
    matcher.forget()
    transaction.on_commit(matcher.forget)


def check_position(latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    """Both or neither; WGS-84 bounds; six decimals, as the columns keep them."""
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    try:
        lat, long = Decimal(str(latitude).strip()), Decimal(str(longitude).strip())
    except (InvalidOperation, ValueError):
        raise invalid(MSG_POSITION, Code.POSITION, "latitude") from None
    if not (lat.is_finite() and long.is_finite() and -90 <= lat <= 90 and -180 <= long <= 180):
        raise invalid(MSG_POSITION, Code.POSITION, "latitude")
    return lat.quantize(Decimal("0.000001")), long.quantize(Decimal("0.000001"))


def _districts() -> tuple[str, ...]:
    return matcher.index().districts


def _check_text(text: str) -> tuple[str, str]:
    """The address as stored and its normalized form, or a refusal naming `text`."""
    value = check_model_text(StandardAddress, "text", text, name="text")
    if not value:
        raise invalid(MSG_ADDRESS_REQUIRED, Code.ADDRESS_REQUIRED, "text")
    return value, normalize(value, districts=_districts())


def _taken(key: str, *, except_pk: int | None = None) -> bool:
    """Another registered address with the same normalized form (full-width digits,
    幢 for 号…): the registry keeps one spelling per place."""
    known = matcher.index().exact.get(key)
    if known is None or known[1] != "address":
        return False
    if except_pk is None:
        return True
    own = StandardAddress.objects.filter(pk=except_pk).values_list("text", flat=True).first()
    return own is None or normalize(own, districts=_districts()) != key


@transaction.atomic
def address_create(
    *,
    actor: Actor,
    building: Area,
    text: str,
    compound: str = "",
    latitude=None,
    longitude=None,
) -> StandardAddress:
    """Register a standard address of a building."""
    require_manage_area(actor, building)
    if building.level != Area.Level.BUILDING:
        raise invalid(MSG_BUILDING_LEVEL, Code.BUILDING_LEVEL, "building")
    value, key = _check_text(text)
    compound = check_model_text(StandardAddress, "compound", compound)
    lat, long = check_position(latitude, longitude)
    if _taken(key) or StandardAddress.objects.filter(text=value).exists():
        raise conflict(MSG_ADDRESS_TAKEN, Code.ADDRESS_TAKEN, "text")
    address = StandardAddress.objects.create(
        building=building, text=value, compound=compound, latitude=lat, longitude=long
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=address,
        changes={"text": value, "building": building.code, "compound": compound,
                 "latitude": str(lat) if lat is not None else None,
                 "longitude": str(long) if long is not None else None},
    )  # fmt: skip
    _forget_index()
    return address


@transaction.atomic
def address_update(
    *,
    actor: Actor,
    address: StandardAddress,
    building: Area,
    text: str,
    compound: str = "",
    latitude=None,
    longitude=None,
) -> StandardAddress:
    """Correct an address: its text, building, compound or position. Both the old and
    the new building must be the actor's to manage."""
    require_manage_area(actor, address.building)
    require_manage_area(actor, building)
    if building.level != Area.Level.BUILDING:
        raise invalid(MSG_BUILDING_LEVEL, Code.BUILDING_LEVEL, "building")
    value, key = _check_text(text)
    compound = check_model_text(StandardAddress, "compound", compound)
    lat, long = check_position(latitude, longitude)
    if (
        _taken(key, except_pk=address.pk)
        or StandardAddress.objects.filter(text=value).exclude(pk=address.pk).exists()
    ):
        raise conflict(MSG_ADDRESS_TAKEN, Code.ADDRESS_TAKEN, "text")
    before = {
        "text": address.text,
        "building": address.building.code,
        "compound": address.compound,
        "latitude": str(address.latitude) if address.latitude is not None else None,
        "longitude": str(address.longitude) if address.longitude is not None else None,
    }
    address.building, address.text, address.compound = building, value, compound
    address.latitude, address.longitude = lat, long
    address.save()
    after = {
        "text": value,
        "building": building.code,
        "compound": compound,
        "latitude": str(lat) if lat is not None else None,
        "longitude": str(long) if long is not None else None,
    }
    changes = {k: {"old": before[k], "new": after[k]} for k in after if before[k] != after[k]}
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=address, changes=changes)
    _forget_index()
    return address


def _alias_target(
    actor: Actor, address: StandardAddress | None, area: Area | None
) -> tuple[StandardAddress | None, Area | None]:
    if (address is None) == (area is None):
        raise invalid(MSG_ALIAS_TARGET, Code.ALIAS_TARGET, "area")
    if address is not None:
        require_manage_area(actor, address.building)
        return address, None
    assert area is not None
    require_manage_area(actor, area)
    if area.level not in ALIAS_AREA_LEVELS:
        raise invalid(MSG_ALIAS_TARGET, Code.ALIAS_TARGET, "area")
    return None, area


def _save_alias(
    *,
    actor: Actor,
    text: str,
    address: StandardAddress | None,
    area: Area | None,
    source: str,
    replace: bool,
    forget: bool = True,
) -> AddressAlias:
    original = check_model_text(AddressAlias, "original", text, name="text")
    if not original:
        raise invalid(MSG_ALIAS_REQUIRED, Code.ALIAS_REQUIRED, "text")
    key = normalize(original, districts=_districts())[:200]
    if not key:
        raise invalid(MSG_ALIAS_REQUIRED, Code.ALIAS_REQUIRED, "text")
    known = matcher.index().exact.get(key)
    if known is not None and known[1] == "address":
        raise invalid(MSG_ALIAS_IS_ADDRESS, Code.ALIAS_IS_ADDRESS, "text")
    existing = AddressAlias.objects.select_for_update().filter(text=key).first()
    if existing is not None:
        if existing.address_id == (address.pk if address else None) and existing.area_id == (
            area.pk if area else None
        ):
            return existing  # the same alias again: nothing to change
        if not replace:
            raise conflict(MSG_ALIAS_TAKEN, Code.ALIAS_TAKEN, "text")
        before = {"address": existing.address_id, "area": existing.area_id}
        existing.address, existing.area, existing.source = address, area, source
        existing.original = original
        existing.save(update_fields=["address", "area", "source", "original"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            target=existing,
            changes={
                "old": before,
                "new": {"address": existing.address_id, "area": existing.area_id},
            },
        )
        _forget_index()
        return existing
    alias = AddressAlias.objects.create(
        text=key,
        original=original,
        address=address,
        area=area,
        source=source,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=alias,
        changes={"text": key, "address": alias.address_id, "area": alias.area_id,
                 "source": source},
    )  # fmt: skip
    if forget:
        _forget_index()
    return alias


@transaction.atomic
def alias_create(
    *,
    actor: Actor,
    text: str,
    address: StandardAddress | None = None,
    area: Area | None = None,
) -> AddressAlias:
    """Another spelling of a registered address, or a name for an area (a compound's
    grid, a landmark's community). The same alias again changes nothing; the same
    spelling pointing elsewhere is refused (409)."""
    address, area = _alias_target(actor, address, area)
    return _save_alias(
        actor=actor, text=text, address=address, area=area,
        source=AddressAlias.Source.MANUAL, replace=False,
    )  # fmt: skip


@transaction.atomic
def alias_create_many(*, actor: Actor, items) -> list[AddressAlias]:
    """Several aliases at once, each as `alias_create` makes it (the same checks and
    refusals, all or none), with the matcher's index dropped once at the end instead
    of after each (it is rebuilt from every address on its next use). `items` are
    (text, address or None, area or None)."""
    made = []
    for text, address, area in items:
        address, area = _alias_target(actor, address, area)
        alias = _save_alias(
            actor=actor, text=text, address=address, area=area,
            source=AddressAlias.Source.MANUAL, replace=False, forget=False,
        )  # fmt: skip
        made.append(alias)
    _forget_index()
    return made


@transaction.atomic
def alias_learn(*, actor: Actor, text: str, area: Area) -> AddressAlias | None:
    """Remember where a person placed a case: the caller's words (without a room
    number) → the place. A person's latest placement wins over an earlier learned one.
    None when nothing is left to learn (only a room number, or already registered)."""
    # Access was checked by the placing service (appeals.services.placement).
    value = ROOM_TAIL.sub("", (text or "").strip()) or (text or "").strip()
    key = normalize(value, districts=_districts())
    if not key:
        return None
    known = matcher.index().exact.get(key)
    if known is not None and known[1] == "address":
        return None
    return _save_alias(
        actor=actor, text=value[:200], address=None, area=area,
        source=AddressAlias.Source.LEARNED, replace=True,
    )  # fmt: skip


@transaction.atomic
def alias_delete(*, actor: Actor, alias: AddressAlias) -> None:
    if alias.address is not None:
        require_manage_area(actor, alias.address.building)
    elif alias.area is not None:
        require_manage_area(actor, alias.area)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        target=alias,
        changes={"text": alias.text, "address": alias.address_id, "area": alias.area_id},
    )
    alias.delete()
    _forget_index()


def address_bulk_create(
    *, actor: Actor, rows: list[tuple[Area, str, str, object, object]], batch_size: int = 2000
) -> int:
    """Register many addresses at once (the demo; a street's first registry): rows of
    (building, text, compound, latitude, longitude). Texts already registered are left
    as they are. Access is checked per building; one audit entry for the batch."""
    checked: set[int] = set()
    new: list[StandardAddress] = []
    with transaction.atomic():
        texts = [row[1] for row in rows]
        known: set[str] = set()
        for start in range(0, len(texts), 5000):
            known.update(
                StandardAddress.objects.filter(text__in=texts[start : start + 5000]).values_list(
                    "text", flat=True
                )
            )
        for building, text, compound, latitude, longitude in rows:
            if building.pk not in checked:
                require_manage_area(actor, building)
                if building.level != Area.Level.BUILDING:
                    raise invalid(MSG_BUILDING_LEVEL, Code.BUILDING_LEVEL, "building")
                checked.add(building.pk)
            value = check_model_text(StandardAddress, "text", text, name="text")
            if not value or value in known:
                continue
            known.add(value)
            lat, long = check_position(latitude, longitude)
            new.append(
                StandardAddress(
                    building=building,
                    text=value,
                    compound=check_model_text(StandardAddress, "compound", compound),
                    latitude=lat,
                    longitude=long,
                )
            )
        StandardAddress.objects.bulk_create(new, batch_size=batch_size)
        if new:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.BULK_CREATE,
                target_type="core.standardaddress",
                target_label=f"{len(new)} addresses",
                changes={"count": len(new)},
            )
        _forget_index()
    return len(new)
