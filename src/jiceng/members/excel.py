"""Reading rosters as people keep them, and refusing files that are not rosters.

A roster comes from Excel or WPS: header names vary, digits are full width, dates are
text or Excel serial numbers. Before any parsing, the file itself is checked within
fixed bounds of time and memory: it must be an xlsx (a zip with a workbook), small
enough, not a zip bomb, free of formulas, and not larger than MAX_ROWS.
"""

import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import ValidationFailed

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per entry of more than 1 MB
MAX_ROWS = 200_000
SCAN_CHUNK = 1024 * 1024

MSG_NOT_XLSX = _("文件不是 Excel（.xlsx）格式，请在 Excel 或 WPS 中另存为 .xlsx 后再上传")
MSG_TOO_BIG = _("文件过大（超过50MB），请分批上传")
MSG_BOMB = _("文件解压后异常庞大，已拒绝")
MSG_FORMULA = _("文件含有公式，请复制后“粘贴为数值”再上传")
MSG_TOO_MANY_ROWS = _("行数超过20万行，请分批上传")
MSG_EMPTY = _("文件中没有数据行")
MSG_NO_HEADER = _("没有找到表头：第一行应为“姓名”“身份证号”等列名")
MSG_MISSING_COLUMN = _("缺少必需的列：{columns}")

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


def normalize_header(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*＊:：]", "", text)


_ALIASES = {normalize_header(alias): field for field, names in HEADERS.items() for alias in names}


def check_file(data: bytes) -> None:
    """Refuse what is not a sane xlsx before handing it to a parser."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed(MSG_TOO_BIG, field="file")
    if not data.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationFailed(MSG_NOT_XLSX, field="file")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationFailed(MSG_NOT_XLSX, field="file") from None
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise ValidationFailed(MSG_NOT_XLSX, field="file")
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise ValidationFailed(MSG_BOMB, field="file")
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise ValidationFailed(MSG_BOMB, field="file")
    for entry in entries:
        if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
            _scan_sheet(archive, entry)


def _scan_sheet(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    """Stream the sheet's XML once: formulas and the declared size, never all in memory.
    The read is bounded by the entry's declared size, which check_file has capped."""
    tail = b""
    read = 0
    with archive.open(entry) as stream:
        while True:
            chunk = stream.read(SCAN_CHUNK)
            if not chunk:
                break
            read += len(chunk)
            if read > entry.file_size + SCAN_CHUNK:  # lying header: more data than declared
                raise ValidationFailed(MSG_BOMB, field="file")
            window = tail + chunk
            if re.search(rb"<(?:\w+:)?f[ >/]", window):
                raise ValidationFailed(MSG_FORMULA, field="file")
            dimension = re.search(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', window)
            if dimension and int(dimension.group(1)) > MAX_ROWS + 1:
                raise ValidationFailed(MSG_TOO_MANY_ROWS, field="file")
            tail = window[-64:]


@dataclass
class Roster:
    columns: dict[str, int]  # field → column index
    headers: list[str]  # as written in the file, for the report
    rows: list[tuple[int, list]]  # (Excel row number, cells)
    # Signature and note lines under the table (制表人、审核人、填表日期、备注), skipped:
    # (Excel row number, the line's text) so the report can show what was left out.
    notes: list[tuple[int, str]] = field(default_factory=list)


# The lines people write under a roster: who made and checked it, when, and remarks.
NOTE_LINE = re.compile(
    r"^(?:制表人?|填表人?|填报人|审核人?|审批人?|负责人|经办人|填表日期|填报日期|制表日期|"
    r"报送日期|备注|说明|注)(?:\s*[:：]|\s|$)"
)


def _id_cell(cells, columns: dict[str, int]) -> str:
    index = columns["id_number"]
    return cell_text(cells[index]) if index < len(cells) else ""


def _texts(cells) -> list[str]:
    return [cell_text(c) for c in cells if c is not None and cell_text(c)]


def _is_note_line(cells, columns: dict[str, int]) -> bool:
    """A signature or note line: its first text starts with a note word (制表人：…) and
    the ID number column holds nothing but such text. A member's row always has an ID
    number, so no member is ever taken for a note."""
    texts = _texts(cells)
    if not texts or not NOTE_LINE.match(texts[0]):
        return False
    id_cell = _id_cell(cells, columns)
    return not id_cell or bool(NOTE_LINE.match(id_cell))


def read_roster(data: bytes) -> Roster:
    from python_calamine import CalamineWorkbook

    check_file(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        table = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS + 2)
    except Exception:  # calamine raises its own types for broken files
        raise ValidationFailed(MSG_NOT_XLSX, field="file") from None
    if len(table) > MAX_ROWS + 1:
        raise ValidationFailed(MSG_TOO_MANY_ROWS, field="file")
    # The header is the first row (of the first ten) that names at least two known columns.
    for index, row in enumerate(table[:10]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            field = _ALIASES.get(normalize_header(cell))
            if field and field not in columns:
                columns[field] = position
        if len(columns) >= 2:
            missing = [LABELS[f] for f in REQUIRED if f not in columns]
            if missing:
                raise ValidationFailed(
                    str(MSG_MISSING_COLUMN).format(columns="、".join(missing)), field="file"
                )
            headers = [str(c or "").strip() for c in row]
            rows: list[tuple[int, list]] = []
            notes: list[tuple[int, str]] = []
            in_notes = False
            for offset, cells in enumerate(table[index + 1 :]):
                number = index + 2 + offset
                if not any(str(c).strip() for c in cells if c is not None):
                    continue  # blank separator rows
                if _is_note_line(cells, columns):
                    in_notes = True
                elif not (in_notes and not _id_cell(cells, columns)):
                    # Lines that continue a remark (numbered explanations under 备注)
                    # have no ID number either; anything with one is read as a member.
                    rows.append((number, list(cells)))
                    continue
                notes.append((number, " ".join(_texts(cells))[:200]))
            if not rows:
                raise ValidationFailed(MSG_EMPTY, field="file")
            return Roster(columns=columns, headers=headers, rows=rows, notes=notes)
    raise ValidationFailed(MSG_NO_HEADER, field="file")


EXCEL_EPOCH = datetime.date(1899, 12, 30)
DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
MONTH_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")


def parse_date(value) -> datetime.date | None:
    """A date from a cell: a real date, an Excel serial number, or text in the usual
    forms (2010-07-01, 2010/7/1, 2010.07.01, 2010年7月1日, 20100701, 2010.07)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            return datetime.date(*(int(g) for g in match.groups()))
    match = MONTH_PATTERN.match(text)
    if match:  # a month only, as some rosters keep dates of joining: the first day
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)
    raise ValueError(value)


def cell_text(value) -> str:
    """Text of a cell: numbers that Excel stored as floats lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def choice(mapping: dict[str, str], value, *, default: str = "") -> str:
    text = cell_text(value).replace(" ", "")
    if not text:
        return default
    if text in mapping.values():
        return text
    return mapping.get(text, "?" + text)
