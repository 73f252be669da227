"""Every write of dispatch and notification, split by aggregate and re-exported here:
dispatches (drafting, sending, withdrawing, closing), outside_list (a street's mark of a
department's dispatch as outside its duty list), reports (receipts, report-back,
review, chasing, the bulletin), notifications (the inbox and the delivery preferences)
and outbox (delivery on other channels).

Each service is keyword-only with the acting user first (None for the system), checks
access, validates every input before writing, runs in one transaction and leaves an
audit entry."""

from jiceng.linkage.services.dispatches import (
    DispatchFacts,
    FieldFacts,
    attachment_add,
    dispatch_close,
    dispatch_create,
    dispatch_send,
    dispatch_withdraw,
    expand_recipients,
    report_field_add,
)
from jiceng.linkage.services.notifications import (
    Message,
    delivery_preference_set,
    notification_read,
    notification_read_all,
    notify,
    notify_each,
)
from jiceng.linkage.services.outbox import (
    DeliveryResult,
    outbox_claim,
    outbox_deliver,
    outbox_expire_stuck,
    outbox_send_claimed,
)
from jiceng.linkage.services.outside_list import (
    may_mark_outside_list,
    recipient_mark_outside_list,
)
from jiceng.linkage.services.reports import (
    Answer,
    bulletin_publish,
    dispatch_chase,
    receipt_acknowledge,
    receipt_open,
    report_accept,
    report_return,
    report_submit,
)

__all__ = [
    "Answer",
    "DeliveryResult",
    "DispatchFacts",
    "FieldFacts",
    "Message",
    "attachment_add",
    "bulletin_publish",
    "delivery_preference_set",
    "dispatch_chase",
    "dispatch_close",
    "dispatch_create",
    "dispatch_send",
    "dispatch_withdraw",
    "expand_recipients",
    "may_mark_outside_list",
    "notification_read",
    "notification_read_all",
    "notify",
    "notify_each",
    "outbox_claim",
    "outbox_deliver",
    "outbox_expire_stuck",
    "outbox_send_claimed",
    "receipt_acknowledge",
    "receipt_open",
    "recipient_mark_outside_list",
    "report_accept",
    "report_field_add",
    "report_return",
    "report_submit",
]
