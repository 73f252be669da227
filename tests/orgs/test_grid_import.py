"""A street setting up its grids from Excel: grid → buildings → addresses, all or
nothing with a row-by-row report, the same sheet twice changes nothing, scope."""

import io

import openpyxl
import pytest
from django.urls import reverse

from jiceng.core.errors import NotFound
from jiceng.core.models import Area, AuditEntry, StandardAddress
from jiceng.orgs.grid_imports import MSG_NAME_CLASH, grid_import

HEADER = ["所在社区", "网格编号", "网格名称", "楼栋编号", "楼栋名称", "标准地址"]


def sheet(rows: list[list], *, footer=()) -> bytes:
    book = openpyxl.Workbook()
    page = book.active
    page.append(["湖南路街道网格划分表"])
    page.append(HEADER)
    for row in [*rows, *footer]:
        page.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROWS = [
    ["武康路社区居委会", "001", "武康一网格", "001", "武康路100弄1号楼", "武康路100弄1号"],
    ["武康路社区居委会", "001", "武康一网格", "001", "武康路100弄1号楼", "武康路100弄1号甲"],
    ["武康路社区居委会", "1", "武康一网格", "002", "武康路100弄2号楼", "武康路100弄2号"],
    [],
    ["武康路社区居委会", "002", "武康二网格", "", "", ""],
    ["复兴西路社区居委会", "001", "第一网格", "001", "复兴西路1号", "复兴西路1号"],
]
SIGNED = [["制表人：王芳", None, "审核人：李明"]]


@pytest.fixture
def staff(territory):
    return territory.users["xh_s1_staff"]


def test_grids_buildings_and_addresses_are_created_once(territory, staff):
    street = territory.areas["xh_s1"]
    report = grid_import(actor=staff, area=street, data=sheet(ROWS, footer=SIGNED))
    assert report.ok, report.errors
    # 复兴西路's first grid exists already (the fixture's 第一网格): reused, not created.
    assert (report.grids, report.buildings, report.addresses) == (2, 3, 4)
    assert [row for row, _ in report.notes] == [9]
    c2 = territory.areas["xh_c2"]
    grid = Area.objects.get(code=c2.code + "001")
    assert grid.name == "武康一网格" and grid.parent == c2 and grid.level == "grid"
    building = Area.objects.get(code=grid.code + "001")
    assert building.level == "building" and building.parent == grid
    addresses = StandardAddress.objects.filter(building=building).values_list("text", flat=True)
    assert sorted(addresses) == ["武康路100弄1号", "武康路100弄1号甲"]
    old_grid = territory.areas["xh_g1"]
    assert Area.objects.get(code=old_grid.code + "001").parent == old_grid
    counts = Area.objects.count(), StandardAddress.objects.count(), AuditEntry.objects.count()
    again = grid_import(actor=staff, area=street, data=sheet(ROWS, footer=SIGNED))
    assert again.ok and again.created == 0 and again.unchanged == 5
    assert (Area.objects.count(), StandardAddress.objects.count(), AuditEntry.objects.count()) == (
        counts
    )


def test_bad_rows_are_reported_and_nothing_is_written(territory, staff):
    rows = [
        *ROWS,
        ["东平路社区居委会", "001", "外街网格", "", "", ""],
        ["武康路社区居委会", "0001", "编号错", "", "", ""],
        ["武康路社区居委会", "001", "另一个名字", "", "", ""],
        ["武康路社区居委会", "003", "", "", "", ""],
        ["武康路社区居委会", "003", "武康三网格", "", "", "湖南路1号"],
        ["武康路社区居委会", "002", "武康二网格", "001", "湖南路2号", "武康路100弄1号"],
        ["", "004", "武康四网格", "", "", ""],
    ]
    before = Area.objects.count(), StandardAddress.objects.count(), AuditEntry.objects.count()
    report = grid_import(actor=staff, area=territory.areas["xh_s1"], data=sheet(rows))
    assert [(e.row, e.column) for e in report.errors] == [
        (9, "所在社区"),
        (10, "网格编号"),
        (11, "网格名称"),
        (12, "网格名称"),
        (13, "楼栋编号"),
        (14, "标准地址"),
        (15, "所在社区"),
    ]
    messages = {e.row: e.message for e in report.errors}
    code = territory.areas["xh_c2"].code + "001"
    assert messages[11] == str(MSG_NAME_CLASH).format(code=code, name="武康一网格")
    assert "第 3 行" in messages[14]
    assert (Area.objects.count(), StandardAddress.objects.count(), AuditEntry.objects.count()) == (
        before
    )


def test_an_address_already_mapped_elsewhere_is_refused(territory, staff):
    grid_import(actor=staff, area=territory.areas["xh_s1"], data=sheet(ROWS))
    moved = [["武康路社区居委会", "002", "武康二网格", "001", "武康路200号", "武康路100弄1号"]]
    report = grid_import(actor=staff, area=territory.areas["xh_s1"], data=sheet(moved))
    assert [(e.row, e.column) for e in report.errors] == [(3, "标准地址")]


def test_scope_community_and_street(territory):
    with pytest.raises(NotFound):
        grid_import(
            actor=territory.users["xh_c1_secretary"],
            area=territory.areas["xh_s1"],
            data=sheet(ROWS),
        )
    with pytest.raises(NotFound):
        grid_import(
            actor=territory.users["hp_s1_staff"], area=territory.areas["xh_s1"], data=sheet(ROWS)
        )
    # A community imports its own grids; rows naming another community are refused.
    report = grid_import(
        actor=territory.users["xh_c1_secretary"], area=territory.areas["xh_c1"], data=sheet(ROWS)
    )
    assert {e.column for e in report.errors} == {"所在社区"}
    assert not Area.objects.filter(name="武康一网格").exists()


def test_grid_import_page_and_api(client, territory, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    url = reverse("orgs:grid_import")
    assert client.get(url).status_code == 200
    assert client.get(reverse("orgs:grid_import_template")).status_code == 200
    upload = SimpleUploadedFile("网格.xlsx", sheet(ROWS))
    page = client.post(url, {"area": territory.areas["xh_s1"].pk, "file": upload})
    assert page.status_code == 200 and page.context["report"].grids == 2
    upload = SimpleUploadedFile("网格.xlsx", sheet(ROWS))
    api = client.post("/api/grids/import", {"area": territory.areas["xh_s1"].pk, "file": upload})
    assert api.status_code == 200
    assert api.json()["ok"] and api.json()["unchanged"] == 5
    assert client.get("/api/grids/import-template").status_code == 200
