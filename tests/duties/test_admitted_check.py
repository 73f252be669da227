"""The check the linkage app calls before a department's task goes down: a task must
rest on an admitted duty of that department covering every recipient, or it is refused
with a stable code and a message naming the duty field."""

import pytest

from jiceng.duties import selectors, services
from jiceng.duties.errors import DutyErrorCode, DutyNotAdmitted


def test_the_admitted_duty_covers_its_streets_and_what_lies_under_them(duty_world):
    w = duty_world
    a = w.t.areas
    duty = w.admitted()
    for place in ("xh_s1", "xh_c1", "xh_g1"):
        found = selectors.admitted_duty_for(
            department=w.department, street_or_area=a[place], duty_id=duty.pk
        )
        assert found == duty, place
        assert (
            services.require_admitted(department=w.department, recipients=[a[place]], duty=duty.pk)
            == duty
        )
    assert (
        services.require_admitted(
            department=w.department, recipients=[a["xh_s1"], a["xh_c2"]], duty=duty
        )
        == duty
    )
    for place in ("xh_s2", "xh_c3", "hp_s1", "xh", "city"):
        found = selectors.admitted_duty_for(
            department=w.department, street_or_area=a[place], duty_id=duty.pk
        )
        assert found is None, place
    assert (
        selectors.admitted_duty_for(
            department=w.other_department, street_or_area=a["xh_s1"], duty_id=duty.pk
        )
        is None
    )
    assert (
        selectors.admitted_duty_for(
            department=w.department, street_or_area=a["xh_s1"], duty_id="x'; drop"
        )
        is None
    )


def _code(**kwargs) -> str:
    with pytest.raises(DutyNotAdmitted) as refused:
        services.require_admitted(**kwargs)
    assert refused.value.field == "duty"
    assert "依据事项" in str(refused.value.message)
    return refused.value.code


def test_each_refusal_has_its_code(duty_world):
    w = duty_world
    a = w.t.areas
    street = [a["xh_s1"]]
    assert _code(department=w.department, recipients=street, duty=None) == (
        DutyErrorCode.DUTY_MISSING
    )
    assert _code(department=w.department, recipients=street, duty="999999") == (
        DutyErrorCode.DUTY_MISSING
    )
    pending = w.apply()
    assert _code(department=w.department, recipients=street, duty=pending) == (
        DutyErrorCode.DUTY_NOT_ADMITTED
    )
    admitted = w.admitted(title="油烟扰民巡查")
    assert _code(department=w.other_department, recipients=street, duty=admitted) == (
        DutyErrorCode.DUTY_OTHER_DEPARTMENT
    )
    assert (
        _code(department=w.department, recipients=[a["xh_s1"], a["xh_c3"]], duty=admitted)
        == DutyErrorCode.DUTY_NOT_COVERING
    )
    services.duty_act(actor=w.user("xh_admin"), duty=admitted, action="revoke", reason="收回")
    assert _code(department=w.department, recipients=street, duty=admitted.pk) == (
        DutyErrorCode.DUTY_NOT_ADMITTED
    )


def test_the_refusal_is_an_api_error_shape(duty_world):
    with pytest.raises(DutyNotAdmitted) as refused:
        services.require_admitted(department=duty_world.department, recipients=[], duty=None)
    body = refused.value.as_dict()
    assert body["code"] == "duties_duty_missing" and body["field"] == "duty"
