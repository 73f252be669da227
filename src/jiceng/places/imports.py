"""The standard address registry from Excel, as streets keep it: one row per address,
naming the building by its code, with the compound, the door's position (WGS-84) and
other spellings (aliases, separated by 、 or ；).

Every row is checked first; nothing is written unless all are right (one transaction).
An address already registered the same way is left as it is, so importing the same sheet
again changes nothing; one registered to another building is refused naming the row.
"""

import functools
import hashlib
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jiceng.core import excel
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.errors import ApplicationError
from jiceng.core.models import Area, AuditEntry, StandardAddress
from jiceng.core.types import Actor
from jiceng.core.validators import clean_text
from jiceng.places import matcher
from jiceng.places.errors import MSG_IMPORT_AREA_LEVEL, invalid
from jiceng.places.errors import PlaceErrorCode as Code
from jiceng.places.models import AddressAlias
from jiceng.places.normalize import normalize
from jiceng.places.services import _save_alias, check_position

HEADERS: dict[str, tuple[str, ...]] = {
    "address": ("标准地址", "地址", "门牌地址"),
    "building": ("楼栋编码", "楼栋代码", "楼栋区划代码"),
    "compound": ("小区", "小区名称", "所在小区"),
    "longitude": ("经度",),
    "latitude": ("纬度",),
    "aliases": ("别名", "其他写法", "俗称"),
}
REQUIRED = ("address", "building")
LABELS = {name: names[0] for name, names in HEADERS.items()}
_ALIASES = excel.header_aliases(HEADERS)
TARGET_LEVELS = (Area.Level.DISTRICT, Area.Level.STREET, Area.Level.COMMUNITY)
ALIAS_SEPARATORS = re.compile(r"[、；;|]")
MAX_REPORTED_ERRORS = 1000

MSG_NO_HEADER = _("没有找到表头：应有“标准地址”“楼栋编码”等列名")
MSG_ADDRESS = _("请填写标准地址（200字以内）")
MSG_BUILDING = _("“{area}”下没有编码为 {code} 的楼栋")
MSG_TWICE = _("与第 {row} 行的地址相同（写法可能不同），但楼栋不同")
MSG_ELSEWHERE = _("该地址已登记到其他楼栋")
MSG_ALIAS_TWICE = _("别名“{alias}”与第 {row} 行指向不同")


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class AddressImportReport:
    rows: int = 0
    addresses: int = 0
    updated: int = 0
    aliases: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return self.addresses + self.updated + self.aliases


@dataclass
class _Row:
    number: int
    text: str
    key: str
    building: Area
    compound: str
    latitude: object
    longitude: object
    aliases: list[str]


def address_import(
    *, actor: Actor, area: Area, data: bytes, filename: str = ""
) -> AddressImportReport:
    """Check every row; register the new addresses and aliases, and fill in a compound
    or position the registry lacks, only if all rows are right, in one transaction."""
    require_manage_area(actor, area)
    if area.level not in TARGET_LEVELS:
        raise invalid(MSG_IMPORT_AREA_LEVEL, Code.IMPORT_AREA_LEVEL, "area")
    report = AddressImportReport(sha256=hashlib.sha256(data).hexdigest())
    table = excel.read_table(data)
    index, columns, headers = excel.find_header(
        table, aliases=_ALIASES, required=REQUIRED, labels=LABELS, not_found=MSG_NO_HEADER
    )
    rows, report.notes = excel.data_rows(table, index, columns, "address")
    report.rows = len(rows)
    buildings = {
        a.code: a
        for a in Area.objects.filter(level=Area.Level.BUILDING, path__startswith=area.path)
    }
    districts = matcher.index().districts

    def fail(row: int, name: str, message) -> None:
        if len(report.errors) < MAX_REPORTED_ERRORS:
            column = headers[columns[name]] if name in columns else LABELS[name]
            report.errors.append(RowError(row, column or LABELS[name], str(message)))

    good: list[_Row] = []
    seen: dict[str, tuple[str, int]] = {}
    for number, cells in rows:
        text = functools.partial(_text, cells, columns)
        address = text("address")
        if not address or len(address) > 200:
            fail(number, "address", MSG_ADDRESS)
            continue
        code = re.sub(r"\s+", "", text("building"))
        building = buildings.get(code)
        if building is None:
            fail(number, "building", str(MSG_BUILDING).format(area=area.name, code=code[:24]))
            continue
        compound = text("compound")[:100]
        try:
            latitude, longitude = check_position(text("latitude"), text("longitude"))
        except ApplicationError as refused:
            fail(number, "latitude", refused.message)
            continue
        key = normalize(address, districts=districts)
        earlier = seen.setdefault(key, (code, number))
        if earlier[0] != code:
            fail(number, "address", str(MSG_TWICE).format(row=earlier[1]))
            continue
        aliases = [a.strip()[:200] for a in ALIAS_SEPARATORS.split(text("aliases")) if a.strip()]
        good.append(_Row(number, address, key, building, compound, latitude, longitude, aliases))
    alias_targets: dict[str, tuple[str, int]] = {}
    for row in good:
        for alias in row.aliases:
            alias_key = normalize(alias, districts=districts)
            earlier = alias_targets.setdefault(alias_key, (row.key, row.number))
            if earlier[0] != row.key:
                fail(
                    row.number, "aliases", str(MSG_ALIAS_TWICE).format(alias=alias, row=earlier[1])
                )
    known = matcher.index().exact
    existing = {
        normalize(a.text, districts=districts): a
        for a in StandardAddress.objects.filter(building__path__startswith=area.path)
    }
    for row in good:
        found = existing.get(row.key)
        hit = known.get(row.key)
        if found is None and hit is not None and hit[1] == "address":
            fail(row.number, "address", MSG_ELSEWHERE)  # registered outside this area
        elif found is not None and found.building_id != row.building.pk:
            fail(row.number, "address", MSG_ELSEWHERE)
    report.errors.sort(key=lambda e: e.row)
    if report.errors:
        return report
    try:
        _commit(actor=actor, area=area, rows=good, existing=existing, report=report,
                name=filename)  # fmt: skip
    except ApplicationError as refused:
        report.errors.append(RowError(0, LABELS["aliases"], str(refused.message)))
    return report


