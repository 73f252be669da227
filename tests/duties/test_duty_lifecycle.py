"""A duty application through its table: draft, submitted, admitted, refused, withdrawn,
revoked; each step by whom it belongs to, each refusal with its code, each change with
its audit entry, and the admitted duty on its streets' duty lists."""

from decimal import Decimal

import pytest

from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.duties import selectors, services
from jiceng.duties.errors import MSG_REASON_REQUIRED, DutyErrorCode
from jiceng.duties.models import Duty, DutyTarget


def _audits(duty: Duty) -> list[str]:
    entries = AuditEntry.objects.filter(target_type="duties.duty", target_id=str(duty.pk))
    return [e.changes.get("action", e.action) for e in entries.order_by("id")]


def test_apply_submit_admit_and_the_street_list(duty_world):
    w = duty_world
    duty = w.apply(submit=False, streets=[w.t.areas["xh_s1"], w.t.areas["xh_s2"]])
    assert duty.state == Duty.State.DRAFT
    assert duty.district == w.t.areas["xh"]
    duty = services.duty_act(actor=w.user("xh_chengguan"), duty=duty, action="submit")
    assert duty.state == Duty.State.SUBMITTED and duty.submitted_at
    duty = services.duty_act(actor=w.user("xh_admin"), duty=duty, action="admit")
    assert duty.state == Duty.State.ADMITTED and duty.decided_by == w.user("xh_admin")
    assert _audits(duty) == ["create", "submit", "admit"]
    rows = list(selectors.street_duty_list(viewer=w.user("xh_s1_staff")))
    assert [(r.duty, r.street) for r in rows] == [(duty, w.t.areas["xh_s1"])]
    assert rows[0].duty.staff_count == 2 and rows[0].duty.funds_yuan == Decimal("80000.00")
    # The district sees both streets' lines; another district's street sees none.
    assert len(selectors.street_duty_list(viewer=w.user("xh_admin"))) == 2
    assert list(selectors.street_duty_list(viewer=w.user("hp_s1_staff"))) == []


def test_refusal_and_revocation_need_a_reason(duty_world):
    w = duty_world
    admin = w.user("xh_admin")
    duty = w.apply()
    with pytest.raises(ValidationFailed) as refused:
        services.duty_act(actor=admin, duty=duty, action="refuse", reason="  ")
    assert refused.value.code == DutyErrorCode.REASON_REQUIRED
    assert refused.value.field == "reason" and refused.value.message == MSG_REASON_REQUIRED
    duty.refresh_from_db()
    assert duty.state == Duty.State.SUBMITTED
    duty = services.duty_act(actor=admin, duty=duty, action="refuse", reason="无经费保障")
    assert duty.state == Duty.State.REFUSED and duty.reason == "无经费保障"
    admitted = w.admitted(title="共享单车停放秩序巡查")
    with pytest.raises(ValidationFailed):
        services.duty_act(actor=admin, duty=admitted, action="revoke")
    admitted = services.duty_act(actor=admin, duty=admitted, action="revoke", reason="已收回")
    assert admitted.state == Duty.State.REVOKED
    assert list(selectors.street_duty_list(viewer=w.user("xh_s1_staff"))) == []
    assert _audits(admitted)[-1] == "revoke"


@pytest.mark.parametrize(
    "state, action",
    [
        ("draft", "admit"),
        ("draft", "refuse"),
        ("submitted", "submit"),
        ("admitted", "admit"),
        ("admitted", "withdraw"),
        ("refused", "admit"),
        ("withdrawn", "submit"),
        ("revoked", "admit"),
    ],
)
def test_the_table_refuses_what_the_state_does_not_allow(duty_world, state, action):
    w = duty_world
    duty = w.apply(submit=False)
    Duty.objects.filter(pk=duty.pk).update(state=state)
    actor = w.user("xh_admin") if action in ("admit", "refuse") else w.user("xh_chengguan")
    with pytest.raises(Conflict) as refused:
        services.duty_act(actor=actor, duty=duty, action=action, reason="理由")
    assert refused.value.code == DutyErrorCode.ILLEGAL_TRANSITION
    duty.refresh_from_db()
    assert duty.state == state


def test_who_takes_each_step(duty_world):
    w = duty_world
    duty = w.apply(submit=False)
    # Another department cannot see it; the district sees it and may not submit for it.
    with pytest.raises(NotFound):
        services.duty_act(actor=w.user("xh_fangguan"), duty=duty, action="submit")
    with pytest.raises(PermissionDenied):
        services.duty_act(actor=w.user("xh_admin"), duty=duty, action="submit")
    duty = services.duty_act(actor=w.user("xh_chengguan"), duty=duty, action="submit")
    # The department does not admit its own duty; a street does not see applications.
    with pytest.raises(PermissionDenied):
        services.duty_act(actor=w.user("xh_chengguan"), duty=duty, action="admit")
    with pytest.raises(NotFound):
        services.duty_act(actor=w.user("xh_s1_staff"), duty=duty, action="admit")
    with pytest.raises(NotFound):
        services.duty_act(actor=w.user("hp_admin"), duty=duty, action="admit")
    services.duty_act(actor=w.user("city_admin"), duty=duty, action="admit")


def test_only_a_departments_own_staff_apply_for_it(duty_world):
    w = duty_world
    with pytest.raises(NotFound):
        w.apply(actor="xh_fangguan")  # not a handler of 城管执法局: not in sight
    with pytest.raises(ValidationFailed) as refused:
        w.apply(actor="xh_s1_staff", department=w.community_unit)
    assert refused.value.code == DutyErrorCode.NOT_DEPARTMENT
    with pytest.raises(ValidationFailed) as refused:
        w.apply(streets=[w.t.areas["hp_s1"]])
    assert refused.value.code == DutyErrorCode.STREET_OUTSIDE
    with pytest.raises(ValidationFailed) as refused:
        w.apply(streets=[])
    assert refused.value.code == DutyErrorCode.STREETS_REQUIRED
    assert not Duty.objects.exists()


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("title", "事" * 101, DutyErrorCode.TEXT_TOO_LONG),
        ("title", "门责\x00检查", DutyErrorCode.TEXT_CONTROL),
        ("legal_basis", "", DutyErrorCode.TEXT_REQUIRED),
        ("description", "说" * 2001, DutyErrorCode.TEXT_TOO_LONG),
        ("expected_volume", "约\x00", DutyErrorCode.TEXT_CONTROL),
        ("staff_count", -1, DutyErrorCode.BAD_NUMBER),
        ("funds_yuan", "-5", DutyErrorCode.BAD_NUMBER),
        ("funds_yuan", "1e12", DutyErrorCode.BAD_NUMBER),
        ("target_level", "city", DutyErrorCode.BAD_CHOICE),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(duty_world, field, value, code):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        duty_world.apply(**{field: value})
    assert refused.value.code == code and refused.value.field == field
    assert "：" in str(refused.value.message)  # "法律依据：请填写此项"
    assert not Duty.objects.exists() and not DutyTarget.objects.exists()
    assert AuditEntry.objects.count() == before


def test_withdraw_by_the_department(duty_world):
    w = duty_world
    duty = w.apply()
    duty = services.duty_act(actor=w.user("xh_chengguan"), duty=duty, action="withdraw")
    assert duty.state == Duty.State.WITHDRAWN
