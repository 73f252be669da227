"""A street setting up its grids: one Excel row per standard address, naming its
community, grid and building (grid → buildings → addresses).

Grids and buildings are created by their number under their community and grid (a grid
extends the community's 12-digit code with 3 digits, a building the grid's with 3
more); those that exist already are reused, so importing the same sheet again changes
nothing. Every row is checked first and nothing is written unless all are right.
"""

import functools
import hashlib
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from jiceng.core import excel
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.errors import ValidationFailed
from jiceng.core.models import Area, AuditEntry, StandardAddress
from jiceng.core.services import AreaSpec, area_bulk_create, standard_address_bulk_create
from jiceng.core.validators import clean_text
from jiceng.orgs.errors import OrgErrorCode as Code

HEADERS: dict[str, tuple[str, ...]] = {
    "community": ("所在社区", "社区", "所属社区", "居委会", "社区（村）"),
    "grid_number": ("网格编号", "网格号", "网格代码"),
    "grid_name": ("网格名称", "网格"),
    "building_number": ("楼栋编号", "楼号", "楼栋号", "楼栋代码"),
    "building_name": ("楼栋名称", "楼栋"),
    "address": ("标准地址", "地址", "门牌地址", "门牌号"),
}
REQUIRED = ("grid_number", "grid_name")
LABELS = {name: names[0] for name, names in HEADERS.items()}
_ALIASES = excel.header_aliases(HEADERS)
TARGET_LEVELS = (Area.Level.STREET, Area.Level.COMMUNITY)

MSG_NO_HEADER = _("没有找到表头：应有“网格编号”“网格名称”“楼栋编号”等列名")
MSG_TARGET_LEVEL = _("请选择要导入到的街道或社区")
MSG_COMMUNITY_REQUIRED = _("请填写所在社区")
MSG_COMMUNITY = _("“{area}”下没有名为“{value}”的社区")
MSG_NUMBER = _("编号应为3位数字（如 001），或以上级代码开头的完整代码")
MSG_NAME_REQUIRED = _("请填写名称")
MSG_NAME_LONG = _("名称不能超过100个字")
MSG_NAME_CLASH = _("编号 {code} 已是“{name}”，与本行名称不同")
MSG_BUILDING_REQUIRED = _("填写了地址的行须写明楼栋编号和楼栋名称")
MSG_ADDRESS_ELSEWHERE = _("该地址已对应到其他楼栋")
MSG_ADDRESS_TWICE = _("与第 {row} 行的地址相同，但楼栋不同")
MSG_ADDRESS_LONG = _("标准地址不能超过200个字")
MSG_RACE = _("导入期间有人建立了文件中的网格或楼栋，请重新上传")
MAX_REPORTED_ERRORS = 1000


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class GridImportReport:
    rows: int = 0
    grids: int = 0
    buildings: int = 0
    addresses: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return self.grids + self.buildings + self.addresses


def _code(value: str, parent_code: str) -> str:
    """A child's full code from its 3-digit number or its full code."""
    text = re.sub(r"\s+", "", value)
    if re.fullmatch(r"\d{1,3}", text):
        return parent_code + text.zfill(3)
    if (
        re.fullmatch(r"\d+", text)
        and len(text) == len(parent_code) + 3
        and (text.startswith(parent_code))
    ):
        return text
    raise ValueError(value)


