"""Orgs, units and coverage through the API: filters, writes, errors, query counts."""

import json

from jiceng.core.models import AuditEntry
from jiceng.core.validators import uscc_check_character
from jiceng.orgs import services
from jiceng.orgs.models import Unit


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_coverage_numbers_match_the_fixture(client, territory):
    client.force_login(territory.users["xh_admin"])
    body = client.get("/api/coverage").json()
    assert body["area_name"] == "徐汇区"
    assert (body["total"], body["own"], body["joint"], body["uncovered"]) == (6, 1, 2, 3)
    assert (body["must_form"], body["new_uncovered"]) == (1, 1)
    by_street = {row["area_name"]: row for row in body["children"]}
    assert by_street["湖南路街道"]["total"] == 4 and by_street["天平路街道"]["total"] == 2
    filtered = client.get("/api/units", {"coverage": "must_form"}).json()["items"]
    assert [u["name"] for u in filtered] == ["上海湖南路设计事务所有限公司"]
    bad = client.get("/api/units", {"coverage": "half"})
    assert bad.status_code == 400 and bad.json()["field"] == "coverage"


def test_unit_with_a_wrong_credit_code_names_the_field_and_writes_nothing(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    before = (Unit.objects.count(), AuditEntry.objects.count())
    body = {
        "name": "上海测试有限公司",
        "uscc": "91310104MA1FL00990",
        "kind": "private_enterprise",
        "area": territory.areas["xh_c1"].pk,
    }
    response = _post(client, "/api/units", body)
    assert response.status_code == 400
    assert response.json()["field"] == "uscc" and "统一社会信用代码" in response.json()["message"]
    assert (Unit.objects.count(), AuditEntry.objects.count()) == before
    body["uscc"] = body["uscc"][:17] + uscc_check_character(body["uscc"][:17])
    created = _post(client, "/api/units", body)
    assert created.status_code == 201 and created.json()["coverage"] == "uncovered"
    assert AuditEntry.objects.filter(action="create", target_type="orgs.unit").exists()


def test_writes_outside_the_territory_are_refused(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    body = {
        "name": "某公司",
        "uscc": "91310101MA1FL0099X",
        "kind": "private_enterprise",
        "area": territory.areas["hp_c1"].pk,
    }
    assert _post(client, "/api/units", body).status_code == 404
    client.force_login(territory.users["xh_resident"])
    body["area"] = territory.areas["xh_c1"].pk
    assert _post(client, "/api/units", body).status_code in (403, 404)


def test_org_close_keeps_history(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    joint = territory.orgs["xh_joint"]
    response = _post(client, f"/api/orgs/{joint.pk}/close", {"reason": "合并"})
    assert response.status_code == 200 and response.json()["closed_on"]
    assert joint.pk not in {o["id"] for o in client.get("/api/orgs").json()["items"]}
    with_closed = client.get("/api/orgs", {"include_closed": True}).json()["items"]
    assert joint.pk in {o["id"] for o in with_closed}


def test_me_lists_roles(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    me = client.get("/api/me").json()
    assert me["roles"][0]["role"] == "street_staff" and me["roles"][0]["area_name"] == "湖南路街道"


def test_openapi_lists_the_paths(client, territory):
    client.force_login(territory.users["xh_admin"])
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/areas", "/api/orgs", "/api/units", "/api/coverage", "/api/me"):
        assert path in paths
    assert client.get("/api/docs").status_code == 200


def test_list_query_counts_do_not_grow(client, territory):
    """No N+1: the number of queries of each list is the same for 6 rows as for 36."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(territory.users["xh_admin"])
    area = territory.areas["xh_c2"]

    def counts():
        result = {}
        for endpoint in ("/api/units", "/api/orgs", "/api/areas", "/api/coverage"):
            with CaptureQueriesContext(connection) as context:
                assert client.get(endpoint, {"limit": 100}).status_code == 200
            result[endpoint] = len(context.captured_queries)
        return result

    before = counts()
    for i in range(30):
        code = f"91310104MA1FL1{i:03d}"
        services.unit_create(
            actor=None,
            name=f"上海第{i}号有限公司",
            uscc=code + uscc_check_character(code),
            kind="private_enterprise",
            area=area,
        )
    assert counts() == before
    assert max(before.values()) <= 10
