"""Coverage through the API against the fixture's hand counts (tests/conftest.py):

xh (徐汇区) holds 6 units: own 1 (xh_own), joint 2 (xh_joint1, xh_joint2), uncovered 3
(xh_must, xh_new, xh_plain), of which must-form 1 (xh_must: 4 formal members) and new
uncovered 1 (xh_new: registered 3 days ago). By street: xh_s1 (湖南路) 4 = own 1, joint 2,
uncovered 1 (must-form); xh_s2 (天平路) 2 = uncovered 2 (new 1). hp (黄浦区) holds 1.
"""

import pytest

from tests.api.visibility import keys_of

FIELDS = ("total", "own", "joint", "uncovered", "must_form", "new_uncovered")


def _counts(row: dict) -> tuple[int, ...]:
    return tuple(row[f] for f in FIELDS)


def test_district_figures_and_one_row_per_street(client, territory):
    client.force_login(territory.users["xh_admin"])
    body = client.get("/api/coverage").json()  # default: the viewer's home area
    assert (body["area_id"], body["area_name"], body["area_level"]) == (
        territory.areas["xh"].pk,
        "徐汇区",
        "district",
    )
    assert _counts(body) == (6, 1, 2, 3, 1, 1)
    assert body["coverage_rate"] == pytest.approx(3 / 6)
    streets = {row["area_name"]: row for row in body["children"]}
    assert list(streets) == ["湖南路街道", "天平路街道"]  # ordered by code
    assert _counts(streets["湖南路街道"]) == (4, 1, 2, 1, 1, 0)
    assert _counts(streets["天平路街道"]) == (2, 0, 0, 2, 0, 1)
    assert streets["湖南路街道"]["coverage_rate"] == pytest.approx(3 / 4)
    assert streets["天平路街道"]["coverage_rate"] == 0


@pytest.mark.parametrize(
    "role, area_key, expected, children",
    [
        # A street's own figures, and per community: xh_joint2 sits in grid xh_g2 under
        # xh_c1, so xh_c1 holds 3.
        (
            "xh_s1_staff",
            "xh_s1",
            (4, 1, 2, 1, 1, 0),
            {"xh_c1": (3, 1, 2, 0, 0, 0), "xh_c2": (1, 0, 0, 1, 1, 0)},
        ),
        ("xh_admin", "xh_s2", (2, 0, 0, 2, 0, 1), {"xh_c3": (2, 0, 0, 2, 0, 1)}),
        # Units placed on the community itself belong to no grid row.
        (
            "xh_c1_secretary",
            "xh_c1",
            (3, 1, 2, 0, 0, 0),
            {"xh_g1": (0, 0, 0, 0, 0, 0), "xh_g2": (1, 0, 1, 0, 0, 0)},
        ),
        (
            "city_admin",
            "city",
            (7, 1, 2, 4, 1, 1),
            {"xh": (6, 1, 2, 3, 1, 1), "hp": (1, 0, 0, 1, 0, 0)},
        ),
        ("hp_s1_staff", "hp_s1", (1, 0, 0, 1, 0, 0), {"hp_c1": (1, 0, 0, 1, 0, 0)}),
        ("xh_g1_worker", "xh_g1", (0, 0, 0, 0, 0, 0), {}),
    ],
)
def test_figures_per_area(client, territory, role, area_key, expected, children):
    client.force_login(territory.users[role])
    body = client.get("/api/coverage", {"area": territory.areas[area_key].pk}).json()
    assert _counts(body) == expected
    rows = {r["area_id"]: _counts(r) for r in body["children"]}
    assert {k: rows.get(territory.areas[k].pk) for k in children} == children
    assert len(rows) == len(children)


@pytest.mark.parametrize(
    "role, home",
    [
        ("city_admin", "city"),
        ("xh_s1_staff", "xh_s1"),
        ("xh_c1_secretary", "xh_c1"),
        ("xh_c3_secretary", "xh_c3"),
        ("xh_g1_worker", "xh_g1"),
    ],
)
def test_default_area_is_the_viewers_home(client, territory, role, home):
    client.force_login(territory.users[role])
    assert client.get("/api/coverage").json()["area_id"] == territory.areas[home].pk


@pytest.mark.parametrize("role", ["xh_unit_secretary", "xh_member", "xh_resident", "nobody"])
def test_roles_without_units_or_territory_get_404(client, territory, role):
    """A resident sees the community but no units; a unit secretary sees units but no
    territory; neither gets figures, with or without an area."""
    client.force_login(territory.users[role])
    for params in ({}, {"area": territory.areas["xh_c1"].pk}):
        response = client.get("/api/coverage", params)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "coverage, expected",
    [
        ("own", {"xh_own"}),
        ("joint", {"xh_joint1", "xh_joint2"}),
        ("uncovered", {"xh_must", "xh_new", "xh_plain"}),
        ("must_form", {"xh_must"}),
        ("new_uncovered", {"xh_new"}),
    ],
)
def test_unit_list_coverage_filter_matches_the_figures(client, territory, coverage, expected):
    client.force_login(territory.users["xh_admin"])
    body = client.get("/api/units", {"coverage": coverage}).json()
    assert keys_of(territory, "units", [u["id"] for u in body["items"]]) == expected
    assert body["count"] == len(expected)


def test_unit_list_coverage_filter_inside_an_area(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    params = {"coverage": "uncovered", "area": territory.areas["xh_c2"].pk}
    items = client.get("/api/units", params).json()["items"]
    assert [(u["name"], u["coverage"], u["coverage_display"]) for u in items] == [
        ("上海湖南路设计事务所有限公司", "uncovered", "未覆盖")
    ]
    assert items[0]["must_form_own_org"] is True


def test_unknown_coverage_filter_names_the_field(client, territory):
    client.force_login(territory.users["xh_admin"])
    response = client.get("/api/units", {"coverage": "half"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and response.json()["field"] == "coverage"


def test_figures_follow_a_coverage_change(client, territory):
    """Setting a joint org on the must-form unit moves it from uncovered to joint; it
    stays on the must-form list (it still has no org of its own)."""
    client.force_login(territory.users["xh_s1_staff"])
    unit = territory.units["xh_must"]
    response = client.post(
        f"/api/units/{unit.pk}/coverage",
        {"covering_org": territory.orgs["xh_joint"].pk},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["coverage"] == "joint"
    client.force_login(territory.users["xh_admin"])
    assert _counts(client.get("/api/coverage").json()) == (6, 1, 3, 2, 1, 1)
