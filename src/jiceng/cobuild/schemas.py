import datetime
from decimal import Decimal

from ninja import Schema

from jiceng.cobuild.models import Need
from jiceng.core.inputs import model_text


class NeedOut(Schema):
    id: int
    title: str
    category: str
    source: str
    community_id: int
    community_name: str
    place: str
    beneficiaries: int
    window_start: datetime.date
    window_end: datetime.date
    status: str

    @staticmethod
    def resolve_community_name(obj):
        return obj.community.name


class NeedIn(Schema):
    title: model_text(Need, "title")
    category: model_text(Need, "category", kind="code")
    community: int
    window_start: datetime.date
    window_end: datetime.date
    description: model_text(Need, "description", kind="multiline") = ""
    place: model_text(Need, "place") = ""
    beneficiaries: int = 1


class ResourceOut(Schema):
    id: int
    title: str
    kind: str
    category: str
    area_id: int
    offered_by_org_id: int | None
    capacity: int
    used: int = 0
    available_from: datetime.date
    available_until: datetime.date
    is_active: bool


class ProjectOut(Schema):
    id: int
    title: str
    need_id: int
    provider_org_id: int | None
    state: str
    budget: Decimal


class RunIn(Schema):
    area: int


class RunOut(Schema):
    id: int
    area_id: int
    needs_considered: int
    resources_considered: int
    matched: int
    total_distance: int
    solver_ms: int


class ProposalOut(Schema):
    id: int
    run_id: int
    need_id: int
    resource_id: int
    distance: int
    reason: str
    state: str
    project_id: int | None


class FloorAreaOut(Schema):
    community_id: int
    community_name: str
    floor_area: Decimal
    required: Decimal
    ok: bool
    shortfall: Decimal
