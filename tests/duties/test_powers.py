"""The street's five powers: consent asked by a department and answered by the street;
proposals and coordination answered by a department or the district; overdue answers;
the yearly assessment of field-office heads; tasks marked outside the list."""

import datetime

import pytest
from django.utils import timezone

from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.duties import selectors, services
from jiceng.duties.errors import DutyErrorCode
from jiceng.duties.models import FieldOfficeAssessment, OutsideListReport, PowerRequest


def test_consent_is_answered_by_the_street_with_a_reason(duty_world):
    w = duty_world
    request = w.consent()
    assert request.state == PowerRequest.State.OPEN and request.district == w.t.areas["xh"]
    with pytest.raises(PermissionDenied):
        services.power_request_answer(actor=w.user("xh_chengguan"), request=request, answer="agree")
    with pytest.raises(NotFound):
        services.power_request_answer(actor=w.user("hp_s1_staff"), request=request, answer="agree")
    street = w.user("xh_s1_staff")
    with pytest.raises(ValidationFailed) as refused:
        services.power_request_answer(actor=street, request=request, answer="agree")
    assert refused.value.code == DutyErrorCode.REASON_REQUIRED
    with pytest.raises(ValidationFailed) as refused:
        services.power_request_answer(actor=street, request=request, answer="partly", reason="x")
    assert refused.value.code == DutyErrorCode.ANSWER_NOT_FOR_KIND
    answered = services.power_request_answer(
        actor=street, request=request, answer="disagree", reason="该同志群众评价较差"
    )
    assert answered.state == PowerRequest.State.ANSWERED and answered.answered_by == street
    with pytest.raises(Conflict):
        services.power_request_answer(actor=street, request=request, answer="agree", reason="再议")
    assert (
        AuditEntry.objects.filter(
            target_type="duties.powerrequest", target_id=str(request.pk)
        ).count()
        == 2
    )


def test_only_the_department_asks_consent_and_withdraws_it(duty_world):
    w = duty_world
    with pytest.raises(NotFound):
        services.power_request_create(
            actor=w.user("xh_fangguan"),
            kind="consent",
            street=w.t.areas["xh_s1"],
            department=w.department,
            subject="任命",
            body="征求意见",
            due_on=timezone.localdate(),
        )
    request = w.consent()
    with pytest.raises(PermissionDenied):
        services.power_request_withdraw(actor=w.user("xh_s1_staff"), request=request)
    request = services.power_request_withdraw(actor=w.user("xh_chengguan"), request=request)
    assert request.state == PowerRequest.State.WITHDRAWN


def test_a_proposal_to_the_district_and_a_coordination_request(duty_world):
    w = duty_world
    street = w.user("xh_s1_staff")
    due = timezone.localdate() + datetime.timedelta(days=30)
    proposal = services.power_request_create(
        actor=street,
        kind="major_matter",
        street=w.t.areas["xh_s1"],
        department=None,
        subject="徐家汇路拓宽工程建议",
        body="建议工程分段施工，减少对沿线居民出行的影响。",
        due_on=due,
    )
    with pytest.raises(PermissionDenied):
        services.power_request_answer(actor=street, request=proposal, answer="agree")
    answered = services.power_request_answer(
        actor=w.user("xh_admin"), request=proposal, answer="partly", reason="分两段施工"
    )
    assert answered.answer == "partly"
    with pytest.raises(ValidationFailed) as refused:
        services.power_request_create(
            actor=street,
            kind="coordination",
            street=w.t.areas["xh_s1"],
            department=None,
            subject="统筹",
            body="协调",
            due_on=due,
        )
    assert refused.value.code == DutyErrorCode.DEPARTMENT_REQUIRED
    coordination = services.power_request_create(
        actor=street,
        kind="coordination",
        street=w.t.areas["xh_s1"],
        department=w.other_department,
        subject="老旧小区加装电梯统筹",
        body="请房管局派员参加街道统筹协调会。",
        due_on=due,
    )
    with pytest.raises(NotFound):  # not the department addressed: not in its sight
        services.power_request_answer(
            actor=w.user("xh_chengguan"), request=coordination, answer="agree"
        )
    services.power_request_answer(actor=w.user("xh_fangguan"), request=coordination, answer="agree")
    with pytest.raises(ValidationFailed) as refused:
        services.power_request_create(
            actor=street, kind="planning", street=w.t.areas["xh_s1"], department=None,
            subject="规划", body="意见", due_on=timezone.localdate() - datetime.timedelta(days=1),
        )  # fmt: skip
    assert refused.value.code == DutyErrorCode.DUE_IN_PAST


