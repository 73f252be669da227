"""Writes through the API: they go through the services (access, validation, audit), a
refused or invalid write changes nothing, and errors come in the one shape."""

import json

import pytest

from jiceng.core import validators
from jiceng.core.models import AuditEntry
from jiceng.core.validators import uscc_check_character
from jiceng.orgs.models import PartyOrg, Unit
from jiceng.orgs.services import MSG_COVER_ORG, MSG_UNIT_COUNTS, MSG_UNIT_USCC_TAKEN

FORBIDDEN = {"code": "forbidden", "message": "无权执行此操作", "field": None}
NOT_FOUND = {"code": "not_found", "message": "未找到或无权查看", "field": None}


def _send(client, method: str, url: str, data: dict):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def _uscc(seventeen: str) -> str:
    return seventeen + uscc_check_character(seventeen)


def _unit_body(territory, area_key: str = "xh_c2", **extra) -> dict:
    return {
        "name": "上海测试科技有限公司",
        "uscc": _uscc("91310104MA1FL9999"),
        "kind": "private_enterprise",
        "area": territory.areas[area_key].pk,
        "employees": 12,
        "formal_members": 3,
        **extra,
    }


def _last_audit(target_type: str, pk: int) -> AuditEntry:
    return (
        AuditEntry.objects.filter(target_type=target_type, target_id=str(pk)).order_by("id").last()
    )


def _state() -> tuple[int, int, int]:
    return Unit.objects.count(), PartyOrg.objects.count(), AuditEntry.objects.count()


# ---- units ---------------------------------------------------------------------------------

GOOD = _uscc("91310104MA1FL9999")
WRONG_CHECK = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")


@pytest.mark.parametrize(
    "uscc, message, code",
    [
        (WRONG_CHECK, validators.MSG_USCC_CHECK, "uscc_check"),
        (GOOD[:15], validators.MSG_USCC_LENGTH, "uscc_length"),
        ("91310104MA1FI999" + "99", validators.MSG_USCC_CHARS, "uscc_chars"),
    ],
)
def test_a_bad_credit_code_names_the_field_and_writes_nothing(
    client, territory, uscc, message, code
):
    client.force_login(territory.users["xh_s1_staff"])
    before = _state()
    response = _send(client, "post", "/api/units", _unit_body(territory, uscc=uscc))
    # ValidationFailed maps to 400 in core.errors; the code says which check failed.
    assert response.status_code == 400
    assert response.json() == {"code": code, "message": str(message), "field": "uscc"}
    assert _state() == before


def test_create_unit_writes_the_unit_and_its_audit_row(client, territory):
    user = territory.users["xh_s1_staff"]
    client.force_login(user)
    response = _send(client, "post", "/api/units", _unit_body(territory))
    assert response.status_code == 201
    body = response.json()
    assert (body["uscc"], body["coverage"], body["must_form_own_org"]) == (GOOD, "uncovered", True)
    entry = AuditEntry.objects.get(target_type="orgs.unit", target_id=str(body["id"]))
    assert (entry.action, entry.actor_id, entry.changes["uscc"]) == ("create", user.pk, GOOD)
    # The new unit is on the lists at once: new and uncovered, must form its own org.
    listed = client.get("/api/units", {"coverage": "new_uncovered"}).json()["items"]
    assert body["id"] in {u["id"] for u in listed}
    again = _send(client, "post", "/api/units", _unit_body(territory, name="另一家"))
    assert again.status_code == 409
    assert again.json() == {
        "code": "org_unit_uscc_taken",
        "message": str(MSG_UNIT_USCC_TAKEN),
        "field": "uscc",
    }


