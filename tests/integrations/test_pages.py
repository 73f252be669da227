"""The pages: who opens them, each write through its service, the secret shown once."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.integrations.models import Delivery, HotlineWorkOrder, Subscription, SystemToken

from .conftest import fill_lists
from .test_hotline import orders

pytestmark = pytest.mark.django_db
PAGES = ["/integrations/", "/integrations/subscriptions/", "/integrations/hotline/"]


@pytest.mark.parametrize("role", ["xh_s1_staff", "xh_c1_secretary", "xh_member", "nobody"])
def test_closed_to_those_who_manage_no_district(client, world, role):
    client.force_login(world.t.users[role])
    for page in PAGES:
        assert client.get(page).status_code == 404, (role, page)
    assert "/integrations/" not in client.get("/").content.decode()


def test_district_admin_pages_and_nav(client, world):
    client.force_login(world.t.users["xh_admin"])
    assert 'href="/integrations/"' in client.get("/").content.decode()
    for page in PAGES:
        assert client.get(page).status_code == 200, page


def test_token_made_and_revoked_on_the_page(client, world):
    client.force_login(world.t.users["xh_admin"])
    answer = client.post(
        "/integrations/",
        {
            "name": "网格化平台",
            "area": world.t.areas["xh_s1"].pk,
            "permissions": ["read", "update"],
            "unit": world.street_unit.pk,
            "rate_per_minute": 60,
        },
    )
    assert answer.status_code == 200
    token = SystemToken.objects.get()
    page = answer.content.decode()
    secrets = [w for w in page.split() if w.startswith("jct_")]
    assert secrets, "the token is shown once"
    assert secrets[0].split("<")[0] not in client.get("/integrations/").content.decode()
    client.post(f"/integrations/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_update_without_unit_is_refused_on_the_form(client, world):
    client.force_login(world.t.users["xh_admin"])
    answer = client.post(
        "/integrations/",
        {
            "name": "x",
            "area": world.t.areas["xh"].pk,
            "permissions": ["update"],
            "rate_per_minute": 60,
        },
    )
    assert answer.status_code == 422
    assert "办理诉求的权限须指定承办单位" in answer.content.decode()
    assert not SystemToken.objects.exists()


def test_subscription_and_replay_on_the_page(client, world):
    client.force_login(world.t.users["xh_admin"])
    answer = client.post(
        "/integrations/subscriptions/",
        {
            "name": "区城运中心",
            "url": "https://example.org/hook",
            "events": ["case.received", "case.closed"],
            "area": world.t.areas["xh"].pk,
        },
    )
    assert answer.status_code == 200 and "whsec_" in answer.content.decode()
    subscription = Subscription.objects.get()
    delivery = Delivery.objects.create(
        subscription=subscription,
        event="case.received",
        source="1:receive:0",
        body="{}",
        state="dead",
        attempts=8,
        next_attempt_at=subscription.created_at,
        created_at=subscription.created_at,
    )
    assert "重新推送" in client.get("/integrations/subscriptions/").content.decode()
    client.post(f"/integrations/deliveries/{delivery.pk}/replay/")
    delivery.refresh_from_db()
    assert delivery.state == "pending"


def test_hotline_page_import_queue_export(client, world, registry):
    client.force_login(world.t.users["xh_admin"])
    upload = io.BytesIO(json.dumps(orders(), ensure_ascii=False).encode())
    upload.name = "orders.json"
    answer = client.post(
        "/integrations/hotline/", {"district": world.t.areas["xh"].pk, "file": upload}
    )
    assert answer.status_code == 200
    assert HotlineWorkOrder.objects.count() == 3
    queued = HotlineWorkOrder.objects.get(appeal__placement_pending=True)
    page = client.get("/integrations/hotline/").content.decode()
    # The page points to the one placement queue, where the order's case waits.
    assert "1 条工单的诉求在待定位列表中" in page and "/appeals/placement/" in page
    assert queued.appeal.tracking_code in client.get("/appeals/placement/").content.decode()
    exported = client.get("/integrations/hotline/export/?format=json")
    assert len(json.loads(exported.content)["work_orders"]) == 3
    book = client.get("/integrations/hotline/export/?format=xlsx")
    assert book.content.startswith(b"PK")
    found = client.get("/integrations/hotline/?number=0003").content.decode()
    assert "SH12345-20261205-0003" in found


def test_hotline_page_shows_bad_rows(client, world):
    client.force_login(world.t.users["xh_admin"])
    rows = orders()
    rows[2]["content"] = "坏\x00行"
    upload = io.BytesIO(json.dumps(rows, ensure_ascii=False).encode())
    upload.name = "orders.json"
    answer = client.post(
        "/integrations/hotline/", {"district": world.t.areas["xh"].pk, "file": upload}
    )
    assert "第3行" in answer.content.decode()
    assert not HotlineWorkOrder.objects.exists()


def test_list_pages_query_counts_are_bounded(client, world):
    fill_lists(world)
    admin = world.t.users["xh_admin"]
    client.force_login(admin)
    for page in PAGES:
        client.get(page)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        assert len(queries) <= 16, (page, len(queries))


def test_control_characters_refused_naming_the_field(client, world):
    client.force_login(world.t.users["xh_admin"])
    answer = client.post(
        "/integrations/subscriptions/",
        {
            "name": "a\x00b",
            "url": "https://example.org/\x00",
            "events": ["case.received"],
            "area": world.t.areas["xh"].pk,
        },
    )
    assert answer.status_code == 422
    assert "控制字符" in answer.content.decode()
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("place", ["hp", "hp_s1", "xh_c1", "abc"])
def test_a_place_out_of_the_districts_managed_is_refused_on_the_field(client, world, place):
    """The area is picked (core.pickers, `integration-areas`) among the districts the
    viewer manages and their streets: another district, a community, or no id at all
    is refused beside the field, and nothing is made."""
    client.force_login(world.t.users["xh_admin"])
    posted = world.t.areas[place].pk if place in world.t.areas else place
    token = client.post(
        "/integrations/",
        {"name": "x", "area": posted, "permissions": ["read"], "rate_per_minute": 60},
    )
    subscription = client.post(
        "/integrations/subscriptions/",
        {
            "name": "x",
            "url": "https://example.org/hook",
            "events": ["case.received"],
            "area": posted,
        },
    )
    for answer in (token, subscription):
        assert answer.status_code == 422
        assert "请从列表中选择" in str(answer.context["form"].errors["area"])
    assert not SystemToken.objects.exists() and not Subscription.objects.exists()


def test_the_area_offered_is_the_managed_districts_and_their_streets(client, world):
    from jiceng.core.models import Area
    from jiceng.core.pickers import get_picker, offered

    admin = world.t.users["xh_admin"]
    found = offered(get_picker("integration-areas"), admin, params={})
    xh = world.t.areas["xh"]
    expected = Area.objects.filter(path__startswith=xh.path, level__in=("district", "street"))
    assert {a.pk for a in found} == {a.pk for a in expected}
    client.force_login(admin)
    answer = client.post(
        "/integrations/",
        {
            "name": "街道系统",
            "area": world.t.areas["xh_s2"].pk,
            "permissions": ["read"],
            "rate_per_minute": 60,
        },
    )
    assert answer.status_code == 200 and "jct_" in answer.content.decode()
    assert SystemToken.objects.get().area == world.t.areas["xh_s2"]
