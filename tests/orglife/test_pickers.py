"""The organizational-life forms choose areas and orgs through pickers (core.pickers):
the first candidates shown and a search for the rest, the same candidates as before
(areas the viewer may change, of the form's levels; orgs they see, or may record a
meeting for), and anything else posted refused on the field (422) with nothing written."""

import pytest
from django.urls import reverse

from jiceng.core.access import can_manage_area
from jiceng.core.models import Area
from jiceng.core.pickers import get_picker, offered
from jiceng.core.scope import scope_for
from jiceng.orglife.access import can_record_meeting
from jiceng.orglife.models import ContactPoint, HouseholdLink, Issue, Meeting, Topic
from jiceng.orgs.models import PartyOrg

from .conftest import day

NOT_OFFERED = "请从列表中选择"


def _refused(response, field: str, form: str = "form") -> None:
    assert response.status_code == 422
    assert NOT_OFFERED in str(response.context[form].errors[field])


@pytest.mark.parametrize("key", ["xh_admin", "xh_s1_staff", "xh_c1_secretary", "xh_member"])
def test_candidates_are_the_same_as_the_lists_were(territory, key):
    user = territory.users[key]
    visible_orgs = scope_for(user).filter(PartyOrg.objects.filter(closed_on__isnull=True))
    recorded = {o.pk for o in offered(get_picker("meeting-orgs"), user, params={})}
    assert recorded == {o.pk for o in visible_orgs if can_record_meeting(user, o)}
    seen = {o.pk for o in offered(get_picker("orglife-orgs"), user, params={})}
    assert seen == {o.pk for o in visible_orgs}
    levels = {"levels": "community,grid,building"}
    near = {o.pk for o in offered(get_picker("orglife-orgs"), user, params=levels)}
    assert near == {
        o.pk for o in visible_orgs.select_related("area") if o.area.level in levels["levels"]
    }
    areas = offered(get_picker("manageable-areas"), user, params={"levels": "community"})
    visible = scope_for(user).filter(Area.objects.filter(level="community"))
    assert {a.pk for a in areas} == {a.pk for a in visible if can_manage_area(user, a)}


def _contact_point(territory, **overrides) -> dict:
    data = {
        "official_name": "刘主任",
        "official_title": "街道办事处主任",
        "official_area": territory.areas["xh_s1"].pk,
        "org": territory.orgs["xh_c1_gb"].pk,
        "started_on": str(day(1)),
    }
    data.update(overrides)
    return data


def test_contact_point_with_candidates_is_made(client, territory):
    territory.client_for(client, "xh_s1_staff")
    page = client.get(reverse("orglife:contact_points")).content.decode()
    assert f'<option value="{territory.areas["xh_s1"].pk}">' in page
    response = client.post(reverse("orglife:contact_point_new"), _contact_point(territory))
    point = ContactPoint.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{point.pk}/")
    assert (point.official_area, point.org) == (
        territory.areas["xh_s1"],
        territory.orgs["xh_c1_gb"],
    )


@pytest.mark.parametrize(
    "field,value",
    [
        ("official_area", ("areas", "hp_s1")),  # another district's street
        ("official_area", ("areas", "xh_c1")),  # a community: not a level offered
        ("org", ("orgs", "hp_c1_b")),  # an org out of sight
        ("official_area", "abc"),
    ],
)
def test_contact_point_with_what_was_not_offered_is_refused(client, territory, field, value):
    territory.client_for(client, "xh_s1_staff")
    posted = getattr(territory, value[0])[value[1]].pk if isinstance(value, tuple) else value
    response = client.post(
        reverse("orglife:contact_point_new"), _contact_point(territory, **{field: posted})
    )
    _refused(response, field)
    assert "刘主任" in response.content.decode()  # what was typed is kept
    assert not ContactPoint.objects.exists()


def test_household_link_in_a_candidate_grid_and_one_out_of_scope(client, life, territory):
    territory.client_for(client, "xh_c1_secretary")
    member = life.members["wang"]
    data = {"member": member.pk, "household": "3号楼201室", "started_on": str(day(2))}
    for grid in ("xh_c1", "hp_c1"):  # a community, not a grid; another district's area
        response = client.post(
            reverse("orglife:household_link_new"), {**data, "grid": territory.areas[grid].pk}
        )
        _refused(response, "grid")
        assert not HouseholdLink.objects.exists()
    grid = territory.areas["xh_g1"]
    response = client.post(reverse("orglife:household_link_new"), {**data, "grid": grid.pk})
    assert response.status_code == 302
    assert HouseholdLink.objects.get().grid == grid


