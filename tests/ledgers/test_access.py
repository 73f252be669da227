"""Who may pull which ledger: core.scope alone decides. A ledger whose kind the viewer's
roles do not see, or an area or org out of sight, is 404 on the page and in the API —
success and denial from one setup; residents and party members as such pull none."""

import pytest
from django.urls import reverse

LEDGER = "member_register"


def _page(client, territory, user, area_key=None, key=LEDGER, org_key=None, suffix=""):
    client.force_login(territory.users[user])
    params = {}
    if area_key:
        params["area"] = territory.areas[area_key].pk
    if org_key:
        params["org"] = territory.orgs[org_key].pk
    url = reverse("ledgers:xlsx" if suffix == "xlsx" else "ledgers:ledger", args=[key])
    return client.get(url, params)


@pytest.mark.parametrize("suffix", ["", "xlsx"])
@pytest.mark.parametrize(
    "user,area_key,org_key,status",
    [
        ("xh_c1_secretary", "xh_c1", None, 200),
        ("xh_c1_secretary", "xh_c3", None, 404),  # another community
        ("xh_c1_secretary", "xh_s1", None, 404),  # the street above
        ("xh_c3_secretary", "xh_c1", None, 404),
        ("xh_s1_staff", "xh_c1", None, 200),
        ("hp_s1_staff", "xh_c1", None, 404),
        ("xh_unit_secretary", None, "xh_unit_org", 200),
        ("xh_unit_secretary", None, "xh_c1_b1", 404),
        ("xh_g1_worker", "xh_g1", None, 404),  # a grid worker sees no members' records
        ("xh_member", "xh_c1", None, 404),
        ("xh_resident", "xh_c1", None, 404),
        ("nobody", "xh_c1", None, 404),
    ],
)
def test_scope_decides(client, registered, user, area_key, org_key, status, suffix):
    territory, *_ = registered
    response = _page(client, territory, user, area_key, org_key=org_key, suffix=suffix)
    assert response.status_code == status


def test_api_answers_alike(client, registered):
    territory, *_ = registered
    client.force_login(territory.users["xh_c1_secretary"])
    own = client.get(f"/api/ledgers/{LEDGER}", {"area": territory.areas["xh_c1"].pk})
    other = client.get(f"/api/ledgers/{LEDGER}", {"area": territory.areas["xh_c3"].pk})
    missing = client.get("/api/ledgers/no_such_ledger", {"area": territory.areas["xh_c1"].pk})
    assert own.status_code == 200 and own.json()["count"] == 2
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    assert missing.status_code == 404


def test_grid_worker_pulls_appeals_but_not_members(client, territory):
    client.force_login(territory.users["xh_g1_worker"])
    listed = {x["key"] for x in client.get("/api/ledgers").json()}
    assert "appeals_received" in listed and "member_register" not in listed
    grid = territory.areas["xh_g1"].pk
    assert client.get("/api/ledgers/appeals_received", {"area": grid}).status_code == 200
    assert client.get("/api/ledgers/member_register", {"area": grid}).status_code == 404


def test_residents_and_members_have_no_ledgers(client, territory):
    for user in ("xh_resident", "xh_member"):
        client.force_login(territory.users[user])
        assert client.get("/api/ledgers").json() == []
        assert client.get(reverse("ledgers:index")).status_code == 404
        assert "台账</a>" not in client.get("/").content.decode()


def test_staff_find_ledgers_in_the_navigation(client, territory):
    for user in ("xh_s1_staff", "xh_unit_secretary", "xh_g1_worker"):
        client.force_login(territory.users[user])
        assert f'href="{reverse("ledgers:index")}"' in client.get("/").content.decode()
