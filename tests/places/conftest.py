"""A small registry on the shared territory: buildings under 徐汇区's grids, standard
addresses with positions, so text and coordinates both have something to land on."""

from dataclasses import dataclass, field

import pytest

from jiceng.core.services import area_create
from jiceng.places import matcher, services

# Near 复兴西路 in 徐汇区 (WGS-84).
B1_POSITION = ("31.209500", "121.443000")
B2_POSITION = ("31.211000", "121.446000")


@dataclass
class Registry:
    territory: object
    buildings: dict = field(default_factory=dict)
    addresses: dict = field(default_factory=dict)


@pytest.fixture
def registry(territory) -> Registry:
    a = territory.areas
    r = Registry(territory)
    r.buildings["b1"] = area_create(
        actor=None, parent=a["xh_g1"], code="310104003001001001", name="1号楼", level="building"
    )
    r.buildings["b2"] = area_create(
        actor=None, parent=a["xh_g1"], code="310104003001001002", name="3号楼", level="building"
    )
    r.buildings["b3"] = area_create(
        actor=None, parent=a["xh_g2"], code="310104003001002001", name="5号楼", level="building"
    )
    r.buildings["hp"] = area_create(
        actor=None, parent=a["hp_g1"], code="310101002001001001", name="1号楼", level="building"
    )
    add = services.address_create
    r.addresses["b1"] = add(
        actor=None, building=r.buildings["b1"], text="复兴西路12弄1号", compound="复兴苑",
        latitude=B1_POSITION[0], longitude=B1_POSITION[1],
    )  # fmt: skip
    r.addresses["b2"] = add(
        actor=None, building=r.buildings["b2"], text="复兴西路12弄3号", compound="复兴苑",
        latitude=B2_POSITION[0], longitude=B2_POSITION[1],
    )  # fmt: skip
    r.addresses["b3"] = add(actor=None, building=r.buildings["b3"], text="复兴西路20号")
    r.addresses["hp"] = add(actor=None, building=r.buildings["hp"], text="贵州路100号")
    matcher.forget()
    return r
