"""Duty admission on the shared territory fixture: the named fixture `duty_world` adds
two departments of 徐汇区 with one handler each (xh_chengguan, xh_fangguan), one of
黄浦区, and the community and street units the appeals tests use."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.appeals import services as appeal_services
from jiceng.appeals.models import Category, HandlingUnit
from jiceng.duties import services
from jiceng.duties.models import Duty, PowerRequest
from tests.conftest import PASSWORD


@dataclass
class DutyWorld:
    t: object
    department: HandlingUnit  # 徐汇区城管执法局, handler xh_chengguan
    other_department: HandlingUnit  # 徐汇区房屋管理局, handler xh_fangguan
    hp_department: HandlingUnit  # 黄浦区城管执法局, no handler
    community_unit: HandlingUnit

    def user(self, key: str):
        return self.t.users[key]

    def apply(self, *, actor: str = "xh_chengguan", submit: bool = True, **over) -> Duty:
        values = {
            "department": self.department,
            "title": "门责制度落实检查",
            "description": "对沿街商户门前责任区落实情况开展日常检查并记录。",
            "legal_basis": "《上海市市容环境卫生管理条例》第二十条",
            "expected_volume": "每街道每年约 120 次",
            "target_level": "street",
            "staff_count": 2,
            "funds_yuan": Decimal("80000"),
            "streets": [self.t.areas["xh_s1"]],
            "resources_note": "检查记录权随事下放；人员由执法中队派驻。",
        }
        values.update(over)
        return services.duty_apply(actor=self.user(actor), submit=submit, **values)

    def admitted(self, **over) -> Duty:
        duty = self.apply(**over)
        return services.duty_act(actor=self.user("xh_admin"), duty=duty, action="admit")

    def consent(self, *, due_on=None, **over) -> PowerRequest:
        values = {
            "kind": "consent",
            "street": self.t.areas["xh_s1"],
            "department": self.department,
            "subject": "湖南路执法中队中队长任命",
            "body": "拟任命张某为湖南路执法中队中队长，征求街道党工委意见。",
            "due_on": due_on or timezone.localdate() + datetime.timedelta(days=7),
        }
        values.update(over)
        return services.power_request_create(actor=self.user("xh_chengguan"), **values)


@pytest.fixture
def duty_world(territory) -> DutyWorld:
    from jiceng.accounts.services import role_grant, user_create

    a = territory.areas
    unit = appeal_services.handling_unit_create
    community = unit(actor=None, name="复兴西路居委会", kind="community", area=a["xh_c1"])
    department = unit(actor=None, name="徐汇区城管执法局", kind="department", area=a["xh"])
    other = unit(actor=None, name="徐汇区房屋管理局", kind="department", area=a["xh"])
    hp = unit(actor=None, name="黄浦区城管执法局", kind="department", area=a["hp"])
    appeal_services.routing_rule_set(actor=None, area=a["xh_c1"], unit=community)
    appeal_services.routing_rule_set(
        actor=None,
        area=a["xh"],
        unit=department,
        category=Category.objects.get(code="illegal-building"),
    )
    for key, dept in (("xh_chengguan", department), ("xh_fangguan", other)):
        user = user_create(actor=None, username=key, password=PASSWORD, check_password=False)
        role_grant(actor=None, user=user, role="department_staff", area=a["xh"])
        appeal_services.handler_add(actor=None, unit=dept, user=user)
        territory.users[key] = user
    user = user_create(actor=None, username="xh_s2_staff", password=PASSWORD, check_password=False)
    role_grant(actor=None, user=user, role="street_staff", area=a["xh_s2"])
    territory.users["xh_s2_staff"] = user
    return DutyWorld(territory, department, other, hp, community)
