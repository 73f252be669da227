"""The duties API and pages: every write through the same service with the same
refusals and error shape, out of scope 404 and not allowed 403, pages that open for
each role at phone width, forms that refuse hostile input naming the field, and list
pages and endpoints with bounded queries."""

import datetime

import pytest
from django.utils import timezone

from jiceng.duties.models import Duty, FieldOfficeAssessment, OutsideListReport, PowerRequest


def _duty_payload(w, **over) -> dict:
    payload = {
        "department": w.department.pk,
        "title": "门责制度落实检查",
        "description": "对沿街商户门前责任区落实情况开展日常检查。",
        "legal_basis": "《上海市市容环境卫生管理条例》",
        "expected_volume": "每街道每年约 120 次",
        "staff_count": 2,
        "funds_yuan": "80000.50",
        "streets": [w.t.areas["xh_s1"].pk],
        "submit": True,
    }
    payload.update(over)
    return payload


def test_apply_and_review_through_the_api(duty_world, client):
    w = duty_world
    client.force_login(w.user("xh_chengguan"))
    answer = client.post("/api/duties/duties", _duty_payload(w), content_type="application/json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["state"] == "submitted" and body["funds_yuan"] in ("80000.50", 80000.5)
    assert [t["street_name"] for t in body["targets"]] == ["湖南路街道"]
    duty_id = body["id"]
    # The department may not admit: visible, so 403 in the one error shape.
    refused = client.post(
        f"/api/duties/duties/{duty_id}/admit", {}, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    client.force_login(w.user("xh_admin"))
    refused = client.post(
        f"/api/duties/duties/{duty_id}/refuse", {"reason": ""}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "duties_reason_required",
        "message": "理由：不予准入、撤销准入或不同意时必须填写理由",
        "field": "reason",
    }
    admitted = client.post(
        f"/api/duties/duties/{duty_id}/admit", {}, content_type="application/json"
    )
    assert admitted.status_code == 200 and admitted.json()["state"] == "admitted"
    again = client.post(f"/api/duties/duties/{duty_id}/admit", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "duties_illegal_transition"
    client.force_login(w.user("xh_s1_staff"))
    lines = client.get("/api/duties/street-list").json()["items"]
    assert [(x["title"], x["staff_count"]) for x in lines] == [("门责制度落实检查", 2)]
    # Another district sees none of it; a street does not see applications themselves.
    client.force_login(w.user("hp_admin"))
    assert client.get(f"/api/duties/duties/{duty_id}").status_code == 404
    client.force_login(w.user("xh_s1_staff"))
    assert client.get(f"/api/duties/duties/{duty_id}").status_code == 404


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("title", "事" * 101, "duties_text_too_long"),
        ("title", "a\x00b", "duties_text_control_characters"),
        ("legal_basis", "依" * 1001, "duties_text_too_long"),
        ("expected_volume", "\x00", "duties_text_control_characters"),
        ("staff_count", -3, "duties_bad_number"),
        ("funds_yuan", "12345678901234", "duties_bad_number"),
        ("streets", ["x"], "duties_bad_number"),
    ],
)
def test_hostile_input_in_the_api(duty_world, client, field, value, code):
    w = duty_world
    client.force_login(w.user("xh_chengguan"))
    answer = client.post(
        "/api/duties/duties", _duty_payload(w, **{field: value}), content_type="application/json"
    )
    assert answer.status_code in (400, 422), answer.content
    body = answer.json()
    assert body["code"] == code and body["field"].startswith(field)
    assert not Duty.objects.exists()


def test_requests_reports_and_assessments_through_the_api(duty_world, client):
    w = duty_world
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    client.force_login(w.user("xh_chengguan"))
    made = client.post(
        "/api/duties/requests",
        {
            "kind": "consent",
            "street": w.t.areas["xh_s1"].pk,
            "department": w.department.pk,
            "subject": "中队长任命",
            "body": "征求意见",
            "due_on": due,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    request_id = made.json()["id"]
    client.force_login(w.user("xh_s1_staff"))
    answered = client.post(
        f"/api/duties/requests/{request_id}/answer",
        {"answer": "agree", "reason": "同意"},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    report = client.post(
        "/api/duties/outside-list",
        {
            "street": w.t.areas["xh_s1"].pk,
            "department": w.other_department.pk,
            "description": "代收群租台账",
            "task_reference": "徐房〔2026〕12号",
        },
        content_type="application/json",
    )
    assert report.status_code == 201, report.content
    assessed = client.post(
        "/api/duties/assessments",
        {
            "street": w.t.areas["xh_s1"].pk,
            "department": w.department.pk,
            "office_name": "湖南路执法中队",
            "head_name": "张伟",
            "year": timezone.localdate().year,
            "grade": "fairly_good",
        },
        content_type="application/json",
    )
    assert assessed.status_code == 201, assessed.content
    assert assessed.json()["grade_label"] == "较好"
    client.force_login(w.user("xh_admin"))
    assert len(client.get("/api/duties/outside-list").json()["items"]) == 1
    assert len(client.get("/api/duties/assessments").json()["items"]) == 1
    assert len(client.get("/api/duties/requests").json()["items"]) == 1
    client.force_login(w.user("xh_member"))
    assert client.get("/api/duties/requests").status_code == 404


def _fill(w, count: int = 6) -> None:
    for n in range(count):
        duty = w.apply(title=f"下沉事项{n}", streets=[w.t.areas["xh_s1"], w.t.areas["xh_s2"]])
        if n % 2:
            from jiceng.duties import services

            services.duty_act(actor=w.user("xh_admin"), duty=duty, action="admit")
        w.consent(subject=f"征求意见{n}")


@pytest.mark.parametrize("username", ["xh_admin", "xh_s1_staff", "xh_chengguan", "city_admin"])
def test_pages_open_for_each_role_with_bounded_queries(
    duty_world, client, username, django_assert_max_num_queries
):
    w = duty_world
    _fill(w)
    client.force_login(w.user(username))
    for url in (
        "/duties/",
        "/duties/new/",
        "/duties/streets/",
        "/duties/outside/",
        "/duties/assessments/",
        "/duties/requests/",
        "/duties/requests/?overdue=1",
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200, url
    for url in ("/api/duties/duties", "/api/duties/street-list", "/api/duties/requests"):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200, url


def test_the_page_flow_of_an_application(duty_world, client):
    w = duty_world
    client.force_login(w.user("xh_chengguan"))
    form = _duty_payload(w)
    form["streets"] = [w.t.areas["xh_s1"].pk, w.t.areas["xh_s2"].pk]
    answer = client.post("/duties/new/", form)
    assert answer.status_code == 302
    duty = Duty.objects.get()
    assert duty.state == "submitted" and duty.targets.count() == 2
    client.force_login(w.user("xh_admin"))
    page = client.get(f"/duties/{duty.pk}/").content.decode()
    assert "不予准入" in page and "准入" in page
    back = f"/duties/{duty.pk}/"
    answer = client.post(f"/duties/act/duties/{duty.pk}/refuse/", {"reason": "", "next": back})
    assert answer.status_code == 302
    assert "必须填写理由" in client.get(back).content.decode()
    client.post(f"/duties/act/duties/{duty.pk}/refuse/", {"reason": "经费未落实", "next": back})
    duty.refresh_from_db()
    assert duty.state == "refused" and duty.reason == "经费未落实"


@pytest.mark.parametrize(
    "url, user, data, model",
    [
        ("/duties/new/", "xh_chengguan", {"title": "a\x00b"}, Duty),
        ("/duties/new/", "xh_chengguan", {"legal_basis": "依" * 1001}, Duty),
        ("/duties/outside/", "xh_s1_staff", {"description": "\x00"}, OutsideListReport),
        ("/duties/assessments/", "xh_s1_staff", {"head_name": "张" * 51}, FieldOfficeAssessment),
        ("/duties/requests/", "xh_s1_staff", {"subject": "议" * 101}, PowerRequest),
    ],
)
def test_page_forms_refuse_hostile_input_naming_the_field(
    duty_world, client, url, user, data, model
):
    w = duty_world
    base = {
        "street": w.t.areas["xh_s1"].pk,
        "department": w.department.pk,
        "office_name": "中队",
        "head_name": "张伟",
        "year": timezone.localdate().year,
        "grade": "good",
        "description": "说明",
        "kind": "planning",
        "subject": "建议",
        "body": "内容",
        "due_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        **{k: v for k, v in _duty_payload(w).items() if k not in ("streets",)},
        "streets": [w.t.areas["xh_s1"].pk],
    }
    base.update(data)
    client.force_login(w.user(user))
    answer = client.post(url, base)
    assert answer.status_code == 200
    page = answer.content.decode()
    label = {"title": "事项名称", "legal_basis": "法律依据", "description": "情况说明",
             "head_name": "负责人", "subject": "事由"}[next(iter(data))]  # fmt: skip
    assert f"{label}：" in page
    assert "控制字符" in page or "最多" in page
    assert not model.objects.exists()


def test_the_workbench_and_the_indicators(duty_world, client):
    from jiceng.dashboard.registry import indicators_for
    from jiceng.dashboard.workbench import workbench_items

    w = duty_world
    w.apply()
    w.consent(due_on=timezone.localdate())
    overdue = w.consent(subject="逾期未答复")
    PowerRequest.objects.filter(pk=overdue.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    sources = lambda user: {t.source for t in workbench_items(viewer=w.user(user))}  # noqa: E731
    assert "duties_review" in sources("xh_admin")
    assert "duties_answer" in sources("xh_s1_staff")
    assert "duties_overdue" in sources("xh_chengguan")
    assert not {"duties_review", "duties_answer"} & sources("xh_chengguan")
    admin = w.user("xh_admin")
    from jiceng.core.scope import scope_for

    figures = {i.key: i for i in indicators_for(scope_for(admin))}
    assert figures["duties_pending_review"].total(admin, w.t.areas["xh"]) == 1
    assert figures["duties_requests_overdue"].total(admin, w.t.areas["xh"]) == 1
    assert figures["duties_pending_review"].total(admin, w.t.areas["xh_s1"]) == 1
    assert figures["duties_pending_review"].total(admin, w.t.areas["xh_s2"]) == 0
    client.force_login(admin)
    assert client.get("/").status_code == 200
