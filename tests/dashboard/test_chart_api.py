"""The charts as JSON under /api/charts: the same data as the pages, scoped, with
query counts that do not grow with the data."""

import pytest

from jiceng.dashboard.charts import built

NOT_FOUND = {"code": "not_found", "message": "未找到或无权查看", "field": None}


def test_area_charts_are_the_registered_charts(client, world, cases):
    t = world.t
    client.force_login(t.users["xh_admin"])
    response = client.get(f"/api/charts/areas/{t.areas['xh'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert [c["key"] for c in body["charts"]] == [
        c["key"] for c in built(t.users["xh_admin"], t.areas["xh"])
    ]
    assert body["indicator_key"] == "appeals_open"
    assert body["indicator"]["type"] == "bar"  # a district: bars of its streets
    assert {"key": "members", "label": "党员"} in body["indicators"]
    months = next(c for c in body["charts"] if c["key"] == "appeals_months")
    assert months["series"][1] == {
        "name": "响应率",
        "type": "line",
        "unit": "%",
        "stack": None,
        "values": months["series"][1]["values"],
    }
    assert sum(months["series"][0]["values"]) == 4
    one = client.get(f"/api/charts/areas/{t.areas['xh'].pk}/appeals_months").json()
    assert one == months


def test_out_of_scope_and_unknown_answer_404(client, territory):
    client.force_login(territory.users["hp_admin"])
    xh = territory.areas["xh"].pk
    for url in (
        f"/api/charts/areas/{xh}",
        f"/api/charts/areas/{xh}/appeals_months",
        f"/api/charts/areas/{xh}/screen",
        f"/api/charts/areas/{xh}/indicators/members",
    ):
        response = client.get(url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), url
    hp = territory.areas["hp"].pk
    assert client.get(f"/api/charts/areas/{hp}/no_such_chart").status_code == 404
    assert client.get(f"/api/charts/areas/{hp}/indicators/no_such").status_code == 404
    # A grid worker may not see members: neither their chart nor their indicator.
    client.force_login(territory.users["xh_g1_worker"])
    grid = territory.areas["xh_g1"].pk
    assert client.get(f"/api/charts/areas/{grid}/members_status").status_code == 404
    assert client.get(f"/api/charts/areas/{grid}/indicators/members").status_code == 404
    assert client.get(f"/api/charts/areas/{grid}").status_code == 200


def test_anonymous_is_refused(client, territory):
    assert client.get(f"/api/charts/areas/{territory.areas['xh'].pk}").status_code == 401


def test_screen_data_holds_figures_charts_and_time(client, world, cases):
    t = world.t
    client.force_login(t.users["xh_admin"])
    body = client.get(f"/api/charts/areas/{t.areas['xh'].pk}/screen?indicator=members").json()
    assert body["area"] == {"id": t.areas["xh"].pk, "name": "徐汇区", "level": "district"}
    figures = {f["key"]: f["value"] for f in body["figures"]}
    assert figures["appeals_open"] == 3
    assert figures["units_all"] == 6
    assert body["indicator_key"] == "members"
    assert body["generated_at"]
    assert len(body["charts"]) >= 8


def test_indicator_list(client, territory):
    client.force_login(territory.users["xh_g1_worker"])
    keys = [i["key"] for i in client.get("/api/charts/indicators").json()]
    assert "appeals_open" in keys and "units_all" in keys and "members" not in keys


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/api/charts/areas/{pk}/screen", "/areas/{pk}/charts/"])
def test_query_count_does_not_grow_with_the_data(client, world, path):
    t = world.t
    client.force_login(t.users["xh_admin"])
    url = path.format(pk=t.areas["xh"].pk)
    client.get(url)  # warm: the session, the categories
    before = _queries(client, url)
    for n in range(5):
        world.intake(area_key=["xh_c3", "xh_g1", "xh_c2"][n % 3], text=f"第{n}栋楼道堆放杂物{n}")
    assert _queries(client, url) == before
    # 45, +5: the indicators of duty admission (2), assessment (1) and supervision (2).
    assert before <= 50, before
