"""Every write of the duties app, split by aggregate and re-exported here: duty
applications and their review, the admitted-duty check and tasks outside the list
(`duty`), the street's five powers (`powers`).

Each service is keyword-only with the acting user first (None for the system), checks
access (404 out of sight, 403 not allowed), validates every input before writing, runs
in one transaction and leaves an audit entry."""

from jiceng.duties.services.duty import (
    duty_act,
    duty_apply,
    outside_list_report,
    require_admitted,
)
from jiceng.duties.services.powers import (
    assessment_record,
    power_request_answer,
    power_request_create,
    power_request_withdraw,
)

__all__ = [
    "assessment_record",
    "duty_act",
    "duty_apply",
    "outside_list_report",
    "power_request_answer",
    "power_request_create",
    "power_request_withdraw",
    "require_admitted",
]
