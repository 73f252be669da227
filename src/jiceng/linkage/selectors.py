"""Every read of dispatch and notification, scoped by core.scope (out of scope is the
same NotFound as missing). The sender's lists are the dispatches of the areas the
viewer sends from; the recipient's, the rows the viewer answers for."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.models import Area
from jiceng.core.scope import scope_for
from jiceng.linkage import access, admission, states
from jiceng.linkage.models import (
    Dispatch,
    DispatchAttachment,
    Notification,
    Recipient,
    Report,
    ReportField,
    ReportValue,
)


def dispatch_list(
    *, viewer, state: str | None = None, mine: bool = False, outside_list: bool = False
) -> QuerySet[Dispatch]:
    """Dispatches the viewer sees (sent from its area and below, its departments'
    included); `mine`: those it sends as the sender; `outside_list`: those a recipient
    street marked as outside its duty list (清单外事项)."""
    queryset = scope_for(viewer).filter(
        Dispatch.objects.select_related("sender_area", "sender_department")
    )
    if mine:
        condition = access.sending_q(viewer)
        queryset = queryset.none() if condition is None else queryset.filter(condition)
    if state:
        queryset = queryset.filter(state=state)
    if outside_list:
        marked = Recipient.objects.filter(outside_list_marked_at__isnull=False)
        queryset = queryset.filter(pk__in=marked.values("dispatch_id"))
    return queryset.annotate(
        outside_list_count=Count(
            "recipients",
            filter=Q(recipients__outside_list_marked_at__isnull=False),
            distinct=True,
        ),
        recipient_count=Count("recipients", distinct=True),
        owed_count=Count(
            "recipients", filter=Q(recipients__report__state__in=states.OWED), distinct=True
        ),
        submitted_count=Count(
            "recipients",
            filter=Q(recipients__report__state=Report.State.SUBMITTED),
            distinct=True,
        ),
    ).order_by("-created_at", "-id")


def dispatch_get(*, viewer, dispatch_id) -> Dispatch:
    return scope_for(viewer).get(
        Dispatch.objects.select_related("sender_area", "sender_department", "created_by"),
        pk=dispatch_id,
    )


def recipients_of(*, viewer, dispatch: Dispatch) -> QuerySet[Recipient]:
    """The sender's view of delivery and completion, one row per recipient."""
    return (
        scope_for(viewer)
        .filter(Recipient.objects.filter(dispatch=dispatch))
        .select_related("area", "org", "receipt", "report")
        .order_by("name", "id")
    )


def fields_of(dispatch: Dispatch) -> list[ReportField]:
    return sorted(dispatch.fields.all(), key=lambda f: (f.position, f.pk))


def attachments_of(dispatch: Dispatch) -> list[DispatchAttachment]:
    return list(DispatchAttachment.objects.filter(dispatch=dispatch).order_by("id"))


# What a recipient's page and list show of the dispatch and of the recipient's row.
RECEIVED_RELATED = (
    "dispatch",
    "dispatch__sender_area",
    "dispatch__sender_department",
    "receipt",
    "report",
    "area",
    "org",
)


def received_list(
    *, viewer, open_only: bool = False, kind: str | None = None
) -> QuerySet[Recipient]:
    """What was sent to the areas and orgs the viewer answers for, newest first."""
    condition = access.answerable_q(viewer)
    if condition is None:
        return Recipient.objects.none()
    queryset = (
        scope_for(viewer)
        .filter(Recipient.objects.filter(condition))
        .filter(
            dispatch__state__in=(
                Dispatch.State.SENT,
                Dispatch.State.CLOSED,
                Dispatch.State.WITHDRAWN,
            )
        )
        .select_related(*RECEIVED_RELATED)
        .prefetch_related("dispatch__fields")
    )
    if open_only:
        queryset = queryset.filter(dispatch__state=Dispatch.State.SENT).filter(
            Q(report__state__in=states.OWED)
            | Q(report__isnull=True, receipt__acknowledged_at__isnull=True)
        )
    if kind:
        queryset = queryset.filter(dispatch__kind=kind)
    return queryset.order_by("-dispatch__sent_at", "-id")


