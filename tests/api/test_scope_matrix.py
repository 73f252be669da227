"""The scope matrix: each role × objects at each level, in and out of scope, through the
API, the pages and the export. Out of scope answers 404, exactly like a missing id."""

import pytest

AREAS = ["xh", "xh_s1", "xh_c1", "xh_g1", "xh_s2", "xh_c3", "hp_s1"]
ORGS = ["xh_c1_b1", "xh_unit_org", "hp_c1_b"]
UNITS = ["xh_own", "xh_plain", "hp_plain"]

# What each role sees, by the fixture's keys (tests/conftest.py).
VISIBLE = {
    "city_admin": set(AREAS + ORGS + UNITS),
    "xh_admin": {"xh", "xh_s1", "xh_c1", "xh_g1", "xh_s2", "xh_c3", "xh_c1_b1", "xh_unit_org"}
    | {"xh_own", "xh_plain"},
    "xh_s1_staff": {"xh_s1", "xh_c1", "xh_g1", "xh_c1_b1", "xh_unit_org", "xh_own"},
    "xh_c1_secretary": {"xh_c1", "xh_g1", "xh_c1_b1", "xh_unit_org", "xh_own"},
    "xh_g1_worker": {"xh_g1", "xh_c1_b1"},
    "xh_unit_secretary": {"xh_unit_org", "xh_own"},
    "xh_member": {"xh_c1_b1"},
    "xh_resident": {"xh_c1", "xh_g1"},
    "nobody": set(),
}
# Exports need both the area and the units in sight.
EXPORTERS = {"city_admin", "xh_admin", "xh_s1_staff", "xh_c1_secretary", "xh_g1_worker"}


def _pk(territory, key):
    for group in (territory.areas, territory.orgs, territory.units):
        if key in group:
            return group[key].pk
    raise KeyError(key)


CASES = [
    (role, key, kind)
    for role in VISIBLE
    for kind, keys in (("area", AREAS), ("org", ORGS), ("unit", UNITS))
    for key in keys
]


@pytest.mark.parametrize("role, key, kind", CASES)
def test_api_and_pages_agree_with_the_scope(client, territory, role, key, kind):
    client.force_login(territory.users[role])
    pk = _pk(territory, key)
    expected = 200 if key in VISIBLE[role] else 404
    api = {"area": f"/api/areas/{pk}", "org": f"/api/orgs/{pk}", "unit": f"/api/units/{pk}"}
    page = {"area": f"/areas/{pk}/", "org": f"/orgs/{pk}/", "unit": f"/orgs/units/{pk}/"}
    response = client.get(api[kind])
    assert response.status_code == expected, (role, key, "api")
    if expected == 404:
        assert response.json() == {
            "code": "not_found",
            "message": "未找到或无权查看",
            "field": None,
        }
    assert client.get(page[kind]).status_code == expected, (role, key, "page")


@pytest.mark.parametrize("role", list(VISIBLE))
@pytest.mark.parametrize("key", ["xh_s1", "xh_g1", "hp_s1"])
def test_export_follows_the_scope(client, territory, role, key):
    from jiceng.core.models import AuditEntry

    client.force_login(territory.users[role])
    before = AuditEntry.objects.filter(action="export").count()
    response = client.get("/orgs/coverage/export.xlsx", {"area": _pk(territory, key)})
    allowed = role in EXPORTERS and key in VISIBLE[role]
    assert response.status_code == (200 if allowed else 404), (role, key)
    after = AuditEntry.objects.filter(action="export").count()
    assert after == before + (1 if allowed else 0)


@pytest.mark.parametrize("role", list(VISIBLE))
def test_lists_hold_exactly_the_visible_objects(client, territory, role):
    client.force_login(territory.users[role])
    units = {u["id"] for u in client.get("/api/units", {"limit": 100}).json()["items"]}
    expected_units = (
        {territory.units[k].pk for k in territory.units} if role == "city_admin" else None
    )
    if expected_units is None:
        # Every visible unit of the fixture, and no unit of the keys known to be hidden.
        assert not {_pk(territory, k) for k in UNITS if k not in VISIBLE[role]} & units
        assert {_pk(territory, k) for k in UNITS if k in VISIBLE[role]} <= units
    else:
        assert units == expected_units
    orgs = {o["id"] for o in client.get("/api/orgs", {"limit": 100}).json()["items"]}
    assert not {_pk(territory, k) for k in ORGS if k not in VISIBLE[role]} & orgs
    assert {_pk(territory, k) for k in ORGS if k in VISIBLE[role]} <= orgs


def test_anonymous_gets_the_error_shape(client, territory):
    response = client.get("/api/units")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert client.get("/").status_code == 302
