"""Writes to orgs, units, grids and big committees: state, audit row, nothing half-written."""

import datetime

import pytest

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.services import user_create
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.core.scope import forget_scope, scope_for
from jiceng.core.validators import uscc_check_character
from jiceng.orgs import services
from jiceng.orgs.models import BigCommittee, GridPost, PartTimeMember, PartyOrg, Unit
from jiceng.orgs.selectors import coverage_summary, org_list, part_time_member_list, unit_list

MODELS = (PartyOrg, Unit, GridPost, BigCommittee, PartTimeMember, RoleAssignment, AuditEntry)


def row_counts() -> dict[str, int]:
    """Row counts of every table these services write, to prove a refusal wrote nothing."""
    return {model.__name__: model.objects.count() for model in MODELS}


def uscc(serial: str) -> str:
    """A valid credit code for a private enterprise in 徐汇 with the given 4-digit serial."""
    body = f"91310104MA1FL{serial}"
    return body + uscc_check_character(body)


def audit_for(obj) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            target_type=obj._meta.label_lower, target_id=str(obj.pk)
        ).order_by("id")
    )


# ---- party organizations ---------------------------------------------------------------


def test_org_create_places_the_org_in_both_trees_and_audits(territory):
    staff = territory.users["xh_s1_staff"]
    parent = territory.orgs["xh_c1_gb"]
    org = services.org_create(
        actor=staff,
        name=" 复兴西路社区第二党支部 ",
        kind=PartyOrg.Kind.BRANCH,
        domain=PartyOrg.Domain.COMMUNITY,
        area=territory.areas["xh_g2"],
        parent=parent,
    )
    assert org.name == "复兴西路社区第二党支部"
    assert org.path == f"{parent.path}{org.pk}/"
    [entry] = audit_for(org)
    assert entry.action == AuditEntry.Action.CREATE and entry.actor == staff
    assert entry.changes["name"] == org.name and entry.changes["parent"] == parent.pk
    # The secretary of the parent's subtree sees it; the other district does not.
    assert org in org_list(viewer=territory.users["xh_c1_secretary"])
    assert org not in org_list(viewer=territory.users["hp_admin"])


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": "  "}, "name"),
        ({"kind": "club"}, "kind"),
        ({"domain": "moon"}, "domain"),
        ({"form": "virtual"}, "form"),
        ({"area_key": "city"}, "area"),
        ({"kind": PartyOrg.Kind.GROUP, "parent_key": "xh_s1_wc"}, "parent"),
        ({"kind": PartyOrg.Kind.GROUP, "parent_key": None}, "parent"),
        ({"parent_key": "xh_unit_group"}, "parent"),
    ],
)
def test_org_create_refusals_name_the_field(territory, changes, field):
    before = row_counts()
    arguments = {
        "name": "新支部",
        "kind": PartyOrg.Kind.BRANCH,
        "domain": PartyOrg.Domain.COMMUNITY,
        "form": PartyOrg.Form.SINGLE,
        "area_key": "xh_c1",
        "parent_key": "xh_c1_gb",
    } | changes
    area = territory.areas[arguments.pop("area_key")]
    parent_key = arguments.pop("parent_key")
    parent = territory.orgs[parent_key] if parent_key else None
    with pytest.raises(ValidationFailed) as error:
        services.org_create(actor=None, area=area, parent=parent, **arguments)
    assert error.value.field == field
    assert row_counts() == before


def test_org_create_under_a_closed_parent_is_refused(territory):
    group = territory.orgs["xh_unit_group"]
    services.org_close(actor=None, org=group, reason="合并")
    services.org_close(actor=None, org=territory.orgs["xh_unit_org"], reason="企业迁出")
    before = row_counts()
    with pytest.raises(ValidationFailed) as error:
        services.org_create(
            actor=None,
            name="新党小组",
            kind=PartyOrg.Kind.GROUP,
            domain=PartyOrg.Domain.PRIVATE_ENTERPRISE,
            area=territory.areas["xh_c1"],
            parent=territory.orgs["xh_unit_org"],
        )
    assert error.value.field == "parent"
    assert row_counts() == before


