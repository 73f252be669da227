"""The pages and the API over one year: the district's scheme editor and actions, the
secretary's report, a reviewer's grade, problems and rectification — each write through
the page and its API twin, refusals in the one error shape, bounded queries."""

import datetime

import pytest
from django.urls import reverse

from jiceng.assessment import services
from jiceng.assessment.models import Assessment, Problem, Rectification, Report, Scheme
from tests.assessment.test_rectification import photo


@pytest.fixture
def year(territory, opened):
    community = Assessment.objects.get(scheme=opened, org=territory.orgs["xh_c1_gb"])
    return opened, community


def test_the_scheme_editor_makes_a_scheme_and_a_new_version(territory, known_outcomes, client):
    territory.client_for(client, "xh_admin")
    assert client.get(reverse("assessment:scheme_new")).status_code == 200
    data = {
        "district": territory.areas["xh"].pk,
        "year": "2026",
        "name": "考核方案",
        "groups": ["community", "street"],
        "review_weight": "30",
        "outcome_key_0": "test.rate",
        "weight_0": "60",
        "rule_0": "linear",
        "floor_0": "0.5",
        "target_0": "1",
        "outcome_key_1": "test.count",
        "weight_1": "40",
        "rule_1": "thresholds",
        "thresholds_1": "2:0.5；4:1",
    }
    answer = client.post(reverse("assessment:scheme_new"), data)
    scheme = Scheme.objects.get()
    assert answer.status_code == 302 and scheme.items.count() == 2
    assert scheme.items.get(outcome_key="test.count").thresholds == [[2.0, 0.5], [4.0, 1.0]]
    data["weight_1"] = "30"
    answer = client.post(reverse("assessment:scheme_edit", args=[scheme.pk]), data)
    assert "权重之和应为 100" in answer.content.decode()
    data["weight_1"] = "40"
    data["floor_0"] = "x" * 21
    answer = client.post(reverse("assessment:scheme_edit", args=[scheme.pk]), data)
    assert "下限" in answer.content.decode() and Scheme.objects.count() == 1
    data["floor_0"] = "0.6"
    client.post(reverse("assessment:scheme_edit", args=[scheme.pk]), data)
    assert Scheme.objects.filter(version=2, state="draft").exists()


