"""core.scope on its own: empty, superuser, revoked, closed orgs, kinds."""

import datetime

import pytest

from jiceng.accounts.models import RoleAssignment
from jiceng.accounts.services import role_revoke
from jiceng.core.errors import NotFound
from jiceng.core.models import Area
from jiceng.core.scope import forget_scope, scope_for
from jiceng.orgs.models import PartyOrg, Unit


def test_nobody_sees_nothing_and_superuser_everything(territory):
    assert scope_for(territory.users["nobody"]).filter(Area.objects.all()).count() == 0
    assert scope_for(None).is_empty
    everything = scope_for(territory.users["superuser"])
    assert everything.filter(Unit.objects.all()).count() == Unit.objects.count()


def test_revoked_assignment_no_longer_counts(territory):
    staff = territory.users["xh_s1_staff"]
    assert scope_for(staff).contains(territory.areas["xh_c1"])
    role_revoke(actor=None, assignment=RoleAssignment.objects.get(user=staff))
    forget_scope(staff)
    assert not scope_for(staff).contains(territory.areas["xh_c1"])


def test_grant_on_a_closed_org_is_ignored(territory):
    secretary = territory.users["xh_unit_secretary"]
    PartyOrg.objects.filter(pk=territory.orgs["xh_unit_org"].pk).update(
        closed_on=datetime.date(2026, 1, 1)
    )
    forget_scope(secretary)
    assert scope_for(secretary).is_empty


def test_kinds_limit_what_a_role_sees(territory):
    resident = scope_for(territory.users["xh_resident"])
    assert resident.contains(territory.areas["xh_c1"])
    assert resident.filter(Unit.objects.all()).count() == 0
    assert resident.filter(PartyOrg.objects.all()).count() == 0
    member = scope_for(territory.users["xh_member"])
    assert set(member.filter(PartyOrg.objects.all())) == {territory.orgs["xh_c1_b1"]}


def test_get_out_of_scope_is_not_found(territory):
    scope = scope_for(territory.users["xh_c3_secretary"])
    with pytest.raises(NotFound):
        scope.get(Unit.objects.all(), pk=territory.units["xh_own"].pk)
    with pytest.raises(NotFound):
        scope.get(Unit.objects.all(), pk="not-a-number")


def test_covers_subtree(territory):
    from jiceng.appeals.models import Appeal

    staff = scope_for(territory.users["xh_s1_staff"])
    assert staff.covers_subtree(Appeal, territory.areas["xh_c1"].path)
    assert not staff.covers_subtree(Appeal, territory.areas["xh"].path)
    assert not scope_for(territory.users["xh_resident"]).covers_subtree(
        Appeal, territory.areas["xh_c1"].path
    )


def test_an_org_grant_sees_its_affiliation_subtree_wherever_it_sits(territory):
    """A unit org secretary (条) sees their org, the orgs below it and the unit it
    belongs to, but nothing of the territory around it (块)."""
    scope = scope_for(territory.users["xh_unit_secretary"])
    orgs = set(scope.filter(PartyOrg.objects.all()))
    assert orgs == {territory.orgs["xh_unit_org"], territory.orgs["xh_unit_group"]}
    assert set(scope.filter(Unit.objects.all())) == {territory.units["xh_own"]}
    assert scope.filter(Area.objects.all()).count() == 0
    # A member of a branch sees neither the branch's parent nor its siblings.
    member = scope_for(territory.users["xh_member"])
    assert not member.contains(territory.orgs["xh_c1_gb"])
    assert not member.contains(territory.orgs["xh_joint"])
    assert member.filter(Area.objects.all()).count() == 0


def test_a_grid_worker_sees_the_grid_but_not_its_people(territory):
    from jiceng.orgs.models import GridPost
    from jiceng.orgs.services import grid_post_assign

    grid = territory.areas["xh_g1"]
    grid_post_assign(actor=None, grid=grid, user=territory.users["nobody"], duty="worker")
    worker = scope_for(territory.users["xh_g1_worker"])
    assert set(worker.filter(Area.objects.all())) == {grid}
    assert worker.filter(GridPost.objects.all()).count() == 0
    assert set(worker.filter(PartyOrg.objects.all())) == {territory.orgs["xh_c1_b1"]}
    assert scope_for(territory.users["xh_c1_secretary"]).filter(GridPost.objects.all()).count() == 1


def test_area_grants_of_two_districts_do_not_mix(territory):
    hp_units = {territory.units["hp_plain"]}
    assert set(scope_for(territory.users["hp_admin"]).filter(Unit.objects.all())) == hp_units
    xh_units = set(scope_for(territory.users["xh_admin"]).filter(Unit.objects.all()))
    assert len(xh_units) == 6 and not xh_units & hp_units


def test_a_department_sees_only_the_dispatches_it_sent(territory):
    """core.roles: department staff see dispatch and notification only where their own
    work is — their department's sends with their recipients, receipts and reports; the
    district's organization department sees every send of its district."""
    from jiceng.accounts.services import role_grant, user_create
    from jiceng.appeals import services as appeal_services
    from jiceng.linkage import services as linkage_services
    from jiceng.linkage.models import Dispatch, Receipt, Recipient

    a = territory.areas
    unit = appeal_services.handling_unit_create(
        actor=None, name="徐汇区城管执法局", kind="department", area=a["xh"]
    )
    staff = user_create(actor=None, username="xh_dept", password="x", check_password=False)
    role_grant(actor=None, user=staff, role="department_staff", area=a["xh"])
    appeal_services.handler_add(actor=None, unit=unit, user=staff)

    def notice(**sender) -> Dispatch:
        facts = linkage_services.DispatchFacts(
            kind="notice", title="通知", target_level="street", targeting="children"
        )
        draft = linkage_services.dispatch_create(
            actor=None, sender_area=a["xh"], facts=facts, **sender
        )
        return linkage_services.dispatch_send(actor=None, dispatch=draft)

    own, district = notice(sender_department=unit), notice()
    department = scope_for(staff)
    assert list(department.filter(Dispatch.objects.all())) == [own]
    assert set(department.filter(Recipient.objects.all()).values_list("dispatch", flat=True)) == {
        own.pk
    }
    assert department.filter(Receipt.objects.all()).count() == 2
    assert not department.covers_subtree(Dispatch, a["xh"].path)
    admin = scope_for(territory.users["xh_admin"])
    assert set(admin.filter(Dispatch.objects.all())) == {own, district}
    assert not scope_for(territory.users["hp_admin"]).filter(Dispatch.objects.all()).exists()
    # Without an open membership the same role sees none of it.
    unit.handlers.update(ended_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    forget_scope(staff)
    assert not scope_for(staff).filter(Dispatch.objects.all()).exists()