def test_org_create_outside_ones_territory_is_not_found_and_visible_is_forbidden(territory):
    arguments = {"name": "新支部", "kind": "branch", "domain": "community"}
    with pytest.raises(NotFound):
        services.org_create(
            actor=territory.users["hp_s1_staff"],
            area=territory.areas["xh_c1"],
            parent=territory.orgs["xh_c1_gb"],
            **arguments,
        )
    # A member sees their branch but manages nothing.
    with pytest.raises(PermissionDenied):
        services.org_create(
            actor=territory.users["xh_member"],
            area=territory.areas["xh_g1"],
            parent=territory.orgs["xh_c1_b1"],
            **arguments,
        )
    # A unit org secretary manages below their org.
    group = services.org_create(
        actor=territory.users["xh_unit_secretary"],
        name="销售部党小组",
        kind=PartyOrg.Kind.GROUP,
        domain=PartyOrg.Domain.PRIVATE_ENTERPRISE,
        area=territory.areas["xh_c1"],
        parent=territory.orgs["xh_unit_org"],
    )
    assert group.path.startswith(territory.orgs["xh_unit_org"].path)


def test_org_update_audits_only_what_changed(territory):
    org = territory.orgs["xh_c1_b1"]
    staff = territory.users["xh_c1_secretary"]
    services.org_update(actor=staff, org=org, name="复兴西路社区第一党支部", secretary_name="")
    assert [e.action for e in audit_for(org)] == [AuditEntry.Action.CREATE]
    services.org_update(actor=staff, org=org, secretary_name=" 王芳 ", form="co_built")
    entry = audit_for(org)[-1]
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes == {
        "form": {"old": "single", "new": "co_built"},
        "secretary_name": {"old": "", "new": "王芳"},
    }


def test_org_update_refused_leaves_the_row_unchanged(territory):
    org = territory.orgs["xh_c1_b1"]
    before = row_counts()
    with pytest.raises(ValidationFailed) as error:
        services.org_update(actor=None, org=org, name="改名", domain="moon")
    assert error.value.field == "domain"
    org.refresh_from_db()
    assert org.name == "复兴西路社区第一党支部" and org.domain == "community"
    assert row_counts() == before
    # Moving it to another district's area needs that area too.
    with pytest.raises(NotFound):
        services.org_update(
            actor=territory.users["xh_s1_staff"], org=org, area=territory.areas["hp_c1"]
        )


def test_closing_a_joint_org_keeps_history_and_releases_its_units(territory):
    admin = territory.users["xh_admin"]
    joint = territory.orgs["xh_joint"]
    covered = {territory.units["xh_joint1"].pk, territory.units["xh_joint2"].pk}
    services.org_close(
        actor=admin, org=joint, reason=" 撤销重组 ", closed_on=datetime.date(2026, 3, 1)
    )
    joint.refresh_from_db()
    assert joint.closed_on == datetime.date(2026, 3, 1) and joint.closed_reason == "撤销重组"
    assert not joint.is_open and PartyOrg.objects.filter(pk=joint.pk).exists()
    assert not Unit.objects.filter(covering_org=joint).exists()
    entry = audit_for(joint)[-1]
    assert entry.action == AuditEntry.Action.CLOSE
    assert set(entry.changes["released_units"]) == covered
    assert joint not in org_list(viewer=admin)
    assert joint in org_list(viewer=admin, include_closed=True)
    summary = coverage_summary(viewer=admin)
    assert (summary.own, summary.joint, summary.uncovered) == (1, 0, 5)


