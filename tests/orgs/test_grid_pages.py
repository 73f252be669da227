"""Pages of grid posts (grid leaders, grid workers, lane chiefs) and big committees:
appoint and end, create and add, each refusal on its field, htmx partials, scope."""

import pytest
from django.urls import reverse

from jiceng.accounts.services import role_grant, user_create
from jiceng.core.models import AuditEntry
from jiceng.orgs import services
from jiceng.orgs.models import BigCommittee, GridPost, PartTimeMember
from jiceng.orgs.services import committees as committee_msgs
from jiceng.orgs.services import grids as grid_msgs
from tests.conftest import pick_search


def _errors(response) -> dict[str, list[str]]:
    return {k: [str(e) for e in v] for k, v in response.context["form"].errors.items()}


@pytest.fixture
def people(territory):
    """Two residents of 复兴西路 with accounts, whom the community may appoint."""
    made = []
    for name in ("zhang_wei", "li_na"):
        user = user_create(actor=None, username=name, password="x" * 12, check_password=False)
        role_grant(actor=None, user=user, role="resident", area=territory.areas["xh_c1"])
        made.append(user)
    return made


def _post(person, **changes) -> dict:
    return {"user": person.pk, "duty": "worker", "lane": "", "started_on": "2026-11-01", **changes}


def test_grid_list_and_appoint_a_lane_chief(client, territory, people):
    grid = territory.areas["xh_g1"]
    client.force_login(territory.users["xh_c1_secretary"])
    listing = client.get(reverse("orgs:grid_list")).content.decode()
    assert grid.name in listing
    url = reverse("orgs:grid_detail", args=[grid.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _post(people[0], duty="lane_chief", lane="武康路（湖南路—兴国路）"))
    assert response.status_code == 302
    post = GridPost.objects.get(grid=grid, user=people[0])
    assert post.duty == "lane_chief" and post.lane == "武康路（湖南路—兴国路）"
    assert AuditEntry.objects.filter(target_type="orgs.gridpost", target_id=str(post.pk)).exists()
    assert "武康路（湖南路—兴国路）" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"duty": "lane_chief", "lane": ""}, "lane", grid_msgs.MSG_LANE_REQUIRED),
        ({"duty": "worker", "lane": "武康路"}, "lane", grid_msgs.MSG_LANE_NOT_CHIEF),
        ({"duty": "leader"}, "duty", grid_msgs.MSG_GRID_LEADER_TAKEN),
        ({"duty": "lane_chief", "lane": "兴国路"}, "lane", grid_msgs.MSG_LANE_TAKEN),
        ({"duty": "worker", "person": 1}, "user", grid_msgs.MSG_POST_TWICE),
        ({"duty": ""}, "duty", None),
    ],
)
def test_appoint_refusals_show_on_their_field(client, territory, people, changes, field, message):
    grid = territory.areas["xh_g1"]
    services.grid_post_assign(actor=None, grid=grid, user=people[1], duty="leader")
    services.grid_post_assign(actor=None, grid=grid, user=people[1], duty="worker")
    services.grid_post_assign(
        actor=None, grid=grid, user=people[1], duty="lane_chief", lane="兴国路"
    )
    person = people[changes.pop("person", 0)]
    client.force_login(territory.users["xh_c1_secretary"])
    before = GridPost.objects.count(), AuditEntry.objects.count()
    response = client.post(reverse("orgs:grid_detail", args=[grid.pk]), _post(person, **changes))
    assert response.status_code == 422
    errors = _errors(response)
    if message:
        assert errors[field] == [str(message)]
    else:
        assert field in errors
    assert (GridPost.objects.count(), AuditEntry.objects.count()) == before


