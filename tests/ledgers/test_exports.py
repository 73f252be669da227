"""A generated ledger as Excel: the header block (title, scope, period, source, time),
masked personal data, one audit entry per generation, and the same bytes for the same data
and generation time (only the time tells two generations apart)."""

import datetime
import io

from python_calamine import CalamineWorkbook

from jiceng.core import crypto
from jiceng.core.ledgers import ledger_named
from jiceng.core.models import AuditEntry
from jiceng.ledgers import selectors, services

WHEN = datetime.datetime(2026, 12, 5, 2, 0, tzinfo=datetime.UTC)


def _cells(content: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(0).to_python()


def _export(territory, key="member_register", when=WHEN, period="2026"):
    viewer = territory.users["xh_c1_secretary"]
    ledger = ledger_named(key)
    subject = selectors.subject_for(
        viewer=viewer, ledger=ledger, area=territory.areas["xh_c1"], period=period
    )
    return services.ledger_export(
        actor=viewer, viewer=viewer, ledger=ledger, subject=subject, generated_at=when
    )


def test_workbook_carries_header_block_and_masked_rows(registered):
    territory, ours, theirs = registered
    content, _table = _export(territory)
    cells = _cells(content)
    assert cells[0][0] == "党员名册"
    header = {row[0]: row[1] for row in cells[1:8] if row[0]}
    assert header["范围"] == "复兴西路社区居委会（310104003001）"
    assert header["期间"].startswith("不分期间")
    assert header["数据来源"] == "members · members.selectors.member_list"
    assert header["生成时间"] == "2026-12-05 10:00:00"  # Asia/Shanghai
    assert header["个人信息"] == "身份证号、手机号已脱敏"
    names = [row[0] for row in cells if row and row[0] in ("张伟", "李娜", "钱七")]
    assert sorted(names) == ["张伟", "李娜"]
    text = repr(cells)
    for member in (*ours, theirs):
        assert crypto.decrypt(member.id_number_encrypted) not in text
        assert crypto.decrypt(member.phone_encrypted) not in text
    assert "138****5678" in text


def test_same_data_and_time_same_bytes_else_only_the_time_differs(registered):
    territory, *_ = registered
    first, _table = _export(territory)
    second, _table = _export(territory)
    assert first == second
    later, _table = _export(territory, when=WHEN + datetime.timedelta(hours=1))
    assert later != first
    assert _cells(later)[5:] == _cells(first)[5:]  # below the generation time, the same


def test_every_generation_is_audited(registered):
    territory, *_ = registered
    before = AuditEntry.objects.filter(action="export").count()
    _export(territory, key="members_joined", period="2010")
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert AuditEntry.objects.filter(action="export").count() == before + 1
    assert entry.actor == territory.users["xh_c1_secretary"]
    assert entry.target_id == str(territory.areas["xh_c1"].pk)
    assert entry.changes["ledger"] == "members_joined"
    assert entry.changes["format"] == "xlsx" and entry.changes["period"] == "2010"
    assert entry.changes["rows"] == 2
