"""Placing a hotline work order in the territory from what the platform sends.

`_locate` is the one function to switch to the standard-address matcher when it is on
main (issue 18, "Locating a case from what callers know"): until then it uses the area
code when the file has one, and otherwise the street and community names written in
the address text. What it cannot place below the district stays with the district, in
its list of work orders to place, with the reason; nothing is refused.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Area

PLACEABLE = {Area.Level.COMMUNITY, Area.Level.GRID, Area.Level.BUILDING}
# What follows a community's or street's own name in its official name.
_SUFFIXES = re.compile(
    r"(社区居民委员会|居民委员会|社区居委会|居委会|村民委员会|村委会|社区|街道办事处|街道|镇)$"
)

REASON_CODE = _("区划代码不是本区的社区、网格或楼栋")
REASON_NO_STREET = _("地址中未能识别街道和社区")
REASON_NO_COMMUNITY = _("地址只识别到{street}，未能识别社区")
REASON_AMBIGUOUS = _("地址可对应多个社区：{names}")


def _stem(name: str) -> str:
    stem = _SUFFIXES.sub("", name)
    return stem if len(stem) >= 2 else name


@dataclass
class DistrictPlaces:
    """The district's streets and communities, read once per import."""

    district: Area
    by_code: dict[str, Area] = field(default_factory=dict)
    streets: list[tuple[str, Area]] = field(default_factory=list)
    communities: list[tuple[str, Area]] = field(default_factory=list)

    @classmethod
    def of(cls, district: Area) -> "DistrictPlaces":
        places = cls(district)
        for area in Area.objects.filter(
            path__startswith=district.path, level__in=(Area.Level.STREET, Area.Level.COMMUNITY)
        ):
            target = places.streets if area.level == Area.Level.STREET else places.communities
            target.append((_stem(area.name), area))
        return places

    def area_with_code(self, code: str) -> Area | None:
        if code not in self.by_code:
            found = Area.objects.filter(
                code=code, path__startswith=self.district.path, level__in=PLACEABLE
            ).first()
            if found is None:
                return None
            self.by_code[code] = found
        return self.by_code[code]


@dataclass(frozen=True)
class Located:
    area: Area | None
    reason: str = ""


def normalize_address(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _locate(address: str, *, places: DistrictPlaces, area_code: str = "") -> Located:
    """Where the work order happened: a community (or grid, building) of the district,
    or None with the reason."""
    if area_code:
        area = places.area_with_code(area_code)
        return Located(area) if area else Located(None, str(REASON_CODE))
    text = normalize_address(address)
    streets = [area for stem, area in places.streets if stem in text or area.name in text]
    candidates = [
        (stem, area)
        for stem, area in places.communities
        if (stem in text or area.name in text)
        and (not streets or any(area.path.startswith(s.path) for s in streets))
    ]
    if candidates:
        longest = max(len(stem) for stem, _area in candidates)
        best = [area for stem, area in candidates if len(stem) == longest]
        if len(best) == 1:
            return Located(best[0])
        names = "、".join(sorted(a.name for a in best))
        return Located(None, str(REASON_AMBIGUOUS).format(names=names))
    if streets:
        return Located(None, str(REASON_NO_COMMUNITY).format(street=streets[0].name))
    return Located(None, str(REASON_NO_STREET))