def test_closing_a_units_own_org_makes_the_unit_one_that_must_form(territory):
    admin = territory.users["xh_admin"]
    services.org_close(actor=admin, org=territory.orgs["xh_unit_group"], reason="合并")
    services.org_close(actor=admin, org=territory.orgs["xh_unit_org"], reason="企业迁出")
    unit = Unit.objects.get(pk=territory.units["xh_own"].pk)
    assert unit.own_org is None and unit.must_form_own_org
    assert coverage_summary(viewer=admin).must_form == 2
    # The secretary's grant on the closed org no longer counts.
    secretary = territory.users["xh_unit_secretary"]
    forget_scope(secretary)
    assert scope_for(secretary).is_empty


def test_close_refusals_write_nothing(territory):
    org = territory.orgs["xh_unit_org"]
    before = row_counts()
    with pytest.raises(Conflict):  # its party group is still open
        services.org_close(actor=None, org=org, reason="企业迁出")
    with pytest.raises(ValidationFailed) as error:
        services.org_close(actor=None, org=territory.orgs["xh_unit_group"], reason=" ")
    assert error.value.field == "reason"
    assert row_counts() == before
    org.refresh_from_db()
    assert org.is_open and Unit.objects.get(pk=territory.units["xh_own"].pk).own_org == org
    services.org_close(actor=None, org=territory.orgs["xh_unit_group"], reason="合并")
    with pytest.raises(Conflict):
        services.org_close(actor=None, org=territory.orgs["xh_unit_group"], reason="再次")
    with pytest.raises(NotFound):
        services.org_close(actor=territory.users["hp_admin"], org=org, reason="越权")


# ---- units -----------------------------------------------------------------------------


def test_unit_create_normalizes_the_code_and_audits(territory):
    staff = territory.users["xh_c1_secretary"]
    code = uscc("0100")
    pasted = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    unit = services.unit_create(
        actor=staff,
        name=" 上海复兴书店有限公司 ",
        uscc=pasted,
        kind=Unit.Kind.PRIVATE_ENTERPRISE,
        area=territory.areas["xh_g1"],
        employees=12,
        formal_members=3,
    )
    assert unit.uscc == code and unit.name == "上海复兴书店有限公司"
    assert unit.coverage == Unit.Coverage.UNCOVERED and unit.must_form_own_org
    [entry] = audit_for(unit)
    assert entry.action == AuditEntry.Action.CREATE and entry.changes["uscc"] == code
    assert unit in unit_list(viewer=staff, coverage="new_uncovered")


@pytest.mark.parametrize(
    "changes, field, error_type",
    [
        ({"uscc": "91310104MA1FL01000"}, "uscc", ValidationFailed),  # wrong check character
        ({"uscc": "9131010"}, "uscc", ValidationFailed),
        ({"uscc": "taken"}, "uscc", Conflict),
        ({"name": " "}, "name", ValidationFailed),
        ({"kind": "shop"}, "kind", ValidationFailed),
        ({"area_key": "xh"}, "area", ValidationFailed),
        ({"employees": 2, "formal_members": 3}, "formal_members", ValidationFailed),
        ({"employees": -1}, "employees", ValidationFailed),
        ({"covering_org_key": "xh_c1_b1"}, "covering_org", ValidationFailed),
        ({"covering_org_key": "xh_joint", "area_key": "xh_c3"}, "covering_org", ValidationFailed),
        (
            {"covering_org_key": "xh_joint", "own_org_key": "xh_c1_b1"},
            "covering_org",
            ValidationFailed,
        ),
        ({"own_org_key": "xh_unit_org"}, "own_org", Conflict),
    ],
)
def test_unit_create_refusals_name_the_field_and_write_nothing(
    territory, changes, field, error_type
):
    arguments = {
        "name": "上海新单位有限公司",
        "uscc": uscc("0200"),
        "kind": Unit.Kind.PRIVATE_ENTERPRISE,
        "area_key": "xh_c1",
        "employees": 10,
        "formal_members": 1,
        "own_org_key": None,
        "covering_org_key": None,
    } | changes
    if arguments["uscc"] == "taken":
        arguments["uscc"] = territory.units["hp_plain"].uscc
    area = territory.areas[arguments.pop("area_key")]
    own_key, covering_key = arguments.pop("own_org_key"), arguments.pop("covering_org_key")
    before = row_counts()
    with pytest.raises(error_type) as error:
        services.unit_create(
            actor=None,
            area=area,
            own_org=territory.orgs[own_key] if own_key else None,
            covering_org=territory.orgs[covering_key] if covering_key else None,
            **arguments,
        )
    assert error.value.field == field
    assert row_counts() == before


