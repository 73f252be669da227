"""The workbench on the home page and in the API, on the hand-built territory: the list
comes first, a grid worker gets the one-tap filing button, the children table is marked
to become cards on a phone, and GET /api/workbench gives the same items, paginated."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext


def distinct_text(i: int) -> str:
    """Texts that share no two characters, so the intake holds none as a duplicate."""
    return "".join(chr(0x4E00 + (i * 997 + k * 31) % 20000) for k in range(12))


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_page_opens_with_the_to_do_list(client, world):
    case = world.intake(area_key="xh_g1")
    html = _home(client, world.t.users["xh_c1_secretary"])
    todo = html.index('class="workbench"')
    assert todo < html.index('class="cards"')
    assert f'href="/appeals/{case.pk}/"' in html[todo:]
    assert "签收" in html and "即将到期" in html
    # Only a grid worker gets the filing button on top.
    assert "反映登记" not in html
    worker = _home(client, world.t.users["xh_g1_worker"])
    button = re.search(r'<a class="btn big" href="([^"]+)">反映登记</a>', worker)
    assert button and button.group(1) == "/appeals/intake/"
    assert worker.index("反映登记") < worker.index('class="workbench"')


def test_a_staff_home_shows_children_as_cards_on_a_phone(client, territory):
    html = _home(client, territory.users["xh_s1_staff"])
    table = html[html.index('class="table-wrap as-cards"') :]
    assert 'data-label="党组织"' in table


def test_roles_without_sources_keep_their_own_home(client, territory):
    from jiceng.accounts.services import role_grant, user_create
    from tests.conftest import PASSWORD

    auditor = user_create(
        actor=None, username="xh_auditor", password=PASSWORD, check_password=False
    )
    role_grant(actor=None, user=auditor, role="auditor", area=territory.areas["xh"])
    territory.users["xh_auditor"] = auditor
    for role in ("xh_member", "xh_resident", "nobody", "xh_auditor"):
        html = _home(client, territory.users[role])
        assert 'class="workbench"' not in html, role


def test_the_api_lists_the_same_items_paginated(client, world):
    for i in range(3):
        world.intake(area_key="xh_g1", code="parking", text=distinct_text(i))
    user = world.t.users["xh_c1_secretary"]
    client.force_login(user)
    from jiceng.dashboard.workbench import workbench_items

    expected = workbench_items(viewer=user)
    body = client.get("/api/workbench").json()
    assert body["count"] == len(expected) >= 3
    first = body["items"][0]
    assert set(first) == {
        "source",
        "title",
        "action",
        "urgency",
        "urgency_label",
        "due",
        "due_date",
        "count",
        "is_group",
        "url",
    }
    assert [i["url"] for i in body["items"]] == [t.url for t in expected]
    page = client.get("/api/workbench?limit=1&offset=1").json()
    assert page["count"] == len(expected) and len(page["items"]) == 1
    assert page["items"][0]["url"] == expected[1].url
    assert first["urgency"] in ("overdue", "due_soon", "open")


def test_the_api_needs_a_login_and_gives_nothing_to_a_resident(client, territory):
    assert client.get("/api/workbench").status_code == 401
    client.force_login(territory.users["xh_resident"])
    assert client.get("/api/workbench").json() == {"items": [], "count": 0}


def test_the_api_asks_a_bounded_number_of_queries(client, world):
    user = world.t.users["xh_s1_staff"]
    client.force_login(user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/workbench").status_code == 200
        return len(queries)

    few = count()
    for i in range(12):
        world.intake(area_key="xh_c2", code="parking", text=distinct_text(i))
    assert count() <= few + 2


def test_the_schema_is_in_the_openapi_document(client, territory):
    client.force_login(territory.users["xh_admin"])
    schema = client.get("/api/openapi.json").json()
    assert "/api/workbench" in schema["paths"]
    assert "TodoOut" in schema["components"]["schemas"]