@pytest.mark.parametrize(
    "role, area_key, status",
    [
        ("city_admin", "hp_c1", 201),
        ("xh_admin", "xh_c3", 201),
        ("xh_s1_staff", "xh_g2", 201),
        ("xh_c1_secretary", "xh_g1", 201),
        # Visible but not theirs to change: 403.
        ("xh_resident", "xh_c1", 403),
        ("xh_g1_worker", "xh_g1", 403),
        # Out of sight: 404, as if the area did not exist.
        ("xh_c1_secretary", "hp_c1", 404),
        ("xh_s1_staff", "xh_c3", 404),
        ("xh_unit_secretary", "xh_c1", 404),
        ("xh_member", "xh_c1", 404),
        ("nobody", "xh_c1", 404),
    ],
)
def test_who_may_register_a_unit_where(client, territory, role, area_key, status):
    client.force_login(territory.users[role])
    before = _state()
    response = _send(client, "post", "/api/units", _unit_body(territory, area_key))
    assert response.status_code == status, response.content
    if status == 201:
        assert _state() == (before[0] + 1, before[1], before[2] + 1)
    else:
        assert response.json() == (FORBIDDEN if status == 403 else NOT_FOUND)
        assert _state() == before


def test_patch_unit_checks_the_counts_and_audits_the_change(client, territory):
    unit = territory.units["xh_must"]
    client.force_login(territory.users["xh_s1_staff"])
    before = _state()
    bad = _send(client, "patch", f"/api/units/{unit.pk}", {"formal_members": 99})
    assert bad.status_code == 400
    assert bad.json() == {
        "code": "org_unit_counts",
        "message": str(MSG_UNIT_COUNTS),
        "field": "formal_members",
    }
    assert _state() == before
    ok = _send(client, "patch", f"/api/units/{unit.pk}", {"employees": 50, "address": "湖南路1号"})
    assert ok.status_code == 200 and (ok.json()["employees"], ok.json()["address"]) == (
        50,
        "湖南路1号",
    )
    entry = _last_audit("orgs.unit", unit.pk)
    assert entry.action == "update" and set(entry.changes) == {"employees", "address"}


def test_patch_unit_refused_share_one_setup(client, territory):
    unit = territory.units["xh_own"]
    before = _state()
    for role, status in (
        ("xh_unit_secretary", 403),
        ("hp_s1_staff", 404),
        ("xh_c3_secretary", 404),
    ):
        client.force_login(territory.users[role])
        response = _send(client, "patch", f"/api/units/{unit.pk}", {"name": "改名"})
        assert response.status_code == status, role
    assert _state() == before
    client.force_login(territory.users["xh_c1_secretary"])
    assert _send(client, "patch", f"/api/units/{unit.pk}", {"name": "改名"}).status_code == 200


def test_set_coverage(client, territory):
    unit = territory.units["xh_must"]
    client.force_login(territory.users["xh_s1_staff"])
    url = f"/api/units/{unit.pk}/coverage"
    # A plain branch cannot cover another unit.
    plain = _send(client, "post", url, {"covering_org": territory.orgs["xh_c1_b1"].pk})
    assert plain.status_code == 400 and plain.json()["message"] == str(MSG_COVER_ORG)
    assert plain.json()["field"] == "covering_org"
    joint = _send(client, "post", url, {"covering_org": territory.orgs["xh_joint"].pk})
    assert (
        joint.status_code == 200
        and joint.json()["covering_org_id"] == territory.orgs["xh_joint"].pk
    )
    entry = _last_audit("orgs.unit", unit.pk)
    assert entry.action == "update" and set(entry.changes) == {"covering_org"}
    cleared = _send(client, "post", url, {})
    assert cleared.json()["coverage"] == "uncovered"
    # An org outside the scope is a 404 even for someone who manages the unit.
    outside = _send(client, "post", url, {"covering_org": territory.orgs["hp_c1_b"].pk})
    assert (outside.status_code, outside.json()) == (404, NOT_FOUND)


# ---- orgs ----------------------------------------------------------------------------------


