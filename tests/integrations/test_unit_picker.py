"""The handling unit a token or subscription names is picked (core.pickers,
`integration-units`) among the active units of the districts the viewer manages.

The pages once listed every such unit in one select, cut at 500: slow at city scale,
and whatever came after could not be chosen. These tests hold the picker: it offers the
district's units only, refuses another district's on the field, and accepts a unit
found by the search beyond the first shown."""

import pytest
from django.urls import reverse

from jiceng.appeals import services as appeal_services
from jiceng.core.pickers import SHOWN, get_picker, offered
from jiceng.integrations import selectors
from jiceng.integrations.models import Subscription, SystemToken
from tests.conftest import pick_search

pytestmark = pytest.mark.django_db
PICK = reverse("pick", args=["integration-units"])


def _token(world, unit, area_key="xh") -> dict:
    return {
        "name": "网格化平台",
        "area": world.t.areas[area_key].pk,
        "permissions": ["read", "update"],
        "unit": unit,
        "rate_per_minute": 60,
    }


def _subscription(world, unit, area_key="xh") -> dict:
    return {
        "name": "区城运中心",
        "url": "https://example.org/hook",
        "events": ["case.received"],
        "area": world.t.areas[area_key].pk,
        "unit": unit,
    }


def test_the_picker_offers_the_districts_units_to_its_administrator(client, world):
    admin = world.t.users["xh_admin"]
    client.force_login(admin)
    html = pick_search(client, "integration-units").content.decode()
    for unit, area in [
        (world.community_unit, "复兴西路居委会（" + world.t.areas["xh_c1"].name),
        (world.street_unit, "湖南路街道办事处（" + world.t.areas["xh_s1"].name),
        (world.department, "徐汇区城管执法局（" + world.t.areas["xh"].name),
    ]:
        assert f'<option value="{unit.pk}">{area}）</option>' in html
    assert "黄浦区城管执法局" not in html
    # The same set, in the same order, as the selector the page once listed.
    districts = selectors.managed_districts(viewer=admin)
    expected = list(selectors.unit_choices(viewer=admin, districts=districts))
    assert offered(get_picker("integration-units"), admin, params={}) == expected


def test_another_districts_admin_is_offered_none_of_them(client, world):
    client.force_login(world.t.users["hp_admin"])
    html = pick_search(client, "integration-units").content.decode()
    assert "黄浦区城管执法局" in html
    assert "徐汇" not in html and "复兴西路" not in html and "湖南路" not in html
    searched = pick_search(client, "integration-units", "湖南路").content.decode()
    assert "湖南路" not in searched and "没有找到" in searched


def test_one_who_manages_no_district_is_offered_nothing(client, world):
    client.force_login(world.t.users["xh_s1_staff"])
    html = pick_search(client, "integration-units").content.decode()
    assert "没有找到" in html and "居委会" not in html and "城管" not in html


@pytest.mark.parametrize("value", ["hp_department", "abc", "99999999"])
def test_a_unit_not_offered_is_refused_on_the_field(client, world, value):
    client.force_login(world.t.users["xh_admin"])
    posted = world.hp_department.pk if value == "hp_department" else value
    token = client.post("/integrations/", _token(world, posted))
    subscription = client.post("/integrations/subscriptions/", _subscription(world, posted))
    for answer in (token, subscription):
        assert answer.status_code == 422
        assert "请从列表中选择" in str(answer.context["form"].errors["unit"])
    assert not SystemToken.objects.exists() and not Subscription.objects.exists()


def test_a_unit_outside_the_area_chosen_is_refused_by_the_service(client, world):
    """The picker offers the districts' units; that the unit lies in the area the token
    is bound to (a street here) is the service's check, on the page and the API alike."""
    client.force_login(world.t.users["xh_admin"])
    outside = world.department.pk  # the district's, not the street's
    page = client.post("/integrations/", _token(world, outside, area_key="xh_s1"))
    assert page.status_code == 422
    assert "承办单位不在该辖区内" in str(page.context["form"].errors["unit"])
    api = client.post(
        "/api/integrations/subscriptions",
        _subscription(world, outside, area_key="xh_s1"),
        content_type="application/json",
    )
    assert api.status_code == 400, api.json()  # a service's refusal, as the API answers it
    assert api.json()["code"] == "integration_unit_outside_area"
    assert api.json()["field"] == "unit"
    assert not SystemToken.objects.exists() and not Subscription.objects.exists()


def test_a_unit_found_by_search_beyond_the_first_is_accepted(client, world):
    xh = world.t.areas["xh"]
    units = [
        appeal_services.handling_unit_create(
            actor=None, name=f"测试部门{n:03d}", kind="department", area=xh
        )
        for n in range(10, 10 + SHOWN + 5)
    ]
    far = units[-1]
    client.force_login(world.t.users["xh_admin"])
    page = client.get("/integrations/").content.decode()
    assert 'type="search"' in page and PICK in page
    assert f'value="{far.pk}"' not in page  # beyond the first SHOWN in the tree's order
    found = pick_search(client, "integration-units", "部门064", empty="—").content.decode()
    assert f'<option value="{far.pk}">测试部门064（{xh.name}）</option>' in found
    answer = client.post("/integrations/", _token(world, far.pk))
    assert answer.status_code == 200 and "jct_" in answer.content.decode()
    assert SystemToken.objects.get().unit == far
    answer = client.post("/integrations/subscriptions/", _subscription(world, far.pk))
    assert answer.status_code == 200 and "whsec_" in answer.content.decode()
    assert Subscription.objects.get().unit == far
