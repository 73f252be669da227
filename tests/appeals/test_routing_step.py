"""The deferred routing step (`jiceng process-intake`, appeals.intake.intake_process):
cases acknowledged after one write are routed, checked for duplicates, dispatched,
counted and audited in batches, with the outcome the synchronous intake gives."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from jiceng.appeals import intake, rollup, selectors, services
from jiceng.appeals.intake import intake_process
from jiceng.appeals.models import Appeal, AppealEvent, AppealMonthStat, Category
from jiceng.appeals.overdue import check_deadlines
from jiceng.appeals.routing import route, route_many
from jiceng.core.audit_evidence import audit_verify
from jiceng.core.errors import Conflict
from jiceng.core.models import Area, AuditEntry

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SKIP LOCKED and concurrent writers: PostgreSQL (SQLite has one writer at a time)",
)


def _receive(world, *, area_key="xh_g1", code="sanitation", text="楼下垃圾三天没人清运", key=""):
    received = intake.appeal_receive(
        intake=services.Intake(
            channel=Appeal.Channel.OPEN311,
            category=world.category(code),
            area=world.t.areas[area_key],
            description=text,
            client="open311:test",
            idempotency_key=key,
        )
    )
    return Appeal.objects.get(pk=received.pk)


def _stats() -> dict:
    return {
        (row.community_id, row.month): tuple(getattr(row, name) for name in rollup.COUNTERS)
        for row in AppealMonthStat.objects.all()
    }


def _assert_counters_equal_rebuild() -> None:
    kept = _stats()
    rollup.rebuild()
    assert _stats() == kept


def _audit_of(appeal: Appeal) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(target_type="appeals.appeal", target_id=str(appeal.pk)).order_by(
            "id"
        )
    )


def test_a_pending_case_is_routed_dispatched_counted_and_audited(world):
    case = _receive(world)
    assert case.routing_pending and case.state == Appeal.State.RECEIVED
    assert _audit_of(case) == [] and not AppealMonthStat.objects.exists()

    result = intake_process()
    assert (result.processed, result.dispatched, result.unroutable, result.duplicates) == (
        1,
        1,
        0,
        0,
    )
    case.refresh_from_db()
    assert case.state == Appeal.State.DISPATCHED and case.unit == world.community_unit
    assert not case.routing_pending and case.unroutable_reason == ""
    received, dispatched = case.events.order_by("id")
    assert received.action == "receive" and dispatched.action == "dispatch"
    assert dispatched.is_public and dispatched.note == "已派至复兴西路居委会"
    assert (dispatched.from_state, dispatched.to_state) == ("received", "dispatched")
    assert dispatched.data["unit"] == world.community_unit.pk and dispatched.data["rule"]
    created, moved = _audit_of(case)
    assert created.action == "create" and created.changes["channel"] == "open311"
    assert created.changes["category"] == "sanitation" and created.changes["client"]
    assert moved.action == "update"
    assert moved.changes == {
        "state": {"old": "received", "new": "dispatched"},
        "action": "dispatch",
    }
    assert moved.prev_hash == created.hash and audit_verify().ok
    [row] = AppealMonthStat.objects.all()
    assert row.community == world.t.areas["xh_c1"] and row.received == 1
    _assert_counters_equal_rebuild()


def test_the_step_is_idempotent(world):
    for n in range(3):
        _receive(world, area_key=("xh_g1", "xh_c2", "xh_c3")[n], text=f"第{n}处路灯不亮")
    assert intake_process().processed == 3
    before = (
        AppealEvent.objects.count(),
        AuditEntry.objects.count(),
        _stats(),
        list(Appeal.objects.values_list("id", "state", "unit_id").order_by("id")),
    )
    again = intake_process()
    assert again.processed == 0 and again.batches == []
    assert before == (
        AppealEvent.objects.count(),
        AuditEntry.objects.count(),
        _stats(),
        list(Appeal.objects.values_list("id", "state", "unit_id").order_by("id")),
    )
    assert audit_verify().ok


def test_cases_are_taken_in_batches_and_the_chain_verifies_after_each(world):
    cases = [_receive(world, area_key="xh_c2", text=f"路口{n}号井盖缺失") for n in range(5)]
    result = intake_process(batch_size=2)
    assert result.batches == [2, 2, 1] and result.processed == 5
    assert not Appeal.objects.filter(routing_pending=True).exists()
    assert audit_verify().ok
    # Each case's entries in the order the synchronous intake writes them; the later
    # cases, similar to the first, were held back across batches too.
    assert [e.action for e in _audit_of(cases[0])] == ["create", "update"]
    for case in cases[1:]:
        assert [e.action for e in _audit_of(case)] == ["create"]
    partial = intake_process(max_cases=1)
    assert partial.processed == 0


def test_an_unroutable_case_waits_in_the_street_queue_with_the_reason(world):
    case = _receive(world, area_key="hp_g1", code="road-damage", text="黄浦的井盖坏了")
    assert intake_process().unroutable == 1
    case.refresh_from_db()
    assert case.state == Appeal.State.RECEIVED and case.unit is None
    assert not case.routing_pending
    assert case.unroutable_reason == str(services.MSG_NO_RULE)
    staff = world.t.users["hp_s1_staff"]
    queue = selectors.street_queue(viewer=staff, street=world.t.areas["hp_s1"])
    assert list(queue) == [case]
    assert [e.action for e in case.events.all()] == ["receive"]
    assert [e.action for e in _audit_of(case)] == ["create"]
    # Routed, it is the street's to dispatch by hand like any other.
    services.appeal_dispatch(actor=staff, appeal=case, unit=world.hp_department)
    case.refresh_from_db()
    assert case.state == Appeal.State.DISPATCHED and audit_verify().ok


def test_a_hand_dispatch_waits_for_the_step(world):
    case = _receive(world)
    staff = world.t.users["xh_s1_staff"]
    with pytest.raises(Conflict) as refused:
        services.appeal_dispatch(actor=staff, appeal=case, unit=world.street_unit)
    assert refused.value.code == "routing_pending"
    case.refresh_from_db()
    assert case.state == Appeal.State.RECEIVED and case.routing_pending


def test_an_earlier_similar_open_case_holds_the_later_one(world):
    """Within one batch and against cases already routed: the first is dispatched, a
    later similar one waits for the street, as when they arrived one by one."""
    existing = world.intake(area_key="xh_c2", text="小区门口垃圾桶满溢没人清运")
    first = _receive(world, area_key="xh_g1", text="复兴西路垃圾桶满溢没人清运")
    second = _receive(world, area_key="xh_g1", text="复兴西路垃圾桶满溢，一直没人清运")
    third = _receive(world, area_key="xh_c2", text="小区门口垃圾桶满溢好几天没人清运")
    other = _receive(world, area_key="xh_g1", text="楼道里的灯坏了")
    result = intake_process()
    assert (result.dispatched, result.duplicates) == (2, 2)
    for case in (existing, first, second, third, other):
        case.refresh_from_db()
    assert first.state == Appeal.State.DISPATCHED and other.state == Appeal.State.DISPATCHED
    for held in (second, third):
        assert held.state == Appeal.State.RECEIVED
        assert held.unroutable_reason == str(services.MSG_POSSIBLE_DUPLICATE)
    assert selectors.similar_open_appeals(second) == [first]


def test_the_outcome_is_what_the_synchronous_intake_gives(world):
    """The same cases filed one by one through `appeal_intake` (rolled back) and through
    the fast intake and the batch step: the same states, units and reasons."""
    filings = [
        ("xh_g1", "sanitation", "复兴西路垃圾桶满溢没人清运"),
        ("xh_g1", "sanitation", "复兴西路垃圾桶满溢，一直没人清运"),
        ("xh_g2", "sanitation", "复兴西路垃圾桶满溢没人清运"),
        ("xh_c2", "noise-construction", "夜间施工噪音扰民"),
        ("xh_c2", "illegal-building", "楼顶违章搭建阳光房"),
        ("xh_c3", "illegal-building", "天平路小区违章搭建"),
        ("hp_g1", "road-damage", "黄浦的井盖坏了"),
        ("xh_c2", "noise-construction", "夜间施工噪音严重扰民"),
        ("xh_c1", "elevator", "电梯困人"),
    ]

    def outcome(case: Appeal) -> tuple:
        return case.state, case.unit_id, case.unroutable_reason

    class Undo(Exception):
        pass

    synchronous = []
    try:
        with transaction.atomic():
            for area_key, code, text in filings:
                synchronous.append(outcome(world.intake(area_key=area_key, code=code, text=text)))
            raise Undo
    except Undo:
        pass
    assert not Appeal.objects.exists()
    cases = [_receive(world, area_key=a, code=c, text=t) for a, c, t in filings]
    intake_process(batch_size=4)
    for case in cases:
        case.refresh_from_db()
    assert [outcome(c) for c in cases] == synchronous
    assert {o[0] for o in synchronous} == {"dispatched", "received"}  # both kinds present
    assert audit_verify().ok
    _assert_counters_equal_rebuild()


def test_route_many_chooses_as_route_does(world):
    places = Area.objects.filter(level__in=["community", "grid", "building"])
    pairs = [(category, area) for category in Category.objects.all() for area in places]
    chosen = route_many(pairs)
    assert len(chosen) == len(pairs) and any(chosen.values()) and not all(chosen.values())
    for category, area in pairs:
        assert chosen[(category.pk, area.pk)] == route(category, area)


def test_counters_equal_a_rebuild_whatever_happened_while_pending(world):
    """A pending case is counted once, when the step takes it, with whatever it counts
    for by then (here: marked overdue by the deadline check while it waited); a rebuild
    in between leaves pending cases to the step."""
    world.intake(area_key="xh_c2", text="路灯不亮")  # the synchronous path counts at once
    late = _receive(world, area_key="xh_g1", code="noise-construction", text="夜间施工")
    _receive(world, area_key="xh_c3", text="垃圾桶满溢")
    _assert_counters_equal_rebuild()  # pending cases are in neither
    Appeal.objects.filter(pk=late.pk).update(
        response_due_at=timezone.now() - datetime.timedelta(hours=30),
        resolution_due_at=timezone.now() - datetime.timedelta(hours=1),
    )
    marked = check_deadlines()
    assert marked.response_overdue >= 1 and marked.resolution_overdue >= 1
    late.refresh_from_db()
    assert late.routing_pending and late.resolution_overdue
    _assert_counters_equal_rebuild()
    intake_process()
    row = AppealMonthStat.objects.get(community=world.t.areas["xh_c1"])
    assert row.received == 1 and row.on_time_due == 1
    _assert_counters_equal_rebuild()


def test_check_deadlines_routes_first_and_process_intake_reports(world, capsys):
    case = _receive(world)
    call_command("check-deadlines")
    out = capsys.readouterr().out
    assert "快速受理派单 1 件" in out and "响应超时 0" in out
    case.refresh_from_db()
    assert case.state == Appeal.State.DISPATCHED
    _receive(world, area_key="hp_g1", code="road-damage", text="井盖坏了")
    call_command("process-intake", "--batch", "10")
    out = capsys.readouterr().out
    assert "待派单 1 件" in out and "无匹配规则 1" in out
    call_command("check_deadlines")
    assert "快速受理" not in capsys.readouterr().out


def test_a_retry_with_the_same_key_is_the_same_case_before_and_after_routing(world):
    from jiceng.core.idempotency import KeyReused

    first = _receive(world, key="k-1")
    retry = services.Intake(
        channel=Appeal.Channel.OPEN311,
        category=world.category("sanitation"),
        area=world.t.areas["xh_g1"],
        description="楼下垃圾三天没人清运",
        client="open311:test",
        idempotency_key="k-1",
    )
    again = intake.appeal_receive(intake=retry)
    assert again.pk == first.pk and not again.created
    # The same key with another case is refused, not answered with the first case.
    retry.description = "另一件事"
    with pytest.raises(KeyReused):
        intake.appeal_receive(intake=retry)
    intake_process()
    assert _receive(world, key="k-1").pk == first.pk
    assert Appeal.objects.count() == 1 and AppealEvent.objects.filter(action="receive").count() == 1


def _in_threads(count: int, work) -> list:
    """Run `work(n)` in `count` threads at once, each on its own connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[n] = work(n)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@postgresql_only
