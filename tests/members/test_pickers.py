"""The member pages choose the org through a picker (core.pickers, `member-orgs`): the
orgs the viewer may change other than party groups; anything else posted is refused on
the field and nothing is written."""

import io

import pytest
from django.urls import reverse

from jiceng.core.models import Job
from jiceng.core.pickers import get_picker, offered
from jiceng.members.models import Member
from jiceng.orgs.access import can_manage_org
from jiceng.orgs.models import PartyOrg
from jiceng.orgs.selectors import org_list
from tests.members.factories import id_number
from tests.members.test_import import good_rows, workbook


def _member_data(org) -> dict:
    return {
        "org": org.pk,
        "name": "周杰",
        "id_number": id_number(),
        "ethnicity": "汉族",
        "education": "bachelor",
        "joined_on": "2010-07-01",
        "status": "full",
        "full_on": "2011-07-01",
        "category": "in_service",
    }


@pytest.mark.parametrize("key", ["xh_admin", "xh_c1_secretary", "xh_unit_secretary"])
def test_candidates_are_the_changeable_orgs_other_than_groups(territory, key):
    user = territory.users[key]
    found = {o.pk for o in offered(get_picker("member-orgs"), user, params={})}
    expected = {
        o.pk
        for o in org_list(viewer=user)
        if o.kind != PartyOrg.Kind.GROUP and can_manage_org(user, o)
    }
    assert found == expected and found
    assert territory.orgs["xh_unit_group"].pk not in found


def test_register_in_a_candidate_org(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    response = client.post(reverse("members:new"), _member_data(territory.orgs["xh_c1_b1"]))
    assert response.status_code == 302
    assert Member.objects.get(name="周杰").org == territory.orgs["xh_c1_b1"]


@pytest.mark.parametrize("org", ["hp_c1_b", "xh_unit_group", "abc"])
def test_register_in_an_org_not_offered_is_refused_on_the_field(client, territory, org):
    client.force_login(territory.users["xh_admin"])
    data = _member_data(territory.orgs["xh_c1_b1"])
    data["org"] = territory.orgs[org].pk if org in territory.orgs else org
    response = client.post(reverse("members:new"), data)
    assert response.status_code == 200
    assert "请从列表中选择" in str(response.context["form"].errors["org"])
    assert not Member.objects.exists()


def test_register_page_is_404_without_any_org(client, territory):
    client.force_login(territory.users["xh_member"])
    assert client.get(reverse("members:new")).status_code == 404
    assert client.get(reverse("members:import")).status_code == 404


def _upload():
    upload = io.BytesIO(workbook(good_rows()))
    upload.name = "名册.xlsx"
    return upload


def test_import_into_a_candidate_org_submits_a_job(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    page = client.get(reverse("members:import")).content.decode()
    assert territory.orgs["xh_c1_b1"].name in page
    response = client.post(
        reverse("members:import"), {"org": territory.orgs["xh_c1_b1"].pk, "file": _upload()}
    )
    assert response.status_code == 302 and Job.objects.count() == 1


@pytest.mark.parametrize("org", ["hp_c1_b", "xh_unit_group"])
def test_import_into_an_org_not_offered_is_refused_on_the_field(client, territory, org):
    client.force_login(territory.users["xh_admin"])
    response = client.post(
        reverse("members:import"), {"org": territory.orgs[org].pk, "file": _upload()}
    )
    assert response.status_code == 200
    assert "请从列表中选择" in str(response.context["form"].errors["org"])
    assert not Job.objects.exists()
