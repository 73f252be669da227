"""Venues (阵地): service centres and units' open venues, their rooms and the bookings
of those rooms. `venue_submit` and `booking_submit` are the two creations as the pages
and the API call them: once per client and idempotency key (core.idempotency)."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.cobuild import access
from jiceng.cobuild.errors import (
    MSG_AREA_LEVEL,
    MSG_BOOKING_CANCELLED,
    MSG_BOOKING_CONFLICT,
    MSG_BOOKING_LONG,
    MSG_BOOKING_ORDER,
    MSG_FLOOR_AREA,
    MSG_KIND,
    MSG_PURPOSE,
    MSG_ROOM_INACTIVE,
    MSG_ROOM_NAME_TAKEN,
    MSG_SEATS,
    MSG_TIME_REQUIRED,
    MSG_TITLE,
    MSG_VENUE_CLOSED,
    MSG_VENUE_LEVEL,
    MSG_VENUE_UNIT,
)
from jiceng.cobuild.errors import CobuildErrorCode as Code
from jiceng.cobuild.models import (
    Booking,
    Room,
    Venue,
)
from jiceng.cobuild.services._common import (
    _actor,
    _choice,
    _decimal,
    _integer,
    _text,
)
from jiceng.cobuild.services.resources import RESOURCE_AREA_LEVELS
from jiceng.core import idempotency
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record, changes_between, snapshot
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.orgs.models import Unit


@transaction.atomic
def venue_create(
    *,
    actor,
    name: str,
    kind: str,
    floor_area,
    area: Area | None = None,
    unit: Unit | None = None,
    address: str = "",
    opening_hours: str = "",
) -> Venue:
    """Register a party–mass service centre (street or community staff) or a venue a unit
    opens to residents (the unit's org, or the territory staff)."""
    kind = _choice(kind, Venue.Kind, field="kind", message=MSG_KIND, code=Code.BAD_KIND)
    if kind == Venue.Kind.SERVICE_CENTRE:
        if unit is not None:
            raise ValidationFailed(MSG_VENUE_UNIT, field="unit", code=Code.VENUE_UNIT)
        if area is None or area.level not in (Area.Level.STREET, Area.Level.COMMUNITY):
            raise ValidationFailed(MSG_VENUE_LEVEL, field="area", code=Code.VENUE_LEVEL)
        require_manage_area(actor, area)
    else:
        if unit is None:
            raise ValidationFailed(MSG_VENUE_UNIT, field="unit", code=Code.VENUE_UNIT)
        area = area or unit.area
        if not (access.can_manage_area(actor, area) or access.can_act_for_unit(actor, unit)):
            access.require_act_for_unit(actor, unit)
        if area.level not in RESOURCE_AREA_LEVELS:
            raise ValidationFailed(MSG_AREA_LEVEL, field="area", code=Code.AREA_LEVEL)
    name = _text(name, field="name", max_length=120, required=MSG_TITLE)
    floor_area = _decimal(
        floor_area,
        field="floor_area",
        message=MSG_FLOOR_AREA,
        code=Code.BAD_FLOOR_AREA,
        strict=True,
    )
    venue = Venue.objects.create(
        name=name,
        kind=kind,
        area=area,
        unit=unit,
        address=_text(address, field="address", max_length=200),
        floor_area=floor_area,
        opening_hours=_text(opening_hours, field="opening_hours", max_length=100),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=venue,
        changes={
            "kind": kind,
            "area": area.pk,
            "unit": unit.pk if unit else None,
            "floor_area": str(floor_area),
        },
    )
    return venue


def venue_submit(
    *,
    actor,
    name: str,
    kind: str,
    floor_area,
    area: Area | None = None,
    unit: Unit | None = None,
    address: str = "",
    opening_hours: str = "",
    idempotency_key: str = "",
    client: str = "",
) -> tuple[Venue, bool]:
    """`venue_create` once per client and key; returns (venue, created). A retry of the
    same registration gets the first venue back and registers nothing; the same key with
    another registration is refused (core.idempotency)."""
    fields = {
        "name": name,
        "kind": kind,
        "floor_area": floor_area,
        "area": area,
        "unit": unit,
        "address": address,
        "opening_hours": opening_hours,
    }
    return idempotency.idempotent(
        client=_client(client, actor),
        key=idempotency.clean_key(idempotency_key),
        request={"write": "venue_create", **fields},
        model=Venue,
        work=lambda: venue_create(actor=actor, **fields),
    )


def _client(client: str, actor) -> str:
    """Whose keys these are: the caller's name for itself, or else the actor's."""
    return client or (f"user:{actor.pk}" if actor is not None else "web")


@transaction.atomic
def venue_update(*, actor, venue: Venue, floor_area=None, opening_hours=None) -> Venue:
    access.require_manage_venue(actor, venue)
    before = snapshot(venue, ("floor_area", "opening_hours"))
    if floor_area is not None:
        venue.floor_area = _decimal(
            floor_area,
            field="floor_area",
            message=MSG_FLOOR_AREA,
            code=Code.BAD_FLOOR_AREA,
            strict=True,
        )
    if opening_hours is not None:
        venue.opening_hours = _text(opening_hours, field="opening_hours", max_length=100)
    venue.save(update_fields=["floor_area", "opening_hours"])
    changes = changes_between(before, snapshot(venue, ("floor_area", "opening_hours")))
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=venue, changes=changes)
    return venue


