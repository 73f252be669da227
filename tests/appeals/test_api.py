"""Appeals through the JSON API: idempotent intake, scope, actions, rates, public lookup."""

import json

from jiceng.appeals.models import Appeal


def _post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_intake_is_idempotent_by_header(client, world):
    client.force_login(world.t.users["xh_s1_staff"])
    body = {"category": "sanitation", "area": world.t.areas["xh_g1"].pk, "description": "垃圾"}
    first = _post(client, "/api/appeals", body, HTTP_IDEMPOTENCY_KEY="sys-42")
    again = _post(client, "/api/appeals", body, HTTP_IDEMPOTENCY_KEY="sys-42")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["appeal"]["id"] == again.json()["appeal"]["id"]
    assert Appeal.objects.count() == 1
    assert first.json()["appeal"]["unit_name"] == "复兴西路居委会"


def test_bad_intake_gets_one_error_shape(client, world):
    client.force_login(world.t.users["xh_s1_staff"])
    area = world.t.areas["xh_g1"].pk
    response = _post(client, "/api/appeals", {"category": "nope", "area": area, "description": "x"})
    assert response.status_code == 400
    assert response.json()["field"] == "category"
    assert response.json()["code"] == "appeal_category_invalid"
    response = _post(
        client, "/api/appeals", {"category": "sanitation", "area": area, "description": " "}
    )
    assert response.json()["field"] == "description"
    outside = world.t.areas["hp_c1"].pk
    response = _post(
        client, "/api/appeals", {"category": "sanitation", "area": outside, "description": "x"}
    )
    assert response.status_code == 404
    assert Appeal.objects.count() == 0


def test_list_detail_and_actions_are_scoped(client, world):
    xh = world.intake()
    hp = world.intake(area_key="hp_c1")
    client.force_login(world.t.users["xh_c1_secretary"])
    listed = client.get("/api/appeals").json()
    assert [item["id"] for item in listed["items"]] == [xh.pk]
    assert client.get(f"/api/appeals/{hp.pk}").status_code == 404
    detail = client.get(f"/api/appeals/{xh.pk}").json()
    assert [e["action"] for e in detail["events"]] == ["receive", "dispatch"]
    accepted = _post(client, f"/api/appeals/{xh.pk}/accept", {})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    refused = _post(client, f"/api/appeals/{xh.pk}/accept", {})
    assert refused.status_code == 409 and refused.json()["code"] == "illegal_transition"
    assert _post(client, f"/api/appeals/{hp.pk}/accept", {}).status_code == 404


def test_rates_and_ranking(client, world):
    world.intake()
    client.force_login(world.t.users["xh_admin"])
    from django.utils import timezone

    month = timezone.localdate().strftime("%Y-%m")
    rates = client.get("/api/appeals/rates", {"area": world.t.areas["xh"].pk, "month": month})
    assert rates.status_code == 200 and rates.json()["received"] == 1
    assert rates.json()["satisfaction"] == {"numerator": 0, "denominator": 0, "rate": None}
    ranking = client.get("/api/appeals/ranking", {"area": world.t.areas["xh"].pk, "month": month})
    assert ranking.json()[0]["area_name"] == "湖南路街道"
    bad = client.get("/api/appeals/rates", {"area": world.t.areas["xh"].pk, "month": "2026-13"})
    assert bad.status_code == 400 and bad.json()["field"] == "month"
    other = client.get("/api/appeals/rates", {"area": world.t.areas["hp"].pk, "month": month})
    assert other.status_code == 404


def test_public_lookup_needs_no_login_and_shows_nothing_personal(client, world):
    case = world.intake(contact_phone="13700001111", contact_name="王先生")
    response = client.get(f"/api/public/track/{case.tracking_code}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "13700001111" not in text and "王先生" not in text
    assert response.json()["state"] == "dispatched"
    assert client.get("/api/public/track/NOPE").status_code == 404
    assert any(
        c["code"] == "sanitation" for c in client.get("/api/public/appeal-categories").json()
    )
