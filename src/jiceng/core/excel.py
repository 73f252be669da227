"""Reading the Excel sheets staff already keep, and refusing files that are not sheets.

A sheet comes from Excel or WPS: header names vary, a title may sit above the header,
blank rows separate groups, signature and note lines sit under the table, digits are
full width, dates are text or Excel serial numbers. Before any parsing, the file itself
is checked within fixed bounds of time and memory: it must be an xlsx (a zip with a
workbook), small enough, not a zip bomb, free of formulas, and not larger than MAX_ROWS.
Each import (rosters, units, grids) names its columns and reads through here.
"""

import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import CoreErrorCode, ValidationFailed

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per entry of more than 1 MB
MAX_ROWS = 200_000
SCAN_CHUNK = 1024 * 1024
HEADER_SEARCH_ROWS = 10

MSG_NOT_XLSX = _("文件不是 Excel（.xlsx）格式，请在 Excel 或 WPS 中另存为 .xlsx 后再上传")
MSG_TOO_BIG = _("文件过大（超过50MB），请分批上传")
MSG_BOMB = _("文件解压后异常庞大，已拒绝")
MSG_FORMULA = _("文件含有公式，请复制后“粘贴为数值”再上传")
MSG_TOO_MANY_ROWS = _("行数超过20万行，请分批上传")
MSG_EMPTY = _("文件中没有数据行")
MSG_MISSING_COLUMN = _("缺少必需的列：{columns}")

# The lines people write under a table: who made and checked it, when, and remarks.
NOTE_LINE = re.compile(
    r"^(?:制表人?|填表人?|填报人|审核人?|审批人?|负责人|经办人|填表日期|填报日期|制表日期|"
    r"报送日期|备注|说明|注)(?:\s*[:：]|\s|$)"
)


def normalize_header(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*＊:：]", "", text)


def header_aliases(headers: dict[str, Iterable[str]]) -> dict[str, str]:
    """Normalized header name → field, from {field: (names seen in real sheets)}."""
    return {normalize_header(alias): field for field, names in headers.items() for alias in names}


def check_file(data: bytes) -> None:
    """Refuse what is not a sane xlsx before handing it to a parser."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed(MSG_TOO_BIG, field="file", code=CoreErrorCode.EXCEL_TOO_BIG)
    if not data.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationFailed(MSG_NOT_XLSX, field="file", code=CoreErrorCode.EXCEL_NOT_XLSX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationFailed(
            MSG_NOT_XLSX, field="file", code=CoreErrorCode.EXCEL_NOT_XLSX
        ) from None
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise ValidationFailed(MSG_NOT_XLSX, field="file", code=CoreErrorCode.EXCEL_NOT_XLSX)
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise ValidationFailed(MSG_BOMB, field="file", code=CoreErrorCode.EXCEL_BOMB)
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise ValidationFailed(MSG_BOMB, field="file", code=CoreErrorCode.EXCEL_BOMB)
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
                raise ValidationFailed(MSG_BOMB, field="file", code=CoreErrorCode.EXCEL_BOMB)
            window = tail + chunk
            if re.search(rb"<(?:\w+:)?f[ >/]", window):
                raise ValidationFailed(MSG_FORMULA, field="file", code=CoreErrorCode.EXCEL_FORMULA)
            dimension = re.search(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', window)
            if dimension and int(dimension.group(1)) > MAX_ROWS + 1:
                raise ValidationFailed(
                    MSG_TOO_MANY_ROWS, field="file", code=CoreErrorCode.EXCEL_TOO_MANY_ROWS
                )
            tail = window[-64:]


def read_table(data: bytes) -> list[list]:
    """The first sheet's cells, after the file checks; at most MAX_ROWS rows."""
    from python_calamine import CalamineWorkbook

    check_file(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        table = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS + 2)
    except Exception:  # calamine raises its own types for broken files
        raise ValidationFailed(
            MSG_NOT_XLSX, field="file", code=CoreErrorCode.EXCEL_NOT_XLSX
        ) from None
    if len(table) > MAX_ROWS + 1:
        raise ValidationFailed(
            MSG_TOO_MANY_ROWS, field="file", code=CoreErrorCode.EXCEL_TOO_MANY_ROWS
        )
    return table


