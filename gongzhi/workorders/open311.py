"""Open311 GeoReport v2 at /open311/v2/ (https://wiki.open311.org/GeoReport_v2): service discovery, the
service list, service definitions, public request status, and filing by 12345 gateways and other Open311 clients.

- ``discovery.{json,xml}`` (also at /open311/discovery.*) — the Service Discovery document.
- ``services.{json,xml}``, ``services/<code>.{json,xml}`` — the active categories (服务目录); every service takes
  the optional attributes ``urgency`` and ``anonymous`` (``metadata`` true).
- ``requests.{json,xml}`` GET — public: only the requests the resident chose to publish (``Request.public``),
  at compound precision, with no reporter, contact, handler's notes, or photos, phones and ID numbers in the
  text masked; at most 90 days and 1,000 requests per call. Any other request is not listed, and its id is a
  404 (docs/privacy.md). POST — ``api_key`` (an ``people.ApiToken``) required;
  files through ``actions.file_request`` with channel ``open311`` as the token's account, which must be allowed
  to file at the place (staff within scope, e.g. street staff for a 12345 gateway).
- ``requests/<number>.{json,xml}`` — one request.
- ``tokens/<token>.{json,xml}`` — filing is realtime and never answers with a token: always 404.
``jurisdiction_id`` is accepted and ignored everywhere (one jurisdiction). Errors are a list of
``{"code", "description"}`` (XML ``<errors><error>…``) naming the parameter: 400 bad or missing parameter, 403
missing or invalid api_key or no right to file there, 404 unknown service/request/token or resource.
See docs/open311.md.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Max
from django.http import HttpResponse
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from gongzhi.core.masking import mask_public_text
from gongzhi.core.params import DATE_MAX, DATE_MIN
from gongzhi.people.auth import ReadOnlyToken, user_for_api_key
from gongzhi.places import geo
from gongzhi.places.models import STEP, Kind, Place

from . import actions
from .models import MEDIA_URL_MAX, OPEN_STATUSES, Category, Channel, HandlerKind, Request, Status, Urgency

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_REQUESTS = 1000
MAX_DAYS = 90
MAX_ADDRESS = 200  # Request.address
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# XML: the element of each entry of a list-valued field (the JSON is the same list, Spark convention).
ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
# attribute[code]=value, attribute[code][]=value (a multivaluelist)
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]*)\](?:\[\])?$")
_MEDIA_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
# Control characters XML 1.0 cannot carry (a pasted description may hold one): left out of the XML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The action's field names → the Open311 parameters they came from.
PARAMS = {"category": "service_code", "place": "address_id", "description": "description",
          "urgency": "attribute[urgency]", "contact_name": "first_name", "contact_phone": "phone",
          "address": "address_string"}
TRUE, FALSE = "true", "false"


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


# ---------------------------------------------------------------- rendering


def _xml_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return TRUE if value else FALSE
    return _NOT_XML.sub("", str(value))


def _xml(root: str, item: str | None, rows) -> str:
    """``<root><item><field>…</field></item>…</root>``; a dict for ``rows`` renders one element's fields. A list
    field renders one child per entry, named by ``ITEMS`` (``<attributes><attribute>…``)."""
    top = ET.Element(root)

    def fill(parent, row: dict) -> None:
        for key, value in row.items():
            child = ET.SubElement(parent, key)
            if isinstance(value, list):
                for entry in value:
                    element = ET.SubElement(child, ITEMS[key])
                    if isinstance(entry, dict):
                        fill(element, entry)
                    else:
                        element.text = _xml_value(entry)
            else:
                child.text = _xml_value(value)

    if item is None:
        fill(top, rows)
    else:
        for row in rows:
            fill(ET.SubElement(top, item), row)
    return ET.tostring(top, encoding="unicode", xml_declaration=False)


def _respond(fmt: str, data, *, root: str, item: str | None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = '<?xml version="1.0" encoding="UTF-8"?>' + _xml(root, item, data)
    else:
        body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body.encode("utf-8"), status=status, content_type=FORMATS[fmt])


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    return _respond(fmt, [{"code": code, "description": description}], root="errors", item="error", status=code)


def _w3c(value: datetime.datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat(timespec="seconds")


def open311_view(methods: tuple[str, ...]):
    """Only ``methods``; no NUL characters in parameters (PostgreSQL refuses them); an Open311Error becomes the
    spec's error list."""

    def wrap(view):
        @csrf_exempt
        def handler(request, fmt: str, **kwargs):
            if request.method not in methods:
                response = _error(fmt, 405, f"不支持 {request.method} 方法")
                response["Allow"] = ", ".join(methods)
                return response
            for params in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
                for key, values in params.lists():
                    if "\x00" in key or any("\x00" in v for v in values):
                        return _error(fmt, 400, f"{key.replace(chr(0), '')} 不能包含空字符")
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return _error(fmt, exc.code, exc.description)

        handler.__name__ = view.__name__
        handler.__doc__ = view.__doc__
        return handler

    return wrap