def test_household_link_member_is_picked_among_members_in_sight(client, life, territory):
    """The party member is a picker too (`household-members`): members of open orgs in
    sight, by id; one out of sight is refused on the field and nothing is linked."""
    from jiceng.members.models import Member

    user = territory.users["xh_c1_secretary"]
    offered_ids = {m.pk for m in offered(get_picker("household-members"), user, params={})}
    visible = scope_for(user).filter(Member.objects.filter(org__closed_on__isnull=True))
    assert offered_ids == {m.pk for m in visible}
    territory.client_for(client, "xh_c1_secretary")
    stranger = Member.objects.exclude(pk__in=offered_ids).first()
    assert stranger is not None
    data = {"household": "3号楼201室", "started_on": str(day(2))}
    data["grid"] = territory.areas["xh_g1"].pk
    response = client.post(reverse("orglife:household_link_new"), {**data, "member": stranger.pk})
    _refused(response, "member")
    assert not HouseholdLink.objects.exists()


def test_issue_in_a_candidate_community_and_one_out_of_scope(client, territory):
    territory.client_for(client, "xh_c1_secretary")
    url = reverse("orglife:issue_new")
    for community in ("xh_c2", "hp_c1", "xh_s1"):  # another community, district, a street
        response = client.post(
            url, {"community": territory.areas[community].pk, "text": "路灯不亮"}
        )
        _refused(response, "community", "issue_form")
        assert not Issue.objects.exists()
    response = client.post(url, {"community": territory.areas["xh_c1"].pk, "text": "路灯不亮"})
    assert response.status_code == 302
    assert Issue.objects.get().community == territory.areas["xh_c1"]


def test_topic_with_candidates_and_with_an_org_not_offered(client, territory):
    territory.client_for(client, "xh_c1_secretary")
    url = reverse("orglife:topic_new")
    data = {"community": territory.areas["xh_c1"].pk, "title": "加装电梯"}
    # An org at a street (not a community's level) and one out of sight.
    for org in ("xh_s1_wc", "hp_c1_b"):
        response = client.post(url, {**data, "org": territory.orgs[org].pk})
        _refused(response, "org", "topic_form")
        assert "加装电梯" in response.content.decode()
        assert not Topic.objects.exists()
    response = client.post(url, {**data, "org": territory.orgs["xh_c1_gb"].pk})
    topic = Topic.objects.get()
    assert response.status_code == 302 and topic.org == territory.orgs["xh_c1_gb"]


def test_meeting_org_is_picked_and_one_not_offered_is_refused(client, life, territory):
    territory.client_for(client, "xh_c1_secretary")
    url = reverse("orglife:meeting_new")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{territory.orgs["xh_c1_b1"].pk}">' in html
    assert f'value="{territory.orgs["hp_c1_b"].pk}"' not in html
    facts = {"kind": "member_meeting", "held_on": str(day(3)), "topic": "学习"}
    for org in (territory.orgs["hp_c1_b"].pk, territory.orgs["xh_s1_wc"].pk, "abc"):
        _refused(client.get(url, {"org": org}), "org")
        _refused(client.post(f"{url}?org={org}", facts), "org")
    assert not Meeting.objects.exists()
    chosen = f"{url}?org={territory.orgs['xh_c1_b1'].pk}"
    assert client.get(chosen).status_code == 200
    response = client.post(chosen, facts)
    assert response.status_code == 302
    assert Meeting.objects.get().org == territory.orgs["xh_c1_b1"]


def test_pages_offer_no_form_to_those_with_no_candidates(client, territory):
    """A community's secretary manages no street or district: no contact point form; a
    unit org's secretary manages no community: no issue or topic form."""
    territory.client_for(client, "xh_c1_secretary")
    page = client.get(reverse("orglife:contact_points"))
    assert page.status_code == 200 and 'name="official_area"' not in page.content.decode()
    territory.client_for(client, "xh_unit_secretary")
    page = client.get(reverse("orglife:topics"))
    assert page.status_code == 200 and 'name="community"' not in page.content.decode()
