"""Venue pages: register a service centre or a unit's venue, add rooms, book them (the
conflicting booking named on the form), cancel a booking."""

import datetime

import pytest
from django.urls import reverse

from jiceng.cobuild import services
from jiceng.cobuild.models import Booking, Room, Venue
from jiceng.core.models import Area, AuditEntry
from tests.cobuild.conftest import local


def register(t, **overrides) -> dict:
    data = {
        "kind": "service_centre",
        "name": "复兴西路社区党群服务中心",
        "area": t.areas["xh_c1"].pk,
        "unit": "",
        "floor_area": "860",
        "address": "复兴西路 62 号",
        "opening_hours": "9:00-17:00",
    }
    data.update(overrides)
    return data


@pytest.fixture
def venue(service_centre) -> Venue:
    return service_centre


def booking_data(chosen, start: datetime.datetime, end: datetime.datetime, **overrides) -> dict:
    data = {
        "form": "booking",
        "room": chosen.pk,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        "purpose": "党员学习",
        "booked_for": "第一党支部",
    }
    data.update(overrides)
    return data


def test_community_registers_a_service_centre(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    assert client.get(reverse("cobuild:venue_new")).status_code == 200
    response = client.post(reverse("cobuild:venue_new"), register(territory))
    venue = Venue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cobuild:venue", args=[venue.pk])
    assert venue.floor_area == 860 and venue.area == territory.areas["xh_c1"]
    # Under the 1000 m² rule: the venues page shows the shortfall.
    html = client.get(reverse("cobuild:venues")).content.decode()
    assert "未达标" in html and "140" in html


def test_unit_org_opens_its_venue(client, territory):
    client.force_login(territory.users["xh_unit_secretary"])
    data = register(
        territory,
        kind="unit_venue",
        name="企业党建活动室",
        area="",
        unit=territory.units["xh_own"].pk,
    )
    response = client.post(reverse("cobuild:venue_new"), data)
    assert response.status_code == 302
    venue = Venue.objects.get()
    assert venue.unit == territory.units["xh_own"] and venue.area == territory.units["xh_own"].area


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"kind": ""}, "kind"),
        ({"name": ""}, "name"),
        ({"floor_area": "0"}, "floor_area"),
        ({"floor_area": "abc"}, "floor_area"),
        ({"area": ""}, "area"),  # a service centre needs its street or community
        ({"unit": "UNIT"}, "unit"),  # a service centre belongs to no unit
        ({"kind": "unit_venue", "unit": ""}, "unit"),
        ({"area": "999999"}, "area"),
    ],
)
def test_venue_refusals_name_the_field(client, territory, overrides, field):
    if overrides.get("unit") == "UNIT":
        overrides = {**overrides, "unit": territory.units["xh_own"].pk}
    client.force_login(territory.users["xh_c1_secretary"])
    response = client.post(reverse("cobuild:venue_new"), register(territory, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Venue.objects.exists()


def test_rooms_are_added_with_unique_names(client, territory, venue):
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("cobuild:venue", args=[venue.pk])
    data = {"form": "room", "name": "阅览室", "floor_area": "40", "seats": "20", "uses": "读书"}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert "name" in again.context["room_form"].errors
    assert "功能室名称：该阵地已有同名功能室" in again.content.decode()
    assert Room.objects.filter(venue=venue).count() == 2


def test_booking_and_the_conflict_named_on_the_form(client, territory, venue):
    room = venue.rooms.get()
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("cobuild:venue", args=[venue.pk])
    response = client.post(url, booking_data(room, local(1, 9), local(1, 11)))
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (
        booking.starts_at == local(1, 9) and booking.booked_by == territory.users["xh_c1_secretary"]
    )
    clash = client.post(url, booking_data(room, local(1, 10), local(1, 12), purpose="议事会"))
    assert clash.status_code == 200
    errors = clash.context["booking_form"].errors
    assert "starts_at" in errors and "党员学习" in errors["starts_at"][0]
    assert "开始时间：该时段与已有预约冲突" in clash.content.decode()
    assert Booking.objects.count() == 1
    # Back to back is fine.
    assert client.post(url, booking_data(room, local(1, 11), local(1, 12))).status_code == 302
    assert Booking.objects.count() == 2
    assert AuditEntry.objects.filter(target_type="cobuild.booking", action="create").count() == 2


@pytest.mark.parametrize(
    "hours, overrides, field",
    [
        ((11, 9), {}, "ends_at"),
        ((9, 9), {}, "ends_at"),
        ((9, 11), {"purpose": ""}, "purpose"),
        ((9, 11), {"starts_at": "tomorrow"}, "starts_at"),
        ((9, 11), {"room": "999999"}, "room"),
    ],
)
def test_booking_refusals_name_the_field(client, territory, venue, hours, overrides, field):
    room = venue.rooms.get()
    client.force_login(territory.users["xh_c1_secretary"])
    data = booking_data(room, local(2, hours[0]), local(2, hours[1]), **overrides)
    response = client.post(reverse("cobuild:venue", args=[venue.pk]), data)
    assert response.status_code == 200
    assert field in response.context["booking_form"].errors
    assert not Booking.objects.exists()


def test_cancel_a_booking_frees_the_slot(client, territory, venue):
    room = venue.rooms.get()
    booking = services.booking_create(
        actor=None, room=room, starts_at=local(1, 9), ends_at=local(1, 11), purpose="学习"
    )
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("cobuild:venue", args=[venue.pk])
    assert client.post(url, {"form": "cancel", "booking": booking.pk}).status_code == 302
    booking.refresh_from_db()
    assert booking.cancelled_at is not None
    assert client.post(url, booking_data(room, local(1, 9), local(1, 11))).status_code == 302


def test_edit_floor_area_and_close(client, territory, venue):
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("cobuild:venue", args=[venue.pk])
    response = client.post(url, {"form": "edit", "floor_area": "1200", "opening_hours": "全天"})
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.floor_area == 1200
    refused = client.post(url, {"form": "edit", "floor_area": "-5", "opening_hours": ""})
    assert "floor_area" in refused.context["edit_form"].errors
    assert client.post(url, {"form": "close"}).status_code == 302
    venue.refresh_from_db()
    assert venue.closed_on is not None


def test_venue_out_of_scope_is_404(client, territory, venue):
    room = venue.rooms.get()
    client.force_login(territory.users["hp_s1_staff"])
    url = reverse("cobuild:venue", args=[venue.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, booking_data(room, local(1, 9), local(1, 10))).status_code == 404
    assert not Booking.objects.exists()


def test_unit_org_cannot_book_a_community_centre(client, territory, venue):
    client.force_login(territory.users["xh_unit_secretary"])
    url = reverse("cobuild:venue", args=[venue.pk])
    assert client.get(url).status_code == 404


def test_venue_page_queries_do_not_grow(client, territory, venue, django_assert_max_num_queries):
    room = venue.rooms.get()
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("cobuild:venue", args=[venue.pk])
    services.booking_create(
        actor=None, room=room, starts_at=local(1, 8), ends_at=local(1, 9), purpose="一"
    )
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(8):
        extra = services.room_add(actor=None, venue=venue, name=f"活动室{n}")
        services.booking_create(
            actor=None,
            room=extra,
            starts_at=local(1, 10 + n),
            ends_at=local(1, 11 + n),
            purpose=f"活动{n}",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_district_sees_centres_counted_by_street_and_drills_down(client, territory):
    """Above a street the communities are counted per child (达标 / 未达标), each child a
    link to its own counts, down to a street's communities with their shortfall."""
    client.force_login(territory.users["xh_c1_secretary"])
    client.post(reverse("cobuild:venue_new"), register(territory, floor_area="1200"))
    client.force_login(territory.users["xh_admin"])
    html = client.get(reverse("cobuild:venues")).content.decode()
    street = territory.areas["xh_s1"]
    communities = Area.objects.filter(level="community", path__startswith=street.path).count()
    row = html.split(f'href="?area={street.pk}">{street.name}</a>')[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[1:4]]
    table = html.split("<h2>阵地</h2>")[0]
    assert cells[:2] == [str(communities), "1"] and "复兴西路社区居委会" not in table
    drilled = client.get(reverse("cobuild:venues"), {"area": street.pk}).content.decode()
    assert "复兴西路社区居委会" in drilled and "达标" in drilled
    assert f'href="?area={territory.areas["xh"].pk}"' in drilled  # back up to the district
    # The city admin starts from the districts.
    client.force_login(territory.users["city_admin"])
    city = client.get(reverse("cobuild:venues")).content.decode()
    assert f'href="?area={territory.areas["xh"].pk}">徐汇区</a>' in city
