"""Configuration pages (办理设置): routing rules, handling units and handlers, categories
and deadlines, each through the services, with refusals and scope."""

import datetime

import pytest
from django.urls import reverse

from jiceng.appeals import services
from jiceng.appeals.models import Category, HandlerMembership, HandlingUnit, RoutingRule
from jiceng.appeals.routing import route
from jiceng.core.errors import ValidationFailed
from jiceng.core.models import AuditEntry

RULES = reverse("appeals:setup_rules")
UNITS = reverse("appeals:setup_units")
CATEGORIES = reverse("appeals:setup_categories")


def _rule_post(area, unit, category=None):
    return {
        "rule-area": area.pk,
        "rule-unit": unit.pk,
        "rule-category": category.pk if category else "",
    }


def test_street_sets_a_rule_and_cases_follow_it(client, world):
    t = world.t
    noise = world.category("noise-construction")
    client.force_login(t.users["xh_s1_staff"])
    response = client.post(RULES, _rule_post(t.areas["xh_c2"], world.department, noise))
    assert response.status_code == 302
    rule = RoutingRule.objects.get(area=t.areas["xh_c2"], category=noise)
    assert rule.unit == world.department
    assert AuditEntry.objects.filter(target_type="appeals.routingrule", action="update").exists()
    appeal = world.intake(area_key="xh_c2", code="noise-construction", text="夜间施工噪音")
    assert appeal.unit == world.department
    # The preview says the same before any case is filed.
    page = client.get(
        RULES, {"preview-area": t.areas["xh_c2"].pk, "preview-category": noise.pk}
    ).content.decode()
    assert "徐汇区城管执法局" in page and "将派至" in page
    # Deleting the rule sends the next case to the street's own rule.
    client.post(reverse("appeals:setup_rule_delete", args=[rule.pk]))
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()
    assert world.intake(area_key="xh_c2", code="noise-construction").unit == world.street_unit


def test_rule_refusals_name_the_field_and_write_nothing(client, world):
    t = world.t
    client.force_login(t.users["xh_s1_staff"])
    before = RoutingRule.objects.count()
    # A community's unit cannot answer for another community.
    page = client.post(RULES, _rule_post(t.areas["xh_c2"], world.community_unit)).content.decode()
    assert "承办单位的负责区域不包含该区域" in page
    # Another district's department is not even offered.
    page = client.post(RULES, _rule_post(t.areas["xh_c2"], world.hp_department)).content.decode()
    assert "errorlist" in page
    assert RoutingRule.objects.count() == before
    with pytest.raises(ValidationFailed) as error:
        services.routing_rule_set(
            actor=t.users["xh_s1_staff"], area=t.areas["xh_c2"], unit=world.community_unit
        )
    assert error.value.field == "unit"


def test_rules_are_seen_and_removed_only_inside_the_territory(client, world):
    t = world.t
    rule = RoutingRule.objects.get(area=t.areas["xh_c1"])
    client.force_login(t.users["hp_s1_staff"])
    assert "复兴西路居委会" not in client.get(RULES).content.decode()
    assert client.post(reverse("appeals:setup_rule_delete", args=[rule.pk])).status_code == 404
    assert RoutingRule.objects.filter(pk=rule.pk).exists()
    for key in ("xh_g1_worker", "xh_chengguan", "xh_resident", "xh_member"):
        client.force_login(t.users[key])
        assert client.get(RULES).status_code == 404, key
        assert client.get(UNITS).status_code == 404, key


def test_units_and_handlers_through_the_page(client, world):
    t = world.t
    client.force_login(t.users["xh_admin"])
    client.post(
        UNITS,
        {"unit-name": "徐汇区房管局", "unit-kind": "department", "unit-area": t.areas["xh"].pk},
    )
    unit = HandlingUnit.objects.get(name="徐汇区房管局")
    assert unit.area == t.areas["xh"] and unit.is_active
    add = reverse("appeals:setup_handler_add", args=[unit.pk])
    client.post(add, {"username": "xh_chengguan"})
    membership = HandlerMembership.objects.get(unit=unit, ended_at__isnull=True)
    assert membership.user == world.department_user
    # An account outside the territory (or none at all) is refused, nothing added.
    for name in ("hp_admin", "no_such_user"):
        response = client.post(add, {"username": name}, follow=True)
        assert "没有该用户" in response.content.decode(), name
    empty = client.post(add, {"username": ""}, follow=True).content.decode()
    assert "用户名：这个字段是必填项。" in empty  # the form names the field
    assert HandlerMembership.objects.filter(unit=unit).count() == 1
    client.post(reverse("appeals:setup_handler_remove", args=[membership.pk]))
    assert HandlerMembership.objects.get(pk=membership.pk).ended_at is not None
    # Missing name: the error sits on the field.
    page = client.post(
        UNITS, {"unit-name": " ", "unit-kind": "department", "unit-area": t.areas["xh"].pk}
    ).content.decode()
    assert "errorlist" in page and HandlingUnit.objects.filter(name="").count() == 0