def _column(headers: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is not None and index < len(headers) and headers[index]:
        return headers[index]
    return LABELS.get(name, name)


def grid_import(*, actor, area: Area, data: bytes, filename: str = "") -> GridImportReport:
    """Check every row; create the new grids, buildings and addresses only if all are
    right, in one transaction."""
    require_manage_area(actor, area)
    if area.level not in TARGET_LEVELS:
        raise ValidationFailed(MSG_TARGET_LEVEL, field="area", code=Code.TARGET_LEVEL)
    report = GridImportReport(sha256=hashlib.sha256(data).hexdigest())
    table = excel.read_table(data)
    index, columns, headers = excel.find_header(
        table, aliases=_ALIASES, required=REQUIRED, labels=LABELS, not_found=MSG_NO_HEADER
    )
    rows, report.notes = excel.data_rows(table, index, columns, "grid_number")
    report.rows = len(rows)
    if area.level == Area.Level.COMMUNITY:
        communities = {area.name: area}
    else:
        communities = {
            a.name: a
            for a in Area.objects.filter(level=Area.Level.COMMUNITY, path__startswith=area.path)
        }
    known = {
        a.code: a.name
        for a in Area.objects.filter(
            path__startswith=area.path, level__in=(Area.Level.GRID, Area.Level.BUILDING)
        )
    }

    def fail(row: int, name: str, message) -> None:
        if len(report.errors) < MAX_REPORTED_ERRORS:
            report.errors.append(RowError(row, _column(headers, columns, name), str(message)))

    grids: dict[str, tuple[str, str]] = {}  # code → (community code, name)
    buildings: dict[str, tuple[str, str]] = {}  # code → (grid code, name)
    addresses: dict[str, tuple[str, int]] = {}  # text → (building code, row)
    names: dict[str, str] = dict(known)
    # What each good row names, to count the rows that bring nothing new.
    named: list[tuple[str, str | None, str | None]] = []

    def place(number: int, column: str, code: str, name: str) -> bool:
        if names.setdefault(code, name) != name:
            fail(number, column, str(MSG_NAME_CLASH).format(code=code, name=names[code]))
            return False
        return True

    for number, cells in rows:
        text = functools.partial(_text, cells, columns)
        community_name = text("community")
        if not community_name and area.level == Area.Level.COMMUNITY:
            community_name = area.name
        if not community_name:
            fail(number, "community", MSG_COMMUNITY_REQUIRED)
            continue
        community = communities.get(community_name)
        if community is None:
            fail(
                number, "community", str(MSG_COMMUNITY).format(area=area.name, value=community_name)
            )
            continue
        try:
            grid_code = _code(text("grid_number"), community.code)
        except ValueError:
            fail(number, "grid_number", MSG_NUMBER)
            continue
        grid_name = text("grid_name")
        if not grid_name or len(grid_name) > 100:
            fail(number, "grid_name", MSG_NAME_REQUIRED if not grid_name else MSG_NAME_LONG)
            continue
        if not place(number, "grid_name", grid_code, grid_name):
            continue
        grids.setdefault(grid_code, (community.code, grid_name))
        building_number, building_name = text("building_number"), text("building_name")
        address = text("address")
        if not building_number and not building_name:
            if address:
                fail(number, "building_number", MSG_BUILDING_REQUIRED)
            else:
                named.append((grid_code, None, None))
            continue
        try:
            building_code = _code(building_number, grid_code)
        except ValueError:
            fail(number, "building_number", MSG_NUMBER)
            continue
        if not building_name or len(building_name) > 100:
            fail(number, "building_name", MSG_NAME_REQUIRED if not building_name else MSG_NAME_LONG)
            continue
        if not place(number, "building_name", building_code, building_name):
            continue
        buildings.setdefault(building_code, (grid_code, building_name))
        if not address:
            named.append((grid_code, building_code, None))
            continue
        if len(address) > 200:
            fail(number, "address", MSG_ADDRESS_LONG)
            continue
        earlier = addresses.setdefault(address, (building_code, number))
        if earlier[0] != building_code:
            fail(number, "address", str(MSG_ADDRESS_TWICE).format(row=earlier[1]))
            continue
        named.append((grid_code, building_code, address))

    # Addresses already mapped elsewhere; grid or building codes taken outside the area.
    texts = sorted(addresses)
    mapped: set[str] = set()
    for start in range(0, len(texts), 5000):
        for text_value, code in StandardAddress.objects.filter(
            text__in=texts[start : start + 5000]
        ).values_list("text", "building__code"):
            mapped.add(text_value)
            if code != addresses[text_value][0]:
                fail(addresses[text_value][1], "address", MSG_ADDRESS_ELSEWHERE)
    report.errors.sort(key=lambda e: e.row)
    if report.errors:
        return report
    report.unchanged = sum(
        1
        for grid, building, address in named
        if grid in known
        and (building is None or building in known)
        and (address is None or address in mapped)
    )
    new_grids = {c: v for c, v in grids.items() if c not in known}
    new_buildings = {c: v for c, v in buildings.items() if c not in known}
    try:
        _commit(actor=actor, area=area, grids=new_grids, buildings=new_buildings,
                addresses=addresses, report=report, name=filename)  # fmt: skip
    except IntegrityError:
        report.errors.append(RowError(0, LABELS["grid_number"], str(MSG_RACE)))
    except ValidationFailed as error:
        report.errors.append(RowError(0, LABELS.get(error.field or "", ""), str(error.message)))
    return report


def _text(cells, columns, name: str) -> str:
    return clean_text(excel.cell_text(excel.cell_at(cells, columns, name)))


@transaction.atomic
def _commit(*, actor, area, grids, buildings, addresses, report, name) -> None:
    parents = {a.code: a for a in Area.objects.filter(path__startswith=area.path)}
    report.grids = area_bulk_create(
        actor=actor,
        parent_by_code=parents,
        specs=[(parent, AreaSpec(code, title, "grid")) for code, (parent, title) in grids.items()],
    )
    report.buildings = area_bulk_create(
        actor=actor,
        parent_by_code=parents,
        specs=[
            (parent, AreaSpec(code, title, "building"))
            for code, (parent, title) in buildings.items()
        ],
    )
    by_code = {a.code: a for a in Area.objects.filter(code__in={c for c, _r in addresses.values()})}
    report.addresses = standard_address_bulk_create(
        actor=actor, rows=[(by_code[code], text) for text, (code, _row) in addresses.items()]
    )
    if report.created:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.BULK_CREATE,
            target=area,
            changes={
                "import": "grids",
                "file": name[:100],
                "sha256": report.sha256,
                "rows": report.rows,
                "grids": report.grids,
                "buildings": report.buildings,
                "addresses": report.addresses,
            },
        )


def grid_template() -> bytes:
    headers = [LABELS[name] for name in HEADERS]
    notes = [
        str(_("每行一个标准地址；同一楼栋有几个门牌就写几行。")),
        str(_("示例：武康路社区居委会 | 001 | 第一网格 | 001 | 武康路100弄1号楼 | 武康路100弄1号")),
        str(
            _(
                "网格编号、楼栋编号写3位数字（001），系统在社区代码后接网格编号、在网格代码后接楼栋编号。"
            )
        ),
        str(
            _("已有的网格、楼栋按编号沿用，名称须与已有名称一致；再次导入同一文件不会有任何改动。")
        ),
        str(_("只建网格不建楼栋时，楼栋编号、楼栋名称、标准地址留空。")),
    ]
    return excel.workbook(headers, [], sheet=str(_("网格楼栋")), notes=notes)
