"""Rosters as people keep them: a title above the header, blank separator rows, landline
and extension numbers as contact phones, and the signature and note lines under the
table (制表人、审核人、填表日期、备注), which are skipped and listed, never refused.
Everything else stays as strict as before."""

import datetime
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiceng.core import crypto
from jiceng.core.errors import ValidationFailed
from jiceng.core.masking import mask_phone
from jiceng.core.validators import MSG_CONTACT_PHONE, validate_contact_phone
from jiceng.members.imports import member_import
from jiceng.members.models import Member
from tests.members.factories import id_number

HEADER = [
    "序号", "姓名", "性别", "公民身份号码", "文化程度",
    "入党时间", "转正时间", "人员类别", "联系电话",
]  # fmt: skip


def roster(rows: list[list], *, footer: list[list] = (), title: bool = True) -> bytes:
    """A sheet as a community keeps it in WPS: merged title, a line naming the org and
    date, the header, members with blank rows between groups, then the signatures."""
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append(["复兴西路社区第一党支部党员花名册"])
        sheet.merge_cells("A1:I1")
        sheet.append(["填报单位：复兴西路社区第一党支部", None, None, None, "填报日期：2026年11月"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for row in footer:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def member_row(n: int, name: str, phone, *, birth=datetime.date(1950, 3, 1)) -> list:
    return [n, name, "男", id_number(birth), "高中", "1975-07-01", "1976-07-01", "退休", phone]


SIGNATURES = [
    [],
    ["制表人：王芳", None, None, "审核人：李明", None, None, "填表日期：2026年11月30日"],
    ["备注：1. 人员类别填写在职、退休、学生等；"],
    [None, "2. 联系电话可填固定电话。"],
    ["制表人", "王芳", None, "审核人", "李明"],
]


@pytest.fixture
def actor(territory):
    return territory.users["xh_c1_secretary"]


@pytest.fixture
def org(territory):
    return territory.orgs["xh_c1_b1"]


def test_a_roster_with_title_blank_rows_landlines_and_signatures_imports(actor, org):
    rows = [
        member_row(1, "张建国", "021-64871234"),
        member_row(2, "陈秀英", 64871235),  # a number cell, as Excel keeps it
        [],
        member_row(3, "刘德华", "021-64871234-802"),
        member_row(4, "周敏", "(021)64871236"),
        [None] * 9,
        member_row(5, "吴强", "13812345678"),
    ]
    report = member_import(actor=actor, org=org, data=roster(rows, footer=SIGNATURES))
    assert report.ok, report.errors
    assert (report.rows, report.created) == (5, 5)
    assert [row for row, _text in report.notes] == [12, 13, 14, 15]
    assert "制表人" in report.notes[0][1] and "王芳" in report.notes[0][1]
    assert "备注" in report.notes[1][1]
    phones = {m.name: crypto.decrypt(m.phone_encrypted) for m in Member.objects.filter(org=org)}
    assert phones == {
        "张建国": "021-64871234",
        "陈秀英": "64871235",
        "刘德华": "021-64871234-802",
        "周敏": "021-64871236",
        "吴强": "13812345678",
    }
    # The same file again: nothing new, the signature lines skipped again.
    again = member_import(actor=actor, org=org, data=roster(rows, footer=SIGNATURES))
    assert again.ok and (again.created, again.unchanged) == (0, 5)


@pytest.mark.parametrize("phone", ["021-0487123", "12345", "1381234567", "021-64871234-1234567"])
def test_a_wrong_phone_is_still_refused_and_nothing_is_written(actor, org, phone):
    rows = [member_row(1, "张建国", "021-64871234"), member_row(2, "陈秀英", phone)]
    report = member_import(actor=actor, org=org, data=roster(rows, footer=SIGNATURES))
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (5, "联系电话", str(MSG_CONTACT_PHONE))
    ]
    assert Member.objects.count() == 0


def test_a_member_row_after_the_signatures_is_still_read_strictly(actor, org):
    """Only lines without an ID number count as notes: a person written under the
    signatures is read, and refused when wrong, not silently dropped."""
    late = member_row(9, "迟到者", "021-64871234")
    late[3] = late[3][:17] + ("0" if late[3][17] != "0" else "1")  # wrong check digit
    report = member_import(
        actor=actor,
        org=org,
        data=roster([member_row(1, "张建国", "")], footer=[*SIGNATURES, late]),
    )
    assert [(e.row, e.column) for e in report.errors] == [(10, "公民身份号码")]
    assert Member.objects.count() == 0


def test_a_row_with_a_name_and_no_id_number_before_the_signatures_is_refused(actor, org):
    rows = [member_row(1, "张建国", ""), [2, "李四", "男", "", "高中", "1975-07-01", "", "退休"]]
    report = member_import(actor=actor, org=org, data=roster(rows, footer=SIGNATURES))
    assert [(e.row, e.column) for e in report.errors] == [(5, "公民身份号码")]


def test_a_file_of_signatures_only_has_no_data_rows(actor, org):
    with pytest.raises(ValidationFailed):
        member_import(actor=actor, org=org, data=roster([], footer=SIGNATURES))


@pytest.mark.parametrize(
    "text, normalized, masked",
    [
        ("021-64871234", "021-64871234", "021-****1234"),
        ("64871234", "64871234", "****1234"),
        ("021-64871234-802", "021-64871234-802", "021-****1234-802"),
        ("(021)64871234", "021-64871234", "021-****1234"),
        ("（０２１）６４８７１２３４", "021-64871234", "021-****1234"),
        ("0571-8888888", "0571-8888888", "0571-***8888"),
        ("021-64871234转802", "021-64871234-802", "021-****1234-802"),
        ("+86 138-1234-5678", "13812345678", "138****5678"),
    ],
)
def test_contact_phone_forms(text, normalized, masked):
    assert validate_contact_phone(text) == normalized
    assert mask_phone(normalized) == masked


@given(
    area=st.sampled_from(["010", "021", "0571", "0755", ""]),
    number=st.from_regex(r"[2-9][0-9]{6,7}", fullmatch=True),
    extension=st.from_regex(r"[0-9]{1,6}", fullmatch=True) | st.just(""),
)
def test_every_fixed_line_number_round_trips(area, number, extension):
    text = "-".join(p for p in (area, number, extension) if p)
    assert validate_contact_phone(text) == text
    assert validate_contact_phone(validate_contact_phone(text)) == text
    hidden = "*" * (len(number) - 4) + number[-4:]
    assert mask_phone(text) == "-".join(p for p in (area, hidden, extension) if p)


@given(st.text(max_size=20))
def test_contact_phone_accepts_only_phones(text):
    try:
        value = validate_contact_phone(text)
    except ValidationFailed as error:
        assert error.field == "phone"
    else:
        digits = value.replace("-", "")
        assert digits.isdigit() and 7 <= len(digits) <= 21
