"""Open311 GeoReport v2: every endpoint in JSON and XML, errors in the spec's shape."""

import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, Open311Key
from jiceng.core.models import AuditEntry


@pytest.fixture
def api_key(world):
    _key, raw = services.open311_key_create(actor=None, name="12345热线")
    return raw


def _post(client, key, headers=None, **extra):
    data = {
        "api_key": key,
        "service_code": "sanitation",
        "address_id": "310104003001001",  # grid xh_g1
        "description": "垃圾桶满溢",
        "lat": "31.2095",
        "long": "121.4430",
        "first_name": "先生",
        "last_name": "王",
        "phone": "13700001111",
    }
    data.update(extra)
    return client.post("/open311/v2/requests.json", data, headers=headers or {})


def test_services_in_json_and_xml(client, world):
    services_json = client.get("/open311/v2/services.json").json()
    codes = {s["service_code"] for s in services_json}
    assert {"sanitation", "noise-construction", "neighbour-dispute"} <= codes
    first = services_json[0]
    assert set(first) >= {"service_code", "service_name", "metadata", "type", "group"}
    assert first["type"] == "realtime" and first["metadata"] is False
    root = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services" and root.find("service/service_code") is not None
    definition = client.get("/open311/v2/services/sanitation.json").json()
    assert definition == {"service_code": "sanitation", "attributes": []}
    xml = ET.fromstring(client.get("/open311/v2/services/sanitation.xml").content)
    assert xml.tag == "service_definition"
    missing = client.get("/open311/v2/services/nope.xml")
    assert missing.status_code == 404
    assert ET.fromstring(missing.content).find("error/code").text == "404"


def test_post_creates_a_routed_case_and_a_retry_creates_nothing(client, world, api_key):
    response = _post(client, api_key, headers={"Idempotency-Key": "crm-77"})
    assert response.status_code == 201
    body = response.json()
    appeal = Appeal.objects.get()
    assert body == [
        {"service_request_id": appeal.tracking_code, "service_notice": "", "account_id": None}
    ]
    assert appeal.channel == "open311" and appeal.unit == world.community_unit
    again = _post(client, api_key, headers={"Idempotency-Key": "crm-77"})
    assert (
        again.status_code == 200 and again.json()[0]["service_request_id"] == appeal.tracking_code
    )
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(
    "extra, status",
    [
        ({"api_key": ""}, 403),
        ({"api_key": "wrong"}, 403),
        ({"service_code": "nope"}, 400),
        ({"address_id": ""}, 400),
        ({"address_id": "999999999999"}, 400),
        ({"description": ""}, 400),
        ({"lat": "north"}, 400),
    ],
)
def test_post_errors_follow_the_spec(client, world, api_key, extra, status):
    response = _post(client, api_key, **extra)
    assert response.status_code == status
    error = response.json()[0]
    assert error["code"] == status and error["description"]
    assert Appeal.objects.count() == 0


def test_revoked_key_is_refused(client, world, api_key):
    services.open311_key_revoke(actor=None, name="12345热线")
    assert _post(client, api_key).status_code == 403
    xml = client.post("/open311/v2/requests.xml", {"api_key": api_key})
    assert xml.status_code == 403 and ET.fromstring(xml.content).tag == "errors"


def test_get_requests_maps_states_and_shows_nothing_personal(client, world, api_key):
    code = _post(client, api_key).json()[0]["service_request_id"]
    other = world.intake(area_key="xh_c2", text="路灯不亮")
    listed = client.get("/open311/v2/requests.json").json()
    assert {r["service_request_id"] for r in listed} == {code, other.tracking_code}
    text = client.get("/open311/v2/requests.json").content.decode()
    assert "13700001111" not in text and "先生" not in text
    case = Appeal.objects.get(tracking_code=code)
    detail = client.get(f"/open311/v2/requests/{code}.json").json()[0]
    assert detail["status"] == "open"
    assert detail["expected_datetime"] == case.resolution_due_at.astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Shanghai")
    ).isoformat(timespec="seconds")
    assert detail["address_id"] == "310104003001001" and detail["lat"].startswith("31.2")
    assert "contact_name" not in detail

    handler = world.t.users["xh_c1_secretary"]
    services.appeal_accept(actor=handler, appeal=case)
    services.appeal_reply(actor=handler, appeal=case, reply="已清运")
    services.appeal_rate(appeal=case, resolved=True, satisfaction="satisfied")
    closed = client.get(f"/open311/v2/requests/{code}.json").json()[0]
    assert closed["status"] == "closed" and closed["status_notes"] == "已清运"
    only_open = client.get("/open311/v2/requests.json", {"status": "open"}).json()
    assert [r["service_request_id"] for r in only_open] == [other.tracking_code]
    by_code = client.get("/open311/v2/requests.json", {"service_request_id": f"{code},NOPE"}).json()
    assert [r["service_request_id"] for r in by_code] == [code]
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{code}.xml").content)
    assert xml.tag == "service_requests" and xml.find("request/status").text == "closed"
    assert client.get("/open311/v2/requests/NOPE.json").status_code == 404
    assert client.get("/open311/v2/requests.json", {"status": "maybe"}).status_code == 400
    assert client.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400


def test_discovery(client, world):
    doc = client.get("/open311/discovery.json").json()
    endpoint = doc["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/") and "text/xml" in endpoint["formats"]
    xml = ET.fromstring(client.get("/open311/discovery.xml").content)
    assert xml.find("endpoints/endpoint/formats/format") is not None


def test_key_command_prints_the_key_once_and_stores_only_its_hash(world, capsys):
    call_command("open311-key", "create", "--name", "区城运中心")
    raw = capsys.readouterr().out.strip()
    key = Open311Key.objects.get(name="区城运中心")
    assert raw and raw not in (key.key_hash, key.prefix) and key.prefix == raw[:8]
    assert services.open311_key_check(raw) == key
    assert AuditEntry.objects.filter(target_type="appeals.open311key").exists()
    call_command("open311-key", "revoke", "--name", "区城运中心")
    assert services.open311_key_check(raw) is None
    call_command("open311-key", "list")
    assert "已吊销" in capsys.readouterr().out


def test_numbers_typed_into_the_text_are_masked_in_public_lists(client, world, api_key):
    _post(client, api_key, description="垃圾没人管，请打13912345678联系我")
    listed = client.get("/open311/v2/requests.json").content.decode()
    assert "13912345678" not in listed and "139****5678" in listed
