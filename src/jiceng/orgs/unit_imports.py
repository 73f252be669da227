"""Units as streets receive them: the market regulator's list of newly registered
enterprises, the street's own registry. Import, template and export.

Every row is checked as a single registration would be (`unit_create`'s rules: credit
code per GB 32100, name, kind, counts), the report names the row and the column, and
nothing is written unless every row is right. Uploading the same list again changes
nothing: a unit already registered where the importer sees it is counted as unchanged.
Each unit new to the territory is registered now, so it shows as "new and uncovered"
for settings.NEW_UNIT_DAYS days, the follow-up period of 增加一个，组建一个.
"""

import datetime
import functools
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core import excel
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.errors import ApplicationError, ValidationFailed
from jiceng.core.models import Area, AuditEntry, Job
from jiceng.core.scope import scope_for
from jiceng.core.validators import clean_text, validate_uscc
from jiceng.orgs import services
from jiceng.orgs.errors import OrgErrorCode as Code
from jiceng.orgs.models import Unit
from jiceng.orgs.selectors import unit_list

HEADERS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "统一社会信用代码/注册号"),
    "name": ("单位名称", "企业名称", "市场主体名称", "名称", "机构名称", "单位全称"),
    "address": ("地址", "住所", "经营场所", "住所（经营场所）", "注册地址", "单位地址", "经营地址"),
    "kind": ("单位类别", "企业类型", "市场主体类型", "类型", "单位性质", "企业类型（性质）"),
    "employees": ("从业人员数", "从业人员", "从业人数", "职工人数", "员工人数", "参保人数"),
    "formal_members": ("正式党员数", "正式党员", "党员数", "党员人数"),
    "community": ("所在社区", "所属社区", "社区", "居委会", "所属居委会", "社区（村）"),
}  # fmt: skip
REQUIRED = ("uscc", "name")
LABELS = {name: names[0] for name, names in HEADERS.items()}
_ALIASES = excel.header_aliases(HEADERS)
TEMPLATE_COLUMNS = (
    "uscc", "name", "address", "kind", "employees", "formal_members", "community",
)  # fmt: skip

MSG_NO_HEADER = _("没有找到表头：应有“统一社会信用代码”“单位名称”等列名")
MSG_DUPLICATE_IN_FILE = _("与第 {row} 行的统一社会信用代码重复")
MSG_ELSEWHERE = _("该统一社会信用代码已在其他辖区登记，请联系所在街道办理迁移")
MSG_KIND = _("无法识别单位类别“{value}”")
MSG_NUMBER = _("应为不小于0的整数")
MSG_COMMUNITY = _("“{area}”下没有名为“{value}”的社区")
MSG_TARGET_LEVEL = _("请选择要导入到的街道或社区")
MSG_RACE = _("导入期间有人登记了文件中的单位，请重新上传")
MAX_REPORTED_ERRORS = 1000
TARGET_LEVELS = (Area.Level.STREET, Area.Level.COMMUNITY)
COMMUNITY_DEPTH = 3  # city 0, district 1, street 2, community 3
MAX_EXPORT = excel.MAX_ROWS

