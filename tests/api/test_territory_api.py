"""The API operations beside the territory's pages: moving orgs and units, grid posts
(lane chiefs included), big committees and part-time members. Same services, same
error shape {"code","message","field"}, scope as on the pages; list endpoints and
pages keep their query count as rows grow."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.accounts.services import role_grant, user_create
from jiceng.core.models import AuditEntry
from jiceng.orgs import services
from jiceng.orgs.models import GridPost, PartTimeMember
from jiceng.orgs.services import grids as grid_msgs
from jiceng.orgs.services import party_orgs as org_msgs
from jiceng.orgs.services import units as unit_msgs

NOT_FOUND = {"code": "not_found", "message": "未找到或无权查看", "field": None}
FORBIDDEN = {"code": "forbidden", "message": "无权执行此操作", "field": None}


def _post(client, url: str, data: dict):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def people(territory):
    made = []
    for i in range(3):
        user = user_create(
            actor=None, username=f"person{i}", password="x" * 12, check_password=False
        )
        role_grant(actor=None, user=user, role="resident", area=territory.areas["xh_c1"])
        made.append(user)
    return made


def test_move_an_org_through_the_api(client, territory):
    branch = territory.orgs["xh_unit_org"]
    client.force_login(territory.users["xh_s1_staff"])
    url = f"/api/orgs/{branch.pk}/move"
    same = _post(client, url, {"parent": branch.parent_id})
    assert same.status_code == 400
    assert same.json() == {
        "code": "org_move_nothing",
        "message": str(org_msgs.MSG_MOVE_NOTHING),
        "field": "parent",
    }
    into_self = _post(client, url, {"parent": territory.orgs["xh_unit_group"].pk})
    assert into_self.json()["field"] == "parent" and into_self.status_code == 400
    # Another street's org or community: out of sight, 404, nothing moves.
    assert _post(client, url, {"parent": territory.orgs["hp_s1_wc"].pk}).json() == NOT_FOUND
    other_street = {"parent": branch.parent_id, "area": territory.areas["xh_c3"].pk}
    assert _post(client, url, other_street).status_code == 404
    moved = _post(client, url, {"parent": territory.orgs["xh_c1_gb"].pk})
    assert moved.status_code == 200 and moved.json()["parent_id"] == territory.orgs["xh_c1_gb"].pk
    territory.orgs["xh_unit_group"].refresh_from_db()
    assert territory.orgs["xh_unit_group"].path.startswith(
        moved.json() and territory.orgs["xh_c1_gb"].path
    )


def test_a_district_moves_an_org_between_its_streets(client, territory):
    org = territory.orgs["xh_c1_b1"]
    client.force_login(territory.users["xh_admin"])
    response = _post(
        client,
        f"/api/orgs/{org.pk}/move",
        {"parent": territory.orgs["xh_s1_wc"].pk, "area": territory.areas["xh_c3"].pk},
    )
    assert response.status_code == 200 and response.json()["area_id"] == territory.areas["xh_c3"].pk
    entry = AuditEntry.objects.filter(action="move", target_id=str(org.pk)).get()
    assert entry.changes["area"]["old"] == territory.areas["xh_g1"].pk


def test_move_a_unit_through_the_api(client, territory):
    unit = territory.units["xh_joint2"]
    client.force_login(territory.users["xh_admin"])
    url = f"/api/units/{unit.pk}/move"
    leaves_cover = _post(client, url, {"area": territory.areas["xh_c3"].pk})
    assert leaves_cover.status_code == 400
    assert leaves_cover.json() == {
        "code": "org_cover_territory",
        "message": str(unit_msgs.MSG_COVER_TERRITORY),
        "field": "area",
    }
    ok = _post(client, url, {"area": territory.areas["xh_c2"].pk})
    assert ok.status_code == 200 and ok.json()["area_id"] == territory.areas["xh_c2"].pk
    client.force_login(territory.users["xh_c1_secretary"])
    # The unit is now in 武康路, out of 复兴西路's sight.
    assert _post(client, url, {"area": territory.areas["xh_c1"].pk}).json() == NOT_FOUND


def test_grid_posts_through_the_api(client, territory, people):
    grid = territory.areas["xh_g1"]
    client.force_login(territory.users["xh_c1_secretary"])
    url = f"/api/grids/{grid.pk}/posts"
    no_lane = _post(client, url, {"user": people[0].pk, "duty": "lane_chief"})
    assert no_lane.status_code == 400
    assert no_lane.json() == {
        "code": "org_lane_required",
        "message": str(grid_msgs.MSG_LANE_REQUIRED),
        "field": "lane",
    }
    created = _post(
        client,
        url,
        {"user": people[0].pk, "duty": "lane_chief", "lane": "复兴西路（武康路—乌鲁木齐南路）"},
    )
    assert created.status_code == 201
    assert created.json()["duty_display"] == "街巷长"
    taken = _post(
        client,
        url,
        {"user": people[1].pk, "duty": "lane_chief", "lane": "复兴西路（武康路—乌鲁木齐南路）"},
    )
    assert taken.status_code == 409 and taken.json()["field"] == "lane"
    stranger = user_create(actor=None, username="stranger", password="x" * 12, check_password=False)
    unknown = _post(client, url, {"user": stranger.pk, "duty": "worker"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "user"
    listed = client.get(url).json()
    assert [p["lane"] for p in listed["items"]] == ["复兴西路（武康路—乌鲁木齐南路）"]
    post_id = created.json()["id"]
    ended = _post(client, f"/api/grid-posts/{post_id}/end", {})
    assert ended.status_code == 200 and ended.json()["ended_on"]
    again = _post(client, f"/api/grid-posts/{post_id}/end", {})
    assert again.status_code == 409
    assert again.json() == {
        "code": "org_post_ended",
        "message": str(grid_msgs.MSG_POST_ENDED),
        "field": None,
    }
    client.force_login(territory.users["hp_s1_staff"])
    assert client.get(url).status_code == 404
    assert _post(client, f"/api/grid-posts/{post_id}/end", {}).json() == NOT_FOUND


def test_committees_through_the_api(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    street = territory.areas["xh_s1"].pk
    wrong = _post(
        client,
        "/api/committees",
        {"area": territory.areas["xh_g1"].pk, "org": territory.orgs["xh_s1_wc"].pk},
    )
    assert wrong.status_code == 400 and wrong.json()["field"] == "area"
    created = _post(
        client, "/api/committees", {"area": street, "org": territory.orgs["xh_s1_wc"].pk}
    )
    assert created.status_code == 201
    committee = created.json()["id"]
    url = f"/api/committees/{committee}/members"
    no_unit = _post(client, url, {"name": "钱芳", "source": "unit"})
    assert no_unit.status_code == 400 and no_unit.json()["field"] == "unit"
    bad_source = _post(client, url, {"name": "钱芳", "source": "friends"})
    assert bad_source.json()["field"] == "source"
    other_unit = _post(
        client, url, {"name": "钱芳", "source": "unit", "unit": territory.units["hp_plain"].pk}
    )
    assert other_unit.json() == NOT_FOUND
    for body in (
        {"name": "赵刚", "source": "police", "position": "所长"},
        {"name": "钱芳", "source": "unit", "unit": territory.units["xh_own"].pk},
        {"name": "孙丽", "source": "owners_committee"},
        {"name": "周强", "source": "property_company"},
    ):
        assert _post(client, url, {**body, "started_on": "2026-10-01"}).status_code == 201
    members = client.get(url).json()["items"]
    assert len(members) == 4
    police = next(m for m in members if m["source"] == "police")
    early = _post(client, f"/api/part-time-members/{police['id']}/end", {"ended_on": "2026-09-30"})
    assert early.status_code == 400 and early.json()["field"] == "ended_on"
    ended = _post(client, f"/api/part-time-members/{police['id']}/end", {"ended_on": "2026-11-30"})
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-11-30"
    assert [c["id"] for c in client.get("/api/committees").json()["items"]] == [committee]
    client.force_login(territory.users["hp_s1_staff"])
    assert client.get(url).json() == NOT_FOUND
    assert client.get("/api/committees").json()["items"] == []


def _grow(territory, people, n: int) -> None:
    grid = territory.areas["xh_g1"]
    committee = (
        services.big_committee_create(
            actor=None, area=territory.areas["xh_s1"], org=territory.orgs["xh_s1_wc"]
        )
        if not hasattr(territory, "committee")
        else territory.committee
    )
    territory.committee = committee
    start = GridPost.objects.filter(grid=grid).count()
    for i in range(n):
        services.grid_post_assign(
            actor=None, grid=grid, user=people[i % 3], duty="lane_chief", lane=f"第{start + i}段"
        )
        services.part_time_member_add(
            actor=None,
            committee=committee,
            name=f"委员{start + i}",
            source="unit",
            unit=territory.units["xh_own"],
        )


def test_lists_and_pages_keep_their_query_count(client, territory, people):
    _grow(territory, people, 2)
    client.force_login(territory.users["xh_s1_staff"])
    grid = territory.areas["xh_g1"]
    committee = territory.committee
    urls = [
        f"/api/grids/{grid.pk}/posts?limit=500",
        "/api/committees?limit=500",
        f"/api/committees/{committee.pk}/members?limit=500",
        reverse("orgs:grid_list") + f"?area={territory.areas['xh_s1'].pk}",
        reverse("orgs:grid_detail", args=[grid.pk]),
        reverse("orgs:committee_list"),
        reverse("orgs:committee_detail", args=[committee.pk]),
    ]
    client.get("/api/me")

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as context:
                assert client.get(url).status_code == 200, url
            found.append(len(context.captured_queries))
        return found

    before = counts()
    _grow(territory, people, 20)
    assert counts() == before
    assert PartTimeMember.objects.count() == 22
