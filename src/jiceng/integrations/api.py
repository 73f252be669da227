"""The integrations API: system tokens, subscriptions and their dead letters, and the
12345 work-order exchange. Each write calls the same service as its page."""

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from jiceng.core.access import get_area_for_view
from jiceng.core.errors import CoreErrorCode, ValidationFailed
from jiceng.core.excel import MAX_FILE_BYTES, MSG_TOO_BIG
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.integrations import access, schemas, selectors, services

router = Router(tags=["integrations 系统对接"])


def _unit(request, unit_id: int | None):
    return access.get_unit_for_view(request.user, unit_id) if unit_id else None


@router.get("/tokens", response=list[schemas.TokenOut], summary="系统令牌列表")
@paginate(LimitOffsetPagination)
def tokens(request: HttpRequest):
    return selectors.token_list(viewer=request.user)


@router.post("/tokens", response={201: schemas.TokenCreatedOut}, summary="创建系统令牌")
def token_create(request: HttpRequest, payload: schemas.TokenIn):
    """The token is in `secret`, this once; only its keyed hash is kept."""
    token, secret = services.system_token_create(
        actor=request.user,
        name=payload.name,
        area=get_area_for_view(request.user, payload.area),
        permissions=payload.permissions,
        unit=_unit(request, payload.unit),
        expires_at=payload.expires_at,
        rate_per_minute=payload.rate_per_minute,
    )
    return Status(201, {"token": token, "secret": secret})


@router.post("/tokens/{int:token_id}/revoke", response=schemas.TokenOut, summary="吊销系统令牌")
def token_revoke(request: HttpRequest, token_id: int):
    token = access.get_token(request.user, token_id)
    return services.system_token_revoke(actor=request.user, token=token)


@router.get("/subscriptions", response=list[schemas.SubscriptionOut], summary="事件订阅列表")
@paginate(LimitOffsetPagination)
def subscriptions(request: HttpRequest):
    return selectors.subscription_list(viewer=request.user)


@router.post(
    "/subscriptions", response={201: schemas.SubscriptionCreatedOut}, summary="创建事件订阅"
)
def subscription_create(request: HttpRequest, payload: schemas.SubscriptionIn):
    """The signing secret is in `secret`, this once."""
    subscription, secret = services.subscription_create(
        actor=request.user,
        name=payload.name,
        url=payload.url,
        events=payload.events,
        area=get_area_for_view(request.user, payload.area),
        unit=_unit(request, payload.unit),
        include_personal=payload.include_personal,
    )
    return Status(201, {"subscription": subscription, "secret": secret})


@router.post(
    "/subscriptions/{int:subscription_id}/revoke",
    response=schemas.SubscriptionOut,
    summary="停用事件订阅",
)
def subscription_revoke(request: HttpRequest, subscription_id: int):
    subscription = access.get_subscription(request.user, subscription_id)
    return services.subscription_revoke(actor=request.user, subscription=subscription)


@router.get("/deliveries", response=list[schemas.DeliveryOut], summary="事件推送记录")
@paginate(LimitOffsetPagination)
def deliveries(request: HttpRequest, filters: Query[schemas.DeliveryFilters]):
    """`state=dead` lists the dead letters a person may replay."""
    return selectors.delivery_list(viewer=request.user, state=filters.state)


@router.post(
    "/deliveries/{int:delivery_id}/replay", response=schemas.DeliveryOut, summary="重新推送"
)
def delivery_replay(request: HttpRequest, delivery_id: int):
    delivery = access.get_delivery(request.user, delivery_id)
    return services.delivery_replay(actor=request.user, delivery=delivery)


# ---- 12345 ------------------------------------------------------------------------------


def _report(report) -> dict:
    return {k: getattr(report, k) for k in ("rows", "filed", "unplaced", "unchanged", "changed")}


def _rows_invalid(error: services.HotlineRowsInvalid):
    body = error.as_dict() | {"errors": [vars(e) for e in error.errors]}
    return Status(422, body)


@router.post(
    "/hotline/import",
    response={200: schemas.HotlineReportOut, 422: schemas.RowsInvalidOut},
    summary="导入 12345 工单（Excel 或 JSON 文件）",
)
def hotline_import_file(request: HttpRequest, district: Form[int], file: File[UploadedFile]):
    """All or nothing: a bad row answers 422 with every bad row in `errors` and writes
    nothing. Idempotent by 工单编号: the same file again files nothing (`unchanged`); a
    number that comes back with other values is listed in `changed`, not overwritten."""
    if file.size > MAX_FILE_BYTES:
        raise ValidationFailed(MSG_TOO_BIG, field="file", code=CoreErrorCode.EXCEL_TOO_BIG)
    target = get_area_for_view(request.user, district)
    try:
        report = services.hotline_import_file(
            actor=request.user, district=target, data=file.read(), filename=file.name or ""
        )
    except services.HotlineRowsInvalid as error:
        return _rows_invalid(error)
    return _report(report)


@router.post(
    "/hotline/orders",
    response={200: schemas.HotlineReportOut, 422: schemas.RowsInvalidOut},
    summary="导入 12345 工单（JSON）",
)
def hotline_import_json(request: HttpRequest, payload: schemas.WorkOrderBatchIn):
    """The same import as the file, with the work orders in the body."""
    target = get_area_for_view(request.user, payload.district)
    rows = [
        (
            position,
            {
                "number": order.work_order_number,
                "called_at": order.called_at,
                "category": order.category,
                "address": order.address,
                "content": order.content,
                "phone": order.phone,
                "area_code": order.area_code,
            },
        )
        for position, order in enumerate(payload.work_orders, start=1)
    ]
    try:
        report = services.hotline_import(actor=request.user, district=target, rows=rows)
    except services.HotlineRowsInvalid as error:
        return _rows_invalid(error)
    return _report(report)


@router.get("/hotline/orders", response=list[schemas.WorkOrderOut], summary="12345 工单查询")
@paginate(LimitOffsetPagination)
def hotline_orders(request: HttpRequest, filters: Query[schemas.WorkOrderFilters]):
    """Search by 工单编号 (`number`, part of it); `placement_pending=true` lists the
    orders whose case still waits in the placement queue (placed there through
    `POST /api/appeals/placement/{appeal}`)."""
    return selectors.work_order_list(
        viewer=request.user, number=filters.number, placement_pending=filters.placement_pending
    )


@router.get("/hotline/export", summary="导出 12345 工单办理结果（JSON 或 Excel）")
def hotline_export(request: HttpRequest, since: str = "", format: str = "json"):
    """The work orders changed since `since` (date or ISO time) with their replies and
    results, in the import layout; `format=xlsx` for Excel."""
    fmt = "xlsx" if format == "xlsx" else "json"
    content, _rows = services.hotline_export(
        actor=request.user, since=services.parse_since(since[:40]), fmt=fmt
    )
    if fmt == "xlsx":
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="12345-results.xlsx"'
        return response
    return HttpResponse(content, content_type="application/json; charset=utf-8")
