"""The set-up pages choose areas and handling units through pickers (appeals.pickers):
the candidates are those the pages listed before, and an id outside them is refused
on its field with nothing written."""

import pytest
from django.urls import reverse

from jiceng.appeals import selectors
from jiceng.appeals.models import HandlingUnit, RoutingRule
from jiceng.core.models import Area
from jiceng.core.pickers import MSG_NOT_OFFERED, get_picker, offered

RULES = reverse("appeals:setup_rules")
UNITS = reverse("appeals:setup_units")


def _all(name: str, user, params=None) -> set[int]:
    return {o.pk for o in offered(get_picker(name), user, params=params or {}, limit=10_000)}


def _old_areas(user, *, grids: bool) -> set[int]:
    """The set-up pages' areas as they were listed: under the managed roots, districts
    and streets for a city-wide manager, and communities (and grids) for the others."""
    roots = selectors.managed_roots(user)
    levels = ["district", "street", "community"]
    if any(root.level == "city" for root in roots):
        levels = ["district", "street"]
    elif grids:
        levels.append("grid")
    found = set()
    for root in roots:
        under = Area.objects.filter(path__startswith=root.path, level__in=levels)
        found |= set(under.values_list("pk", flat=True))
    return found


@pytest.mark.parametrize(
    "key", ["superuser", "city_admin", "xh_admin", "xh_s1_staff", "xh_c1_secretary", "xh_member"]
)
def test_candidates_are_those_the_pages_listed(world, key):
    user = world.t.users[key]
    assert _all("setup-areas", user) == _old_areas(user, grids=True)
    assert _all("setup-areas", user, {"grids": "0"}) == _old_areas(user, grids=False)
    assert _all("routable-units", user) == {u.pk for u in selectors.routable_units(viewer=user)}
    if key == "xh_s1_staff":
        assert world.t.areas["xh_g1"].pk in _all("setup-areas", user)
        assert world.t.areas["xh_g1"].pk not in _all("setup-areas", user, {"grids": "0"})
        assert world.department.pk in _all("routable-units", user)
        assert world.hp_department.pk not in _all("routable-units", user)
    if key == "xh_member":
        assert not _all("setup-areas", user) and not _all("routable-units", user)


def _refused(response, field: str) -> None:
    assert response.status_code == 200
    assert str(MSG_NOT_OFFERED) in str(response.context["form"].errors[field])


def test_rule_on_a_grid_is_set_and_ids_out_of_scope_are_refused(client, world):
    t = world.t
    client.force_login(t.users["xh_s1_staff"])
    before = RoutingRule.objects.count()
    foreign_area = {"rule-area": t.areas["hp_c1"].pk, "rule-unit": world.department.pk}
    _refused(client.post(RULES, {**foreign_area, "rule-category": ""}), "area")
    foreign_unit = {"rule-area": t.areas["xh_g1"].pk, "rule-unit": world.hp_department.pk}
    _refused(client.post(RULES, {**foreign_unit, "rule-category": ""}), "unit")
    assert RoutingRule.objects.count() == before
    data = {"rule-area": t.areas["xh_g1"].pk, "rule-unit": world.department.pk}
    assert client.post(RULES, {**data, "rule-category": ""}).status_code == 302
    assert RoutingRule.objects.get(area=t.areas["xh_g1"], category=None).unit == world.department


def test_preview_of_an_area_out_of_scope_says_nothing(client, world):
    t = world.t
    client.force_login(t.users["xh_s1_staff"])
    category = world.category("sanitation")
    query = {"preview-area": t.areas["hp_c1"].pk, "preview-category": category.pk}
    response = client.get(RULES, query)
    assert response.context["preview"] is None
    assert str(MSG_NOT_OFFERED) in str(response.context["preview_form"].errors["area"])
    query["preview-area"] = t.areas["xh_g1"].pk
    assert client.get(RULES, query).context["preview"]["area"] == t.areas["xh_g1"]


def test_unit_page_refuses_a_grid_and_another_district(client, world):
    t = world.t
    client.force_login(t.users["xh_s1_staff"])
    for key in ("xh_g1", "hp_s1"):
        data = {"unit-name": "某承办单位", "unit-kind": "department", "unit-area": t.areas[key].pk}
        _refused(client.post(UNITS, data), "area")
    assert not HandlingUnit.objects.filter(name="某承办单位").exists()
    data = {"unit-name": "某承办单位", "unit-kind": "department", "unit-area": t.areas["xh_c2"].pk}
    assert client.post(UNITS, data).status_code == 302
    assert HandlingUnit.objects.get(name="某承办单位").area == t.areas["xh_c2"]
