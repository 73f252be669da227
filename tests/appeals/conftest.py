"""Handling units and routing rules on the shared territory fixture."""

from dataclasses import dataclass

import pytest

from jiceng.appeals import services
from jiceng.appeals.models import Category, HandlingUnit
from tests.conftest import PASSWORD


@dataclass
class AppealWorld:
    t: object
    community_unit: HandlingUnit  # 复兴西路居委会 (xh_c1)
    street_unit: HandlingUnit  # 湖南路街道办事处 (xh_s1)
    department: HandlingUnit  # 徐汇区城管执法局 (xh)
    hp_department: HandlingUnit
    department_user: object

    def category(self, code: str) -> Category:
        return Category.objects.get(code=code)

    def intake(self, *, area_key="xh_g1", code="sanitation", text="楼下垃圾三天没人清运", **extra):
        intake = services.Intake(
            channel=extra.pop("channel", "resident"),
            category=self.category(code),
            area=self.t.areas[area_key],
            description=text,
            **extra,
        )
        return services.appeal_intake(actor=None, intake=intake)[0]


@pytest.fixture
def world(territory) -> AppealWorld:
    from jiceng.accounts.services import role_grant, user_create

    a = territory.areas
    community = services.handling_unit_create(
        actor=None, name="复兴西路居委会", kind="community", area=a["xh_c1"]
    )
    street = services.handling_unit_create(
        actor=None, name="湖南路街道办事处", kind="street", area=a["xh_s1"]
    )
    department = services.handling_unit_create(
        actor=None, name="徐汇区城管执法局", kind="department", area=a["xh"]
    )
    hp_department = services.handling_unit_create(
        actor=None, name="黄浦区城管执法局", kind="department", area=a["hp"]
    )
    services.routing_rule_set(actor=None, area=a["xh_s1"], unit=street)
    services.routing_rule_set(actor=None, area=a["xh_c1"], unit=community)
    services.routing_rule_set(
        actor=None,
        area=a["xh"],
        unit=department,
        category=Category.objects.get(code="illegal-building"),
    )
    user = user_create(actor=None, username="xh_chengguan", password=PASSWORD, check_password=False)
    role_grant(actor=None, user=user, role="department_staff", area=a["xh"])
    services.handler_add(actor=None, unit=department, user=user)
    territory.users["xh_chengguan"] = user
    return AppealWorld(territory, community, street, department, hp_department, user)
