"""The project page's life-cycle steps: the providing org claims, starts and completes;
the community records the beneficiaries' evaluation and steers the plan."""

import pytest
from django.urls import reverse

from jiceng.cobuild import services
from jiceng.cobuild.models import Need, Project, ProjectEvent
from jiceng.core.models import AuditEntry


@pytest.fixture
def project(world) -> Project:
    need = world.need()
    resource = world.resource()
    return services.project_create(actor=None, need=need, resources=[resource])


def step(client, project, name, **data):
    return client.post(reverse("cobuild:project", args=[project.pk]), {"form": name, **data})


def test_provider_claims_starts_and_completes_and_community_evaluates(client, world, project):
    url = reverse("cobuild:project", args=[project.pk])
    client.force_login(world.t.users["xh_unit_secretary"])
    html = client.get(url).content.decode()
    assert 'value="claim"' in html and 'value="evaluate"' not in html
    for name, state in (
        ("claim", Project.State.CLAIMED),
        ("start", Project.State.IN_PROGRESS),
        ("complete", Project.State.COMPLETED),
    ):
        response = step(client, project, name, note=f"{name} 说明")
        assert response.status_code == 302 and response["Location"] == url
        project.refresh_from_db()
        assert project.state == state
    # The providing org does not evaluate; the community does.
    assert 'value="evaluate"' not in client.get(url).content.decode()
    client.force_login(world.t.users["xh_c1_secretary"])
    assert 'value="evaluate"' in client.get(url).content.decode()
    response = step(client, project, "evaluate", score="5", comment="老人们很满意")
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == Project.State.EVALUATED and project.score == 5
    assert project.need.status == Need.Status.CLOSED
    actions = list(ProjectEvent.objects.filter(project=project).values_list("action", flat=True))
    assert actions == ["propose", "claim", "start", "complete", "evaluate"]
    assert AuditEntry.objects.filter(target_type="cobuild.project", action="update").count() == 4
    html = client.get(url).content.decode()
    assert "认领" in html and "claim 说明" in html and "5 / 5" in html


def test_a_step_out_of_order_is_refused_with_the_state_named(client, world, project):
    client.force_login(world.t.users["xh_unit_secretary"])
    response = step(client, project, "complete")
    assert response.status_code == 200
    html = response.content.decode()
    assert "项目当前状态为“已立项”，不能完成" in html
    project.refresh_from_db()
    assert project.state == Project.State.PROPOSED
    assert ProjectEvent.objects.filter(project=project).count() == 1


def test_evaluation_refusals_name_the_field(client, world, project):
    for name in ("claim", "start", "complete"):
        getattr(services, f"project_{name}")(actor=None, project=project)
    client.force_login(world.t.users["xh_c1_secretary"])
    response = step(client, project, "evaluate", score="", comment="")
    assert "score" in response.context["evaluate_form"].errors
    assert "受益群众评分：" in response.content.decode()
    response = step(client, project, "evaluate", score="9")
    assert "score" in response.context["evaluate_form"].errors
    response = step(client, project, "evaluate", score="4", comment="长" * 501)
    assert "comment" in response.context["evaluate_form"].errors
    project.refresh_from_db()
    assert project.state == Project.State.COMPLETED and project.score is None


def test_community_updates_the_plan(client, world, project):
    client.force_login(world.t.users["xh_c1_secretary"])
    response = step(client, project, "plan", title="助餐", plan="每周一三五送餐", budget="1200")
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.plan == "每周一三五送餐" and project.budget == 1200
    refused = step(client, project, "plan", title="", plan="", budget="-1")
    errors = refused.context["plan_form"].errors
    assert "title" in errors and "budget" in errors


def test_unit_org_cannot_evaluate(client, world, project):
    for name in ("claim", "start", "complete"):
        getattr(services, f"project_{name}")(actor=None, project=project)
    client.force_login(world.t.users["xh_unit_secretary"])
    assert step(client, project, "evaluate", score="5").status_code == 403
    project.refresh_from_db()
    assert project.state == Project.State.COMPLETED


def test_project_out_of_scope_is_404(client, world, project):
    client.force_login(world.t.users["hp_s1_staff"])
    assert client.get(reverse("cobuild:project", args=[project.pk])).status_code == 404
    assert step(client, project, "claim").status_code == 404
    project.refresh_from_db()
    assert project.state == Project.State.PROPOSED


def test_unknown_step_is_404(client, world, project):
    client.force_login(world.t.users["xh_c1_secretary"])
    assert step(client, project, "explode").status_code == 404