def test_end_a_post_with_htmx_swaps_the_list(client, territory, people):
    grid = territory.areas["xh_g1"]
    post = services.grid_post_assign(
        actor=None, grid=grid, user=people[0], duty="worker", started_on=None
    )
    client.force_login(territory.users["xh_c1_secretary"])
    url = reverse("orgs:grid_post_end", args=[post.pk])
    early = client.post(url, {"ended_on": "2000-01-01"}, HTTP_HX_REQUEST="true")
    assert str(grid_msgs.MSG_POST_END_BEFORE_START) in early.content.decode()
    response = client.post(url, {"ended_on": post.started_on.isoformat()}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="grid-posts">') and "<html" not in html
    post.refresh_from_db()
    assert post.ended_on == post.started_on
    again = client.post(url, {"ended_on": post.started_on.isoformat()}, HTTP_HX_REQUEST="true")
    assert str(grid_msgs.MSG_POST_ENDED) in again.content.decode()


def test_grid_pages_scope(client, territory, people):
    grid = territory.areas["xh_g1"]
    post = services.grid_post_assign(actor=None, grid=grid, user=people[0], duty="worker")
    client.force_login(territory.users["hp_s1_staff"])
    assert client.get(reverse("orgs:grid_detail", args=[grid.pk])).status_code == 404
    assert client.post(reverse("orgs:grid_post_end", args=[post.pk])).status_code == 404
    # The grid worker sees their grid but appoints no one: no form, and a post is refused.
    client.force_login(territory.users["xh_g1_worker"])
    assert client.get(reverse("orgs:grid_detail", args=[grid.pk])).status_code == 404
    client.force_login(territory.users["xh_c3_secretary"])
    assert client.get(reverse("orgs:grid_detail", args=[grid.pk])).status_code == 404
    # Another community's secretary cannot pick people outside their territory either.
    client.force_login(territory.users["xh_c1_secretary"])
    outsider = user_create(actor=None, username="outsider", password="x" * 12, check_password=False)
    role_grant(actor=None, user=outsider, role="resident", area=territory.areas["hp_c1"])
    refused = client.post(reverse("orgs:grid_detail", args=[grid.pk]), _post(outsider))
    assert refused.status_code == 422 and "user" in _errors(refused)
    assert not GridPost.objects.filter(user=outsider).exists()


def test_create_a_big_committee_and_add_and_end_part_time_members(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    url = reverse("orgs:committee_list")
    assert client.get(url).status_code == 200
    street = territory.areas["xh_s1"]
    wrong_level = client.post(
        url, {"area": territory.areas["xh_g1"].pk, "org": territory.orgs["xh_s1_wc"].pk}
    )
    assert wrong_level.status_code == 422 and "area" in _errors(wrong_level)
    response = client.post(url, {"area": street.pk, "org": territory.orgs["xh_s1_wc"].pk})
    committee = BigCommittee.objects.get(area=street)
    assert response.status_code == 302 and committee.name == "湖南路街道大党委"
    twice = client.post(url, {"area": street.pk, "org": territory.orgs["xh_s1_wc"].pk})
    assert _errors(twice)["area"] == [str(committee_msgs.MSG_COMMITTEE_EXISTS)]

    detail = reverse("orgs:committee_detail", args=[committee.pk])
    base = {"name": "赵刚", "position": "所长", "started_on": "2026-10-01", "unit": ""}
    no_unit = client.post(detail, {**base, "source": "unit"})
    assert no_unit.status_code == 422
    assert _errors(no_unit)["unit"] == [str(committee_msgs.MSG_SOURCE_UNIT)]
    no_name = client.post(detail, {**base, "name": " ", "source": "police"})
    assert no_name.status_code == 422 and "name" in _errors(no_name)
    assert client.post(detail, {**base, "source": "police"}).status_code == 302
    unit = territory.units["xh_own"]
    from_unit = {**base, "name": "钱芳", "source": "unit", "unit": unit.pk, "position": "总经理"}
    assert client.post(detail, from_unit).status_code == 302
    for source, name in (("owners_committee", "孙丽"), ("property_company", "周强")):
        assert client.post(detail, {**base, "name": name, "source": source}).status_code == 302
    members = PartTimeMember.objects.filter(committee=committee)
    assert sorted(members.values_list("source", flat=True)) == [
        "owners_committee",
        "police",
        "property_company",
        "unit",
    ]
    police = members.get(source="police")
    end = client.post(
        reverse("orgs:part_time_member_end", args=[police.pk]),
        {"ended_on": "2026-11-30"},
        HTTP_HX_REQUEST="true",
    )
    assert end.status_code == 200 and 'id="part-time-members"' in end.content.decode()
    police.refresh_from_db()
    assert police.ended_on.isoformat() == "2026-11-30"
    assert AuditEntry.objects.filter(target_id=str(police.pk), action="close").exists()


def test_committee_pages_scope(client, territory):
    committee = services.big_committee_create(
        actor=None, area=territory.areas["xh_s1"], org=territory.orgs["xh_s1_wc"]
    )
    member = services.part_time_member_add(
        actor=None, committee=committee, name="赵刚", source="police"
    )
    client.force_login(territory.users["hp_s1_staff"])
    assert client.get(reverse("orgs:committee_detail", args=[committee.pk])).status_code == 404
    end_url = reverse("orgs:part_time_member_end", args=[member.pk])
    assert client.post(end_url).status_code == 404
    # A community below the street does not see the street's committee.
    client.force_login(territory.users["xh_c1_secretary"])
    assert client.get(reverse("orgs:committee_detail", args=[committee.pk])).status_code == 404
    # District department staff see the committee but do not run it.
    staff = user_create(actor=None, username="dept", password="x" * 12, check_password=False)
    role_grant(actor=None, user=staff, role="department_staff", area=territory.areas["xh"])
    client.force_login(staff)
    page = client.get(reverse("orgs:committee_detail", args=[committee.pk]))
    assert page.status_code == 200 and page.context["form"] is None
    # Part-time members are people, which department staff do not see at all.
    assert client.post(end_url).status_code == 404
    assert (
        client.post(
            reverse("orgs:committee_detail", args=[committee.pk]),
            {"name": "某", "source": "police", "started_on": "2026-10-01"},
        ).status_code
        == 403
    )


def test_people_and_units_are_chosen_by_search_among_the_viewers_own(client, territory, people):
    """The person for a grid duty and a part-time member's unit are pickers: typing finds
    them among the viewer's candidates only, and a posted id outside them is refused on
    its field with nothing written."""
    client.force_login(territory.users["xh_c1_secretary"])
    found = pick_search(client, "post-people", "li_n").content.decode()
    assert f'<option value="{people[1].pk}">li_na（li_na）' in found
    assert f'value="{people[0].pk}"' not in found
    page = client.get(reverse("orgs:grid_detail", args=[territory.areas["xh_g1"].pk]))
    # Two candidates: both in the select, no search needed.
    assert all(f'<option value="{p.pk}">' in page.content.decode() for p in people)

    committee = services.big_committee_create(
        actor=None, area=territory.areas["xh_s1"], org=territory.orgs["xh_s1_wc"]
    )
    client.force_login(territory.users["xh_s1_staff"])
    area = {"area": committee.area_id}
    own = pick_search(client, "committee-units", territory.units["xh_own"].uscc, **area)
    own = own.content.decode()
    assert f'value="{territory.units["xh_own"].pk}"' in own
    # Another street's unit is never offered, whatever area the query names.
    elsewhere = territory.units["hp_plain"]
    for params in (area, {"area": elsewhere.area_id}):
        offered = pick_search(client, "committee-units", elsewhere.name, **params)
        offered = offered.content.decode()
        assert f'value="{elsewhere.pk}"' not in offered
    detail = reverse("orgs:committee_detail", args=[committee.pk])
    data = {"name": "钱芳", "source": "unit", "unit": elsewhere.pk, "started_on": "2026-10-01"}
    refused = client.post(detail, data)
    assert refused.status_code == 422 and "unit" in _errors(refused)
    assert not PartTimeMember.objects.filter(committee=committee).exists()
