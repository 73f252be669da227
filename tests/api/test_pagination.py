"""Every list of the API bounds its offset (core/pagination.py): a number past what any
page could need is a 422 naming `offset`, never a 500 from the database (an offset
beyond 2^63 used to reach PostgreSQL as a bigint overflow)."""

import pytest
from django.conf import settings

from jiceng.api import api
from jiceng.core.pagination import MAX_OFFSET
from tests.api.openapi_strategies import resolve

# Answers that are a bare JSON array: each bounded by what it lists, not by the data that
# grows with use. A list that grows with use is paginated (LimitOffsetPagination).
NOT_PAGED = {
    "/api/appeals/ranking": "one row per street of the viewer's district",
    "/api/cobuild/floor-area": "one row per community of the viewer's street",
    "/api/charts/indicators": "the registry of indicators",
    "/api/members/statistics": "one row per statistics category",
    "/api/public/appeal-categories": "the city's category list",
    "/api/orglife/meetings/{meeting_id}/events": "one meeting's entry and corrections",
    "/api/orglife/requirements": "one row per kind of meeting",
    "/api/orglife/compliance/areas/{area_id}": "one row per child area",
    "/api/orglife/topics/{topic_id}/steps": "the six steps of 四议两公开",
    "/api/assessment/outcomes": "the registry of outcomes",
    "/api/assessment/schemes/{scheme_id}/ranking": "one row per org the scheme assesses",
    "/api/linkage/reports/{report_id}/values": "one value per field of a dispatch",
    "/api/linkage/received/{recipient_id}/prefill": "one value per field of a dispatch",
    "/api/supervision/rules": "the weak-org rules, a fixed set",
    "/api/supervision/criteria": "the star criteria, a fixed set",
    "/api/ledgers": "the registry of ledgers",
}


def _list_operations() -> dict[str, str]:
    """Every GET of the document that answers a list, with or without path parameters:
    path → "paged" ({"items", "count"}) or "array" (a bare JSON array)."""
    document = api.get_openapi_schema()
    found = {}
    for path, operations in document["paths"].items():
        get = operations.get("get")
        content = (get or {}).get("responses", {}).get(200, {}).get("content", {})
        if "application/json" not in content:
            continue
        answer = resolve(document, content["application/json"]["schema"])
        if answer.get("type") == "array":
            found[path] = "array"
        elif {"items", "count"} <= answer.get("properties", {}).keys():
            found[path] = "paged"
    return found


def test_every_list_operation_takes_one_bounded_limit_and_offset():
    """The one pagination (issue 18): each paged list declares `limit` (1 to the maximum
    page) and `offset` (0 to MAX_OFFSET); a list answered as a bare array is one of the
    few bounded by what they list, each with its reason."""
    document = api.get_openapi_schema()
    lists = _list_operations()
    paged = sorted(path for path, kind in lists.items() if kind == "paged")
    assert len(paged) > 50 and "/api/members/{member_id}/data-access" in paged
    for path in paged:
        parameters = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        limit, offset = parameters["limit"]["schema"], parameters["offset"]["schema"]
        assert limit["minimum"] == 1, path
        assert limit["maximum"] == settings.NINJA_PAGINATION_MAX_LIMIT, path
        assert (offset["minimum"], offset["maximum"]) == (0, MAX_OFFSET), path
    arrays = {path for path, kind in lists.items() if kind == "array"}
    assert arrays == set(NOT_PAGED)


def _lists() -> list[str]:
    """The GET operations of the OpenAPI document that take an `offset`, without path
    parameters (those with path parameters share the same pagination class)."""
    paths = api.get_openapi_schema()["paths"]
    found = []
    for path, operations in paths.items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        if any(p["name"] == "offset" for p in get.get("parameters", [])):
            found.append(path)
    return sorted(found)


def test_every_list_takes_an_offset_with_a_bound():
    lists = _lists()
    assert "/api/cobuild/projects" in lists and "/api/members/mobile/inflows" in lists
    for path in lists:
        params = api.get_openapi_schema()["paths"][path]["get"]["parameters"]
        (offset,) = [p for p in params if p["name"] == "offset"]
        assert offset["schema"]["maximum"] == MAX_OFFSET, path


@pytest.mark.parametrize("path", _lists())
def test_an_offset_beyond_any_page_is_refused_by_name(client, territory, path):
    client.force_login(territory.users["xh_s1_staff"])
    response = client.get(path, {"offset": str(2**63)})
    assert response.status_code == 422, (path, response.status_code)
    body = response.json()
    assert body["field"] == "offset" and body["code"] == "invalid"
    # The largest allowed offset is an empty page, not an error.
    response = client.get(path, {"offset": str(MAX_OFFSET)})
    assert response.status_code in (200, 403, 404), (path, response.status_code)
    if response.status_code == 200:
        assert response.json()["items"] == []