def _text(cells, columns, name: str) -> str:
    return clean_text(excel.cell_text(excel.cell_at(cells, columns, name)))


@transaction.atomic
def _commit(*, actor, area, rows: list[_Row], existing, report, name) -> None:
    new = [
        StandardAddress(
            building=r.building, text=r.text, compound=r.compound,
            latitude=r.latitude, longitude=r.longitude,
        )
        for r in rows
        if r.key not in existing
    ]  # fmt: skip
    StandardAddress.objects.bulk_create(new, batch_size=2000)
    report.addresses = len(new)
    changed = []
    for r in rows:
        found = existing.get(r.key)
        if found is None:
            continue
        touched = False
        if r.compound and not found.compound:
            found.compound, touched = r.compound, True
        if r.latitude is not None and found.latitude is None:
            found.latitude, found.longitude, touched = r.latitude, r.longitude, True
        if touched:
            changed.append(found)
    StandardAddress.objects.bulk_update(changed, ["compound", "latitude", "longitude"])
    report.updated = len(changed)
    matcher.forget()
    by_key = {
        normalize(a.text, districts=matcher.index().districts): a
        for a in StandardAddress.objects.filter(building__path__startswith=area.path)
    }
    before = AddressAlias.objects.count()
    for r in rows:
        for alias in r.aliases:
            if normalize(alias, districts=matcher.index().districts) == r.key:
                continue  # the address itself
            _save_alias(actor=actor, text=alias, address=by_key[r.key], area=None,
                        source=AddressAlias.Source.IMPORT, replace=False, forget=False)  # fmt: skip
    report.aliases = AddressAlias.objects.count() - before
    report.unchanged = len(rows) - report.addresses - report.updated
    if report.addresses or report.updated or report.aliases:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.BULK_CREATE,
            target=area,
            changes={"import": "addresses", "file": name[:100], "sha256": report.sha256,
                     "rows": report.rows, "addresses": report.addresses,
                     "updated": report.updated, "aliases": report.aliases},
        )  # fmt: skip
    matcher.forget()
    transaction.on_commit(matcher.forget)


def address_template() -> bytes:
    headers = [LABELS[name] for name in HEADERS]
    notes = [
        str(_("每行一个标准地址；楼栋编码为18位楼栋区划代码（网格代码后接3位楼栋编号）。")),
        str(
            _(
                "示例：漕溪北路88弄3号 | 310104003001001001 | 徐汇苑 | 121.437 | 31.195"
                " | 漕溪北路八十八弄三号、徐汇苑3号楼"
            )
        ),
        str(_("经度、纬度为 WGS-84（GPS）坐标，可以不填；别名用“、”分隔。")),
        str(_("全部行无误才会导入；再次导入同一文件不会有任何改动。")),
    ]
    return excel.workbook(headers, [], sheet=str(_("标准地址")), notes=notes)