def test_scheme_pages_and_the_frozen_refusal_in_the_api(territory, opened, client):
    territory.client_for(client, "xh_admin")
    page = client.get(reverse("assessment:scheme", args=[opened.pk]))
    assert page.status_code == 200 and "按最新数据计分" in page.content.decode()
    body = {
        "name": "改",
        "groups": ["street"],
        "review_weight": 10,
        "items": [
            {"outcome_key": "test.rate", "weight": 100, "rule": "linear", "floor": 0, "target": 1}
        ],
    }
    answer = client.post(
        f"/api/assessment/schemes/{opened.pk}/update", body, content_type="application/json"
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "assessment_scheme_frozen"
    assert (
        client.post(
            f"/api/assessment/schemes/{opened.pk}/score", {}, content_type="application/json"
        ).status_code
        == 200
    )
    assert Assessment.objects.filter(scheme=opened, figures__isnull=False).count() == 4


def test_secretary_drafts_edits_and_submits_the_report(territory, year, client):
    _scheme, community = year
    report = community.report
    territory.client_for(client, "xh_c1_secretary")
    assert client.get(reverse("assessment:assessment", args=[community.pk])).status_code == 200
    client.post(reverse("assessment:act", args=["reports", report.pk, "draft"]))
    report.refresh_from_db()
    assert "测试比率" in report.text and "70.0%" in report.text
    assert "未完成 2 项" in report.text
    answer = client.post(
        f"/api/assessment/reports/{report.pk}/edit",
        {"text": report.text + "\n补充", "version": report.version},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    stale = client.post(
        f"/api/assessment/reports/{report.pk}/edit",
        {"text": "x", "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409
    nul = client.post(
        f"/api/assessment/reports/{report.pk}/edit",
        {"text": "a\x00b"},
        content_type="application/json",
    )
    assert nul.status_code == 422 and nul.json()["field"] == "text"
    assert (
        client.post(
            f"/api/assessment/reports/{report.pk}/submit", {}, content_type="application/json"
        ).status_code
        == 200
    )
    again = client.post(
        f"/api/assessment/reports/{report.pk}/submit", {}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "assessment_illegal_transition"
    # The secretary may not name reviewers nor conclude: the upper level does.
    assert (
        client.post(
            f"/api/assessment/reports/{report.pk}/conclude", {}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.get(reverse("assessment:report", args=[report.pk])).status_code == 200


def test_a_reviewer_reviews_through_the_page(territory, year, client):
    from jiceng.accounts.services import role_grant, user_create

    _scheme, community = year
    report = community.report
    services.report_draft(actor=None, report=report)
    services.report_submit(actor=None, report=report)
    reviewer = user_create(
        actor=None,
        username="rep1",
        password="Test-Passw0rd!",
        full_name="代表",
        check_password=False,
    )
    role_grant(actor=None, user=reviewer, role="member", org=territory.orgs["xh_c1_b1"])
    territory.client_for(client, "xh_s1_staff")
    # The page offers the accounts of the level above and of the org's own line.
    page = client.get(reverse("assessment:report", args=[report.pk])).content.decode()
    assert f'<option value="{reviewer.pk}">代表（党员）</option>' in page
    answer = client.post(
        f"/api/assessment/reports/{report.pk}/add_reviewer",
        {"account": reviewer.pk, "capacity": "representative"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    row = report.reviewers.get()
    client.force_login(reviewer)
    page = client.get(reverse("assessment:review", args=[row.pk]))
    assert page.status_code == 200 and "评议" in page.content.decode()
    client.post(
        reverse("assessment:act", args=["reviews", row.pk, "give"]),
        {"grade": "good", "comment": "工作扎实"},
    )
    row.refresh_from_db()
    assert row.grade == "good"
    # Another member may not see it.
    territory.client_for(client, "xh_member")
    assert client.get(reverse("assessment:review", args=[row.pk])).status_code == 404
    territory.client_for(client, "xh_s1_staff")
    answer = client.post(
        f"/api/assessment/reports/{report.pk}/conclude",
        {"problems": ["制度执行不严"]},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert Report.objects.get(pk=report.pk).state == "reviewed"
    assert Problem.objects.get().source == "review"


def test_problem_and_rectification_through_the_api(territory, year, client):
    territory.client_for(client, "xh_s1_staff")
    answer = client.post(
        "/api/assessment/problems",
        {
            "org": territory.orgs["xh_c1_gb"].pk,
            "source": "inspection",
            "text": "台账不全",
            "year": 2026,
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    problem = Problem.objects.get()
    answer = client.post(
        f"/api/assessment/problems/{problem.pk}/rectify",
        {"owner": "王书记", "measures": "补齐台账", "deadline": "2026-05-31"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    item = Rectification.objects.get()
    territory.client_for(client, "xh_c1_secretary")
    answer = client.post(
        f"/api/assessment/rectifications/{item.pk}/attach",
        {"caption": "台账照片", "file": photo()},
    )
    assert answer.status_code == 200, answer.content
    assert client.get(reverse("assessment:rectification", args=[item.pk])).status_code == 200
    evidence = item.evidence.get()
    shown = client.get(reverse("assessment:evidence", args=[evidence.pk]))
    assert shown.status_code == 200 and shown["X-Content-Type-Options"] == "nosniff"
    client.post(
        reverse("assessment:act", args=["rectifications", item.pk, "submit"]), {"note": "已补齐"}
    )
    assert (
        client.post(
            f"/api/assessment/rectifications/{item.pk}/confirm", {}, content_type="application/json"
        ).status_code
        == 403
    )
    territory.client_for(client, "xh_s1_staff")
    assert (
        client.post(
            f"/api/assessment/rectifications/{item.pk}/confirm", {}, content_type="application/json"
        ).status_code
        == 200
    )
    assert Rectification.objects.get().state == "closed"
    # The other district sees none of it.
    territory.client_for(client, "hp_admin")
    assert client.get(reverse("assessment:rectification", args=[item.pk])).status_code == 404
    assert (
        client.post(
            f"/api/assessment/rectifications/{item.pk}/return",
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )


@pytest.mark.parametrize("name", ["tasks", "problems", "rectifications"])
def test_exports_are_audited(territory, year, client, name):
    from jiceng.core.models import AuditEntry

    territory.client_for(client, "xh_s1_staff")
    answer = client.get(reverse("assessment:export", args=[name]) + "?year=2026")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(action="export", changes__export=f"assessment.{name}").exists()


def test_the_assessment_table_export(territory, year, client):
    scheme, _community = year
    territory.client_for(client, "xh_admin")
    answer = client.get(reverse("assessment:export", args=["assessments"]) + f"?scheme={scheme.pk}")
    assert answer.status_code == 200


def test_list_pages_answer_in_bounded_queries(
    territory, year, client, django_assert_max_num_queries
):
    scheme, _community = year
    for i in range(5):
        problem = services.problem_raise(
            actor=None, org=territory.orgs["xh_c1_gb"], source="other", text=f"问题{i}", year=2026
        )
        services.rectification_create(
            actor=None,
            problem=problem,
            owner="张",
            measures="措施",
            deadline=datetime.date(2026, 3, 1),
        )
    territory.client_for(client, "xh_admin")
    for url in (
        reverse("assessment:home") + "?year=2026",
        reverse("assessment:problems") + "?year=2026",
        reverse("assessment:rectifications"),
        reverse("assessment:ranking", args=[scheme.pk]),
        "/api/assessment/rectifications",
        "/api/assessment/problems",
        "/api/assessment/assessments",
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200, url
