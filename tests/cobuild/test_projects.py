"""A project's life: each step an event and an audit entry, each wrong step refused."""

import pytest

from jiceng.cobuild import selectors, services
from jiceng.cobuild.models import Need, Project, ProjectEvent
from jiceng.cobuild.states import TRANSITIONS, allowed_actions
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry

ACTIONS = {
    "claim": lambda actor, project: services.project_claim(actor=actor, project=project),
    "start": lambda actor, project: services.project_start(actor=actor, project=project),
    "complete": lambda actor, project: services.project_complete(actor=actor, project=project),
    "evaluate": lambda actor, project: services.project_evaluate(
        actor=actor, project=project, score=5, comment="老人很满意"
    ),
}
# The action that leads out of each state along the normal path.
PATH = ["claim", "start", "complete", "evaluate"]


@pytest.fixture
def project(world):
    need = world.need()
    resource = world.resource(capacity=2)
    return services.project_create(
        actor=world.t.users["xh_c1_secretary"],
        need=need,
        resources=[resource],
        title="复兴西路助餐点",
        owner=world.t.users["xh_c1_secretary"],
        budget="3000.50",
    )


def test_full_life_with_events_and_audit(world, project):
    t = world.t
    assert project.state == Project.State.PROPOSED
    assert allowed_actions(project) == ["claim"]
    # The providing org claims, starts and completes; the community records the rating.
    services.project_claim(actor=t.users["xh_unit_secretary"], project=project)
    services.project_start(actor=t.users["xh_unit_secretary"], project=project)
    services.project_complete(actor=t.users["xh_unit_secretary"], project=project)
    assert project.completed_at is not None
    services.project_evaluate(
        actor=t.users["xh_c1_secretary"], project=project, score=4, comment="送餐准时"
    )
    project.refresh_from_db()
    assert project.state == Project.State.EVALUATED
    assert (project.score, project.evaluation) == (4, "送餐准时")
    events = list(ProjectEvent.objects.filter(project=project))
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("propose", "", "proposed"),
        ("claim", "proposed", "claimed"),
        ("start", "claimed", "in_progress"),
        ("complete", "in_progress", "completed"),
        ("evaluate", "completed", "evaluated"),
    ]
    assert events[1].actor == t.users["xh_unit_secretary"]
    assert (
        AuditEntry.objects.filter(target_type="cobuild.project", target_id=str(project.pk)).count()
        == 5
    )
    project.need.refresh_from_db()
    assert project.need.status == Need.Status.CLOSED
    assert [
        e.action for e in selectors.project_events(viewer=t.users["xh_s1_staff"], project=project)
    ] == [e.action for e in events]


@pytest.mark.parametrize("position", range(len(PATH) + 1))
def test_every_illegal_transition_is_refused_with_a_clear_message(world, project, position):
    """Walk the project to each state, then try every action that does not leave it."""
    for action in PATH[:position]:
        ACTIONS[action](None, project)
    state = project.state
    for action in set(ACTIONS) - {PATH[position] if position < len(PATH) else None}:
        events = ProjectEvent.objects.count()
        with pytest.raises(Conflict) as error:
            ACTIONS[action](None, project)
        assert error.value.code == "illegal_transition"
        assert error.value.field == "state"
        label, action_label = Project.State(state).label, TRANSITIONS[action].label
        assert str(error.value.message) == f"项目当前状态为“{label}”，不能{action_label}"
        project.refresh_from_db()
        assert project.state == state and ProjectEvent.objects.count() == events


def test_transition_checks_the_stored_state_not_a_stale_object(world, project):
    stale = Project.objects.get(pk=project.pk)
    services.project_claim(actor=None, project=project)
    with pytest.raises(Conflict):
        services.project_claim(actor=None, project=stale)


@pytest.mark.parametrize("score", [0, 6, "很好", None, 4.5])
def test_bad_score_names_the_field(world, project, score):
    for action in PATH[:3]:
        ACTIONS[action](None, project)
    with pytest.raises(ValidationFailed) as error:
        services.project_evaluate(actor=None, project=project, score=score)
    assert error.value.field == "score"
    project.refresh_from_db()
    assert project.state == Project.State.COMPLETED