# ---------------------------------------------------------------- discovery


@open311_view(("GET", "HEAD"))
def discovery(request, fmt: str):
    """Service Discovery: this one GeoReport v2 endpoint; the changeset moves when the catalogue changes."""
    changed = Category.objects.aggregate(last=Max("updated_at"))["last"] or timezone.now()
    changeset = _w3c(changed)
    url = request.build_absolute_uri(reverse("open311_services", kwargs={"fmt": "xml"})).rsplit("/", 1)[0]
    return _respond(fmt, {
        "changeset": changeset,
        "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE,
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url,
            "changeset": changeset,
            "type": "test" if settings.DEBUG else "production",
            "formats": ["text/xml", "application/json"],
        }],
    }, root="discovery", item=None)


# ---------------------------------------------------------------- services


def _attributes() -> list[dict]:
    """The service definition's attributes — the same two, optional, for every service."""
    return [
        {"variable": True, "code": "urgency", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "不填为 normal（一般）；调度员受理后可调整", "order": 1,
         "description": "紧急程度", "values": [{"key": value, "name": str(label)} for value, label in Urgency.choices]},
        {"variable": True, "code": "anonymous", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "不填为 false", "order": 2,
         "description": "对物业匿名：物业企业看不到联系人姓名和电话",
         "values": [{"key": TRUE, "name": "是"}, {"key": FALSE, "name": "否"}]},
        {"variable": True, "code": "public", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "不填按默认：公共部位报修公开，户内与邻里纠纷、投诉等个人事务不公开", "order": 3,
         "description": "公开：在公开列表中显示类别、描述（号码打码）、状态和承办单位，位置只到小区",
         "values": [{"key": TRUE, "name": "是"}, {"key": FALSE, "name": "否"}]},
    ]


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": True,
        "type": "realtime",
        "keywords": category.name,
        "group": str(HandlerKind(category.handler_kind).label),
    }


@open311_view(("GET", "HEAD"))
def services(request, fmt: str):
    """GET Service List: the active categories."""
    rows = [_service(c) for c in Category.objects.filter(active=True).order_by("sort", "pk")]
    return _respond(fmt, rows, root="services", item="service")


@open311_view(("GET", "HEAD"))
def service_definition(request, fmt: str, code: str):
    """GET Service Definition: the optional attributes ``urgency`` and ``anonymous``."""
    if not code:
        raise Open311Error(400, "缺少 service_code")
    category = Category.objects.filter(active=True, code=code).first()
    if category is None:
        raise Open311Error(404, f"service_code {code} 不存在")
    return _respond(fmt, {"service_code": category.code, "attributes": _attributes()},
                    root="service_definition", item=None)


# ---------------------------------------------------------------- requests (read)


BELOW_COMPOUND = frozenset({Kind.BUILDING, Kind.UNIT, Kind.HOUSEHOLD})


