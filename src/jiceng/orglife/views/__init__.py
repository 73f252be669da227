"""Organizational-life pages, split by aggregate and re-exported for urls.py."""

from jiceng.orglife.views._common import act
from jiceng.orglife.views.contact import (
    contact_point_detail,
    contact_point_new,
    contact_points,
    household_link_new,
    household_visit_new,
    households,
)
from jiceng.orglife.views.deliberation import (
    issue_from_appeal,
    issue_new,
    public_community,
    public_index,
    topic_detail,
    topic_list,
    topic_new,
)
from jiceng.orglife.views.meetings import (
    attachment,
    compliance,
    export,
    ledger,
    meeting_detail,
    meeting_edit,
    meeting_list,
    meeting_new,
    org_compliance,
)

__all__ = [
    "act",
    "attachment",
    "compliance",
    "contact_point_detail",
    "contact_point_new",
    "contact_points",
    "export",
    "household_link_new",
    "household_visit_new",
    "households",
    "issue_from_appeal",
    "issue_new",
    "ledger",
    "meeting_detail",
    "meeting_edit",
    "meeting_list",
    "meeting_new",
    "org_compliance",
    "public_community",
    "public_index",
    "topic_detail",
    "topic_list",
    "topic_new",
]