def test_who_may_do_what(world, project):
    t = world.t
    # Outsiders do not even see it.
    for key in ("hp_s1_staff", "xh_c3_secretary", "nobody"):
        with pytest.raises(NotFound):
            services.project_claim(actor=t.users[key], project=project)
    # The providing org carries it out but does not rate it or change its plan.
    services.project_claim(actor=t.users["xh_unit_secretary"], project=project)
    with pytest.raises(PermissionDenied):
        services.project_update_plan(actor=t.users["xh_unit_secretary"], project=project, plan="x")
    assert list(selectors.project_list(viewer=t.users["xh_unit_secretary"])) == [project]
    assert not selectors.project_list(viewer=t.users["hp_s1_staff"]).exists()


def test_plan_budget_and_resources_while_running(world, project):
    t = world.t
    staff = t.users["xh_s1_staff"]
    services.project_update_plan(actor=staff, project=project, plan="每周一三五送餐", budget="4000")
    project.refresh_from_db()
    assert project.plan == "每周一三五送餐" and str(project.budget) == "4000.00"
    entry = AuditEntry.objects.filter(target_type="cobuild.project", action="update").latest("id")
    assert entry.changes["budget"] == {"old": "3000.50", "new": "4000.00"}
    with pytest.raises(ValidationFailed) as error:
        services.project_update_plan(actor=staff, project=project, budget="-1")
    assert error.value.field == "budget"
    (first,) = project.resources.all()
    second = world.resource(title="社区医院上门巡诊", area="xh_c2")
    services.project_add_resource(actor=staff, project=project, resource=second)
    assert set(project.resources.all()) == {first, second}
    assert [e.action for e in project.events.all()][-1] == "add_resource"
    with pytest.raises(Conflict):
        services.project_add_resource(actor=staff, project=project, resource=second)
    legal = world.resource(title="法律", category="legal")
    with pytest.raises(ValidationFailed):
        services.project_add_resource(actor=staff, project=project, resource=legal)
    for action in PATH[:3]:
        ACTIONS[action](None, project)
    with pytest.raises(Conflict):
        services.project_update_plan(actor=staff, project=project, plan="晚了")


def test_completed_project_frees_capacity(world):
    resource = world.resource(capacity=1)
    first = services.project_create(actor=None, need=world.need(title="一"), resources=[resource])
    second_need = world.need(title="二")
    with pytest.raises(Conflict) as error:
        services.project_create(actor=None, need=second_need, resources=[resource])
    assert error.value.field == "resource"
    for action in PATH[:3]:
        ACTIONS[action](None, first)
    services.project_create(actor=None, need=second_need, resources=[resource])
    listed = selectors.resource_list(viewer=world.t.users["xh_s1_staff"])
    assert [r.used for r in listed] == [1]


def test_project_create_validates_everything_first(world):
    need = world.need()
    resource = world.resource()
    before = (Project.objects.count(), AuditEntry.objects.count())
    for kwargs, field in (
        ({"resources": []}, "resources"),
        ({"resources": [resource], "budget": "abc"}, "budget"),
        ({"resources": [resource], "title": "长" * 101}, "title"),
        ({"resources": [resource, resource]}, "resources"),
    ):
        with pytest.raises(ValidationFailed) as error:
            services.project_create(actor=None, need=need, **kwargs)
        assert error.value.field == field
    assert (Project.objects.count(), AuditEntry.objects.count()) == before
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN


def test_project_list_query_count(world, django_assert_num_queries):
    for i in range(4):
        resource = world.resource(title=f"资源{i}")
        services.project_create(actor=None, need=world.need(title=f"需求{i}"), resources=[resource])
    viewer = type(world.t.users["xh_s1_staff"]).objects.get(username="xh_s1_staff")
    with django_assert_num_queries(3):  # role assignments, projects, their resources
        rows = list(selectors.project_list(viewer=viewer))
        assert [(p.need.community.name, [r.title for r in p.resources.all()]) for p in rows]
