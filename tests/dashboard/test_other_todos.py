"""To-dos of the orgs and orglife apps on the territory: units to organize for those who
manage the territory, orgs behind on their meetings for a street or community."""

from jiceng.dashboard.workbench import OPEN, OVERDUE, workbench_items


def _of(user, source):
    return [t for t in workbench_items(viewer=user) if t.source == source]


def test_units_to_organize_are_the_territorys_managers_work(territory):
    users = territory.users
    (must_form,) = [t for t in _of(users["xh_s1_staff"], "orgs_coverage") if "单独组建" in t.title]
    assert must_form.count == 1 and must_form.urgency == OPEN
    assert must_form.url == "/orgs/units/?coverage=must_form"
    # A unit org secretary registers orgs below his own, not the territory's units.
    assert _of(users["xh_unit_secretary"], "orgs_coverage") == []
    assert _of(users["xh_g1_worker"], "orgs_coverage") == []


def test_orgs_behind_on_meetings_are_listed_for_a_community_not_a_district(territory):
    users = territory.users
    (behind,) = [t for t in _of(users["xh_c1_secretary"], "orglife_meetings") if t.is_group]
    assert behind.urgency == OVERDUE and behind.count >= 2
    assert behind.url == "/orglife/compliance/?behind=1"
    assert _of(users["xh_admin"], "orglife_meetings") == []
    assert _of(users["city_admin"], "orglife_meetings") == []
