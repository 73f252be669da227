"""Least privilege for departments (issue 16): a department's staff see the cases
dispatched to, summoned to or once handled by its handling units, and the figures of
its own work — not every case of the district; the district's organization department
keeps the whole view. Success and denial share one setup."""

from dataclasses import dataclass

import pytest
from django.utils import timezone

from jiceng.appeals import access as appeal_access
from jiceng.appeals import figures as appeal_figures
from jiceng.appeals import selectors as appeal_selectors
from jiceng.appeals import services as appeal_services
from jiceng.appeals.models import Appeal, HandlingUnit
from jiceng.core.errors import NotFound
from jiceng.core.scope import forget_scope, scope_for


@dataclass
class Cases:
    dispatched: Appeal  # routed to 城管执法局 by the district's rule
    summoned: Appeal  # a community's case the street whistled 城管执法局 to
    returned: Appeal  # sent to 城管执法局, which returned it to the street
    elsewhere: Appeal  # a community's case 城管执法局 never touched
    other: Appeal  # 房管局's case


def _intake(w, place: str, code: str, text: str) -> Appeal:
    intake = appeal_services.Intake(
        channel="resident", category=_category(code), area=w.t.areas[place], description=text
    )
    return appeal_services.appeal_intake(actor=None, intake=intake)[0]


def _category(code: str):
    from jiceng.appeals.models import Category

    return Category.objects.get(code=code)


@pytest.fixture
def cases(duty_world) -> Cases:
    w = duty_world
    street = w.user("xh_s1_staff")
    dispatched = _intake(w, "xh_c3", "illegal-building", "天平路违章搭建")
    assert dispatched.unit == w.department
    summoned = _intake(w, "xh_g1", "sanitation", "垃圾堆放影响通行")
    appeal_services.summons_create(
        actor=street, appeal=summoned, units=[w.department], reason="需执法配合"
    )
    returned = _intake(w, "xh_c2", "street-order", "占道经营")
    appeal_services.appeal_dispatch(actor=street, appeal=returned, unit=w.department)
    appeal_services.appeal_return(
        actor=w.user("xh_chengguan"), appeal=returned, reason="不属本部门"
    )
    elsewhere = _intake(w, "xh_g1", "noise-neighbour", "楼上噪声")
    other = _intake(w, "xh_c2", "property-fee", "物业费争议")
    appeal_services.appeal_dispatch(actor=street, appeal=other, unit=w.other_department)
    return Cases(dispatched, summoned, returned, elsewhere, other)


def _seen(user) -> set[Appeal]:
    return set(appeal_selectors.appeal_list(viewer=user))


def test_a_department_sees_its_own_work_and_the_district_everything(duty_world, cases):
    w = duty_world
    mine = {cases.dispatched, cases.summoned, cases.returned}
    assert _seen(w.user("xh_chengguan")) == mine
    assert _seen(w.user("xh_fangguan")) == {cases.other}
    everything = mine | {cases.elsewhere, cases.other}
    assert _seen(w.user("xh_admin")) == everything
    assert _seen(w.user("city_admin")) == everything
    assert _seen(w.user("hp_admin")) == set()
    # One page: its own case opens, another's is not found (the same answer as missing).
    department = w.user("xh_chengguan")
    assert appeal_access.get_appeal_for_view(department, cases.summoned.pk) == cases.summoned
    for case in (cases.elsewhere, cases.other):
        with pytest.raises(NotFound):
            appeal_access.get_appeal_for_view(department, case.pk)


def test_leaving_the_department_ends_the_view(duty_world, cases):
    w = duty_world
    user = w.user("xh_chengguan")
    membership = user.handler_memberships.get(unit=w.department)
    appeal_services.handler_remove(actor=None, membership=membership)
    forget_scope(user)
    assert _seen(user) == set()


def test_a_department_sees_its_own_units_only(duty_world, cases):
    w = duty_world
    units = scope_for(w.user("xh_chengguan")).filter(HandlingUnit.objects.all())
    assert set(units) == {w.department}
    assert w.community_unit in scope_for(w.user("xh_admin")).filter(HandlingUnit.objects.all())


def test_the_figures_are_of_its_own_work(duty_world, cases):
    w = duty_world
    now = timezone.localtime()
    district = w.t.areas["xh"]
    assert not scope_for(w.user("xh_chengguan")).covers_subtree(Appeal, district.path)
    assert scope_for(w.user("xh_admin")).covers_subtree(Appeal, district.path)
    own = appeal_figures.rates(
        viewer=w.user("xh_chengguan"), area=district, year=now.year, month=now.month
    )
    whole = appeal_figures.rates(
        viewer=w.user("xh_admin"), area=district, year=now.year, month=now.month
    )
    assert own.received == 3 and whole.received == 5


def test_the_api_and_the_pages_follow_the_scope(duty_world, cases, client):
    w = duty_world
    client.force_login(w.user("xh_chengguan"))
    listed = client.get("/api/appeals?limit=100").json()
    items = listed["items"] if isinstance(listed, dict) else listed
    assert {i["id"] for i in items} == {cases.dispatched.pk, cases.summoned.pk, cases.returned.pk}
    assert client.get(f"/appeals/{cases.returned.pk}/").status_code == 200
    assert client.get(f"/appeals/{cases.elsewhere.pk}/").status_code == 404
    assert client.get(f"/api/appeals/{cases.other.pk}").status_code == 404
