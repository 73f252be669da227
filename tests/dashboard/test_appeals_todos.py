"""The appeals app's to-dos: a grid worker's pressing cases, a unit's cases to sign for
and answer, a street's cases to dispatch and possible duplicates, summonses on both
sides, and overdue cases by child."""

import datetime

from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.overdue import check_deadlines
from jiceng.dashboard.workbench import DUE_SOON, LIST_LIMIT, OVERDUE, workbench_items


def _of(user, source, now=None):
    return [t for t in workbench_items(viewer=user, now=now) if t.source == source]


def test_a_grid_worker_sees_the_pressing_cases_of_his_grid_only(world):
    worker = world.t.users["xh_g1_worker"]
    mine = world.intake(area_key="xh_g1", text="楼下垃圾三天没人清运")
    world.intake(area_key="xh_g2", code="parking", text="小区门口乱停车")
    items = _of(worker, "appeals_grid")
    assert [t.url for t in items] == [f"/appeals/{mine.pk}/"]
    (item,) = items
    assert item.title.startswith(mine.tracking_code) and item.urgency == DUE_SOON
    assert item.due == mine.response_due_at  # not yet signed for: the response clock
    # Ten days before the case was filed, nothing of it was pressing.
    assert _of(worker, "appeals_grid", now=mine.received_at - datetime.timedelta(days=10)) == []
    # The others in the territory do not get a grid worker's list.
    assert _of(world.t.users["xh_c1_secretary"], "appeals_grid") == []


def test_a_grid_full_of_cases_is_one_counted_item(world):
    worker = world.t.users["xh_g1_worker"]
    for i in range(LIST_LIMIT + 2):
        world.intake(area_key="xh_g1", code="parking", text=f"第{i}号楼门口有车{'堵' * i}")
    (group,) = _of(worker, "appeals_grid")
    assert group.is_group and group.count == LIST_LIMIT + 2
    assert group.url == "/appeals/?state=open"


def test_a_community_signs_for_and_answers_its_own_units_cases(world):
    users = world.t.users
    secretary = users["xh_c1_secretary"]
    case = world.intake(area_key="xh_g1")
    assert case.unit == world.community_unit
    (item,) = _of(secretary, "appeals_unit")
    assert item.action == "签收" and item.url == f"/appeals/{case.pk}/"
    services.appeal_accept(actor=secretary, appeal=case)
    (item,) = _of(secretary, "appeals_unit")
    assert item.action == "开始办理或答复" and item.due == case.resolution_due_at
    # The street above sees the case but its queue is its own unit's.
    assert _of(users["xh_s1_staff"], "appeals_unit") == []
    services.appeal_reply(actor=secretary, appeal=case, reply="已清运")
    assert _of(secretary, "appeals_unit") == []


def test_a_street_dispatches_what_waits_and_checks_possible_duplicates(world):
    users = world.t.users
    staff = users["xh_s1_staff"]
    first = world.intake(area_key="xh_g1", text="楼下垃圾三天没人清运，气味很大")
    again = world.intake(area_key="xh_g1", text="楼下垃圾三天没人清运，气味大")
    assert again.unit is None and again.unroutable_reason
    services.appeal_return(actor=users["xh_c1_secretary"], appeal=first, reason="不属于本单位")
    items = {t.title: t for t in _of(staff, "appeals_street")}
    waiting = items["待派单的诉求 · 湖南路街道"]
    duplicates = items["疑似重复的诉求 · 湖南路街道"]
    assert (waiting.count, duplicates.count) == (1, 1)
    street = world.t.areas["xh_s1"].pk
    assert waiting.url == duplicates.url == f"/appeals/street/?street={street}"
    # Only the street itself dispatches: the community and the district are not asked.
    assert _of(users["xh_c1_secretary"], "appeals_street") == []
    assert _of(users["xh_admin"], "appeals_street") == []
    services.appeal_dispatch(actor=staff, appeal=again, unit=world.community_unit)
    assert [t.title for t in _of(staff, "appeals_street")] == ["待派单的诉求 · 湖南路街道"]


def test_a_summons_waits_on_the_department_and_the_street_follows_it(world):
    users = world.t.users
    staff = users["xh_s1_staff"]
    case = world.intake(area_key="xh_c2", code="parking", text="人行道被占")
    summons = services.summons_create(
        actor=staff, appeal=case, units=[world.department], reason="多部门联合处置"
    )
    target = summons.targets.get()
    (mine,) = _of(world.department_user, "appeals_summoned")
    assert mine.action == "吹哨：报到" and mine.due == target.report_due_at
    (board,) = _of(staff, "appeals_street_summons")
    assert board.title == "吹哨后尚未报到的部门 · 湖南路街道" and board.count == 1
    services.summons_report(actor=world.department_user, target=target)
    (mine,) = _of(world.department_user, "appeals_summoned")
    assert mine.action == "吹哨：记录处置情况"
    (board,) = _of(staff, "appeals_street_summons")
    assert board.title == "已报到尚未处置的部门 · 湖南路街道"
    services.summons_act(actor=world.department_user, target=target, note="已到场处置")
    assert _of(world.department_user, "appeals_summoned") == []
    assert _of(staff, "appeals_street_summons") == []


def test_overdue_cases_are_counted_by_child_for_those_who_oversee(world):
    users = world.t.users
    world.intake(area_key="xh_g1")
    world.intake(area_key="xh_c2", code="parking", text="人行道被占")
    check_deadlines(now=timezone.now() + datetime.timedelta(days=30))
    district = {t.title: t for t in _of(users["xh_admin"], "appeals_overdue")}
    assert list(district) == ["超时未办结的诉求 · 湖南路街道"]
    street_item = district["超时未办结的诉求 · 湖南路街道"]
    assert street_item.count == 2 and street_item.urgency == OVERDUE
    assert street_item.url == f"/appeals/?area={world.t.areas['xh_s1'].pk}&state=open&overdue=1"
    street = sorted((t.title, t.count) for t in _of(users["xh_s1_staff"], "appeals_overdue"))
    assert [count for _title, count in street] == [1, 1]
    assert _of(users["hp_admin"], "appeals_overdue") == []
    # The same cases are overdue in the community's own queue, which it handles.
    (late,) = _of(users["xh_c1_secretary"], "appeals_unit")
    assert late.urgency == OVERDUE
