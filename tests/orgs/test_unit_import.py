"""Units as streets receive them: the market regulator's list of newly registered
enterprises and the street's own registry. Credit codes validated, all or nothing with
a row-by-row report, the same list twice changes nothing, new units flagged for the
follow-up; the template, the export (which imports back unchanged), the page and the API."""

import datetime
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.core.errors import NotFound, ValidationFailed
from jiceng.core.excel import read_table
from jiceng.core.models import AuditEntry, Job
from jiceng.core.validators import MSG_USCC_CHECK, uscc_check_character
from jiceng.orgs.models import Unit
from jiceng.orgs.selectors import coverage_summary, unit_list
from jiceng.orgs.unit_imports import MSG_ELSEWHERE, unit_export, unit_import, unit_template
from tests.core.test_jobs import run_jobs


def code(serial: str, prefix: str = "91310104MA1FM") -> str:
    body = f"{prefix}{serial}"
    return body + uscc_check_character(body)


def sheet(rows: list[list], header: list[str], *, title: str | None = None, footer=()) -> bytes:
    book = openpyxl.Workbook()
    page = book.active
    if title:
        page.append([title])
    page.append(header)
    for row in [*rows, *footer]:
        page.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# The regulator's list: its own column names, kinds as 企业类型, no counts, no community.
REGULATOR_HEADER = [
    "序号",
    "统一社会信用代码",
    "企业名称",
    "法定代表人",
    "企业类型",
    "成立日期",
    "住所",
]


def regulator_list() -> bytes:
    rows = [
        [1, code("0001"), "上海衡山咖啡有限公司", "张三", "有限责任公司（自然人投资或控股）",
         "2026-11-02", "徐汇区衡山路1号"],
        [2, code("0002"), "上海徐汇城市更新集团有限公司", "李四", "有限责任公司（国有独资）",
         "2026-11-03", "徐汇区湖南路2号"],
        [3, code("0003", "92310104MA1FM"), "徐汇区王记面馆", "王五", "个体工商户",
         "2026-11-04", "徐汇区武康路3号"],
    ]  # fmt: skip
    footer = [[], ["制表人：市场监管所 陈红", None, "填表日期：2026年11月30日"]]
    return sheet(rows, REGULATOR_HEADER, title="2026年11月新设立市场主体名录", footer=footer)


@pytest.fixture
def staff(territory):
    return territory.users["xh_s1_staff"]


def test_the_regulators_list_imports_and_flags_new_units(territory, staff):
    street = territory.areas["xh_s1"]
    before = coverage_summary(viewer=staff, area=street).new_uncovered
    report = unit_import(actor=staff, area=street, data=regulator_list(), filename="名录.xlsx")
    assert report.ok, report.errors
    assert (report.rows, report.created, report.unchanged) == (3, 3, 0)
    assert [row for row, _ in report.notes] == [7]
    units = {u.uscc: u for u in Unit.objects.filter(uscc__in=[c for _n, c in report.new_units])}
    kinds = sorted(u.kind for u in units.values())
    assert kinds == ["other", "private_enterprise", "state_enterprise"]
    assert all(u.area == street and u.coverage == "uncovered" for u in units.values())
    assert report.follow_up_until == timezone.localdate() + datetime.timedelta(days=30)
    assert coverage_summary(viewer=staff, area=street).new_uncovered == before + 3
    entry = AuditEntry.objects.get(action="bulk_create", target_type="core.area")
    assert entry.changes["import"] == "units" and entry.changes["created"] == 3


def test_the_same_list_twice_changes_nothing(territory, staff):
    street = territory.areas["xh_s1"]
    unit_import(actor=staff, area=street, data=regulator_list())
    counts = Unit.objects.count(), AuditEntry.objects.count()
    again = unit_import(actor=staff, area=street, data=regulator_list())
    assert again.ok and (again.created, again.unchanged) == (0, 3)
    assert (Unit.objects.count(), AuditEntry.objects.count()) == counts


