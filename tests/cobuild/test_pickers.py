"""The co-building forms choose areas, units and committees through pickers
(core.pickers, cobuild.pickers): each offers exactly what the form listed before (the
same scope and the same rights), and a posted id outside it is refused on its field
with nothing written."""

import datetime

import pytest
from django.urls import reverse

from jiceng.cobuild import access, selectors
from jiceng.cobuild.models import Agreement, JointMeeting, Need, Resource, Venue
from jiceng.core.access import can_manage_area
from jiceng.core.models import Area
from jiceng.core.pickers import MSG_NOT_OFFERED, get_picker, offered
from jiceng.core.scope import scope_for
from jiceng.orgs import services as org_services
from jiceng.orgs.access import can_manage_org
from jiceng.orgs.models import BigCommittee, PartyOrg
from jiceng.orgs.selectors import org_list, unit_list
from tests.cobuild.test_page_agreements import ROWS, sign
from tests.cobuild.test_page_meetings import call
from tests.cobuild.test_page_needs import staff_post
from tests.cobuild.test_page_resources import member_report, offer
from tests.cobuild.test_page_venues import register
from tests.conftest import pick_search

ROLES = [
    "superuser",
    "xh_admin",
    "xh_s1_staff",
    "xh_c1_secretary",
    "xh_unit_secretary",
    "xh_member",
]


@pytest.fixture
def committees(territory):
    t = territory
    return [
        org_services.big_committee_create(
            actor=None, area=t.areas["xh_s1"], org=t.orgs["xh_s1_wc"]
        ),
        org_services.big_committee_create(
            actor=None, area=t.areas["hp_s1"], org=t.orgs["hp_s1_wc"]
        ),
    ]


def _all(name: str, user, params=None) -> set[int]:
    return {o.pk for o in offered(get_picker(name), user, params=params or {}, limit=10_000)}


@pytest.mark.parametrize("key", ROLES)
def test_candidates_are_those_the_forms_listed(territory, committees, key):
    """The old lists, written out as the views built them (without their cut at 2,000)."""
    user = territory.users[key]
    units = list(unit_list(viewer=user))
    assert _all("cobuild-units", user) == {u.pk for u in units}
    assert _all("venue-units", user) == {
        u.pk for u in units if can_manage_area(user, u.area) or access.can_act_for_unit(user, u)
    }
    seen = scope_for(user).filter(BigCommittee.objects.select_related("area"))
    assert _all("joint-committees", user) == {
        c.pk for c in seen if access.can_manage_meeting(user, c)
    }
    for levels in (["community"], ["street", "community"]):
        areas = scope_for(user).filter(Area.objects.filter(level__in=levels))
        old = {a.pk for a in areas if can_manage_area(user, a)}
        assert _all("manageable-areas", user, {"levels": ",".join(levels)}) == old
    if key == "xh_member":
        assert not _all("venue-units", user) and not _all("joint-committees", user)
    if key == "xh_s1_staff":
        assert _all("joint-committees", user) == {committees[0].pk}


@pytest.mark.parametrize("key", ROLES)
def test_resource_providers_are_those_the_form_listed(territory, key):
    """The resource form's old "provider" select, without its cut at 500: the orgs the
    viewer manages but their party groups, and the open member reports they record."""
    member_report(territory)
    member_report(territory, name="李娜", community="hp_c1", birth=datetime.date(1990, 3, 8))
    user = territory.users[key]
    orgs = org_list(viewer=user).exclude(kind=PartyOrg.Kind.GROUP)
    assert _all("manageable-orgs", user, {"groups": "0"}) == {
        o.pk for o in orgs if can_manage_org(user, o)
    }
    assert _all("provider-reports", user) == {
        r.pk
        for r in selectors.open_member_reports(viewer=user)
        if can_manage_area(user, r.community) or can_manage_org(user, r.member.org)
    }
    if key == "xh_unit_secretary":
        assert _all("manageable-orgs", user, {"groups": "0"}) == {territory.orgs["xh_unit_org"].pk}
    if key == "xh_c1_secretary":
        # 李娜 reported to another district, but her org is in their community.
        assert len(_all("provider-reports", user)) == 2
    if key == "xh_member":
        assert not _all("manageable-orgs", user, {"groups": "0"})
        assert not _all("provider-reports", user)


def test_units_are_found_by_name_or_credit_code(client, territory):
    client.force_login(territory.users["xh_admin"])
    code = territory.units["xh_joint2"].uscc
    by_code = pick_search(client, "cobuild-units", code.lower()).content.decode()
    assert "上海复兴文化传播有限公司" in by_code and "上海武康咖啡有限公司" not in by_code
    by_name = pick_search(client, "cobuild-units", "武康咖啡").content.decode()
    assert "上海武康咖啡有限公司" in by_name
    # Never a unit out of the viewer's sight.
    outside = pick_search(client, "cobuild-units", "南京东路").content.decode()
    assert "上海南京东路餐饮有限公司" not in outside


