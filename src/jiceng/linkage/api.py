"""Dispatch and notification in the JSON API. Every write a page offers is an operation
here calling the same service: the lifecycle actions generated from the action tables
(`actions.py`), the inbox's marks, the delivery preferences. Reads go through the
selectors, scoped; errors answer {"code", "message", "field"}."""

from ninja import Router

from jiceng.core.action_tables import add_operations
from jiceng.core.errors import NotFound
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.core.scope import KIND_LINKAGE, scope_for
from jiceng.linkage import actions, downloads, prefill, schemas, selectors, services

router = Router(tags=["linkage 调度通报"])


def _kind(request) -> None:
    if not scope_for(request.user).can_see_kind(KIND_LINKAGE):
        raise NotFound()


# ---- the sender's side ----------------------------------------------------------------------


@router.get("/dispatches", response=list[schemas.DispatchOut])
@paginate(LimitOffsetPagination)
def dispatches(request, state: str = "", mine: bool = False, outside_list: bool = False):
    """Dispatches sent from the viewer's area and below (its departments' included);
    `mine`: those it sends; `outside_list`: those a recipient street marked as outside
    its duty list."""
    _kind(request)
    return selectors.dispatch_list(
        viewer=request.user, state=state or None, mine=mine, outside_list=outside_list
    )


@router.get("/dispatches/{int:dispatch_id}", response=schemas.DispatchDetailOut)
def dispatch(request, dispatch_id: int):
    _kind(request)
    return selectors.dispatch_get(viewer=request.user, dispatch_id=dispatch_id)


@router.get("/dispatches/{int:dispatch_id}/recipients", response=list[schemas.RecipientOut])
@paginate(LimitOffsetPagination)
def dispatch_recipients(request, dispatch_id: int):
    """Delivery and completion by recipient (who has not opened or acknowledged)."""
    _kind(request)
    found = selectors.dispatch_get(viewer=request.user, dispatch_id=dispatch_id)
    return selectors.recipients_of(viewer=request.user, dispatch=found).select_related("dispatch")


@router.get("/dispatches/{int:dispatch_id}/bulletin", response=schemas.BulletinOut)
def dispatch_bulletin(request, dispatch_id: int):
    _kind(request)
    found = selectors.dispatch_get(viewer=request.user, dispatch_id=dispatch_id)
    if not hasattr(found, "bulletin"):
        raise NotFound()
    return found.bulletin


@router.get("/reports/{int:report_id}/values", response=list[schemas.ValueOut])
def report_values(request, report_id: int):
    _kind(request)
    return selectors.values_of(selectors.report_get(viewer=request.user, report_id=report_id))


@router.get("/attachments/{int:attachment_id}/file", url_name="linkage_attachment_file")
def attachment_file(request, attachment_id: int, recipient: int | None = None):
    """A dispatch's photo or PDF: to the sender's side, or with `recipient` to a
    recipient of the dispatch."""
    _kind(request)
    found = selectors.attachment_for(
        viewer=request.user, attachment_id=attachment_id, recipient_id=recipient
    )
    return downloads.attachment_response(found)


# ---- the recipient's side --------------------------------------------------------------------


@router.get("/received", response=list[schemas.ReceivedOut])
@paginate(LimitOffsetPagination)
def received(request, open: bool = False, kind: str = ""):
    """What was sent to the areas and orgs the viewer answers for."""
    _kind(request)
    return selectors.received_list(viewer=request.user, open_only=open, kind=kind or None)


@router.get("/received/{int:recipient_id}", response=schemas.ReceivedOut)
def received_one(request, recipient_id: int):
    """One dispatch as its recipient has it; opening it is the delivery fact the sender's
    receipt view shows (as on the page)."""
    _kind(request)
    recipient = selectors.received_get(viewer=request.user, recipient_id=recipient_id)
    services.receipt_open(actor=request.user, recipient=recipient)
    return recipient


@router.get("/received/{int:recipient_id}/prefill", response=list[schemas.PrefilledOut])
def received_prefill(request, recipient_id: int):
    """The task's outcome fields computed for this recipient and the task's period."""
    _kind(request)
    recipient = selectors.received_get(viewer=request.user, recipient_id=recipient_id)
    fields = selectors.fields_of(recipient.dispatch)
    if not recipient.dispatch.period:
        return []
    return [
        {
            "field": p.field.pk,
            "label": p.field.label,
            "outcome_key": p.field.outcome_key,
            "value": p.display,
            "numerator": p.figure.numerator,
            "denominator": p.figure.denominator,
        }
        for p in prefill.prefill(recipient, fields).values()
    ]


# ---- the inbox (every signed-in user) ---------------------------------------------------------


@router.get("/notifications", response=list[schemas.NotificationOut])
@paginate(LimitOffsetPagination)
def notifications(request, unread: bool = False):
    return selectors.notification_list(viewer=request.user, unread=unread)


@router.get("/notifications/unread", response=schemas.UnreadOut)
def notifications_unread(request):
    return {"unread": selectors.unread_count(request.user)}


@router.post("/notifications/{int:notification_id}/read", response=schemas.NotificationOut)
def notification_read(request, notification_id: int, payload: schemas.LinkageConfirmIn):
    found = selectors.notification_get(viewer=request.user, notification_id=notification_id)
    return services.notification_read(actor=request.user, notification=found)


@router.post("/notifications/read-all", response=schemas.UnreadOut)
def notification_read_all(request, payload: schemas.LinkageConfirmIn):
    services.notification_read_all(actor=request.user)
    return {"unread": selectors.unread_count(request.user)}


@router.put("/preferences", response=schemas.PreferenceOut)
def preference_set(request, payload: schemas.PreferenceIn):
    """The viewer's own choice to also receive notifications by email, SMS or WeCom."""
    found = services.delivery_preference_set(
        actor=request.user,
        channel=payload.channel,
        address=payload.address,
        enabled=payload.enabled,
    )
    return {
        "channel": found.channel,
        "enabled": found.enabled,
        "has_address": bool(found.address_encrypted),
    }


# ---- lifecycle actions, one operation per entry of the action tables -------------------------


# `perform` looked up at each call, so the one path stays the module's (and a test's spy).
add_operations(
    router,
    actions.LIFECYCLES,
    perform=lambda *args, **kwargs: actions.perform(*args, **kwargs),
    check=_kind,
    prefix="linkage",
)
