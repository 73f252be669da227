"""Where the demo accounts are bound: the places and orgs the generator finds while
writing, handed to `demo.logins` (its own module so the two do not import each other)."""

from dataclasses import dataclass

from jiceng.core.models import Area
from jiceng.demo import cases
from jiceng.orgs.models import PartyOrg


@dataclass
class DemoAnchors:
    """The places and orgs the demo accounts are bound to, found while writing."""

    city: Area | None = None
    district: Area | None = None
    street: Area | None = None
    community: Area | None = None
    grid: Area | None = None
    community_org: PartyOrg | None = None
    unit_org: PartyOrg | None = None
    # The demo district's handling units (the demo department account works in one).
    handling_units: cases.DistrictUnits | None = None
