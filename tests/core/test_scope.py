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