# Kind words on the regulator's list (企业类型) and in street registries, checked in
# order: state ownership before the company forms that state enterprises share.
KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("国有", Unit.Kind.STATE_ENTERPRISE),
    ("全民所有制", Unit.Kind.STATE_ENTERPRISE),
    ("机关", Unit.Kind.AGENCY),
    ("事业单位", Unit.Kind.PUBLIC_INSTITUTION),
    ("社会团体", Unit.Kind.SOCIAL_ORGANIZATION),
    ("民办非企业", Unit.Kind.SOCIAL_ORGANIZATION),
    ("社会服务机构", Unit.Kind.SOCIAL_ORGANIZATION),
    ("基金会", Unit.Kind.SOCIAL_ORGANIZATION),
    ("社会组织", Unit.Kind.SOCIAL_ORGANIZATION),
    ("个体", Unit.Kind.OTHER),
    ("农民专业合作社", Unit.Kind.OTHER),
    ("有限责任公司", Unit.Kind.PRIVATE_ENTERPRISE),
    ("股份有限公司", Unit.Kind.PRIVATE_ENTERPRISE),
    ("有限公司", Unit.Kind.PRIVATE_ENTERPRISE),
    ("个人独资", Unit.Kind.PRIVATE_ENTERPRISE),
    ("合伙", Unit.Kind.PRIVATE_ENTERPRISE),
    ("外商", Unit.Kind.PRIVATE_ENTERPRISE),
    ("外国", Unit.Kind.PRIVATE_ENTERPRISE),
    ("台港澳", Unit.Kind.PRIVATE_ENTERPRISE),
    ("私营", Unit.Kind.PRIVATE_ENTERPRISE),
    ("非公", Unit.Kind.PRIVATE_ENTERPRISE),
    ("企业", Unit.Kind.PRIVATE_ENTERPRISE),
)
# Without a kind column, the credit code says who registered the unit and as what.
USCC_KINDS = {
    "11": Unit.Kind.AGENCY,
    "12": Unit.Kind.PUBLIC_INSTITUTION,
    "51": Unit.Kind.SOCIAL_ORGANIZATION,
    "52": Unit.Kind.SOCIAL_ORGANIZATION,
    "53": Unit.Kind.SOCIAL_ORGANIZATION,
    "91": Unit.Kind.PRIVATE_ENTERPRISE,
}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class UnitImportReport:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    # Units new to the territory, for the follow-up: (name, credit code).
    new_units: list[tuple[str, str]] = field(default_factory=list)
    follow_up_until: datetime.date | None = None
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def unit_kind(text: str, uscc: str) -> str:
    """The unit kind from the sheet's words, or from the credit code when the sheet
    says nothing; raises ValueError for words it cannot place."""
    text = text.replace(" ", "")
    if not text:
        return USCC_KINDS.get(uscc[:2], Unit.Kind.OTHER)
    for value, label in Unit.Kind.choices:
        if text in (value, str(label)):
            return value
    for word, kind in KIND_WORDS:
        if word in text:
            return kind
    raise ValueError(text)


def _count(value) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = excel.cell_text(value)
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def _communities(area: Area) -> dict[str, Area]:
    if area.level == Area.Level.COMMUNITY:
        return {area.name: area}
    return {
        a.name: a
        for a in Area.objects.filter(level=Area.Level.COMMUNITY, path__startswith=area.path)
    }


def _column(headers: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is not None and index < len(headers) and headers[index]:
        return headers[index]
    return LABELS.get(name, name)


def unit_import(*, actor, area: Area, data: bytes, filename: str = "") -> UnitImportReport:
    """Check every row of the list; register the new units only if every row is right."""
    require_manage_area(actor, area)
    if area.level not in TARGET_LEVELS:
        raise ValidationFailed(MSG_TARGET_LEVEL, field="area", code=Code.TARGET_LEVEL)
    report = UnitImportReport(sha256=hashlib.sha256(data).hexdigest())
    table = excel.read_table(data)
    index, columns, headers = excel.find_header(
        table, aliases=_ALIASES, required=REQUIRED, labels=LABELS, not_found=MSG_NO_HEADER
    )
    rows, report.notes = excel.data_rows(table, index, columns, "uscc")
    report.rows = len(rows)
    communities = _communities(area) if "community" in columns else {}

    def fail(row: int, name: str, message) -> None:
        if len(report.errors) < MAX_REPORTED_ERRORS:
            report.errors.append(RowError(row, _column(headers, columns, name), str(message)))

    cleaned: list[tuple[int, services.UnitRow]] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        cell = functools.partial(excel.cell_at, cells, columns)
        try:
            code = validate_uscc(excel.cell_text(cell("uscc")))
        except ValidationFailed as error:
            fail(number, "uscc", error.message)
            continue
        if code in seen:
            fail(number, "uscc", str(MSG_DUPLICATE_IN_FILE).format(row=seen[code]))
            continue
        seen[code] = number
        kind_text = excel.cell_text(cell("kind"))
        try:
            kind = unit_kind(kind_text, code)
        except ValueError:
            fail(number, "kind", str(MSG_KIND).format(value=kind_text))
            continue
        counts = {}
        for name in ("employees", "formal_members"):
            try:
                counts[name] = _count(cell(name))
            except ValueError:
                fail(number, name, MSG_NUMBER)
        if len(counts) < 2:
            continue
        place = area
        community_name = clean_text(excel.cell_text(cell("community")))
        if community_name:
            place = communities.get(community_name)
            if place is None:
                message = str(MSG_COMMUNITY).format(area=area.name, value=community_name)
                fail(number, "community", message)
                continue
        row = services.UnitRow(
            name=clean_text(excel.cell_text(cell("name"))),
            uscc=code,
            kind=kind,
            area=place,
            address=clean_text(excel.cell_text(cell("address"))),
            **counts,
        )
        try:
            services.check_unit_row(row)
        except ApplicationError as error:
            fail(number, error.field or "name", error.message)
            continue
        cleaned.append((number, row))

    # Units already registered: where the importer sees them, unchanged; elsewhere an error.
    codes = [row.uscc for _n, row in cleaned]
    existing: set[str] = set()
    visible: set[str] = set()
    for start in range(0, len(codes), 5000):
        chunk = codes[start : start + 5000]
        existing.update(Unit.objects.filter(uscc__in=chunk).values_list("uscc", flat=True))
        visible.update(
            scope_for(actor)
            .filter(Unit.objects.filter(uscc__in=chunk))
            .values_list("uscc", flat=True)
            if actor is not None
            else existing
        )
    to_create = []
    for number, row in cleaned:
        if row.uscc not in existing:
            to_create.append(row)
        elif row.uscc in visible:
            report.unchanged += 1
        else:
            fail(number, "uscc", MSG_ELSEWHERE)
    report.errors.sort(key=lambda e: e.row)
    if report.errors or not to_create:
        return report
    try:
        report.created = _commit(
            actor=actor, area=area, rows=to_create, report=report, name=filename
        )
    except IntegrityError:
        report.errors.append(RowError(0, LABELS["uscc"], str(MSG_RACE)))
        return report
    report.new_units = [(row.name, row.uscc) for row in to_create]
    report.follow_up_until = timezone.localdate() + datetime.timedelta(days=settings.NEW_UNIT_DAYS)
    return report


@transaction.atomic
def _commit(*, actor, area: Area, rows, report: UnitImportReport, name: str) -> int:
    created = services.unit_bulk_create(actor=actor, rows=rows)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.BULK_CREATE,
        target=area,
        changes={
            "import": "units",
            "file": name[:100],
            "sha256": report.sha256,
            "rows": report.rows,
            "created": created,
            "unchanged": report.unchanged,
        },
    )
    return created


