"""Dispatch and notification pages, split by side and re-exported for urls.py."""

from jiceng.linkage.views._common import act
from jiceng.linkage.views.inbox import (
    notification_read,
    notification_read_all,
    notifications,
    preferences,
)
from jiceng.linkage.views.receiving import received_attachment, received_detail, received_list
from jiceng.linkage.views.sending import (
    attachment,
    dispatch_detail,
    dispatch_list,
    dispatch_new,
    report_detail,
)

__all__ = [
    "act",
    "attachment",
    "dispatch_detail",
    "dispatch_list",
    "dispatch_new",
    "notification_read",
    "notification_read_all",
    "notifications",
    "preferences",
    "received_attachment",
    "received_detail",
    "received_list",
    "report_detail",
]
