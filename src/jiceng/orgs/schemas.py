"""Shapes of party orgs, units and coverage in the JSON API.

Choice fields go out as the stable code plus its Chinese label (`kind` + `kind_display`);
filters take the codes as enums so OpenAPI lists the allowed values. Write payloads take
plain strings and leave the checks to the services, whose Chinese messages name the field.
"""

import datetime
from typing import Literal

from ninja import Field, Schema

from jiceng.core.inputs import model_text
from jiceng.orgs.models import BigCommittee, GridPost, PartTimeMember, PartyOrg, Unit
from jiceng.orgs.selectors import COVERAGE_FILTERS

CoverageFilter = Literal[COVERAGE_FILTERS]
# Choice codes as inline enums: several models name their choices "Kind", and OpenAPI
# components are keyed by class name, so enum classes would overwrite one another.
OrgKind = Literal[tuple(PartyOrg.Kind.values)]
OrgDomain = Literal[tuple(PartyOrg.Domain.values)]
UnitKind = Literal[tuple(Unit.Kind.values)]
# Text of write payloads, each limited by the column it is stored in (core.inputs).
OrgName = model_text(PartyOrg, "name")
OrgKindText = model_text(PartyOrg, "kind", kind="code")
OrgDomainText = model_text(PartyOrg, "domain", kind="code")
OrgFormText = model_text(PartyOrg, "form", kind="code")
SecretaryName = model_text(PartyOrg, "secretary_name", kind="name")
CloseReason = model_text(PartyOrg, "closed_reason")
UnitName = model_text(Unit, "name")
UsccText = model_text(Unit, "uscc", kind="number")
UnitKindText = model_text(Unit, "kind", kind="code")
UnitAddress = model_text(Unit, "address")


class OrgFilters(Schema):
    area: int | None = Field(None, description="区域 id：该区域及其下级区域内的组织")
    parent: int | None = Field(None, description="上级党组织 id：只列其直接下级")
    kind: OrgKind | None = Field(None, description="组织类别")
    domain: OrgDomain | None = Field(None, description="所属领域")
    include_closed: bool = Field(False, description="包括已撤销的组织")
    q: str | None = Field(None, max_length=100, description="名称包含")


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_display: str
    domain: str
    domain_display: str
    form: str
    form_display: str
    parent_id: int | None
    area_id: int
    area_name: str
    secretary_name: str
    established_on: datetime.date | None
    closed_on: datetime.date | None
    closed_reason: str

    @staticmethod
    def resolve_kind_display(obj: PartyOrg) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_domain_display(obj: PartyOrg) -> str:
        return str(obj.get_domain_display())

    @staticmethod
    def resolve_form_display(obj: PartyOrg) -> str:
        return str(obj.get_form_display())

    @staticmethod
    def resolve_area_name(obj: PartyOrg) -> str:
        return obj.area.name


class OrgIn(Schema):
    name: OrgName
    kind: OrgKindText
    domain: OrgDomainText
    # Omitted: the org sits where its parent sits (a group inside a unit's branch).
    area: int | None = None
    form: OrgFormText = PartyOrg.Form.SINGLE.value
    parent: int | None = None
    secretary_name: SecretaryName = ""
    established_on: datetime.date | None = None


class OrgPatch(Schema):
    """What org_update may change; kind and parent (the org's place in the tree) may not."""

    name: OrgName | None = None
    domain: OrgDomainText | None = None
    form: OrgFormText | None = None
    area: int | None = None
    secretary_name: SecretaryName | None = None


class CloseIn(Schema):
    reason: CloseReason
    closed_on: datetime.date | None = None


class UnitFilters(Schema):
    area: int | None = Field(None, description="区域 id：该区域及其下级区域内的单位")
    kind: UnitKind | None = Field(None, description="单位类别")
    coverage: CoverageFilter | None = Field(
        None,
        description=(
            "覆盖情况：own 单独建立党组织，joint 联合党组织覆盖，uncovered 未覆盖，"
            "must_form 正式党员3人以上未单独建立，new_uncovered 新登记未覆盖"
        ),
    )
    q: str | None = Field(None, max_length=100, description="名称包含，或统一社会信用代码")


