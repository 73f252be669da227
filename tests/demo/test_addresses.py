"""The demo street's standard address registry: every building has an address on a
real road name, with a position, and the matcher places what callers say."""

from jiceng.core.models import Area, StandardAddress
from jiceng.demo.anchors import DemoAnchors  # noqa: F401 (the fixture's shape)
from jiceng.places import matcher
from jiceng.places.models import AddressAlias


def test_every_building_of_the_street_has_an_address(street_demo):
    buildings = Area.objects.filter(level=Area.Level.BUILDING)
    street = Area.objects.get(level=Area.Level.STREET)
    mine = buildings.filter(path__startswith=street.path)
    assert StandardAddress.objects.count() == mine.count() > 0
    assert not StandardAddress.objects.filter(latitude=None).exists()
    assert AddressAlias.objects.exists()


def test_demo_addresses_are_found_by_text_and_position(street_demo):
    matcher.forget()
    address = StandardAddress.objects.select_related("building").order_by("pk").first()
    found = matcher.match_text(address.text.replace("1", "１") + "302室")
    assert found.placed and found.path.startswith(address.building.parent.path)
    at_door = matcher.match_position(float(address.latitude), float(address.longitude))
    assert at_door.placed


def test_demo_hotline_orders_are_placed_by_the_matcher(street_demo):
    """The demo's 12345 batch names registered doors in callers' spellings: those land
    on buildings and are routed; the one naming no door waits in the placement queue."""
    from jiceng.integrations.models import HotlineWorkOrder

    orders = list(HotlineWorkOrder.objects.select_related("appeal__area"))
    placed = [o for o in orders if not o.appeal.placement_pending]
    queued = [o for o in orders if o.appeal.placement_pending]
    assert len(queued) == 1 and queued[0].appeal.placement_reason
    assert placed and all(o.appeal.area.level == Area.Level.BUILDING for o in placed)
    assert any(set(o.address) & set("０１２３４５６７８９") for o in placed)  # full-width
