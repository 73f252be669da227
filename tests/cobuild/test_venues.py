"""Venues: service centres and unit venues, the floor-area rule, bookings with conflict
detection (also under concurrency on PostgreSQL) and usage figures."""

import datetime
import threading
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection

from jiceng.cobuild import selectors, services
from jiceng.cobuild.models import Booking, Venue
from jiceng.core.errors import Conflict, NotFound, ValidationFailed
from jiceng.core.models import AuditEntry

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def centre(world):
    venue = services.venue_create(
        actor=world.t.users["xh_s1_staff"],
        name="复兴西路社区党群服务中心",
        kind=Venue.Kind.SERVICE_CENTRE,
        area=world.t.areas["xh_c1"],
        floor_area="650",
    )
    room = services.room_add(
        actor=world.t.users["xh_c1_secretary"],
        venue=venue,
        name="多功能厅",
        seats=80,
        uses="党课、议事、文艺排练",
    )
    return venue, room


def book(world, room, start, end, *, actor="xh_c1_secretary", purpose="居民议事会"):
    return services.booking_create(
        actor=world.t.users[actor] if actor else None,
        room=room,
        starts_at=start,
        ends_at=end,
        purpose=purpose,
    )


def test_overlapping_booking_refused_with_a_clear_message(world, centre):
    _venue, room = centre
    first = book(world, room, at(5, 9), at(5, 11), purpose="党课")
    # Touching ends are not a conflict.
    book(world, room, at(5, 11), at(5, 12))
    book(world, room, at(5, 8), at(5, 9))
    count = Booking.objects.count()
    for start, end in ((at(5, 10), at(5, 13)), (at(5, 9, 30), at(5, 10)), (at(5, 7), at(5, 14))):
        with pytest.raises(Conflict) as error:
            book(world, room, start, end)
        assert error.value.field == "starts_at" and error.value.code == "booking_conflict"
    assert Booking.objects.count() == count
    # A cancelled booking frees its time.
    services.booking_cancel(actor=world.t.users["xh_c1_secretary"], booking=first)
    book(world, room, at(5, 9), at(5, 10))
    with pytest.raises(Conflict):
        services.booking_cancel(actor=None, booking=first)


def test_conflict_message_names_the_existing_booking(world, centre):
    _venue, room = centre
    book(world, room, at(6, 14), at(6, 16), purpose="党课")
    with pytest.raises(Conflict) as error:
        book(world, room, at(6, 15), at(6, 17))
    assert (
        str(error.value.message)
        == "该时段与已有预约冲突：2026-12-06 14:00 至 2026-12-06 16:00（党课）"
    )


@pytest.mark.parametrize(
    "field, start, end, purpose",
    [
        ("ends_at", at(5, 10), at(5, 10), "会"),
        ("ends_at", at(5, 10), at(5, 9), "会"),
        ("ends_at", at(5, 10), at(7, 10), "会"),
        ("starts_at", datetime.datetime(2026, 12, 5, 9), at(5, 10), "会"),
        ("starts_at", None, at(5, 10), "会"),
        ("purpose", at(5, 9), at(5, 10), "  "),
    ],
)
def test_bad_booking_names_the_field(world, centre, field, start, end, purpose):
    _venue, room = centre
    with pytest.raises(ValidationFailed) as error:
        book(world, room, start, end, purpose=purpose)
    assert error.value.field == field
    assert not Booking.objects.exists()


def test_booking_access(world, centre):
    _venue, room = centre
    with pytest.raises(NotFound):
        book(world, room, at(5, 9), at(5, 10), actor="hp_s1_staff")
    with pytest.raises(NotFound):
        book(world, room, at(5, 9), at(5, 10), actor="xh_unit_secretary")
    booking = book(world, room, at(5, 9), at(5, 10))
    assert AuditEntry.objects.filter(target_type="cobuild.booking", action="create").count() == 1
    assert list(selectors.booking_list(viewer=world.t.users["xh_s1_staff"], room=room)) == [booking]


def test_unit_venue_opened_by_the_units_org(world):
    t = world.t
    venue = services.venue_create(
        actor=t.users["xh_unit_secretary"],
        name="某科技公司党员活动室",
        kind=Venue.Kind.UNIT_VENUE,
        unit=t.units["xh_own"],
        floor_area="120.5",
        opening_hours="周六 9:00-17:00",
    )
    assert venue.area == t.units["xh_own"].area
    room = services.room_add(actor=t.users["xh_unit_secretary"], venue=venue, name="活动室")
    book(world, room, at(12, 9), at(12, 11), actor="xh_unit_secretary")
    assert list(selectors.venue_list(viewer=t.users["xh_unit_secretary"])) == [venue]
    with pytest.raises(Conflict) as error:
        services.room_add(actor=None, venue=venue, name="活动室")
    assert error.value.field == "name"
    # The unit's secretary cannot open a service centre, nor a venue for another unit;
    # neither is in their sight.
    with pytest.raises(NotFound):
        services.venue_create(
            actor=t.users["xh_unit_secretary"],
            name="中心",
            kind=Venue.Kind.SERVICE_CENTRE,
            area=t.areas["xh_c1"],
            floor_area=100,
        )
    with pytest.raises(NotFound):
        services.venue_create(
            actor=t.users["xh_unit_secretary"],
            name="别家",
            kind=Venue.Kind.UNIT_VENUE,
            unit=t.units["xh_joint1"],
            floor_area=100,
        )
    # The community where the venue sits manages it too; its residents do not.
    services.room_add(actor=t.users["xh_c1_secretary"], venue=venue, name="会客室")
    with pytest.raises(NotFound):
        services.room_add(actor=t.users["xh_resident"], venue=venue, name="阅览室")