def test_a_stopped_unit_gets_no_new_cases(client, world):
    t = world.t
    client.force_login(t.users["xh_s1_staff"])
    client.post(
        reverse("appeals:setup_unit_active", args=[world.community_unit.pk]), {"active": "0"}
    )
    world.community_unit.refresh_from_db()
    assert not world.community_unit.is_active
    rule = route(world.category("sanitation"), t.areas["xh_g1"])
    assert rule.unit == world.street_unit
    client.post(
        reverse("appeals:setup_unit_active", args=[world.community_unit.pk]), {"active": "1"}
    )
    assert route(world.category("sanitation"), t.areas["xh_g1"]).unit == world.community_unit
    # Another street's staff cannot touch it.
    client.force_login(t.users["hp_s1_staff"])
    url = reverse("appeals:setup_unit_active", args=[world.community_unit.pk])
    assert client.post(url, {"active": "0"}).status_code == 404


def _category_post(**overrides):
    data = {
        "code": "pets",
        "name": "宠物扰民",
        "group": "噪音扰民",
        "description": "",
        "response_hours": 2,
        "resolution_amount": 3,
        "resolution_unit": "working_days",
        "reopen_days": 7,
        "is_active": "on",
        "sort": 90,
    }
    data.update(overrides)
    return data


def test_city_keeps_categories_and_new_deadlines_apply_to_new_cases(client, world):
    t = world.t
    client.force_login(t.users["xh_s1_staff"])
    assert "宠物扰民" not in client.get(CATEGORIES).content.decode()
    assert client.get(reverse("appeals:setup_category_new")).status_code == 404
    client.force_login(t.users["city_admin"])
    client.post(reverse("appeals:setup_category_new"), _category_post())
    pets = Category.objects.get(code="pets")
    assert pets.resolution_unit == "working_days" and pets.response_hours == 2
    # Refusals name the field and leave nothing.
    page = client.post(
        reverse("appeals:setup_category_new"),
        _category_post(
            code="pets2", resolution_unit="hours", response_hours=48, resolution_amount=24
        ),
    ).content.decode()
    assert "办结时限不能短于响应时限" in page and not Category.objects.filter(code="pets2").exists()
    page = client.post(reverse("appeals:setup_category_new"), _category_post()).content.decode()
    assert "该编码已被使用" in page
    # New deadlines: a running case keeps its own.
    sanitation = world.category("sanitation")
    running = world.intake()
    due = running.response_due_at
    edit = reverse("appeals:setup_category_edit", args=[sanitation.pk])
    client.post(
        edit,
        _category_post(
            name=sanitation.name,
            group=sanitation.group,
            response_hours=1,
            resolution_amount=sanitation.resolution_amount,
            resolution_unit=sanitation.resolution_unit,
        ),
    )
    sanitation.refresh_from_db()
    assert sanitation.response_hours == 1
    running.refresh_from_db()
    assert running.response_due_at == due
    fresh = world.intake()
    assert fresh.response_due_at - fresh.received_at == datetime.timedelta(hours=1)
    assert AuditEntry.objects.filter(target_type="appeals.category", action="update").exists()


def test_a_stopped_category_takes_no_new_cases(world):
    t = world.t
    pets = services.category_create(
        actor=t.users["city_admin"],
        code="pets",
        facts=services.CategoryFacts(
            name="宠物扰民",
            group="噪音扰民",
            response_hours=2,
            resolution_amount=3,
            resolution_unit="working_days",
        ),
    )
    services.category_update(
        actor=t.users["city_admin"],
        category=pets,
        facts=services.CategoryFacts(
            name="宠物扰民",
            group="噪音扰民",
            response_hours=2,
            resolution_amount=3,
            resolution_unit="working_days",
            is_active=False,
        ),
    )
    with pytest.raises(ValidationFailed) as error:
        world.intake(code="pets")
    assert error.value.field == "category"
