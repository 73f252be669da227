"""The integrations API's shapes."""

import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from jiceng.core.inputs import limited_text, model_text
from jiceng.integrations.models import Subscription, SystemToken

Permission = limited_text(10, kind="code")
EventName = limited_text(32, kind="code")


class TokenIn(Schema):
    name: model_text(SystemToken, "name")  # type: ignore[valid-type]
    area: int
    permissions: list[Permission] = Field(..., max_length=3)  # type: ignore[valid-type]
    unit: int | None = None
    expires_at: datetime.datetime | None = None
    rate_per_minute: int = Field(120, ge=1, le=6000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "区城市运行管理中心", "area": 12, "permissions": ["read", "file"]},
                {"name": "区城管执法局办案系统", "area": 12, "permissions": ["read", "update"],
                 "unit": 7, "rate_per_minute": 600},
            ]
        }
    )  # fmt: skip


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    area: int = Field(..., alias="area_id")
    unit: int | None = Field(None, alias="unit_id")
    permissions: list[str]
    rate_per_minute: int
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    last_used_at: datetime.datetime | None

    @staticmethod
    def resolve_permissions(token) -> list[str]:
        return sorted(token.permissions)


class TokenCreatedOut(Schema):
    token: TokenOut
    secret: str = Field(..., description="令牌本身：只显示这一次，请立即保存")


class SubscriptionIn(Schema):
    name: model_text(Subscription, "name")  # type: ignore[valid-type]
    url: model_text(Subscription, "url")  # type: ignore[valid-type]
    events: list[EventName] = Field(..., max_length=5)  # type: ignore[valid-type]
    area: int
    unit: int | None = None
    include_personal: bool = False

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "区城运中心事件接收", "url": "https://ops.example.org/jiceng/events",
                 "events": ["case.received", "case.dispatched", "case.replied", "case.closed",
                            "case.rated"], "area": 12},
            ]
        }
    )  # fmt: skip


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    area: int = Field(..., alias="area_id")
    unit: int | None = Field(None, alias="unit_id")
    include_personal: bool
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None


class SubscriptionCreatedOut(Schema):
    subscription: SubscriptionOut
    secret: str = Field(..., description="签名密钥：只显示这一次，请立即保存")


class DeliveryFilters(Schema):
    state: limited_text(12, kind="code") = ""  # type: ignore[valid-type]


class DeliveryOut(Schema):
    id: int
    delivery_id: str
    subscription: int = Field(..., alias="subscription_id")
    event: str
    state: str
    attempts: int
    next_attempt_at: datetime.datetime
    last_status: int | None
    last_error: str
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None

    @staticmethod
    def resolve_delivery_id(delivery) -> str:
        return str(delivery.delivery_id)


class WorkOrderIn(Schema):
    """One work order as the platform sends it (English keys)."""

    work_order_number: limited_text(64, kind="code")  # type: ignore[valid-type]
    called_at: limited_text(40, kind="code")  # type: ignore[valid-type]
    category: limited_text(50)  # type: ignore[valid-type]
    address: limited_text(200)  # type: ignore[valid-type]
    content: limited_text(2000, kind="multiline")  # type: ignore[valid-type]
    phone: limited_text(20, kind="number") = ""  # type: ignore[valid-type]
    area_code: limited_text(24, kind="code") = ""  # type: ignore[valid-type]


class WorkOrderBatchIn(Schema):
    district: int
    work_orders: list[WorkOrderIn] = Field(..., max_length=5000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"district": 12, "work_orders": [
                    {"work_order_number": "SH12345-20261205-0001",
                     "called_at": "2026-12-05 08:30", "category": "垃圾清运与环境卫生",
                     "address": "上海市徐汇区湖南路街道复兴西路１２弄３号５０２室",
                     "content": "弄堂口垃圾三天没人清运", "phone": "13812345678"},
                    {"work_order_number": "SH12345-20261205-0003",
                     "called_at": "2026-12-05T10:00:00+08:00", "category": "其他",
                     "address": "复兴西路20号", "content": "路灯不亮",
                     "area_code": "310104003001002"},
                ]},
            ]
        }
    )  # fmt: skip


class HotlineReportOut(Schema):
    rows: int
    filed: list[str]
    unplaced: list[str]
    unchanged: list[str]
    changed: list[str]


class WorkOrderFilters(Schema):
    number: limited_text(64, kind="code") = ""  # type: ignore[valid-type]
    placement_pending: bool | None = None


class WorkOrderOut(Schema):
    id: int
    number: str
    district: int = Field(..., alias="district_id")
    appeal: int = Field(..., alias="appeal_id")
    tracking_code: str
    called_at: datetime.datetime
    category_text: str
    # True while the case waits in the district's placement queue, with the reason.
    placement_pending: bool
    placement_reason: str

    @staticmethod
    def resolve_tracking_code(order) -> str:
        return order.appeal.tracking_code

    @staticmethod
    def resolve_placement_pending(order) -> bool:
        return order.appeal.placement_pending

    @staticmethod
    def resolve_placement_reason(order) -> str:
        return order.appeal.placement_reason if order.appeal.placement_pending else ""


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class RowsInvalidOut(Schema):
    code: str
    message: str
    field: str | None
    errors: list[RowErrorOut]
