"""`demo_generate` at street scale: the real 湖南路街道, filled through the services."""

import re

import pytest

from jiceng.accounts.models import RoleAssignment, User
from jiceng.core.audit_evidence import audit_verify
from jiceng.core.models import Area, AuditEntry
from jiceng.core.validators import validate_uscc
from jiceng.demo.generator import DatabaseNotEmpty, demo_generate
from jiceng.demo.logins import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_totp_device
from jiceng.orgs.models import BigCommittee, GridPost, PartTimeMember, PartyOrg, Unit
from jiceng.orgs.selectors import coverage_summary


def test_builds_the_real_street_with_its_ancestors(street_demo):
    names = dict(Area.objects.values_list("code", "name"))
    assert names["310000000000"] == "上海市"
    assert names["310104000000"] == "徐汇区"
    assert names["310104004000"] == "湖南路街道"
    assert names["310104004001"] == "淮中居委会"
    assert names["310104004008"] == "武康居委会"
    levels = {level: Area.objects.filter(level=level).count() for level in Area.LEVEL_ORDER}
    assert levels["city"] == 1
    assert levels["district"] == 1
    assert levels["street"] == 1
    assert levels["community"] == 16
    for community in Area.objects.filter(level="community"):
        grids = list(community.children.all())
        assert 3 <= len(grids) <= 6
        for grid in grids:
            assert re.fullmatch(community.code + r"\d{3}", grid.code)
            assert grid.level == "grid"
            buildings = list(grid.children.all())
            assert buildings and all(re.fullmatch(grid.code + r"\d{3}", b.code) for b in buildings)
    assert street_demo.counts["area_grid"] == levels["grid"]


def test_units_carry_valid_unique_codes_and_show_every_coverage_figure(street_demo):
    units = list(Unit.objects.all())
    assert len(units) >= 16 * 5
    assert len({u.uscc for u in units}) == len(units)
    for unit in units:
        assert validate_uscc(unit.uscc) == unit.uscc
        assert unit.formal_members <= unit.employees
        assert unit.area.level == "grid"
    viewer = User.objects.get(username="demo_city")
    summary = coverage_summary(viewer=viewer)
    assert summary.total == len(units)
    for figure in ("own", "joint", "uncovered", "must_form", "new_uncovered"):
        assert getattr(summary, figure) > 0, figure
    # A joint org covers only units of its own street; a unit's own org is its own.
    for unit in Unit.objects.exclude(covering_org=None).select_related("covering_org"):
        assert unit.covering_org.can_cover_units()
    for unit in Unit.objects.exclude(own_org=None).select_related("own_org"):
        assert unit.own_org.name.startswith(unit.name)


def test_org_tree_grid_leaders_and_big_committee(street_demo):
    root = PartyOrg.objects.get(parent=None)
    assert root.name == "中共上海市徐汇区委员会"
    street_org = PartyOrg.objects.get(name="湖南路街道党工委")
    assert street_org.parent == root and street_org.kind == "working_committee"
    community_org = PartyOrg.objects.get(area__code="310104004001", domain="community")
    assert community_org.name.startswith("淮中居民区党") and community_org.parent == street_org
    joint = PartyOrg.objects.filter(kind="joint_branch", form="joint")
    assert joint.exists() and all(org.path.startswith(street_org.path) for org in joint)
    for org in PartyOrg.objects.exclude(parent=None):
        assert org.path == f"{org.parent.path}{org.pk}/"
    grids = Area.objects.filter(level="grid")
    leaders = GridPost.objects.filter(duty="leader")
    assert leaders.count() == grids.count()
    assert set(leaders.values_list("grid", flat=True)) == set(grids.values_list("id", flat=True))
    leader = leaders.select_related("user", "grid").first()
    assert RoleAssignment.objects.filter(
        user=leader.user, role="grid_worker", area=leader.grid
    ).exists()
    assert not leader.user.has_usable_password()
    committee = BigCommittee.objects.get(area__code="310104004000")
    members = PartTimeMember.objects.filter(committee=committee)
    assert members.filter(source="unit").exclude(unit=None).count() >= 4
    assert members.filter(source="police").exists()


def test_lane_chiefs_and_the_big_committees_members(street_demo):
    """Each grid of the street's first urban community has two lane chiefs, each on a
    segment of its own; the big committee draws on units, police, owners' committees
    and property companies."""
    chiefs = GridPost.objects.filter(duty="lane_chief", ended_on=None).select_related("grid")
    assert chiefs.exists()
    grids = {post.grid for post in chiefs}
    assert len({post.grid.parent_id for post in chiefs}) == 1
    for grid in grids:
        lanes = [p.lane for p in chiefs if p.grid == grid]
        assert len(lanes) == 2 and len(set(lanes)) == 2 and all(lanes)
    chief = chiefs.select_related("user").first()
    assert RoleAssignment.objects.filter(user=chief.user, role="grid_worker", area=chief.grid)
    assert not GridPost.objects.exclude(duty="lane_chief").exclude(lane="").exists()
    sources = set(PartTimeMember.objects.values_list("source", flat=True))
    assert {"unit", "police", "owners_committee", "property_company"} <= sources


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_each_demo_account_logs_in_with_its_role(street_demo, client, account):
    assert client.login(username=account.username, password=DEMO_PASSWORD)
    user = User.objects.get(username=account.username)
    assert user.full_name
    assert RoleAssignment.objects.filter(user=user, role=account.role).count() == 1


def test_district_admin_has_a_confirmed_totp_device_that_verifies(street_demo):
    from django_otp.oath import TOTP

    device = demo_totp_device("demo_district")
    assert device is not None and device.confirmed
    code = TOTP(device.bin_key).token()
    assert device.verify_token(code)
    assert demo_totp_device("demo_city") is None


def test_every_write_is_audited_and_the_chain_holds(street_demo):
    bulk = set(
        AuditEntry.objects.filter(action="bulk_create").values_list("target_type", flat=True)
    )
    assert bulk >= {"core.area", "orgs.partyorg", "orgs.unit", "accounts.user", "orgs.gridpost"}
    assert AuditEntry.objects.filter(action="grant").exists()
    district_admin = User.objects.get(username="demo_district")
    assert AuditEntry.objects.filter(
        action="otp", target_type="accounts.user", target_id=str(district_admin.pk)
    ).exists()
    assert audit_verify().ok


def test_refuses_a_database_that_already_has_areas(street_demo):
    before = AuditEntry.objects.count()
    with pytest.raises(DatabaseNotEmpty):
        demo_generate(scale="street", seed=1)
    assert AuditEntry.objects.count() == before
