"""Each refusal of the appeals app carries its own stable code (AppealErrorCode), in the
service's error and in the API's error shape, so a client never parses the message."""

import datetime
import json

import pytest
from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.models import Appeal
from jiceng.core.errors import ApplicationError


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _code(call) -> str:
    with pytest.raises(ApplicationError) as error:
        call()
    return error.value.code


def test_every_code_is_distinct_and_prefixed():
    values = [code.value for code in Code]
    assert len(values) == len(set(values))
    # The two codes clients matched before the enum keep their names.
    legacy = {Code.ILLEGAL_TRANSITION, Code.ROUTING_PENDING}
    assert all(code in legacy or code.value.startswith("appeal_") for code in Code)


def test_intake_refusals(world):
    assert _code(lambda: world.intake(text="   ")) == Code.DESCRIPTION_REQUIRED
    assert _code(lambda: world.intake(text="长" * 2001)) == Code.DESCRIPTION_TOO_LONG
    assert _code(lambda: world.intake(area_key="xh_s1")) == Code.AREA_LEVEL
    category = world.category("sanitation")
    category.is_active = False
    category.save()
    assert _code(lambda: world.intake()) == Code.CATEGORY_INVALID


def test_handling_refusals(world):
    handler = world.t.users["xh_c1_secretary"]
    staff = world.t.users["xh_s1_staff"]
    case = world.intake()
    reply = lambda text: services.appeal_reply(actor=handler, appeal=case, reply=text)  # noqa: E731
    assert _code(lambda: reply("已处理")) == Code.ILLEGAL_TRANSITION
    assert (
        _code(lambda: services.appeal_return(actor=handler, appeal=case, reason=" "))
        == Code.REASON_REQUIRED
    )
    services.appeal_accept(actor=handler, appeal=case)
    assert _code(lambda: reply(" ")) == Code.REPLY_REQUIRED
    assert _code(lambda: reply("长" * 2001)) == Code.REPLY_TOO_LONG
    services.appeal_return(actor=handler, appeal=case, reason="属物业职责")
    assert (
        _code(lambda: services.appeal_dispatch(actor=staff, appeal=case, unit=world.hp_department))
        == Code.UNIT_TERRITORY
    )
    services.appeal_dispatch(actor=staff, appeal=case, unit=world.community_unit)
    services.appeal_accept(actor=handler, appeal=case)
    reply("已清运")
    assert (
        _code(lambda: services.appeal_rate(appeal=case, resolved=True, satisfaction="great"))
        == Code.SATISFACTION_INVALID
    )
    services.appeal_rate(appeal=case, resolved=True, satisfaction="satisfied")
    assert (
        _code(lambda: services.appeal_reopen(actor=None, appeal=case, reason="又堆了"))
        == Code.REOPEN_SATISFIED
    )


def test_reopen_after_the_period_has_its_code(world):
    handler = world.t.users["xh_c1_secretary"]
    case = world.intake()
    services.appeal_accept(actor=handler, appeal=case)
    services.appeal_reply(actor=handler, appeal=case, reply="已清运")
    services.appeal_rate(appeal=case, resolved=False, satisfaction="unsatisfied")
    Appeal.objects.filter(pk=case.pk).update(replied_at=timezone.now() - datetime.timedelta(days=8))
    case.refresh_from_db()
    assert (
        _code(lambda: services.appeal_reopen(actor=None, appeal=case, reason="迟来的不满"))
        == Code.REOPEN_LATE
    )


def test_summons_and_mediation_refusals(world):
    staff = world.t.users["xh_s1_staff"]
    case = world.intake()

    def summon(units, reason="多部门联合处置"):
        return services.summons_create(actor=staff, appeal=case, units=units, reason=reason)

    assert _code(lambda: summon([])) == Code.SUMMONS_UNITS_REQUIRED
    assert _code(lambda: summon([world.community_unit])) == Code.SUMMONS_NOT_DEPARTMENT
    assert _code(lambda: summon([world.department], reason=" ")) == Code.REASON_REQUIRED
    target = summon([world.department]).targets.get()
    chengguan = world.t.users["xh_chengguan"]
    assert (
        _code(lambda: services.summons_act(actor=chengguan, target=target, note="已拆除"))
        == Code.SUMMONS_NOT_REPORTED
    )
    services.summons_report(actor=chengguan, target=target)
    assert (
        _code(lambda: services.summons_report(actor=chengguan, target=target))
        == Code.SUMMONS_ALREADY_REPORTED
    )
    assert (
        _code(lambda: services.summons_act(actor=chengguan, target=target, note=" "))
        == Code.SUMMONS_NOTE_REQUIRED
    )
    handler = world.t.users["xh_c1_secretary"]
    assert (
        _code(lambda: services.mediation_record(actor=handler, appeal=case, parties=["甲", "乙"]))
        == Code.NOT_MEDIATION
    )


