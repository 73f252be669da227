"""Every write of the responsibility system, split by aggregate and re-exported here:
problems (the problem and rectification lists; other apps call `problem_raise` and
`rectification_create`), schemes (versioned, frozen when opened, published), assessments
(task lists, scores, ranking) and reports (述职 and 评议).

Each service is keyword-only with the acting user first (None for the system), checks
access, validates every input before writing, runs in one transaction and leaves an
audit entry."""

from jiceng.assessment.services.assessments import rank, scheme_score, score, task_done, task_set
from jiceng.assessment.services.problems import (
    problem_raise,
    rectification_attach,
    rectification_confirm,
    rectification_create,
    rectification_overdue_check,
    rectification_return,
    rectification_submit,
)
from jiceng.assessment.services.reports import (
    draft_text,
    report_conclude,
    report_draft,
    report_edit,
    report_submit,
    review_give,
    reviewer_add,
)
from jiceng.assessment.services.schemes import (
    ItemSpec,
    SchemeFacts,
    assessed_orgs,
    scheme_create,
    scheme_open,
    scheme_publish,
    scheme_update,
)

__all__ = [
    "ItemSpec",
    "SchemeFacts",
    "assessed_orgs",
    "draft_text",
    "problem_raise",
    "rank",
    "rectification_attach",
    "rectification_confirm",
    "rectification_create",
    "rectification_overdue_check",
    "rectification_return",
    "rectification_submit",
    "report_conclude",
    "report_draft",
    "report_edit",
    "report_submit",
    "review_give",
    "reviewer_add",
    "scheme_create",
    "scheme_open",
    "scheme_publish",
    "scheme_score",
    "scheme_update",
    "score",
    "task_done",
    "task_set",
]
