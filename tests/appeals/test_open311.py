"""Open311 GeoReport v2 against the spec: every endpoint in JSON and XML, the spec's
filters, errors in the spec's shape and codes, keys stored as hashes, nothing personal
in public output."""

import datetime
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.appeals import intake, services
from jiceng.appeals.intake import intake_process
from jiceng.appeals.models import Appeal, AppealEvent, Open311Key
from jiceng.appeals.open311 import NOTE_ROUTING, STATUS_NOTES
from jiceng.core.audit_evidence import audit_verify
from jiceng.core.models import AuditEntry

LOCAL = ZoneInfo("Asia/Shanghai")
GRID = "310104003001001"  # xh_g1, under 复兴西路居委会 (xh_c1)
HP_GRID = "310101002001001"  # hp_g1, in 黄浦区
PHONE = "13700001111"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


@pytest.fixture
def api_key(world) -> str:
    _key, raw = services.open311_key_create(actor=None, name="12345热线")
    return raw


def _post(client, key, fmt="json", headers=None, **extra):
    data = {
        "api_key": key,
        "service_code": "sanitation",
        "address_id": GRID,
        "address_string": "复兴西路12弄门口",
        "description": "垃圾桶满溢",
        "lat": "31.2095",
        "long": "121.4430",
        "first_name": "先生",
        "last_name": "王",
        "phone": PHONE,
        "email": "wang@example.com",
        "media_url": "http://example.com/a.jpg",
    }
    data.update(extra)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/open311/v2/requests.{fmt}", data, headers=headers or {})


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(LOCAL).isoformat(timespec="seconds")


def _ids(response) -> list[str]:
    return [row["service_request_id"] for row in response.json()]


def _file(client, key, **extra) -> str:
    """POST a request and run the deferred routing step, as cron does within the minute;
    the tracking code."""
    response = _post(client, key, **extra)
    assert response.status_code == 200, response.content
    intake_process()
    return _ids(response)[0]


