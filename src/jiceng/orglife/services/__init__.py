"""Every write in organizational life, split by aggregate and re-exported here so callers
import `jiceng.orglife.services` whatever the module: meetings (records, attendance,
appraisal, tasks), deliberation (issues, topics, the procedure), contact (contact points,
problems, household links and visits).

Each service is keyword-only with the acting user first (None for the system), checks
access, validates every input before writing (validators.py, over core.inputs), runs in
one transaction and leaves an audit entry."""

from jiceng.orglife.services.contact import (
    contact_point_create,
    contact_point_end,
    contact_visit_record,
    household_link_create,
    household_link_end,
    household_visit_record,
    problem_assign,
    problem_resolve,
    problem_to_appeal,
    visit_to_appeal,
    visit_to_issue,
    visit_to_need,
)
from jiceng.orglife.services.deliberation import (
    PROCEDURE,
    STEP_ORDER,
    StepFacts,
    expected_step,
    issue_create,
    issue_from_appeal,
    step_record,
    topic_add_issue,
    topic_create,
)
from jiceng.orglife.services.meetings import (
    KINDS_FOR_ORG,
    WHOLE_REGISTER,
    Mark,
    MeetingFacts,
    appraisal_record,
    meeting_attachment_add,
    meeting_attachment_remove,
    meeting_record,
    meeting_task_add,
    meeting_task_done,
    meeting_update,
    requirement_update,
)

__all__ = [
    "KINDS_FOR_ORG",
    "PROCEDURE",
    "STEP_ORDER",
    "WHOLE_REGISTER",
    "Mark",
    "MeetingFacts",
    "StepFacts",
    "appraisal_record",
    "contact_point_create",
    "contact_point_end",
    "contact_visit_record",
    "expected_step",
    "household_link_create",
    "household_link_end",
    "household_visit_record",
    "issue_create",
    "issue_from_appeal",
    "meeting_attachment_add",
    "meeting_attachment_remove",
    "meeting_record",
    "meeting_task_add",
    "meeting_task_done",
    "meeting_update",
    "problem_assign",
    "problem_resolve",
    "problem_to_appeal",
    "requirement_update",
    "step_record",
    "topic_add_issue",
    "topic_create",
    "visit_to_appeal",
    "visit_to_issue",
    "visit_to_need",
]
