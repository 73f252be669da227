"""What each account of the `territory` fixture (tests/conftest.py) sees, worked out by
hand from the fixture's docstring and placements, by fixture key. The API tests compare
the endpoints against this table; it is written out rather than computed so that a
change in core.scope cannot move both sides at once.

Placements: orgs xh_s1_wc@xh_s1, xh_c1_gb@xh_c1, xh_c1_b1@xh_g1, xh_joint@xh_c1,
xh_unit_org@xh_c1, xh_unit_group@xh_c1 (under xh_unit_org), hp_s1_wc@hp_s1, hp_c1_b@hp_c1.
Units xh_own@xh_c1 (own org xh_unit_org), xh_joint1@xh_c1 and xh_joint2@xh_g2 (joint org
xh_joint), xh_must@xh_c2, xh_new@xh_c3, xh_plain@xh_c3, hp_plain@hp_c1.
"""

from dataclasses import dataclass

AREAS = (
    "city",
    "xh",
    "hp",
    "xh_s1",
    "xh_s2",
    "hp_s1",
    "xh_c1",
    "xh_c2",
    "xh_c3",
    "hp_c1",
    "xh_g1",
    "xh_g2",
    "hp_g1",
)
ORGS = (
    "xh_s1_wc",
    "xh_c1_gb",
    "xh_c1_b1",
    "xh_joint",
    "xh_unit_org",
    "xh_unit_group",
    "hp_s1_wc",
    "hp_c1_b",
)
UNITS = ("xh_own", "xh_joint1", "xh_joint2", "xh_must", "xh_new", "xh_plain", "hp_plain")

XH_AREAS = frozenset({"xh", "xh_s1", "xh_s2", "xh_c1", "xh_c2", "xh_c3", "xh_g1", "xh_g2"})
XH_ORGS = frozenset(o for o in ORGS if o.startswith("xh_"))
XH_UNITS = frozenset(u for u in UNITS if u.startswith("xh_"))


@dataclass(frozen=True)
class Sight:
    areas: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()

    def sees(self, key: str) -> bool:
        return key in self.areas or key in self.orgs or key in self.units


VISIBLE: dict[str, Sight] = {
    "city_admin": Sight(frozenset(AREAS), frozenset(ORGS), frozenset(UNITS)),
    "xh_admin": Sight(XH_AREAS, XH_ORGS, XH_UNITS),
    # A street sees its territory (块): every org and unit located in it.
    "xh_s1_staff": Sight(
        frozenset({"xh_s1", "xh_c1", "xh_c2", "xh_g1", "xh_g2"}),
        XH_ORGS,
        frozenset({"xh_own", "xh_joint1", "xh_joint2", "xh_must"}),
    ),
    "hp_s1_staff": Sight(
        frozenset({"hp_s1", "hp_c1", "hp_g1"}),
        frozenset({"hp_s1_wc", "hp_c1_b"}),
        frozenset({"hp_plain"}),
    ),
    # The street's working committee sits on the street, above the community.
    "xh_c1_secretary": Sight(
        frozenset({"xh_c1", "xh_g1", "xh_g2"}),
        XH_ORGS - {"xh_s1_wc"},
        frozenset({"xh_own", "xh_joint1", "xh_joint2"}),
    ),
    "xh_c3_secretary": Sight(frozenset({"xh_c3"}), frozenset(), frozenset({"xh_new", "xh_plain"})),
    # A grid worker: the grid, the branch located in it, no unit (none sits in xh_g1).
    "xh_g1_worker": Sight(frozenset({"xh_g1"}), frozenset({"xh_c1_b1"}), frozenset()),
    # A unit org secretary sees their affiliation subtree (条) and the unit it covers,
    # but no territory.
    "xh_unit_secretary": Sight(
        frozenset(), frozenset({"xh_unit_org", "xh_unit_group"}), frozenset({"xh_own"})
    ),
    "xh_member": Sight(frozenset(), frozenset({"xh_c1_b1"}), frozenset()),
    "xh_resident": Sight(frozenset({"xh_c1", "xh_g1", "xh_g2"}), frozenset(), frozenset()),
    "nobody": Sight(),
}


def pk_of(territory, key: str) -> int:
    for group in (territory.areas, territory.orgs, territory.units):
        if key in group:
            return group[key].pk
    raise KeyError(key)


def keys_of(territory, group: str, ids) -> set[str]:
    """Fixture keys for a set of ids of one group ("areas", "orgs", "units"); ids that
    are not fixture objects come back as their id, so extras still show in a diff."""
    by_pk = {obj.pk: key for key, obj in getattr(territory, group).items()}
    return {by_pk.get(i, i) for i in ids}
