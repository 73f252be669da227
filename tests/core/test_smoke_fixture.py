from jiceng.orgs.selectors import coverage_summary


def test_territory_coverage_by_hand(territory):
    """The hand-built fixture's coverage, counted by hand (see tests/conftest.py)."""
    summary = coverage_summary(viewer=territory.users["xh_admin"])
    assert (summary.total, summary.own, summary.joint, summary.uncovered) == (6, 1, 2, 3)
    assert summary.must_form == 1
    assert summary.new_uncovered == 1
    street = coverage_summary(viewer=territory.users["hp_s1_staff"])
    assert (street.total, street.uncovered) == (1, 1)
