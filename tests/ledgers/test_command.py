"""`jiceng ledgers list` prints every registered ledger, one per line (key, title);
`jiceng ledgers export` writes one, audited, the same bytes for the same data and time."""

import io

import pytest
from django.core.management import CommandError, call_command

from jiceng.core.ledgers import all_ledgers
from jiceng.core.models import AuditEntry


def test_list_prints_every_ledger_one_per_line():
    out = io.StringIO()
    call_command("ledgers", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == [f"{x.key}\t{x.title}" for x in all_ledgers()]
    assert len(lines) >= 50


def test_export_writes_the_same_file_for_the_same_time(registered, tmp_path):
    _territory, *_ = registered
    files = []
    for name in ("a.xlsx", "b.xlsx"):
        target = tmp_path / name
        call_command(
            "ledgers",
            "export",
            "members_by_org",
            "--area",
            "310104003001",
            "--period",
            "2026-Q1",
            "--output",
            str(target),
            "--generated-at",
            "2026-12-05T10:00:00+08:00",
            stdout=io.StringIO(),
        )
        files.append(target.read_bytes())
    assert files[0] == files[1] and files[0].startswith(b"PK")
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.actor is None and entry.changes["ledger"] == "members_by_org"


def test_export_as_a_user_keeps_their_scope(registered, tmp_path):
    with pytest.raises(CommandError, match="未找到"):
        call_command(
            "ledgers",
            "export",
            "member_register",
            "--area",
            "310101002001",  # 贵州路, not the user's
            "--user",
            "xh_c1_secretary",
            "--output",
            str(tmp_path / "x.xlsx"),
        )


@pytest.mark.parametrize(
    "args,message",
    [
        (["no_such", "--area", "310104003001"], "未找到"),
        (["units", "--area", "310104003001", "--period", "2026-13"], "期间格式不对"),
        (["units"], "--area"),
        (["units", "--area", "310104003001", "--generated-at", "yesterday"], "ISO 8601"),
    ],
)
def test_export_refusals(registered, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("ledgers", "export", *args, "--output", str(tmp_path / "x.xlsx"))