def test_discovery_in_json_and_xml(client, world):
    response = client.get("/open311/discovery.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    doc = response.json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(doc)
    endpoint = doc["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["application/json", "text/xml"]

    response = client.get("/open311/discovery.xml")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == "discovery" and root.findtext("key_service")
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2/"
    formats = [f.text for f in root.findall("endpoints/endpoint/formats/format")]
    assert formats == ["application/json", "text/xml"]


def test_services_and_definitions_in_json_and_xml(client, world):
    services_json = client.get("/open311/v2/services.json").json()
    by_code = {s["service_code"]: s for s in services_json}
    assert {"sanitation", "noise-construction", "neighbour-dispute"} <= set(by_code)
    sanitation = by_code["sanitation"]
    assert set(sanitation) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    category = world.category("sanitation")
    assert sanitation["service_name"] == category.name and sanitation["group"] == category.group
    assert sanitation["metadata"] is False and sanitation["type"] == "realtime"
    assert isinstance(sanitation["keywords"], str) and category.group in sanitation["keywords"]

    root = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == [
        s["service_code"] for s in services_json
    ]
    assert root.find("service").findtext("metadata") == "false"

    definition = client.get("/open311/v2/services/sanitation.json").json()
    assert definition == {"service_code": "sanitation", "attributes": []}
    xml = ET.fromstring(client.get("/open311/v2/services/sanitation.xml").content)
    assert xml.tag == "service_definition" and xml.findtext("service_code") == "sanitation"
    assert xml.find("attributes") is not None and len(xml.find("attributes")) == 0

    missing = client.get("/open311/v2/services/nope.xml")
    assert missing.status_code == 404
    error = ET.fromstring(missing.content)
    assert error.tag == "errors" and error.findtext("error/code") == "404"
    assert error.findtext("error/description")
    assert client.get("/open311/v2/services/nope.json").json()[0]["code"] == 404


def test_unknown_jurisdiction_format_and_method_answer_in_the_spec_shape(client, world):
    unknown = client.get("/open311/v2/services.json", {"jurisdiction_id": "sfgov.org"})
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404
    known = client.get("/open311/v2/services.json", {"jurisdiction_id": "310104000000"})
    assert known.status_code == 200
    bad_format = client.get("/open311/v2/services.html")
    assert bad_format.status_code == 400 and bad_format.json()[0]["code"] == 400
    wrong_method = client.post("/open311/v2/services.xml")
    assert wrong_method.status_code == 405
    assert ET.fromstring(wrong_method.content).findtext("error/code") == "405"


def test_post_answers_at_once_and_the_case_is_routed_after(client, world, api_key):
    """The POST writes the case in state received with its public "received" event and
    answers with its id (the tracking code) at once; `process-intake` routes it."""
    response = _post(client, api_key, headers={"Idempotency-Key": "crm-77"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    appeal = Appeal.objects.get()
    [body] = response.json()
    assert set(body) == {"service_request_id", "service_notice", "account_id"}
    assert body["service_request_id"] == appeal.tracking_code and body["account_id"] is None
    due = appeal.resolution_due_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    assert due in body["service_notice"]
    key = Open311Key.objects.get()
    assert appeal.channel == "open311" and appeal.client == f"open311:{key.pk}"
    assert appeal.state == Appeal.State.RECEIVED and appeal.routing_pending
    assert appeal.unit is None and appeal.street == world.t.areas["xh_s1"]
    assert appeal.community == world.t.areas["xh_c1"]
    assert appeal.contact_name == "王先生" and PHONE not in appeal.contact_phone_encrypted
    assert appeal.address == "复兴西路12弄门口" and str(appeal.latitude).startswith("31.2095")
    assert key.last_used_at is not None
    [received] = AppealEvent.objects.filter(appeal=appeal)
    assert received.action == "receive" and received.is_public and received.to_state == "received"
    assert received.at == appeal.received_at
    # Pending: open, saying so; nobody answers for it yet.
    [pending] = client.get(f"/open311/v2/requests/{appeal.tracking_code}.json").json()
    assert pending["status"] == "open" and pending["status_notes"] == NOTE_ROUTING
    assert pending["agency_responsible"] == ""
    # A retry before routing: the same case.
    again = _post(client, api_key, headers={"Idempotency-Key": "crm-77"})
    assert again.status_code == 200 and _ids(again) == [appeal.tracking_code]
    assert again.json()[0]["service_notice"] != body["service_notice"]

    assert intake_process().dispatched == 1
    appeal.refresh_from_db()
    assert appeal.unit == world.community_unit and appeal.state == Appeal.State.DISPATCHED
    assert not appeal.routing_pending
    audit = AuditEntry.objects.get(
        target_type="appeals.appeal", target_id=str(appeal.pk), action="create"
    )
    assert audit.changes["client"] == f"open311:{key.pk}"
    assert audit.changes["channel"] == "open311"
    assert audit_verify().ok
    [routed] = client.get(f"/open311/v2/requests/{appeal.tracking_code}.json").json()
    assert routed["status_notes"] == STATUS_NOTES[Appeal.State.DISPATCHED]
    assert routed["agency_responsible"] == world.community_unit.name

    again = _post(client, api_key, headers={"Idempotency-Key": "crm-77"})
    assert again.status_code == 200 and _ids(again) == [appeal.tracking_code]
    assert Appeal.objects.count() == 1
    assert AuditEntry.objects.filter(target_type="appeals.appeal").count() == 2  # + dispatch

    xml = _post(client, api_key, fmt="xml", headers={"Idempotency-Key": "crm-78"})
    root = ET.fromstring(xml.content)
    assert xml.status_code == 200 and root.tag == "service_requests"
    second = Appeal.objects.exclude(pk=appeal.pk).get()
    assert root.findtext("request/service_request_id") == second.tracking_code
    assert root.find("request/account_id") is not None


def test_the_same_idempotency_key_from_another_key_is_another_case(client, world, api_key):
    _other, other_raw = services.open311_key_create(actor=None, name="区城运中心")
    first = _post(client, api_key, headers={"Idempotency-Key": "n-1"})
    second = _post(client, other_raw, headers={"Idempotency-Key": "n-1"})
    assert _ids(first) != _ids(second) and Appeal.objects.count() == 2


@pytest.mark.parametrize(
    "extra, status",
    [
        ({"api_key": None}, 403),
        ({"api_key": ""}, 403),
        ({"api_key": "wrong"}, 403),
        ({"service_code": None}, 400),
        ({"service_code": "nope"}, 404),
        # Without address_id, address_string or lat/long locate the case (tests/places/
        # test_open311_locating.py); with none of the three it cannot be placed at all.
        ({"address_id": None, "address_string": None, "lat": None, "long": None}, 400),
        ({"address_id": None, "address_string": "  ", "lat": None, "long": None}, 400),
        ({"address_id": "999999999999"}, 400),
        ({"address_id": "310104003000"}, 400),  # a street: a case needs a community or below
        ({"description": ""}, 400),
        ({"description": "字" * 2001}, 400),
        ({"lat": "north"}, 400),
        ({"long": None}, 400),
        ({"lat": "91"}, 400),
        ({"long": "NaN"}, 400),
        ({"phone": "12345"}, 400),
        ({"jurisdiction_id": "sfgov.org"}, 404),
        ({"jurisdiction_id": "310101000000"}, 400),  # the grid is not in 黄浦区
    ],
)
def test_post_errors_follow_the_spec(client, world, api_key, extra, status):
    response = _post(client, api_key, **extra)
    assert response.status_code == status
    [error] = response.json()
    assert error["code"] == status and error["description"]
    assert Appeal.objects.count() == 0


def test_post_errors_in_xml(client, world, api_key):
    response = _post(client, api_key, fmt="xml", service_code="nope")
    root = ET.fromstring(response.content)
    assert response.status_code == 404 and root.tag == "errors"
    assert root.findtext("error/code") == "404" and "nope" in root.findtext("error/description")


def test_revoked_key_is_refused(client, world, api_key):
    assert _post(client, api_key).status_code == 200
    services.open311_key_revoke(actor=None, name="12345热线")
    assert _post(client, api_key).status_code == 403
    xml = client.post("/open311/v2/requests.xml", {"api_key": api_key})
    assert xml.status_code == 403 and ET.fromstring(xml.content).findtext("error/code") == "403"
    assert Appeal.objects.count() == 1


def test_a_key_revoked_elsewhere_files_nothing_though_cached_here(client, world, api_key):
    """Another app server revoked it: this one still has the key cached, and the insert
    itself refuses it; a retry of an earlier case is refused too."""
    assert _post(client, api_key, headers={"Idempotency-Key": "r-1"}).status_code == 200
    assert intake.open311_key_cached(api_key) is not None  # cached here
    Open311Key.objects.update(revoked_at=timezone.now())  # as another process would
    for headers in ({}, {"Idempotency-Key": "r-1"}, {"Idempotency-Key": "r-2"}):
        response = _post(client, api_key, headers=headers)
        assert response.status_code == 403 and response.json()[0]["code"] == 403
    assert Appeal.objects.count() == 1


def test_the_key_is_read_once_per_cache_period(client, world, api_key, settings):
    """Not one key query and last-use stamp per request: one per cache period."""
    assert _post(client, api_key).status_code == 200
    first_use = Open311Key.objects.get().last_used_at
    with CaptureQueriesContext(connection) as context:
        for n in range(3):
            assert _post(client, api_key, description=f"第{n}次").status_code == 200
    assert not [q for q in context.captured_queries if 'open311key" SET' in q["sql"]]
    assert Open311Key.objects.get().last_used_at == first_use
    settings.INTAKE_CACHE_SECONDS = 0  # no caching: read (and stamp) every time
    intake.forget_cached()
    assert _post(client, api_key, description="又一次").status_code == 200
    assert Open311Key.objects.get().last_used_at > first_use


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the one-statement write is PostgreSQL's"
)
def test_filing_is_one_statement_on_postgresql(client, world, api_key):
    """With the key, category and place cached, a filing is one round trip: the case and
    its received event in one INSERT … RETURNING (and ON CONFLICT for retries)."""
    assert _post(client, api_key).status_code == 200
    for headers in ({}, {"Idempotency-Key": "one-1"}):
        with CaptureQueriesContext(connection) as context:
            assert _post(client, api_key, headers=headers).status_code == 200
        assert len(context.captured_queries) == 1, context.captured_queries
    # A retry: the statement inserts nothing, and one more query finds the first case.
    with CaptureQueriesContext(connection) as context:
        response = _post(client, api_key, headers={"Idempotency-Key": "one-1"})
    assert response.status_code == 200 and len(context.captured_queries) <= 3
    assert Appeal.objects.count() == 3 and AppealEvent.objects.count() == 3


def test_filing_skips_the_browser_middleware_and_reads_take_the_full_stack(client, world, api_key):
    """No session, no CSRF token, no CSP: a machine's POST. The security headers stay;
    the language of the messages follows Accept-Language as before."""
    csrf_client = type(client)(enforce_csrf_checks=True)
    response = _post(csrf_client, api_key)
    assert response.status_code == 200
    assert not response.cookies and "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    english = _post(client, api_key, description="", headers={"Accept-Language": "en"})
    assert english.status_code == 400
    assert english.json()[0]["description"].startswith("description: ")
    assert english["Content-Language"] == "en"
    assert "请填写" not in english.json()[0]["description"]
    chinese = _post(client, api_key, description="")
    assert "请填写诉求内容" in chinese.json()[0]["description"]
    listing = client.get("/open311/v2/requests.json")
    assert "Content-Security-Policy" in listing


def test_the_pending_case_shows_its_status_to_the_resident_and_to_staff(client, world, api_key):
    code = _ids(_post(client, api_key))[0]
    page = client.get(f"/track/{code}/").content.decode()
    assert "正在分派承办单位" in page
    case = Appeal.objects.get(tracking_code=code)
    staff = world.t.client_for(client, "xh_s1_staff")
    detail = staff.get(f"/appeals/{case.pk}/").content.decode()
    assert "待自动派单" in detail and f"/appeals/{case.pk}/dispatch/" not in detail
    board = staff.get("/appeals/street/").content.decode()
    assert code in board and "等待系统自动派单" in board
    intake_process()
    detail = staff.get(f"/appeals/{case.pk}/").content.decode()
    assert "待自动派单" not in detail
    assert "正在分派承办单位" not in client.get(f"/track/{code}/").content.decode()


def test_a_key_bound_to_an_area_files_there_only(client, world):
    _key, raw = services.open311_key_create(actor=None, name="徐汇区系统", area=world.t.areas["xh"])
    assert _post(client, raw, address_id=HP_GRID).status_code == 400
    assert _post(client, raw, address_id=GRID).status_code == 200
    assert Appeal.objects.get().area.code == GRID


def test_get_requests_maps_states_deadlines_and_notes(client, world, api_key):
    code = _file(client, api_key)
    other = world.intake(area_key="xh_c2", text="路灯不亮")
    case = Appeal.objects.get(tracking_code=code)

    listed = client.get("/open311/v2/requests.json").json()
    assert {r["service_request_id"] for r in listed} == {code, other.tracking_code}
    assert all(set(row) == REQUEST_FIELDS for row in listed)
    [detail] = client.get(f"/open311/v2/requests/{code}.json").json()
    assert detail["status"] == "open"
    assert detail["expected_datetime"] == _iso(case.resolution_due_at)
    assert detail["requested_datetime"] == _iso(case.received_at)
    assert detail["requested_datetime"].endswith("+08:00")
    assert detail["agency_responsible"] == world.community_unit.name
    # Before the reply: where the case stands, in fixed words (a dispatch note is
    # staff's own words and stays inside).
    assert detail["status_notes"] == STATUS_NOTES[Appeal.State.DISPATCHED]
    # The area, never the resident's address or position; no description until published.
    assert detail["address"] == "第一网格" and detail["address_id"] == GRID
    assert detail["lat"] is None and detail["long"] is None and detail["zipcode"] is None
    assert detail["description"] == ""

    handler = world.t.users["xh_c1_secretary"]
    services.appeal_accept(actor=handler, appeal=case)
    services.appeal_reply(actor=handler, appeal=case, reply="已清运")
    services.appeal_rate(appeal=case, resolved=True, satisfaction="satisfied", comment="谢谢")
    case.refresh_from_db()
    [closed] = client.get(f"/open311/v2/requests/{code}.json").json()
    assert closed["status"] == "closed" and closed["status_notes"] == "已清运"
    assert closed["updated_datetime"] == _iso(case.closed_at)

    xml = ET.fromstring(client.get(f"/open311/v2/requests/{code}.xml").content)
    assert xml.tag == "service_requests" and len(xml.findall("request")) == 1
    request = xml.find("request")
    assert {child.tag for child in request} == REQUEST_FIELDS
    assert request.findtext("status") == "closed"
    assert request.findtext("expected_datetime") == _iso(case.resolution_due_at)
    assert request.find("zipcode").text is None

    missing = client.get("/open311/v2/requests/NOPE.xml")
    assert missing.status_code == 404
    assert ET.fromstring(missing.content).findtext("error/code") == "404"
    assert client.get("/open311/v2/requests/NOPE.json").json()[0]["code"] == 404


def test_a_reopened_case_is_open_again_and_says_so(client, world, api_key):
    code = _file(client, api_key)
    case = Appeal.objects.get(tracking_code=code)
    handler = world.t.users["xh_c1_secretary"]
    services.appeal_accept(actor=handler, appeal=case)
    services.appeal_reply(actor=handler, appeal=case, reply="已清运")
    services.appeal_rate(appeal=case, resolved=False, satisfaction="unsatisfied", comment="没用")
    rated = client.get(f"/open311/v2/requests/{code}.json").json()[0]
    assert rated["status"] == "open" and rated["status_notes"] == "已清运"
    services.appeal_reopen(actor=None, appeal=case, reason="垃圾还在")
    case.refresh_from_db()
    reopened = client.get(f"/open311/v2/requests/{code}.json").json()[0]
    # The resident's reason is theirs: the feed says the case was reopened, not why.
    assert reopened["status"] == "open"
    assert reopened["status_notes"] == STATUS_NOTES[Appeal.State.REOPENED]
    assert reopened["expected_datetime"] == _iso(case.resolution_due_at)


def test_get_requests_filters(client, world, api_key):
    sanitation = _file(client, api_key)
    noise = world.intake(area_key="xh_c2", code="noise-construction", text="夜间施工")
    hp = world.intake(area_key="hp_g1", code="road-damage", text="黄浦的井盖坏了")
    case = Appeal.objects.get(tracking_code=sanitation)
    handler = world.t.users["xh_c1_secretary"]
    services.appeal_accept(actor=handler, appeal=case)
    services.appeal_reply(actor=handler, appeal=case, reply="已清运")
    services.appeal_rate(appeal=case, resolved=True, satisfaction="satisfied")

    def ids(fmt="json", **params) -> set[str]:
        response = client.get(f"/open311/v2/requests.{fmt}", params)
        assert response.status_code == 200, response.content
        if fmt == "xml":
            root = ET.fromstring(response.content)
            return {r.findtext("service_request_id") for r in root.findall("request")}
        return set(_ids(response))

    everything = {sanitation, noise.tracking_code, hp.tracking_code}
    assert ids() == everything == ids("xml")
    assert ids(status="closed") == {sanitation} == ids("xml", status="closed")
    assert ids(status="open") == {noise.tracking_code, hp.tracking_code}
    assert ids(status="open,closed") == everything
    assert ids(service_code="noise-construction") == {noise.tracking_code}
    assert ids(service_code="noise-construction,sanitation") == {sanitation, noise.tracking_code}
    assert ids(jurisdiction_id="310101000000") == {hp.tracking_code}
    assert ids(jurisdiction_id="310104003000") == {sanitation, noise.tracking_code}
    # service_request_id overrides the other arguments
    assert ids(service_request_id=f"{sanitation},NOPE", status="open") == {sanitation}
    assert ids(service_request_id=f" {noise.tracking_code.lower()} ") == {noise.tracking_code}

    now = timezone.now()
    day = datetime.timedelta(days=1)
    w3c = lambda moment: moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    assert ids(start_date=w3c(now - day), end_date=w3c(now + day)) == everything
    assert ids(start_date=(now - day).astimezone(LOCAL).isoformat()) == everything
    assert ids(start_date=w3c(now + day)) == set()
    assert ids(end_date=w3c(now - day)) == set()
    # a range spans at most 90 days: counted from start_date, the cases fall outside
    assert ids(start_date=w3c(now - 100 * day)) == set()
    assert ids(start_date=w3c(now - 100 * day), end_date=w3c(now + day)) == set()
    assert ids(start_date=w3c(now - 89 * day), end_date=w3c(now + day)) == everything

    for bad in ({"status": "maybe"}, {"start_date": "yesterday"}, {"end_date": "2026-13-01"}):
        response = client.get("/open311/v2/requests.json", bad)
        assert response.status_code == 400 and response.json()[0]["code"] == 400
    backwards = {"start_date": w3c(now), "end_date": w3c(now - day)}
    assert client.get("/open311/v2/requests.xml", backwards).status_code == 400
    unknown = client.get("/open311/v2/requests.json", {"jurisdiction_id": "nowhere"})
    assert unknown.status_code == 404


def test_public_output_carries_nothing_personal(client, world, api_key):
    code = _file(
        client,
        api_key,
        description="垃圾没人管，请打13912345678联系我",
        address_string="12号 电话13812345678",
    )
    case = Appeal.objects.get(tracking_code=code)
    handler = world.t.users["xh_c1_secretary"]
    services.appeal_accept(actor=handler, appeal=case)
    services.appeal_reply(actor=handler, appeal=case, reply="已联系13912345678处理")
    pages = [
        client.get(url).content.decode()
        for url in (
            "/open311/v2/requests.json",
            "/open311/v2/requests.xml",
            f"/open311/v2/requests/{code}.json",
            f"/open311/v2/requests/{code}.xml",
        )
    ]
    for text in pages:
        for secret in (PHONE, "先生", "wang@example.com", "13912345678", "13812345678"):
            assert secret not in text
        assert "垃圾没人管" not in text and "12号" not in text  # unpublished, the area only
        assert "139****5678" in text  # the unit's reply, masked
        assert "example.com/a.jpg" not in text


def test_request_list_query_count_does_not_grow_with_cases(client, world, api_key):
    world.intake(area_key="xh_c2", text="路灯不亮")

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/open311/v2/requests.json").status_code == 200
        return len(context.captured_queries)

    few = queries()
    for n in range(4):
        world.intake(area_key="xh_c2", code="noise-construction", text=f"第{n}处夜间施工噪音")
    assert len(client.get("/open311/v2/requests.json").json()) == 5
    assert queries() == few <= 2


def test_key_command_prints_the_key_once_and_stores_only_its_hash(world, capsys):
    call_command("open311-key", "create", "--name", "区城运中心")
    captured = capsys.readouterr()
    raw = captured.out.strip()
    assert len(raw) >= 43 and "\n" not in raw and raw not in captured.err
    key = Open311Key.objects.get(name="区城运中心")
    assert key.prefix == raw[:8] and raw not in (key.key_hash, key.prefix)
    assert len(key.key_hash) == 64
    assert services.open311_key_check(raw) == key
    created = AuditEntry.objects.get(target_type="appeals.open311key", action="create")
    assert raw not in str(created.changes) and key.key_hash not in str(created.changes)

    call_command("open311-key", "create", "--name", "徐汇区系统", "--area", "310104000000")
    assert Open311Key.objects.get(name="徐汇区系统").area == world.t.areas["xh"]
    with pytest.raises(CommandError):
        call_command("open311-key", "create", "--name", "区城运中心")
    with pytest.raises(CommandError):
        call_command("open311-key", "create", "--name", "别处", "--area", "999")
    capsys.readouterr()

    call_command("open311-key", "revoke", "--name", "区城运中心")
    assert services.open311_key_check(raw) is None
    assert AuditEntry.objects.filter(target_type="appeals.open311key", action="revoke").exists()
    with pytest.raises(CommandError):
        call_command("open311-key", "revoke", "--name", "区城运中心")
    call_command("open311-key", "list")
    listing = capsys.readouterr().out
    assert "区城运中心" in listing and "已吊销" in listing and "310104000000" in listing
    assert raw not in listing


@pytest.mark.parametrize(
    "field, value",
    [
        ("description", "垃圾\x00桶满溢"),
        ("address_string", "复兴西路\x0b12弄"),
        ("first_name", "先\x01生"),
        ("api_key", "k\x00"),
        ("service_code", "sanitation\x00"),
        ("address_id", GRID + "\x00"),
    ],
)
def test_control_characters_are_refused_naming_the_field(client, world, api_key, field, value):
    response = _post(client, api_key, **{field: value})
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith(f"{field}: ")
    assert Appeal.objects.count() == 0


@pytest.mark.parametrize(
    "field, limit", [("description", 2000), ("address_string", 200), ("first_name", 50)]
)
def test_over_long_text_is_refused_naming_the_field(client, world, api_key, field, limit):
    response = _post(client, api_key, **{field: "长" * (limit + 1)})
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith(f"{field}: ")
    assert Appeal.objects.count() == 0


def test_control_characters_never_break_the_xml(client, world, api_key):
    code = _ids(_post(client, api_key, description="垃圾桶满溢了\n第二行"))[0]
    # As an older version stored them, before control characters were refused (NUL
    # aside, which PostgreSQL never stored).
    Appeal.objects.filter(tracking_code=code).update(
        public_description="垃圾桶\x01满溢\x0b了\n第二行"
    )
    for url in ("/open311/v2/requests.xml", f"/open311/v2/requests/{code}.xml"):
        root = ET.fromstring(client.get(url).content)
        assert root.findtext("request/description") == "垃圾桶满溢了\n第二行"
