"""The demo street's standard address registry (标准地址), written through the places
services in one batch.

Road names are the real ones the street's residents' committees are named after
(`names.road_name`: 武康路社区居委会 → 武康路; committees named after an estate, e.g.
田林一村, give the estate's root plus 路, which may be generated); lane and house
numbers follow the buildings the demo generated (each grid's lane, "12弄3号楼" → "…12弄3
号"); each lane is a compound named after the committee (…小区, generated). Positions
are generated WGS-84 points around the street's centre, one cluster per community, so
that a shared phone position in the demo lands on a door (the demo street's addresses
only; at district scale the other streets' addresses have none). A few aliases give the
spellings callers use (the compound and building number).
"""

import random
import re

from jiceng.core.models import Area
from jiceng.demo import names
from jiceng.places import services

# The centre of the demo street (天平路街道, 徐汇区) in WGS-84, and how far its
# communities spread from it (degrees).
CENTRE = (31.2040, 121.4400)
SPREAD = 0.008
LANE_BUILDING = re.compile(r"^(\d+)弄(\d+)号楼$")


def fill(*, seed: int, area: Area, street: Area | None = None) -> int:
    """Addresses for every building under `area` (the demo street, or its district at
    district scale); positions for those of `street` only (the map's demo street).
    Returns how many were written."""
    rng = random.Random(f"jiceng-demo:{seed}:{area.code}:addresses")
    communities = {
        a.pk: a for a in Area.objects.filter(level=Area.Level.COMMUNITY, path__startswith=area.path)
    }
    grids = {
        a.pk: a for a in Area.objects.filter(level=Area.Level.GRID, path__startswith=area.path)
    }
    buildings = Area.objects.filter(level=Area.Level.BUILDING, path__startswith=area.path)
    centres = {
        pk: (CENTRE[0] + rng.uniform(-SPREAD, SPREAD), CENTRE[1] + rng.uniform(-SPREAD, SPREAD))
        for pk in communities
    }
    rows = []
    aliases: list[tuple[str, Area]] = []
    for building in buildings.order_by("path"):
        grid = grids[building.parent_id]
        community = communities[grid.parent_id]
        road = names.road_name(names.community_place(community.name))
        found = LANE_BUILDING.match(building.name)
        if found:
            lane, number = found.groups()
            text = f"{road}{lane}弄{number}号"
            compound = f"{road.removesuffix('路')}{lane}弄小区"
        else:
            text, compound = f"{road}{building.name}", ""
        lat, long = centres[community.pk]
        lat, long = lat + rng.uniform(-0.0015, 0.0015), long + rng.uniform(-0.0015, 0.0015)
        if street is None or building.path.startswith(street.path):
            rows.append((building, text, compound, f"{lat:.6f}", f"{long:.6f}"))
        else:
            rows.append((building, text, compound, None, None))
        if found and rng.random() < 0.2:
            aliases.append((f"{compound}{found.group(2)}号楼", building))
    written = services.address_bulk_create(actor=None, rows=rows)
    # One alias per spelling: at district scale two streets can have a compound of one name.
    taken: dict[str, Area] = {}
    for text, building in aliases:
        taken.setdefault(text, building)
    items = [(text + "门口", None, building) for text, building in taken.items()]
    services.alias_create_many(actor=None, items=items)
    return written
