"""The weak-org ledger (软弱涣散党组织台账) as Excel, generated from the cases the viewer
sees: text written as text (core.xlsx), and an audit entry for every export."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.audit import audit_record
from jiceng.core.models import AuditEntry
from jiceng.core.xlsx import workbook
from jiceng.supervision import selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEDGER_LIMIT = 5000


def weak_org_ledger_xlsx(*, viewer, year: int | None) -> tuple[bytes, str]:
    cases = list(selectors.weak_org_list(viewer=viewer, year=year)[:LEDGER_LIMIT])
    buffer = io.BytesIO()
    book = workbook(buffer)
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(_("软弱涣散党组织台账"))
    columns = [
        (_("年度"), 8),
        (_("党组织"), 28),
        (_("所在社区"), 16),
        (_("状态"), 10),
        (_("命中规则及依据"), 50),
        (_("认定或排除理由"), 30),
        (_("整顿责任领导"), 14),
        (_("整顿措施"), 40),
        (_("整顿时限"), 12),
        (_("验收销号"), 30),
    ]
    for col, (label, width) in enumerate(columns):
        sheet.write_string(0, col, label, head)
        sheet.set_column(col, col, width)
    for row, case in enumerate(cases, 1):
        reviewed = ""
        if case.reviewed_at:
            reviewed = timezone.localtime(case.reviewed_at).date().isoformat()
            if case.override_reason:
                reviewed += " " + _("确认销号：") + case.override_reason
        values = [
            str(case.year),
            case.org.name,
            case.org.area.name,
            str(case.get_state_display()),
            "\n".join(f"{h['name']}：{h['value']}" for h in case.hits),
            case.decision_reason,
            case.leader,
            case.measures,
            case.deadline.isoformat() if case.deadline else "",
            reviewed,
        ]
        for col, value in enumerate(values):
            sheet.write_string(row, col, value, cell)
    book.close()
    audit_record(
        actor=viewer,
        action=AuditEntry.Action.EXPORT,
        target_type="supervision.weakorgcase",
        target_label=_("软弱涣散党组织台账"),
        changes={"year": year, "rows": len(cases)},
    )
    return buffer.getvalue(), f"weak-orgs-{year or 'all'}.xlsx"