def _refused(response, field: str, status: int = 200) -> None:
    """Refused on the field; the resource page answers a refusal with 422."""
    assert response.status_code == status
    assert str(MSG_NOT_OFFERED) in str(response.context["form"].errors[field])


def test_need_form_takes_a_candidate_and_refuses_another_district(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    response = client.post(
        reverse("cobuild:need_new"), staff_post(territory, community=territory.areas["xh_c2"].pk)
    )
    assert response.status_code == 302 and Need.objects.get().community == territory.areas["xh_c2"]
    out = staff_post(territory, community=territory.areas["hp_c1"].pk, idempotency_key="k2")
    _refused(client.post(reverse("cobuild:need_new"), out), "community")
    # A street is not a community: not a candidate either.
    street = staff_post(territory, community=territory.areas["xh_s1"].pk, idempotency_key="k3")
    _refused(client.post(reverse("cobuild:need_new"), street), "community")
    assert Need.objects.count() == 1


def test_a_single_community_is_chosen_already(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    form = client.get(reverse("cobuild:need_new")).context["form"]
    assert form.initial["community"] == territory.areas["xh_c1"].pk
    client.force_login(territory.users["xh_s1_staff"])
    assert "community" not in client.get(reverse("cobuild:need_new")).context["form"].initial


def test_resource_form_takes_a_street_and_refuses_another_district(client, territory):
    client.force_login(territory.users["xh_unit_secretary"])
    # The unit org's secretary manages no area: only "the provider's own place".
    assert not _all("manageable-areas", territory.users["xh_unit_secretary"])
    client.force_login(territory.users["xh_s1_staff"])
    provider = territory.orgs["xh_s1_wc"].pk
    data = offer(territory, org=provider, area=territory.areas["xh_s1"].pk)
    assert client.post(reverse("cobuild:resource_new"), data).status_code == 302
    assert Resource.objects.get().area == territory.areas["xh_s1"]
    for area in ("hp_s1", "xh_g1"):  # another district; a grid is not offered
        data = offer(territory, org=provider, area=territory.areas[area].pk, title="别处")
        _refused(client.post(reverse("cobuild:resource_new"), data), "area", 422)
    assert Resource.objects.count() == 1


def test_venue_form_takes_a_unit_and_refuses_one_it_may_not_act_for(client, territory):
    client.force_login(territory.users["xh_unit_secretary"])
    unit_venue = {"kind": "unit_venue", "area": "", "name": "企业党建活动室"}
    # xh_joint1 is covered by the joint branch, not the secretary's org.
    data = register(territory, **unit_venue, unit=territory.units["xh_joint1"].pk)
    _refused(client.post(reverse("cobuild:venue_new"), data), "unit")
    data = register(territory, **unit_venue, unit=territory.units["hp_plain"].pk)
    _refused(client.post(reverse("cobuild:venue_new"), data), "unit")
    assert not Venue.objects.exists()
    data = register(territory, **unit_venue, unit=territory.units["xh_own"].pk)
    assert client.post(reverse("cobuild:venue_new"), data).status_code == 302
    assert Venue.objects.get().unit == territory.units["xh_own"]


def test_venue_form_refuses_an_area_of_another_district(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    data = register(territory, area=territory.areas["hp_c1"].pk)
    _refused(client.post(reverse("cobuild:venue_new"), data), "area")
    assert not Venue.objects.exists()
    assert client.post(reverse("cobuild:venue_new"), register(territory)).status_code == 302


def test_venue_form_is_404_with_nothing_to_choose(client, territory):
    for key in ("xh_member", "xh_resident"):
        client.force_login(territory.users[key])
        assert client.get(reverse("cobuild:venue_new")).status_code == 404


def test_agreement_form_takes_a_unit_and_refuses_one_out_of_sight(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    data = sign(territory, ROWS, unit=territory.units["hp_plain"].pk)
    _refused(client.post(reverse("cobuild:agreement_new"), data), "unit")
    data = sign(territory, ROWS, community=territory.areas["xh_c2"].pk)
    _refused(client.post(reverse("cobuild:agreement_new"), data), "community")
    assert not Agreement.objects.exists()
    data = sign(territory, ROWS, unit=territory.units["xh_joint2"].pk)
    assert client.post(reverse("cobuild:agreement_new"), data).status_code == 302
    assert Agreement.objects.get().unit == territory.units["xh_joint2"]


def test_agreement_form_is_404_without_a_community(client, territory):
    client.force_login(territory.users["xh_unit_secretary"])
    assert client.get(reverse("cobuild:agreement_new")).status_code == 404


def test_meeting_form_takes_its_committee_and_refuses_another(client, territory, committees):
    client.force_login(territory.users["xh_s1_staff"])
    assert client.get(reverse("cobuild:meeting_new")).context["form"].initial["committee"] == (
        committees[0].pk
    )
    _refused(
        client.post(reverse("cobuild:meeting_new"), call(territory, committees[1])), "committee"
    )
    assert not JointMeeting.objects.exists()
    assert (
        client.post(reverse("cobuild:meeting_new"), call(territory, committees[0])).status_code
        == 302
    )
    assert JointMeeting.objects.get().committee == committees[0]
