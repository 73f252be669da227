import pytest

from jiceng.places.geo import (
    distance_m,
    district_at,
    district_shapes,
    gcj02_to_wgs84,
    wgs84_to_gcj02,
)


def test_wgs84_to_gcj02_known_point():
    # The public reference pair of the formula (Beijing, 116.404 E 39.915 N).
    lat, long = wgs84_to_gcj02(39.915, 116.404)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9)
    assert long == pytest.approx(116.41024449916938, abs=1e-9)


def test_gcj02_to_wgs84_inverts_the_shift():
    lat, long = gcj02_to_wgs84(39.915, 116.404)
    # The one-step inverse of the reference libraries is within a few centimetres.
    assert lat == pytest.approx(39.91359571849836, abs=1e-6)
    assert long == pytest.approx(116.39775550083061, abs=1e-6)
    back = wgs84_to_gcj02(lat, long)
    assert back == pytest.approx((39.915, 116.404), abs=1e-8)


def test_shanghai_shift_is_a_few_hundred_metres():
    lat, long = wgs84_to_gcj02(31.2304, 121.4737)
    assert 300 < distance_m(31.2304, 121.4737, lat, long) < 700


def test_outside_china_is_not_shifted():
    assert wgs84_to_gcj02(48.8584, 2.2945) == (48.8584, 2.2945)


def test_sixteen_districts_parsed_once():
    shapes = district_shapes()
    assert len(shapes) == 16 and district_shapes() is shapes
    assert {s.name for s in shapes} >= {"黄浦区", "徐汇区", "浦东新区", "崇明区"}


@pytest.mark.parametrize(
    "lat, long, name",
    [
        (31.2304, 121.4737, "黄浦区"),  # 人民广场
        (31.1955, 121.4375, "徐汇区"),  # 徐家汇
        (31.2397, 121.4998, "浦东新区"),  # 陆家嘴
        (31.6230, 121.3970, "崇明区"),  # 崇明城桥
        (31.0508, 121.2117, "松江区"),
    ],
)
def test_points_inside_districts(lat, long, name):
    assert district_at(lat, long).name == name


@pytest.mark.parametrize(
    "lat, long",
    [(39.9, 116.4), (30.0, 122.5), (0.0, 0.0), (-33.86, 151.21)],  # 北京, 东海, 0/0, Sydney
)
def test_points_outside_every_district(lat, long):
    assert district_at(lat, long) is None


def test_conversion_matters_near_a_border():
    # A WGS-84 point whose raw coordinates fall on the other side of the 徐汇/长宁
    # line than its converted ones would be placed wrongly without the shift; find one
    # along a line of latitude to show the conversion is applied at all.
    from jiceng.places.geo import _in_ring

    changed = 0
    for step in range(200):
        lat, long = 31.20, 121.40 + step * 0.0005
        shape = district_at(lat, long)
        raw = next(
            (s.name for s in district_shapes()
             for p in s.polygons if _in_ring(long, lat, p[0])),
            None,
        )  # fmt: skip
        if shape is not None and raw is not None and shape.name != raw:
            changed += 1
    assert changed > 0
