"""System tokens: scope, permissions, revocation, hashed storage, audit and rate."""

import pytest
from django.db import connection

from jiceng.appeals.models import Appeal
from jiceng.core.models import AuditEntry
from jiceng.integrations import services
from jiceng.integrations.models import SystemToken

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def make(world, perms=("read",), area_key="xh", unit=None, **extra):
    t = world.t
    return services.system_token_create(
        actor=t.users["xh_admin"],
        name=extra.pop("name", "城运中心"),
        area=t.areas[area_key],
        permissions=perms,
        unit=unit,
        **extra,
    )


def test_reads_within_territory_only(client, world):
    ours = world.intake(area_key="xh_g1")
    theirs = world.intake(area_key="hp_c1")
    _token, raw = make(world, area_key="xh_s1")
    listed = client.get("/api/appeals", **bearer(raw))
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["items"]}
    assert ours.pk in ids and theirs.pk not in ids
    assert client.get(f"/api/appeals/{ours.pk}", **bearer(raw)).status_code == 200
    assert client.get(f"/api/appeals/{theirs.pk}", **bearer(raw)).status_code == 404
    # Members' records are no kind a system sees.
    assert client.get("/api/members", **bearer(raw)).json().get("items", []) == []


def test_write_without_permission_is_403(client, world):
    case = world.intake(area_key="xh_g1")
    _token, raw = make(world)
    filed = client.post(
        "/api/appeals",
        {"category": "sanitation", "area": world.t.areas["xh_g1"].pk, "description": "路灯不亮"},
        content_type="application/json",
        **bearer(raw),
    )
    assert filed.status_code == 403
    assert filed.json()["code"] == "token_operation_forbidden"
    acted = client.post(
        f"/api/appeals/{case.pk}/accept", {}, content_type="application/json", **bearer(raw)
    )
    assert acted.status_code == 403
    # Managing tokens is no system's business either.
    made = client.post(
        "/api/integrations/tokens",
        {"name": "x", "area": world.t.areas["xh"].pk, "permissions": ["read"]},
        content_type="application/json",
        **bearer(raw),
    )
    assert made.status_code == 403


def test_file_within_territory_and_not_outside(client, world):
    _token, raw = make(world, perms=("file",), area_key="xh_s1")
    body = {"category": "sanitation", "description": "楼道堆物"}
    inside = client.post(
        "/api/appeals",
        body | {"area": world.t.areas["xh_g1"].pk},
        content_type="application/json",
        **bearer(raw),
    )
    assert inside.status_code == 201, inside.json()
    outside = client.post(
        "/api/appeals",
        body | {"area": world.t.areas["hp_c1"].pk},
        content_type="application/json",
        **bearer(raw),
    )
    assert outside.status_code == 404
    assert Appeal.objects.count() == 1


def test_update_only_the_named_units_cases(client, world):
    mine = world.intake(area_key="xh_g1")  # routed to the community unit
    assert mine.unit_id == world.community_unit.pk
    other = world.intake(area_key="xh_c2")  # the street's unit (rule on xh_s1)
    _token, raw = make(world, perms=("update",), unit=world.community_unit)
    accepted = client.post(
        f"/api/appeals/{mine.pk}/accept", {}, content_type="application/json", **bearer(raw)
    )
    assert accepted.status_code == 200, accepted.json()
    replied = client.post(
        f"/api/appeals/{mine.pk}/reply",
        {"reply": "已清运"},
        content_type="application/json",
        **bearer(raw),
    )
    assert replied.status_code == 200, replied.json()
    refused = client.post(
        f"/api/appeals/{other.pk}/accept", {}, content_type="application/json", **bearer(raw)
    )
    assert refused.status_code == 403


def test_revocation_takes_effect_at_once(client, world):
    token, raw = make(world)
    assert client.get("/api/appeals", **bearer(raw)).status_code == 200
    services.system_token_revoke(actor=world.t.users["xh_admin"], token=token)
    assert client.get("/api/appeals", **bearer(raw)).status_code == 401


