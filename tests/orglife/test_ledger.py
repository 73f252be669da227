"""The year's 组织生活 ledger as Excel: generated from the records, text written as text,
scoped, and every export audited."""

import io

import openpyxl
import pytest
from django.urls import reverse

from jiceng.core.models import AuditEntry
from jiceng.orglife import services

from .conftest import YEAR, day


def _workbook(response):
    return openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content))
        if response.streaming
        else io.BytesIO(response.content)
    )


def test_ledger_is_generated_from_the_records(client, life, territory):
    m = life.members
    life.meeting(
        held_on=day(3),
        topic='=HYPERLINK("http://example.com")',
        presider="王建国",
        minutes="一、学习党章\n二、讨论",
        marks=[
            services.Mark(m["wang"].pk, "present"),
            services.Mark(m["li"].pk, "excused", "出差"),
        ],
    )
    life.meeting(kind="lecture", held_on=day(5), topic="党课：初心使命", lecturer="李秀英")
    life.meeting(org="hp_c1_b", held_on=day(5), topic="别的组织")
    territory.client_for(client, "xh_c1_secretary")
    org = territory.orgs["xh_c1_b1"]
    response = client.get(reverse("orglife:ledger", args=[org.pk, YEAR]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = _workbook(response)
    assert book.sheetnames == ["会议记录", "学习记录", "达标情况"]
    meetings = book["会议记录"]
    rows = [[c.value for c in row] for row in meetings.iter_rows(min_row=4)]
    assert len(rows) == 1
    row = rows[0]
    assert row[0] == str(day(3)) and row[1] == "支部党员大会"
    # Text stays text: a topic that looks like a formula is not one.
    assert row[2] == '=HYPERLINK("http://example.com")'
    assert meetings.cell(row=4, column=3).data_type == "s"
    assert row[5:10] == [4, 1, 1, 2, "25%"]
    assert row[10] == "李秀英（出差）"
    learning = [[c.value for c in r] for r in book["学习记录"].iter_rows(min_row=4)]
    assert [r[2] for r in learning] == ["党课：初心使命"]
    assert "别的组织" not in str(rows + learning)
    compliance_rows = [[c.value for c in r] for r in book["达标情况"].iter_rows(min_row=4)]
    assert {r[0] for r in compliance_rows} >= {"支部党员大会", "党课", "主题党日"}
    assert AuditEntry.objects.filter(action="export", target_id=str(org.pk)).count() == 1


def test_ledger_of_another_community_is_404(client, life, territory):
    territory.client_for(client, "xh_c3_secretary")
    org = territory.orgs["xh_c1_b1"]
    assert client.get(reverse("orglife:ledger", args=[org.pk, YEAR])).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize("name", ["compliance", "topics", "problems", "visits"])
def test_list_exports_are_scoped_and_audited(client, life, territory, name):
    services.topic_create(
        actor=None,
        community=territory.areas["xh_c1"],
        org=territory.orgs["xh_c1_gb"],
        title="=1+1 加装电梯",
    )
    services.topic_create(
        actor=None,
        community=territory.areas["hp_c1"],
        org=territory.orgs["hp_c1_b"],
        title="黄浦的议题",
    )
    life.meeting()
    territory.client_for(client, "xh_c1_secretary")
    area = territory.areas["xh_c1"]
    response = client.get(reverse("orglife:export", args=[name]) + f"?area={area.pk}&year={YEAR}")
    assert response.status_code == 200
    cells = [c.value for row in _workbook(response).active.iter_rows() for c in row]
    assert "黄浦的议题" not in cells and "贵州路社区党支部" not in cells
    if name == "topics":
        assert "=1+1 加装电梯" in cells
    if name == "compliance":
        assert "复兴西路社区第一党支部" in cells
    assert AuditEntry.objects.filter(action="export", changes__export=f"orglife.{name}").exists()
    other = territory.areas["hp_c1"]
    assert (
        client.get(reverse("orglife:export", args=[name]) + f"?area={other.pk}").status_code == 404
    )
