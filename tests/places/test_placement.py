"""The placement queue (待定位): who sees it, placing a case in one action (page and
API alike), routing after placement, and the caller's words learned as an alias."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, AppealEvent
from jiceng.appeals.services import Intake
from jiceng.appeals.taxonomy import ensure_categories
from jiceng.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.places import matcher
from jiceng.places.models import AddressAlias


def _queued(registry, *, address="徐汇区某某路7号5室", street=None) -> Appeal:
    from jiceng.appeals.models import Category

    ensure_categories()
    a = registry.territory.areas
    appeal, _created = services.appeal_intake(
        actor=None,
        intake=Intake(
            channel=Appeal.Channel.RESIDENT,
            category=Category.objects.get(code="sanitation"),
            area=a["xh"],
            description="垃圾桶满溢",
            address=address,
            placement_reason="标准地址库中没有找到该地址，仅能确定所在区",
            street_hint=street,
        ),
    )
    return appeal


def test_queued_case_is_not_in_the_street_queue_nor_counted(registry):
    from jiceng.appeals.models import AppealMonthStat
    from jiceng.appeals.selectors import street_queue

    a = registry.territory.areas
    appeal = _queued(registry, street=a["xh_s1"])
    assert appeal.placement_pending and appeal.community is None
    staff = registry.territory.users["xh_s1_staff"]
    assert appeal not in street_queue(viewer=staff, street=a["xh_s1"])
    assert not AppealMonthStat.objects.exists()


@pytest.mark.parametrize(
    "user, sees",
    [
        ("xh_admin", True),  # the district's staff
        ("city_admin", True),
        ("xh_s1_staff", True),  # the street it was found nearest to
        ("xh_c1_secretary", False),  # a community does not
        ("hp_admin", False),  # another district does not
        ("hp_s1_staff", False),
    ],
)
def test_who_sees_the_queue(client, registry, user, sees):
    from jiceng.appeals.selectors import placement_queue

    appeal = _queued(registry, street=registry.territory.areas["xh_s1"])
    viewer = registry.territory.users[user]
    assert (appeal in placement_queue(viewer=viewer)) is sees
    client.force_login(viewer)
    response = client.get("/api/appeals/placement")
    if response.status_code == 200:
        ids = [row["id"] for row in response.json()["items"]]
        assert (appeal.pk in ids) is sees
    else:
        assert not sees


def test_without_a_street_hint_only_the_district_sees_it(registry):
    from jiceng.appeals.selectors import placement_queue

    appeal = _queued(registry)
    assert appeal not in placement_queue(viewer=registry.territory.users["xh_s1_staff"])
    assert appeal in placement_queue(viewer=registry.territory.users["xh_admin"])


def test_place_routes_counts_and_learns(registry):
    a = registry.territory.areas
    services.handling_unit_create(
        actor=None, name="复兴西路居委会", kind="community", area=a["xh_c1"]
    )
    unit = services.handling_unit_create(
        actor=None, name="湖南路街道办", kind="street", area=a["xh_s1"]
    )
    services.routing_rule_set(actor=None, area=a["xh_s1"], unit=unit)
    appeal = _queued(registry, street=a["xh_s1"])
    staff = registry.territory.users["xh_s1_staff"]
    placed = services.appeal_place(actor=staff, appeal_id=appeal.pk, area=a["xh_g2"])
    assert placed.area == a["xh_g2"] and placed.street == a["xh_s1"]
    assert placed.community == a["xh_c1"] and not placed.placement_pending
    assert placed.state == Appeal.State.DISPATCHED and placed.unit == unit
    assert AppealEvent.objects.filter(appeal=placed, action="place").exists()
    assert AuditEntry.objects.filter(target_type="appeals.appeal", action="update").exists()
    alias = AddressAlias.objects.get()
    # Learned without the room number: the next caller lands on the grid at once.
    assert alias.original == "徐汇区某某路7号" and alias.area == a["xh_g2"]
    assert alias.source == AddressAlias.Source.LEARNED
    assert matcher.match_text("某某路7号3室").path == a["xh_g2"].path
    from jiceng.appeals.models import AppealMonthStat

    assert AppealMonthStat.objects.get().received == 1


def test_place_refusals(registry):
    a, users = registry.territory.areas, registry.territory.users
    appeal = _queued(registry, street=a["xh_s1"])
    with pytest.raises(ValidationFailed) as level:
        services.appeal_place(actor=users["xh_admin"], appeal_id=appeal.pk, area=a["xh_s1"])
    assert level.value.code == "appeal_place_level"
    with pytest.raises(ValidationFailed) as outside:
        services.appeal_place(actor=users["xh_admin"], appeal_id=appeal.pk, area=a["hp_c1"])
    assert outside.value.code == "appeal_place_outside_district"
    with pytest.raises(ValidationFailed):  # a street staffer, another street's community
        services.appeal_place(actor=users["xh_s1_staff"], appeal_id=appeal.pk, area=a["xh_c3"])
    with pytest.raises(NotFound):
        services.appeal_place(actor=users["hp_admin"], appeal_id=appeal.pk, area=a["xh_c1"])
    with pytest.raises((NotFound, PermissionDenied)):
        services.appeal_place(actor=users["xh_c1_secretary"], appeal_id=appeal.pk, area=a["xh_c1"])
    services.appeal_place(actor=users["xh_admin"], appeal_id=appeal.pk, area=a["xh_c1"])
    with pytest.raises(ValidationFailed) as again:
        services.appeal_place(actor=users["xh_admin"], appeal_id=appeal.pk, area=a["xh_c1"])
    assert again.value.code == "appeal_not_placement_pending"


def test_dispatch_refused_while_unplaced(registry):
    a = registry.territory.areas
    unit = services.handling_unit_create(actor=None, name="街道办", kind="street", area=a["xh_s1"])
    appeal = _queued(registry, street=a["xh_s1"])
    with pytest.raises(ValidationFailed) as refused:
        services.appeal_dispatch(
            actor=registry.territory.users["xh_admin"], appeal=appeal, unit=unit
        )
    assert refused.value.code == "appeal_placement_pending"


def test_place_through_the_api_by_text(client, registry):
    appeal = _queued(registry, street=registry.territory.areas["xh_s1"])
    client.force_login(registry.territory.users["xh_s1_staff"])
    response = client.post(
        f"/api/appeals/placement/{appeal.pk}",
        {"where": "复兴西路12弄1号"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["area_id"] == registry.buildings["b1"].pk
    assert response.json()["placement_pending"] is False


def test_place_through_the_api_refusal_shape(client, registry):
    appeal = _queued(registry)
    client.force_login(registry.territory.users["xh_admin"])
    response = client.post(
        f"/api/appeals/placement/{appeal.pk}",
        {"where": "查无此地"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "appeal_place_level",
        "message": "请定位到社区、网格或楼栋",
        "field": "area",
    }
    response = client.post(
        f"/api/appeals/placement/{appeal.pk}",
        {"where": "复兴西路\x00"},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["field"] == "where"
    assert Appeal.objects.get(pk=appeal.pk).placement_pending


def test_place_through_the_page(client, registry):
    a = registry.territory.areas
    appeal = _queued(registry, street=a["xh_s1"])
    client.force_login(registry.territory.users["xh_s1_staff"])
    page = client.get("/appeals/placement/")
    assert page.status_code == 200 and appeal.tracking_code in page.content.decode()
    assert "复兴西路社区居委会" in page.content.decode()
    response = client.post(
        "/appeals/placement/", {"appeal": appeal.pk, "area": a["xh_c1"].pk, "remember": "on"}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.area == a["xh_c1"] and not appeal.placement_pending
    assert AddressAlias.objects.filter(area=a["xh_c1"]).exists()


def test_queue_page_queries_are_bounded(client, registry):
    a = registry.territory.areas
    for n in range(3):
        _queued(registry, address=f"徐汇区某某路{n}号", street=a["xh_s1"])
    client.force_login(registry.territory.users["xh_admin"])
    client.get("/appeals/placement/")
    with CaptureQueriesContext(connection) as few:
        client.get("/appeals/placement/")
    for n in range(3, 12):
        _queued(registry, address=f"徐汇区某某路{n}号", street=a["xh_s1"])
    with CaptureQueriesContext(connection) as many:
        client.get("/appeals/placement/")
    assert len(many) == len(few)