def _public_places(places) -> dict[int, tuple[int, str]]:
    """place id → (id, full name) published for it: at compound precision at most (docs/privacy.md) — a
    building, unit or household is published as its compound (or, with none above it, the nearest place above
    the buildings), never a building, unit or room. One query for every ancestor name."""
    prefixes = {p.path[:i] for p in places for i in range(STEP, len(p.path) + 1, STEP)}
    nodes = {path: (pk, name, kind) for pk, path, name, kind in Place.objects.filter(path__in=prefixes)
             .values_list("pk", "path", "name", "kind")}
    result = {}
    for p in places:
        chain = [nodes[p.path[:i]] for i in range(STEP, len(p.path) + 1, STEP) if p.path[:i] in nodes]
        compounds = [i for i, node in enumerate(chain) if node[2] == Kind.COMPOUND]
        above = [i for i, node in enumerate(chain) if node[2] not in BELOW_COMPOUND]
        end = compounds[-1] if compounds else (above[-1] if above else 0)
        shown = chain[:end + 1]
        result[p.pk] = (shown[-1][0], " / ".join(node[1] for node in shown))
    return result


def _status_notes(req: Request) -> str:
    """The status in words; free text staff wrote (result notes, reasons) is not published: it may name people."""
    if req.status == Status.MERGED and req.merged_into is not None:
        return f"与 {req.merged_into.number} 合并办理"
    return str(Status(req.status).label)


def _centres(place_ids) -> dict[int, tuple[float, float]]:
    """The published place's point (its latitude/longitude, else its boundary's centroid): a compound's centre,
    never the point the resident sent (docs/privacy.md)."""
    centres = {}
    for p in Place.objects.filter(pk__in=set(place_ids)).only("pk", "latitude", "longitude", "boundary"):
        if (centre := geo.centre_of(p)) is not None:
            centres[p.pk] = (round(centre[0], 6), round(centre[1], 6))
    return centres


def _rows(requests: list[Request]) -> list[dict]:
    addresses = _public_places([r.place for r in requests])
    centres = _centres(pk for pk, _name in addresses.values())
    rows = []
    for r in requests:
        address_id, address = addresses[r.place_id]
        lat, long = centres.get(address_id, (None, None))
        rows.append({
            "service_request_id": r.number,
            "status": "open" if r.status in OPEN_STATUSES else "closed",
            "status_notes": _status_notes(r),
            "service_name": r.category.name,
            "service_code": r.category.code,
            "description": mask_public_text(r.description, names=[r.contact_name]),
            "agency_responsible": r.handler.name if r.handler is not None else None,
            "service_notice": None,
            "requested_datetime": _w3c(r.created_at),
            "updated_datetime": _w3c(r.updated_at),
            "expected_datetime": _w3c(r.resolution_due_at),
            "address": address,
            "address_id": address_id,
            "zipcode": None,
            "lat": lat,
            "long": long,
            "media_url": None,
        })
    return rows


def _public_requests():
    """Only what the resident chose to publish (公开); any other request is simply not there."""
    return Request.objects.filter(public=True).select_related("category", "handler", "place", "merged_into")


def _when(name: str, value: str, *, end: bool = False) -> datetime.datetime:
    """A W3C date-time (NOTE-datetime: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``YYYY-MM-DDThh:mm[:ss[.s]]TZD``).
    A date alone is a whole day (month, year): as ``end_date`` it includes that day."""
    value = value.strip().replace(" ", "+")  # an unescaped "+" in a query string arrives as a space
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is not None:
                day = day + datetime.timedelta(days=1) if end else day
            elif match := _YEAR_MONTH.match(value):
                year, month = int(match[1]), int(match[2] or 0)
                day = datetime.date(year, month or 1, 1)
                if end:
                    day = (datetime.date(year + 1, 1, 1) if month in (0, 12)
                           else datetime.date(year, month + 1, 1))
            else:
                raise ValueError(value)
            parsed = datetime.datetime.combine(day, datetime.time())
    except (ValueError, OverflowError):  # OverflowError: the day after 9999-12-31
        raise Open311Error(400, f"{name} 应为 W3C 日期时间，如 2026-01-05T08:00:00+08:00") from None
    if not DATE_MIN <= parsed.date() <= DATE_MAX:  # year 1 or 9999 overflows once shifted to local time
        raise Open311Error(400, f"{name} 应在 {DATE_MIN.isoformat()} 至 {DATE_MAX.isoformat()} 之间")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _listed(params, name: str) -> list[str]:
    """A parameter that "can be declared multiple times, comma delimited": ``a,b`` or ``name=a&name=b``."""
    return [v.strip() for given in params.getlist(name) for v in given.split(",") if v.strip()]


