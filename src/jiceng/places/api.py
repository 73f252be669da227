"""The standard address registry in the JSON API: list and search, register and
correct addresses, add and remove aliases, import from Excel, and ask the matcher where
an address text or a position lands. The same services as the pages."""

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jiceng.core.access import get_area_for_view
from jiceng.core.errors import CoreErrorCode, ValidationFailed
from jiceng.core.excel import MAX_FILE_BYTES, MSG_TOO_BIG
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.places import imports, schemas, selectors, services
from jiceng.places.errors import MSG_BUILDING_LEVEL, PlaceErrorCode, invalid
from jiceng.places.geo import as_wgs84

router = Router(tags=["places 标准地址"])


class AddressFilters(Schema):
    q: str | None = None
    area: int | None = None


def _building(request, code: str):
    building = selectors.building_named(viewer=request.user, code=code)
    if building is None:
        raise invalid(MSG_BUILDING_LEVEL, PlaceErrorCode.BUILDING_LEVEL, "building")
    return building


@router.get("/addresses", response=list[schemas.AddressOut])
@paginate(LimitOffsetPagination)
def address_list(request, filters: Query[AddressFilters]):
    area = get_area_for_view(request.user, filters.area) if filters.area else None
    return selectors.address_list(viewer=request.user, q=(filters.q or "")[:100], area=area)


@router.post("/addresses", response={201: schemas.AddressOut})
def address_create(request, payload: schemas.AddressIn):
    address = services.address_create(
        actor=request.user,
        building=_building(request, payload.building),
        text=payload.text,
        compound=payload.compound,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )
    return Status(201, address)


@router.get("/addresses/{int:address_id}", response=schemas.AddressOut)
def address_detail(request, address_id: int):
    return selectors.address_get(viewer=request.user, address_id=address_id)


@router.put("/addresses/{int:address_id}", response=schemas.AddressOut)
def address_update(request, address_id: int, payload: schemas.AddressIn):
    address = selectors.address_get(viewer=request.user, address_id=address_id)
    return services.address_update(
        actor=request.user,
        address=address,
        building=_building(request, payload.building),
        text=payload.text,
        compound=payload.compound,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )


@router.get("/aliases", response=list[schemas.AliasOut])
@paginate(LimitOffsetPagination)
def alias_list(request):
    return selectors.alias_list(viewer=request.user)


@router.post("/aliases", response={201: schemas.AliasOut})
def alias_create(request, payload: schemas.AliasIn):
    """Another spelling of an address (`address`), or a name for an area (`area`)."""
    address = (
        selectors.address_get(viewer=request.user, address_id=payload.address)
        if payload.address is not None
        else None
    )
    area = get_area_for_view(request.user, payload.area) if payload.area is not None else None
    alias = services.alias_create(actor=request.user, text=payload.text, address=address, area=area)
    return Status(201, alias)


@router.post("/aliases/{int:alias_id}/delete", response={204: None})
def alias_delete(request, alias_id: int):
    alias = selectors.alias_get(viewer=request.user, alias_id=alias_id)
    services.alias_delete(actor=request.user, alias=alias)
    return Status(204, None)


@router.post("/match", response=schemas.MatchOut)
def address_match(request, payload: schemas.MatchIn):
    """Where an address text and/or a position (WGS-84, or GCJ-02 with
    `coordinate_system`) land, as Open311 and the intake would place a case: the level
    reached and the reason. Nothing is written."""
    latitude, longitude = as_wgs84(payload.lat, payload.long, payload.coordinate_system)
    landing = selectors.landing(where=payload.address_string, latitude=latitude,
                                longitude=longitude)  # fmt: skip
    location = landing.location
    if location is None:
        return {"level": "none", "placed": False, "area_id": None, "area_code": None,
                "area_name": None, "street_id": None,
                "reason": "无法确定所在区 (no district could be told)"}  # fmt: skip
    return {
        "level": location.level,
        "placed": location.placed,
        "area_id": location.area.pk,
        "area_code": location.area.code,
        "area_name": location.area.name,
        "street_id": location.street.pk if location.street else None,
        "reason": location.reason,
    }


@router.post("/addresses/import", response=schemas.AddressImportOut, summary="Excel 导入标准地址")
def address_import(request: HttpRequest, area: Form[int], file: File[UploadedFile]) -> dict:
    """All or nothing: `ok` false with a row-by-row `errors` list writes nothing; the
    same sheet again changes nothing (`unchanged`)."""
    if file.size > MAX_FILE_BYTES:
        raise ValidationFailed(MSG_TOO_BIG, field="file", code=CoreErrorCode.EXCEL_TOO_BIG)
    target = get_area_for_view(request.user, area)
    report = imports.address_import(
        actor=request.user, area=target, data=file.read(), filename=file.name or ""
    )
    return {
        **{k: getattr(report, k) for k in ("ok", "rows", "addresses", "updated", "aliases",
                                           "unchanged")},
        "errors": [vars(e) for e in report.errors],
        "notes": [{"row": row, "text": text} for row, text in report.notes],
    }  # fmt: skip


@router.get("/addresses/import-template", summary="标准地址导入模板（xlsx）")
def address_import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        imports.address_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''address-template.xlsx"
    return response
