import datetime

from ninja import Schema


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    response_hours: int
    resolution_amount: int
    resolution_unit: str
    is_mediation: bool


class IntakeIn(Schema):
    category: str  # Category.code
    area: int  # Area id of a community, grid or building
    description: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    latitude: float | None = None
    longitude: float | None = None


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    at: datetime.datetime
    actor_label: str
    note: str


class AppealOut(Schema):
    id: int
    tracking_code: str
    channel: str
    category: str
    category_name: str
    area_id: int
    area_name: str
    street_id: int
    state: str
    state_display: str
    unit_id: int | None
    unit_name: str | None
    unroutable_reason: str
    # Filed through Open311 and waiting for `jiceng process-intake` to route it.
    routing_pending: bool
    received_at: datetime.datetime
    response_due_at: datetime.datetime
    resolution_due_at: datetime.datetime
    responded_at: datetime.datetime | None
    replied_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    response_overdue: bool
    resolution_overdue: bool
    satisfaction: str
    resolved: bool | None

    @staticmethod
    def resolve_category(obj):
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj):
        return obj.category.name

    @staticmethod
    def resolve_area_name(obj):
        return obj.area.name

    @staticmethod
    def resolve_state_display(obj):
        return obj.get_state_display()

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name if obj.unit_id else None


class AppealDetailOut(AppealOut):
    description: str
    address: str
    public_reply: str
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.all())


class IntakeOut(Schema):
    appeal: AppealOut
    created: bool


class ActionIn(Schema):
    reply: str = ""
    reason: str = ""
    note: str = ""
    unit: int | None = None


class PublicTrackOut(Schema):
    tracking_code: str
    category_name: str
    state: str
    state_display: str
    received_at: datetime.datetime
    resolution_due_at: datetime.datetime
    public_reply: str
    events: list[EventOut]


class RateOut(Schema):
    numerator: int
    denominator: int
    rate: float | None


class RatesOut(Schema):
    area_id: int
    area_name: str
    month: str
    received: int
    response: RateOut
    resolution: RateOut
    satisfaction: RateOut
    on_time: RateOut


class RankingRowOut(RatesOut):
    rank: int