def _list_requests(request, fmt: str) -> HttpResponse:
    """GET Service Requests: newest first, by default the last 90 days."""
    params = request.GET
    qs = _public_requests()
    ids = _listed(params, "service_request_id")
    if ids:  # "overrides all other arguments" (GeoReport v2)
        qs = qs.filter(number__in=ids[:MAX_REQUESTS])
    else:
        codes = _listed(params, "service_code")
        if codes:
            qs = qs.filter(category__code__in=codes[:MAX_REQUESTS])
        statuses = {s.lower() for s in _listed(params, "status")}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status 只能是 open 或 closed")
        if statuses == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif statuses == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATUSES)
        given_start = _when("start_date", params["start_date"]) if params.get("start_date") else None
        given_end = _when("end_date", params["end_date"], end=True) if params.get("end_date") else None
        window = datetime.timedelta(days=MAX_DAYS)
        if given_start is None:
            end = given_end or timezone.now()
            start = end - window
        else:
            start = given_start
            end = given_end or start + window
        if end < start:
            raise Open311Error(400, "end_date 不能早于 start_date")
        if end - start > datetime.timedelta(days=MAX_DAYS):
            raise Open311Error(400, f"start_date 与 end_date 相距不能超过 {MAX_DAYS} 天")
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
    found = list(qs.order_by("-created_at", "-pk")[:MAX_REQUESTS])
    return _respond(fmt, _rows(found), root="service_requests", item="request")


@open311_view(("GET", "HEAD"))
def request_detail(request, fmt: str, number: str):
    """GET Service Request: a list holding the one request."""
    if not number:
        raise Open311Error(400, "缺少 service_request_id")
    req = _public_requests().filter(number=number).first()
    if req is None:
        raise Open311Error(404, f"service_request_id {number} 不存在")
    return _respond(fmt, _rows([req]), root="service_requests", item="request")


@open311_view(("GET", "HEAD"))
def request_id_from_token(request, fmt: str, token_id: str):
    """GET service_request_id from a token: every service is realtime, so no token is ever issued."""
    if not token_id:
        raise Open311Error(400, "缺少 token")
    raise Open311Error(404, f"token {token_id} 不存在：本平台实时受理，提交时即返回 service_request_id")


# ---------------------------------------------------------------- requests (file)


def _token_user(key: str):
    if not key:
        raise Open311Error(403, "缺少 api_key")
    try:  # the same look-up as the API's bearer and X-Api-Token; filing is a write
        user = user_for_api_key(key, write=True)
    except ReadOnlyToken as exc:
        raise Open311Error(403, str(exc.message)) from exc
    if user is None:
        raise Open311Error(403, "api_key 无效")
    return user


def _coordinates(data) -> tuple[float, float] | None:
    """``lat`` and ``long`` (WGS84), both or neither."""
    lat, long = data.get("lat", "").strip(), data.get("long", "").strip()
    if not lat and not long:
        return None
    if not lat or not long:
        raise Open311Error(400, "lat 与 long 须同时提供")
    try:
        values = float(lat), float(long)
    except ValueError:
        values = (math.nan, math.nan)
    if not (-90 <= values[0] <= 90 and -180 <= values[1] <= 180):  # NaN fails both
        raise Open311Error(400, "lat/long 应为 WGS84 经纬度（lat -90～90，long -180～180）")
    return values


