"""Exports of the register: in scope only, masked unless the exporter keeps the records,
audited; the template and statistics workbooks."""

import io

import openpyxl
from django.urls import reverse

from jiceng.core.models import AuditEntry
from jiceng.members import services
from jiceng.members.exports import member_export, template_workbook
from tests.members.factories import facts


def _rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(min_row=2, values_only=True))


def test_export_holds_the_scope_and_masks_for_onlookers(territory):
    keeper = territory.users["xh_c1_secretary"]
    member = services.member_register(actor=keeper, org=territory.orgs["xh_c1_b1"], facts=facts())
    services.member_register(
        actor=territory.users["hp_s1_staff"],
        org=territory.orgs["hp_c1_b"],
        facts=facts(name="钱七"),
    )
    number = services.member_reveal(actor=keeper, member=member, field="id_number")
    content, count = member_export(actor=keeper, area=territory.areas["xh_c1"])
    rows = _rows(content)
    assert count == 1 and [r[0] for r in rows] == [member.name]
    assert rows[0][4] == number  # the keeper exports full numbers
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.changes == {"export": "members", "rows": 1, "full": 1, "masked": 0}
    # The city admin sees both, and the keeper rule still applies per record.
    content, count = member_export(actor=territory.users["city_admin"])
    assert count == 2


def test_export_page_and_404_out_of_scope(client, territory):
    keeper = territory.users["xh_c1_secretary"]
    services.member_register(actor=keeper, org=territory.orgs["xh_c1_b1"], facts=facts())
    client.force_login(keeper)
    response = client.get(reverse("members:export"), {"area": territory.areas["xh_c1"].pk})
    assert response.status_code == 200 and "filename*=UTF-8''" in response["Content-Disposition"]
    assert (
        client.get(reverse("members:export"), {"area": territory.areas["hp"].pk}).status_code == 404
    )
    stats = client.get(reverse("members:statistics_export"))
    assert stats.status_code == 200
    client.force_login(territory.users["xh_resident"])
    assert client.get(reverse("members:export")).status_code == 404


def test_template_has_the_columns_and_instructions():
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert book.sheetnames == ["党员名册", "填写说明"]
    header = [c.value for c in book["党员名册"][1]]
    assert header[:5] == ["姓名", "性别", "民族", "出生日期", "身份证号"]


def test_import_page_reports_rows(client, territory):
    from tests.members.test_import import good_rows, workbook

    client.force_login(territory.users["xh_c1_secretary"])
    assert client.get(reverse("members:import")).status_code == 200
    rows = good_rows()
    rows[1][1] = "123"
    upload = io.BytesIO(workbook(rows))
    upload.name = "名册.xlsx"
    response = client.post(
        reverse("members:import"), {"org": territory.orgs["xh_c1_b1"].pk, "file": upload}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "身份证号应为18位" in html and "公民身份号码" in html
    bad = io.BytesIO(b"not a spreadsheet")
    bad.name = "x.xlsx"
    response = client.post(
        reverse("members:import"), {"org": territory.orgs["xh_c1_b1"].pk, "file": bad}
    )
    assert "不是 Excel" in response.content.decode()


def test_a_register_longer_than_a_worksheet_continues_on_the_next(territory, monkeypatch):
    """Excel stops at 1,048,576 rows and xlsxwriter drops further rows silently; a city's
    register is longer, so it goes on in further sheets. The sheet size is lowered here
    to show the split on five members rather than on a million."""
    from jiceng.members import exports

    monkeypatch.setattr(exports, "ROWS_PER_SHEET", 2)
    keeper = territory.users["xh_c1_secretary"]
    names = ["赵一", "钱二", "孙三", "李四", "周五"]
    for name in names:
        services.member_register(
            actor=keeper,
            org=territory.orgs["xh_c1_b1"],
            facts=facts(name=name),
        )
    content, count = member_export(actor=keeper, area=territory.areas["xh_c1"])
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert count == 5
    assert book.sheetnames == ["党员名册", "党员名册（2）", "党员名册（3）"]
    exported = []
    for sheet in book.worksheets:
        header, *rows = list(sheet.iter_rows(values_only=True))
        assert header[0] == "姓名" and 1 <= len(rows) <= 2
        exported += [row[0] for row in rows]
    assert sorted(exported) == sorted(names)


def test_an_empty_register_still_has_its_header(territory):
    content, count = member_export(
        actor=territory.users["xh_c1_secretary"], area=territory.areas["xh_c1"]
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert count == 0 and book.sheetnames == ["党员名册"]
    assert next(book.active.iter_rows(values_only=True))[0] == "姓名"
