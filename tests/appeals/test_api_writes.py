"""The writes the appeal pages offer, through the API: the case actions from the one
table (summon and mediation included), a department's answer to a summons, the
resident's rating and reopening by tracking code, and the configuration (rules, units,
handlers, categories). Same services, same refusals, one error shape."""

import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from jiceng.appeals import actions, services
from jiceng.appeals.models import Appeal, Category, HandlingUnit, Mediation, RoutingRule


def _send(client, method, url, data=None):
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json")


def test_every_case_action_of_the_page_is_an_api_action(client, world):
    """The page and the API dispatch from appeals.actions: an action in the table is
    reachable on both, and a name outside it is 404 on both."""
    client.force_login(world.t.users["xh_s1_staff"])
    case = world.intake()
    for name in actions.CASE_ACTIONS:
        response = _send(client, "post", f"/api/appeals/{case.pk}/{name}", {})
        assert response.status_code != 404, name
    assert _send(client, "post", f"/api/appeals/{case.pk}/fly", {}).status_code == 404
    assert client.post(f"/appeals/{case.pk}/fly/").status_code == 404


def test_summon_and_answer_through_the_api(client, world):
    users = world.t.users
    case = world.intake()
    client.force_login(users["xh_s1_staff"])
    missing = _send(client, "post", f"/api/appeals/{case.pk}/summon", {"reason": "联合处置"})
    assert missing.status_code == 400 and missing.json()["field"] == "units"
    summoned = _send(
        client,
        "post",
        f"/api/appeals/{case.pk}/summon",
        {"units": [world.department.pk], "reason": "联合处置", "report_hours": 24,
         "act_working_days": 3},
    )  # fmt: skip
    assert summoned.status_code == 200, summoned.content
    target = case.summonses.get().targets.get()
    # Only the summoned department answers; to anyone else the summons is not there.
    assert _send(client, "post", f"/api/appeals/summons/{target.pk}/report").status_code == 404
    client.force_login(world.department_user)
    early = _send(client, "post", f"/api/appeals/summons/{target.pk}/act", {"note": "先处置"})
    assert early.status_code == 409
    reported = _send(client, "post", f"/api/appeals/summons/{target.pk}/report")
    assert reported.status_code == 200 and reported.json()["reported_at"]
    empty = _send(client, "post", f"/api/appeals/summons/{target.pk}/act", {"note": " "})
    assert empty.status_code == 400 and empty.json()["field"] == "note"
    acted = _send(client, "post", f"/api/appeals/summons/{target.pk}/act", {"note": "已到场处置"})
    assert acted.status_code == 200 and acted.json()["action_note"] == "已到场处置"


