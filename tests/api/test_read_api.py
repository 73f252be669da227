"""Reads through the API: /me, filters, breadcrumb, pagination, display labels, OpenAPI."""

import pytest

from tests.api.visibility import keys_of


def _keys(client, territory, group: str, url: str, params: dict | None = None) -> list:
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return [keys_of(territory, group, [row["id"]]).pop() for row in response.json()["items"]]


# ---- /me ---------------------------------------------------------------------------------


def test_me_names_each_role_with_its_area_anchor(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    me = client.get("/api/me").json()
    assert (me["username"], me["full_name"], me["totp_required"]) == (
        "xh_s1_staff",
        "xh_s1_staff",
        False,
    )
    area = territory.areas["xh_s1"]
    assert me["roles"] == [
        {
            "role": "street_staff",
            "role_display": "街道工作人员",
            "anchor": {
                "type": "area",
                "id": area.pk,
                "name": "湖南路街道",
                "level": "street",
                "level_display": "街道（镇）",
            },
            "area_id": area.pk,
            "org_id": None,
        }
    ]


def test_me_names_an_org_anchor_by_its_kind(client, territory):
    client.force_login(territory.users["xh_unit_secretary"])
    (role,) = client.get("/api/me").json()["roles"]
    org = territory.orgs["xh_unit_org"]
    assert role["role_display"] == "单位党组织书记"
    assert role["anchor"] == {
        "type": "org",
        "id": org.pk,
        "name": org.name,
        "level": "branch",
        "level_display": "党支部",
    }
    assert (role["area_id"], role["org_id"]) == (None, org.pk)


def test_me_says_when_the_deployment_requires_totp(client, territory, settings):
    from django_otp.oath import totp

    from jiceng.accounts.services import totp_device_create

    settings.TOTP_REQUIRED_ROLES = ["district_admin"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = totp_device_create(actor=None, user=territory.users["xh_admin"], name="phone")
    client.force_login(territory.users["xh_admin"])
    # However the session was opened, the API answers nothing before the second factor.
    assert client.get("/api/me").json()["code"] == "second_factor_required"
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client.post("/accounts/verify/", {"code": code})
    me = client.get("/api/me").json()
    assert (me["totp_required"], me["totp_verified"]) == (True, True)
    client.force_login(territory.users["xh_s1_staff"])
    assert client.get("/api/me").json()["totp_required"] is False


def test_me_of_an_account_without_roles(client, territory):
    client.force_login(territory.users["nobody"])
    assert client.get("/api/me").json()["roles"] == []


# ---- areas ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ["xh", "xh_s1", "xh_c1", "xh_g1", "xh_g2", "xh_c2", "xh_s2", "xh_c3"]),
        ({"level": "community"}, ["xh_c1", "xh_c2", "xh_c3"]),
        ({"parent": "xh_s1"}, ["xh_c1", "xh_c2"]),
        ({"q": "路"}, ["xh_s1", "xh_c1", "xh_c2", "xh_s2", "xh_c3"]),
        ({"q": "310104003"}, ["xh_s1", "xh_c1", "xh_g1", "xh_g2", "xh_c2"]),
        ({"level": "grid", "q": "第二"}, ["xh_g2"]),
    ],
)
def test_area_filters(client, territory, params, expected):
    client.force_login(territory.users["xh_admin"])
    if "parent" in params:
        params = {**params, "parent": territory.areas[params["parent"]].pk}
    assert _keys(client, territory, "areas", "/api/areas", params) == expected


def test_area_detail_has_only_the_visible_breadcrumb(client, territory):
    grid = territory.areas["xh_g1"]
    client.force_login(territory.users["xh_s1_staff"])
    body = client.get(f"/api/areas/{grid.pk}").json()
    assert (body["name"], body["level"], body["level_display"]) == ("第一网格", "grid", "网格")
    assert [a["name"] for a in body["breadcrumb"]] == [
        "湖南路街道",
        "复兴西路社区居委会",
        "第一网格",
    ]
    client.force_login(territory.users["city_admin"])
    crumbs = client.get(f"/api/areas/{grid.pk}").json()["breadcrumb"]
    assert [a["level"] for a in crumbs] == ["city", "district", "street", "community", "grid"]


def test_area_children(client, territory):
    client.force_login(territory.users["xh_c1_secretary"])
    url = f"/api/areas/{territory.areas['xh_c1'].pk}/children"
    assert _keys(client, territory, "areas", url) == ["xh_g1", "xh_g2"]


def test_pagination_is_a_stable_slice_with_a_maximum(client, territory):
    client.force_login(territory.users["xh_admin"])
    page = client.get("/api/areas", {"limit": 3, "offset": 3}).json()
    assert page["count"] == 8
    assert keys_of(territory, "areas", [a["id"] for a in page["items"]]) == {
        "xh_g1",
        "xh_g2",
        "xh_c2",
    }
    for url in ("/api/areas", "/api/orgs", "/api/units"):
        too_big = client.get(url, {"limit": 501})
        assert too_big.status_code == 422 and too_big.json()["field"] == "limit", url


def test_bad_filter_value_names_the_field(client, territory):
    client.force_login(territory.users["xh_admin"])
    for url, field in (("/api/areas", "level"), ("/api/orgs", "kind"), ("/api/units", "kind")):
        response = client.get(url, {field: "nonsense"})
        assert response.status_code == 422, url
        assert response.json()["code"] == "invalid" and response.json()["field"] == field


