"""The 12345 platform's work-order layout, read from Excel or JSON and written back.

Columns as the city platform exports them (Chinese headers in Excel, English keys in
JSON; either is read in JSON): 工单编号 work_order_number, 来电时间 called_at, 诉求类别
category, 地址 address, 诉求内容 content, 联系电话 phone, and optionally 区划代码
area_code. The export adds the results in the same layout.
"""

import json

from django.utils.translation import gettext_lazy as _

from jiceng.core import excel
from jiceng.integrations.errors import (
    MSG_HOTLINE_FORMAT,
    MSG_HOTLINE_TOO_MANY,
    IntegrationErrorCode,
    invalid,
)

MAX_ORDERS = 5000
MAX_JSON_BYTES = 20 * 1024 * 1024

# field → (Chinese header, JSON key); the order of the columns as the platform sends them.
COLUMNS: dict[str, tuple[str, str]] = {
    "number": ("工单编号", "work_order_number"),
    "called_at": ("来电时间", "called_at"),
    "category": ("诉求类别", "category"),
    "address": ("地址", "address"),
    "content": ("诉求内容", "content"),
    "phone": ("联系电话", "phone"),
    "area_code": ("区划代码", "area_code"),
}
REQUIRED = ("number", "called_at", "category", "address", "content")
# What the export adds: the case's answer, for the platform to take back.
RESULT_COLUMNS: dict[str, tuple[str, str]] = {
    "tracking_code": ("查询码", "tracking_code"),
    "state": ("办理状态", "state"),
    "unit": ("承办单位", "unit"),
    "replied_at": ("答复时间", "replied_at"),
    "reply": ("答复内容", "reply"),
    "closed_at": ("办结时间", "closed_at"),
    "satisfaction": ("满意度", "satisfaction"),
    "unplaced_reason": ("未能定位原因", "unplaced_reason"),
}
LABELS = {field: header for field, (header, _key) in {**COLUMNS, **RESULT_COLUMNS}.items()}
_ALIASES = excel.header_aliases(
    {
        "number": ("工单编号", "工单号", "work_order_number"),
        "called_at": ("来电时间", "called_at"),
        "category": ("诉求类别", "诉求分类", "category"),
        "address": ("地址", "事发地址", "address"),
        "content": ("诉求内容", "content"),
        "phone": ("联系电话", "来电号码", "phone"),
        "area_code": ("区划代码", "area_code"),
    }
)
_KEYS = {key: field for field, (header, key) in COLUMNS.items()} | {
    header: field for field, (header, _key) in COLUMNS.items()
}
MSG_NO_HEADER = _("未找到表头：第一行应为 工单编号、来电时间、诉求类别、地址、诉求内容、联系电话")


def _too_many() -> None:
    raise invalid(MSG_HOTLINE_TOO_MANY, IntegrationErrorCode.HOTLINE_TOO_MANY, "file")


def read_excel(data: bytes) -> list[tuple[int, dict]]:
    """(row number, {field: cell}) for each work order of the sheet."""
    table = excel.read_table(data)
    index, columns, _headers = excel.find_header(
        table, aliases=_ALIASES, required=REQUIRED, labels=LABELS, not_found=MSG_NO_HEADER
    )
    rows, _notes = excel.data_rows(table, index, columns, "number")
    if len(rows) > MAX_ORDERS:
        _too_many()
    return [
        (number, {field: excel.cell_at(cells, columns, field) for field in COLUMNS})
        for number, cells in rows
    ]


def read_json(data: bytes) -> list[tuple[int, dict]]:
    """(position from 1, {field: value}) for each object of a JSON array (or of the array
    under "work_orders"); keys in English or as the Chinese headers."""
    if len(data) > MAX_JSON_BYTES:
        _too_many()
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise invalid(MSG_HOTLINE_FORMAT, IntegrationErrorCode.HOTLINE_FORMAT, "file") from None
    if isinstance(parsed, dict):
        parsed = parsed.get("work_orders")
    if not isinstance(parsed, list) or not all(isinstance(item, dict) for item in parsed):
        raise invalid(MSG_HOTLINE_FORMAT, IntegrationErrorCode.HOTLINE_FORMAT, "file")
    if len(parsed) > MAX_ORDERS:
        _too_many()
    return [
        (position, {_KEYS[key]: value for key, value in item.items() if key in _KEYS})
        for position, item in enumerate(parsed, start=1)
    ]


def read_file(data: bytes, filename: str = "") -> list[tuple[int, dict]]:
    """Excel when the bytes are a zip (xlsx), otherwise JSON."""
    if data.startswith(b"PK") or filename.lower().endswith(".xlsx"):
        return read_excel(data)
    return read_json(data)


def as_json(rows: list[dict]) -> str:
    keys = {field: key for field, (_header, key) in {**COLUMNS, **RESULT_COLUMNS}.items()}
    return json.dumps(
        {"work_orders": [{keys[f]: row.get(f) for f in keys} for row in rows]},
        ensure_ascii=False,
        indent=1,
    )


def as_excel(rows: list[dict]) -> bytes:
    import io

    from jiceng.core.xlsx import workbook

    fields = [*COLUMNS, *RESULT_COLUMNS]
    buffer = io.BytesIO()
    book = workbook(buffer)
    sheet = book.add_worksheet("12345")
    sheet.write_row(0, 0, [LABELS[f] for f in fields])
    for line, row in enumerate(rows, start=1):
        sheet.write_row(line, 0, ["" if row.get(f) is None else str(row.get(f)) for f in fields])
    book.close()
    return buffer.getvalue()
