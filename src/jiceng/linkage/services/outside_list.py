"""清单外事项: a street that received a department's notice or task marks it as outside
its duty list, with the reason. The mark stays on the recipient row, where the sending
department and the district read it beside delivery and completion, and goes to the
district's register of such tasks through linkage.admission (duties), entered once."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t

from jiceng.appeals.models import HandlerMembership
from jiceng.core.models import Area
from jiceng.core.types import Actor
from jiceng.linkage import access, admission
from jiceng.linkage.errors import (
    MSG_OUTSIDE_LIST_MARKED,
    MSG_OUTSIDE_LIST_NOT_FOR,
    MSG_REASON_REQUIRED,
    LinkageErrorCode,
    conflict,
    invalid,
)
from jiceng.linkage.models import NOTIFICATION_TITLE_MAX, REASON_MAX, Dispatch, Recipient
from jiceng.linkage.services._common import audit_update, stored_actor, text
from jiceng.linkage.services.notifications import notify

Code = LinkageErrorCode
# How the district's register names the task: the dispatch's number in this app.
REFERENCE_PREFIX = "调度-"


def may_mark_outside_list(recipient: Recipient) -> bool:
    """A street's copy of a department's dispatch, sent or closed, not yet marked."""
    dispatch, area = recipient.dispatch, recipient.area
    return (
        dispatch.sender_department_id is not None
        and area is not None
        and area.level == Area.Level.STREET
        and dispatch.state in (Dispatch.State.SENT, Dispatch.State.CLOSED)
        and not recipient.is_outside_list
    )


@transaction.atomic
def recipient_mark_outside_list(*, actor: Actor, recipient: Recipient, reason: str) -> Recipient:
    """Mark what the street received as outside its duty list, with the reason; the
    sending department and the district see it."""
    access.require_answer(actor, recipient)
    cleaned = text(reason, field="reason", max_length=REASON_MAX)
    if not cleaned:
        raise invalid(MSG_REASON_REQUIRED, Code.REASON_REQUIRED, "reason")
    locked = (
        Recipient.objects.select_for_update(of=("self",))
        .select_related("dispatch__sender_department__area", "area")
        .get(pk=recipient.pk)
    )
    if locked.is_outside_list:
        raise conflict(MSG_OUTSIDE_LIST_MARKED, Code.OUTSIDE_LIST_MARKED, "reason")
    if not may_mark_outside_list(locked):
        raise invalid(MSG_OUTSIDE_LIST_NOT_FOR, Code.OUTSIDE_LIST_NOT_FOR, "reason")
    locked.outside_list_reason = cleaned
    locked.outside_list_marked_at = timezone.now()
    locked.outside_list_marked_by = stored_actor(actor)
    locked.save(
        update_fields=["outside_list_reason", "outside_list_marked_at", "outside_list_marked_by"]
    )
    audit_update(actor, locked, {"outside_list": {"old": "", "new": cleaned}})
    register = admission.registered()
    if register is not None:
        register.record_outside_list(
            actor=actor,
            street=locked.area,
            department=locked.dispatch.sender_department,
            description=cleaned,
            reference=f"{REFERENCE_PREFIX}{locked.dispatch_id}",
        )
    # The sending department's staff hear of it in their inbox, with a link to their send.
    staff = HandlerMembership.objects.filter(
        unit_id=locked.dispatch.sender_department_id, ended_at__isnull=True
    ).values_list("user_id", flat=True)
    notify(
        list(staff),
        title=(
            _t("%(street)s将“%(title)s”标记为清单外事项")
            % {"street": locked.name, "title": locked.dispatch.title}
        )[:NOTIFICATION_TITLE_MAX],
        body=cleaned,
        url=reverse("linkage:dispatch", args=[locked.dispatch_id]),
    )
    return locked