# ---- orgs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"area": "xh_c1"}, ["xh_c1_gb", "xh_c1_b1", "xh_joint", "xh_unit_org", "xh_unit_group"]),
        ({"area": "xh_g1"}, ["xh_c1_b1"]),
        ({"parent": "xh_s1_wc"}, ["xh_c1_gb", "xh_joint", "xh_unit_org"]),
        ({"kind": "branch"}, ["xh_c1_b1", "xh_unit_org"]),
        ({"domain": "private_enterprise"}, ["xh_joint", "xh_unit_org", "xh_unit_group"]),
        ({"q": "联合"}, ["xh_joint"]),
        ({"kind": "branch", "domain": "community"}, ["xh_c1_b1"]),
    ],
)
def test_org_filters(client, territory, params, expected):
    client.force_login(territory.users["xh_admin"])
    if "area" in params:
        params = {**params, "area": territory.areas[params["area"]].pk}
    if "parent" in params:
        params = {**params, "parent": territory.orgs[params["parent"]].pk}
    assert sorted(_keys(client, territory, "orgs", "/api/orgs", params)) == sorted(expected)


def test_org_detail_carries_chinese_labels(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    body = client.get(f"/api/orgs/{territory.orgs['xh_joint'].pk}").json()
    assert {k: body[k] for k in ("kind", "kind_display", "domain_display", "form_display")} == {
        "kind": "joint_branch",
        "kind_display": "联合党支部",
        "domain_display": "非公企业",
        "form_display": "联合组建",
    }
    assert body["area_name"] == "复兴西路社区居委会"
    assert body["parent_id"] == territory.orgs["xh_s1_wc"].pk


def test_org_children(client, territory):
    client.force_login(territory.users["xh_unit_secretary"])
    url = f"/api/orgs/{territory.orgs['xh_unit_org'].pk}/children"
    assert _keys(client, territory, "orgs", url) == ["xh_unit_group"]


# ---- units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"kind": "private_enterprise"}, 6),
        ({"kind": "agency"}, 0),
        ({"q": "咖啡"}, {"xh_joint1"}),
        ({"area": "xh_s2"}, {"xh_new", "xh_plain"}),
        ({"area": "xh_c1", "coverage": "joint", "q": "复兴"}, {"xh_joint2"}),
    ],
)
def test_unit_filters(client, territory, params, expected):
    client.force_login(territory.users["xh_admin"])
    if "area" in params:
        params = {**params, "area": territory.areas[params["area"]].pk}
    keys = set(_keys(client, territory, "units", "/api/units", params))
    assert (len(keys) if isinstance(expected, int) else keys) == expected


def test_unit_search_by_credit_code(client, territory):
    client.force_login(territory.users["xh_admin"])
    code = territory.units["xh_plain"].uscc
    assert _keys(client, territory, "units", "/api/units", {"q": f" {code.lower()} "}) == [
        "xh_plain"
    ]


def test_units_are_ordered_by_name(client, territory):
    client.force_login(territory.users["xh_admin"])
    names = [u["name"] for u in client.get("/api/units").json()["items"]]
    assert names == sorted(names) and len(names) == 6


def test_unit_detail_fields(client, territory):
    client.force_login(territory.users["xh_unit_secretary"])
    unit = territory.units["xh_own"]
    body = client.get(f"/api/units/{unit.pk}").json()
    assert body["uscc"] == unit.uscc
    assert (body["kind"], body["kind_display"]) == ("private_enterprise", "非公企业")
    assert (body["coverage"], body["coverage_display"]) == ("own", "单独建立党组织")
    assert body["own_org_id"] == territory.orgs["xh_unit_org"].pk
    assert (body["employees"], body["formal_members"], body["must_form_own_org"]) == (
        120,
        8,
        False,
    )
    assert body["area_name"] == "复兴西路社区居委会" and body["closed_on"] is None


# ---- OpenAPI -------------------------------------------------------------------------------


def test_openapi_lists_the_paths_and_the_docs_render(client, territory):
    client.force_login(territory.users["xh_admin"])
    schema = client.get("/api/openapi.json").json()
    paths = {path: set(ops) for path, ops in schema["paths"].items()}
    expected = {
        "/api/me": {"get"},
        "/api/areas": {"get"},
        "/api/areas/{area_id}": {"get"},
        "/api/areas/{area_id}/children": {"get"},
        "/api/orgs": {"get", "post"},
        "/api/orgs/{org_id}": {"get", "patch"},
        "/api/orgs/{org_id}/children": {"get"},
        "/api/orgs/{org_id}/close": {"post"},
        "/api/units": {"get", "post"},
        "/api/units/{unit_id}": {"get", "patch"},
        "/api/units/{unit_id}/coverage": {"post"},
        "/api/coverage": {"get"},
    }
    assert {p: paths.get(p) for p in expected} == expected
    coverage = next(
        p for p in schema["paths"]["/api/units"]["get"]["parameters"] if p["name"] == "coverage"
    )
    assert coverage["schema"]["anyOf"][0]["enum"] == [
        "own",
        "joint",
        "uncovered",
        "must_form",
        "new_uncovered",
    ]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    # Served from the project's own static files: the strict CSP allows no CDN.
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content
    assert b"cdn." not in docs.content
