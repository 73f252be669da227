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
from jiceng.places.models import AddressAlias

pytestmark = pytest.mark.django_db


def orders() -> list[dict]:
    return [
        {
            "work_order_number": "SH12345-20261205-0001",
            "called_at": "2026-12-05 08:30",
            "category": "垃圾清运与环境卫生",
            # Full-width, with the city, district and street before the road and a room.
            "address": "上海市徐汇区湖南路街道复兴西路１２弄３号５０２室",
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


def test_import_locates_routes_and_is_idempotent(world, registry):
    report = run(world, orders())
    assert report.filed == ["SH12345-20261205-0001", "SH12345-20261205-0003"]
    assert report.unplaced == ["SH12345-20261205-0002"]
    first = HotlineWorkOrder.objects.get(number="SH12345-20261205-0001")
    assert first.appeal.channel == Appeal.Channel.HOTLINE
    # The standard address's building, as Open311's address_string would land.
    assert first.appeal.area_id == registry.buildings["b2"].pk
    assert first.appeal.community_id == world.t.areas["xh_c1"].pk
    assert first.appeal.unit_id == world.community_unit.pk  # routed like any case
    assert first.appeal.category.code == "sanitation"
    coded = HotlineWorkOrder.objects.get(number="SH12345-20261205-0003")
    assert coded.appeal.area_id == world.t.areas["xh_g2"].pk
    # Not placed below the district: a case all the same, in the district's queue.
    queued = HotlineWorkOrder.objects.get(number="SH12345-20261205-0002").appeal
    assert queued.area_id == world.t.areas["xh"].pk and queued.placement_pending
    assert "仅能确定所在区" in queued.placement_reason and queued.unit_id is None
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


@pytest.mark.parametrize(
    "address, where",
    [
        ("复兴西路12弄1号", "b1"),  # the standard address as registered
        ("徐汇区复兴西路１２弄３号５０２室", "b2"),  # full-width, a room after the door
        ("复兴苑3号楼", "b2"),  # the compound and its building number
        ("复兴苑东门", "b1"),  # an alias
        ("复兴西路20号", "b3"),
        ("上海市徐汇区某某路999号", None),
    ],
)
def test_hotline_open311_and_api_place_alike(world, registry, client, address, where):
    """The same words land on the same place whichever way they come."""
    from jiceng.places.services import alias_create

    alias_create(actor=None, text="复兴苑东门", address=registry.addresses["b1"])
    _key, raw_key = appeal_services.open311_key_create(
        actor=None, name="热线平台", area=world.t.areas["xh"]
    )
    run(world, [orders()[0] | {"address": address}])
    by_hotline = HotlineWorkOrder.objects.get().appeal
    answer = client.post(
        "/open311/v2/requests.json",
        {"api_key": raw_key, "service_code": "sanitation", "description": "垃圾",
         "address_string": address},
    )  # fmt: skip
    assert answer.status_code == 200, answer.content
    by_open311 = Appeal.objects.get(tracking_code=answer.json()[0]["service_request_id"])
    client.force_login(world.t.users["xh_admin"])
    answer = client.post(
        "/api/appeals",
        {"category": "sanitation", "description": "垃圾", "address": address},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    by_api = Appeal.objects.get(pk=answer.json()["appeal"]["id"])
    expected = registry.buildings[where] if where else world.t.areas["xh"]
    for appeal in (by_hotline, by_open311, by_api):
        assert appeal.area_id == expected.pk, (appeal.channel, appeal.placement_reason)
        assert appeal.placement_pending is (where is None)
    if where is None:
        # The same reason in the queue, whoever filed it.
        assert by_hotline.placement_reason == by_open311.placement_reason
        assert by_hotline.placement_reason == by_api.placement_reason


def test_queued_order_is_placed_in_one_action_and_learned(world, registry, client):
    """The hotline's unplaced order is in the district's placement queue like any case:
    placed there in one action (page or API), routed, and its address learned."""
    run(world, orders())
    order = HotlineWorkOrder.objects.get(number="SH12345-20261205-0002")
    client.force_login(world.t.users["xh_admin"])
    queue = client.get("/api/appeals/placement").json()["items"]
    assert [row["id"] for row in queue] == [order.appeal_id]
    assert client.get("/api/integrations/hotline/orders?placement_pending=true").json()["items"][0][
        "placement_reason"
    ]
    answer = client.post(
        f"/api/appeals/placement/{order.appeal_id}",
        {"area": world.t.areas["xh_c1"].pk},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    order.appeal.refresh_from_db()
    assert order.appeal.area_id == world.t.areas["xh_c1"].pk
    assert not order.appeal.placement_pending
    assert order.appeal.unit_id == world.community_unit.pk
    assert AddressAlias.objects.get().area_id == world.t.areas["xh_c1"].pk
    # The next work order in the same words lands there by itself.
    again = orders()[1] | {"work_order_number": "SH12345-20261206-0009"}
    assert run(world, [again]).filed == ["SH12345-20261206-0009"]
    found = HotlineWorkOrder.objects.get(number="SH12345-20261206-0009").appeal
    assert found.area_id == world.t.areas["xh_c1"].pk
    pending = client.get("/api/integrations/hotline/orders?placement_pending=true").json()
    assert pending["items"] == []


def test_another_districts_door_waits_in_this_districts_queue(world, registry):
    run(world, [orders()[0] | {"address": "黄浦区贵州路100号"}])
    appeal = HotlineWorkOrder.objects.get().appeal
    assert appeal.area_id == world.t.areas["xh"].pk and appeal.placement_pending
    assert appeal.placement_reason.startswith("地址定位到本辖区以外")


def test_an_unknown_area_code_falls_back_to_the_address(world, registry):
    rows = [orders()[2] | {"area_code": "310101002001", "address": "复兴西路20号"}]
    assert run(world, rows).filed == ["SH12345-20261205-0003"]
    assert HotlineWorkOrder.objects.get().appeal.area_id == registry.buildings["b3"].pk
    rows = [orders()[1] | {"area_code": "310101002001"}]
    assert run(world, rows).unplaced == ["SH12345-20261205-0002"]
    reason = HotlineWorkOrder.objects.get(number="SH12345-20261205-0002").appeal.placement_reason
    assert reason.startswith("区划代码不是本区的社区、网格或楼栋")


def test_export_round_trip(world, registry, client):
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
    queued = by_number["SH12345-20261205-0002"]
    assert queued["unplaced_reason"] and queued["area_code"] == "310104000000"
    assert queued["tracking_code"] and by_number["SH12345-20261205-0001"]["unplaced_reason"] == ""
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


def test_excel_file_through_the_api_and_search(world, registry, client):
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


def test_work_order_number_on_the_case_and_in_the_search(world, registry, client):
    """The case's page shows its 工单编号; the appeals list (page and API) finds the case
    by it, in the viewer's scope only."""
    run(world, orders())
    appeal = HotlineWorkOrder.objects.get(number="SH12345-20261205-0001").appeal
    other = world.intake(text="楼道灯坏了")  # a case that came no way of the platform's
    client.force_login(world.t.users["xh_admin"])
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "工单编号" in page and "SH12345-20261205-0001" in page
    assert "工单编号" not in client.get(f"/appeals/{other.pk}/").content.decode()
    found = client.get("/appeals/?q=20261205-0001").content.decode()
    assert appeal.tracking_code in found and other.tracking_code not in found
    by_part = client.get("/api/appeals?q=20261205-0001").json()["items"]
    assert [row["id"] for row in by_part] == [appeal.pk]
    whole = client.get("/api/appeals?reference=sh12345-20261205-0001").json()["items"]
    assert [row["id"] for row in whole] == [appeal.pk]
    assert client.get("/api/appeals?reference=20261205-0001").json()["items"] == []
    assert client.get("/api/appeals?q=" + "x" * 201).status_code == 422
    # Scoped as any case: another district's staff find nothing by the number.
    client.force_login(world.t.users["hp_admin"])
    assert client.get("/api/appeals?q=20261205-0001").json()["items"] == []
    assert client.get("/api/appeals?reference=SH12345-20261205-0001").json()["items"] == []
    assert appeal.tracking_code not in client.get("/appeals/?q=20261205-0001").content.decode()


@pytest.mark.parametrize("name", ["q", "reference"])
def test_search_refuses_control_characters_naming_the_field(world, client, name):
    client.force_login(world.t.users["xh_admin"])
    # Refused before any query (PostgreSQL refuses NUL in a text it compares).
    answer = client.get("/api/appeals", {name: "SH12345\x00"})
    assert answer.status_code == 400 and answer.json()["field"] == name
    assert client.get("/appeals/", {"q": "SH12345\x00"}).status_code == 400