def test_a_wrong_check_character_gets_a_chinese_message(territory):
    with pytest.raises(ValidationFailed) as error:
        services.unit_create(
            actor=None,
            name="上海新单位有限公司",
            uscc="91310104MA1FL01000",
            kind=Unit.Kind.PRIVATE_ENTERPRISE,
            area=territory.areas["xh_c1"],
        )
    assert error.value.as_dict()["field"] == "uscc"
    assert "统一社会信用代码" in str(error.value.message)


def test_unit_create_outside_ones_territory_is_not_found(territory):
    before = row_counts()
    with pytest.raises(NotFound):
        services.unit_create(
            actor=territory.users["hp_s1_staff"],
            name="越界单位",
            uscc=uscc("0300"),
            kind=Unit.Kind.PRIVATE_ENTERPRISE,
            area=territory.areas["xh_c1"],
        )
    # A grid worker sees units in the grid but does not register them.
    with pytest.raises(PermissionDenied):
        services.unit_create(
            actor=territory.users["xh_g1_worker"],
            name="网格单位",
            uscc=uscc("0301"),
            kind=Unit.Kind.PRIVATE_ENTERPRISE,
            area=territory.areas["xh_g1"],
        )
    assert row_counts() == before


def test_unit_update_audits_the_difference_and_refuses_other_fields(territory):
    unit = territory.units["xh_plain"]
    services.unit_update(actor=territory.users["xh_c3_secretary"], unit=unit, employees=5)
    assert audit_for(unit)[-1].changes == {"employees": {"old": 3, "new": 5}}
    before = row_counts()
    with pytest.raises(ValidationFailed) as error:
        services.unit_update(actor=None, unit=unit, uscc=uscc("0400"))
    assert error.value.field == "uscc"
    with pytest.raises(ValidationFailed) as error:
        services.unit_update(actor=None, unit=unit, formal_members=9)
    assert error.value.field == "formal_members"
    assert row_counts() == before
    unit.refresh_from_db()
    assert unit.formal_members == 0


def test_a_joint_org_covers_a_unit_of_its_street(territory):
    staff = territory.users["xh_s1_staff"]
    unit = territory.units["xh_must"]
    services.unit_set_coverage(actor=staff, unit=unit, covering_org=territory.orgs["xh_joint"])
    unit.refresh_from_db()
    assert unit.coverage == Unit.Coverage.JOINT
    entry = audit_for(unit)[-1]
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes == {"covering_org": {"old": None, "new": territory.orgs["xh_joint"].pk}}
    # Covered by a joint org is not an own org: it still must form one (4 formal members).
    assert unit.must_form_own_org
    services.unit_set_coverage(actor=staff, unit=unit)
    unit.refresh_from_db()
    assert unit.coverage == Unit.Coverage.UNCOVERED


def test_a_new_own_org_replaces_the_joint_coverage(territory):
    staff = territory.users["xh_s1_staff"]
    unit = territory.units["xh_joint1"]
    org = services.org_create(
        actor=staff,
        name="上海武康咖啡有限公司党支部",
        kind=PartyOrg.Kind.BRANCH,
        domain=PartyOrg.Domain.PRIVATE_ENTERPRISE,
        area=territory.areas["xh_c1"],
        parent=territory.orgs["xh_s1_wc"],
    )
    services.unit_set_coverage(actor=staff, unit=unit, own_org=org)
    unit.refresh_from_db()
    assert (unit.own_org, unit.covering_org) == (org, None)
    assert coverage_summary(viewer=staff).own == 2


