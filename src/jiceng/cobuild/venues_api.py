"""Venues (阵地) in the JSON API: the list with each venue's rooms, a venue, registering,
editing and closing one, adding a room, a room's bookings over a range of days, booking
a room and cancelling a booking. The same forms parse the input as on the venue pages
(cobuild.views.venues) and the same services decide; a venue, room or booking out of
the viewer's scope is 404, one in sight the viewer may not manage 403."""

import datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status

from jiceng.cobuild import access, forms, selectors, services
from jiceng.cobuild.api import _area, _kind, _parsed
from jiceng.cobuild.errors import MSG_WINDOW_LONG, MSG_WINDOW_ORDER
from jiceng.cobuild.errors import CobuildErrorCode as Code
from jiceng.cobuild.models import Booking, Room, Venue
from jiceng.core.access import get_area_for_view
from jiceng.core.errors import ValidationFailed
from jiceng.core.idempotency import IdempotencyKeyHeader
from jiceng.core.inputs import model_decimal, model_text
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.core.pickers import without_pickers
from jiceng.orgs.access import get_unit_for_view

router = Router(tags=["cobuild 区域化党建"])

# A room's bookings are read for this many days from the first one unless told.
BOOKING_DAYS = 30
# Days a client may ask about: any real booking lies well inside, and local midnight of
# every day in between is a time the database can hold (year 1 and 9999 are not).
EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2199, 12, 31)


class RoomOut(Schema):
    id: int
    venue_id: int
    name: str
    floor_area: Decimal | None
    seats: int
    uses: str
    is_active: bool


class VenueOut(Schema):
    id: int
    name: str
    kind: str  # service_centre · unit_venue
    area_id: int
    area_name: str
    unit_id: int | None
    unit_name: str
    address: str
    floor_area: Decimal
    opening_hours: str
    closed_on: datetime.date | None
    rooms: list[RoomOut]

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name if obj.unit_id else ""

    @staticmethod
    def resolve_rooms(obj) -> list[Room]:
        return list(obj.rooms.all())


class BookingOut(Schema):
    id: int
    room_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    purpose: str
    booked_for: str
    cancelled_at: datetime.datetime | None


class VenueFilters(Schema):
    area: int | None = None  # venues in this area and below
    kind: str = ""  # service_centre · unit_venue
    include_closed: bool = False


class VenueIn(Schema):
    kind: model_text(Venue, "kind", kind="code")  # service_centre · unit_venue
    name: model_text(Venue, "name")
    area: int | None = None  # a service centre's street or community the viewer manages
    unit: int | None = None  # a unit venue's unit, which the viewer acts for
    floor_area: model_decimal(Venue, "floor_area")
    address: model_text(Venue, "address") = ""
    opening_hours: model_text(Venue, "opening_hours") = ""


class VenueEditIn(Schema):
    # Left out: unchanged. An empty opening_hours clears it, as on the page.
    floor_area: model_decimal(Venue, "floor_area") | None = None
    opening_hours: model_text(Venue, "opening_hours") | None = None


class RoomIn(Schema):
    name: model_text(Room, "name")
    floor_area: model_decimal(Room, "floor_area") | None = None
    seats: int = 0
    uses: model_text(Room, "uses") = ""


class BookingRangeIn(Schema):
    start: datetime.date | None = Field(None, ge=EARLIEST_DAY, le=LATEST_DAY)  # none: today
    end: datetime.date | None = Field(None, ge=EARLIEST_DAY, le=LATEST_DAY)  # inclusive
    include_cancelled: bool = False


class BookingIn(Schema):
    # With an offset ("2026-12-05T09:00:00+08:00"); without one, Beijing time, as typed
    # on the page.
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    purpose: model_text(Booking, "purpose")
    booked_for: model_text(Booking, "booked_for") = ""


def _client(request) -> str:
    return f"api:{request.user.pk}"


@router.get("/venues", response=list[VenueOut])
@paginate(LimitOffsetPagination)
def venues(request, filters: Query[VenueFilters]):
    """Venues the viewer sees with their rooms, open ones unless `include_closed`."""
    _kind(request)
    return selectors.venue_list(
        viewer=request.user,
        area=_area(request, filters.area),
        kind=filters.kind or None,
        open_only=not filters.include_closed,
    )


@router.get("/venues/{int:venue_id}", response=VenueOut)
def venue_detail(request, venue_id: int):
    _kind(request)
    return access.get_venue_for_view(request.user, venue_id)


