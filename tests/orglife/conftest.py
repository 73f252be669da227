"""Organizational life on the shared territory fixture: the named demo fixture `life`
registers a known register in 复兴西路社区第一党支部 (xh_c1_b1) and in 贵州路社区党支部
(hp_c1_b), through the members' services."""

import datetime
from dataclasses import dataclass, field

import pytest

from jiceng.members import services as member_services
from jiceng.orglife import services
from tests.members.factories import facts

YEAR = 2025


def day(month: int, dom: int = 10) -> datetime.date:
    return datetime.date(YEAR, month, dom)


@dataclass
class Life:
    t: object
    members: dict = field(default_factory=dict)

    def meeting(
        self,
        *,
        org: str = "xh_c1_b1",
        kind: str = "member_meeting",
        held_on=...,
        topic: str = "学习党的二十届四中全会精神",
        marks=(),
        actor=None,
        **extra,
    ):
        return services.meeting_record(
            actor=self.t.users[actor] if actor else None,
            org=self.t.orgs[org],
            facts=services.MeetingFacts(
                kind=kind, held_on=day(3) if held_on is ... else held_on, topic=topic, **extra
            ),
            attendance=list(marks),
        )


def build_life(t) -> Life:
    life = Life(t)
    people = [
        ("wang", "xh_c1_b1", "王建国", dict(status="full", category="retired")),
        ("li", "xh_c1_b1", "李秀英", dict(status="full", category="in_service")),
        (
            "zhao",
            "xh_c1_b1",
            "赵敏",
            dict(
                status="probationary",
                category="in_service",
                full_on=None,
                joined_on=datetime.date(2025, 1, 5),
            ),
        ),
        ("chen", "xh_c1_b1", "陈晓东", dict(status="full", category="mobile")),
        ("zhou", "hp_c1_b", "周海燕", dict(status="full", category="retired")),
    ]
    for key, org, name, extra in people:
        life.members[key] = member_services.member_register(
            actor=None, org=t.orgs[org], facts=facts(name=name, **extra)
        )
    return life


@pytest.fixture
def life(territory) -> Life:
    return build_life(territory)


@pytest.fixture
def requirements(db):
    """The seeded frequency rows, put back if a transactional test flushed them."""
    from jiceng.orglife.requirements import ensure_requirements

    ensure_requirements()
