"""The scope matrix: each role × every object of the fixture at each level (district,
street, community, grid areas; orgs; units), in and out of scope, through the API, the
pages and the coverage export. Out of scope answers 404 exactly like a missing id, and
every list holds exactly the visible set."""

import pytest

from jiceng.core.models import AuditEntry
from tests.api.visibility import AREAS, ORGS, UNITS, VISIBLE, keys_of, pk_of

NOT_FOUND = {"code": "not_found", "message": "未找到或无权查看", "field": None}
MISSING_ID = 987654321

# The roles of the brief plus a second street and community, so "out of scope" is also
# tested sideways (a neighbouring street), not only upwards.
ROLES = list(VISIBLE)


def _api_urls(kind: str, pk: int) -> list[str]:
    return {
        "area": [f"/api/areas/{pk}", f"/api/areas/{pk}/children"],
        "org": [f"/api/orgs/{pk}", f"/api/orgs/{pk}/children"],
        "unit": [f"/api/units/{pk}"],
    }[kind]


def _page_url(kind: str, pk: int) -> str:
    return {"area": f"/areas/{pk}/", "org": f"/orgs/{pk}/", "unit": f"/orgs/units/{pk}/"}[kind]


OBJECTS = [("area", k) for k in AREAS] + [("org", k) for k in ORGS] + [("unit", k) for k in UNITS]


def test_the_table_names_fixture_accounts_and_objects(territory):
    assert set(VISIBLE) <= set(territory.users)
    assert set(AREAS) == set(territory.areas) and set(ORGS) == set(territory.orgs)
    assert set(UNITS) == set(territory.units)


@pytest.mark.parametrize("role", ROLES)
def test_details_answer_200_in_scope_and_404_outside(client, territory, role):
    """Every object × its detail endpoints and page: the observed statuses equal the
    hand table, compared as a whole so a failure shows every wrong cell at once."""
    client.force_login(territory.users[role])
    sight = VISIBLE[role]
    expected, observed, bodies = {}, {}, []
    for kind, key in OBJECTS:
        pk = pk_of(territory, key)
        status = 200 if sight.sees(key) else 404
        for url in _api_urls(kind, pk):
            expected[(key, url)] = status
            response = client.get(url)
            observed[(key, url)] = response.status_code
            if response.status_code == 404:
                bodies.append(response.json())
        expected[(key, "page")] = status
        observed[(key, "page")] = client.get(_page_url(kind, pk)).status_code
    assert observed == expected
    # Out of scope is indistinguishable from missing: the same body.
    for kind in ("area", "org", "unit"):
        missing = client.get(_api_urls(kind, MISSING_ID)[0])
        assert (missing.status_code, missing.json()) == (404, NOT_FOUND)
    assert all(body == NOT_FOUND for body in bodies)


@pytest.mark.parametrize("role", ROLES)
def test_lists_hold_exactly_the_visible_objects(client, territory, role):
    client.force_login(territory.users[role])
    sight = VISIBLE[role]

    def ids(url: str) -> list[int]:
        response = client.get(url, {"limit": 500})
        assert response.status_code == 200, url
        body = response.json()
        assert body["count"] == len(body["items"])
        return [row["id"] for row in body["items"]]

    seen = {
        "areas": keys_of(territory, "areas", ids("/api/areas")),
        "orgs": keys_of(territory, "orgs", ids("/api/orgs")),
        "units": keys_of(territory, "units", ids("/api/units")),
    }
    assert seen == {"areas": sight.areas, "orgs": sight.orgs, "units": sight.units}


@pytest.mark.parametrize("role", ROLES)
def test_filters_cannot_reach_outside_the_scope(client, territory, role):
    """A filter naming an out-of-scope area or org is a 404, not an empty page: the
    answer must not tell whether the id exists."""
    client.force_login(territory.users[role])
    sight = VISIBLE[role]
    hp, hp_org = pk_of(territory, "hp_s1"), pk_of(territory, "hp_s1_wc")
    outside = "hp_s1" not in sight.areas
    for url, params in (
        ("/api/areas", {"parent": hp}),
        ("/api/orgs", {"area": hp}),
        ("/api/units", {"area": hp}),
        ("/api/coverage", {"area": hp}),
    ):
        response = client.get(url, params)
        if outside:
            assert (response.status_code, response.json()) == (404, NOT_FOUND), url
    response = client.get("/api/orgs", {"parent": hp_org})
    assert response.status_code == (200 if "hp_s1_wc" in sight.orgs else 404)


# Exports need both the area and the units in sight.
EXPORTERS = {
    "city_admin",
    "xh_admin",
    "xh_s1_staff",
    "hp_s1_staff",
    "xh_c1_secretary",
    "xh_c3_secretary",
    "xh_g1_worker",
}


@pytest.mark.parametrize("role", ROLES)
def test_coverage_export_follows_the_scope(client, territory, role):
    client.force_login(territory.users[role])
    expected, observed = {}, {}
    for key in ("xh", "xh_s1", "xh_c1", "xh_g1", "hp_s1"):
        before = AuditEntry.objects.filter(action="export").count()
        response = client.get("/orgs/coverage/export.xlsx", {"area": pk_of(territory, key)})
        allowed = role in EXPORTERS and key in VISIBLE[role].areas
        expected[key] = (200, 1) if allowed else (404, 0)
        after = AuditEntry.objects.filter(action="export").count()
        observed[key] = (response.status_code, after - before)
    assert observed == expected


ANONYMOUS_CALLS = [
    ("get", "/api/me"),
    ("get", "/api/areas"),
    ("get", "/api/areas/1"),
    ("get", "/api/areas/1/children"),
    ("get", "/api/orgs"),
    ("get", "/api/orgs/1"),
    ("get", "/api/orgs/1/children"),
    ("post", "/api/orgs"),
    ("patch", "/api/orgs/1"),
    ("post", "/api/orgs/1/close"),
    ("get", "/api/units"),
    ("get", "/api/units/1"),
    ("post", "/api/units"),
    ("patch", "/api/units/1"),
    ("post", "/api/units/1/coverage"),
    ("get", "/api/coverage"),
]


@pytest.mark.parametrize("method, url", ANONYMOUS_CALLS)
def test_anonymous_gets_401_in_the_error_shape(client, db, method, url):
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, "{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": "请先登录", "field": None}