@transaction.atomic
def venue_close(*, actor, venue: Venue, closed_on: datetime.date | None = None) -> Venue:
    access.require_manage_venue(actor, venue)
    if venue.closed_on is not None:
        raise Conflict(MSG_VENUE_CLOSED, field="closed_on", code=Code.VENUE_CLOSED)
    venue.closed_on = closed_on or timezone.localdate()
    venue.save(update_fields=["closed_on"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=venue,
        changes={"closed_on": venue.closed_on},
    )
    return venue


@transaction.atomic
def room_add(
    *,
    actor,
    venue: Venue,
    name: str,
    floor_area=None,
    seats: int = 0,
    uses: str = "",
) -> Room:
    access.require_manage_venue(actor, venue)
    if venue.closed_on is not None:
        raise Conflict(MSG_VENUE_CLOSED, field="venue", code=Code.VENUE_CLOSED)
    name = _text(name, field="name", max_length=60, required=MSG_TITLE)
    if floor_area is not None:
        floor_area = _decimal(
            floor_area,
            field="floor_area",
            message=MSG_FLOOR_AREA,
            code=Code.BAD_FLOOR_AREA,
            strict=True,
        )
    seats = _integer(
        seats, field="seats", low=0, high=100_000, message=MSG_SEATS, code=Code.BAD_SEATS
    )
    uses = _text(uses, field="uses", max_length=200)
    if Room.objects.filter(venue=venue, name=name).exists():
        raise Conflict(MSG_ROOM_NAME_TAKEN, field="name", code=Code.ROOM_NAME_TAKEN)
    try:
        with transaction.atomic():
            room = Room.objects.create(
                venue=venue, name=name, floor_area=floor_area, seats=seats, uses=uses
            )
    except IntegrityError:
        raise Conflict(MSG_ROOM_NAME_TAKEN, field="name", code=Code.ROOM_NAME_TAKEN) from None
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=room,
        changes={"venue": venue.pk, "name": name, "seats": seats},
    )
    return room


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _aware(value, field: str) -> datetime.datetime:
    """A time with its zone, or ValidationFailed naming the field."""
    if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
        raise ValidationFailed(MSG_TIME_REQUIRED, field=field, code=Code.TIME_REQUIRED)
    return value


def _instant(value):
    """A time as one instant (UTC), so the same time written in two zones is the same
    request to the idempotency digest; anything else as it came."""
    if isinstance(value, datetime.datetime) and not timezone.is_naive(value):
        return value.astimezone(datetime.UTC).isoformat()
    return value


def booking_submit(
    *,
    actor,
    room: Room,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    purpose: str,
    booked_for: str = "",
    idempotency_key: str = "",
    client: str = "",
) -> tuple[Booking, bool]:
    """`booking_create` once per client and key; returns (booking, created). A retry of a
    booking that was made gets it back instead of a conflict with itself; the same key
    with another booking is refused (core.idempotency)."""
    request = {
        "write": "booking_create",
        "room": room,
        "purpose": purpose,
        "booked_for": booked_for,
        "starts_at": _instant(starts_at),
        "ends_at": _instant(ends_at),
    }
    return idempotency.idempotent(
        client=_client(client, actor),
        key=idempotency.clean_key(idempotency_key),
        request=request,
        model=Booking,
        work=lambda: booking_create(
            actor=actor,
            room=room,
            starts_at=starts_at,
            ends_at=ends_at,
            purpose=purpose,
            booked_for=booked_for,
        ),
    )


@transaction.atomic
def booking_create(
    *,
    actor,
    room: Room,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    purpose: str,
    booked_for: str = "",
) -> Booking:
    """Book a room. Two live bookings of one room never overlap: the room row is locked
    (SELECT … FOR UPDATE on PostgreSQL; SQLite serializes writers anyway) before the
    check, so concurrent requests for the same slot queue and the second one sees the
    first one's booking."""
    access.require_manage_room(actor, room)
    starts_at = _aware(starts_at, "starts_at")
    ends_at = _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ValidationFailed(
            MSG_BOOKING_ORDER, field="ends_at", code=Code.BOOKING_ENDS_BEFORE_START
        )
    if ends_at - starts_at > datetime.timedelta(hours=24):
        raise ValidationFailed(MSG_BOOKING_LONG, field="ends_at", code=Code.BOOKING_TOO_LONG)
    purpose = _text(purpose, field="purpose", max_length=200, required=MSG_PURPOSE)
    booked_for = _text(booked_for, field="booked_for", max_length=100)
    locked = Room.objects.select_for_update().select_related("venue").get(pk=room.pk)
    if locked.venue.closed_on is not None:
        raise Conflict(MSG_VENUE_CLOSED, field="room", code=Code.VENUE_CLOSED)
    if not locked.is_active:
        raise Conflict(MSG_ROOM_INACTIVE, field="room", code=Code.ROOM_INACTIVE)
    clash = (
        Booking.objects.filter(
            room=locked, cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        message = str(MSG_BOOKING_CONFLICT).format(
            start=_local(clash.starts_at), end=_local(clash.ends_at), purpose=clash.purpose
        )
        raise Conflict(message, field="starts_at", code=Code.BOOKING_CONFLICT)
    booking = Booking.objects.create(
        room=locked,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose,
        booked_for=booked_for,
        booked_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=booking,
        changes={
            "room": room.pk,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "purpose": purpose,
        },
    )
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking: Booking) -> Booking:
    access.require_manage_booking(actor, booking)
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if locked.cancelled_at is not None:
        raise Conflict(MSG_BOOKING_CANCELLED, field="booking", code=Code.BOOKING_CANCELLED)
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["cancelled_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CLOSE,
        target=booking,
        changes={"cancelled_at": booking.cancelled_at},
    )
    return booking