@pytest.mark.parametrize(
    "unit_key, own_key, covering_key, field, error_type",
    [
        ("xh_must", None, "xh_c1_b1", "covering_org", ValidationFailed),  # not a joint org
        ("xh_new", None, "xh_joint", "covering_org", ValidationFailed),  # another street
        ("xh_must", "xh_unit_org", None, "own_org", Conflict),  # another unit's own org
        ("xh_must", "xh_c1_b1", "xh_joint", "covering_org", ValidationFailed),  # both
    ],
)
def test_coverage_refusals_leave_the_unit_as_it_was(
    territory, unit_key, own_key, covering_key, field, error_type
):
    unit = territory.units[unit_key]
    before = row_counts()
    with pytest.raises(error_type) as error:
        services.unit_set_coverage(
            actor=None,
            unit=unit,
            own_org=territory.orgs[own_key] if own_key else None,
            covering_org=territory.orgs[covering_key] if covering_key else None,
        )
    assert error.value.field == field
    assert row_counts() == before
    unit.refresh_from_db()
    assert (unit.own_org_id, unit.covering_org_id) == (None, None)


def test_a_closed_joint_org_covers_nothing(territory):
    joint = territory.orgs["xh_joint"]
    services.org_close(actor=None, org=joint, reason="撤销")
    with pytest.raises(ValidationFailed) as error:
        services.unit_set_coverage(actor=None, unit=territory.units["xh_must"], covering_org=joint)
    assert error.value.field == "covering_org"


def test_coverage_by_an_org_out_of_sight_is_not_found(territory):
    with pytest.raises(NotFound):
        services.unit_set_coverage(
            actor=territory.users["hp_s1_staff"],
            unit=territory.units["xh_must"],
            covering_org=territory.orgs["xh_joint"],
        )
    with pytest.raises(NotFound):
        services.unit_set_coverage(
            actor=territory.users["xh_s1_staff"],
            unit=territory.units["xh_must"],
            covering_org=territory.orgs["hp_c1_b"],
        )


# ---- grids -----------------------------------------------------------------------------


@pytest.fixture
def people(territory) -> list[User]:
    return [
        user_create(actor=None, username=f"grid{i}", password="x", check_password=False)
        for i in range(3)
    ]


def test_one_open_leader_per_grid(territory, people):
    secretary = territory.users["xh_c1_secretary"]
    grid = territory.areas["xh_g2"]
    first, second, worker = people
    post = services.grid_post_assign(
        actor=secretary, grid=grid, user=first, duty="leader", started_on=datetime.date(2026, 1, 5)
    )
    [entry] = audit_for(post)
    assert entry.changes == {"grid": grid.pk, "user": first.pk, "duty": "leader"}
    # The duty brings the grid into the person's scope.
    assert RoleAssignment.objects.filter(user=first, role="grid_worker", area=grid).exists()
    assert scope_for(first).contains(territory.units["xh_joint2"])
    before = row_counts()
    with pytest.raises(Conflict) as error:
        services.grid_post_assign(actor=secretary, grid=grid, user=second, duty="leader")
    assert error.value.field == "duty"
    assert row_counts() == before
    services.grid_post_assign(actor=secretary, grid=grid, user=worker, duty="worker")
    services.grid_post_assign(actor=secretary, grid=grid, user=second, duty="worker")
    # Ending the leader's post frees the place and takes the grid out of their scope.
    services.grid_post_end(actor=secretary, post=post, ended_on=datetime.date(2026, 4, 30))
    assert not RoleAssignment.objects.filter(
        user=first, role="grid_worker", revoked_at__isnull=True
    ).exists()
    forget_scope(first)
    assert not scope_for(first).contains(territory.units["xh_joint2"])
    services.grid_post_assign(actor=secretary, grid=grid, user=second, duty="leader")
    # Two duties in one grid, one role.
    assert RoleAssignment.objects.filter(user=second, role="grid_worker", area=grid).count() == 1
    assert GridPost.objects.filter(grid=grid, duty="leader", ended_on__isnull=True).get().user == (
        second
    )


