"""Every list of the API bounds its offset (core/pagination.py): a number past what any
page could need is a 422 naming `offset`, never a 500 from the database (an offset
beyond 2^63 used to reach PostgreSQL as a bigint overflow)."""

import pytest

from jiceng.api import api
from jiceng.core.pagination import MAX_OFFSET


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