def test_create_org_in_the_territory(client, territory):
    user = territory.users["xh_c1_secretary"]
    client.force_login(user)
    body = {
        "name": "复兴西路社区第二党支部",
        "kind": "branch",
        "domain": "community",
        "area": territory.areas["xh_g2"].pk,
        "parent": territory.orgs["xh_c1_gb"].pk,
    }
    response = _send(client, "post", "/api/orgs", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["kind_display"], created["area_name"]) == ("党支部", "第二网格")
    entry = AuditEntry.objects.get(target_type="orgs.partyorg", target_id=str(created["id"]))
    assert (entry.action, entry.actor_id) == ("create", user.pk)
    children = client.get(f"/api/orgs/{territory.orgs['xh_c1_gb'].pk}/children").json()
    assert created["id"] in {o["id"] for o in children["items"]}


def test_a_unit_secretary_sets_up_a_group_in_their_own_branch(client, territory):
    """They see no territory, so the group sits where its parent sits."""
    client.force_login(territory.users["xh_unit_secretary"])
    parent = territory.orgs["xh_unit_org"]
    body = {"name": "市场部党小组", "kind": "group", "domain": "private_enterprise"}
    response = _send(client, "post", "/api/orgs", {**body, "parent": parent.pk})
    assert response.status_code == 201, response.content
    assert response.json()["area_id"] == parent.area_id
    before = _state()
    nowhere = _send(client, "post", "/api/orgs", body)
    assert nowhere.status_code == 400 and nowhere.json()["field"] == "area"
    # A visible org that is not theirs to manage.
    client.force_login(territory.users["xh_member"])
    member = _send(
        client,
        "post",
        "/api/orgs",
        {**body, "kind": "group", "domain": "community", "parent": territory.orgs["xh_c1_b1"].pk},
    )
    assert (member.status_code, member.json()) == (403, FORBIDDEN)
    assert _state() == before


def test_create_org_with_a_bad_kind_names_the_field(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    before = _state()
    body = {"name": "某党支部", "kind": "club", "domain": "community"}
    response = _send(client, "post", "/api/orgs", {**body, "area": territory.areas["xh_c2"].pk})
    assert response.status_code == 400 and response.json()["field"] == "kind"
    assert _state() == before


def test_patch_org(client, territory):
    org = territory.orgs["xh_c1_b1"]
    before = _state()
    for role, status in (("xh_member", 403), ("hp_s1_staff", 404), ("xh_g1_worker", 403)):
        client.force_login(territory.users[role])
        assert _send(client, "patch", f"/api/orgs/{org.pk}", {"name": "改"}).status_code == status
    assert _state() == before
    client.force_login(territory.users["xh_c1_secretary"])
    body = {"secretary_name": "王芳", "area": territory.areas["xh_c1"].pk}
    response = _send(client, "patch", f"/api/orgs/{org.pk}", body)
    assert response.status_code == 200, response.content
    assert (response.json()["secretary_name"], response.json()["area_id"]) == (
        "王芳",
        territory.areas["xh_c1"].pk,
    )
    entry = _last_audit("orgs.partyorg", org.pk)
    assert entry.action == "update" and set(entry.changes) == {"secretary_name", "area"}


def test_close_org_keeps_history_and_releases_its_units(client, territory):
    joint = territory.orgs["xh_joint"]
    client.force_login(territory.users["xh_member"])
    assert (
        _send(client, "post", f"/api/orgs/{joint.pk}/close", {"reason": "合并"}).status_code == 404
    )
    client.force_login(territory.users["xh_s1_staff"])
    response = _send(client, "post", f"/api/orgs/{joint.pk}/close", {"reason": "合并"})
    assert response.status_code == 200 and response.json()["closed_on"]
    assert response.json()["closed_reason"] == "合并"
    assert joint.pk not in {o["id"] for o in client.get("/api/orgs").json()["items"]}
    with_closed = client.get("/api/orgs", {"include_closed": True}).json()["items"]
    assert joint.pk in {o["id"] for o in with_closed}
    assert client.get(f"/api/orgs/{joint.pk}").status_code == 200
    twice = _send(client, "post", f"/api/orgs/{joint.pk}/close", {"reason": "合并"})
    assert twice.status_code == 409 and twice.json()["code"] == "org_already_closed"
    # Its two units are uncovered now, and the figures say so.
    body = client.get("/api/coverage").json()
    assert (body["joint"], body["uncovered"]) == (0, 3)
