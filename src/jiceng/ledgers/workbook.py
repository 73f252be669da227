"""A generated ledger as an xlsx: the header block (title, scope, period, source,
generation time), then the table. The same data and the same generation time give the
same bytes: xlsxwriter stamps every part of the zip with a fixed date, and the document's
creation time is the generation time, never the clock."""

import datetime
import io
from decimal import Decimal

from jiceng.core.xlsx import workbook
from jiceng.ledgers.cells import header_lines, local

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_xlsx(table, progress=None) -> bytes:
    """`progress(done, total)` (a background job's) hears of each row written."""
    buffer = io.BytesIO()
    book = workbook(buffer)
    title_format = book.add_format({"bold": True, "font_size": 14})
    label_format = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    cell = book.add_format({"border": 1, "valign": "top"})
    date_format = book.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
    time_format = book.add_format({"border": 1, "num_format": "yyyy-mm-dd hh:mm"})
    percent_format = book.add_format({"border": 1, "num_format": "0.0%"})
    ledger = table.ledger
    title = str(ledger.title)
    sheet = book.add_worksheet(title[:31])
    sheet.write_string(0, 0, title, title_format)
    lines = header_lines(table)
    for offset, (label, text) in enumerate(lines, start=1):
        sheet.write_string(offset, 0, str(label), label_format)
        sheet.write_string(offset, 1, str(text))
    start = len(lines) + 2
    for col, column in enumerate(ledger.columns):
        sheet.write_string(start, col, str(column.title), head)
        sheet.set_column(col, col, 12 if column.kind != "text" else 20)
    for r, row in enumerate(table.rows, start=start + 1):
        if progress is not None:
            progress(r - start - 1, len(table.rows))
        for c, (value, column) in enumerate(zip(row, ledger.columns, strict=True)):
            if value is None or value == "":
                sheet.write_blank(r, c, None, cell)
            elif isinstance(value, bool):
                sheet.write_string(r, c, "是" if value else "否", cell)
            elif isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, local(value).replace(tzinfo=None), time_format)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(
                    r, c, datetime.datetime.combine(value, datetime.time()), date_format
                )
            elif isinstance(value, int | float | Decimal):
                fmt = percent_format if column.kind == "percent" else cell
                sheet.write_number(r, c, float(value), fmt)
            else:
                sheet.write_string(r, c, str(value), cell)
    sheet.freeze_panes(start + 1, 0)
    sheet.set_landscape()
    sheet.repeat_rows(start)
    sheet.fit_to_pages(1, 0)
    when = table.generated_at.astimezone(datetime.UTC).replace(tzinfo=None)
    book.set_properties(
        {
            "title": title,
            "subject": header_lines(table)[0][1],
            "author": "jiceng",
            "comments": table.source,
            "created": when,
        }
    )
    book.close()
    return buffer.getvalue()


def filename(table) -> str:
    subject = table.subject
    node = f"org{subject.code}" if subject.org is not None else subject.code
    period = f"-{subject.period.text}" if table.ledger.takes_period else ""
    return f"ledger-{table.ledger.key}-{node}{period}.xlsx"