def test_a_street_registry_places_units_in_communities(territory, staff):
    header = [
        "统一社会信用代码",
        "单位名称",
        "地址",
        "单位类别",
        "从业人员数",
        "正式党员数",
        "所在社区",
    ]
    rows = [
        [code("0011"), "上海武康设计有限公司", "武康路9号", "非公企业", 30, 3, "武康路社区居委会"],
        [code("0012", "52310104MA1FM"), "徐汇区邻里互助中心", "", "", "8", "", ""],
    ]
    report = unit_import(actor=staff, area=territory.areas["xh_s1"], data=sheet(rows, header))
    assert report.ok, report.errors
    design = Unit.objects.get(uscc=rows[0][0])
    assert design.area == territory.areas["xh_c2"] and design.formal_members == 3
    assert design.must_form_own_org
    centre = Unit.objects.get(uscc=rows[1][0])
    assert centre.kind == "social_organization" and centre.employees == 8


def test_every_bad_row_is_reported_and_nothing_is_written(territory, staff):
    header = ["统一社会信用代码", "单位名称", "单位类别", "从业人员数", "正式党员数", "所在社区"]
    good = code("0021")
    rows = [
        [good, "上海好单位有限公司", "", 10, 1, ""],
        [good[:17] + ("0" if good[17] != "0" else "1"), "校验位错", "", 1, 0, ""],
        [code("0022"), "", "", 1, 0, ""],
        [code("0023"), "类别不明", "太空站", 1, 0, ""],
        [code("0024"), "人数不对", "", "十个", 0, ""],
        [code("0025"), "党员多于员工", "", 2, 5, ""],
        [code("0026"), "社区不对", "", 2, 0, "东平路社区居委会"],
        [good, "重复", "", 1, 0, ""],
        [territory.units["hp_plain"].uscc, "他区单位", "", 1, 0, ""],
    ]
    before = Unit.objects.count(), AuditEntry.objects.count()
    report = unit_import(actor=staff, area=territory.areas["xh_s1"], data=sheet(rows, header))
    found = [(e.row, e.column) for e in report.errors]
    assert found == [
        (3, "统一社会信用代码"),
        (4, "单位名称"),
        (5, "单位类别"),
        (6, "从业人员数"),
        (7, "正式党员数"),
        (8, "所在社区"),
        (9, "统一社会信用代码"),
        (10, "统一社会信用代码"),
    ]
    messages = {e.row: e.message for e in report.errors}
    assert messages[3] == str(MSG_USCC_CHECK) and "第 2 行" in messages[9]
    assert messages[10] == str(MSG_ELSEWHERE) and "天平路" not in messages[10]
    assert (Unit.objects.count(), AuditEntry.objects.count()) == before


def test_import_scope(territory):
    """A community secretary imports into their own community only; a street cannot
    import into another street."""
    data = regulator_list()
    with pytest.raises(NotFound):
        unit_import(
            actor=territory.users["xh_c1_secretary"], area=territory.areas["xh_c3"], data=data
        )
    with pytest.raises(NotFound):
        unit_import(actor=territory.users["xh_s1_staff"], area=territory.areas["hp_s1"], data=data)
    with pytest.raises(ValidationFailed) as error:
        unit_import(actor=territory.users["xh_s1_staff"], area=territory.areas["xh_g1"], data=data)
    assert error.value.field == "area"
    assert Unit.objects.filter(name="上海衡山咖啡有限公司").count() == 0


def test_template_and_export_share_the_columns_and_the_export_imports_back(territory, staff):
    template = read_table(unit_template())
    street = territory.areas["xh_s1"]
    content, count = unit_export(actor=staff, area=street)
    exported = read_table(content)
    assert exported[0] == template[0]
    assert count == len(unit_list(viewer=staff, area=street)) == len(exported) - 1
    assert AuditEntry.objects.filter(action="export", target_id=str(street.pk)).exists()
    # Credit codes stay text, and each unit's community is named.
    assert {row[0] for row in exported[1:]} == {
        u.uscc for u in unit_list(viewer=staff, area=street)
    }
    report = unit_import(actor=staff, area=street, data=content)
    assert report.ok and (report.created, report.unchanged) == (0, count)


