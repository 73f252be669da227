"""Venues, rooms and bookings through the API (cobuild/venues_api.py): each operation as
the role that may take it, its refusals with the service's codes, the same result as
the venue pages, an audit row per write, and what PostgreSQL would refuse (over-long
text, NUL) refused first, naming the field."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jiceng.cobuild import services
from jiceng.cobuild.errors import CobuildErrorCode as Code
from jiceng.cobuild.models import Booking, Room, Venue
from jiceng.core.models import AuditEntry
from tests.cobuild.conftest import local

CENTRE = {
    "kind": "service_centre",
    "name": "复兴西路社区党群服务中心",
    "floor_area": "860",
    "address": "复兴西路 62 号",
    "opening_hours": "9:00-17:00",
}


def _send(client, method: str, url: str, data=None, **headers):
    if method == "get":
        return client.get(url, headers=headers)
    return getattr(client, method)(
        url, json.dumps(data or {}), content_type="application/json", headers=headers
    )


def _post(client, url: str, data=None, **headers):
    return _send(client, "post", url, data, **headers)


def slot(day: int, start: int, end: int, **extra) -> dict:
    return {
        "starts_at": local(day, start).isoformat(),
        "ends_at": local(day, end).isoformat(),
        "purpose": "党员学习",
        "booked_for": "第一党支部",
        **extra,
    }


def audits(target_type: str, action: str) -> int:
    return AuditEntry.objects.filter(target_type=target_type, action=action).count()


@pytest.fixture
def centre(service_centre) -> Venue:
    return service_centre


# ---- venues -----------------------------------------------------------------------------


def test_community_registers_a_service_centre_once_per_key(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    data = {**CENTRE, "area": territory.areas["xh_c1"].pk}
    first = _post(client, "/api/cobuild/venues", data, **{"Idempotency-Key": "venue-1"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["kind"], body["area_name"], body["unit_id"], body["rooms"]) == (
        "service_centre",
        "复兴西路社区居委会",
        None,
        [],
    )
    assert body["floor_area"] == "860.00" and body["closed_on"] is None
    venue = Venue.objects.get()
    assert audits("cobuild.venue", "create") == 1
    # A retry answers the first venue; the same key with another venue is refused.
    again = _post(client, "/api/cobuild/venues", data, **{"Idempotency-Key": "venue-1"})
    assert (again.status_code, again.json()["id"]) == (200, venue.pk)
    other = _post(
        client, "/api/cobuild/venues", {**data, "name": "另一个"}, **{"Idempotency-Key": "venue-1"}
    )
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert Venue.objects.count() == 1 and audits("cobuild.venue", "create") == 1


def test_unit_org_opens_its_venue(client, territory):
    client.force_login(territory.users["xh_unit_secretary"])
    unit = territory.units["xh_own"]
    data = {**CENTRE, "kind": "unit_venue", "name": "企业党建活动室", "unit": unit.pk}
    response = _post(client, "/api/cobuild/venues", data)
    assert response.status_code == 201, response.content
    assert (response.json()["unit_name"], response.json()["area_id"]) == (unit.name, unit.area_id)
    # Not a service centre, and not another unit's venue: neither is in its sight.
    centre = {**CENTRE, "area": territory.areas["xh_c1"].pk}
    assert _post(client, "/api/cobuild/venues", centre).status_code == 404
    joint = {**data, "unit": territory.units["xh_joint1"].pk}
    assert _post(client, "/api/cobuild/venues", joint).status_code == 404
    assert Venue.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, status, field, code",
    [
        ({"kind": ""}, 400, "kind", "invalid"),
        ({"kind": "park"}, 400, "kind", "invalid"),
        ({"name": ""}, 400, "name", "invalid"),
        ({"floor_area": "0"}, 400, "floor_area", Code.BAD_FLOOR_AREA),
        ({"floor_area": "abc"}, 422, "floor_area", "invalid"),
        ({"area": None}, 400, "area", Code.VENUE_LEVEL),
        ({"area": "grid"}, 400, "area", Code.VENUE_LEVEL),
        ({"unit": "xh_own"}, 400, "unit", Code.VENUE_UNIT),
        ({"kind": "unit_venue", "area": None}, 400, "unit", Code.VENUE_UNIT),
    ],
)
def test_venue_refusals_name_the_field(client, territory, overrides, status, field, code):
    client.force_login(territory.users["xh_c1_secretary"])
    data = {**CENTRE, "area": territory.areas["xh_c1"].pk, **overrides}
    if overrides.get("area") == "grid":
        data["area"] = territory.areas["xh_g1"].pk
    if overrides.get("unit"):
        data["unit"] = territory.units[overrides["unit"]].pk
    response = _post(client, "/api/cobuild/venues", data)
    assert (response.status_code, response.json()["field"]) == (status, field), response.content
    assert response.json()["code"] == code
    assert not Venue.objects.exists()


def test_out_of_scope_is_404_and_without_cobuild_too(client, territory, centre):
    room = centre.rooms.get()
    booking = services.booking_create(
        actor=None, room=room, starts_at=local(1, 9), ends_at=local(1, 10), purpose="党课"
    )
    urls = [
        ("get", f"/api/cobuild/venues/{centre.pk}", {}),
        ("patch", f"/api/cobuild/venues/{centre.pk}", {"opening_hours": "全天"}),
        ("post", f"/api/cobuild/venues/{centre.pk}/close", {}),
        ("post", f"/api/cobuild/venues/{centre.pk}/rooms", {"name": "阅览室"}),
        ("get", f"/api/cobuild/rooms/{room.pk}/bookings", {}),
        ("post", f"/api/cobuild/rooms/{room.pk}/bookings", slot(2, 9, 10)),
        ("post", f"/api/cobuild/bookings/{booking.pk}/cancel", {}),
    ]
    # Another district's street, another community, a unit's org: the centre is out of
    # sight, as a missing id is; a resident sees no co-building at all.
    for user in ("hp_s1_staff", "xh_c3_secretary", "xh_unit_secretary", "xh_resident"):
        client.force_login(territory.users[user])
        for method, url, data in urls:
            response = _send(client, method, url, data)
            assert response.status_code == 404, (user, method, url, response.content)
            assert response.json()["code"] == "not_found"
        data = {**CENTRE, "area": territory.areas["xh_c1"].pk}
        assert _post(client, "/api/cobuild/venues", data).status_code == 404
    centre.refresh_from_db()
    assert centre.closed_on is None and centre.opening_hours == ""
    assert Room.objects.count() == 1 and Booking.objects.get().cancelled_at is None


def test_list_with_rooms_by_area_paginated(
    client, territory, centre, django_assert_max_num_queries
):
    t = territory
    services.venue_create(
        actor=None, name="天平路中心", kind="service_centre", area=t.areas["xh_c3"], floor_area=900
    )
    closed = services.venue_create(
        actor=None, name="旧中心", kind="service_centre", area=t.areas["xh_c1"], floor_area=300
    )
    services.venue_close(actor=None, venue=closed)
    client.force_login(t.users["xh_admin"])
    body = client.get("/api/cobuild/venues").json()
    assert body["count"] == 2
    c1 = client.get("/api/cobuild/venues", {"area": t.areas["xh_c1"].pk}).json()["items"]
    assert [v["name"] for v in c1] == [centre.name]
    assert [(r["name"], r["seats"]) for r in c1[0]["rooms"]] == [("多功能厅", 60)]
    with_closed = client.get(
        "/api/cobuild/venues", {"area": t.areas["xh_c1"].pk, "include_closed": True}
    ).json()
    assert with_closed["count"] == 2
    page = client.get("/api/cobuild/venues", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    assert client.get("/api/cobuild/venues", {"kind": "unit_venue"}).json()["count"] == 0
    # The community's secretary sees its own venues only; another district none.
    client.force_login(t.users["xh_c1_secretary"])
    assert client.get("/api/cobuild/venues").json()["count"] == 1
    client.force_login(t.users["hp_s1_staff"])
    assert client.get("/api/cobuild/venues").json()["count"] == 0
    # Rooms come with their venues in one query, however many there are.
    client.force_login(t.users["xh_admin"])
    with CaptureQueriesContext(connection) as few:
        client.get("/api/cobuild/venues")
    for n in range(5):
        more = services.venue_create(
            actor=None, name=f"中心{n}", kind="service_centre", area=t.areas["xh_s1"], floor_area=1
        )
        for name in ("一室", "二室"):
            services.room_add(actor=None, venue=more, name=name)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/api/cobuild/venues").json()
    assert body["count"] == 7 and sum(len(v["rooms"]) for v in body["items"]) == 11


def test_detail_edit_and_close(client, territory, centre):
    client.force_login(territory.users["xh_c1_secretary"])
    url = f"/api/cobuild/venues/{centre.pk}"
    detail = client.get(url).json()
    assert (detail["name"], [r["name"] for r in detail["rooms"]]) == (centre.name, ["多功能厅"])
    edited = _send(client, "patch", url, {"opening_hours": "周一至周六 9:00-20:00"})
    assert edited.status_code == 200, edited.content
    # What is left out stays as it was.
    assert (edited.json()["floor_area"], edited.json()["opening_hours"]) == (
        "860.00",
        "周一至周六 9:00-20:00",
    )
    enlarged = _send(client, "patch", url, {"floor_area": "1200"})
    assert enlarged.json()["floor_area"] == "1200.00"
    assert audits("cobuild.venue", "update") == 2
    bad = _send(client, "patch", url, {"floor_area": "-5"})
    assert (bad.status_code, bad.json()["field"]) == (400, "floor_area")
    assert bad.json()["code"] == Code.BAD_FLOOR_AREA
    closed = _post(client, f"{url}/close")
    assert (closed.status_code, closed.json()["closed_on"]) == (
        200,
        timezone.localdate().isoformat(),
    )
    assert audits("cobuild.venue", "close") == 1
    again = _post(client, f"{url}/close")
    assert (again.status_code, again.json()["code"]) == (409, Code.VENUE_CLOSED)
    # A closed venue takes no new room and no booking.
    room = _post(client, f"{url}/rooms", {"name": "阅览室"})
    assert (room.status_code, room.json()["code"]) == (409, Code.VENUE_CLOSED)
    booked = _post(client, f"/api/cobuild/rooms/{centre.rooms.get().pk}/bookings", slot(1, 9, 10))
    assert (booked.status_code, booked.json()["code"]) == (409, Code.VENUE_CLOSED)
    assert Room.objects.count() == 1 and not Booking.objects.exists()


# ---- rooms ------------------------------------------------------------------------------


def test_rooms_are_added_with_unique_names(client, territory, centre):
    client.force_login(territory.users["xh_c1_secretary"])
    url = f"/api/cobuild/venues/{centre.pk}/rooms"
    data = {"name": "阅览室", "floor_area": "40", "seats": 20, "uses": "读书"}
    added = _post(client, url, data)
    assert added.status_code == 201, added.content
    assert (added.json()["venue_id"], added.json()["floor_area"], added.json()["is_active"]) == (
        centre.pk,
        "40.00",
        True,
    )
    assert audits("cobuild.room", "create") == 2  # the fixture's and this one
    taken = _post(client, url, data)
    assert (taken.status_code, taken.json()["code"], taken.json()["field"]) == (
        409,
        Code.ROOM_NAME_TAKEN,
        "name",
    )
    negative = _post(client, url, {"name": "会客室", "seats": -1})
    assert (negative.status_code, negative.json()["field"]) == (400, "seats")
    assert Room.objects.filter(venue=centre).count() == 2


# ---- bookings ---------------------------------------------------------------------------


def test_book_a_room_and_the_overlap_named(client, territory, centre):
    room = centre.rooms.get()
    client.force_login(territory.users["xh_c1_secretary"])
    url = f"/api/cobuild/rooms/{room.pk}/bookings"
    first = _post(client, url, slot(1, 9, 11, purpose="党课"), **{"Idempotency-Key": "b-1"})
    assert first.status_code == 201, first.content
    assert (first.json()["room_id"], first.json()["cancelled_at"]) == (room.pk, None)
    assert audits("cobuild.booking", "create") == 1
    # The retry of that same booking is answered with it, not refused as a clash.
    retry = _post(client, url, slot(1, 9, 11, purpose="党课"), **{"Idempotency-Key": "b-1"})
    assert (retry.status_code, retry.json()["id"]) == (200, first.json()["id"])
    # Another booking over it is refused with the service's code, naming the one in the
    # way; touching ends are no clash.
    clash = _post(client, url, slot(1, 10, 12))
    assert (clash.status_code, clash.json()["code"], clash.json()["field"]) == (
        409,
        Code.BOOKING_CONFLICT,
        "starts_at",
    )
    assert "党课" in clash.json()["message"] and "09:00" in clash.json()["message"]
    assert _post(client, url, slot(1, 11, 12)).status_code == 201
    assert Booking.objects.count() == 2 and audits("cobuild.booking", "create") == 2


def test_a_time_without_offset_is_beijing_time(client, territory, centre):
    room = centre.rooms.get()
    client.force_login(territory.users["xh_c1_secretary"])
    day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    data = {"starts_at": f"{day}T14:00", "ends_at": f"{day}T15:30", "purpose": "议事会"}
    response = _post(client, f"/api/cobuild/rooms/{room.pk}/bookings", data)
    assert response.status_code == 201, response.content
    booking = Booking.objects.get()
    assert timezone.localtime(booking.starts_at).strftime("%Y-%m-%d %H:%M") == f"{day} 14:00"


@pytest.mark.parametrize(
    "data, field, code",
    [
        (slot(1, 11, 9), "ends_at", Code.BOOKING_ENDS_BEFORE_START),
        (slot(1, 9, 9), "ends_at", Code.BOOKING_ENDS_BEFORE_START),
        ({**slot(1, 9, 10), "ends_at": local(2, 10).isoformat()}, "ends_at", Code.BOOKING_TOO_LONG),
        (slot(1, 9, 10, purpose=""), "purpose", "invalid"),
        ({**slot(1, 9, 10), "starts_at": "明天上午"}, "starts_at", "invalid"),
        ({**slot(1, 9, 10), "ends_at": "2026-02-30T10:00"}, "ends_at", "invalid"),
    ],
)
def test_bad_booking_times_name_the_field(client, territory, centre, data, field, code):
    client.force_login(territory.users["xh_c1_secretary"])
    response = _post(client, f"/api/cobuild/rooms/{centre.rooms.get().pk}/bookings", data)
    assert 400 <= response.status_code < 500, response.content
    assert (response.json()["field"], response.json()["code"]) == (field, code)
    assert not Booking.objects.exists()


def test_a_rooms_bookings_by_days(client, territory, centre, django_assert_max_num_queries):
    room = centre.rooms.get()
    book = {"actor": None, "room": room, "purpose": "活动"}
    today = services.booking_create(**book, starts_at=local(0, 20), ends_at=local(0, 21))
    later = services.booking_create(**book, starts_at=local(40, 9), ends_at=local(40, 10))
    cancelled = services.booking_create(**book, starts_at=local(1, 9), ends_at=local(1, 10))
    services.booking_cancel(actor=None, booking=cancelled)
    client.force_login(territory.users["xh_s1_staff"])
    url = f"/api/cobuild/rooms/{room.pk}/bookings"

    def ids(params=None) -> list[int]:
        response = client.get(url, params or {})
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["items"]]

    # By default the 30 days from today, live bookings only.
    assert ids() == [today.pk]
    assert ids({"include_cancelled": True}) == [today.pk, cancelled.pk]
    day = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()
    assert ids({"start": day, "end": day}) == [later.pk]
    assert ids({"start": day}) == [later.pk]
    backwards = client.get(url, {"start": day, "end": timezone.localdate().isoformat()})
    assert (backwards.status_code, backwards.json()["field"], backwards.json()["code"]) == (
        400,
        "end",
        Code.ENDS_BEFORE_START,
    )
    too_long = client.get(url, {"start": "2026-01-01", "end": "2030-01-01"})
    assert (too_long.status_code, too_long.json()["code"]) == (400, Code.WINDOW_TOO_LONG)
    for bad in ("9999-12-31", "0001-01-01", "2026-13-01"):
        response = client.get(url, {"start": bad})
        assert (response.status_code, response.json()["field"]) == (422, "start"), bad
    # A page of bookings costs the same queries however many it holds.
    with CaptureQueriesContext(connection) as few:
        ids()
    for hour in range(8, 16):
        services.booking_create(**book, starts_at=local(5, hour), ends_at=local(5, hour + 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(ids()) == 9


def test_cancel_frees_the_slot_and_only_the_venues_managers_cancel(client, territory):
    t = territory
    venue = services.venue_create(
        actor=None, name="企业活动室", kind="unit_venue", unit=t.units["xh_own"], floor_area=80
    )
    room = services.room_add(actor=None, venue=venue, name="活动室")
    # Booked by the community; cancelled by the unit's org, which manages the venue:
    # a booking is the venue's, not its booker's.
    booking = services.booking_create(
        actor=t.users["xh_c1_secretary"],
        room=room,
        starts_at=local(1, 9),
        ends_at=local(1, 10),
        purpose="议事会",
    )
    url = f"/api/cobuild/bookings/{booking.pk}/cancel"
    for someone_else in ("hp_s1_staff", "xh_c3_secretary", "xh_member"):
        client.force_login(t.users[someone_else])
        refused = _post(client, url)
        assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    booking.refresh_from_db()
    assert booking.cancelled_at is None and audits("cobuild.booking", "close") == 0
    client.force_login(t.users["xh_unit_secretary"])
    cancelled = _post(client, url)
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_at"] is not None
    assert audits("cobuild.booking", "close") == 1
    again = _post(client, url)
    assert (again.status_code, again.json()["code"]) == (409, Code.BOOKING_CANCELLED)
    rebooked = _post(client, f"/api/cobuild/rooms/{room.pk}/bookings", slot(1, 9, 10))
    assert rebooked.status_code == 201, rebooked.content


# ---- the same as the pages --------------------------------------------------------------


def _fields(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


def test_the_page_and_the_api_make_the_same_venue_room_and_booking(client, territory):
    t = territory
    client.force_login(t.users["xh_s1_staff"])
    page_data = {**CENTRE, "area": t.areas["xh_c1"].pk, "unit": ""}
    assert client.post(reverse("cobuild:venue_new"), page_data).status_code == 302
    api_data = {**CENTRE, "area": t.areas["xh_c2"].pk}
    assert _post(client, "/api/cobuild/venues", api_data).status_code == 201
    by_page, by_api = Venue.objects.order_by("pk")
    venue_fields = ("name", "kind", "unit", "address", "floor_area", "opening_hours", "closed_on")
    assert _fields(by_page, venue_fields) == _fields(by_api, venue_fields)

    room = {"name": "阅览室", "floor_area": "40", "seats": "20", "uses": "读书"}
    page_url = reverse("cobuild:venue", args=[by_page.pk])
    assert client.post(page_url, {"form": "room", **room}).status_code == 302
    api_room = {**room, "seats": 20}
    assert _post(client, f"/api/cobuild/venues/{by_api.pk}/rooms", api_room).status_code == 201
    room_fields = ("name", "floor_area", "seats", "uses", "is_active")
    page_room, api_room_row = by_page.rooms.get(), by_api.rooms.get()
    assert _fields(page_room, room_fields) == _fields(api_room_row, room_fields)

    form = {
        "form": "booking",
        "room": page_room.pk,
        "starts_at": local(1, 9).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(1, 11).strftime("%Y-%m-%dT%H:%M"),
        "purpose": "党员学习",
        "booked_for": "第一党支部",
    }
    assert client.post(page_url, form).status_code == 302
    booked = _post(client, f"/api/cobuild/rooms/{api_room_row.pk}/bookings", slot(1, 9, 11))
    assert booked.status_code == 201, booked.content
    booking_fields = ("starts_at", "ends_at", "purpose", "booked_for", "booked_by", "cancelled_at")
    page_booking, api_booking = Booking.objects.order_by("pk")
    assert _fields(page_booking, booking_fields) == _fields(api_booking, booking_fields)

    # The same clash refused with the same message on both.
    page_clash = client.post(
        page_url, {**form, "starts_at": local(1, 10).strftime("%Y-%m-%dT%H:%M")}
    )
    api_clash = _post(client, f"/api/cobuild/rooms/{api_room_row.pk}/bookings", slot(1, 10, 12))
    assert api_clash.json()["message"] in page_clash.content.decode()
    assert Booking.objects.count() == 2


# ---- what PostgreSQL refuses, refused first ---------------------------------------------


def _writes(t, venue: Venue, room: Room) -> list[tuple[str, str, dict, type, str]]:
    """(method, url, valid body, the model whose column holds the field, field) for each
    text field of each write that stores text."""
    centre = {**CENTRE, "area": t.areas["xh_c1"].pk}
    venue_url = f"/api/cobuild/venues/{venue.pk}"
    room_body = {"name": "阅览室", "uses": "读书"}
    booking_url = f"/api/cobuild/rooms/{room.pk}/bookings"
    return [
        *(("post", "/api/cobuild/venues", centre, Venue, f) for f in ("name", "address")),
        ("post", "/api/cobuild/venues", centre, Venue, "opening_hours"),
        ("patch", venue_url, {"opening_hours": "全天"}, Venue, "opening_hours"),
        *(("post", f"{venue_url}/rooms", room_body, Room, f) for f in ("name", "uses")),
        *(("post", booking_url, slot(1, 9, 10), Booking, f) for f in ("purpose", "booked_for")),
    ]


def _rows() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Venue, Room, Booking, AuditEntry))


@pytest.mark.parametrize("hostile", ["over-long", "nul"])
def test_over_long_and_nul_text_refused_naming_the_field(client, territory, centre, hostile):
    """On PostgreSQL these would fail in the database (a varchar too long, NUL in text);
    the schema refuses them first, naming the field, and nothing is written."""
    room = centre.rooms.get()
    client.force_login(territory.users["xh_c1_secretary"])
    failures = []
    for method, url, body, model, field in _writes(territory, centre, room):
        limit = model._meta.get_field(field).max_length
        value = "长" * (limit + 1) if hostile == "over-long" else "活动\x00室"
        before = _rows()
        response = _send(client, method, url, {**body, field: value})
        error = response.json()
        if not (
            400 <= response.status_code < 500
            and (error.get("field"), error.get("code")) == (field, "invalid")
            and _rows() == before
        ):
            failures.append(f"{method} {url} {field}: {response.status_code} {error}")
    centre.refresh_from_db()
    assert failures == [] and centre.opening_hours == ""
