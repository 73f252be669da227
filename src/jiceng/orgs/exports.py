"""The coverage workbook: a summary sheet per child area and the units behind it."""

import io

from django.db import transaction
from django.utils import timezone

from jiceng.core.audit import audit_record
from jiceng.core.models import Area, AuditEntry
from jiceng.core.xlsx import workbook
from jiceng.orgs.models import Unit
from jiceng.orgs.selectors import coverage_by_child, coverage_summary, unit_list

SUMMARY_HEADERS = [
    "区域", "单位总数", "单独建立", "联合覆盖", "未覆盖", "覆盖率", "应单独组建", "新登记未覆盖",
]  # fmt: skip
UNIT_HEADERS = [
    "单位名称", "统一社会信用代码", "单位类别", "所在区域", "从业人员", "正式党员", "覆盖情况",
    "本单位党组织", "覆盖的联合党组织", "登记时间",
]  # fmt: skip


@transaction.atomic
def coverage_export(*, actor, area: Area) -> tuple[bytes, int]:
    """The workbook and its unit count; the export is audited (who, which area, rows)."""
    summary = coverage_summary(viewer=actor, area=area)
    children = coverage_by_child(viewer=actor, area=area)
    units = unit_list(viewer=actor, area=area).order_by("area__path", "name", "id")
    buffer = io.BytesIO()
    book = workbook(buffer, remove_timezone=True)
    bold = book.add_format({"bold": True})
    percent = book.add_format({"num_format": "0.0%"})
    sheet = book.add_worksheet("两个覆盖")
    sheet.write_row(0, 0, SUMMARY_HEADERS, bold)
    rows = [
        (row["area"].name, row["total"], row["own"], row["joint"], row["uncovered"],
         row["must_form"], row["new_uncovered"])
        for row in children
    ]  # fmt: skip
    rows.append(
        (f"{area.name}（合计）", summary.total, summary.own, summary.joint, summary.uncovered,
         summary.must_form, summary.new_uncovered)
    )  # fmt: skip
    for r, (name, total, own, joint, uncovered, must, new) in enumerate(rows, start=1):
        sheet.write_row(r, 0, [name, total, own, joint, uncovered])
        if total:
            sheet.write_number(r, 5, (own + joint) / total, percent)
        else:
            sheet.write_string(r, 5, "—")
        sheet.write_row(r, 6, [must, new])
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 7, 12)
    detail = book.add_worksheet("单位明细")
    detail.write_row(0, 0, UNIT_HEADERS, bold)
    count = 0
    for count, unit in enumerate(units.iterator(chunk_size=2000), start=1):
        detail.write_row(
            count,
            0,
            [
                unit.name,
                unit.uscc,
                unit.get_kind_display(),
                unit.area.name,
                unit.employees,
                unit.formal_members,
                str(Unit.Coverage(unit.coverage).label),
                unit.own_org.name if unit.own_org_id else "",
                unit.covering_org.name if unit.covering_org_id else "",
                timezone.localtime(unit.registered_at).strftime("%Y-%m-%d"),
            ],
        )
    detail.set_column(0, 0, 32)
    detail.set_column(1, 1, 22)
    detail.set_column(2, 9, 14)
    book.close()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        target=area,
        changes={"export": "coverage", "units": count},
    )
    return buffer.getvalue(), count