def test_two_processes_at_once_take_each_case_once(transactional_db, world):
    areas = ["xh_g1", "xh_g2", "xh_c2", "xh_c3", "hp_g1"]
    texts = ["垃圾桶满溢", "井盖缺失", "路灯不亮", "绿化带枯死", "楼道堆物"]
    cases = [
        _receive(world, area_key=areas[n % 5], code="other", text=f"{texts[n // 5 % 5]} {n}号")
        for n in range(120)
    ]
    results = _in_threads(3, lambda n: intake_process(batch_size=7))
    assert sum(r.processed for r in results) == len(cases)
    assert sum(1 for r in results if r.processed) >= 2  # they really ran side by side
    assert not Appeal.objects.filter(routing_pending=True).exists()
    for case in cases:
        assert [e.action for e in _audit_of(case)][:1] == ["create"]
        assert len([e for e in _audit_of(case) if e.action == "create"]) == 1
        assert case.events.filter(action="dispatch").count() <= 1
    assert AuditEntry.objects.filter(action="create", target_type="appeals.appeal").count() == 120
    assert audit_verify().ok
    _assert_counters_equal_rebuild()


@postgresql_only
def test_simultaneous_retries_make_one_case(transactional_db, world):
    def file(n: int):
        return intake.appeal_receive(
            intake=services.Intake(
                channel=Appeal.Channel.OPEN311,
                category=Category.objects.get(code="sanitation"),
                area=Area.objects.get(code="310104003001001"),
                description="同一件诉求，发送了四次",
                client="open311:test",
                idempotency_key="same-key",
            )
        )

    results = _in_threads(4, file)
    assert len({r.pk for r in results}) == 1
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert Appeal.objects.count() == 1 and AppealEvent.objects.count() == 1


