"""The workbench's tests use the hand-built territory (with the appeals app's handling
units: `world`) and the street demo. Charts use the shared territory: a few appeals,
members and a co-building project filed through the services, at known places and
months."""

import datetime

import pytest

from jiceng.appeals import open_rollup, rollup
from jiceng.appeals.figures import last_months
from jiceng.appeals.models import Appeal
from jiceng.core.workdays import LOCAL
from tests.appeals.conftest import world  # noqa: F401 - the appeals' fixture, reused
from tests.demo.conftest import _street_demo_module, street_demo  # noqa: F401


def received_in(case: Appeal, month: datetime.date, day: int = 10) -> None:
    """Move a case's receipt into a month (a test of months needs cases in the past);
    the monthly rows are rebuilt afterwards, as the rates' tests do."""
    from jiceng.appeals import services

    moment = datetime.datetime(month.year, month.month, day, 9, tzinfo=LOCAL)
    response_due, resolution_due = services.deadlines(case.category, moment)
    Appeal.objects.filter(pk=case.pk).update(
        received_at=moment, response_due_at=response_due, resolution_due_at=resolution_due
    )


@pytest.fixture
def cases(world):  # noqa: F811
    """Three months back: two sanitation cases in xh_g1 (one answered in time and rated
    satisfied), one noise case in xh_c2; this month: one in xh_c3 and one in hp_c1."""
    months = last_months(12)
    earlier, now = months[-4], months[-1]
    a = world.intake(area_key="xh_g1", text="楼下垃圾三天没人清运一")
    b = world.intake(area_key="xh_g1", text="绿化带里堆满建筑垃圾二")
    c = world.intake(area_key="xh_c2", code="noise-construction", text="夜里施工噪音太吵")
    d = world.intake(area_key="xh_c3", text="小区门口垃圾桶满了")
    e = world.intake(area_key="hp_c1", text="南京东路垃圾没清")
    for case in (a, b, c):
        received_in(case, earlier)
    a.refresh_from_db()
    Appeal.objects.filter(pk=a.pk).update(
        responded_at=a.received_at + datetime.timedelta(hours=1),
        replied_at=a.received_at + datetime.timedelta(days=1),
        rated_at=a.received_at + datetime.timedelta(days=2),
        resolved=True,
        satisfaction="satisfied",
        state="closed",
    )
    # The update above is the fixture's own, past the services: the counters follow.
    rollup.rebuild()
    open_rollup.rebuild()
    return {"earlier": earlier, "now": now, "cases": (a, b, c, d, e)}
