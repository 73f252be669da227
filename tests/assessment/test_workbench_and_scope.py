"""Workbench to-dos and the dashboard indicator; scope before and after publication (a
community's secretary sees its own assessment and lists, never another's scores, until
the district publishes)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from jiceng.assessment import selectors, services
from jiceng.assessment.models import Assessment
from jiceng.core.scope import scope_for
from jiceng.dashboard.registry import indicators_for
from jiceng.dashboard.workbench import workbench_items
from tests.assessment.test_schemes import _review


def _sources(user) -> set[str]:
    return {t.source for t in workbench_items(viewer=user)}


def test_secretary_is_asked_for_the_report_and_the_street_for_closures(territory, opened):
    secretary, street = territory.users["xh_c1_secretary"], territory.users["xh_s1_staff"]
    assert "assessment_reports" in _sources(secretary)
    # The street writes its own committee's report, not the community's.
    street_reports = selectors.reports_to_write(viewer=street)
    assert {r.assessment.org_id for r in street_reports} == {territory.orgs["xh_s1_wc"].pk}
    problem = services.problem_raise(
        actor=street, org=territory.orgs["xh_c1_gb"], source="review", text="问题", year=2026
    )
    today = timezone.localdate()
    item = services.rectification_create(
        actor=street, problem=problem, owner="张", measures="措施", deadline=today
    )
    assert "assessment_rectifications" in _sources(secretary)
    assert "assessment_rectifications" not in _sources(street)
    from tests.assessment.test_rectification import photo

    services.rectification_attach(actor=secretary, item=item, upload=photo())
    services.rectification_submit(actor=secretary, item=item, note="完成")
    assert "assessment_closures" in _sources(street)
    assert "assessment_closures" not in _sources(secretary)


def test_overdue_items_escalate_to_the_level_above(territory):
    street = territory.users["xh_s1_staff"]
    problem = services.problem_raise(
        actor=street, org=territory.orgs["xh_c1_gb"], source="other", text="问题", year=2026
    )
    services.rectification_create(
        actor=street,
        problem=problem,
        owner="张",
        measures="措施",
        deadline=timezone.localdate() - datetime.timedelta(days=2),
    )
    call_command("assessment_overdue", stdout=io.StringIO())
    assert "assessment_escalated" in _sources(street)
    assert "assessment_escalated" not in _sources(territory.users["xh_c1_secretary"])
    indicator = next(
        i for i in indicators_for(scope_for(street)) if i.key == "assessment_rectifications_overdue"
    )
    assert indicator.total(street, territory.areas["xh_s1"]) == 1
    from jiceng.dashboard.registry import child_code_length

    s1 = territory.areas["xh_s1"]
    by_child = indicator.by_child(street, s1, child_code_length(s1))
    assert by_child == {territory.areas["xh_c1"].path[len(s1.path) :][: child_code_length(s1)]: 1}


@pytest.fixture
def reviewed(territory, opened):
    for key in ("xh_s1_wc", "xh_c1_gb", "xh_joint", "xh_unit_org"):
        _review(territory, Assessment.objects.get(scheme=opened, org=territory.orgs[key]), ["good"])
    return opened


def test_before_publication_a_secretary_sees_only_its_own(territory, reviewed, client):
    own = Assessment.objects.get(scheme=reviewed, org=territory.orgs["xh_c1_gb"])
    street = Assessment.objects.get(scheme=reviewed, org=territory.orgs["xh_s1_wc"])
    territory.client_for(client, "xh_c3_secretary")
    assert client.get(reverse("assessment:assessment", args=[own.pk])).status_code == 404
    assert client.get(f"/api/assessment/assessments/{own.pk}").status_code == 404
    page = client.get(reverse("assessment:ranking", args=[reviewed.pk]))
    assert page.status_code == 200 and own.org.name not in page.content.decode()
    assert client.get(f"/api/assessment/schemes/{reviewed.pk}/ranking").json() == []
    territory.client_for(client, "xh_c1_secretary")
    rows = client.get(f"/api/assessment/schemes/{reviewed.pk}/ranking").json()
    assert territory.orgs["xh_s1_wc"].pk not in {r["org_id"] for r in rows}
    assert client.get(reverse("assessment:assessment", args=[street.pk])).status_code == 404
    # The district sees the whole ranking before publication.
    territory.client_for(client, "xh_admin")
    assert len(client.get(f"/api/assessment/schemes/{reviewed.pk}/ranking").json()) == 4
    # The other district sees nothing of it.
    territory.client_for(client, "hp_admin")
    assert client.get(f"/api/assessment/schemes/{reviewed.pk}/ranking").status_code == 404


def test_after_publication_every_assessed_org_sees_the_ranking(territory, reviewed, client):
    services.scheme_publish(actor=territory.users["xh_admin"], scheme=reviewed)
    territory.client_for(client, "xh_c3_secretary")
    rows = client.get(f"/api/assessment/schemes/{reviewed.pk}/ranking").json()
    assert len(rows) == 4 and all(r["rank"] for r in rows)
    page = client.get(reverse("assessment:ranking", args=[reviewed.pk]))
    assert territory.orgs["xh_c1_gb"].name in page.content.decode()
    # Another district's staff still sees nothing.
    territory.client_for(client, "hp_s1_staff")
    assert client.get(f"/api/assessment/schemes/{reviewed.pk}/ranking").status_code == 404
