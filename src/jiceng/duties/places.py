"""Where a place lies: its district and its street, read off its path."""

from jiceng.core.models import Area


def district_of(area: Area) -> Area | None:
    """The district `area` lies in (itself when a district); None above the districts."""
    if area.level == Area.Level.DISTRICT:
        return area
    codes = area.ancestor_codes()
    if len(codes) < 2:
        return None
    return Area.objects.filter(code=codes[1], level=Area.Level.DISTRICT).first()


def street_of(area: Area) -> Area | None:
    """The street `area` lies in (itself when a street); None above the streets."""
    if area.level == Area.Level.STREET:
        return area
    codes = area.ancestor_codes()
    if len(codes) < 3:
        return None
    return Area.objects.filter(code=codes[2], level=Area.Level.STREET).first()
