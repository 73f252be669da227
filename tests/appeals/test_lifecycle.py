"""Intake, routing and every transition of a case, with the refusals."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.appeals import selectors, services
from jiceng.appeals.models import Appeal, AppealEvent
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry


def test_intake_routes_to_the_most_specific_rule(world):
    in_community = world.intake(area_key="xh_g1")
    assert in_community.state == Appeal.State.DISPATCHED
    assert in_community.unit == world.community_unit
    elsewhere_in_street = world.intake(area_key="xh_c2")
    assert elsewhere_in_street.unit == world.street_unit
    # The category rule at the district is less deep than the community's any-category
    # rule, so the community still gets it; in xh_c2 the street rule is deeper too.
    building = world.intake(area_key="xh_c3", code="illegal-building", text="楼顶违建")
    assert building.unit == world.department
    assert [e.action for e in building.events.all()] == ["receive", "dispatch"]
    assert len(building.tracking_code) == 12


def test_unroutable_case_waits_in_the_street_queue_with_the_reason(world):
    case = world.intake(area_key="hp_c1")
    assert case.state == Appeal.State.RECEIVED and case.unit is None
    assert "派单规则" in case.unroutable_reason
    queue = selectors.street_queue(viewer=world.t.users["hp_s1_staff"], street=case.street)
    assert list(queue) == [case]


def test_possible_duplicate_is_held_for_the_street(world):
    first = world.intake(text="复兴西路12弄门口垃圾堆放三天无人清运")
    second = world.intake(text="复兴西路12弄门口垃圾三天无人清运，味道很大")
    assert first.state == Appeal.State.DISPATCHED
    assert second.state == Appeal.State.RECEIVED and "相似" in second.unroutable_reason
    assert selectors.similar_open_appeals(second) == [first]
    different = world.intake(text="小区绿化带树木倒伏")
    assert different.state == Appeal.State.DISPATCHED


def test_idempotent_intake_never_creates_a_second_case(world):
    kwargs = dict(client="wx-client-1", idempotency_key="a5c1f0e2-retry")
    first = world.intake(**kwargs)
    again = world.intake(**kwargs)
    assert first.pk == again.pk
    assert Appeal.objects.count() == 1
    other_client = world.intake(client="wx-client-2", idempotency_key="a5c1f0e2-retry")
    assert other_client.pk != first.pk


@pytest.mark.parametrize(
    "field, kwargs",
    [
        ("description", {"text": "   "}),
        ("description", {"text": "长" * 2001}),
        ("area", {"area_key": "xh_s1"}),
        ("contact_phone", {"contact_phone": "12345"}),
    ],
)
def test_bad_intake_names_the_field_and_writes_nothing(world, field, kwargs):
    with pytest.raises(ValidationFailed) as error:
        world.intake(**kwargs)
    assert error.value.field == field
    assert Appeal.objects.count() == 0 and AppealEvent.objects.count() == 0


def test_photo_is_checked_by_content_and_size(world):
    intake = services.Intake(
        channel="grid",
        category=world.category("sanitation"),
        area=world.t.areas["xh_g1"],
        description="井盖缺失",
    )
    fake = SimpleUploadedFile("x.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as error:
        services.appeal_intake(actor=None, intake=intake, photo=fake)
    assert error.value.field == "photo"
    huge = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024))
    with pytest.raises(ValidationFailed):
        services.appeal_intake(actor=None, intake=intake, photo=huge)


def test_full_life_to_closure_and_each_illegal_step(world):
    users = world.t.users
    handler = users["xh_c1_secretary"]
    case = world.intake()
    with pytest.raises(Conflict) as error:
        services.appeal_reply(actor=handler, appeal=case, reply="已处理")
    assert error.value.code == "illegal_transition" and "已派单" in str(error.value.message)
    services.appeal_accept(actor=handler, appeal=case)
    assert case.responded_at is not None
    with pytest.raises(Conflict):
        services.appeal_accept(actor=handler, appeal=case)
    services.appeal_start(actor=handler, appeal=case)
    with pytest.raises(ValidationFailed):
        services.appeal_reply(actor=handler, appeal=case, reply=" ")
    services.appeal_reply(actor=handler, appeal=case, reply="已联系环卫所清运完毕")
    with pytest.raises(ValidationFailed):
        services.appeal_rate(appeal=case, resolved=True, satisfaction="great")
    services.appeal_rate(appeal=case, resolved=True, satisfaction="satisfied")
    case.refresh_from_db()
    assert case.state == Appeal.State.CLOSED and case.closed_at is not None
    assert [e.action for e in case.events.all()] == [
        "receive",
        "dispatch",
        "accept",
        "start",
        "reply",
        "rate",
        "close",
    ]
    with pytest.raises(Conflict):
        services.appeal_reopen(actor=None, appeal=case, reason="又堆了")
    assert AuditEntry.objects.filter(target_type="appeals.appeal").count() >= 6


def test_unsatisfied_resident_reopens_within_the_period(world):
    handler = world.t.users["xh_c1_secretary"]
    case = world.intake()
    services.appeal_accept(actor=handler, appeal=case)
    services.appeal_reply(actor=handler, appeal=case, reply="已清运")
    services.appeal_rate(appeal=case, resolved=False, satisfaction="unsatisfied")
    assert case.state == Appeal.State.RATED
    services.appeal_reopen(actor=None, appeal=case, reason="并没有清运")
    assert case.state == Appeal.State.REOPENED and case.reopen_count == 1
    queue = selectors.street_queue(viewer=world.t.users["xh_s1_staff"], street=case.street)
    assert case in queue
    services.appeal_dispatch(
        actor=world.t.users["xh_s1_staff"], appeal=case, unit=world.community_unit
    )
    assert case.state == Appeal.State.DISPATCHED


def test_reopen_after_the_period_is_refused(world):
    handler = world.t.users["xh_c1_secretary"]
    case = world.intake()
    services.appeal_accept(actor=handler, appeal=case)
    services.appeal_reply(actor=handler, appeal=case, reply="已清运")
    services.appeal_rate(appeal=case, resolved=False, satisfaction="unsatisfied")
    Appeal.objects.filter(pk=case.pk).update(replied_at=timezone.now() - datetime.timedelta(days=8))
    case.refresh_from_db()
    with pytest.raises(Conflict) as error:
        services.appeal_reopen(actor=None, appeal=case, reason="迟来的不满")
    assert "期限" in str(error.value.message)


def test_return_goes_back_to_the_street_and_is_redispatched(world):
    users = world.t.users
    case = world.intake()
    with pytest.raises(ValidationFailed):
        services.appeal_return(actor=users["xh_c1_secretary"], appeal=case, reason="")
    services.appeal_return(actor=users["xh_c1_secretary"], appeal=case, reason="属物业职责")
    assert case.state == Appeal.State.RETURNED and case.unit is None
    # Another street cannot dispatch it; a handler cannot dispatch it either.
    with pytest.raises(NotFound):
        services.appeal_dispatch(actor=users["hp_s1_staff"], appeal=case, unit=world.street_unit)
    with pytest.raises(PermissionDenied):
        services.appeal_dispatch(
            actor=users["xh_c1_secretary"], appeal=case, unit=world.street_unit
        )
    with pytest.raises(ValidationFailed) as error:
        services.appeal_dispatch(actor=users["xh_s1_staff"], appeal=case, unit=world.hp_department)
    assert error.value.field == "unit"
    services.appeal_dispatch(actor=users["xh_s1_staff"], appeal=case, unit=world.street_unit)
    assert case.state == Appeal.State.DISPATCHED and case.unit == world.street_unit


def test_only_the_unit_handles_its_cases(world):
    users = world.t.users
    case = world.intake(area_key="xh_c3", code="illegal-building", text="违建")
    with pytest.raises(PermissionDenied):
        services.appeal_accept(actor=users["xh_c3_secretary"], appeal=case)
    with pytest.raises(NotFound):
        services.appeal_accept(actor=users["hp_s1_staff"], appeal=case)
    services.appeal_accept(actor=users["xh_chengguan"], appeal=case)


def test_summons_records_who_answered_and_when(world):
    users = world.t.users
    case = world.intake()
    summons = services.summons_create(
        actor=users["xh_s1_staff"], appeal=case, units=[world.department], reason="多部门联合处置"
    )
    with pytest.raises(ValidationFailed):
        services.summons_create(
            actor=users["xh_s1_staff"], appeal=case, units=[world.community_unit], reason="x"
        )
    with pytest.raises(NotFound):
        services.summons_create(
            actor=users["hp_s1_staff"], appeal=case, units=[world.department], reason="x"
        )
    target = summons.targets.get()
    with pytest.raises(NotFound):
        services.summons_report(actor=users["xh_c1_secretary"], target=target)
    with pytest.raises(Conflict):
        services.summons_act(actor=world.department_user, target=target, note="先处置")
    services.summons_report(actor=world.department_user, target=target)
    services.summons_act(actor=world.department_user, target=target, note="已到场处置")
    with pytest.raises(Conflict):
        services.summons_report(actor=world.department_user, target=target)
    board = list(selectors.summons_board(viewer=users["xh_s1_staff"], street=case.street))
    assert board[0].reported_at and board[0].acted_at and board[0].unit == world.department


def test_mediation_carries_parties_and_outcome(world):
    users = world.t.users
    case = world.intake(code="neighbour-dispute", text="楼上漏水邻里争执")
    mediation = services.mediation_record(
        actor=users["xh_c1_secretary"],
        appeal=case,
        parties=["王某", "李某"],
        outcome="agreed",
        agreement="楼上负责维修，费用各半",
        mediator="人民调解员张某",
        mediated_on=timezone.localdate(),
    )
    assert mediation.parties == ["王某", "李某"]
    with pytest.raises(ValidationFailed) as error:
        services.mediation_record(
            actor=users["xh_c1_secretary"], appeal=case, parties=["王某"], outcome="agreed"
        )
    assert error.value.field == "parties"
    other = world.intake(text="垃圾")
    with pytest.raises(ValidationFailed):
        services.mediation_record(
            actor=users["xh_c1_secretary"], appeal=other, parties=["甲", "乙"]
        )


def test_scope_of_cases(world):
    users = world.t.users
    xh_case = world.intake()
    hp_case = world.intake(area_key="hp_c1")
    seen = lambda key: set(selectors.appeal_list(viewer=users[key]))  # noqa: E731
    assert seen("xh_s1_staff") == {xh_case}
    assert seen("hp_s1_staff") == {hp_case}
    assert seen("city_admin") == {xh_case, hp_case}
    # A department sees only its own work (tests/duties/test_department_scope.py).
    assert seen("xh_chengguan") == set()
    assert seen("xh_g1_worker") == {xh_case}
    for key in ("xh_c3_secretary", "xh_member", "xh_resident", "xh_unit_secretary", "nobody"):
        assert seen(key) == set(), key
    department_case = world.intake(area_key="xh_c3", code="illegal-building", text="违建")
    assert department_case.unit == world.department
    assert seen("xh_chengguan") == {department_case}
