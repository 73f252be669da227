"""The vendored map of Shanghai against the territory: every district of the national
codes is a feature of the map, by name, and the city's indicator chart is drawn on it."""

import csv
import json

from django.conf import settings

from jiceng.core.models import Area
from jiceng.dashboard.charts import GEOJSON, map_features, map_name_of
from jiceng.dashboard.registry import _INDICATORS, child_code_length

DISTRICTS = settings.BASE_DIR / "demo" / "data" / "shanghai_districts.csv"


def districts() -> dict[str, str]:
    with DISTRICTS.open(encoding="utf-8", newline="") as handle:
        return {row["name"]: row["code"] for row in csv.DictReader(handle)}


def test_the_sixteen_districts_of_the_codes_are_the_maps_features():
    features = map_features()
    assert len(features) == 16
    assert set(features) == set(districts())
    # Where the file gives a division code, it is the district's own.
    for name, code in features.items():
        if code:
            assert districts()[name].startswith(code), name
    # The file is ECharts' compressed GeoJSON, which ECharts decodes when it registers it.
    assert json.loads(GEOJSON.read_text(encoding="utf-8"))["UTF8Encoding"] is True


def test_an_area_is_matched_by_name_or_else_by_code():
    assert map_name_of(Area(code="310104000000", name="徐汇区")) == "徐汇区"
    # A district typed under another name still finds its shape through its code.
    assert map_name_of(Area(code="310104000000", name="徐汇")) == "徐汇区"
    assert map_name_of(Area(code="320102000000", name="玄武区")) is None


def test_the_city_shows_a_map_and_a_district_its_streets_as_bars(client, territory):
    client.force_login(territory.users["city_admin"])
    city, xh = territory.areas["city"], territory.areas["xh"]
    body = client.get(f"/api/charts/areas/{city.pk}/indicators/units_all").json()
    assert body["type"] == "map"
    assert dict(zip(body["categories"], body["series"][0]["values"], strict=True)) == {
        "黄浦区": 1,
        "徐汇区": 6,
    }
    # The numbers are the indicator's own, per child.
    counts = _INDICATORS["units_all"].by_child(
        territory.users["city_admin"], city, child_code_length(city)
    )
    assert counts == {xh.code: 6, territory.areas["hp"].code: 1}
    xh_index = body["categories"].index("徐汇区")
    assert body["links"][xh_index] == f"/areas/{xh.pk}/charts/?indicator=units_all"
    streets = client.get(f"/api/charts/areas/{xh.pk}/indicators/units_all").json()
    assert streets["type"] == "bar"
    assert streets["categories"] == ["湖南路街道", "天平路街道"]
    assert streets["series"][0]["values"] == [4, 2]
