"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the civic-issue standard
behind FixMyStreet and SeeClickFix, so other systems can file and follow appeals.

- discovery.{json,xml}: where the endpoint is and what it speaks
- v2/services.{json,xml}, v2/services/{code}.{json,xml}: the categories
  (service_code = Category.code; categories carry no extra attributes, so metadata is
  false and a definition's attributes are empty)
- v2/requests.{json,xml}: GET with the spec's filters, public data only, no key needed;
  POST form-encoded with api_key (keys from `jiceng open311-key create --name NAME`)
- v2/requests/{id}.{json,xml}: one request; ids are tracking codes

Places. A POST may say where in any of the three ways GeoReport v2 allows, alone or
together. `address_id` is an area code of this system: a community, grid or building
(Area.code), used as it is. Without it, `address_string` is matched against the
standard address registry and its aliases (places.matcher: full-width characters,
号/弄/室/栋/幢 forms, Chinese numerals and city, district and street prefixes
normalized; exact, then the longest registered prefix), and `lat`/`long` (WGS-84) are
placed in a district by the district polygons (GCJ-02: the point is converted first;
a client whose point comes from AMap or Tencent sends `coordinate_system=gcj02`, an
extension of this server, and the point is brought back to WGS-84 on arrival),
then at the nearest registered address with a position (places.geo). A case that lands
on a community, grid or building is filed there; one that can be told no deeper than a
district is filed all the same, at that district, and waits in its placement queue
(待定位) with the reason until a person places it (the answer's service_notice says
so). Only when not even a district can be told (no district named or matched, a point
outside every district, and no jurisdiction or key territory to fall back on) is the
POST refused with 400. `jurisdiction_id`, optional as the spec allows for a
single-jurisdiction server, is also an area code: when given, GET lists only that
subtree and POST accepts places inside it only; an unknown one is 404.

Personal data. GET output shows, by default, the category, status, area, dates, the
handling unit and its public reply; never the contact's name, phone or email, the
address text, the coordinates or the photo. The description appears only as a staff
member published it with personal data removed (`appeal_publish_description`, as
FixMyStreet moderates); replies and published text are shown with phone and ID numbers
typed into them masked (core.masking) all the same. `email`, `device_id`, `account_id`
and `media_url` are accepted and ignored: there is nowhere to keep an email, and a
remote URL is never fetched. Posted text follows the input policy (core.inputs): a
control character in any field, or text longer than its column, is refused naming it.

Retries. A POST carrying an `Idempotency-Key` header is idempotent per API key
(core.idempotency): the retry of the same request answers with the first case's id and
creates nothing; the same key with another request is refused with 422 and creates
nothing; a key longer than 255 characters is refused with 400.

Filing is acknowledged after one write (appeals.intake, docs/decisions/0009): the answer
carries the case's service_request_id at once; routing, the duplicate check and dispatch
follow within the minute (`jiceng process-intake`). Until then GET shows the case open,
with a status_notes saying it is being routed and no agency_responsible. The POST skips
the browser middleware (appeals.middleware) and reads the key, category and place from a
per-process cache; a revoked key is refused by the write itself.

Mapping. status is closed when the case is closed, open otherwise; status_notes is the
handling unit's public reply once given, else a fixed sentence for the state (a reopened
case says so, not the resident's reason); address is the area's name, address_id its
code, lat and long null; expected_datetime is the resolution deadline; updated_datetime
is the closing time of a closed case, else its latest event.
"""

import datetime
import functools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from jiceng.appeals import cache, intake, locating, services
from jiceng.appeals.models import Appeal, AppealEvent, Category, Open311Key
from jiceng.core.errors import ApplicationError
from jiceng.core.inputs import MSG_CONTROL, has_control
from jiceng.core.masking import redact_personal
from jiceng.core.models import Area
from jiceng.places.geo import COORDINATE_SYSTEMS, WGS84, as_wgs84
from jiceng.places.locate import Location, locate

LOCAL = ZoneInfo(settings.TIME_ZONE)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed, as the discovery document must say.
CHANGESET = "2026-12-06T08:00:00+08:00"  # address_string and lat/long locate the case
MAX_RESULTS = 1000  # the spec's default query limit
MAX_DAYS = 90  # the spec's default and largest date range
MAX_ADDRESS_MATCHED = 200  # what the matcher reads of address_string (Appeal.address)
FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# Characters XML 1.0 cannot carry (C0 controls other than tab and newlines, surrogates,
# U+FFFE/U+FFFF): a pasted control character must not make a document malformed, and
# PostgreSQL refuses NUL in text outright.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What the feed reads of a case: nothing of the resident's own (description, address,
# position, contact, photo) but the edit a staff member published.
PUBLIC_COLUMNS = (
    "tracking_code", "state", "routing_pending", "received_at", "closed_at",
    "resolution_due_at", "public_reply", "public_description",
    "category__name", "category__code", "area__name", "area__code", "unit__name",
)  # fmt: skip
# status_notes before the handling unit's reply: where the case stands, in fixed words.
STATUS_NOTES = {
    Appeal.State.RECEIVED: "已受理，等待派单 (received)",
    Appeal.State.DISPATCHED: "已派单至承办单位 (sent to the handling unit)",
    Appeal.State.ACCEPTED: "承办单位已签收 (accepted by the handling unit)",
    Appeal.State.IN_PROGRESS: "正在办理 (in progress)",
    Appeal.State.RETURNED: "退回重新派单 (being sent to another unit)",
    Appeal.State.REOPENED: "居民不满意，重新办理 (reopened)",
}

MSG_FORMAT = "格式应为 json 或 xml (format must be json or xml)"
MSG_METHOD = "不支持该请求方法 (method not allowed)"
MSG_API_KEY = "api_key 缺失、无效或已吊销 (missing, invalid or revoked api_key)"
MSG_SERVICE_CODE_MISSING = "缺少 service_code (service_code was not provided)"
MSG_SERVICE_CODE_UNKNOWN = "没有该服务类别 (service_code not found: {code})"
MSG_JURISDICTION_UNKNOWN = "没有该辖区 (jurisdiction_id not found: {code})"
MSG_LOCATION_MISSING = (
    "需要 address_id、address_string 或 lat/long 之一 "
    "(one of address_id, address_string or lat/long is required)"
)
MSG_UNPLACEABLE = (
    "无法确定所在区：请提供 address_id，或在地址中写明所在区，或提供本市范围内的坐标 "
    "(cannot tell the district: send address_id, name the district, or a point inside it)"
)
MSG_ADDRESS_ID_UNKNOWN = "address_id 无效或不在辖区内 (address_id not found: {code})"
MSG_LAT_LONG = (
    "lat 与 long 应同时提供且为有效坐标，coordinate_system 为 wgs84（默认）或 gcj02"
    " (lat and long must come together; coordinate_system is wgs84 or gcj02)"
)
MSG_DATE = "日期格式不正确，应为 W3C 日期时间 (invalid w3c datetime: {value})"
MSG_DATE_ORDER = "start_date 不能晚于 end_date (start_date is after end_date)"
MSG_STATUS = "status 应为 open 或 closed (status must be open or closed)"
MSG_NOT_FOUND = "没有该诉求 (service request not found: {id})"
NOTICE_RECEIVED = (
    "已受理，正在分派承办单位，办结时限 {due} (received; being routed; to be resolved by {due})"
)
NOTE_ROUTING = "已受理，正在分派承办单位 (received; being routed to a handling unit)"
NOTICE_PLACEMENT = (
    "已受理，地址暂未能定位到社区，将由人工确定发生地后派单，办结时限 {due} "
    "(received; waiting to be placed by a person; to be resolved by {due})"
)
NOTICE_RETRY = "重复提交，返回已受理的诉求 (a retry of an earlier request: nothing new created)"


# ---- rendering -----------------------------------------------------------------------------


def _iso(moment: datetime.datetime | None) -> str | None:
    """W3C datetime with the local offset (+08:00), as the spec requires."""
    return moment.astimezone(LOCAL).isoformat(timespec="seconds") if moment else None


def _fill(element: ET.Element, row: dict[str, Any]) -> None:
    """Spark convention in reverse: a dict becomes child elements, a list of dicts
    repeated children named after the singular, null an empty element."""
    for key, value in row.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for entry in value:
                item = ET.SubElement(child, key.removesuffix("s"))
                if isinstance(entry, dict):
                    _fill(item, entry)
                else:
                    item.text = XML_ILLEGAL.sub("", str(entry))
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        elif value is not None:
            child.text = XML_ILLEGAL.sub("", str(value))


def _document(fmt: str, body: Any, *, root: str, item: str | None, status: int = 200):
    """One response in the requested format. `body` is a list of rows (rendered as
    <root><item>…</item></root>) or, with item None, a single row under <root>. XML is
    built as a tree, so whatever text a resident typed comes out escaped."""
    if fmt == "xml":
        top = ET.Element(root)
        if item is None:
            _fill(top, body)
        else:
            for row in body:
                _fill(ET.SubElement(top, item), row)
        content = XML_DECLARATION + ET.tostring(top, encoding="unicode")
    else:
        content = json.dumps(body, ensure_ascii=False)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error shape; the code in the body is the HTTP status."""
    fmt = fmt if fmt in FORMATS else "json"
    rows = [{"code": status, "description": description}]
    return _document(fmt, rows, root="errors", item="error", status=status)


def unavailable(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """The spec's error shape when the database does not answer (core.unavailable adds
    Retry-After), in the format the path asks for."""
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return _error(fmt, status, message)


def _endpoint(*methods: str) -> Callable:
    """Checks the format suffix and the method before the view runs, answering in the
    spec's error shape rather than Django's HTML pages."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in FORMATS:
                return _error("json", 400, MSG_FORMAT)
            if request.method not in methods:
                response = _error(fmt, 405, MSG_METHOD)
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, fmt=fmt, **kwargs)

        return wrapped

    return decorate


def _jurisdiction(params: QueryDict, fmt: str) -> tuple[Area | None, HttpResponse | None]:
    """The area named by jurisdiction_id, None when absent, or a 404 error response."""
    code = (params.get("jurisdiction_id") or "").strip()
    if not code:
        return None, None
    area = Area.objects.filter(code=code).first()
    if area is None:
        return None, _error(fmt, 404, MSG_JURISDICTION_UNKNOWN.format(code=code))
    return area, None


# ---- discovery -----------------------------------------------------------------------------


@_endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """The service discovery document (http://wiki.open311.org/Service_Discovery)."""
    document = {
        "changeset": CHANGESET,
        "contact": "由部署单位的运维人员提供 (the deploying organization's operators)",
        "key_service": (
            "向部署单位申请；运维以 `jiceng open311-key create --name 名称` 生成密钥 "
            "(ask the operators; keys are issued with `jiceng open311-key create --name NAME`)"
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _document(fmt, document, root="discovery", item=None)


# ---- services ------------------------------------------------------------------------------


def _service_row(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(k for k in (category.group, category.name) if k),
        "group": category.group,
    }


@_endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every active category, in the order the intake forms show them."""
    _area, error = _jurisdiction(request.GET, fmt)
    if error:
        return error
    categories = Category.objects.filter(is_active=True).order_by("sort", "code")
    return _document(fmt, [_service_row(c) for c in categories], root="services", item="service")


@_endpoint("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """Categories have no extra fields, so the definition lists no attributes."""
    _area, error = _jurisdiction(request.GET, fmt)
    if error:
        return error
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        return _error(fmt, 404, MSG_SERVICE_CODE_UNKNOWN.format(code=code))
    definition = {"service_code": category.code, "attributes": []}
    return _document(fmt, definition, root="service_definition", item=None)


# ---- requests: public reads ----------------------------------------------------------------


def _public_requests() -> QuerySet[Appeal]:
    """Cases as the public sees them, with the time of the latest event computed by the
    database, so a list of 1,000 is one query. Only the columns the feed shows are read."""
    events = AppealEvent.objects.filter(appeal=OuterRef("pk")).order_by("-at", "-id")
    return (
        Appeal.objects.select_related("category", "area", "unit")
        .only(*PUBLIC_COLUMNS)
        .annotate(last_event_at=Subquery(events.values("at")[:1]))
    )


def _decimal(value: Decimal | None) -> str | None:
    """31.209500 as "31.2095": no padding zeros, never an exponent."""
    return None if value is None else format(value.normalize(), "f")


def _request_row(appeal: Appeal) -> dict[str, Any]:
    """Category, status, area, dates, the handling unit and its public reply; the
    description only as a staff member published it; never the resident's address,
    position, contact or photo."""
    closed = appeal.state == Appeal.State.CLOSED
    updated = appeal.closed_at if closed and appeal.closed_at else appeal.last_event_at
    if appeal.routing_pending:
        note = NOTE_ROUTING
    elif appeal.state == Appeal.State.REOPENED:
        note = STATUS_NOTES[appeal.state]
    else:
        note = redact_personal(appeal.public_reply) or str(STATUS_NOTES.get(appeal.state, ""))
    return {
        "service_request_id": appeal.tracking_code,
        "status": "closed" if closed else "open",
        "status_notes": note,
        "service_name": appeal.category.name,
        "service_code": appeal.category.code,
        "description": redact_personal(appeal.public_description),
        "agency_responsible": appeal.unit.name if appeal.unit_id else "",
        "service_notice": "",
        "requested_datetime": _iso(appeal.received_at),
        "updated_datetime": _iso(updated or appeal.received_at),
        "expected_datetime": _iso(appeal.resolution_due_at),
        "address": appeal.area.name,
        "address_id": appeal.area.code,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _parse_date(value: str | None) -> datetime.datetime | None:
    """A W3C datetime; one without an offset is taken as local time."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value) or datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(value) from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=LOCAL)
    return parsed


def _comma_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    jurisdiction, error = _jurisdiction(params, fmt)
    if error:
        return error
    appeals = _public_requests()
    if jurisdiction is not None:
        appeals = appeals.filter(area__path__startswith=jurisdiction.path)
    ids = _comma_list(params.get("service_request_id"))
    if ids:  # "This overrides all other arguments."
        appeals = appeals.filter(tracking_code__in=[i.upper() for i in ids[:MAX_RESULTS]])
    else:
        try:
            start = _parse_date(params.get("start_date"))
            end = _parse_date(params.get("end_date"))
        except ValueError as bad:
            return _error(fmt, 400, MSG_DATE.format(value=bad))
        span = datetime.timedelta(days=MAX_DAYS)
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - span
        if end is None:
            end = start + span
        if start > end:
            return _error(fmt, 400, MSG_DATE_ORDER)
        end = min(end, start + span)  # a range may not span more than 90 days
        appeals = appeals.filter(received_at__gte=start, received_at__lte=end)
        codes = _comma_list(params.get("service_code"))
        if codes:
            appeals = appeals.filter(category__code__in=codes)
        statuses = set(_comma_list(params.get("status")))
        if statuses - {"open", "closed"}:
            return _error(fmt, 400, MSG_STATUS)
        if statuses == {"open"}:
            appeals = appeals.exclude(state=Appeal.State.CLOSED)
        elif statuses == {"closed"}:
            appeals = appeals.filter(state=Appeal.State.CLOSED)
    rows = [_request_row(a) for a in appeals.order_by("-received_at", "-id")[:MAX_RESULTS]]
    return _document(fmt, rows, root="service_requests", item="request")


@_endpoint("GET")
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    """One request, as an array of one, or 404."""
    jurisdiction, error = _jurisdiction(request.GET, fmt)
    if error:
        return error
    appeals = _public_requests().filter(tracking_code=request_id.strip().upper())
    if jurisdiction is not None:
        appeals = appeals.filter(area__path__startswith=jurisdiction.path)
    appeal = appeals.first()
    if appeal is None:
        return _error(fmt, 404, MSG_NOT_FOUND.format(id=request_id))
    return _document(fmt, [_request_row(appeal)], root="service_requests", item="request")


# ---- requests: filing ----------------------------------------------------------------------


def _coordinates(data: QueryDict) -> tuple[float | None, float | None]:
    """Both or neither, inside WGS84 bounds, rounded to what the case keeps; a point
    sent as GCJ-02 (`coordinate_system=gcj02`, this server's extension: AMap and Tencent
    give GCJ-02) brought back to WGS-84 first."""
    raw_lat, raw_long = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    system = (data.get("coordinate_system") or WGS84).strip().lower()
    if system not in COORDINATE_SYSTEMS:
        raise ValueError
    if not raw_lat and not raw_long:
        return None, None
    try:
        latitude, longitude = Decimal(raw_lat), Decimal(raw_long)
    except InvalidOperation:
        raise ValueError from None
    if not (latitude.is_finite() and longitude.is_finite()):
        raise ValueError
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError
    return as_wgs84(float(latitude), float(longitude), system)


def _place(address_id: str, key: Open311Key, jurisdiction: Area | None) -> cache.Place | None:
    """The place named by address_id, if a case may be filed there (a community, grid
    or building) by this key and request."""
    place = cache.place_cached(address_id)
    if place is None:
        return None
    for bound in (key.area, jurisdiction):
        if bound is not None and not place.area.path.startswith(bound.path):
            return None
    return place


# The case's fields as Open311 names them, for errors raised by the intake's checks.
OPEN311_FIELDS = {
    "description": "description",
    "address": "address_string",
    "contact_name": "first_name",
    "contact_phone": "phone",
    "idempotency_key": "Idempotency-Key",
}


def _text(data: QueryDict, name: str) -> str:
    """A posted text field. Control characters were refused on arrival
    (`_request_create`); the intake checks lengths against the columns (core.inputs)."""
    return data.get(name) or ""


def _contact_name(data: QueryDict) -> str:
    """王 + 先生 → 王先生; John + Smith → John Smith."""
    first, last = _text(data, "first_name").strip(), _text(data, "last_name").strip()
    if (first + last).isascii():
        return " ".join(p for p in (first, last) if p)
    return last + first


def _jurisdiction_cached(params: QueryDict, fmt: str) -> tuple[Area | None, HttpResponse | None]:
    """`_jurisdiction` from the per-process cache of areas, for the filing path."""
    code = (params.get("jurisdiction_id") or "").strip()
    if not code:
        return None, None
    area = cache.area_cached(code)
    if area is None:
        return None, _error(fmt, 404, MSG_JURISDICTION_UNKNOWN.format(code=code))
    return area, None


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    """File a case, acknowledged after one write: the answer carries its
    service_request_id (the tracking code) at once; routing and dispatch follow within
    the minute (`jiceng process-intake`), visible through GET as its status_notes and
    agency_responsible. Key, category and place come from a per-process cache."""
    data = request.POST
    for name, values in data.lists():
        if has_control(name) or any(has_control(v) for v in values):
            return _error(fmt, 400, f"{XML_ILLEGAL.sub('', name)}: {MSG_CONTROL}")
    raw_key = data.get("api_key")
    key = cache.open311_key_cached(raw_key)
    if key is None:
        return _error(fmt, 403, MSG_API_KEY)
    jurisdiction, error = _jurisdiction_cached(data, fmt)
    if error:
        return error
    code = (data.get("service_code") or "").strip()
    if not code:
        return _error(fmt, 400, MSG_SERVICE_CODE_MISSING)
    category = cache.category_cached(code)
    if category is None:
        return _error(fmt, 404, MSG_SERVICE_CODE_UNKNOWN.format(code=code))
    try:
        latitude, longitude = _coordinates(data)
    except ValueError:
        return _error(fmt, 400, MSG_LAT_LONG)
    address_id = (data.get("address_id") or "").strip()
    location = None
    if address_id:
        place = _place(address_id, key, jurisdiction)
        if place is None:
            return _error(fmt, 400, MSG_ADDRESS_ID_UNKNOWN.format(code=address_id))
    else:
        address_string = _text(data, "address_string")
        if not address_string.strip() and latitude is None:
            return _error(fmt, 400, MSG_LOCATION_MISSING)
        bound = jurisdiction or key.area
        location = locate(
            address_string=address_string[:MAX_ADDRESS_MATCHED],
            latitude=latitude,
            longitude=longitude,
            fallback=bound,
            within=bound,
        )
        if location is None:
            return _error(fmt, 400, MSG_UNPLACEABLE)
        place = _place(location.area.code, key, jurisdiction) if location.placed else None
        if location.placed and place is None:
            return _error(fmt, 400, MSG_ADDRESS_ID_UNKNOWN.format(code=location.area.code))
    filed = services.Intake(
        channel=Appeal.Channel.OPEN311,
        category=category,
        area=place.area if place else location.area,
        description=_text(data, "description"),
        address=_text(data, "address_string"),
        contact_name=_contact_name(data),
        contact_phone=_text(data, "phone"),
        latitude=latitude,
        longitude=longitude,
        client=f"open311:{key.pk}",
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    try:
        if place is None:
            return _file_for_placement(fmt, filed, location)
        received = intake.appeal_receive(intake=filed, place=place, key=key)
    except ApplicationError as failure:
        # 400 for bad input; 422 for an Idempotency-Key already used with another request.
        name = OPEN311_FIELDS.get(failure.field, failure.field)
        field = f"{name}: " if name else ""
        return _error(fmt, failure.status, f"{field}{failure.message}")
    if received is None:  # revoked since this worker cached it
        cache.forget_key(raw_key)
        return _error(fmt, 403, MSG_API_KEY)
    due = received.resolution_due_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    row = {
        "service_request_id": received.tracking_code,
        "service_notice": NOTICE_RECEIVED.format(due=due) if received.created else NOTICE_RETRY,
        "account_id": None,
    }
    # 200 for a new case and a retry alike: Open311 clients check for success, not 201.
    return _document(fmt, [row], root="service_requests", item="request")


def _file_for_placement(fmt: str, filed: services.Intake, location: Location) -> HttpResponse:
    """A case told no deeper than a district: filed there through the full intake (its
    audit entry at once; nothing to route until placed), in the placement queue."""
    # The queue's reason and street hint as the JSON API and the hotline import set them.
    place = locating.from_location(location)
    filed.placement_reason = place.placement_reason
    filed.street_hint = place.street_hint
    appeal, created = services.appeal_intake(actor=None, intake=filed)
    due = appeal.resolution_due_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    row = {
        "service_request_id": appeal.tracking_code,
        "service_notice": NOTICE_PLACEMENT.format(due=due) if created else NOTICE_RETRY,
        "account_id": None,
    }
    return _document(fmt, [row], root="service_requests", item="request")


@csrf_exempt  # other systems, authenticated by api_key, not browsers with a session
@_endpoint("GET", "POST")
def requests_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: the spec's query over public data; POST: file a request with an api_key."""
    if request.method == "POST":
        return _request_create(request, fmt)
    return _request_list(request, fmt)
