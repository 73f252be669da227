"""A street's matching run over the database, and staff's decisions on its proposals."""

import pytest

from jiceng.cobuild import selectors, services
from jiceng.cobuild.models import MatchProposal, MatchRun, Need, Project
from jiceng.core.errors import Conflict, NotFound, ValidationFailed
from jiceng.core.models import AuditEntry
from tests.cobuild.conftest import DAY


def run(world, actor="xh_s1_staff", area="xh_s1"):
    return services.match_run_create(
        actor=world.t.users[actor], area=world.t.areas[area], today=DAY
    )


def test_run_proposes_the_best_assignment_with_reasons(world):
    near = world.need(title="助餐A")
    other_community = world.need(community="xh_c2", title="助餐B")
    resource = world.resource(capacity=2, start=5, end=30)
    run_ = run(world)
    assert (run_.needs_considered, run_.resources_considered, run_.matched) == (2, 1, 2)
    assert run_.total_distance == 1  # xh_c1 at 0, xh_c2 in the same street at 1
    proposals = {
        p.need: p for p in selectors.proposal_list(viewer=world.t.users["xh_s1_staff"], run=run_)
    }
    assert set(proposals) == {near, other_community}
    assert proposals[near].resource == resource and proposals[near].distance == 0
    assert proposals[near].reason == (
        "类别相符：为老服务；同一社区；时间重叠 2026-12-06 至 2026-12-15；剩余容量 2"
    )
    assert "同一街道" in proposals[other_community].reason
    assert AuditEntry.objects.filter(target_type="cobuild.matchrun", action="create").count() == 1


def test_run_never_crosses_district_or_rules(world):
    world.need(title="需要法律咨询", category="legal")
    world.need(title="十二月底助餐", start=40, end=50)  # resource ends at day 30
    world.resource(start=0, end=30)
    world.resource(org="hp_c1_b", area="hp_c1", category="legal")  # another district
    run_ = run(world)
    assert run_.needs_considered == 2 and run_.matched == 0
    assert not run_.proposals.exists()


def test_run_with_nothing_to_match(world):
    empty = run(world)
    assert (empty.needs_considered, empty.resources_considered, empty.matched) == (0, 0, 0)
    world.need()
    no_resources = run(world)
    assert no_resources.needs_considered == 1 and no_resources.matched == 0


def test_run_leaves_out_past_windows_and_full_resources(world):
    world.need(start=-30, end=-1)  # ended before the run
    current = world.need(title="本月助餐")
    taken = world.resource(capacity=1)
    other = world.need(title="已立项的需求")
    services.project_create(actor=None, need=other, resources=[taken])
    run_ = run(world)
    assert run_.needs_considered == 1  # the ended one and the matched one are left out
    assert run_.resources_considered == 0 and run_.matched == 0
    assert current.status == Need.Status.OPEN


def test_only_managers_of_the_area_run_it(world):
    with pytest.raises(NotFound):
        run(world, actor="hp_s1_staff")
    with pytest.raises(NotFound):
        run(world, actor="xh_c1_secretary")  # a community does not see its street
    with pytest.raises(ValidationFailed) as error:
        run(world, area="xh_c1", actor="xh_c1_secretary")
    assert error.value.field == "area"
    district_run = run(world, actor="xh_admin", area="xh")
    assert district_run.area == world.t.areas["xh"]


def test_accept_makes_a_proposed_project_and_matches_the_need(world):
    t = world.t
    need = world.need()
    resource = world.resource(capacity=1)
    proposal = run(world).proposals.get()
    project = services.proposal_accept(
        actor=t.users["xh_c1_secretary"], proposal=proposal, plan="每周三次送餐", budget="1200"
    )
    assert project.state == Project.State.PROPOSED
    assert list(project.resources.all()) == [resource]
    assert project.owner == t.users["xh_c1_secretary"]
    assert project.provider_org == t.orgs["xh_unit_org"]
    assert str(project.budget) == "1200.00"
    proposal.refresh_from_db()
    need.refresh_from_db()
    assert proposal.state == MatchProposal.State.ACCEPTED and proposal.project == project
    assert proposal.decided_by == t.users["xh_c1_secretary"]
    assert need.status == Need.Status.MATCHED
    assert [e.action for e in project.events.all()] == ["propose"]
    with pytest.raises(Conflict) as error:
        services.proposal_accept(actor=t.users["xh_c1_secretary"], proposal=proposal)
    assert error.value.field == "state"


def test_accepting_a_stale_proposal_is_refused_and_writes_nothing(world):
    t = world.t
    world.need()
    world.resource(capacity=1)
    first, second = run(world), run(world)
    services.proposal_accept(actor=t.users["xh_s1_staff"], proposal=first.proposals.get())
    projects, audits = Project.objects.count(), AuditEntry.objects.count()
    with pytest.raises(Conflict) as error:
        services.proposal_accept(actor=t.users["xh_s1_staff"], proposal=second.proposals.get())
    assert error.value.field == "need"
    assert Project.objects.count() == projects and AuditEntry.objects.count() == audits
    assert second.proposals.get().state == MatchProposal.State.PENDING


