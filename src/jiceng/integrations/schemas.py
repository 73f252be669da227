"""The integrations API's shapes."""

import datetime

from ninja import Field, Schema

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