def _place_named(text: str) -> Place | None:
    """The one place whose full name ends with ``text``: names separated by "/" or commas, from the most general
    (as in the published ``address``: 尚书苑 / 1号楼 / 1单元) or from the most specific (1单元, 1号楼, 尚书苑)."""
    names = [n.strip() for n in re.split(r"[/,，、]", text) if n.strip()]
    if not names or len(names) > 16:
        return None
    found: dict[int, Place] = {}
    for order in (names, names[::-1]):
        same_name = Place.objects.filter(name=order[-1])
        if len(order) > 1:
            same_name = same_name.filter(parent__name=order[-2])
        candidates = list(same_name.order_by("pk")[:200])
        prefixes = {c.path[:i] for c in candidates for i in range(STEP, len(c.path), STEP)}
        ancestor_names = dict(Place.objects.filter(path__in=prefixes).values_list("path", "name"))
        for c in candidates:
            chain = [ancestor_names.get(c.path[:i], "") for i in range(STEP, len(c.path), STEP)] + [c.name]
            if chain[-len(order):] == order:
                found[c.pk] = c
    return next(iter(found.values())) if len(found) == 1 else None


@dataclass(frozen=True)
class Where:
    """Where a filed request goes: the place, the caller's own words, the point they sent, and whether it waits
    as 待定位 at a region (``places.geo.locate``)."""

    place: Place
    address: str = ""
    point: tuple[float, float] | None = None
    unlocated: bool = False


def _located(point: tuple[float, float]) -> Where:
    """``lat``/``long`` alone: inside a compound's boundary, else the nearest compound within the radius, else
    the smallest region of ours holding it (待定位); outside every district served is a 400 naming the point."""
    found = geo.locate(*point)
    if found.place is None:
        where = f"（{found.district}）" if found.district else ""
        raise Open311Error(400, f"lat/long {geo.point_text(*point)}{where} 不在本平台服务的区县范围内，"
                                "请提供 address_id 或 address_string")
    return Where(found.place, point=point, unlocated=found.unlocated)


def _place(data) -> Where:
    """The place and the free-text address to keep with the request. One of ``address_id`` (a place id or code),
    ``address_string`` (a place code or full name) or ``lat``/``long`` is required; ``lat``/``long`` alone are
    placed by :func:`_located`, and kept with the request whenever they are sent."""
    address_id = data.get("address_id", "").strip()
    address_string = data.get("address_string", "").strip()
    coordinates = _coordinates(data)
    if len(address_string) > MAX_ADDRESS:
        raise Open311Error(400, f"address_string 不能超过{MAX_ADDRESS}个字")
    if address_id:
        place = None
        if address_id.isdigit() and len(address_id) < 19:
            place = Place.objects.filter(pk=int(address_id)).first()
        place = place or Place.objects.filter(code=address_id).first()
        if place is None:
            raise Open311Error(400, f"address_id {address_id} 不存在")
        # the caller's own words for where it is, kept as the detailed address
        return Where(place, address_string, coordinates)
    if address_string:
        place = Place.objects.filter(code=address_string).first() or _place_named(address_string)
        if place is None:
            raise Open311Error(400, "address_string 应为平台的区域编码或完整区域名称（如 尚书苑 / 1号楼）")
        return Where(place, "", coordinates)
    if coordinates is not None:
        return _located(coordinates)
    raise Open311Error(400, "缺少 address_id、address_string 或 lat/long")


def _attribute_values(data) -> tuple[str, bool, bool | None]:
    """``attribute[urgency]``, ``attribute[anonymous]`` and ``attribute[public]`` (empty is the same as absent;
    other codes ignored)."""
    given: dict[str, list[str]] = {}
    for key, values in data.lists():
        if match := _ATTRIBUTE.match(key):
            given.setdefault(match[1], []).extend(v.strip() for v in values if v.strip())
    for code, values in given.items():
        if code in ("urgency", "anonymous", "public") and len(values) > 1:
            raise Open311Error(400, f"attribute[{code}] 只能有一个值")
    urgency = (given.get("urgency") or [Urgency.NORMAL])[0]
    if urgency not in Urgency.values:
        raise Open311Error(400, f"attribute[urgency] 应为 {'、'.join(Urgency.values)} 之一")
    anonymous = (given.get("anonymous") or [FALSE])[0].lower()
    if anonymous not in (TRUE, FALSE):
        raise Open311Error(400, "attribute[anonymous] 应为 true 或 false")
    public = (given.get("public") or [""])[0].lower()
    if public not in (TRUE, FALSE, ""):
        raise Open311Error(400, "attribute[public] 应为 true 或 false")
    return urgency, anonymous == TRUE, None if not public else public == TRUE


