"""Planning is pure and per street: a street holds the same data at every scale."""

from jiceng.demo.plan import CATEGORIES, OWN, plan_street
from jiceng.demo.territory import DEMO_STREET_CODE, territory_for


def _plan(scale: str, seed: int):
    territory = territory_for(scale)
    used: set[str] = set()
    plans = {}
    for district in territory.districts:
        for street in territory.streets_of(district):
            plans[street.code] = plan_street(
                seed=seed,
                district=district,
                street=street,
                communities=territory.communities_of(street),
                used_usccs=used,
            )
    return plans


def test_the_demo_street_is_the_same_planned_alone_or_with_its_district():
    alone = _plan("street", 11)[DEMO_STREET_CODE]
    within = _plan("district", 11)[DEMO_STREET_CODE]
    assert alone == within


def test_every_street_plan_shows_every_coverage_figure_and_sane_counts():
    for plan in _plan("district", 5).values():
        assert {u.category for u in plan.units} >= set(CATEGORIES)
        first = next(a.code for a in plan.areas if a.level == "community")
        assert any(u.category == OWN and u.community_code == first for u in plan.units)
        for unit in plan.units:
            assert 0 <= unit.formal_members <= unit.employees
            assert (unit.org_key is not None) == (unit.category == OWN)
        grids = [a for a in plan.areas if a.level == "grid"]
        communities = [a for a in plan.areas if a.level == "community"]
        assert 3 * len(communities) <= len(grids) <= 6 * len(communities)
        assert len(plan.grid_leaders) == len(grids)


def test_different_seeds_give_different_units():
    first = _plan("street", 1)[DEMO_STREET_CODE]
    second = _plan("street", 2)[DEMO_STREET_CODE]
    assert [u.uscc for u in first.units] != [u.uscc for u in second.units]
    # The territory itself is the official one, whatever the seed.
    assert [a for a in first.areas if a.level != "building"][:17] == [
        a for a in second.areas if a.level != "building"
    ][:17]
