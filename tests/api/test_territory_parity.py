"""Every write a territory page offers has its API operation beside it (DESIGN:
Interoperability). The table names each page and its operation; the test checks that
the page's URL and the operation both exist, so neither can disappear alone."""

import pytest
from django.urls import NoReverseMatch, reverse

PAGE_WRITES = [
    # (page URL name, needs an id, API method, API path)
    ("orgs:org_new", False, "post", "/api/orgs"),
    ("orgs:org_edit", True, "patch", "/api/orgs/{org_id}"),
    ("orgs:org_move", True, "post", "/api/orgs/{org_id}/move"),
    ("orgs:org_close", True, "post", "/api/orgs/{org_id}/close"),
    ("orgs:unit_new", False, "post", "/api/units"),
    ("orgs:unit_edit", True, "patch", "/api/units/{unit_id}"),
    ("orgs:unit_move", True, "post", "/api/units/{unit_id}/move"),
    ("orgs:unit_coverage", True, "post", "/api/units/{unit_id}/coverage"),
    ("orgs:unit_import", False, "post", "/api/units/import"),
    ("orgs:unit_import_template", False, "get", "/api/units/import-template"),
    ("orgs:unit_export", False, "post", "/api/units/exports"),
    ("orgs:grid_import", False, "post", "/api/grids/import"),
    ("orgs:grid_import_template", False, "get", "/api/grids/import-template"),
    ("orgs:grid_detail", True, "post", "/api/grids/{grid_id}/posts"),
    ("orgs:grid_post_end", True, "post", "/api/grid-posts/{post_id}/end"),
    ("orgs:committee_list", False, "post", "/api/committees"),
    ("orgs:committee_detail", True, "post", "/api/committees/{committee_id}/members"),
    ("orgs:part_time_member_end", True, "post", "/api/part-time-members/{member_id}/end"),
]


@pytest.fixture(scope="module")
def operations() -> set[tuple[str, str]]:
    from jiceng.api import api

    schema = api.get_openapi_schema()
    return {(method, path) for path, item in schema["paths"].items() for method in item}


@pytest.mark.parametrize("page, with_id, method, path", PAGE_WRITES)
def test_each_page_write_has_its_api_operation(operations, page, with_id, method, path):
    try:
        reverse(page, args=[1] if with_id else [])
    except NoReverseMatch:
        pytest.fail(f"page {page} is gone")
    assert (method, path) in operations, f"{page} has no API twin {method.upper()} {path}"