def find_header(
    table: Sequence[Sequence],
    *,
    aliases: dict[str, str],
    required: Sequence[str],
    labels: dict[str, str],
    not_found,
) -> tuple[int, dict[str, int], list[str]]:
    """The header: the first row of the first ten that names at least two known columns
    (title rows above it are passed over). Returns (row index, field → column, headers
    as written); a missing required column is named."""
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            field = aliases.get(normalize_header(cell))
            if field and field not in columns:
                columns[field] = position
        if len(columns) >= 2:
            missing = [labels[f] for f in required if f not in columns]
            if missing:
                raise ValidationFailed(
                    str(MSG_MISSING_COLUMN).format(columns="、".join(missing)),
                    field="file",
                    code=CoreErrorCode.EXCEL_MISSING_COLUMN,
                )
            return index, columns, [str(c or "").strip() for c in row]
    raise ValidationFailed(not_found, field="file", code=CoreErrorCode.EXCEL_HEADER_NOT_FOUND)


def cell_at(cells: Sequence, columns: dict[str, int], field: str):
    index = columns.get(field)
    return cells[index] if index is not None and index < len(cells) else None


def texts(cells: Iterable) -> list[str]:
    return [text for text in (cell_text(c) for c in cells) if text]


def is_note_line(cells: Sequence, key: str) -> bool:
    """A signature or note line: its first text starts with a note word (制表人：…) and
    the key column (ID number, credit code) holds nothing but such text. A data row
    always has its key, so none is ever taken for a note."""
    found = texts(cells)
    if not found or not NOTE_LINE.match(found[0]):
        return False
    return not key or bool(NOTE_LINE.match(key))


def data_rows(
    table: Sequence[Sequence], header_index: int, columns: dict[str, int], key_field: str
) -> tuple[list[tuple[int, list]], list[tuple[int, str]]]:
    """The rows under the header as (Excel row number, cells), without blank separator
    rows; and the signature and note lines under the table as (row number, text).

    Once a note line is seen, the lines that continue it (numbered remarks) have no key
    either and are notes too; any row with a key is still read as data, strictly."""
    rows: list[tuple[int, list]] = []
    notes: list[tuple[int, str]] = []
    in_notes = False
    for offset, cells in enumerate(table[header_index + 1 :]):
        number = header_index + 2 + offset
        if not texts(cells):
            continue
        key = cell_text(cell_at(cells, columns, key_field))
        if is_note_line(cells, key):
            in_notes = True
        elif not (in_notes and not key):
            rows.append((number, list(cells)))
            continue
        notes.append((number, " ".join(texts(cells))[:200]))
    if not rows:
        raise ValidationFailed(MSG_EMPTY, field="file", code=CoreErrorCode.EXCEL_EMPTY)
    return rows, notes


def workbook(
    headers: Sequence[str], rows: Iterable[Sequence], *, sheet: str = "Sheet1", notes=()
) -> bytes:
    """An xlsx: a bold header, then the rows; `notes` (how to fill it in) go on a second
    sheet, so the first stays a clean table to import back. Text is written as text (a
    credit code or a value starting with "=" never becomes a number or a formula)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    page = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    page.write_row(0, 0, list(headers), bold)
    page.set_column(0, len(headers) - 1, 20)
    for line, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, str):
                page.write_string(line, column, value)
            elif value is not None:
                page.write(line, column, value)
    if notes:
        help_page = book.add_worksheet(str(_("填写说明")))
        help_page.set_column(0, 0, 100)
        for offset, line in enumerate(notes):
            help_page.write_string(offset, 0, line)
    book.close()
    return buffer.getvalue()


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
