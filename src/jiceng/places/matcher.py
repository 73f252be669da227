"""The address matcher: what a caller said (an address text, a position) → the deepest
place the registry supports, with the reason.

Text is normalized (places.normalize), then looked up: exactly among the registered
addresses and aliases; else the longest registered prefix wins ("漕溪北路88弄3号502室"
→ the building of "漕溪北路88弄3号"), where a prefix is a registered address or alias,
a compound with a house number ("徐汇苑3号"), or a part of registered addresses cut after
the road, the lane, the number or the compound's name ("漕溪北路88弄"), which stands for
the lowest area holding every address that begins with it (all in one grid → the grid;
across communities of one street → the street). A position is placed in a district by
the district polygons (places.geo), then at the nearest registered address with a
position: within NEAR_BUILDING_M the building, within NEAR_COMMUNITY_M its community;
farther, the district, with the street of the nearest address within NEAR_STREET_M as
the hint (that street's staff see the case in the placement queue).

The index is built from the registry once per process and kept for
INTAKE_CACHE_SECONDS (as the intake's other reference data, appeals.cache); a write to
the registry in this process drops it at once (`forget`).
"""

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from jiceng.core.models import PATH_SEPARATOR, Area, StandardAddress
from jiceng.places import geo
from jiceng.places.models import AddressAlias
from jiceng.places.normalize import cut_points, district_named, normalize

NEAR_BUILDING_M = 80.0
NEAR_COMMUNITY_M = 300.0
NEAR_STREET_M = 2000.0  # the nearest door's street is a hint for the queue up to here
PLACED_LEVELS = (Area.Level.COMMUNITY, Area.Level.GRID, Area.Level.BUILDING)
LEVEL_BY_DEPTH = dict(enumerate(Area.LEVEL_ORDER, start=1))
CACHE_SECONDS_DEFAULT = 60
MAX_TEXT = 200  # longer input is cut: no address is longer, and the scan stays bounded


def common_path(a: str, b: str) -> str:
    """The lowest common ancestor of two area paths ("/310000/310104/" style)."""
    parts_a, parts_b = a.split(PATH_SEPARATOR), b.split(PATH_SEPARATOR)
    common = []
    for x, y in zip(parts_a, parts_b, strict=False):
        if x != y or not x:
            break
        common.append(x)
    return PATH_SEPARATOR.join(common) + PATH_SEPARATOR if common else ""


def path_level(path: str) -> str | None:
    return LEVEL_BY_DEPTH.get(path.count(PATH_SEPARATOR))


@dataclass
class Index:
    exact: dict[str, tuple[str, str]] = field(default_factory=dict)  # text → (path, how)
    prefix: dict[str, str] = field(default_factory=dict)  # text → lowest common path
    districts: tuple[str, ...] = ()
    district_paths: dict[str, str] = field(default_factory=dict)  # name → path
    # (latitude, longitude, building path) of addresses with a position, by district path
    points: dict[str, list[tuple[float, float, str]]] = field(default_factory=dict)
    longest: int = 0


def _add_prefix(index: Index, text: str, path: str) -> None:
    known = index.prefix.get(text)
    index.prefix[text] = path if known is None else common_path(known, path)


def build_index() -> Index:
    """The registry as the matcher reads it: three queries."""
    index = Index()
    districts = list(
        Area.objects.filter(level=Area.Level.DISTRICT).values_list("name", "path").order_by("-name")
    )
    # Longer names first, so 浦东新区 is cut before a shorter name that begins it.
    districts.sort(key=lambda row: -len(row[0]))
    index.districts = tuple(name for name, _path in districts)
    index.district_paths = dict(districts)
    rows = StandardAddress.objects.values_list(
        "text", "compound", "building__path", "latitude", "longitude"
    )
    compound_numbers: dict[str, str] = {}
    for text, compound, path, latitude, longitude in rows.iterator(chunk_size=5000):
        key = normalize(text, districts=index.districts)
        index.exact[key] = (path, "address")
        for cut in cut_points(key):
            _add_prefix(index, key[:cut], path)
        if compound:
            name = normalize(compound, districts=index.districts)
            _add_prefix(index, name, path)
            number = key.rsplit("弄", 1)[-1] if "弄" in key else ""
            if number.endswith("号") and number[:-1].isdigit():
                known = compound_numbers.get(name + number)
                compound_numbers[name + number] = (
                    path if known is None else common_path(known, path)
                )
        if latitude is not None and longitude is not None:
            district = PATH_SEPARATOR.join(path.split(PATH_SEPARATOR)[:2]) + PATH_SEPARATOR
            index.points.setdefault(district, []).append((float(latitude), float(longitude), path))
    for key, path in compound_numbers.items():
        index.exact.setdefault(key, (path, "compound"))
    aliases = AddressAlias.objects.values_list("text", "address__building__path", "area__path")
    for text, building_path, area_path in aliases.iterator(chunk_size=5000):
        index.exact[text] = (building_path or area_path, "alias")
    index.longest = max((len(k) for k in (*index.exact, *index.prefix)), default=0)
    return index


class _Holder:
    def __init__(self) -> None:
        self.index: Index | None = None
        self.expires = 0.0
        self.lock = threading.Lock()


_holder = _Holder()


