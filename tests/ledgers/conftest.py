"""The ledgers' tests on the hand-built territory: two members registered in 复兴西路
(xh_c1) and one in 贵州路 (hp_c1), through the members service, with known numbers."""

import pytest

from jiceng.members import services
from tests.members.factories import facts


@pytest.fixture
def registered(territory):
    keeper = territory.users["xh_c1_secretary"]
    ours = [
        services.member_register(
            actor=keeper, org=territory.orgs["xh_c1_b1"], facts=facts(name=name, phone=phone)
        )
        for name, phone in (("张伟", "13812345678"), ("李娜", "13987654321"))
    ]
    theirs = services.member_register(
        actor=territory.users["hp_s1_staff"],
        org=territory.orgs["hp_c1_b"],
        facts=facts(name="钱七"),
    )
    return territory, ours, theirs
