"""The territory tree: codes validated, subtrees moved with every path kept right."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core.errors import NotFound, ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.core.services import AreaSpec, area_bulk_create, area_create, area_move


@pytest.mark.parametrize(
    "parent_key, code, level, field",
    [
        ("xh", "3101040050", "street", "code"),  # wrong length
        ("xh", "310105005000", "street", "code"),  # not under the district's prefix
        ("xh", "310104005000", "community", "parent"),  # a community sits under a street
        ("xh_c1", "310104003001009", "building", "code"),  # buildings have 18 digits
    ],
)
def test_bad_area_names_the_field(territory, parent_key, code, level, field):
    before = Area.objects.count()
    with pytest.raises(ValidationFailed) as error:
        area_create(
            actor=None, parent=territory.areas[parent_key], code=code, name="x", level=level
        )
    assert error.value.field == field
    assert Area.objects.count() == before


def test_moving_a_community_moves_its_grids(territory):
    community = territory.areas["xh_c1"]
    new_street = territory.areas["xh_s2"]
    area_move(actor=territory.users["xh_admin"], area=community, new_parent=new_street)
    for area in Area.objects.filter(path__startswith=new_street.path):
        parent = area.parent
        assert area.path == parent.path + area.code + "/"
        assert area.depth == parent.depth + 1
    assert not Area.objects.filter(
        path__startswith=territory.areas["xh_s1"].path + "310104003001/"
    ).exists()
    assert AuditEntry.objects.filter(action="move").count() == 1
    # The street staff of the old street no longer see it; the new street's do.
    from jiceng.core.scope import forget_scope, scope_for

    staff = territory.users["xh_s1_staff"]
    forget_scope(staff)
    assert not scope_for(staff).contains(community)


def test_moves_are_refused_across_levels_and_into_themselves(territory):
    with pytest.raises(ValidationFailed):
        area_move(actor=None, area=territory.areas["xh_c1"], new_parent=territory.areas["xh"])
    with pytest.raises(ValidationFailed):
        area_move(actor=None, area=territory.areas["xh_s1"], new_parent=territory.areas["xh_s1"])


def test_moving_outside_ones_territory_is_not_found(territory):
    with pytest.raises(NotFound):
        area_move(
            actor=territory.users["xh_s1_staff"],
            area=territory.areas["xh_c1"],
            new_parent=territory.areas["hp_s1"],
        )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(["xh_c1", "xh_c2", "xh_c3", "hp_c1"]), min_size=1, max_size=4),
    st.lists(st.sampled_from(["xh_s1", "xh_s2", "hp_s1"]), min_size=4, max_size=4),
)
def test_any_sequence_of_moves_keeps_paths_consistent(territory, communities, streets):
    for community_key, street_key in zip(communities, streets, strict=False):
        community = Area.objects.get(pk=territory.areas[community_key].pk)
        street = Area.objects.get(pk=territory.areas[street_key].pk)
        if community.parent_id != street.pk:
            area_move(actor=None, area=community, new_parent=street)
    for area in Area.objects.select_related("parent"):
        if area.parent is None:
            assert area.path == area.code + "/" and area.depth == 0
        else:
            assert area.path == area.parent.path + area.code + "/"
            assert area.depth == area.parent.depth + 1


def _grid_specs(community_code: str, count: int) -> list[tuple[str, AreaSpec]]:
    return [
        (community_code, AreaSpec(code=f"{community_code}{n:03d}", name=f"第{n}网格", level="grid"))
        for n in range(3, 3 + count)
    ]


def test_bulk_create_builds_a_subtree_with_one_audit_entry(territory):
    community = territory.areas["xh_c2"]
    audit_before = AuditEntry.objects.count()
    grids = _grid_specs(community.code, 3)
    buildings = [
        (
            grids[0][1].code,
            AreaSpec(code=f"{grids[0][1].code}{n:03d}", name=f"{n}号楼", level="building"),
        )
        for n in (1, 2)
    ]
    # Buildings hang under grids written in the same call; a small batch forces a flush.
    created = area_bulk_create(
        actor=territory.users["xh_s1_staff"],
        parent_by_code={community.code: community},
        specs=grids + buildings,
        batch_size=2,
    )
    assert created == 5
    for area in Area.objects.filter(path__startswith=community.path).select_related("parent"):
        if area.pk != community.pk:
            assert area.path == area.parent.path + area.code + "/"
            assert area.depth == area.parent.depth + 1
    assert Area.objects.filter(parent__code=grids[0][1].code, level="building").count() == 2
    [entry] = AuditEntry.objects.filter(action="bulk_create")
    assert entry.changes == {"count": 5} and AuditEntry.objects.count() == audit_before + 1


def test_bulk_create_is_all_or_nothing(territory):
    community = territory.areas["xh_c2"]
    before = (Area.objects.count(), AuditEntry.objects.count())
    bad = [
        *_grid_specs(community.code, 2),
        (community.code, AreaSpec(code="310104003099001", name="别处网格", level="grid")),
    ]
    with pytest.raises(ValidationFailed) as error:
        area_bulk_create(
            actor=None, parent_by_code={community.code: community}, specs=bad, batch_size=1
        )
    assert error.value.field == "code"
    assert (Area.objects.count(), AuditEntry.objects.count()) == before
    # Another district's community is out of the street staff's sight.
    other = territory.areas["hp_c1"]
    with pytest.raises(NotFound):
        area_bulk_create(
            actor=territory.users["xh_s1_staff"],
            parent_by_code={other.code: other},
            specs=_grid_specs(other.code, 1),
        )
    assert (Area.objects.count(), AuditEntry.objects.count()) == before
    assert area_bulk_create(actor=None, parent_by_code={}, specs=[]) == 0
    assert AuditEntry.objects.count() == before[1]