class UnitOut(Schema):
    id: int
    name: str
    uscc: str
    kind: str
    kind_display: str
    area_id: int
    area_name: str
    address: str
    employees: int
    formal_members: int
    own_org_id: int | None
    covering_org_id: int | None
    coverage: str
    coverage_display: str
    must_form_own_org: bool
    registered_at: datetime.datetime
    closed_on: datetime.date | None

    @staticmethod
    def resolve_kind_display(obj: Unit) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_area_name(obj: Unit) -> str:
        return obj.area.name

    @staticmethod
    def resolve_coverage(obj: Unit) -> str:
        return str(obj.coverage)

    @staticmethod
    def resolve_coverage_display(obj: Unit) -> str:
        return str(obj.get_coverage_display())


class UnitIn(Schema):
    name: UnitName
    uscc: UsccText
    kind: UnitKindText
    area: int
    address: UnitAddress = ""
    employees: int = 0
    formal_members: int = 0


class UnitPatch(Schema):
    """What unit_update may change; coverage has its own endpoint and its own checks."""

    name: UnitName | None = None
    kind: UnitKindText | None = None
    area: int | None = None
    address: UnitAddress | None = None
    employees: int | None = None
    formal_members: int | None = None


class UnitExportIn(Schema):
    """The area whose units to export (an id); none: every unit the caller sees."""

    area: int | None = Field(None, ge=1, le=2**63 - 1)


class CoverageIn(Schema):
    """Both empty: the unit becomes uncovered. Own org and joint org are exclusive."""

    own_org: int | None = None
    covering_org: int | None = None


class CoverageRow(Schema):
    area_id: int
    area_name: str
    area_level: str
    total: int
    own: int
    joint: int
    uncovered: int
    must_form: int
    new_uncovered: int
    coverage_rate: float | None = Field(description="组织覆盖率（单独建立与联合覆盖之和 ÷ 单位数）")


class CoverageOut(CoverageRow):
    # Only the children the viewer may see; units placed on the area itself belong to no
    # child, so the children's totals may sum to less than the area's.
    children: list[CoverageRow]


class OrgMoveIn(Schema):
    """The new affiliation parent (null: a top-level org) and, if it moved, its place."""

    parent: int | None = None
    area: int | None = None


class UnitMoveIn(Schema):
    area: int


class EndIn(Schema):
    ended_on: datetime.date | None = None


class GridPostIn(Schema):
    user: int = Field(description="账号 id：须在本辖区持有角色")
    duty: model_text(GridPost, "duty", kind="code") = Field(
        description="leader 网格长，worker 网格员，lane_chief 街巷长"
    )
    lane: model_text(GridPost, "lane") = Field(
        "", description="街巷长负责的街巷或路段，其他职责留空"
    )
    started_on: datetime.date | None = None


class GridPostOut(Schema):
    id: int
    grid_id: int
    user_id: int
    user_name: str
    duty: str
    duty_display: str
    lane: str
    started_on: datetime.date
    ended_on: datetime.date | None

    @staticmethod
    def resolve_user_name(obj) -> str:
        return obj.user.full_name or obj.user.username

    @staticmethod
    def resolve_duty_display(obj) -> str:
        return str(obj.get_duty_display())


class BigCommitteeIn(Schema):
    area: int
    org: int
    name: model_text(BigCommittee, "name") = ""


class BigCommitteeOut(Schema):
    id: int
    area_id: int
    area_name: str
    org_id: int
    name: str

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name


class PartTimeMemberIn(Schema):
    name: model_text(PartTimeMember, "name", kind="name")
    source: model_text(PartTimeMember, "source", kind="code") = Field(
        description="unit 驻区单位，police 派出所，owners_committee 业委会，"
        "property_company 物业公司，other 其他"
    )
    unit: int | None = None
    position: model_text(PartTimeMember, "position") = ""
    started_on: datetime.date | None = None


class PartTimeMemberOut(Schema):
    id: int
    committee_id: int
    name: str
    source: str
    source_display: str
    unit_id: int | None
    position: str
    started_on: datetime.date
    ended_on: datetime.date | None

    @staticmethod
    def resolve_source_display(obj) -> str:
        return str(obj.get_source_display())


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class NoteOut(Schema):
    row: int
    text: str


class UnitImportOut(Schema):
    ok: bool
    rows: int
    created: int
    unchanged: int
    errors: list[RowErrorOut]
    notes: list[NoteOut]
    new_units: list[str] = Field(description="新登记单位的统一社会信用代码，列入“新登记未覆盖”跟进")
    follow_up_until: datetime.date | None = Field(description="新登记单位跟进覆盖的截止日期")


class GridImportOut(Schema):
    ok: bool
    rows: int
    grids: int
    buildings: int
    addresses: int
    unchanged: int
    errors: list[RowErrorOut]
    notes: list[NoteOut]
