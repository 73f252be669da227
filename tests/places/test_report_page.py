"""The resident's report page says where as a resident can: the address typed, or the
phone's position shared (WGS-84), with the 区 → 街道 → 居委会 lists as the fallback; the
case lands where the same words or position land through Open311 and the API."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from jiceng.appeals.models import Appeal, Category
from jiceng.appeals.taxonomy import ensure_categories
from tests.places.conftest import B1_POSITION

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _categories():
    cache.clear()
    ensure_categories()
    yield
    cache.clear()


def _report(client, key: str, **where):
    data = {
        "category": Category.objects.get(code="sanitation").pk,
        "description": "楼道里堆满杂物",
        "idempotency_key": f"report-{key}",
        **where,
    }
    return client.post(reverse("appeals:report"), data)


def test_the_page_offers_address_position_and_lists(client, registry):
    page = client.get(reverse("appeals:report")).content.decode()
    assert 'name="where"' in page  # type the address
    assert "data-geolocate" in page and 'name="latitude"' in page  # share the position
    assert 'id="id_district"' in page and "徐汇区" in page  # the lists stay


def test_typed_address_lands_on_the_building(client, registry):
    response = _report(client, "typed", where="徐汇区复兴西路１２弄３号５０２室")
    assert response.status_code == 302, response.content.decode()[:500]
    appeal = Appeal.objects.get()
    assert appeal.area == registry.buildings["b2"] and not appeal.placement_pending
    assert appeal.channel == Appeal.Channel.RESIDENT


def test_shared_position_lands_on_the_nearest_door(client, registry):
    response = _report(client, "gps", latitude=B1_POSITION[0], longitude=B1_POSITION[1])
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.area == registry.buildings["b1"]
    assert str(appeal.latitude) == B1_POSITION[0]  # kept as the phone gave it


def test_vague_address_is_filed_for_placement_not_refused(client, registry):
    response = _report(client, "vague", where="徐汇区某某路999号")
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.placement_pending and appeal.area == registry.territory.areas["xh"]


def test_the_lists_are_the_fallback(client, registry):
    a = registry.territory.areas
    response = _report(
        client, "lists", district=a["xh"].pk, street=a["xh_s1"].pk, community=a["xh_c1"].pk
    )
    assert response.status_code == 302
    assert Appeal.objects.get().area == a["xh_c1"]


def test_nothing_said_is_refused_on_the_form(client, registry):
    response = _report(client, "none")
    assert response.status_code == 200 and not Appeal.objects.exists()
    assert "errorlist" in response.content.decode()


def test_the_live_preview_names_the_place(client, registry):
    answer = client.get(reverse("appeals:locate"), {"where": "复兴西路12弄3号"})
    assert answer.status_code == 200 and "3号楼" in answer.content.decode()
