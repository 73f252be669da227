"""Roster import: real-world variants, row-by-row report, all-or-nothing, idempotent,
and refusal of hostile or broken files."""

import datetime
import io
import zipfile

import openpyxl
import pytest
import xlsxwriter

from jiceng.core.errors import NotFound, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.members.imports import member_import
from jiceng.members.models import Member, MemberEvent, Membership
from tests.members.factories import id_number


def workbook(rows: list[list], header: list[str] | None = None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    header = header or [
        "姓名",
        "公民身份号码",
        "民族",
        "文化程度",
        "入党时间",
        "转正时间",
        "人员类别",
        "联系电话",
    ]
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date)
            else:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


@pytest.fixture
def actor(territory):
    return territory.users["xh_c1_secretary"]


@pytest.fixture
def org(territory):
    return territory.orgs["xh_c1_b1"]


def good_rows():
    zhang = id_number(datetime.date(1960, 5, 1))
    li = full_width(id_number(datetime.date(1990, 3, 9), gender="female"))
    wang = id_number(datetime.date(2001, 1, 1), gender="female")
    return [
        ["张 伟", zhang, "汉", "大专", datetime.date(1985, 7, 1), "1986.07.01", "退休",
         "13812345678"],
        ["李娜", li, "回族", "本科", "2012年7月1日", "2013/7/1", "在职", "139 1234 5678"],
        ["王芳", wang, "汉族", "大学本科", 45108, "", "学生", ""],
    ]  # fmt: skip


def test_a_real_roster_imports_with_events_and_one_audit_entry(actor, org):
    report = member_import(actor=actor, org=org, data=workbook(good_rows()), filename="花名册.xlsx")
    assert report.ok, report.errors
    assert (report.rows, report.created, report.unchanged) == (3, 3, 0)
    members = {m.name: m for m in Member.objects.all()}
    assert set(members) == {"张伟", "李娜", "王芳"}
    assert members["张伟"].category == "retired" and members["张伟"].education == "college"
    assert members["李娜"].gender == "female" and members["李娜"].ethnicity == "回族"
    assert members["王芳"].status == "probationary"  # no date of full membership
    assert members["王芳"].joined_on == datetime.date(2023, 7, 1)  # Excel serial 45108
    assert Membership.objects.count() == 3 and MemberEvent.objects.count() == 3
    entry = AuditEntry.objects.get(action="bulk_create", target_type="orgs.partyorg")
    assert entry.changes["created"] == 3
    assert "13812345678" not in str(entry.changes)


def test_the_same_file_twice_changes_nothing(actor, org):
    data = workbook(good_rows())
    member_import(actor=actor, org=org, data=data)
    counts = (Member.objects.count(), AuditEntry.objects.count(), MemberEvent.objects.count())
    again = member_import(actor=actor, org=org, data=data)
    assert again.ok and (again.created, again.unchanged) == (0, 3)
    assert (
        Member.objects.count(),
        AuditEntry.objects.count(),
        MemberEvent.objects.count(),
    ) == counts


def test_bad_rows_are_reported_and_nothing_is_written(actor, org):
    rows = good_rows()
    rows.append(
        ["赵六", "310104198506010011", "汉族", "本科", "2010-07-01", "2011-07-01", "在职", ""]
    )
    rows.append(["孙七", id_number(), "汉族", "博士后", "2010-07-01", "2011-07-01", "在职", ""])
    rows.append(["周八", id_number(), "汉族", "本科", "去年", "", "在职", ""])
    rows.append(["吴九", rows[0][1], "汉族", "本科", "2010-07-01", "2011-07-01", "在职", ""])
    report = member_import(actor=actor, org=org, data=workbook(rows))
    assert not report.ok
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(5, "公民身份号码"), (6, "文化程度"), (7, "入党时间"), (8, "公民身份号码")}
    messages = {e.row: e.message for e in report.errors}
    assert "校验位" in messages[5] and "第 2 行" in messages[8]
    assert (
        Member.objects.count() == 0 and AuditEntry.objects.filter(action="bulk_create").count() == 0
    )


def test_someone_in_another_org_points_to_a_transfer(territory, actor, org):
    rows = good_rows()
    member_import(
        actor=territory.users["xh_unit_secretary"],
        org=territory.orgs["xh_unit_org"],
        data=workbook(rows[:1]),
    )
    report = member_import(actor=actor, org=org, data=workbook(rows))
    assert [e.row for e in report.errors] == [2]
    assert "组织关系转接" in report.errors[0].message
    assert Member.objects.count() == 1


def test_an_org_out_of_scope_is_not_found(territory, actor):
    with pytest.raises(NotFound):
        member_import(actor=actor, org=territory.orgs["hp_c1_b"], data=workbook(good_rows()))


def test_missing_required_column_is_named(actor, org):
    data = workbook([["张伟", "汉族"]], header=["姓名", "民族"])
    with pytest.raises(ValidationFailed) as error:
        member_import(actor=actor, org=org, data=data)
    assert "身份证号" in str(error.value.message) and error.value.field == "file"


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "不是 Excel"),
        ("姓名,身份证号\n张伟,1\n".encode(), "不是 Excel"),
        (b"PK\x03\x04broken", "不是 Excel"),
        (_zip({"hello.txt": b"hi"}), "不是 Excel"),
        (
            _zip(
                {
                    "xl/workbook.xml": b"<workbook/>",
                    "xl/worksheets/sheet1.xml": b"0" * (3 * 1024 * 1024),
                }
            ),
            "异常庞大",
        ),
    ],
)
def test_hostile_files_are_refused_clearly(actor, org, data, message):
    with pytest.raises(ValidationFailed) as error:
        member_import(actor=actor, org=org, data=data)
    assert message in str(error.value.message) and error.value.field == "file"
    assert Member.objects.count() == 0


def test_formulas_are_refused(actor, org):
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "入党日期"])
    sheet.append(["张伟", '=CONCAT("3101","04")', "2010-07-01"])
    book.save(buffer)
    with pytest.raises(ValidationFailed) as error:
        member_import(actor=actor, org=org, data=buffer.getvalue())
    assert "公式" in str(error.value.message)


def test_a_million_rows_are_refused_from_the_declared_size(actor, org):
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:C1000001"/><sheetData/></worksheet>'
    )
    data = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": sheet})
    with pytest.raises(ValidationFailed) as error:
        member_import(actor=actor, org=org, data=data)
    assert "20万" in str(error.value.message)