# ---- the template and the export: the same columns, so an export imports back unchanged ----


def _headers() -> list[str]:
    return [LABELS[name] for name in TEMPLATE_COLUMNS]


def unit_template() -> bytes:
    notes = [
        str(_("统一社会信用代码、单位名称必填，其余可不填。")),
        str(
            _(
                "单位类别可填市场监管部门名录中的“企业类型”（如“有限责任公司（自然人投资或控股）”），不填则按统一社会信用代码判断。"
            )
        ),
        str(_("所在社区填写本街道的社区名称；不填则登记在导入时选择的街道或社区。")),
        str(_("同一统一社会信用代码再次导入不会重复登记；新登记的单位列入“新登记未覆盖”跟进。")),
    ]
    return excel.workbook(_headers(), [], sheet=str(_("驻区单位")), notes=notes)


@transaction.atomic
def unit_export(*, actor, area: Area | None, progress=None) -> tuple[bytes, int]:
    """The visible open units (under `area`) in the import's columns; audited.
    `progress(done, total)` is told as rows are made (the background job's)."""
    units = list(
        unit_list(viewer=actor, area=area).order_by("area__path", "name", "id")[:MAX_EXPORT]
    )
    if progress is not None:
        progress(0, len(units))
    # A unit placed on a grid or building belongs to the community four codes down.
    codes = {u.area.path.split("/")[3] for u in units if u.area.depth > COMMUNITY_DEPTH}
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for unit in units:
        community = ""
        if unit.area.depth == COMMUNITY_DEPTH:
            community = unit.area.name
        elif unit.area.depth > COMMUNITY_DEPTH:
            community = names.get(unit.area.path.split("/")[3], "")
        rows.append(
            [
                unit.uscc,
                unit.name,
                unit.address,
                str(unit.get_kind_display()),
                unit.employees,
                unit.formal_members,
                community,
            ]
        )
        if progress is not None:
            progress(len(rows))
    content = excel.workbook(_headers(), rows, sheet=str(_("驻区单位")))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        target=area,
        target_type=None if area else "orgs.unit",
        changes={"export": "units", "units": len(rows)},
    )
    return content, len(rows)


# The kind orgs.jobs registers with core.jobs.
KIND_UNIT_EXPORT = "orgs.unit_export"


def unit_export_submit(*, actor, area: Area | None) -> Job:
    """Queue the unit register export as a background job (a district's units are more
    than a request should wait for). The caller checked the area in the actor's scope
    (get_area_for_view); whether they see units at all is checked now, and both again
    when the job runs; the export's own audit entry is written by the job."""
    from jiceng.core.errors import NotFound
    from jiceng.core.jobs import job_submit
    from jiceng.core.scope import KIND_UNIT

    if actor is None or not scope_for(actor).can_see_kind(KIND_UNIT):
        raise NotFound()
    params = {"area": area.pk if area is not None else None}
    return job_submit(actor=actor, kind=KIND_UNIT_EXPORT, params=params, audit=params)
