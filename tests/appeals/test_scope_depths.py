"""A case is seen where it happened and, while it waits at its district, by the street it
was found nearest to (core.scope, `area_path=("area", "street")`). The street is always
the path's third area, so a grant below street level leaves that lookup out of its
filter (`max_depths`): the same cases, by the index of the case's own area."""

import pytest
from django.db.models import Q

from jiceng.appeals.models import Appeal
from jiceng.appeals.selectors import appeal_visible
from jiceng.core.models import Area

VIEWERS = ["xh_admin", "xh_s1_staff", "xh_c1_secretary", "xh_c3_secretary", "xh_g1_worker"]
ROLE_AREA = {
    "xh_admin": "xh",
    "xh_s1_staff": "xh_s1",
    "xh_c1_secretary": "xh_c1",
    "xh_c3_secretary": "xh_c3",
    "xh_g1_worker": "xh_g1",
}


@pytest.fixture
def cases(world):
    for key in ("xh_g1", "xh_c1", "xh_c2", "xh_c3", "hp_c1"):
        world.intake(area_key=key, text=f"{key} 路灯不亮已经一周")
    # One waiting at its district for a place, nearest to street xh_s1.
    waiting = world.intake(area_key="xh_c2", text="某处井盖缺失，位置说不清")
    Appeal.objects.filter(pk=waiting.pk).update(
        area=world.t.areas["xh"], street=world.t.areas["xh_s1"]
    )
    return Appeal.objects.count()


@pytest.mark.parametrize("username", VIEWERS)
def test_a_grant_below_street_level_sees_what_both_lookups_give(world, cases, username):
    viewer = world.t.users[username]
    path = Area.objects.get(pk=world.t.areas[ROLE_AREA[username]].pk).path
    both = Appeal.objects.filter(
        Q(area__path__startswith=path) | Q(street__path__startswith=path)
    ).values_list("pk", flat=True)
    seen = appeal_visible(viewer=viewer).values_list("pk", flat=True)
    assert sorted(seen) == sorted(both)
    assert seen  # every viewer here sees some case
    sql = str(appeal_visible(viewer=viewer).query)
    # Below street level the filter reads only the case's own area.
    assert (sql.count("LIKE") == 1) == (path.count("/") - 1 > 2), sql
