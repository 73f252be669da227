"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the civic-issue standard
behind FixMyStreet and SeeClickFix, so other systems can file and follow appeals.

- services.{json,xml}, services/{code}.{json,xml}: the categories (service_code = code)
- requests.{json,xml}: GET with the spec's filters (public data only); POST form-encoded
  with api_key (keys from `jiceng open311-key create`)
- requests/{id}.{json,xml}: one request; ids are tracking codes
- discovery.{json,xml}

Places: the spec's `address_id` is an area code of this system (a community, grid or
building); latitude and longitude are stored, but a point alone cannot be placed in the
territory (there is no boundary geometry), so address_id is required on POST.
Internal states map to open/closed; status_notes is the latest public note;
expected_datetime is the resolution deadline.
"""

import datetime
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, AppealEvent, Category
from jiceng.core.errors import ApplicationError
from jiceng.core.masking import redact_personal
from jiceng.core.models import Area

LOCAL = ZoneInfo(settings.TIME_ZONE)
MAX_RESULTS = 1000
DEFAULT_DAYS = 90
FORMATS = {"json", "xml"}


# ---- rendering ---------------------------------------------------------------------------


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.astimezone(LOCAL).isoformat(timespec="seconds") if moment else None


def _xml(root: str, item: str, rows: list[dict]) -> HttpResponse:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        _fill(element, row)
    body = ET.tostring(top, encoding="unicode")
    return HttpResponse(
        '<?xml version="1.0" encoding="utf-8"?>' + body, content_type="text/xml; charset=utf-8"
    )


def _fill(element: ET.Element, row: dict) -> None:
    for key, value in row.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for entry in value:
                if isinstance(entry, dict):
                    _fill(ET.SubElement(child, key.rstrip("s") or key), entry)
                else:
                    ET.SubElement(child, key.rstrip("s") or key).text = str(entry)
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        elif value is not None:
            child.text = str(value)


def _respond(fmt: str, root: str, item: str, rows: list[dict], status: int = 200):
    if fmt == "xml":
        response = _xml(root, item, rows)
        response.status_code = status
        return response
    return JsonResponse(rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, status: int, description: str):
    return _respond(fmt, "errors", "error", [{"code": status, "description": description}], status)


# ---- services --------------------------------------------------------------------------------


def _service_row(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": category.group,
        "group": category.group,
    }


@require_http_methods(["GET"])
def service_list(request, fmt: str):
    if fmt not in FORMATS:
        return _error("json", 400, "格式应为 json 或 xml (format must be json or xml)")
    categories = Category.objects.filter(is_active=True).order_by("sort", "code")
    return _respond(fmt, "services", "service", [_service_row(c) for c in categories])


@require_http_methods(["GET"])
def service_definition(request, code: str, fmt: str):
    if fmt not in FORMATS:
        return _error("json", 400, "格式应为 json 或 xml (format must be json or xml)")
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        return _error(fmt, 404, f"没有该服务类别 (no service with code {code})")
    if fmt == "xml":
        top = ET.Element("service_definition")
        ET.SubElement(top, "service_code").text = category.code
        ET.SubElement(top, "attributes")
        return HttpResponse(
            '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode"),
            content_type="text/xml; charset=utf-8",
        )
    return JsonResponse(
        {"service_code": category.code, "attributes": []},
        json_dumps_params={"ensure_ascii": False},
    )


# ---- requests --------------------------------------------------------------------------------


def _latest_notes(appeal_ids: list[int]) -> dict[int, str]:
    notes: dict[int, str] = {}
    events = (
        AppealEvent.objects.filter(appeal_id__in=appeal_ids, is_public=True)
        .exclude(note="")
        .order_by("appeal_id", "at", "id")
        .values_list("appeal_id", "note")
    )
    for appeal_id, note in events:
        notes[appeal_id] = note
    return notes


def _request_rows(appeals: list[Appeal]) -> list[dict]:
    notes = _latest_notes([a.pk for a in appeals])
    rows = []
    for a in appeals:
        closed = a.state == Appeal.State.CLOSED
        updated = a.closed_at or a.replied_at or a.responded_at or a.received_at
        rows.append(
            {
                "service_request_id": a.tracking_code,
                "status": "closed" if closed else "open",
                "status_notes": redact_personal(a.public_reply or notes.get(a.pk, "")),
                "service_name": a.category.name,
                "service_code": a.category.code,
                "description": redact_personal(a.description),
                "agency_responsible": a.unit.name if a.unit_id else "",
                "service_notice": "",
                "requested_datetime": _iso(a.received_at),
                "updated_datetime": _iso(updated),
                "expected_datetime": _iso(a.resolution_due_at),
                "address": " ".join(p for p in (a.area.name, a.address) if p),
                "address_id": a.area.code,
                "zipcode": None,
                "lat": str(a.latitude) if a.latitude is not None else None,
                "long": str(a.longitude) if a.longitude is not None else None,
                "media_url": None,
            }
        )
    return rows


def _parse_date(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(value) from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=LOCAL)
    return parsed


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_collection(request, fmt: str):
    if fmt not in FORMATS:
        return _error("json", 400, "格式应为 json 或 xml (format must be json or xml)")
    if request.method == "POST":
        return _create(request, fmt)
    params = request.GET
    appeals = Appeal.objects.select_related("category", "area", "unit")
    ids = [i for i in (params.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        appeals = appeals.filter(tracking_code__in=[i.strip().upper() for i in ids[:MAX_RESULTS]])
    else:
        try:
            start = _parse_date(params.get("start_date"))
            end = _parse_date(params.get("end_date"))
        except ValueError as bad:
            return _error(fmt, 400, f"日期格式不正确 (invalid date: {bad})")
        end = end or timezone.now()
        start = start or end - datetime.timedelta(days=DEFAULT_DAYS)
        if end - start > datetime.timedelta(days=DEFAULT_DAYS):
            start = end - datetime.timedelta(days=DEFAULT_DAYS)
        appeals = appeals.filter(received_at__gte=start, received_at__lte=end)
        codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
        if codes:
            appeals = appeals.filter(category__code__in=codes)
        statuses = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            return _error(fmt, 400, "status 应为 open 或 closed (status must be open or closed)")
        if statuses == {"open"}:
            appeals = appeals.exclude(state=Appeal.State.CLOSED)
        elif statuses == {"closed"}:
            appeals = appeals.filter(state=Appeal.State.CLOSED)
    rows = _request_rows(list(appeals.order_by("-received_at", "-id")[:MAX_RESULTS]))
    return _respond(fmt, "service_requests", "request", rows)


@require_http_methods(["GET"])
def request_detail(request, request_id: str, fmt: str):
    if fmt not in FORMATS:
        return _error("json", 400, "格式应为 json 或 xml (format must be json or xml)")
    appeal = (
        Appeal.objects.select_related("category", "area", "unit")
        .filter(tracking_code=request_id.upper())
        .first()
    )
    if appeal is None:
        return _error(fmt, 404, f"没有该诉求 (no service request {request_id})")
    return _respond(fmt, "service_requests", "request", _request_rows([appeal]))


def _create(request, fmt: str):
    data = request.POST
    key = services.open311_key_check(data.get("api_key"))
    if key is None:
        return _error(fmt, 403, "api_key 无效或已吊销 (invalid or revoked api_key)")
    category = Category.objects.filter(code=data.get("service_code", ""), is_active=True).first()
    if category is None:
        return _error(fmt, 400, "service_code 无效 (unknown service_code)")
    address_id = (data.get("address_id") or "").strip()
    if not address_id:
        return _error(
            fmt, 400, "需要 address_id：社区、网格或楼栋代码 (address_id is required: an area code)"
        )
    area = Area.objects.filter(code=address_id).first()
    if area is None or (key.area_id and not area.path.startswith(key.area.path)):
        return _error(fmt, 400, f"address_id 无效 (unknown address_id {address_id})")
    try:
        latitude = float(data["lat"]) if data.get("lat") else None
        longitude = float(data["long"]) if data.get("long") else None
    except ValueError:
        return _error(fmt, 400, "lat/long 应为数字 (lat and long must be numbers)")
    name = " ".join(p for p in (data.get("last_name", ""), data.get("first_name", "")) if p)
    try:
        appeal, created = services.appeal_intake(
            actor=None,
            intake=services.Intake(
                channel=Appeal.Channel.OPEN311,
                category=category,
                area=area,
                description=data.get("description", ""),
                address=data.get("address_string", ""),
                contact_name=name,
                contact_phone=data.get("phone", ""),
                latitude=latitude,
                longitude=longitude,
                client=f"open311:{key.pk}",
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            ),
        )
    except ApplicationError as error:
        field = f"{error.field}: " if error.field else ""
        return _error(fmt, 400, f"{field}{error.message}")
    row = {
        "service_request_id": appeal.tracking_code,
        "service_notice": ""
        if created
        else "重复提交，返回已受理的诉求 (retry of an earlier request)",
        "account_id": None,
    }
    return _respond(fmt, "service_requests", "request", [row], status=201 if created else 200)


# ---- discovery -------------------------------------------------------------------------------


@require_http_methods(["GET"])
def discovery(request, fmt: str):
    if fmt not in FORMATS:
        return _error("json", 400, "格式应为 json 或 xml (format must be json or xml)")
    base = request.build_absolute_uri("/open311/v2/")
    document = {
        "changeset": "2026-11-22T00:00:00+08:00",
        "contact": "由部署单位提供 (provided by the deploying organization)",
        "key_service": "jiceng open311-key create --name NAME",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-11-22T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    if fmt == "xml":
        top = ET.Element("discovery")
        for key in ("changeset", "contact", "key_service"):
            ET.SubElement(top, key).text = document[key]
        endpoints = ET.SubElement(top, "endpoints")
        for endpoint in document["endpoints"]:
            element = ET.SubElement(endpoints, "endpoint")
            for key in ("specification", "url", "changeset", "type"):
                ET.SubElement(element, key).text = endpoint[key]
            formats = ET.SubElement(element, "formats")
            for value in endpoint["formats"]:
                ET.SubElement(formats, "format").text = value
        return HttpResponse(
            '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode"),
            content_type="text/xml; charset=utf-8",
        )
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})
