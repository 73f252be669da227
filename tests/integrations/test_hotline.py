"""The 12345 exchange: import idempotent by work-order number, located, routed like any
case; results exported in the same layout; hostile input refused whole."""

import io
import json

import pytest
from django.core.management import call_command

from jiceng.appeals import services as appeal_services
from jiceng.appeals.models import Appeal
from jiceng.core.errors import NotFound
from jiceng.integrations import hotline_format, services
from jiceng.integrations.models import HotlineWorkOrder

pytestmark = pytest.mark.django_db


def orders() -> list[dict]:
    return [
        {
            "work_order_number": "SH12345-20261205-0001",
            "called_at": "2026-12-05 08:30",
            "category": "垃圾清运与环境卫生",
            "address": "上海市徐汇区湖南路街道复兴西路62号",
            "content": "弄堂口垃圾三天没人清运",
            "phone": "13812345678",
        },
        {
            "work_order_number": "SH12345-20261205-0002",
            "called_at": "2026-12-05T09:10:00+08:00",
            "category": "噪音",
            "address": "徐汇区某路1号",
            "content": "夜间施工噪音",
            "phone": "",
        },
        {
            "work_order_number": "SH12345-20261205-0003",
            "called_at": "2026-12-05 10:00",
            "category": "其他",
            "address": "（无）",
            "content": "按区划代码定位",
            "phone": "13900001111",
            "area_code": "310104003001002",
        },
    ]


def run(world, rows, actor_key="xh_admin"):
    return services.hotline_import(
        actor=world.t.users[actor_key],
        district=world.t.areas["xh"],
        rows=hotline_format.read_json(json.dumps(rows, ensure_ascii=False).encode()),
    )


def test_import_locates_routes_and_is_idempotent(world):
    report = run(world, orders())
    assert report.filed == ["SH12345-20261205-0001", "SH12345-20261205-0003"]
    assert report.unplaced == ["SH12345-20261205-0002"]
    first = HotlineWorkOrder.objects.get(number="SH12345-20261205-0001")
    assert first.appeal.channel == Appeal.Channel.HOTLINE
    assert first.appeal.community_id == world.t.areas["xh_c1"].pk
    assert first.appeal.unit_id == world.community_unit.pk  # routed like any case
    assert first.appeal.category.code == "sanitation"
    coded = HotlineWorkOrder.objects.get(number="SH12345-20261205-0003")
    assert coded.appeal.area_id == world.t.areas["xh_g2"].pk
    unplaced = HotlineWorkOrder.objects.get(number="SH12345-20261205-0002")
    assert unplaced.appeal is None and unplaced.unplaced_reason
    assert "13812345678" not in first.phone_encrypted

    cases = set(Appeal.objects.values_list("id", flat=True))
    again = run(world, orders())
    assert again.unchanged == [o["work_order_number"] for o in orders()]
    assert again.filed == again.unplaced == again.changed == []
    assert set(Appeal.objects.values_list("id", flat=True)) == cases

    changed = orders()
    changed[0]["content"] = "弄堂口垃圾一周没人清运"
    report = run(world, changed)
    assert report.changed == ["SH12345-20261205-0001"]
    first.refresh_from_db()
    assert first.content == "弄堂口垃圾三天没人清运"  # reported, not overwritten
    assert first.appeal.description == "弄堂口垃圾三天没人清运"


def test_unplaced_order_is_placed_by_a_person(world):
    run(world, orders())
    order = HotlineWorkOrder.objects.get(number="SH12345-20261205-0002")
    admin = world.t.users["xh_admin"]
    placed = services.hotline_order_place(actor=admin, order=order, area=world.t.areas["xh_c3"])
    assert placed.state == "filed" and placed.appeal.area_id == world.t.areas["xh_c3"].pk
    from jiceng.core.errors import Conflict

    with pytest.raises(Conflict):
        services.hotline_order_place(actor=admin, order=order, area=world.t.areas["xh_c3"])