def test_expired_token_is_refused(client, world):
    import datetime

    from django.utils import timezone

    token, raw = make(world, expires_at=timezone.now() + datetime.timedelta(hours=1))
    SystemToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get("/api/appeals", **bearer(raw)).status_code == 401


def test_token_is_not_in_the_database(world):
    token, raw = make(world)
    with connection.cursor() as cursor:
        for table in ("integrations_systemtoken", "core_auditentry", "accounts_user"):
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                assert not any(raw in str(value) for value in row), table
                assert not any(raw[4:] in str(value) for value in row), table
    assert token.token_hash != raw and len(token.token_hash) == 64


def test_every_use_is_audited_without_the_token(client, world):
    token, raw = make(world)
    before = AuditEntry.objects.filter(target_type="integrations.systemtoken").count()
    client.get("/api/appeals", **bearer(raw))
    client.get("/api/areas", **bearer(raw))
    uses = AuditEntry.objects.filter(
        target_type="integrations.systemtoken", target_id=str(token.pk), action="login"
    ).order_by("id")
    assert uses.count() == 2
    assert before == 1  # the grant
    assert [u.changes["operation"] for u in uses] == ["GET /api/appeals", "GET /api/areas"]
    assert all(raw not in str(u.changes) for u in uses)
    assert uses[0].actor_id == token.account_id


def test_rate_limit(client, world):
    _token, raw = make(world, rate_per_minute=3)
    codes = [client.get("/api/areas", **bearer(raw)).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert client.get("/api/areas", **bearer(raw)).json()["code"] == "token_rate_limited"


def test_the_account_cannot_sign_in(client, world):
    token, _raw = make(world)
    assert not token.account.has_usable_password()
    assert not token.account.roles.exists() if hasattr(token.account, "roles") else True


def test_only_district_managers_make_tokens(world):
    from jiceng.core.errors import NotFound, PermissionDenied

    t = world.t
    with pytest.raises(PermissionDenied):
        services.system_token_create(
            actor=t.users["xh_s1_staff"], name="x", area=t.areas["xh_s1"], permissions=["read"]
        )
    with pytest.raises(NotFound):
        services.system_token_create(
            actor=t.users["hp_admin"], name="x", area=t.areas["xh"], permissions=["read"]
        )


def test_api_create_list_revoke(client, world):
    t = world.t
    client.force_login(t.users["xh_admin"])
    made = client.post(
        "/api/integrations/tokens",
        {"name": "区城运中心", "area": t.areas["xh"].pk, "permissions": ["read", "file"]},
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    secret = made.json()["secret"]
    assert secret.startswith("jct_")
    listed = client.get("/api/integrations/tokens").json()["items"]
    assert [row["name"] for row in listed] == ["区城运中心"]
    assert "secret" not in listed[0]
    token_id = made.json()["token"]["id"]
    assert client.post(f"/api/integrations/tokens/{token_id}/revoke").status_code == 200
    again = client.post(f"/api/integrations/tokens/{token_id}/revoke")
    assert again.status_code == 409
    client.force_login(t.users["hp_admin"])
    assert client.post(f"/api/integrations/tokens/{token_id}/revoke").status_code == 404


def test_a_districts_auditor_sees_the_systems_calls(client, world):
    from jiceng.accounts.services import role_grant, user_create
    from jiceng.core.selectors import AuditFilters, audit_entry_list

    token, raw = make(world)
    client.get("/api/areas", **bearer(raw))
    auditor = user_create(actor=None, username="xh_auditor", password="x", check_password=False)
    role_grant(actor=None, user=auditor, role="auditor", area=world.t.areas["xh"])
    seen = audit_entry_list(viewer=auditor, filters=AuditFilters(action="login"))
    assert [e.target_id for e in seen] == [str(token.pk)]
