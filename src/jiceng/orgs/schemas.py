import datetime

from ninja import Schema


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
    def resolve_kind_display(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_domain_display(obj):
        return obj.get_domain_display()

    @staticmethod
    def resolve_form_display(obj):
        return obj.get_form_display()

    @staticmethod
    def resolve_area_name(obj):
        return obj.area.name


class OrgIn(Schema):
    name: str
    kind: str
    domain: str
    area: int
    form: str = "single"
    parent: int | None = None
    secretary_name: str = ""
    established_on: datetime.date | None = None


class OrgPatch(Schema):
    name: str | None = None
    secretary_name: str | None = None
    established_on: datetime.date | None = None


class CloseIn(Schema):
    reason: str
    closed_on: datetime.date | None = None


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
    registered_at: datetime.datetime

    @staticmethod
    def resolve_kind_display(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_area_name(obj):
        return obj.area.name

    @staticmethod
    def resolve_coverage(obj):
        return str(obj.coverage)


class UnitIn(Schema):
    name: str
    uscc: str
    kind: str
    area: int
    address: str = ""
    employees: int = 0
    formal_members: int = 0


class UnitPatch(Schema):
    name: str | None = None
    kind: str | None = None
    address: str | None = None
    employees: int | None = None
    formal_members: int | None = None


class CoverageIn(Schema):
    own_org: int | None = None
    covering_org: int | None = None


class CoverageRow(Schema):
    area_id: int
    area_name: str
    total: int
    own: int
    joint: int
    uncovered: int
    must_form: int
    new_uncovered: int


class CoverageOut(Schema):
    area_id: int
    area_name: str
    total: int
    own: int
    joint: int
    uncovered: int
    must_form: int
    new_uncovered: int
    coverage_rate: float | None
    children: list[CoverageRow]
