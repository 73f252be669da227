"""The committed cut of the official division lists is whole and consistent."""

import re

from jiceng.demo.territory import (
    CITY_CODE,
    DEMO_DISTRICT_CODE,
    DEMO_STREET_CODE,
    shanghai,
    territory_for,
)


def test_shanghai_cut_has_every_level_with_12_digit_codes_under_their_parents():
    data = shanghai()
    assert len(data.districts) == 16
    assert len(data.streets) == 234
    assert len(data.communities) == 6509
    district_codes = {d.code for d in data.districts}
    street_codes = {s.code for s in data.streets}
    for division in (*data.districts, *data.streets, *data.communities):
        assert re.fullmatch(r"31\d{10}", division.code), division
        assert division.name.strip() == division.name and division.name
    assert all(d.parent_code == CITY_CODE and d.code.endswith("000000") for d in data.districts)
    for street in data.streets:
        assert street.parent_code in district_codes
        assert street.code[:6] == street.parent_code[:6] and street.code.endswith("000")
    for community in data.communities:
        assert community.parent_code in street_codes
        assert community.code[:9] == community.parent_code[:9]
    # Every street has committees: no empty branch of the tree.
    assert {c.parent_code for c in data.communities} == street_codes


def test_known_official_names_and_codes():
    data = shanghai()
    by_code = {d.code: d.name for d in (*data.districts, *data.streets, *data.communities)}
    assert by_code["310104000000"] == "徐汇区"
    assert by_code["310115000000"] == "浦东新区"
    assert by_code[DEMO_STREET_CODE] == "湖南路街道"
    assert by_code["310104003000"] == "天平路街道"
    assert by_code["310104004008"] == "武康居委会"
    assert by_code["310104501000"] == "漕河泾新兴技术开发区"


def test_scales_select_street_district_and_city():
    street = territory_for("street")
    assert [s.code for s in street.streets] == [DEMO_STREET_CODE]
    assert len(street.communities) == 16
    district = territory_for("district")
    assert [d.code for d in district.districts] == [DEMO_DISTRICT_CODE]
    assert len(district.streets) == 14
    assert len(district.communities) == 313
    assert territory_for("city") == shanghai()
