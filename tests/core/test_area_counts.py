"""Areas by level under each area (core.area_counts): kept by the area services as they
create and move areas, equal to a rebuild from the areas, and read by the home page's
figures to the same numbers as counting the areas."""

import pytest
from django.db.models import Count

from jiceng.core import area_counts
from jiceng.core.models import Area, AreaTreeStat
from jiceng.core.services import AreaSpec, area_bulk_create, area_create, area_move
from jiceng.dashboard.selectors import level_counts


def rows() -> list[tuple]:
    fields = ("area_id", *area_counts.COUNTERS)
    return sorted(AreaTreeStat.objects.values_list(*fields))


def counted(area: Area) -> dict[str, int]:
    grouped = (
        Area.objects.filter(path__startswith=area.path)
        .exclude(pk=area.pk)
        .values("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {g["level"]: g["n"] for g in grouped}


def test_creating_and_moving_areas_keeps_the_counts_equal_to_a_rebuild(territory):
    a = territory.areas
    admin = territory.users["superuser"]
    grid = area_create(
        actor=admin, parent=a["xh_c2"], code="310104003002003", name="第三网格", level="grid"
    )
    specs = [
        (
            "310104003002003",
            AreaSpec(code=f"310104003002003{n:03d}", name=f"{n}号楼", level="building"),
        )
        for n in range(1, 4)
    ]
    assert area_bulk_create(actor=admin, parent_by_code={grid.code: grid}, specs=specs) == 3
    area_move(actor=admin, area=Area.objects.get(pk=a["xh_c2"].pk), new_parent=a["hp_s1"])
    area_move(actor=admin, area=Area.objects.get(pk=a["xh_s2"].pk), new_parent=a["hp"])
    kept = rows()
    for key in ("city", "xh", "hp", "xh_s1", "hp_s1", "xh_c2"):
        area = Area.objects.get(pk=a[key].pk)
        assert area_counts.below(area) == counted(area), key
    assert counted(Area.objects.get(pk=a["hp"].pk))["building"] == 3
    area_counts.rebuild()
    assert kept == rows()


@pytest.mark.parametrize(
    "viewer, area", [("city_admin", "city"), ("xh_admin", "xh"), ("xh_s1_staff", "xh_s1")]
)
def test_the_home_figures_read_the_tree_and_give_the_counted_numbers(
    territory, viewer, area, django_assert_num_queries
):
    user, place = territory.users[viewer], territory.areas[area]
    from jiceng.core.scope import scope_for

    scope_for(user)  # the grants, read once per request
    with django_assert_num_queries(1):
        found = level_counts(viewer=user, area=place)
    assert found == counted(place)
