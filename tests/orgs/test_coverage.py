"""Coverage figures on the hand-built territory, counted by hand (see tests/conftest.py).

Units: xh_c1 has xh_own (own org, 8 members), xh_joint1 (joint); xh_g2 (in xh_c1) has
xh_joint2 (joint); xh_c2 has xh_must (uncovered, 4 members); xh_c3 (street xh_s2) has
xh_new (uncovered, registered 3 days ago) and xh_plain (uncovered); hp_c1 has hp_plain.
"""

import datetime

from django.utils import timezone

from jiceng.orgs.selectors import (
    COVERAGE_FILTERS,
    CoverageSummary,
    coverage_by_child,
    coverage_summary,
    unit_list,
)

FIELDS = ("total", "own", "joint", "uncovered", "must_form", "new_uncovered")


def figures(summary: CoverageSummary | dict) -> tuple[int, ...]:
    if isinstance(summary, dict):
        return tuple(summary[name] for name in FIELDS)
    return tuple(getattr(summary, name) for name in FIELDS)


# Each viewer's figures; one territory for all of them keeps the test fast.
BY_VIEWER = {
    "superuser": (7, 1, 2, 4, 1, 1),
    "city_admin": (7, 1, 2, 4, 1, 1),
    "xh_admin": (6, 1, 2, 3, 1, 1),
    "hp_admin": (1, 0, 0, 1, 0, 0),
    "xh_s1_staff": (4, 1, 2, 1, 1, 0),
    "hp_s1_staff": (1, 0, 0, 1, 0, 0),
    "xh_c1_secretary": (3, 1, 2, 0, 0, 0),
    "xh_c3_secretary": (2, 0, 0, 2, 0, 1),
    # Grid workers see units (none is registered in xh_g1).
    "xh_g1_worker": (0, 0, 0, 0, 0, 0),
    # A unit org secretary sees the unit their org belongs to (条), nothing else.
    "xh_unit_secretary": (1, 1, 0, 0, 0, 0),
    "xh_member": (0, 0, 0, 0, 0, 0),
    "xh_resident": (0, 0, 0, 0, 0, 0),
    "nobody": (0, 0, 0, 0, 0, 0),
}


def test_coverage_summary_per_viewer(territory):
    assert set(BY_VIEWER) == set(territory.users)
    seen = {}
    for key, user in territory.users.items():
        summary = coverage_summary(viewer=user)
        seen[key] = figures(summary)
        assert summary.covered == summary.own + summary.joint
        assert summary.total == summary.own + summary.joint + summary.uncovered
    assert seen == BY_VIEWER


def test_coverage_rate(territory):
    assert coverage_summary(viewer=territory.users["xh_admin"]).coverage_rate == 0.5
    assert coverage_summary(viewer=territory.users["nobody"]).coverage_rate is None


def test_coverage_under_an_area(territory):
    admin = territory.users["xh_admin"]
    community = coverage_summary(viewer=admin, area=territory.areas["xh_c1"])
    assert figures(community) == (3, 1, 2, 0, 0, 0)  # xh_g2's unit counts for xh_c1
    # An area outside the viewer's territory adds nothing.
    assert figures(coverage_summary(viewer=admin, area=territory.areas["hp_c1"])) == (0,) * 6


def test_filters_list_the_units_the_figures_count(territory):
    admin = territory.users["xh_admin"]
    summary = coverage_summary(viewer=admin)
    expected = {
        "own": {"xh_own"},
        "joint": {"xh_joint1", "xh_joint2"},
        "uncovered": {"xh_must", "xh_new", "xh_plain"},
        "must_form": {"xh_must"},
        "new_uncovered": {"xh_new"},
    }
    assert set(expected) == set(COVERAGE_FILTERS)
    for name, keys in expected.items():
        units = set(unit_list(viewer=admin, coverage=name))
        assert units == {territory.units[k] for k in keys}
        assert len(units) == getattr(summary, name)


def test_new_is_relative_to_now(territory):
    admin = territory.users["xh_admin"]
    later = timezone.now() + datetime.timedelta(days=28)
    assert coverage_summary(viewer=admin, now=later).new_uncovered == 0
    assert not unit_list(viewer=admin, coverage="new_uncovered").filter(
        pk=territory.units["xh_plain"].pk
    )


def test_the_must_form_threshold_follows_the_settings(territory, settings):
    settings.OWN_ORG_MIN_MEMBERS = 2
    # xh_joint2 (2 members) is covered by a joint org but still has no org of its own.
    assert coverage_summary(viewer=territory.users["xh_admin"]).must_form == 2


def test_coverage_by_child_per_street(territory):
    admin = territory.users["xh_admin"]
    rows = {
        row["area"].code: row for row in coverage_by_child(viewer=admin, area=territory.areas["xh"])
    }
    assert figures(rows["310104003000"]) == (4, 1, 2, 1, 1, 0)
    assert figures(rows["310104004000"]) == (2, 0, 0, 2, 0, 1)
    # The rows add up to the district's figures.
    totals = tuple(sum(column) for column in zip(*(figures(r) for r in rows.values()), strict=True))
    assert totals == figures(coverage_summary(viewer=admin, area=territory.areas["xh"]))


def test_coverage_by_child_per_community_includes_empty_children(territory):
    rows = coverage_by_child(viewer=territory.users["xh_s1_staff"], area=territory.areas["xh_s1"])
    assert [(row["area"].code, figures(row)) for row in rows] == [
        ("310104003001", (3, 1, 2, 0, 0, 0)),
        ("310104003002", (1, 0, 0, 1, 1, 0)),
    ]


def test_coverage_by_child_shows_only_what_the_viewer_sees(territory):
    # Street staff looking at the district see their own street's row only.
    rows = coverage_by_child(viewer=territory.users["xh_s1_staff"], area=territory.areas["xh"])
    assert [row["area"].code for row in rows] == ["310104003000"]
    assert (
        coverage_by_child(viewer=territory.users["hp_s1_staff"], area=territory.areas["xh"]) == []
    )
    # Leaves have no children to drill into.
    assert (
        coverage_by_child(viewer=territory.users["xh_admin"], area=territory.areas["xh_g1"]) == []
    )


def test_figures_cost_a_fixed_number_of_queries(territory, django_assert_num_queries):
    admin = territory.users["xh_admin"]
    coverage_summary(viewer=admin)  # the scope is computed once per user object
    with django_assert_num_queries(1):
        coverage_summary(viewer=admin)
    # The children, whether the rollup is built (not yet), then the units under them.
    with django_assert_num_queries(3):
        counted = coverage_by_child(viewer=admin, area=territory.areas["xh"])
    from jiceng.orgs import rollup

    rollup.rebuild()
    # The children, the rollup's state, its rows, the new uncovered units.
    with django_assert_num_queries(4):
        assert coverage_by_child(viewer=admin, area=territory.areas["xh"]) == counted
