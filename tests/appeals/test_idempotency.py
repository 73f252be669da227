"""Idempotency keys (IETF Idempotency-Key draft), for appeals through the API and Open311
and for co-building needs alike: kept whole up to 255 characters, per client, with the
request's digest; a retry answers the first result, another request with the same key
422, a key still in flight 409 (issue 20, item 2)."""

import datetime
import json
import xml.etree.ElementTree as ET

import pytest

from jiceng.appeals import services as appeal_services
from jiceng.appeals.intake import intake_process
from jiceng.appeals.models import Appeal
from jiceng.cobuild.models import Need
from jiceng.core import idempotency
from jiceng.core.models import IdempotencyKey

LONG_PREFIX = "crm-2026-12-05-hotline-batch-" + "x" * 60  # longer than the old 64-character cut


def _api(client, url, data, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


# ---- the shared rules ----------------------------------------------------------------------


def test_keys_are_kept_whole_and_refused_past_the_limit():
    assert idempotency.clean_key("k" * 255) == "k" * 255
    assert idempotency.clean_key(" k") == " k" and idempotency.clean_key("k ") == "k "
    with pytest.raises(idempotency.ValidationFailed) as error:
        idempotency.clean_key("k" * 256)
    assert error.value.field == "Idempotency-Key" and "255" in str(error.value.message)
    with pytest.raises(idempotency.ValidationFailed):
        idempotency.clean_key("a\nb")


def test_the_digest_ignores_field_order_but_not_values():
    one = idempotency.request_digest({"a": 1, "b": "x"})
    assert one == idempotency.request_digest({"b": "x", "a": 1})
    assert one != idempotency.request_digest({"a": 1, "b": "y"})


# ---- appeals through the JSON API -------------------------------------------------------------


@pytest.fixture
def staff(client, world):
    client.force_login(world.t.users["xh_s1_staff"])
    return client


def _case(world, description="垃圾桶满溢"):
    return {"category": "sanitation", "area": world.t.areas["xh_g1"].pk, "description": description}


def test_api_keys_sharing_a_long_prefix_are_two_cases(staff, world):
    first = _api(staff, "/api/appeals", _case(world, "一"), LONG_PREFIX + "-1")
    second = _api(staff, "/api/appeals", _case(world, "二"), LONG_PREFIX + "-2")
    assert first.status_code == second.status_code == 201
    assert Appeal.objects.count() == 2
    stored = set(Appeal.objects.values_list("idempotency_key", flat=True))
    assert stored == {LONG_PREFIX + "-1", LONG_PREFIX + "-2"}


def test_api_keys_differing_in_blanks_are_two_keys(staff, world):
    assert _api(staff, "/api/appeals", _case(world, "一"), "k-1").status_code == 201
    # HTTP strips a header's outer blanks; inside they count.
    assert _api(staff, "/api/appeals", _case(world, "二"), "k -1").status_code == 201
    assert Appeal.objects.count() == 2


def test_api_retry_answers_the_first_case(staff, world):
    first = _api(staff, "/api/appeals", _case(world), "sys-42")
    again = _api(staff, "/api/appeals", _case(world), "sys-42")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["appeal"]["id"] == again.json()["appeal"]["id"]
    row = IdempotencyKey.objects.get()
    assert row.client == f"api:{world.t.users['xh_s1_staff'].pk}" and row.key == "sys-42"
    assert row.target_id == str(first.json()["appeal"]["id"]) and len(row.digest) == 64


def test_api_same_key_with_another_body_is_422_and_stores_nothing(staff, world):
    _api(staff, "/api/appeals", _case(world), "sys-42")
    other = _api(staff, "/api/appeals", _case(world, "另一件事"), "sys-42")
    assert other.status_code == 422
    assert other.json() == {
        "code": "idempotency_key_reused",
        "message": str(idempotency.MSG_KEY_REUSED),
        "field": "Idempotency-Key",
    }
    assert Appeal.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_api_key_too_long_is_refused_naming_the_field(staff, world):
    response = _api(staff, "/api/appeals", _case(world), "k" * 256)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "Idempotency-Key" and "255" in body["message"]
    assert body["code"] == "idempotency_key_too_long"
    assert Appeal.objects.count() == 0 and IdempotencyKey.objects.count() == 0


def test_api_key_in_flight_is_409(staff, world):
    """The first request has claimed the key (as `idempotent` does before its work) and
    not finished: the retry is told to come back, and nothing is written."""
    client = f"api:{world.t.users['xh_s1_staff'].pk}"
    request = appeal_services.intake_request(
        appeal_services.Intake(
            channel=Appeal.Channel.API,
            category=world.category("sanitation"),
            area=world.t.areas["xh_g1"],
            description="垃圾桶满溢",
        )
    )
    digest = idempotency.request_digest(request)
    assert (
        idempotency.idempotency_claim(
            client=client, key="sys-9", digest=digest, target_type="appeals.appeal"
        )
        is None
    )
    response = _api(staff, "/api/appeals", _case(world), "sys-9")
    assert response.status_code == 409 and response.json()["code"] == "idempotency_key_in_flight"
    assert Appeal.objects.count() == 0


def test_a_failed_attempt_releases_its_key(staff, world):
    bad = _api(staff, "/api/appeals", _case(world, " "), "sys-5")
    assert bad.status_code == 400 and bad.json()["field"] == "description"
    assert IdempotencyKey.objects.count() == 0
    assert _api(staff, "/api/appeals", _case(world), "sys-5").status_code == 201


def test_a_claim_left_by_a_dead_request_is_taken_over(staff, world):
    from django.utils import timezone

    request = appeal_services.intake_request(
        appeal_services.Intake(
            channel=Appeal.Channel.API,
            category=world.category("sanitation"),
            area=world.t.areas["xh_g1"],
            description="垃圾桶满溢",
        )
    )
    IdempotencyKey.objects.create(
        client=f"api:{world.t.users['xh_s1_staff'].pk}",
        key="sys-7",
        digest=idempotency.request_digest(request),
        target_type="appeals.appeal",
        created_at=timezone.now() - datetime.timedelta(seconds=idempotency.IN_FLIGHT_SECONDS + 1),
    )
    assert _api(staff, "/api/appeals", _case(world), "sys-7").status_code == 201
    assert IdempotencyKey.objects.get().target_id == str(Appeal.objects.get().pk)


# ---- appeals through Open311 ---------------------------------------------------------------------


@pytest.fixture
def api_key(world) -> str:
    _key, raw = appeal_services.open311_key_create(actor=None, name="12345热线")
    return raw


def _open311(client, raw, key, fmt="json", **extra):
    data = {
        "api_key": raw,
        "service_code": "sanitation",
        "address_id": "310104003001001",
        "description": "垃圾桶满溢",
    }
    data.update(extra)
    return client.post(f"/open311/v2/requests.{fmt}", data, headers={"Idempotency-Key": key})


def test_open311_long_keys_sharing_a_prefix_are_two_cases(client, api_key):
    first = _open311(client, api_key, LONG_PREFIX + "-1", description="一")
    second = _open311(client, api_key, LONG_PREFIX + "-2", description="二")
    assert first.status_code == second.status_code == 200
    assert first.json()[0]["service_request_id"] != second.json()[0]["service_request_id"]
    assert Appeal.objects.count() == 2 and IdempotencyKey.objects.count() == 2


def test_open311_retry_answers_the_first_case_even_after_routing(client, api_key):
    first = _open311(client, api_key, "crm-1")
    intake_process()
    again = _open311(client, api_key, "crm-1")
    assert again.status_code == 200
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert Appeal.objects.count() == 1
    row = IdempotencyKey.objects.get()
    assert row.target_id == str(Appeal.objects.get().pk) and row.client.startswith("open311:")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_same_key_with_another_body_is_422_in_its_error_shape(client, api_key, fmt):
    _open311(client, api_key, "crm-2")
    other = _open311(client, api_key, "crm-2", fmt=fmt, description="另一件事")
    assert other.status_code == 422
    if fmt == "json":
        [error] = other.json()
        assert error["code"] == 422 and error["description"].startswith("Idempotency-Key: ")
    else:
        root = ET.fromstring(other.content)
        assert root.tag == "errors" and root.findtext("error/code") == "422"
        assert "Idempotency-Key" in root.findtext("error/description")
    assert Appeal.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_open311_key_too_long_is_400_naming_the_limit(client, api_key):
    response = _open311(client, api_key, "k" * 256)
    assert response.status_code == 400
    [error] = response.json()
    assert "Idempotency-Key" in error["description"] and "255" in error["description"]
    assert Appeal.objects.count() == 0


# ---- co-building needs -------------------------------------------------------------------------


def _need(territory, title="楼里独居老人需要助餐"):
    return {
        "title": title,
        "category": "elderly_care",
        "community": territory.areas["xh_c1"].pk,
        "window_start": "2026-12-01",
        "window_end": "2026-12-31",
    }


@pytest.fixture
def cobuild_staff(client, territory):
    client.force_login(territory.users["xh_s1_staff"])
    return client


def test_need_api_retry_answers_the_first_need(cobuild_staff, territory):
    first = _api(cobuild_staff, "/api/cobuild/needs", _need(territory), "need-1")
    again = _api(cobuild_staff, "/api/cobuild/needs", _need(territory), "need-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Need.objects.count() == 1


def test_need_api_long_keys_sharing_a_prefix_are_two_needs(cobuild_staff, territory):
    _api(cobuild_staff, "/api/cobuild/needs", _need(territory, "一"), LONG_PREFIX + "-1")
    _api(cobuild_staff, "/api/cobuild/needs", _need(territory, "二"), LONG_PREFIX + "-2")
    assert Need.objects.count() == 2


def test_need_api_same_key_with_another_body_is_422(cobuild_staff, territory):
    _api(cobuild_staff, "/api/cobuild/needs", _need(territory), "need-2")
    other = _api(cobuild_staff, "/api/cobuild/needs", _need(territory, "另一个需求"), "need-2")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert other.json()["field"] == "Idempotency-Key"
    assert Need.objects.count() == 1


def test_need_api_key_too_long_and_in_flight(cobuild_staff, territory):
    long = _api(cobuild_staff, "/api/cobuild/needs", _need(territory), "k" * 256)
    assert long.status_code == 400 and "255" in long.json()["message"]
    from jiceng.cobuild import services

    request = {
        "source": Need.Source.STAFF,
        **{
            name: getattr(
                services.NeedFacts(
                    title="楼里独居老人需要助餐",
                    category="elderly_care",
                    community=territory.areas["xh_c1"],
                    window_start=datetime.date(2026, 12, 1),
                    window_end=datetime.date(2026, 12, 31),
                ),
                name,
            )
            for name in services.NeedFacts.__dataclass_fields__
        },
    }
    idempotency.idempotency_claim(
        client=f"api:{territory.users['xh_s1_staff'].pk}",
        key="need-3",
        digest=idempotency.request_digest(request),
        target_type="cobuild.need",
    )
    busy = _api(cobuild_staff, "/api/cobuild/needs", _need(territory), "need-3")
    assert busy.status_code == 409 and busy.json()["code"] == "idempotency_key_in_flight"
    assert Need.objects.count() == 0


def test_need_keys_are_per_client(territory):
    """The same key from two clients is two needs; before, one key was global."""
    from jiceng.cobuild import services

    facts = services.NeedFacts(
        title="助餐",
        category="elderly_care",
        community=territory.areas["xh_c1"],
        window_start=datetime.date(2026, 12, 1),
        window_end=datetime.date(2026, 12, 31),
    )
    a = services.need_create(actor=None, facts=facts, source="resident", idempotency_key="k")
    b = services.need_create(actor=territory.users["xh_s1_staff"], facts=facts, idempotency_key="k")
    assert a.pk != b.pk and Need.objects.count() == 2


def test_old_keys_are_pruned_and_a_late_retry_still_finds_its_case(staff, world):
    from django.core.management import call_command
    from django.utils import timezone

    first = _api(staff, "/api/appeals", _case(world), "sys-old")
    _api(staff, "/api/appeals", _case(world, "新的"), "sys-new")
    IdempotencyKey.objects.filter(key="sys-old").update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    call_command("idempotency_prune", "--days", "30")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["sys-new"]
    # The API's path claims the key anew; the case's own unique key is the backstop.
    again = _api(staff, "/api/appeals", _case(world), "sys-old")
    assert again.status_code == 200
    assert Appeal.objects.filter(idempotency_key="sys-old").count() == 1
    assert again.json()["appeal"]["id"] == first.json()["appeal"]["id"]
