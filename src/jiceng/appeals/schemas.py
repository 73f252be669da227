import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from jiceng.appeals.forms import MEDIATION_PARTIES_MAX
from jiceng.appeals.models import Appeal, Category
from jiceng.core.inputs import limited_text, model_text

# What an action (return, dispatch, a note) keeps of its reason or note: the services
# store 500 characters of it in the case's timeline.
ACTION_NOTE_MAX = 500


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    response_hours: int
    resolution_amount: int
    resolution_unit: str
    is_mediation: bool


class IntakeIn(Schema):
    category: model_text(Category, "code", kind="code")  # Category.code
    # Area id of a community, grid or building. Without it, `address` (matched against
    # the standard address registry) and/or latitude/longitude (WGS-84) locate the case;
    # one that cannot be placed below a district waits in its placement queue.
    area: int | None = None
    description: model_text(Appeal, "description", kind="multiline")
    address: model_text(Appeal, "address") = ""
    contact_name: model_text(Appeal, "contact_name", kind="name") = ""
    contact_phone: limited_text(20, kind="number") = ""
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    # What the position is in: GPS and phones give WGS-84 (the default); a point picked
    # on a Chinese web map (AMap, Tencent) is GCJ-02. Stored in WGS-84 either way.
    coordinate_system: Literal["wgs84", "gcj02"] = Field(
        "wgs84", json_schema_extra={"maxLength": 5}
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "sanitation",
                    "description": "楼道堆物，三天没有清运",
                    "address": "徐汇区复兴西路１２弄３号５０２室",
                    "contact_phone": "13812345678",
                },
                {
                    "category": "sanitation",
                    "description": "垃圾桶满溢",
                    "latitude": 31.2095,
                    "longitude": 121.443,
                },
                {
                    "category": "road-damage",
                    "description": "井盖松动",
                    "latitude": 31.2076,
                    "longitude": 121.4474,
                    "coordinate_system": "gcj02",
                },
                {"category": "sanitation", "description": "垃圾桶满溢", "area": 812},
            ]
        }
    )


class PlaceIn(Schema):
    """Where a queued case is: an area (a community, grid or building) by id, or a
    text the registry places (a standard address, an alias, an area code)."""

    area: int | None = None
    where: model_text(Appeal, "address") = ""
    # Remember the caller's address text as an alias of the place (the default).
    remember: bool = True

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"area": 812}, {"where": "复兴西路12弄3号"}]}
    )


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
    street_id: int | None
    state: str
    state_display: str
    unit_id: int | None
    unit_name: str | None
    unroutable_reason: str
    # Filed through Open311 and waiting for `jiceng process-intake` to route it.
    routing_pending: bool
    # Not placed below its district yet: in the district's placement queue (待定位).
    placement_pending: bool
    placement_reason: str
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
    # What the public Open311 feed shows of the description; empty until published.
    public_description: str
    description_published_at: datetime.datetime | None
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.all())


class IntakeOut(Schema):
    appeal: AppealOut
    created: bool


class ActionIn(Schema):
    """The input of every case action; each reads the fields it needs (appeals.actions
    parses them with the page's form)."""

    reply: model_text(Appeal, "public_reply", kind="multiline") = ""
    # An action keeps 500 characters of its reason or note (the pages' limit too).
    reason: limited_text(ACTION_NOTE_MAX, kind="multiline") = ""
    note: limited_text(ACTION_NOTE_MAX, kind="multiline") = ""
    unit: int | None = None  # dispatch: the handling unit
    public_description: model_text(Appeal, "public_description", kind="multiline") = ""
    # summon (吹哨): the departments, and the hours to report and working days to act
    units: list[int] = []
    report_hours: int | None = None
    act_working_days: int | None = None
    # mediation (调解): one party per line, the outcome and its agreement
    parties: limited_text(MEDIATION_PARTIES_MAX, kind="multiline") = ""
    outcome: limited_text(20, kind="code") = ""
    agreement: limited_text(2000, kind="multiline") = ""
    mediator: limited_text(50, kind="name") = ""
    mediated_on: datetime.date | None = None


class RateIn(Schema):
    """A resident's rating of the answer, as on the tracking page."""

    resolved: bool
    satisfaction: limited_text(20, kind="code")  # satisfied · basically · unsatisfied
    comment: limited_text(500, kind="multiline") = ""


class ReopenIn(Schema):
    reason: limited_text(ACTION_NOTE_MAX, kind="multiline")


class SummonsNoteIn(Schema):
    note: limited_text(2000, kind="multiline")


class SummonsTargetOut(Schema):
    id: int
    unit_id: int
    report_due_at: datetime.datetime
    act_due_at: datetime.datetime
    reported_at: datetime.datetime | None
    acted_at: datetime.datetime | None
    action_note: str


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