def test_setup_refusals(world):
    admin = None  # the system; refused for what it asks, not for who asks
    facts = services.CategoryFacts(
        name="宠物扰民", group="社会治理", response_hours=48, resolution_amount=24,
        resolution_unit="hours",
    )  # fmt: skip
    assert (
        _code(lambda: services.category_create(actor=admin, code="pets", facts=facts))
        == Code.RESOLUTION_BEFORE_RESPONSE
    )
    assert (
        _code(lambda: services.category_create(actor=admin, code="X", facts=facts))
        == Code.CATEGORY_CODE
    )
    assert (
        _code(
            lambda: services.handling_unit_create(
                actor=None, name=" ", kind="community", area=world.t.areas["xh_c1"]
            )
        )
        == Code.NAME_REQUIRED
    )
    assert (
        _code(
            lambda: services.routing_rule_set(
                actor=None, area=world.t.areas["xh_g1"], unit=world.hp_department
            )
        )
        == Code.RULE_UNIT_AREA
    )
    assert (
        _code(lambda: services.open311_key_revoke(actor=None, name="无此密钥")) == Code.KEY_UNKNOWN
    )


def test_recorded_history_keeps_the_step_code_and_names_the_case(world):
    now = timezone.now()
    intake = services.Intake(
        channel="hotline",
        category=world.category("sanitation"),
        area=world.t.areas["xh_g1"],
        description="楼下垃圾三天没人清运",
    )
    late = services.CaseRecord(
        intake=intake,
        received_at=now - datetime.timedelta(days=2),
        steps=[services.CaseStep(action="accept", at=now - datetime.timedelta(days=1))],
    )
    with pytest.raises(ApplicationError) as error:
        services.appeal_bulk_create(actor=None, cases=[late])
    assert error.value.code == Code.ILLEGAL_TRANSITION and "第 1 件" in str(error.value.message)
    unknown = services.CaseRecord(
        intake=intake,
        received_at=now - datetime.timedelta(days=2),
        steps=[services.CaseStep(action="fly", at=now - datetime.timedelta(days=1))],
    )
    assert (
        _code(lambda: services.appeal_bulk_create(actor=None, cases=[unknown]))
        == Code.RECORD_ACTION
    )
    future = services.CaseRecord(intake=intake, received_at=now + datetime.timedelta(days=1))
    assert (
        _code(lambda: services.appeal_bulk_create(actor=None, cases=[future])) == Code.RECORD_TIME
    )


def test_the_api_returns_the_code_in_its_error_shape(client, world):
    case = world.intake()
    client.force_login(world.t.users["xh_c1_secretary"])
    refused = _post(client, f"/api/appeals/{case.pk}/reply", {"reply": "已处理"})
    assert refused.status_code == 409
    assert refused.json()["code"] == Code.ILLEGAL_TRANSITION and refused.json()["field"] == "state"
    _post(client, f"/api/appeals/{case.pk}/accept", {})
    empty = _post(client, f"/api/appeals/{case.pk}/reply", {"reply": " "})
    assert empty.status_code == 400
    assert empty.json() == {
        "code": Code.REPLY_REQUIRED,
        "message": str(services.MSG_REPLY),
        "field": "reply",
    }
    returned = _post(client, f"/api/appeals/{case.pk}/return", {"reason": ""})
    assert returned.json()["code"] == Code.REASON_REQUIRED
    client.force_login(world.t.users["xh_admin"])
    area = world.t.areas["xh"].pk
    month = client.get("/api/appeals/rates", {"area": area, "month": "2026-13"})
    assert month.status_code == 400
    assert month.json()["code"] == Code.MONTH_INVALID and month.json()["field"] == "month"
    street = world.t.areas["xh_s1"].pk
    body = {"category": "sanitation", "area": street, "description": "垃圾"}
    wrong_place = _post(client, "/api/appeals", body)
    assert wrong_place.json()["code"] == Code.AREA_LEVEL and wrong_place.json()["field"] == "area"
