import pytest

from jiceng.places import locate, matcher, services
from tests.places.conftest import B1_POSITION


@pytest.mark.parametrize(
    "text, key, level",
    [
        ("复兴西路12弄1号", "b1", "building"),  # exact
        ("复兴西路１２弄１号", "b1", "building"),  # full width
        ("上海市徐汇区湖南路街道复兴西路12弄1号", "b1", "building"),  # prefixes
        ("徐汇区复兴西路十二弄一号", "b1", "building"),  # numerals
        ("复兴西路12弄3号502室", "b2", "building"),  # the longest registered prefix
        ("复兴西路12弄3-502", "b2", "building"),
        ("复兴西路12弄3幢", "b2", "building"),
        ("复兴苑3号楼", "b2", "building"),  # the compound and a house number
        ("复兴西路20号门口", "b3", "building"),
    ],
)
def test_text_lands_on_the_building(registry, text, key, level):
    found = matcher.match_text(text)
    assert (found.path, found.level) == (registry.buildings[key].path, level)
    assert found.placed and found.reason


def test_a_lane_lands_on_the_lowest_area_holding_it(registry):
    a = registry.territory.areas
    assert matcher.match_text("复兴西路12弄5号").path == a["xh_g1"].path  # both in 第一网格
    road = matcher.match_text("复兴西路99号")  # the road spans two grids of one community
    assert (road.path, road.level) == (a["xh_c1"].path, "community")
    assert "复兴西路" in road.reason


def test_no_digit_prefix_of_a_longer_number(registry):
    # "复兴西路2" is not "复兴西路20号"; the road alone places the community.
    assert matcher.match_text("复兴西路2号").level == "community"


def test_an_alias_lands_where_it_points(registry):
    services.alias_create(actor=None, text="老洋房小区东门", area=registry.territory.areas["xh_g2"])
    assert matcher.match_text("老洋房小区东门").path == registry.territory.areas["xh_g2"].path
    services.alias_create(actor=None, text="复兴西路十二弄壹号", address=registry.addresses["b1"])
    assert matcher.match_text("复兴西路十二弄壹号").path == registry.buildings["b1"].path


def test_unknown_text_with_a_district_lands_on_the_district(registry):
    found = matcher.match_text("徐汇区某某路999号")
    assert (found.path, found.level) == (registry.territory.areas["xh"].path, "district")
    assert "仅能确定所在区" in found.reason


def test_unknown_text_without_a_district_lands_nowhere(registry):
    found = matcher.match_text("某某路999号")
    assert (found.path, found.level, found.placed) == ("", "none", False)


def test_a_named_district_excludes_a_road_elsewhere(registry):
    # 贵州路 is registered in 黄浦区 only: "徐汇区贵州路100号" is not that address.
    found = matcher.match_text("徐汇区贵州路100号")
    assert found.level == "district" and found.path == registry.territory.areas["xh"].path


def test_position_at_a_registered_door(registry):
    found = matcher.match_position(float(B1_POSITION[0]), float(B1_POSITION[1]) + 0.0002)
    assert (found.path, found.level) == (registry.buildings["b1"].path, "building")


def test_position_near_but_not_at_a_door_lands_on_the_community(registry):
    found = matcher.match_position(float(B1_POSITION[0]) + 0.002, float(B1_POSITION[1]))
    assert found.level == "community" and found.path == registry.territory.areas["xh_c1"].path


def test_position_far_from_any_door_lands_on_the_district_with_a_street_hint(registry):
    a = registry.territory.areas
    found = matcher.match_position(31.1960, 121.4430)  # 1.5 km south of the doors
    assert (found.path, found.level) == (a["xh"].path, "district")
    assert found.street_path == a["xh_s1"].path
    far = matcher.match_position(31.1600, 121.4300)  # southern 徐汇区: no hint
    assert far.level == "district" and far.street_path == ""


def test_position_in_a_district_outside_the_territory(registry):
    found = matcher.match_position(31.2397, 121.4998)  # 浦东新区: no such area here
    assert found.level == "none" and "浦东新区" in found.reason


def test_position_outside_shanghai(registry):
    assert matcher.match_position(39.9, 116.4).level == "none"


def test_locate_prefers_the_deeper_answer(registry):
    where = locate.locate(address_string="徐汇区某某路1号", latitude=B1_POSITION[0],
                          longitude=B1_POSITION[1])  # fmt: skip
    assert where.placed and where.area == registry.buildings["b1"]


def test_locate_falls_back_to_a_district(registry):
    a = registry.territory.areas
    where = locate.locate(address_string="某某路1号", fallback=a["xh_g1"])
    assert not where.placed and where.area == a["xh"]
    assert locate.locate(address_string="某某路1号") is None


def test_hostile_text_is_bounded(registry):
    for text in ("\x00" * 50, "号" * 100_000, "１" * 5000, "复兴西路" + "弄" * 3000):
        found = matcher.match_text(text)
        assert found.level in ("none", "district", "community", "grid", "building")


def test_the_index_follows_registry_writes(registry):
    assert matcher.match_text("复兴西路30号").level == "community"
    services.address_create(actor=None, building=registry.buildings["b3"], text="复兴西路30号")
    assert matcher.match_text("复兴西路30号").level == "building"


def test_many_aliases_at_once_are_each_as_one_alone(registry):
    """The demo's path: the same checks and rows as alias_create, one index rebuild."""
    from jiceng.core.errors import ApplicationError
    from jiceng.places.models import AddressAlias

    t = registry.territory
    items = [
        ("老洋房小区南门", None, t.areas["xh_g2"]),
        ("复兴西路十二弄贰号", registry.addresses["b1"], None),
    ]
    made = services.alias_create_many(actor=None, items=items)
    assert AddressAlias.objects.filter(pk__in=[a.pk for a in made]).count() == 2
    assert matcher.match_text("老洋房小区南门").path == t.areas["xh_g2"].path
    assert matcher.match_text("复兴西路十二弄贰号").path == registry.buildings["b1"].path
    # A refused item (neither an address nor an area) leaves none of them written.
    bad = [("老洋房小区北门", None, t.areas["xh_g2"]), ("老洋房小区西门", None, None)]
    with pytest.raises(ApplicationError):
        services.alias_create_many(actor=None, items=bad)
    assert not AddressAlias.objects.filter(original="老洋房小区北门").exists()
