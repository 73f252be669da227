"""The registry's writes through the API and the pages (the same services), its import,
and hostile input."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.core.models import AuditEntry, StandardAddress
from jiceng.places import imports
from jiceng.places.models import AddressAlias


def _json(client, method, url, body=None):
    return getattr(client, method)(url, body, content_type="application/json")


def test_api_register_correct_alias(client, registry):
    client.force_login(registry.territory.users["xh_s1_staff"])
    created = _json(client, "post", "/api/places/addresses",
                    {"building": "310104003001002001", "text": "复兴西路22号",
                     "latitude": "31.2101", "longitude": "121.4411"})  # fmt: skip
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["building_code"] == "310104003001002001"
    updated = _json(client, "put", f"/api/places/addresses/{pk}",
                    {"building": "310104003001002001", "text": "复兴西路22号",
                     "compound": "复兴公寓"})  # fmt: skip
    assert updated.status_code == 200 and updated.json()["compound"] == "复兴公寓"
    alias = _json(client, "post", "/api/places/aliases", {"text": "复兴西路廿二号", "address": pk})
    assert alias.status_code == 201
    match = _json(client, "post", "/api/places/match", {"address_string": "复兴西路廿二号"})
    assert match.json()["level"] == "building" and match.json()["placed"] is True
    deleted = client.post(f"/api/places/aliases/{alias.json()['id']}/delete")
    assert deleted.status_code == 204 and not AddressAlias.objects.exists()
    mine = AuditEntry.objects.filter(actor=registry.territory.users["xh_s1_staff"])
    assert mine.filter(target_type="core.standardaddress").count() == 2
    assert mine.filter(target_type="places.addressalias").count() == 2


def test_api_refusals(client, registry):
    client.force_login(registry.territory.users["xh_s1_staff"])
    same = _json(client, "post", "/api/places/addresses",
                 {"building": "310104003001002001", "text": "复兴西路１２弄１号"})  # fmt: skip
    assert same.status_code == 409 and same.json()["code"] == "place_address_taken"
    outside = _json(client, "post", "/api/places/addresses",
                    {"building": "310101002001001001", "text": "贵州路2号"})  # fmt: skip
    assert outside.status_code == 400 and outside.json()["field"] == "building"
    half = _json(
        client,
        "post",
        "/api/places/addresses",
        {"building": "310104003001002001", "text": "复兴西路24号", "latitude": "31.2"},
    )
    assert half.status_code == 400 and half.json()["code"] == "place_position_invalid"
    is_address = _json(
        client,
        "post",
        "/api/places/aliases",
        {"text": "复兴西路12弄3号", "address": registry.addresses["b1"].pk},
    )
    assert is_address.json()["code"] == "place_alias_is_address"
    both = _json(client, "post", "/api/places/aliases", {"text": "某处"})
    assert both.json()["code"] == "place_alias_target"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": "复兴西路\x0030号"}, "text"),
        ({"text": "复" * 201}, "text"),
        ({"text": "复兴西路30号", "compound": "苑" * 101}, "compound"),
        ({"text": "复兴西路30号", "building": "3" * 25}, "building"),
    ],
)
def test_api_hostile_input(client, registry, body, field):
    client.force_login(registry.territory.users["xh_admin"])
    before = StandardAddress.objects.count()
    response = _json(client, "post", "/api/places/addresses",
                     {"building": "310104003001002001", **body})  # fmt: skip
    assert response.status_code == 422 and response.json()["field"] == field
    assert StandardAddress.objects.count() == before


def test_list_is_scoped_searchable_and_bounded(client, registry):
    client.force_login(registry.territory.users["hp_s1_staff"])
    texts = [row["text"] for row in client.get("/api/places/addresses").json()["items"]]
    assert texts == ["贵州路100号"]
    client.force_login(registry.territory.users["xh_admin"])
    found = client.get("/api/places/addresses", {"q": "12弄"}).json()["items"]
    assert {row["text"] for row in found} == {"复兴西路12弄1号", "复兴西路12弄3号"}
    with CaptureQueriesContext(connection) as few:
        client.get("/api/places/addresses")
    from jiceng.places import services

    for n in range(10):
        services.address_create(actor=None, building=registry.buildings["b3"],
                                text=f"复兴西路{40 + n}号")  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        client.get("/api/places/addresses")
    assert len(many) == len(few)


def test_pages_register_correct_and_alias(client, registry):
    client.force_login(registry.territory.users["xh_s1_staff"])
    page = client.get("/places/", {"q": "复兴"})
    assert page.status_code == 200 and "复兴西路12弄1号" in page.content.decode()
    response = client.post("/places/", {"building": "310104003001002001", "text": "复兴西路26号"})
    assert response.status_code == 302
    address = StandardAddress.objects.get(text="复兴西路26号")
    refused = client.post("/places/", {"building": "310104003001002001", "text": "复兴西路２６号"})
    assert refused.status_code == 422 and "已登记" in refused.content.decode()
    client.post(f"/places/{address.pk}/aliases/", {"text": "复兴西路廿六号"})
    alias = AddressAlias.objects.get(address=address)
    edit = client.post(
        f"/places/{address.pk}/",
        {"building": "310104003001002001", "text": "复兴西路26号", "compound": "西苑"},
    )
    assert edit.status_code == 302
    address.refresh_from_db()
    assert address.compound == "西苑"
    client.post(f"/places/aliases/{alias.pk}/delete/")
    assert not AddressAlias.objects.exists()


def _sheet(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["徐汇区标准地址表"])
    sheet.append(["标准地址", "楼栋编码", "小区", "经度", "纬度", "别名"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_all_or_nothing_and_again_changes_nothing(registry):
    a = registry.territory.areas
    actor = registry.territory.users["xh_s1_staff"]
    good = _sheet([
        ["复兴西路30号", "310104003001002001", "复兴花园", "121.4420", "31.2080", "复兴西路卅号"],
        ["复兴西路12弄1号", "310104003001001001", "", "", "", ""],  # already registered
        ["复兴西路32号", "310104003001002001", "", "", "", "复兴西路三十二号、西路32号"],
    ])  # fmt: skip
    bad = _sheet([
        ["复兴西路34号", "310104003001002001", "", "", "", ""],
        ["复兴西路36号", "999", "", "", "", ""],  # no such building
        ["复兴西路12弄1号", "310104003001002001", "", "", "", ""],  # another building
    ])  # fmt: skip
    audit = AuditEntry.objects.count()
    report = imports.address_import(actor=actor, area=a["xh_s1"], data=bad)
    assert not report.ok and [e.row for e in report.errors] == [4, 5]
    assert StandardAddress.objects.count() == 4 and AuditEntry.objects.count() == audit
    report = imports.address_import(actor=actor, area=a["xh_s1"], data=good)
    assert report.ok and (report.addresses, report.aliases, report.unchanged) == (2, 2, 1)
    counts = (
        StandardAddress.objects.count(),
        AddressAlias.objects.count(),
        AuditEntry.objects.count(),
    )
    again = imports.address_import(actor=actor, area=a["xh_s1"], data=good)
    assert again.ok and again.created == 0 and again.unchanged == 3
    assert counts == (
        StandardAddress.objects.count(),
        AddressAlias.objects.count(),
        AuditEntry.objects.count(),
    )
    from jiceng.places import matcher

    assert matcher.match_text("西路32号").level == "building"


def test_import_refuses_outside_the_actor(registry):
    from jiceng.core.errors import NotFound

    with pytest.raises(NotFound):
        imports.address_import(
            actor=registry.territory.users["hp_s1_staff"],
            area=registry.territory.areas["xh_s1"],
            data=_sheet([]),
        )


def test_import_template_and_api(client, registry):
    client.force_login(registry.territory.users["xh_s1_staff"])
    template = client.get("/api/places/addresses/import-template")
    assert template.status_code == 200 and template.content.startswith(b"PK")
    upload = io.BytesIO(_sheet([["复兴西路38号", "310104003001002001", "", "", "", ""]]))
    upload.name = "addresses.xlsx"
    response = client.post(
        "/api/places/addresses/import", {"area": registry.territory.areas["xh_s1"].pk,
                                         "file": upload}
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["addresses"] == 1
    assert client.get("/places/import/").status_code == 200