def test_capacity_is_checked_again_on_accept(world):
    t = world.t
    world.need(title="A")
    world.need(title="B")
    resource = world.resource(capacity=1)
    first = run(world)
    assert first.matched == 1
    other_need = Need.objects.exclude(pk=first.proposals.get().need_id).get()
    services.project_create(actor=None, need=other_need, resources=[resource])
    with pytest.raises(Conflict) as error:
        services.proposal_accept(actor=t.users["xh_s1_staff"], proposal=first.proposals.get())
    assert error.value.field == "resource"


def test_change_picks_another_resource_under_the_same_rules(world):
    t = world.t
    need = world.need()
    proposed = world.resource(title="近处")
    wrong_category = world.resource(title="法律", category="legal")
    disjoint = world.resource(title="明年", start=100, end=120)
    far = world.resource(title="黄浦", org="hp_c1_b", area="hp_c1")
    chosen = world.resource(title="天平路", area="xh_c3")
    proposal = run(world).proposals.get()
    assert proposal.resource == proposed
    staff = t.users["xh_s1_staff"]
    for resource, field in (
        (wrong_category, "resource"),
        (disjoint, "resource"),
        (far, "resource"),
        (proposed, "resource"),
    ):
        with pytest.raises(ValidationFailed) as error:
            services.proposal_change(actor=staff, proposal=proposal, resource=resource)
        assert error.value.field == field
    project = services.proposal_change(
        actor=staff, proposal=proposal, resource=chosen, note="居民更熟悉天平路"
    )
    proposal.refresh_from_db()
    assert proposal.state == MatchProposal.State.CHANGED
    assert proposal.resource == chosen and proposal.proposed_resource == proposed
    assert list(project.resources.all()) == [chosen]
    need.refresh_from_db()
    assert need.status == Need.Status.MATCHED


def test_reject_leaves_the_need_open(world):
    t = world.t
    need = world.need()
    world.resource()
    proposal = run(world).proposals.get()
    services.proposal_reject(actor=t.users["xh_c1_secretary"], proposal=proposal, note="不合适")
    proposal.refresh_from_db()
    need.refresh_from_db()
    assert proposal.state == MatchProposal.State.REJECTED and proposal.decision_note == "不合适"
    assert need.status == Need.Status.OPEN
    with pytest.raises(Conflict):
        services.proposal_reject(actor=t.users["xh_c1_secretary"], proposal=proposal)
    entry = AuditEntry.objects.filter(target_type="cobuild.matchproposal").get()
    assert entry.changes["state"] == {"old": "pending", "new": "rejected"}


def test_proposals_seen_by_street_and_by_the_needs_community_only(world):
    t = world.t
    world.need()
    world.need(community="xh_c2", title="武康路助餐")
    world.resource(capacity=2)
    run_ = run(world)
    assert selectors.proposal_list(viewer=t.users["xh_s1_staff"], run=run_).count() == 2
    mine = selectors.proposal_list(viewer=t.users["xh_c1_secretary"], run=run_)
    assert [p.need.community for p in mine] == [t.areas["xh_c1"]]
    assert not selectors.proposal_list(viewer=t.users["xh_c3_secretary"], run=run_).exists()
    # Across runs: what a community has waiting for its decision.
    pending = selectors.proposal_list(viewer=t.users["xh_c1_secretary"], state="pending")
    assert [p.need.community for p in pending] == [t.areas["xh_c1"]]
    assert not selectors.proposal_list(viewer=t.users["hp_s1_staff"], run=run_).exists()
    assert list(selectors.match_run_list(viewer=t.users["xh_s1_staff"])) == [run_]
    assert not selectors.match_run_list(viewer=t.users["hp_s1_staff"]).exists()
    other = run_.proposals.get(need__community=t.areas["xh_c2"])
    with pytest.raises(NotFound):
        services.proposal_reject(actor=t.users["xh_c1_secretary"], proposal=other)


def test_proposal_list_query_count(world, django_assert_num_queries):
    for i in range(5):
        world.need(title=f"需求{i}")
    world.resource(capacity=5)
    run_ = run(world)
    viewer = type(world.t.users["xh_s1_staff"]).objects.get(username="xh_s1_staff")
    with django_assert_num_queries(2):  # the viewer's role assignments, then the rows
        rows = list(selectors.proposal_list(viewer=viewer, run=run_))
        assert [p.need.community.name for p in rows] and [p.resource.area.name for p in rows]


def test_match_run_rows_kept(world):
    world.need()
    world.resource()
    run(world)
    assert MatchRun.objects.get().created_by == world.t.users["xh_s1_staff"]
