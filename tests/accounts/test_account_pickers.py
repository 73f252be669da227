"""The account form grants a role on an area or an org chosen through pickers
(accounts.pickers): the candidates, and the roles offered, are those the form listed
before; an area or org outside the granter's territory is refused on its field."""

import pytest
from django.urls import reverse

from jiceng.accounts.models import AREA_ROLES, ORG_ROLES, Role, RoleAssignment, User
from jiceng.accounts.selectors import grantable_levels
from jiceng.core.access import can_manage_area
from jiceng.core.models import Area
from jiceng.core.pickers import MSG_NOT_OFFERED, get_picker, offered
from jiceng.core.scope import scope_for
from jiceng.core.services import area_create
from jiceng.orgs.access import can_manage_org
from jiceng.orgs.models import PartyOrg

KEYS = [
    "superuser",
    "city_admin",
    "xh_admin",
    "xh_s1_staff",
    "xh_c1_secretary",
    "xh_c3_secretary",
    "xh_g1_worker",
    "xh_unit_secretary",
    "xh_member",
]


def _all(name: str, user) -> set[int]:
    return {o.pk for o in offered(get_picker(name), user, params={}, limit=10_000)}


def _old_areas(user) -> list[Area]:
    seen = scope_for(user).filter(Area.objects.exclude(level=Area.Level.BUILDING))
    return [a for a in seen if can_manage_area(user, a)]


def _old_roles(user) -> list[str]:
    levels = {a.level for a in _old_areas(user)}
    return [
        value
        for value, _label in Role.choices
        if value in ORG_ROLES or set(AREA_ROLES.get(value, ())) & levels
    ]


@pytest.fixture
def building(territory):
    """A building under a grid: never a place to grant a role."""
    return area_create(
        actor=None,
        parent=territory.areas["xh_g1"],
        code="310104003001001001",
        name="测试楼栋",
        level="building",
    )


@pytest.mark.parametrize("key", KEYS)
def test_candidates_and_levels_are_those_the_form_listed(territory, building, key):
    user = territory.users[key]
    old_areas = _old_areas(user)
    assert _all("grantable-areas", user) == {a.pk for a in old_areas}
    assert building.pk not in _all("grantable-areas", user)
    seen = scope_for(user).filter(PartyOrg.objects.filter(closed_on__isnull=True))
    assert _all("grantable-orgs", user) == {o.pk for o in seen if can_manage_org(user, o)}
    assert grantable_levels(viewer=user) == {a.level for a in old_areas}


@pytest.mark.parametrize("key", ["superuser", "xh_admin", "xh_s1_staff", "xh_c1_secretary"])
def test_the_roles_offered_are_the_same(client, territory, key):
    user = territory.users[key]
    client.force_login(user)
    form = client.get(reverse("accounts:account_new")).context["form"]
    assert [value for value, _label in form.fields["role"].choices] == _old_roles(user)


def test_a_community_without_grids_offers_no_grid_roles(client, territory):
    """Levels come from the areas that exist, not from the levels below the grant."""
    user = territory.users["xh_c3_secretary"]
    has_grids = Area.objects.filter(
        level="grid", path__startswith=territory.areas["xh_c3"].path
    ).exists()
    assert ("grid" in grantable_levels(viewer=user)) == has_grids
    if not has_grids:
        client.force_login(user)
        form = client.get(reverse("accounts:account_new")).context["form"]
        assert "grid_worker" not in dict(form.fields["role"].choices)


def _post(client, **fields):
    data = {
        "username": "new_person",
        "full_name": "新人",
        "password": "Grid-Worker-2026!",
        "role": "grid_worker",
    }
    data.update(fields)
    return client.post(reverse("accounts:account_new"), data)


def test_an_area_out_of_the_territory_is_refused_on_the_field(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    response = _post(client, area=territory.areas["hp_g1"].pk)
    assert response.status_code == 200
    assert str(MSG_NOT_OFFERED) in str(response.context["form"].errors["area"])
    assert not User.objects.filter(username="new_person").exists()
    assert _post(client, area=territory.areas["xh_g2"].pk).status_code == 302
    account = User.objects.get(username="new_person")
    assert RoleAssignment.objects.get(user=account).area == territory.areas["xh_g2"]


def test_an_org_out_of_the_territory_is_refused_on_the_field(client, territory):
    client.force_login(territory.users["xh_admin"])
    response = _post(client, role="unit_org_secretary", org=territory.orgs["hp_c1_b"].pk)
    assert response.status_code == 200
    assert str(MSG_NOT_OFFERED) in str(response.context["form"].errors["org"])
    assert not User.objects.filter(username="new_person").exists()
    response = _post(client, role="unit_org_secretary", org=territory.orgs["xh_unit_org"].pk)
    assert response.status_code == 302
    account = User.objects.get(username="new_person")
    assert RoleAssignment.objects.get(user=account).org == territory.orgs["xh_unit_org"]