def received_get(*, viewer, recipient_id) -> Recipient:
    return scope_for(viewer).get(
        Recipient.objects.select_related(*RECEIVED_RELATED, "org__area"), pk=recipient_id
    )


def report_get(*, viewer, report_id) -> Report:
    return scope_for(viewer).get(
        Report.objects.select_related(
            "recipient",
            "recipient__dispatch",
            "recipient__dispatch__sender_area",
            "recipient__area",
            "recipient__org",
            "recipient__org__area",
        ),
        pk=report_id,
    )


def values_of(report: Report) -> list[ReportValue]:
    return list(
        ReportValue.objects.filter(report=report)
        .select_related("field")
        .order_by("field__position", "field_id")
    )


def attachment_for(*, viewer, attachment_id, recipient_id=None) -> DispatchAttachment:
    """An attachment to the sender's side (the dispatch in scope) or to a recipient of
    its dispatch (the recipient row in scope)."""
    queryset = DispatchAttachment.objects.select_related("dispatch")
    if recipient_id is None:
        return scope_for(viewer).get(queryset, pk=attachment_id)
    recipient = received_get(viewer=viewer, recipient_id=recipient_id)
    try:
        return queryset.get(pk=attachment_id, dispatch_id=recipient.dispatch_id)
    except (DispatchAttachment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# ---- what is owed, for the workbench and the dashboard ---------------------------------------


def owed_reports(*, viewer) -> QuerySet[Report]:
    """Reports the viewer answers for and still owes (pending or returned) on sent tasks."""
    condition = access.answerable_q(viewer)
    if condition is None:
        return Report.objects.none()
    recipients = Recipient.objects.filter(condition).values("pk")
    return (
        scope_for(viewer)
        .filter(Report.objects.filter(recipient__in=recipients))
        .filter(state__in=states.OWED, recipient__dispatch__state=Dispatch.State.SENT)
        .select_related("recipient", "recipient__dispatch")
        .order_by("recipient__dispatch__deadline", "id")
    )


def unacknowledged_notices(*, viewer) -> QuerySet[Recipient]:
    condition = access.answerable_q(viewer)
    if condition is None:
        return Recipient.objects.none()
    return (
        scope_for(viewer)
        .filter(Recipient.objects.filter(condition))
        .filter(
            dispatch__kind=Dispatch.Kind.NOTICE,
            dispatch__state=Dispatch.State.SENT,
            receipt__acknowledged_at__isnull=True,
        )
        .select_related("dispatch")
        .order_by("dispatch__deadline", "id")
    )


def to_review(*, viewer) -> QuerySet[Report]:
    """Submitted reports on the viewer's own sends."""
    condition = access.sending_q(viewer)
    if condition is None:
        return Report.objects.none()
    return (
        Report.objects.filter(state=Report.State.SUBMITTED)
        .filter(recipient__dispatch__in=Dispatch.objects.filter(condition).values("pk"))
        .select_related("recipient", "recipient__dispatch")
        .order_by("submitted_at", "id")
    )


def late_to_chase(*, viewer, today: datetime.date | None = None) -> QuerySet[Dispatch]:
    """The viewer's sent tasks past their deadline with reports still owed, with how many."""
    condition = access.sending_q(viewer)
    if condition is None:
        return Dispatch.objects.none()
    today = today or timezone.localdate()
    return (
        Dispatch.objects.filter(condition)
        .filter(state=Dispatch.State.SENT, kind=Dispatch.Kind.TASK, deadline__lt=today)
        .annotate(
            late_count=Count("recipients", filter=Q(recipients__report__state__in=states.OWED))
        )
        .filter(late_count__gt=0)
        .order_by("deadline", "id")
    )


def reports_under(*, viewer, area: Area) -> QuerySet[Report]:
    """Reports owed on sent tasks by recipients under `area`, as the viewer sees them."""
    return (
        scope_for(viewer)
        .filter(Report.objects.all())
        .filter(
            Q(recipient__area__path__startswith=area.path)
            | Q(recipient__org__area__path__startswith=area.path),
            state__in=states.OWED,
            recipient__dispatch__state=Dispatch.State.SENT,
        )
    )


# ---- the inbox --------------------------------------------------------------------------------


def notification_list(*, viewer, unread: bool = False) -> QuerySet[Notification]:
    """The viewer's own inbox (a notification is its recipient's alone)."""
    if not getattr(viewer, "is_authenticated", False):
        return Notification.objects.none()
    queryset = Notification.objects.filter(recipient=viewer)
    if unread:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-id")


def notification_get(*, viewer, notification_id) -> Notification:
    try:
        return notification_list(viewer=viewer).get(pk=notification_id)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def unread_count(viewer) -> int:
    return notification_list(viewer=viewer, unread=True).count()


@dataclass(frozen=True)
class Completion:
    recipients: int
    acknowledged: int
    submitted: int
    accepted: int
    late: int


def completion(dispatch: Dispatch, rows: list[Recipient]) -> Completion:
    today = timezone.localdate()
    reports = [getattr(r, "report", None) for r in rows]
    return Completion(
        recipients=len(rows),
        acknowledged=sum(1 for r in rows if r.receipt.acknowledged_at is not None),
        submitted=sum(1 for p in reports if p is not None and p.state == Report.State.SUBMITTED),
        accepted=sum(1 for p in reports if p is not None and p.state == Report.State.ACCEPTED),
        late=sum(
            1
            for p in reports
            if p is not None and states.is_late(dispatch.deadline, p.state, today)
        ),
    )


# ---- what a sender's form offers --------------------------------------------------------------

TARGET_CHOICES_LIMIT = 500


def target_choices(*, viewer) -> list[Area]:
    """Streets and communities under the areas the viewer sends from, as itself or for
    its departments (bounded)."""
    roots = [a.path for a in access.sender_areas(viewer)]
    roots += [d.area.path for d in access.sender_departments(viewer)]
    if not roots:
        return []
    condition = Q(pk__in=[])
    for root in roots:
        condition |= Q(path__startswith=root)
    return list(
        Area.objects.filter(condition, level__in=(Area.Level.STREET, Area.Level.COMMUNITY))
        .exclude(path__in=roots)
        .order_by("path")[:TARGET_CHOICES_LIMIT]
    )


def org_measures() -> list:
    """The registered org measures (an org rule's choices)."""
    from jiceng.core.org_measures import org_measures as registered

    return registered()


def area_outcomes() -> list:
    """The registered outcomes measured for an area (a rule's or a field's choices)."""
    from jiceng.core.outcomes import AREA, outcomes

    return [o for o in outcomes() if AREA in o.subjects]


# ---- duty admission, for a department's dispatch ---------------------------------------------


def duty_choices(*, viewer) -> list[tuple[str, str]]:
    """(number, label) of the admitted duties the viewer's departments may cite."""
    departments = access.sender_departments(viewer)
    register = admission.registered()
    if not departments or register is None:
        return []
    return register.choices(departments)


def admission_refusal(dispatch: Dispatch) -> ApplicationError | None:
    """Why sending this department's draft would be refused for want of an admitted
    duty now (the same check as sending), or None: the draft page says so before the
    department presses send."""
    from jiceng.linkage.services.dispatches import check_admission, expand_recipients

    if dispatch.state != Dispatch.State.DRAFT or dispatch.sender_department_id is None:
        return None
    try:
        check_admission(dispatch, expand_recipients(dispatch))
    except ApplicationError as refused:
        return refused
    return None


def outside_list_marks(*, viewer, dispatch: Dispatch | None = None) -> QuerySet[Recipient]:
    """The received copies of departments' dispatches that streets marked as outside
    their duty lists, as the viewer sees them (the district all of its own, a
    department its own sends'), newest mark first."""
    queryset = scope_for(viewer).filter(
        Recipient.objects.filter(outside_list_marked_at__isnull=False)
    )
    if dispatch is not None:
        queryset = queryset.filter(dispatch=dispatch)
    return queryset.select_related("dispatch", "dispatch__sender_department", "area").order_by(
        "-outside_list_marked_at", "-id"
    )
