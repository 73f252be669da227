"""The ledgers page (every ledger the viewer may pull, grouped by app, with the choice of
territory or org and period), the printable page, Excel, and the API twins; query counts
bounded; hostile input refused with the field named."""

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jiceng.core.ledgers import all_ledgers, app_title
from jiceng.core.models import AuditEntry


def test_index_lists_every_ledger_grouped_by_app(client, registered, django_assert_max_num_queries):
    territory, *_ = registered
    client.force_login(territory.users["xh_s1_staff"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("ledgers:index"))
    page = response.content.decode()
    assert response.status_code == 200
    for app in ("members", "orgs", "appeals", "cobuild", "orglife"):
        assert f"<h2>{app_title(app)}</h2>" in page
    assert page.count("data-ledger=") == len(all_ledgers())
    # The viewer's own street is chosen to begin with; the links carry it.
    street = territory.areas["xh_s1"].pk
    assert f"{reverse('ledgers:xlsx', args=['member_register'])}?area={street}" in page


def test_index_by_org_marks_area_only_ledgers(client, registered):
    territory, *_ = registered
    client.force_login(territory.users["xh_unit_secretary"])
    page = client.get(reverse("ledgers:index"), {"org": territory.orgs["xh_unit_org"].pk})
    text = page.content.decode()
    assert page.status_code == 200
    assert "只能按区域生成" in text  # e.g. the two coverages by area
    assert f"?org={territory.orgs['xh_unit_org'].pk}" in text


def test_printable_page_has_the_header_block_and_print_css(
    client, registered, django_assert_max_num_queries
):
    territory, *_ = registered
    client.force_login(territory.users["xh_c1_secretary"])
    with django_assert_max_num_queries(20):
        response = client.get(
            reverse("ledgers:ledger", args=["member_register"]),
            {"area": territory.areas["xh_c1"].pk},
        )
    page = response.content.decode()
    assert response.status_code == 200
    for label in ("范围", "期间", "数据来源", "生成时间", "复兴西路社区居委会（310104003001）"):
        assert label in page
    assert "张伟" in page and "138****5678" in page and "data-print" in page
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.changes["format"] == "print" and entry.changes["rows"] == 2


def test_excel_download(client, registered):
    territory, *_ = registered
    client.force_login(territory.users["xh_s1_staff"])
    response = client.get(
        reverse("ledgers:xlsx", args=["units"]), {"area": territory.areas["xh_s1"].pk}
    )
    assert response.status_code == 200
    assert "ledger-units-310104003000.xlsx" in response["Content-Disposition"]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    text = repr(sheet.to_python())
    assert "上海湖南路设计事务所有限公司" in text and "上海天平路洗衣店" not in text


def test_api_list_rows_and_excel(client, registered, django_assert_max_num_queries):
    territory, *_ = registered
    client.force_login(territory.users["xh_c1_secretary"])
    listed = client.get("/api/ledgers").json()
    assert {x["key"] for x in listed} == {x.key for x in all_ledgers()}
    register = next(x for x in listed if x["key"] == "member_register")
    assert register["columns"][4] == {"key": "id_number", "title": "身份证号", "kind": "text"}
    with django_assert_max_num_queries(15):
        response = client.get(
            "/api/ledgers/member_register",
            {"area": territory.areas["xh_c1"].pk, "limit": 1, "offset": 1},
        )
    body = response.json()
    assert body["count"] == 2 and len(body["items"]) == 1
    cells = body["items"][0]["cells"]
    assert "*" in cells["id_number"] and cells["joined_on"] == "2010-07-01"
    assert AuditEntry.objects.filter(action="export").latest("id").changes["format"] == "json"
    download = client.get("/api/ledgers/org_basics/xlsx", {"org": territory.orgs["xh_unit_org"].pk})
    assert download.status_code == 200 and download.content.startswith(b"PK")


@pytest.mark.parametrize("period", ["2026-13", "x" * 5000, "二〇二六", "2026-Q9", "-1"])
def test_hostile_period_refused_with_the_field_named(client, registered, period):
    territory, *_ = registered
    client.force_login(territory.users["xh_c1_secretary"])
    area = territory.areas["xh_c1"].pk
    api = client.get("/api/ledgers/members_joined", {"area": area, "period": period})
    assert api.status_code == 400
    assert api.json()["code"] == "ledger_period" and api.json()["field"] == "period"
    page = client.get(
        reverse("ledgers:ledger", args=["members_joined"]), {"area": area, "period": period}
    )
    assert page.status_code == 400 and "期间格式不对" in page.content.decode()
    index = client.get(reverse("ledgers:index"), {"area": area, "period": period})
    assert index.status_code == 200 and "期间格式不对" in index.content.decode()


def test_nul_in_a_parameter_is_refused_before_the_view(client, registered):
    territory, *_ = registered
    client.force_login(territory.users["xh_c1_secretary"])
    params = {"area": territory.areas["xh_c1"].pk, "period": "2026\x00"}
    api = client.get("/api/ledgers/members_joined", params)
    assert api.status_code == 400 and api.json()["field"] == "period"
    page = client.get(reverse("ledgers:ledger", args=["members_joined"]), params)
    assert page.status_code == 400


@pytest.mark.parametrize("area", ["abc", "1" * 40, "-5", "99999999"])
def test_hostile_area_is_not_found(client, registered, area):
    territory, *_ = registered
    client.force_login(territory.users["xh_c1_secretary"])
    assert client.get(reverse("ledgers:ledger", args=["units"]), {"area": area}).status_code == 404


def test_a_ledger_needs_a_subject_it_accepts(client, registered):
    territory, *_ = registered
    client.force_login(territory.users["xh_s1_staff"])
    none = client.get("/api/ledgers/units")
    assert none.status_code == 400 and none.json()["code"] == "ledger_subject_required"
    by_org = client.get("/api/ledgers/grids", {"org": territory.orgs["xh_s1_wc"].pk})
    assert by_org.status_code == 400 and by_org.json()["code"] == "ledger_subject_not_accepted"