def test_import_page_and_refusals(client, territory, staff):
    client.force_login(staff)
    url = reverse("orgs:unit_import")
    assert client.get(url).status_code == 200
    template = client.get(reverse("orgs:unit_import_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd")
    no_file = client.post(url, {"area": territory.areas["xh_s1"].pk})
    assert no_file.status_code == 422 and "file" in no_file.context["form"].errors
    not_excel = client.post(
        url,
        {"area": territory.areas["xh_s1"].pk, "file": _upload(b"not a workbook", "a.xlsx")},
    )
    assert not_excel.status_code == 422 and "file" in not_excel.context["form"].errors
    outside = client.post(
        url, {"area": territory.areas["hp_s1"].pk, "file": _upload(regulator_list())}
    )
    assert outside.status_code == 422 and "area" in outside.context["form"].errors
    done = client.post(
        url, {"area": territory.areas["xh_s1"].pk, "file": _upload(regulator_list())}
    )
    assert done.status_code == 200 and done.context["report"].created == 3
    assert "新登记未覆盖" in done.content.decode()
    export = client.post(reverse("orgs:unit_export") + f"?area={territory.areas['xh_s1'].pk}")
    assert export.status_code == 302 and export["Location"].startswith("/jobs/")


def test_import_through_the_api(client, territory, staff):
    client.force_login(staff)
    response = client.post(
        "/api/units/import",
        {"area": territory.areas["xh_s1"].pk, "file": _upload(regulator_list())},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] and body["created"] == 3 and len(body["new_units"]) == 3
    assert body["notes"] == [{"row": 7, "text": body["notes"][0]["text"]}]
    again = client.post(
        "/api/units/import",
        {"area": territory.areas["xh_s1"].pk, "file": _upload(regulator_list())},
    ).json()
    assert (again["created"], again["unchanged"]) == (0, 3)
    outside = client.post(
        "/api/units/import",
        {"area": territory.areas["hp_s1"].pk, "file": _upload(regulator_list())},
    )
    assert outside.status_code == 404
    assert outside.json() == {"code": "not_found", "message": "未找到或无权查看", "field": None}
    broken = client.post(
        "/api/units/import",
        {"area": territory.areas["xh_s1"].pk, "file": _upload(b"PK nothing", "x.xlsx")},
    )
    assert broken.status_code == 400 and broken.json()["field"] == "file"
    assert client.get("/api/units/import-template").status_code == 200
    assert client.get(f"/api/units/export?area={territory.areas['xh_s1'].pk}").status_code == 200


def _upload(data: bytes, name: str = "名录.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_export_is_a_job_on_the_page_and_in_the_api(transactional_db, client, territory):
    """The units page and POST /api/units/exports submit the same job, whose file is the
    one-request export's, audited when the job makes it; outside the territory, 404."""
    staff = territory.users["xh_s1_staff"]
    street = territory.areas["xh_s1"]
    client.force_login(staff)
    page_url = reverse("orgs:unit_export") + f"?area={street.pk}"
    assert reverse("orgs:unit_export") in client.get(reverse("orgs:unit_list")).content.decode()
    assert client.get(page_url).status_code == 405  # starting a job is a POST
    assert (
        client.post(
            reverse("orgs:unit_export") + "?area=" + str(territory.areas["hp_s1"].pk)
        ).status_code
        == 404
    )
    outside = client.post(
        "/api/units/exports", {"area": territory.areas["hp_s1"].pk}, content_type="application/json"
    )
    assert outside.status_code == 404 and outside.json()["code"] == "not_found"
    huge = client.post("/api/units/exports", {"area": 2**64}, content_type="application/json")
    assert huge.status_code in (400, 422) and huge.json()["field"] == "area"
    assert not Job.objects.exists()
    from_page = client.post(page_url)
    submitted = client.post(
        "/api/units/exports", {"area": street.pk}, content_type="application/json"
    )
    assert submitted.status_code == 202 and submitted.json()["kind"] == "orgs.unit_export"
    assert not AuditEntry.objects.filter(action="export").exists()
    run_jobs()
    status = client.get(f"/api/jobs/{submitted.json()['id']}").json()
    count = len(unit_list(viewer=staff, area=street))
    assert status["state"] == "succeeded" and status["outcome"] == {"units": count}
    assert status["done"] == status["total"] == count
    fetched = client.get(status["result_url"])
    assert quote("驻区单位-湖南路街道-") in fetched["Content-Disposition"]
    content = b"".join(fetched.streaming_content)
    assert read_table(content) == read_table(
        client.get(f"/api/units/export?area={street.pk}").content
    )
    page = client.get(from_page["Location"]).content.decode()
    assert "已完成" in page
    assert AuditEntry.objects.filter(action="export", target_id=str(street.pk)).count() == 3
