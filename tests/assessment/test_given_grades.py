"""The street's assessment of field-office heads (人事考核权, recorded by duties) in the
responsibility system, through assessment.given_grades: the district's yearly results
list each street's grades of the year, drillable to the record; a street committee
secretary's report draft lists the grades the street gave; who sees them is duties'
scope (a community secretary none, a department its own offices only)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.assessment import given_grades, services
from jiceng.assessment.models import Assessment
from jiceng.duties import services as duty_services
from jiceng.duties.models import FieldOfficeAssessment

SECTION = "街道对派出机构负责人的考核"


def _grade(w, street: str, actor: str, department, office: str, head: str, year: int, grade):
    return duty_services.assessment_record(
        actor=w.user(actor),
        street=w.t.areas[street],
        department=department,
        office_name=office,
        head_name=head,
        year=year,
        grade=grade,
        comment="响应吹哨及时" if grade == "good" else "",
    )


@pytest.fixture
def graded(duty_world, opened):
    w = duty_world
    _grade(w, "xh_s1", "xh_s1_staff", w.department, "湖南路执法中队", "张伟", 2026, "good")
    _grade(w, "xh_s2", "xh_s2_staff", w.other_department, "天平路房管办", "李强", 2026, "poor")
    # Another year's grade is not this year's.
    _grade(w, "xh_s1", "xh_s1_staff", w.department, "湖南路执法中队", "王芳", 2025, "average")
    return w


def test_the_district_sees_each_streets_grades_of_the_year_drillable(client, graded, opened):
    w = graded
    w.t.client_for(client, "xh_admin")
    page = client.get(reverse("assessment:ranking", args=[opened.pk])).content.decode()
    assert SECTION in page
    for shown in ("湖南路执法中队", "张伟", "天平路房管办", "李强", "徐汇区房屋管理局"):
        assert shown in page, shown
    assert "王芳" not in page
    record = FieldOfficeAssessment.objects.get(head_name="张伟")
    link = f"{reverse('duties:assessments')}?year=2026#assessment-{record.pk}"
    assert link in page
    # The link leads to the record.
    assert f'id="assessment-{record.pk}"' in client.get(link).content.decode()


def test_who_sees_the_grades_is_duties_scope(graded):
    w = graded
    area = w.t.areas["xh"]

    def seen(user) -> list[str]:
        (section,) = given_grades.sections(user, area, 2026)
        return sorted(row.person for row in section.rows)

    assert seen(w.user("xh_admin")) == ["张伟", "李强"]
    assert seen(w.user("xh_s1_staff")) == ["张伟"]  # a street sees its own grades
    assert seen(w.user("xh_chengguan")) == ["张伟"]  # a department its own offices'
    assert seen(w.user("xh_c1_secretary")) == []  # a community none
    assert seen(None) == ["张伟", "李强"]  # the system answers for the subject


def test_a_community_secretary_does_not_see_them_on_the_results(client, graded, opened):
    w = graded
    w.t.client_for(client, "xh_c1_secretary")
    response = client.get(reverse("assessment:ranking", args=[opened.pk]))
    assert response.status_code in (200, 404)
    assert "张伟" not in response.content.decode()
    assert SECTION not in response.content.decode()


def test_the_street_committee_report_draft_lists_the_grades_it_gave(graded, opened):
    w = graded
    street = Assessment.objects.get(scheme=opened, org=w.t.orgs["xh_s1_wc"])
    report = services.report_draft(actor=w.user("xh_s1_staff"), report=street.report)
    assert f"{SECTION}（1）" in report.text
    assert "湖南路执法中队（徐汇区城管执法局）张伟：好。响应吹哨及时" in report.text
    assert "李强" not in report.text  # another street's grade
    assert "王芳" not in report.text  # another year's
    # The section sits before the problems, for the secretary to edit.
    assert report.text.index(SECTION) < report.text.index("三、存在的问题和不足")


def test_a_community_report_has_no_such_section(graded, opened):
    w = graded
    community = Assessment.objects.get(scheme=opened, org=w.t.orgs["xh_c1_gb"])
    report = services.report_draft(actor=w.user("xh_c1_secretary"), report=community.report)
    assert SECTION not in report.text


def test_a_street_that_graded_nobody_says_so(duty_world, opened):
    w = duty_world
    street = Assessment.objects.get(scheme=opened, org=w.t.orgs["xh_s1_wc"])
    report = services.report_draft(actor=w.user("xh_s1_staff"), report=street.report)
    assert f"{SECTION}（0）\n- 本年度未记录" in report.text


def test_the_grades_cost_the_same_queries_however_many(graded):
    w = graded
    counts = []
    for n in (1, 6):
        for i in range(n):
            _grade(w, "xh_s1", "xh_s1_staff", w.department, f"执法中队{n}-{i}", "赵", 2026, "good")
        with CaptureQueriesContext(connection) as queries:
            given_grades.sections(w.user("xh_admin"), w.t.areas["xh"], 2026)
        counts.append(len(queries))
    assert counts[0] == counts[1]
