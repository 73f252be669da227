"""Open311 and the JSON API locate a case by address_string or lat/long, as GeoReport v2
allows; a case placed no deeper than a district is filed there, in its placement queue."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.appeals import services
from jiceng.appeals.intake import intake_process
from jiceng.appeals.models import Appeal
from tests.places.conftest import B1_POSITION


@pytest.fixture
def api_key(registry) -> str:
    _key, raw = services.open311_key_create(actor=None, name="12345热线")
    return raw


def _post(client, key, fmt="json", **data):
    body = {"api_key": key, "service_code": "sanitation", "description": "垃圾桶满溢", **data}
    return client.post(f"/open311/v2/requests.{fmt}", body)


def test_address_string_only_is_placed_at_the_building(client, registry, api_key):
    response = _post(client, api_key, address_string="徐汇区复兴西路１２弄３号５０２室")
    assert response.status_code == 200, response.content
    [row] = response.json()
    appeal = Appeal.objects.get(tracking_code=row["service_request_id"])
    assert appeal.area == registry.buildings["b2"] and not appeal.placement_pending
    assert appeal.address == "徐汇区复兴西路１２弄３号５０２室" and appeal.routing_pending
    intake_process()
    appeal.refresh_from_db()
    assert appeal.street == registry.territory.areas["xh_s1"]


def test_lat_long_only_is_placed_at_the_nearest_door(client, registry, api_key):
    response = _post(client, api_key, lat=B1_POSITION[0], long=B1_POSITION[1])
    assert response.status_code == 200, response.content
    appeal = Appeal.objects.get()
    assert appeal.area == registry.buildings["b1"]
    assert str(appeal.latitude) == B1_POSITION[0]  # kept as sent, WGS-84


def test_lat_long_in_xml(client, registry, api_key):
    response = _post(client, api_key, fmt="xml", lat=B1_POSITION[0], long=B1_POSITION[1])
    assert response.status_code == 200 and b"<service_request_id>" in response.content


def test_vague_address_goes_to_the_district_queue_never_refused(client, registry, api_key):
    response = _post(client, api_key, address_string="徐汇区某某路999号")
    assert response.status_code == 200, response.content
    [row] = response.json()
    assert "人工确定发生地" in row["service_notice"]
    appeal = Appeal.objects.get()
    assert appeal.area == registry.territory.areas["xh"] and appeal.placement_pending
    assert appeal.street is None and appeal.community is None and appeal.unit is None
    assert "仅能确定所在区" in appeal.placement_reason
    # Nothing routes it until a person places it; GET shows it open at the district.
    intake_process()
    appeal.refresh_from_db()
    assert appeal.placement_pending and appeal.unit is None
    detail = client.get(f"/open311/v2/requests/{appeal.tracking_code}.json").json()
    assert detail[0]["status"] == "open" and detail[0]["address"] == "徐汇区"


def test_point_far_from_doors_goes_to_the_queue_with_the_street(client, registry, api_key):
    response = _post(client, api_key, lat="31.1960", long="121.4430")
    assert response.status_code == 200
    appeal = Appeal.objects.get()
    assert appeal.placement_pending and appeal.area == registry.territory.areas["xh"]
    assert appeal.street == registry.territory.areas["xh_s1"]


def test_unknown_text_falls_back_to_the_jurisdiction(client, registry, api_key):
    response = _post(client, api_key, address_string="某某路999号", jurisdiction_id="310104003001")
    assert response.status_code == 200
    assert Appeal.objects.get().area == registry.territory.areas["xh"]


@pytest.mark.parametrize(
    "data",
    [
        {"address_string": "某某路999号"},  # no district named, nothing to fall back on
        {"lat": "39.9", "long": "116.4"},  # 北京
        {"lat": "31.2397", "long": "121.4998"},  # 浦东新区: not in this territory
        {},
    ],
)
def test_unplaceable_is_refused_in_the_spec_shape(client, registry, api_key, data):
    response = _post(client, api_key, **data)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and error["description"]
    assert Appeal.objects.count() == 0


def test_address_id_still_wins(client, registry, api_key):
    response = _post(
        client, api_key, address_id="310104003001002", address_string="复兴西路12弄1号"
    )
    assert response.status_code == 200
    assert Appeal.objects.get().area == registry.territory.areas["xh_g2"]


def test_placed_by_text_is_one_write_on_postgresql(client, registry, api_key):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement write is PostgreSQL's")
    _post(client, api_key, address_string="复兴西路12弄1号")  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, api_key, address_string="复兴西路12弄3号")
    assert response.status_code == 200
    writes = [q for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(writes) == 1


@pytest.mark.parametrize(
    "data",
    [
        {"address_string": "复兴西路\x0012弄"},
        {"address_string": "复" * 201},
        {"lat": "31.2\x00", "long": "121.4"},
    ],
)
def test_hostile_input_is_refused_naming_the_field(client, registry, api_key, data):
    response = _post(client, api_key, **data)
    assert response.status_code == 400
    assert Appeal.objects.count() == 0


# ---- the JSON API's intake --------------------------------------------------------------


def test_api_intake_by_address(client, registry):
    client.force_login(registry.territory.users["xh_s1_staff"])
    response = client.post(
        "/api/appeals",
        {"category": "sanitation", "description": "路灯不亮", "address": "复兴西路12弄1号"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["appeal"]["area_id"] == registry.buildings["b1"].pk
    assert body["appeal"]["placement_pending"] is False


def test_api_intake_by_position_to_the_queue(client, registry):
    client.force_login(registry.territory.users["hp_s1_staff"])
    response = client.post(
        "/api/appeals",
        {"category": "sanitation", "description": "路灯不亮", "latitude": 31.16,
         "longitude": 121.43},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    appeal = response.json()["appeal"]
    assert appeal["placement_pending"] is True and appeal["street_id"] is None
    assert appeal["area_id"] == registry.territory.areas["xh"].pk


def test_api_intake_without_any_place_names_the_field(client, registry):
    client.force_login(registry.territory.users["xh_s1_staff"])
    response = client.post(
        "/api/appeals",
        {"category": "sanitation", "description": "路灯不亮"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "appeal_address_unplaceable"
    assert response.json()["field"] == "area"


# ---- what the caller's position is in: WGS-84 (the default) or GCJ-02 -------------------


def _gcj02_of_b1() -> tuple[str, str]:
    from jiceng.places.geo import wgs84_to_gcj02

    lat, long = wgs84_to_gcj02(float(B1_POSITION[0]), float(B1_POSITION[1]))
    return f"{lat:.6f}", f"{long:.6f}"


def test_a_gcj02_point_is_converted_where_it_is_said(client, registry, api_key):
    lat, long = _gcj02_of_b1()
    # Taken as WGS-84, the map's point is some 500 m off the door: not placed there.
    _post(client, api_key, lat=lat, long=long)
    assert Appeal.objects.get().area != registry.buildings["b1"]
    Appeal.objects.all().delete()
    response = _post(client, api_key, lat=lat, long=long, coordinate_system="gcj02")
    assert response.status_code == 200, response.content
    appeal = Appeal.objects.get()
    assert appeal.area == registry.buildings["b1"]
    assert str(appeal.latitude) == B1_POSITION[0]  # kept in WGS-84
    refused = _post(client, api_key, lat=lat, long=long, coordinate_system="bd09")
    assert refused.status_code == 400 and Appeal.objects.count() == 1


def test_the_api_and_the_trial_match_take_gcj02_too(client, registry):
    lat, long = _gcj02_of_b1()
    client.force_login(registry.territory.users["xh_s1_staff"])
    body = {"category": "sanitation", "description": "路灯不亮", "latitude": float(lat),
            "longitude": float(long), "coordinate_system": "gcj02"}  # fmt: skip
    response = client.post("/api/appeals", body, content_type="application/json")
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(pk=response.json()["appeal"]["id"])
    assert appeal.area == registry.buildings["b1"]
    assert str(appeal.latitude) == B1_POSITION[0]
    body["coordinate_system"] = "bd09"
    refused = client.post("/api/appeals", body, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["field"].endswith("coordinate_system")
    trial = {"lat": float(lat), "long": float(long), "coordinate_system": "gcj02"}
    answer = client.post("/api/places/match", trial, content_type="application/json").json()
    assert answer["area_id"] == registry.buildings["b1"].pk
    trial.pop("coordinate_system")
    answer = client.post("/api/places/match", trial, content_type="application/json").json()
    assert answer["area_id"] != registry.buildings["b1"].pk