def test_export_round_trip(world, client):
    run(world, orders())
    order = HotlineWorkOrder.objects.get(number="SH12345-20261205-0001")
    handler = world.t.users["xh_c1_secretary"]
    appeal_services.appeal_accept(actor=handler, appeal=order.appeal)
    appeal_services.appeal_reply(actor=handler, appeal=order.appeal, reply="已清运")
    client.force_login(world.t.users["xh_admin"])
    exported = client.get("/api/integrations/hotline/export?since=2020-01-01")
    assert exported.status_code == 200
    rows = exported.json()["work_orders"]
    by_number = {row["work_order_number"]: row for row in rows}
    assert set(by_number) == {o["work_order_number"] for o in orders()}
    row = by_number["SH12345-20261205-0001"]
    assert row["reply"] == "已清运" and row["state"] == "已答复" and row["tracking_code"]
    assert row["phone"] == "138****5678"  # masked on the way back
    assert by_number["SH12345-20261205-0002"]["unplaced_reason"]
    # The platform's side: the export read as an import is the same work orders.
    again = services.hotline_import(
        actor=world.t.users["xh_admin"],
        district=world.t.areas["xh"],
        rows=hotline_format.read_json(exported.content),
    )
    assert again.filed == [] and again.unplaced == []
    assert sorted(again.unchanged + again.changed) == sorted(by_number)
    # Excel in the same layout, read back by the same reader.
    book = client.get("/api/integrations/hotline/export?format=xlsx")
    assert book.status_code == 200
    read = hotline_format.read_excel(book.content)
    assert {cells["number"] for _row, cells in read} == set(by_number)
    # Another district sees none of it.
    client.force_login(world.t.users["hp_admin"])
    assert client.get("/api/integrations/hotline/export").json()["work_orders"] == []


def test_excel_file_through_the_api_and_search(world, client):
    rows = orders()[:1]
    fields = list(hotline_format.COLUMNS)
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [hotline_format.LABELS[f] for f in fields])
    keys = {f: key for f, (_h, key) in hotline_format.COLUMNS.items()}
    sheet.write_row(1, 0, [rows[0].get(keys[f], "") for f in fields])
    book.close()
    client.force_login(world.t.users["xh_admin"])
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "12345.xlsx"
    answer = client.post(
        "/api/integrations/hotline/import",
        {"district": world.t.areas["xh"].pk, "file": upload},
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["filed"] == ["SH12345-20261205-0001"]
    found = client.get("/api/integrations/hotline/orders?number=0001").json()["items"]
    assert [row["number"] for row in found] == ["SH12345-20261205-0001"]
    assert found[0]["tracking_code"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("content", "垃圾\x00没人清运"),
        ("address", "徐" * 201),
        ("work_order_number", "N" * 65),
        ("called_at", "昨天上午"),
        ("phone", "12345"),
        ("content", ""),
    ],
)
def test_hostile_rows_write_nothing(world, field, value):
    rows = orders()
    rows[1][field] = value
    with pytest.raises(services.HotlineRowsInvalid) as refused:
        run(world, rows)
    assert refused.value.errors[0].row == 2
    assert refused.value.code == "hotline_rows_invalid"
    assert not HotlineWorkOrder.objects.exists() and not Appeal.objects.exists()


def test_hostile_json_api(world, client):
    client.force_login(world.t.users["xh_admin"])
    body = {"district": world.t.areas["xh"].pk, "work_orders": orders()}
    body["work_orders"][0]["content"] = "x\x00y"
    answer = client.post("/api/integrations/hotline/orders", body, content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["field"].endswith("content")
    not_json = client.post(
        "/api/integrations/hotline/import",
        {"district": world.t.areas["xh"].pk, "file": io.BytesIO(b"\xff\xfe not json")},
    )
    assert not_json.status_code == 400 and not_json.json()["code"] == "hotline_format"
    assert not HotlineWorkOrder.objects.exists()


def test_only_the_districts_managers_import(world):
    # A street's staff do not see the district (404), nor does another district's admin.
    with pytest.raises(NotFound):
        run(world, orders(), actor_key="xh_s1_staff")
    with pytest.raises(NotFound):
        run(world, orders(), actor_key="hp_admin")


def test_commands(world, tmp_path, capsys):
    source = tmp_path / "orders.json"
    source.write_text(json.dumps(orders(), ensure_ascii=False), encoding="utf-8")
    call_command("hotline", "import", str(source), "--district", "310104000000")
    call_command("hotline", "import", str(source), "--district", "310104000000")
    assert HotlineWorkOrder.objects.count() == 3
    target = tmp_path / "out.json"
    call_command("hotline", "export", "--since", "2020-01-01", "--output", str(target))
    exported = json.loads(target.read_text(encoding="utf-8"))["work_orders"]
    assert len(exported) == 3