def test_mediation_through_the_api(client, world):
    case = world.intake(code="neighbour-dispute", text="楼上漏水邻里争执")
    client.force_login(world.t.users["xh_c1_secretary"])
    one = _send(client, "post", f"/api/appeals/{case.pk}/mediation", {"parties": "王某"})
    assert one.status_code == 400 and one.json()["field"] == "parties"
    assert not Mediation.objects.filter(appeal=case).exists()
    done = _send(
        client,
        "post",
        f"/api/appeals/{case.pk}/mediation",
        {"parties": "王某\n李某", "outcome": "agreed", "agreement": "费用各半",
         "mediator": "调解员张某", "mediated_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert done.status_code == 200, done.content
    assert Mediation.objects.get(appeal=case).parties == ["王某", "李某"]


def _replied(world) -> Appeal:
    case = world.intake()
    handler = world.t.users["xh_c1_secretary"]
    services.appeal_accept(actor=handler, appeal=case)
    services.appeal_reply(actor=handler, appeal=case, reply="已清运")
    case.refresh_from_db()
    return case


def test_the_resident_rates_and_reopens_through_the_api(client, world, settings):
    cache.clear()
    case = _replied(world)
    url = f"/api/public/track/{case.tracking_code}"
    bad = _send(client, "post", f"{url}/rate", {"resolved": False, "satisfaction": "so-so"})
    assert bad.status_code == 400 and bad.json()["field"] == "satisfaction"
    rated = _send(client, "post", f"{url}/rate", {"resolved": False, "satisfaction": "unsatisfied"})
    assert rated.status_code == 200, rated.content
    case.refresh_from_db()
    assert case.rated_at and case.satisfaction == "unsatisfied"
    no_reason = _send(client, "post", f"{url}/reopen", {"reason": " "})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    reopened = _send(client, "post", f"{url}/reopen", {"reason": "垃圾又堆起来了"})
    assert reopened.status_code == 200, reopened.content
    assert _send(client, "post", "/api/public/track/NOPE/rate", {}).status_code in (404, 422)


def test_the_public_limit_is_shared_with_the_page(client, world, settings):
    cache.clear()
    settings.APPEAL_PUBLIC_LIMIT = 2
    case = _replied(world)
    url = f"/api/public/track/{case.tracking_code}/reopen"
    for _ in range(2):
        _send(client, "post", url, {"reason": "再办"})
    limited = _send(client, "post", url, {"reason": "再办"})
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited" and limited["Retry-After"]
    page = client.post(f"/track/{case.tracking_code}/reopen/", {"reason": "再办"})
    assert page.status_code == 429


def test_routing_rules_units_and_handlers_through_the_api(client, world):
    users, a = world.t.users, world.t.areas
    client.force_login(users["xh_admin"])
    created = _send(
        client, "post", "/api/appeals/setup/units", {"name": "武康路网格站", "kind": "community",
                                                     "area": a["xh_c1"].pk},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    unit = HandlingUnit.objects.get(pk=created.json()["id"])
    bad_kind = _send(
        client, "post", "/api/appeals/setup/units", {"name": "x", "kind": "nope",
                                                     "area": a["xh_c1"].pk},
    )  # fmt: skip
    assert bad_kind.status_code == 400 and bad_kind.json()["field"] == "kind"
    elsewhere = _send(
        client, "post", "/api/appeals/setup/units", {"name": "x", "kind": "community",
                                                     "area": a["hp_c1"].pk},
    )  # fmt: skip
    assert elsewhere.status_code == 404
    rule = _send(
        client, "put", "/api/appeals/setup/rules", {"area": a["xh_g1"].pk, "unit": unit.pk}
    )
    assert rule.status_code == 200, rule.content
    assert RoutingRule.objects.get(area=a["xh_g1"], category=None).unit == unit
    listed = client.get("/api/appeals/setup/rules")
    assert any(r["id"] == rule.json()["id"] for r in listed.json()["items"])
    handler = _send(
        client, "post", f"/api/appeals/setup/units/{unit.pk}/handlers", {"username": "nobody"}
    )
    assert handler.status_code == 400 and handler.json()["code"] == "appeal_handler_unknown"
    handler = _send(
        client,
        "post",
        f"/api/appeals/setup/units/{unit.pk}/handlers",
        {"username": "xh_c1_secretary"},
    )
    assert handler.status_code == 201, handler.content
    removed = client.delete(f"/api/appeals/setup/handlers/{handler.json()['id']}")
    assert removed.status_code == 204
    stopped = _send(client, "post", f"/api/appeals/setup/units/{unit.pk}/active", {"active": False})
    assert stopped.status_code == 200 and stopped.json()["is_active"] is False
    deleted = client.delete(f"/api/appeals/setup/rules/{rule.json()['id']}")
    assert deleted.status_code == 204
    # Another district's staff see none of it.
    client.force_login(users["hp_admin"])
    assert client.delete(f"/api/appeals/setup/handlers/{handler.json()['id']}").status_code == 404
    hidden = _send(client, "post", f"/api/appeals/setup/units/{unit.pk}/active", {"active": True})
    assert hidden.status_code == 404


@pytest.mark.parametrize("username, allowed", [("city_admin", True), ("xh_admin", False)])
def test_categories_through_the_api(client, world, username, allowed):
    client.force_login(world.t.users[username])
    facts = {"name": "井盖缺失", "group": "市政设施", "response_hours": 2,
             "resolution_amount": 3, "resolution_unit": "working_days"}  # fmt: skip
    created = _send(client, "post", "/api/appeals/setup/categories", {"code": "manhole", **facts})
    if not allowed:
        assert created.status_code == 404
        assert not Category.objects.filter(code="manhole").exists()
        return
    assert created.status_code == 201, created.content
    bad = _send(client, "post", "/api/appeals/setup/categories", {"code": "Bad Code", **facts})
    assert bad.status_code == 400 and bad.json()["field"] == "code"
    changed = _send(
        client,
        "patch",
        f"/api/appeals/setup/categories/{created.json()['id']}",
        {**facts, "response_hours": 4},
    )
    assert changed.status_code == 200 and changed.json()["response_hours"] == 4
    too_long = _send(
        client,
        "patch",
        f"/api/appeals/setup/categories/{created.json()['id']}",
        {**facts, "name": "长" * 500},
    )
    assert too_long.status_code in (400, 422) and "name" in json.dumps(too_long.json())