@postgresql_only
def test_simultaneous_api_retries_make_one_case_and_the_rest_wait_or_replay(
    transactional_db, world
):
    """The API's intake claims the key before its work: a retry arriving meanwhile is
    told 409 (in flight) or, once the first has committed, gets the first case."""
    from jiceng.core.idempotency import KeyInFlight

    def file(n: int):
        try:
            return services.appeal_intake(
                actor=None,
                intake=services.Intake(
                    channel=Appeal.Channel.API,
                    category=Category.objects.get(code="sanitation"),
                    area=Area.objects.get(code="310104003001001"),
                    description="同一件诉求，同时发送了四次",
                    client="api:test",
                    idempotency_key="same-key",
                ),
            )
        except KeyInFlight:
            return "in flight"

    results = _in_threads(4, file)
    made = [r for r in results if r != "in flight"]
    assert [created for _appeal, created in made].count(True) == 1
    assert len({appeal.pk for appeal, _created in made}) == 1
    assert Appeal.objects.count() == 1 and AppealEvent.objects.filter(action="receive").count() == 1


def test_the_api_shows_the_pending_case_and_refuses_a_hand_dispatch(client, world):
    import json

    case = _receive(world)
    staff = world.t.client_for(client, "xh_s1_staff")
    detail = staff.get(f"/api/appeals/{case.pk}").json()
    assert detail["routing_pending"] is True and detail["state"] == "received"
    refused = staff.post(
        f"/api/appeals/{case.pk}/dispatch",
        json.dumps({"unit": world.street_unit.pk}),
        content_type="application/json",
    )
    assert refused.status_code == 409 and refused.json()["code"] == "routing_pending"
    intake_process()
    detail = staff.get(f"/api/appeals/{case.pk}").json()
    assert detail["routing_pending"] is False and detail["unit_id"] == world.community_unit.pk


def test_a_batch_costs_the_same_queries_for_few_cases_or_many(world):
    """Claim, rules, duplicates, the cases' update, events, counters (with the two reads
    of their areas' ancestors, core.tree_rollups) and the audit batch: a fixed number of
    statements per batch, however many cases it holds."""
    from django.test.utils import CaptureQueriesContext

    start = iter(range(0x4E00, 0x9FA5, 8))  # texts sharing no characters: no duplicates

    def queries(count: int) -> int:
        for n in range(count):
            text = "".join(chr(next(start) + k) for k in range(6))
            _receive(world, area_key=("xh_g1", "xh_g2", "xh_c2", "hp_g1")[n % 4], text=text)
        with CaptureQueriesContext(connection) as context:
            result = intake_process(batch_size=100)
        assert result.processed == count and result.dispatched and result.unroutable
        assert not result.duplicates
        return len(context.captured_queries)

    few = queries(4)
    assert queries(40) == few <= 18
