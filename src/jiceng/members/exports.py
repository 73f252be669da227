"""Workbooks of the member register: the import template, the register of a node
(masked unless the exporter keeps the records), and the composition tables. Every
export of personal data leaves an audit entry."""

import io

from django.db import transaction
from django.utils import timezone

from jiceng.core import crypto
from jiceng.core.audit import audit_record
from jiceng.core.bulk import insert_rows
from jiceng.core.exports import (
    apply_watermark,
    check_export_limit,
    export_purpose,
    manifest_digest,
)
from jiceng.core.masking import mask_id_number, mask_phone
from jiceng.core.models import AuditEntry
from jiceng.core.xlsx import workbook
from jiceng.members import access
from jiceng.members.models import ExportManifestLine
from jiceng.members.selectors import member_list
from jiceng.members.statistics import composition

TEMPLATE_COLUMNS = [
    "姓名", "性别", "民族", "出生日期", "身份证号", "手机号码", "学历", "入党日期", "转正日期",
    "党员状态", "党员类别", "工作单位", "职务", "居住社区",
]  # fmt: skip
REGISTER_COLUMNS = [
    "姓名", "性别", "民族", "出生日期", "身份证号", "手机号码", "学历", "入党日期",
    "转正日期", "党员状态", "党员类别", "所在党组织", "工作单位", "职务", "居住社区",
]  # fmt: skip
# A worksheet holds 1,048,576 rows, header included; xlsxwriter drops rows past that
# without an error, so a city's register (about two million) continues on further sheets.
ROWS_PER_SHEET = 1_048_575
INSTRUCTIONS = [
    "每行一名党员；第一行是列名，列的顺序可以调整，常见的别名（如“公民身份号码”“联系电话”“文化程度”）也能识别。",
    "必填：姓名、身份证号、入党日期。性别和出生日期可不填，由身份证号得出；填写时须与身份证号一致。",
    "日期可写成 2010-07-01、2010/7/1、2010年7月1日，或使用 Excel 日期格式。",
    "党员状态：正式党员或预备党员；正式党员须填转正日期。",
    "党员类别：在职、离退休、无业、学生、流动、失联。",
    "学历：研究生、大学本科、大学专科、中专、高中、初中及以下。",
    "居住社区：本街道的社区名称（选填）。",
    "请勿使用公式；上传前系统逐行检查，有任何一行有误则全部不导入，并列出每处问题。",
    "同一文件重复上传不会重复登记。",
]


def template_workbook() -> bytes:
    buffer = io.BytesIO()
    book = workbook(buffer)
    bold = book.add_format({"bold": True, "bg_color": "#F2DCDB"})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("党员名册")
    sheet.write_row(0, 0, TEMPLATE_COLUMNS, bold)
    sheet.set_column(0, len(TEMPLATE_COLUMNS) - 1, 14)
    sheet.set_column(4, 5, 22, text)  # ID numbers and phones as text, never as numbers
    lists = {
        "性别": ["男", "女"],
        "党员状态": ["正式党员", "预备党员"],
        "党员类别": ["在职", "离退休", "无业", "学生", "流动", "失联"],
        "学历": ["研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下"],
    }
    for name, values in lists.items():
        column = TEMPLATE_COLUMNS.index(name)
        sheet.data_validation(1, column, 20000, column, {"validate": "list", "source": values})
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("填写说明")
    notes.set_column(0, 0, 100)
    for row, line in enumerate(INSTRUCTIONS):
        notes.write(row, 0, line)
    book.close()
    return buffer.getvalue()


