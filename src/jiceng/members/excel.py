"""Reading rosters as people keep them. The file checks and cell parsing are
core.excel's; this module names the roster's columns and choices.

A roster comes from Excel or WPS: header names vary, a title may sit above the header,
blank rows separate groups, signature and note lines (制表人、审核人、填表日期、备注) sit
under the table and are skipped and listed, digits are full width, dates are text or
Excel serial numbers.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from jiceng.core.excel import (  # noqa: F401 (re-exported for the roster import)
    MSG_BOMB,
    MSG_EMPTY,
    MSG_FORMULA,
    MSG_MISSING_COLUMN,
    MSG_NOT_XLSX,
    MSG_TOO_BIG,
    MSG_TOO_MANY_ROWS,
    cell_text,
    check_file,
    choice,
    data_rows,
    find_header,
    header_aliases,
    normalize_header,
    parse_date,
    read_table,
)

MSG_NO_HEADER = _("没有找到表头：第一行应为“姓名”“身份证号”等列名")

# Canonical field → header names seen in real rosters (compared after normalization).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "党员姓名", "名字"),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "生日"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "公民身份证号", "证件号码", "身份证"),
    "phone": ("手机号码", "手机", "手机号", "联系电话", "电话", "联系方式"),
    "education": ("学历", "文化程度", "最高学历"),
    "joined_on": ("入党日期", "入党时间", "加入党组织日期"),
    "full_on": ("转正日期", "转正时间", "转为正式党员日期"),
    "status": ("党员状态", "状态", "人员类别（正式/预备）", "党籍状态"),
    "category": ("党员类别", "人员类别", "类别", "党员类型"),
    "work_unit_name": ("工作单位", "所在单位", "工作单位及职务", "单位"),
    "post": ("职务", "岗位"),
    "residence": ("居住社区", "居住地社区", "现居住社区", "居住地"),
}
REQUIRED = ("name", "id_number", "joined_on")
LABELS = {field: names[0] for field, names in HEADERS.items()}

GENDER = {"男": "male", "女": "female", "男性": "male", "女性": "female"}
STATUS = {
    "正式党员": "full", "正式": "full", "预备党员": "probationary", "预备": "probationary",
}  # fmt: skip
CATEGORY = {
    "在职": "in_service", "在职党员": "in_service", "在岗": "in_service",
    "离退休": "retired", "退休": "retired", "离休": "retired", "离退休党员": "retired",
    "无业": "unemployed", "待业": "unemployed", "失业": "unemployed",
    "学生": "student", "在校学生": "student",
    "流动": "mobile", "流动党员": "mobile",
    "失联": "lost_contact", "失去联系": "lost_contact",
}  # fmt: skip
EDUCATION = {
    "研究生": "postgraduate", "博士": "postgraduate", "硕士": "postgraduate",
    "博士研究生": "postgraduate", "硕士研究生": "postgraduate",
    "大学本科": "bachelor", "本科": "bachelor", "大学": "bachelor",
    "大学专科": "college", "专科": "college", "大专": "college",
    "中专": "secondary_vocational", "中等专科": "secondary_vocational",
    "中技": "secondary_vocational", "职高": "secondary_vocational",
    "高中": "high_school",
    "初中": "junior_or_below", "小学": "junior_or_below", "初中及以下": "junior_or_below",
    "文盲": "junior_or_below",
}  # fmt: skip


_ALIASES = header_aliases(HEADERS)


@dataclass
class Roster:
    columns: dict[str, int]  # field → column index
    headers: list[str]  # as written in the file, for the report
    rows: list[tuple[int, list]]  # (Excel row number, cells)
    # Signature and note lines under the table (制表人、审核人、填表日期、备注), skipped:
    # (Excel row number, the line's text) so the report can show what was left out.
    notes: list[tuple[int, str]] = field(default_factory=list)


def read_roster(data: bytes) -> Roster:
    table = read_table(data)
    index, columns, headers = find_header(
        table, aliases=_ALIASES, required=REQUIRED, labels=LABELS, not_found=MSG_NO_HEADER
    )
    rows, notes = data_rows(table, index, columns, "id_number")
    return Roster(columns=columns, headers=headers, rows=rows, notes=notes)