def test_overdue_answers_are_listed(duty_world):
    w = duty_world
    request = w.consent()
    PowerRequest.objects.filter(pk=request.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    for viewer in ("xh_s1_staff", "xh_chengguan", "xh_admin"):
        assert list(selectors.power_request_list(viewer=w.user(viewer), overdue=True)) == [
            request
        ], viewer
    assert list(selectors.power_request_list(viewer=w.user("xh_fangguan"))) == []
    assert list(selectors.power_request_list(viewer=w.user("xh_s2_staff"))) == []


def test_the_assessment_of_field_office_heads(duty_world):
    w = duty_world
    street = w.user("xh_s1_staff")
    year = timezone.localdate().year
    first = services.assessment_record(
        actor=street,
        street=w.t.areas["xh_s1"],
        department=w.department,
        office_name="湖南路执法中队",
        head_name="张 伟",
        year=year,
        grade="good",
        comment="响应吹哨及时",
    )
    assert first.head_name == "张伟"
    again = services.assessment_record(
        actor=street,
        street=w.t.areas["xh_s1"],
        department=w.department,
        office_name="湖南路执法中队",
        head_name="张伟",
        year=year,
        grade="average",
    )
    assert again.pk == first.pk and again.grade == "average"
    assert FieldOfficeAssessment.objects.count() == 1
    # What the responsibility system reads; the department sees its own heads.
    assert list(selectors.assessment_list(viewer=w.user("xh_admin"), year=year)) == [again]
    assert list(selectors.assessment_list(viewer=w.user("xh_chengguan"))) == [again]
    assert list(selectors.assessment_list(viewer=w.user("xh_fangguan"))) == []
    assert list(selectors.assessment_list(viewer=w.user("hp_admin"))) == []
    with pytest.raises(ValidationFailed) as refused:
        services.assessment_record(
            actor=street, street=w.t.areas["xh_s1"], department=w.department,
            office_name="中队", head_name="张伟", year=year, grade="excellent",
        )  # fmt: skip
    assert refused.value.code == DutyErrorCode.BAD_CHOICE
    with pytest.raises(ValidationFailed) as refused:
        services.assessment_record(
            actor=street, street=w.t.areas["xh_s1"], department=w.department,
            office_name="中队", head_name="张伟", year=1999, grade="good",
        )  # fmt: skip
    assert refused.value.code == DutyErrorCode.YEAR
    with pytest.raises(NotFound):  # another street is out of sight
        services.assessment_record(
            actor=w.user("xh_s1_staff"), street=w.t.areas["xh_s2"], department=w.department,
            office_name="中队", head_name="张伟", year=year, grade="good",
        )  # fmt: skip


def test_a_task_outside_the_list_is_seen_by_the_district(duty_world):
    w = duty_world
    report = services.outside_list_report(
        actor=w.user("xh_s1_staff"),
        street=w.t.areas["xh_s1"],
        department=w.other_department,
        description="房管局要求街道代为收集群租房台账，不在街道职责清单内。",
        task_reference="徐房〔2026〕12号",
    )
    assert report.reported_on == timezone.localdate()
    assert list(selectors.outside_list_reports(viewer=w.user("xh_admin"))) == [report]
    assert list(selectors.outside_list_reports(viewer=w.user("xh_fangguan"))) == [report]
    for viewer in ("xh_s2_staff", "xh_chengguan", "hp_admin", "xh_c1_secretary"):
        assert list(selectors.outside_list_reports(viewer=w.user(viewer))) == [], viewer
    with pytest.raises(ValidationFailed) as refused:
        services.outside_list_report(
            actor=w.user("xh_s1_staff"), street=w.t.areas["xh_s1"], department=w.hp_department,
            description="外区部门",
        )  # fmt: skip
    assert refused.value.code == DutyErrorCode.STREET_OUTSIDE
    with pytest.raises(ValidationFailed) as refused:
        services.outside_list_report(
            actor=w.user("xh_s1_staff"), street=w.t.areas["xh_s1"], department=w.department,
            description="说明\x00",
        )  # fmt: skip
    assert refused.value.field == "description"
    assert OutsideListReport.objects.count() == 1