def _file(request, fmt: str) -> HttpResponse:
    """POST Service Request (form-encoded): files as the api_key's account, channel open311."""
    data = request.POST
    user = _token_user(data.get("api_key", "").strip() or request.GET.get("api_key", "").strip())
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "缺少 service_code")
    category = Category.objects.filter(active=True, code=code).first()
    if category is None:
        raise Open311Error(404, f"service_code {code} 不存在")
    media_url = data.get("media_url", "").strip()
    if len(media_url) > MEDIA_URL_MAX:
        raise Open311Error(400, f"media_url 不能超过{MEDIA_URL_MAX}个字符")
    if media_url and not _MEDIA_URL.match(media_url):
        raise Open311Error(400, "media_url 应为 http:// 或 https:// 开头的图片地址")
    where = _place(data)
    urgency, anonymous, public = _attribute_values(data)
    # description is optional in GeoReport v2; a request needs one, so the service name stands in
    description = data.get("description", "").strip() or f"{category.name}（提交时未填写描述）"
    name = (data.get("last_name", "").strip() + data.get("first_name", "").strip())  # 姓 + 名
    if len(name) > 50:
        raise Open311Error(400, "first_name 与 last_name 合计不能超过50个字")
    phone = data.get("phone", "").strip()
    if len(phone) > 20:
        raise Open311Error(400, "phone 不能超过20个字符")
    email = data.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, "email 格式不正确") from None
    try:
        req = actions.file_request(by=user, category=category, description=description, place=where.place,
                                   urgency=urgency, channel=Channel.OPEN311, contact_name=name, contact_phone=phone,
                                   anonymous=anonymous, address=where.address, public=public,
                                   point=where.point, unlocated=where.unlocated, media_url=media_url)
    except PermissionDenied:
        if where.unlocated and where.point is not None:
            raise Open311Error(403, f"lat/long {geo.point_text(*where.point)} 未落在小区内，归入{where.place.name}，"
                                    "该 api_key 的账号无权在此提交诉求") from None
        raise Open311Error(403, "该 api_key 的账号无权在此位置提交诉求") from None
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        field, messages = next(iter(errors.items()))
        raise Open311Error(400, f"{PARAMS.get(field, field)}: {messages[0]}".lstrip(": ")) from None
    notice = f"已受理，编号 {req.number}，将在 {_w3c(req.resolution_due_at)} 前办结"
    if req.unlocated:
        notice += f"；位置未落在小区内，已转{where.place.name}待定位"
    return _respond(fmt, [{"service_request_id": req.number, "service_notice": notice, "account_id": None}],
                    root="service_requests", item="request", status=201)


@open311_view(("GET", "HEAD", "POST"))
def requests_collection(request, fmt: str):
    if request.method == "POST":
        return _file(request, fmt)
    return _list_requests(request, fmt)


@csrf_exempt
def not_found(request, rest: str = ""):
    """Anything else under /open311/v2/: the spec's 404, in the format the path asks for (XML by default)."""
    fmt = "json" if rest.endswith(".json") else "xml"
    return _error(fmt, 404, f"没有这个资源：{request.path}；见 services.xml、requests.xml、discovery.xml")


FMT = r"\.(?P<fmt>json|xml)$"
discovery_urlpatterns = [re_path(r"^discovery" + FMT, discovery, name="open311_discovery")]
urlpatterns = [
    re_path(r"^discovery" + FMT, discovery, name="open311_v2_discovery"),
    re_path(r"^services" + FMT, services, name="open311_services"),
    re_path(r"^services/(?P<code>[^/]*?)" + FMT, service_definition, name="open311_service"),
    re_path(r"^requests" + FMT, requests_collection, name="open311_requests"),
    re_path(r"^requests/(?P<number>[^/]*?)" + FMT, request_detail, name="open311_request"),
    re_path(r"^tokens/(?P<token_id>[^/]*?)" + FMT, request_id_from_token, name="open311_token"),
    re_path(r"^(?P<rest>.*)$", not_found),
]