@router.post("/venues", response={200: VenueOut, 201: VenueOut})
def venue_create(
    request,
    payload: VenueIn,
    idempotency_key: IdempotencyKeyHeader = Header(""),  # noqa: B008
):
    """Register a party–mass service centre (`area`: a street or community) or a venue
    a unit opens to residents (`unit`). Send an `Idempotency-Key` header: a retry of the
    same registration returns the first venue (200); the same key with another one is
    refused (422), and while the first request is still being handled (409)."""
    _kind(request)
    area = get_area_for_view(request.user, payload.area) if payload.area else None
    unit = get_unit_for_view(request.user, payload.unit) if payload.unit else None
    data = payload.dict(exclude={"area", "unit"})
    form = without_pickers(forms.VenueForm(data))
    cleaned = _parsed(form)
    venue, created = services.venue_submit(
        actor=request.user,
        name=cleaned["name"],
        kind=cleaned["kind"],
        floor_area=cleaned["floor_area"],
        area=area,
        unit=unit,
        address=cleaned["address"],
        opening_hours=cleaned["opening_hours"],
        idempotency_key=idempotency_key,
        client=_client(request),
    )
    return Status(201 if created else 200, venue)


@router.patch("/venues/{int:venue_id}", response=VenueOut)
def venue_update(request, venue_id: int, payload: VenueEditIn):
    """Change a venue's floor area or opening hours."""
    _kind(request)
    venue = access.get_venue_for_view(request.user, venue_id)
    data = {
        "floor_area": venue.floor_area if payload.floor_area is None else payload.floor_area,
        "opening_hours": (
            venue.opening_hours if payload.opening_hours is None else payload.opening_hours
        ),
    }
    cleaned = _parsed(forms.VenueEditForm(data))
    return services.venue_update(actor=request.user, venue=venue, **cleaned)


@router.post("/venues/{int:venue_id}/close", response=VenueOut)
def venue_close(request, venue_id: int):
    """Close a venue from today: its rooms take no more bookings. Closed already: 409."""
    _kind(request)
    venue = access.get_venue_for_view(request.user, venue_id)
    return services.venue_close(actor=request.user, venue=venue)


@router.post("/venues/{int:venue_id}/rooms", response={201: RoomOut})
def room_add(request, venue_id: int, payload: RoomIn):
    """Add a bookable room to an open venue; names are unique within a venue (409)."""
    _kind(request)
    venue = access.get_venue_for_view(request.user, venue_id)
    cleaned = _parsed(forms.RoomForm(payload.dict()))
    room = services.room_add(actor=request.user, venue=venue, **cleaned)
    return Status(201, room)


def _days(filters: BookingRangeIn) -> tuple[datetime.datetime, datetime.datetime]:
    """The range of days as local times [first midnight, the midnight after the last)."""
    first = filters.start or timezone.localdate()
    last = filters.end or first + datetime.timedelta(days=BOOKING_DAYS - 1)
    if last < first:
        raise ValidationFailed(MSG_WINDOW_ORDER, field="end", code=Code.ENDS_BEFORE_START)
    if (last - first).days > services.MAX_WINDOW_DAYS:
        raise ValidationFailed(MSG_WINDOW_LONG, field="end", code=Code.WINDOW_TOO_LONG)
    return _midnight(first), _midnight(last + datetime.timedelta(days=1))


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@router.get("/rooms/{int:room_id}/bookings", response=list[BookingOut])
@paginate(LimitOffsetPagination)
def room_bookings(request, room_id: int, filters: Query[BookingRangeIn]):
    """A room's bookings touching the days `start` to `end` (local dates, both
    included; by default 30 days from today), live ones unless `include_cancelled`."""
    _kind(request)
    room = access.get_room_for_view(request.user, room_id)
    start, end = _days(filters)
    return selectors.booking_list(
        viewer=request.user,
        room=room,
        start=start,
        end=end,
        include_cancelled=filters.include_cancelled,
    )


@router.post("/rooms/{int:room_id}/bookings", response={200: BookingOut, 201: BookingOut})
def booking_create(
    request,
    room_id: int,
    payload: BookingIn,
    idempotency_key: IdempotencyKeyHeader = Header(""),  # noqa: B008
):
    """Book a room for at most 24 hours. A time overlapping a live booking of the room
    is refused (409, `booking_conflict`, naming the booking in the way); a closed venue
    or a room not open for booking too (409). Send an `Idempotency-Key` header: a retry
    of the same booking returns it (200) instead of a conflict with itself."""
    _kind(request)
    room = access.get_room_for_view(request.user, room_id)
    form = forms.BookingForm({**payload.dict(), "room": room.pk}, rooms=[room])
    cleaned = _parsed(form)
    cleaned.pop("room")
    booking, created = services.booking_submit(
        actor=request.user,
        room=room,
        **cleaned,
        idempotency_key=idempotency_key,
        client=_client(request),
    )
    return Status(201 if created else 200, booking)


@router.post("/bookings/{int:booking_id}/cancel", response=BookingOut)
def booking_cancel(request, booking_id: int):
    """Cancel a booking of a venue the viewer manages; cancelled already: 409."""
    _kind(request)
    booking = access.get_booking_for_view(request.user, booking_id)
    return services.booking_cancel(actor=request.user, booking=booking)
