"""Every write of the responsibility system, split by aggregate and re-exported here:
problems (the problem and rectification lists, other apps call `problem_raise` and
`rectification_create`), schemes (versioned, frozen when opened), assessments (task
lists, scores, ranking) and reports (述职 and 评议).

Each service is keyword-only with the acting user first (None for the system), checks
access, validates every input before writing, runs in one transaction and leaves an
audit entry."""

from jiceng.assessment.services.problems import (
    problem_raise,
    rectification_attach,
    rectification_confirm,
    rectification_create,
    rectification_overdue_check,
    rectification_return,
    rectification_submit,
)

__all__ = [
    "problem_raise",
    "rectification_attach",
    "rectification_confirm",
    "rectification_create",
    "rectification_overdue_check",
    "rectification_return",
    "rectification_submit",
]
