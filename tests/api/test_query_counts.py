"""No N+1 on the list endpoints: the number of queries for a full page stays the same as
the rows behind it grow from the fixture's handful to dozens more (added through the
services), and stays small in absolute terms."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.core.services import area_create
from jiceng.core.validators import uscc_check_character
from jiceng.orgs import services
from jiceng.orgs.models import PartyOrg, Unit

GROWTH = 25
# Session read, user, role assignments, the filter's object, count, page, and the
# session's expiry refresh (savepoint, update, release): a handful, whatever the page holds.
# 10 for a list; the coverage figures read the rollup rows, the units new and uncovered
# (counted from the units, as the clock moves them) and the areas' names: 12.
CEILING = 12


def _grow(territory) -> None:
    """GROWTH more grids, branches and units, all in xh_c2: the branches hang under the
    unit org (so its secretary sees them too) and each has its own unit."""
    community = territory.areas["xh_c2"]
    for i in range(GROWTH):
        area_create(
            actor=None,
            parent=community,
            code=f"{community.code}{i + 101:03d}",
            name=f"第{i + 101}网格",
            level="grid",
        )
        org = services.org_create(
            actor=None,
            name=f"第{i}研发中心党支部",
            kind=PartyOrg.Kind.BRANCH,
            domain=PartyOrg.Domain.PRIVATE_ENTERPRISE,
            area=community,
            parent=territory.orgs["xh_unit_org"],
        )
        seventeen = f"91310104MA1FL2{i:03d}"
        services.unit_create(
            actor=None,
            name=f"上海第{i}号科技有限公司",
            uscc=seventeen + uscc_check_character(seventeen),
            kind=Unit.Kind.PRIVATE_ENTERPRISE,
            area=community,
            employees=10,
            formal_members=1,
            own_org=org,
        )


def _endpoints(territory, role: str) -> list[tuple[str, dict]]:
    """Each list endpoint the role may call, with its filters; every one of them holds
    GROWTH more rows (or, for the coverage figures, GROWTH more units) after _grow."""
    unit_org = territory.orgs["xh_unit_org"].pk
    lists = [
        ("/api/orgs", {}),
        ("/api/units", {}),
        ("/api/units", {"coverage": "own"}),
        (f"/api/orgs/{unit_org}/children", {}),
    ]
    if role == "xh_admin":
        community = territory.areas["xh_c2"].pk
        lists += [
            ("/api/areas", {}),
            ("/api/areas", {"level": "grid"}),
            (f"/api/areas/{community}/children", {}),
            ("/api/orgs", {"area": community}),
            ("/api/units", {"area": community, "kind": "private_enterprise"}),
            ("/api/coverage", {}),
        ]
    return lists


def _rows(body: dict) -> int:
    return body["count"] if "count" in body else body["total"]


@pytest.mark.parametrize("role", ["xh_admin", "xh_unit_secretary"])
def test_list_query_counts_do_not_grow_with_the_rows(
    client, territory, django_assert_max_num_queries, role
):
    client.force_login(territory.users[role])
    endpoints = _endpoints(territory, role)
    client.get("/api/me")  # the first request of a session may warm caches
    baseline, rows = [], []
    for url, params in endpoints:
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, {**params, "limit": 500})
        assert response.status_code == 200, (url, params)
        baseline.append(len(context.captured_queries))
        rows.append(_rows(response.json()))
    assert max(baseline) <= CEILING, list(zip(endpoints, baseline, strict=True))

    _grow(territory)

    for (url, params), queries, before in zip(endpoints, baseline, rows, strict=True):
        with django_assert_max_num_queries(queries):
            response = client.get(url, {**params, "limit": 500})
        body = response.json()
        # The page really holds the new rows, so a query per row would have shown.
        assert _rows(body) == before + GROWTH, (url, params)
        if "items" in body:
            assert len(body["items"]) == body["count"], (url, params)
