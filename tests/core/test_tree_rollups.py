"""Rollups at every ancestor (core.tree_rollups): each area's row is the sum of the base
rows in its subtree, the root has none, and a figure by child reads the children's rows.
The random-sequence tests of each rollup (tests/orgs/test_coverage_rollup.py,
tests/appeals/test_open_rollup.py) hold the kept rows equal to a rebuild; this one holds
the rebuild to the definition."""

from django.db.models import Sum
from django.db.models.functions import Substr

from jiceng.core import tree_rollups
from jiceng.core.models import Area
from jiceng.core.services import area_move
from jiceng.orgs import rollup, services
from jiceng.orgs.models import CoverageStat, CoverageTreeStat, PartyOrg


def _subtree_sums() -> dict[int, dict[str, int]]:
    """Each non-root area's sums, straight from the base rows under its path."""
    sums = {}
    for area in Area.objects.filter(parent__isnull=False):
        row = CoverageStat.objects.filter(area__path__startswith=area.path).aggregate(
            **{name: Sum(name) for name in rollup.COUNTERS}
        )
        if any(row.values()):
            sums[area.pk] = {name: row[name] or 0 for name in rollup.COUNTERS}
    return sums


def _tree_rows() -> dict[int, dict[str, int]]:
    return {
        row.pop("area_id"): row
        for row in CoverageTreeStat.objects.values("area_id", *rollup.COUNTERS)
        if any(row[name] for name in rollup.COUNTERS)
    }


def test_each_row_is_its_subtree_and_the_root_has_none(territory):
    rollup.rebuild()
    root = territory.areas["city"]
    assert not CoverageTreeStat.objects.filter(area=root).exists()
    assert _tree_rows() == _subtree_sums()
    assert _tree_rows()  # the fixture's units and orgs are counted somewhere


def test_the_services_and_a_move_keep_the_definition(territory):
    rollup.rebuild()
    admin, a = territory.users["superuser"], territory.areas
    services.org_create(
        actor=admin,
        name="测试党支部",
        kind=PartyOrg.Kind.BRANCH,
        form=PartyOrg.Form.SINGLE,
        domain=PartyOrg.Domain.COMMUNITY,
        area=a["xh_g1"],
        parent=territory.orgs["xh_s1_wc"],
    )
    # A community with that grid moves to a street of another district.
    area_move(
        actor=admin,
        area=Area.objects.get(pk=a["xh_c1"].pk),
        new_parent=Area.objects.get(pk=a["hp_s1"].pk),
    )
    assert _tree_rows() == _subtree_sums()


def test_by_child_reads_what_grouping_the_base_rows_gives(territory):
    rollup.rebuild()
    for key in ("city", "xh", "xh_s1", "xh_c1"):
        area = territory.areas[key]
        length = len(Area.objects.filter(parent=area).values_list("code", flat=True).first())
        read = {
            row["child_code"]: row["orgs"]
            for row in tree_rollups.by_child(CoverageStat, area.path, length)
            if row["orgs"]
        }
        grouped = (
            CoverageStat.objects.filter(area__path__startswith=area.path, orgs__gt=0)
            .annotate(child_code=Substr("area__path", len(area.path) + 1, length))
            .values("child_code")
            .annotate(n=Sum("orgs"))
            .order_by()
        )
        assert read == {row["child_code"]: row["n"] for row in grouped}, key
