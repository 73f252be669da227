"""Workbooks and CSV text that leave the platform: text is written as text, never as a
formula (OWASP "CSV injection"). Every export builds its workbook with `workbook()`.

xlsxwriter turns a string beginning with "=" into a live formula unless told otherwise,
and a cell holding "+1+cmd|…" or "@SUM(…)" becomes one as soon as someone saves the
sheet as CSV and opens it again; Excel and WPS also read a leading tab or carriage
return past. So text that begins with one of those characters is prefixed with an
apostrophe, and the workbook is opened with `strings_to_formulas`, `strings_to_numbers`
and `strings_to_urls` off.
"""

import io
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

# What a spreadsheet reads as the start of a formula, or skips to find one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text as a spreadsheet or CSV reader must show it: an apostrophe before a leading
    formula character, everything else unchanged."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values: list[Any]) -> list[Any]:
    """`safe_text` over a CSV row; numbers and dates pass through."""
    return [safe_text(v) if isinstance(v, str) else v for v in values]


class TextWorksheet(Worksheet):
    """A worksheet on which every string passes through `safe_text`. `write`,
    `write_row`, `write_column` and `write_string` all end in `_write_string`, so this
    one override covers each of them."""

    def _write_string(self, row, col, string, cell_format=None):
        return super()._write_string(row, col, safe_text(string), cell_format)


class TextWorkbook(xlsxwriter.Workbook):
    worksheet_class = TextWorksheet


def workbook(buffer: io.BytesIO, **options: Any) -> xlsxwriter.Workbook:
    """An in-memory workbook whose text stays text."""
    settings = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        **options,
    }
    return TextWorkbook(buffer, settings)