@pytest.mark.parametrize(
    "field, kwargs",
    [
        ("kind", {"kind": "park"}),
        ("unit", {"kind": "unit_venue"}),
        ("area", {"area": "xh_g1"}),
        ("floor_area", {"floor_area": "0"}),
        ("floor_area", {"floor_area": "大"}),
        ("name", {"name": ""}),
    ],
)
def test_bad_venue_names_the_field(world, field, kwargs):
    t = world.t
    arguments = dict(name="中心", kind="service_centre", area="xh_c1", floor_area="100")
    arguments.update(kwargs)
    arguments["area"] = t.areas[arguments["area"]]
    with pytest.raises(ValidationFailed) as error:
        services.venue_create(actor=None, **arguments)
    assert error.value.field == field
    assert not Venue.objects.exists()


def test_floor_area_rule_per_community(world, centre, settings):
    t = world.t
    venue, _room = centre
    services.venue_create(
        actor=None,
        name="复兴西路社区党群服务站（二）",
        kind="service_centre",
        area=t.areas["xh_c1"],
        floor_area="400",
    )
    services.venue_create(
        actor=None,
        name="武康路社区党群服务中心",
        kind="service_centre",
        area=t.areas["xh_c2"],
        floor_area="1200",
    )
    services.venue_create(
        actor=None,
        name="湖南路街道党群服务中心",
        kind="service_centre",
        area=t.areas["xh_s1"],
        floor_area="3000",
    )
    services.venue_create(
        actor=None, name="单位活动室", kind="unit_venue", unit=t.units["xh_own"], floor_area="5000"
    )
    rows = {
        r.community.code: r
        for r in selectors.service_centre_floor_area(viewer=t.users["xh_s1_staff"])
    }
    c1, c2 = rows[t.areas["xh_c1"].code], rows[t.areas["xh_c2"].code]
    assert (c1.floor_area, c1.ok) == (Decimal("1050.00"), True)
    assert (c2.floor_area, c2.ok) == (Decimal("1200.00"), True)
    assert set(rows) == {t.areas["xh_c1"].code, t.areas["xh_c2"].code}
    services.venue_close(actor=None, venue=venue)
    c1 = next(
        r
        for r in selectors.service_centre_floor_area(viewer=t.users["xh_s1_staff"])
        if r.community == t.areas["xh_c1"]
    )
    assert (c1.floor_area, c1.ok, c1.shortfall) == (Decimal("400.00"), False, Decimal("600.00"))
    settings.COBUILD_SERVICE_CENTRE_MIN_FLOOR_AREA = 300
    assert all(r.ok for r in selectors.service_centre_floor_area(viewer=t.users["xh_s1_staff"]))
    xh_c3 = selectors.service_centre_floor_area(viewer=t.users["xh_c3_secretary"])
    assert [(r.community, r.floor_area) for r in xh_c3] == [(t.areas["xh_c3"], Decimal("0"))]


def test_usage_per_venue_per_month(world, centre, django_assert_max_num_queries):
    venue, room = centre
    book(world, room, at(5, 9), at(5, 11))
    book(world, room, at(20, 14), at(20, 15, 30))
    cancelled = book(world, room, at(21, 9), at(21, 18))
    services.booking_cancel(actor=None, booking=cancelled)
    # Months are counted in Shanghai time: 1 January 00:30 there is still 31 December
    # in UTC, and counts for January.
    book(world, room, at(31, 22), at(31, 23))
    book(
        world,
        room,
        datetime.datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI),
        datetime.datetime(2027, 1, 1, 2, 30, tzinfo=SHANGHAI),
    )
    viewer = type(world.t.users["xh_s1_staff"]).objects.get(username="xh_s1_staff")
    with django_assert_max_num_queries(2):
        usage = selectors.venue_usage(viewer=viewer)
    assert [(u.venue_id, u.month, u.bookings, u.hours) for u in usage] == [
        (venue.pk, datetime.date(2026, 12, 1), 3, Decimal("4.5")),
        (venue.pk, datetime.date(2027, 1, 1), 1, Decimal("2.0")),
    ]
    assert [u.month for u in selectors.venue_usage(viewer=viewer, year=2027)] == [
        datetime.date(2027, 1, 1)
    ]
    assert selectors.venue_usage(viewer=world.t.users["hp_s1_staff"]) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_slot_on_postgresql(territory):
    """Two requests for the same slot at once: exactly one wins. The room row lock makes
    the second wait and then see the first one's booking."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite serializes writers)")
    from django.db import connections

    venue = services.venue_create(
        actor=None,
        name="中心",
        kind="service_centre",
        area=territory.areas["xh_c1"],
        floor_area=1000,
    )
    room = services.room_add(actor=None, venue=venue, name="会议室")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt(i: int) -> None:
        try:
            barrier.wait()
            services.booking_create(
                actor=None, room=room, starts_at=at(8, 9), ends_at=at(8, 10), purpose=f"会{i}"
            )
            outcomes.append("booked")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "conflict", "conflict", "conflict"]
    assert Booking.objects.filter(room=room).count() == 1