def member_export(
    *, actor, area=None, org=None, purpose: str = "", purpose_note: str = "", progress=None
) -> tuple[bytes, int]:
    """The register of a node in the actor's scope, masked. With a purpose (core.exports:
    a listed one, or "other" with words), and within the daily limit, full numbers for
    the records the actor keeps (the same rule as an on-screen reveal), masked for the
    rest. Every sheet and the document carry the exporter, time and purpose; the audit
    entry names the members the file held (its manifest). `progress(done, total)`, the
    background job's, hears of each row written (and costs a count first)."""
    if purpose:
        purpose, purpose_note = export_purpose(purpose, purpose_note)
        check_export_limit(actor)
    now = timezone.now()
    members = member_list(viewer=actor, area=area, org=org).select_related(
        "org", "residence_community"
    )
    buffer = io.BytesIO()
    book = workbook(buffer)
    bold = book.add_format({"bold": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = None
    sheets = []
    full = masked = 0
    keep: dict[int, bool] = {}
    manifest: list[tuple[int, bool]] = []
    count = 0
    total = members.count() if progress is not None else None
    for count, m in enumerate(members.iterator(chunk_size=2000), start=1):
        if progress is not None:
            progress(count - 1, total)
        row = (count - 1) % ROWS_PER_SHEET + 1
        if row == 1:
            sheet = _register_sheet(book, (count - 1) // ROWS_PER_SHEET, bold)
            sheets.append(sheet)
        if m.org_id not in keep:
            keep[m.org_id] = bool(purpose) and access.can_reveal_member(actor, m)
        number = crypto.decrypt(m.id_number_encrypted)
        phone = crypto.decrypt(m.phone_encrypted)
        manifest.append((m.pk, keep[m.org_id]))
        if keep[m.org_id]:
            full += 1
        else:
            number, phone = mask_id_number(number), mask_phone(phone)
            masked += 1
        sheet.write_row(row, 0, [m.name, m.get_gender_display(), m.ethnicity])
        sheet.write_datetime(row, 3, _dt(m.birth_date), date)
        sheet.write_string(row, 4, number)
        sheet.write_string(row, 5, phone)
        sheet.write_string(row, 6, m.get_education_display())
        sheet.write_datetime(row, 7, _dt(m.joined_on), date)
        if m.full_on:
            sheet.write_datetime(row, 8, _dt(m.full_on), date)
        sheet.write_row(
            row,
            9,
            [
                m.get_status_display(),
                m.get_category_display(),
                m.org.name,
                m.work_unit_name,
                m.post,
                m.residence_community.name if m.residence_community_id else "",
            ],
        )
    if sheet is None:
        sheets.append(_register_sheet(book, 0, bold))
    apply_watermark(book, sheets, actor=actor, at=now, purpose=purpose, note=purpose_note)
    book.close()
    # The rows are read and written before the transaction, so that a background job's
    # progress is seen as it goes; the entry and its manifest are written together.
    node = org or area
    with transaction.atomic():
        entry = audit_record(
            actor=actor,
            action=AuditEntry.Action.EXPORT,
            target=node,
            target_type=None if node else "members.member",
            changes={
                "export": "members",
                "rows": count,
                "full": full,
                "masked": masked,
                "full_export": bool(purpose),
                "purpose": purpose,
                "purpose_note": purpose_note,
                "manifest": {
                    "members": len(manifest),
                    "sha256": manifest_digest(i for i, _ in manifest),
                },
            },
        )
        insert_rows(
            ExportManifestLine,
            ["entry_id", "member_id", "full"],
            [(entry.pk, member_id, shown) for member_id, shown in manifest],
        )
    return buffer.getvalue(), count


def _register_sheet(book, index: int, bold):
    """One worksheet of the register with its header row: 党员名册, 党员名册（2）, …"""
    name = "党员名册" if index == 0 else f"党员名册（{index + 1}）"
    sheet = book.add_worksheet(name)
    sheet.write_row(0, 0, REGISTER_COLUMNS, bold)
    sheet.set_column(0, len(REGISTER_COLUMNS) - 1, 14)
    return sheet


def _dt(day):
    import datetime

    return datetime.datetime.combine(day, datetime.time())


def statistics_export(*, actor, area=None, org=None) -> bytes:
    tables = composition(member_list(viewer=actor, area=area, org=org))
    buffer = io.BytesIO()
    book = workbook(buffer)
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("党员构成")
    row = 0
    for table in tables:
        sheet.write(row, 0, table.title, bold)
        row += 1
        for item in table.rows:
            sheet.write_row(row, 0, [item.label, item.count])
            row += 1
        sheet.write_row(row, 0, ["合计", table.total], bold)
        row += 2
    sheet.set_column(0, 0, 20)
    book.close()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        target=org or area,
        target_type=None if (org or area) else "members.member",
        changes={"export": "member_statistics"},
    )
    return buffer.getvalue()