@pytest.mark.parametrize(
    "area_key, duty, field", [("xh_c1", "worker", "grid"), ("xh_g1", "boss", "duty")]
)
def test_grid_post_refusals_name_the_field(territory, people, area_key, duty, field):
    before = row_counts()
    with pytest.raises(ValidationFailed) as error:
        services.grid_post_assign(
            actor=None, grid=territory.areas[area_key], user=people[0], duty=duty
        )
    assert error.value.field == field
    assert row_counts() == before


def test_grid_posts_outside_ones_territory_are_not_found(territory, people):
    with pytest.raises(NotFound):
        services.grid_post_assign(
            actor=territory.users["xh_c1_secretary"],
            grid=territory.areas["hp_g1"],
            user=people[0],
            duty="worker",
        )


# ---- big committees --------------------------------------------------------------------


def test_big_committee_with_part_time_members(territory):
    staff = territory.users["xh_s1_staff"]
    street = territory.areas["xh_s1"]
    committee = services.big_committee_create(
        actor=staff, area=street, org=territory.orgs["xh_s1_wc"]
    )
    assert committee.name == "湖南路街道大党委"
    assert audit_for(committee)[0].changes == {"area": street.pk, "org": committee.org_id}
    manager = services.part_time_member_add(
        actor=staff,
        committee=committee,
        name=" 张经理 ",
        source="unit",
        unit=territory.units["xh_own"],
        position="党支部书记",
    )
    police = services.part_time_member_add(
        actor=staff, committee=committee, name="李警官", source="police"
    )
    assert audit_for(manager)[0].changes["unit"] == territory.units["xh_own"].pk
    assert set(part_time_member_list(viewer=staff, committee=committee)) == {manager, police}
    assert not part_time_member_list(viewer=territory.users["hp_s1_staff"], committee=committee)
    assert not part_time_member_list(viewer=territory.users["xh_member"], committee=committee)


def test_big_committee_refusals(territory):
    with pytest.raises(ValidationFailed) as error:
        services.big_committee_create(
            actor=None, area=territory.areas["xh_g1"], org=territory.orgs["xh_c1_b1"]
        )
    assert error.value.field == "area"
    committee = services.big_committee_create(
        actor=None, area=territory.areas["xh_c1"], org=territory.orgs["xh_c1_gb"]
    )
    before = row_counts()
    with pytest.raises(Conflict):
        services.big_committee_create(
            actor=None, area=territory.areas["xh_c1"], org=territory.orgs["xh_c1_gb"]
        )
    for name, source, unit, field in (
        (" ", "police", None, "name"),
        ("王", "aliens", None, "source"),
        ("王", "unit", None, "unit"),
    ):
        with pytest.raises(ValidationFailed) as error:
            services.part_time_member_add(
                actor=None, committee=committee, name=name, source=source, unit=unit
            )
        assert error.value.field == field
    with pytest.raises(NotFound):
        services.part_time_member_add(
            actor=territory.users["hp_s1_staff"], committee=committee, name="赵", source="other"
        )
    assert row_counts() == before


def test_big_committee_cannot_rest_on_an_org_out_of_sight(territory):
    """Street staff cannot tie their committee to another district's org, nor seat a
    unit they cannot see."""
    staff = territory.users["xh_s1_staff"]
    before = row_counts()
    with pytest.raises(NotFound):
        services.big_committee_create(
            actor=staff, area=territory.areas["xh_s1"], org=territory.orgs["hp_s1_wc"]
        )
    assert row_counts() == before
    committee = services.big_committee_create(
        actor=staff, area=territory.areas["xh_s1"], org=territory.orgs["xh_s1_wc"]
    )
    before = row_counts()
    with pytest.raises(NotFound):
        services.part_time_member_add(
            actor=staff,
            committee=committee,
            name="钱经理",
            source="unit",
            unit=territory.units["hp_plain"],
        )
    assert row_counts() == before
