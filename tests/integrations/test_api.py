"""The integrations API: hostile input refused naming the field (PostgreSQL too), a
system token pulling the 12345 results, and bounded queries on every list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.integrations import services
from jiceng.integrations.models import Subscription, SystemToken

from .conftest import fill_lists
from .test_hotline import orders as hotline_orders
from .test_hotline import run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "field, value",
    [("name", "a\x00b"), ("name", "名" * 81), ("url", "https://example.org/" + "x" * 500)],
)
def test_hostile_subscription_fields(client, world, field, value):
    client.force_login(world.t.users["xh_admin"])
    body = {
        "name": "区城运中心",
        "url": "https://example.org/hook",
        "events": ["case.received"],
        "area": world.t.areas["xh"].pk,
    } | {field: value}
    answer = client.post("/api/integrations/subscriptions", body, content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["field"] == field
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "x\x00"}, "name"),
        ({"name": "名" * 81}, "name"),
        ({"permissions": ["admin"]}, "permissions"),
        ({"permissions": []}, "permissions"),
        ({"rate_per_minute": 0}, "rate_per_minute"),
    ],
)
def test_hostile_token_fields(client, world, body, field):
    client.force_login(world.t.users["xh_admin"])
    payload = {"name": "区城运中心", "area": world.t.areas["xh"].pk, "permissions": ["read"]}
    answer = client.post(
        "/api/integrations/tokens", payload | body, content_type="application/json"
    )
    assert answer.status_code in (400, 422), answer.json()
    assert (answer.json()["field"] or "").startswith(field)
    assert not SystemToken.objects.exists()


def test_a_read_token_pulls_the_results_of_its_territory(client, world):
    run(world, hotline_orders())
    _token, raw = services.system_token_create(
        actor=world.t.users["xh_admin"],
        name="市12345平台",
        area=world.t.areas["xh"],
        permissions=["read"],
    )
    answer = client.get(
        "/api/integrations/hotline/export?since=2020-01-01",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert answer.status_code == 200
    assert len(answer.json()["work_orders"]) == 3
    found = client.get(
        "/api/integrations/hotline/orders?number=0001", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert [row["number"] for row in found.json()["items"]] == ["SH12345-20261205-0001"]
    # Importing is people's work: the token may not.
    refused = client.post(
        "/api/integrations/hotline/orders",
        {"district": world.t.areas["xh"].pk, "work_orders": []},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert refused.status_code == 403


def test_lists_have_bounded_queries(client, world):
    fill_lists(world)
    admin = world.t.users["xh_admin"]
    client.force_login(admin)
    for path in (
        "/api/integrations/tokens",
        "/api/integrations/subscriptions",
        "/api/integrations/deliveries",
        "/api/integrations/hotline/orders",
    ):
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        assert len(queries) <= 8, (path, len(queries))