def index() -> Index:
    now = time.monotonic()
    if _holder.index is None or _holder.expires < now:
        with _holder.lock:
            if _holder.index is None or _holder.expires < now:
                seconds = getattr(settings, "INTAKE_CACHE_SECONDS", CACHE_SECONDS_DEFAULT)
                _holder.index = build_index()
                _holder.expires = now + max(seconds, 0)
    assert _holder.index is not None
    return _holder.index


def forget() -> None:
    """Drop the index (a registry write in this process; tests)."""
    _holder.index = None


# ---- matching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """Where a text or a position lands: the area path and its level ("" and "none"
    when nothing was found), and the reason in words a person reads in the queue."""

    path: str
    level: str
    reason: str
    # The street of the nearest registered address, for a case the position could not
    # place below its district: that street sees it in the queue (docs/integrators.md).
    street_path: str = ""

    @property
    def placed(self) -> bool:
        return self.level in PLACED_LEVELS


NOTHING = Match("", "none", "")


def _match(path: str, how: str, matched: str, rest: str) -> Match:
    level = path_level(path) or "none"
    words = {
        "address": _("标准地址“%(text)s”"),
        "alias": _("地址别名“%(text)s”"),
        "compound": _("小区楼号“%(text)s”"),
        "prefix": _("已登记地址的共同部分“%(text)s”"),
    }[how] % {"text": matched}
    if rest:
        words = _("%(what)s（其后“%(rest)s”未用于定位）") % {"what": words, "rest": rest[:40]}
    return Match(path, level, str(words)[:200])


def match_text(text: str) -> Match:
    """The deepest place the registry gives for an address text."""
    idx = index()
    raw = (text or "")[:MAX_TEXT]
    key = normalize(raw, districts=idx.districts)
    if not key:
        return NOTHING
    named = district_named(raw, idx.districts)
    within = idx.district_paths.get(named or "", "")
    found = idx.exact.get(key)
    if found is not None:
        result = _match(found[0], found[1], key, "")
    else:
        result = NOTHING
        for end in range(min(len(key) - 1, idx.longest), 0, -1):
            if key[end - 1].isdigit() and key[end].isdigit():
                continue  # "8" is no prefix of "88"
            head = key[:end]
            hit = idx.exact.get(head)
            if hit is not None:
                result = _match(hit[0], hit[1], head, key[end:])
                break
            common = idx.prefix.get(head)
            if common is not None:
                result = _match(common, "prefix", head, key[end:])
                break
    if within and result.path and not result.path.startswith(within):
        # The caller named another district: a road of the same name there is not this one.
        if within.startswith(result.path):  # the match spans districts: the named one
            result = Match(within, Area.Level.DISTRICT, result.reason)
        else:
            result = NOTHING
    if result.path and path_level(result.path) in (Area.Level.CITY, None):
        result = NOTHING
    if not result.path and within:
        return Match(
            within, Area.Level.DISTRICT, str(_("标准地址库中没有找到该地址，仅能确定所在区"))
        )
    if not result.path:
        return Match("", "none", str(_("标准地址库中没有找到该地址，也未写明所在区")))
    return result


def match_position(latitude: float, longitude: float) -> Match:
    """The deepest place a WGS-84 position gives: its district by the polygons, then
    the nearest registered address with a position."""
    idx = index()
    shape = geo.district_at(latitude, longitude)
    if shape is None:
        return Match("", "none", str(_("坐标不在本市各区范围内")))
    district = idx.district_paths.get(shape.name)
    if district is None:
        return Match(
            "", "none", str(_("坐标位于%(name)s，不在本系统辖区内")) % {"name": shape.name}
        )
    best: tuple[float, str] | None = None
    for lat, long, path in idx.points.get(district, ()):
        if abs(lat - latitude) > 0.02 or abs(long - longitude) > 0.025:
            continue  # beyond about 2 km: not worth the trigonometry
        metres = geo.distance_m(latitude, longitude, lat, long)
        if best is None or metres < best[0]:
            best = (metres, path)
    if best is not None and best[0] <= NEAR_BUILDING_M:
        reason = _("距最近的已登记地址 %(m)d 米") % {"m": best[0]}
        return Match(best[1], Area.Level.BUILDING, str(reason))
    if best is not None and best[0] <= NEAR_COMMUNITY_M:
        community = PATH_SEPARATOR.join(best[1].split(PATH_SEPARATOR)[:4]) + PATH_SEPARATOR
        reason = _("距最近的已登记地址 %(m)d 米，定位到其所在社区") % {"m": best[0]}
        return Match(community, Area.Level.COMMUNITY, str(reason))
    street = ""
    if best is not None and best[0] <= NEAR_STREET_M:
        street = PATH_SEPARATOR.join(best[1].split(PATH_SEPARATOR)[:3]) + PATH_SEPARATOR
    reason = _("坐标位于%(name)s，附近 %(m)d 米内没有已登记的地址") % {
        "name": shape.name,
        "m": NEAR_COMMUNITY_M,
    }
    return Match(district, Area.Level.DISTRICT, str(reason), street_path=street)


def deeper(a: Match, b: Match) -> Match:
    """The more precise of two matches (the text's when equal)."""
    return b if b.path.count(PATH_SEPARATOR) > a.path.count(PATH_SEPARATOR) else a
