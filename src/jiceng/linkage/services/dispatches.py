"""The sender's side: a notice or a task drafted (text, deadline, period, recipients,
attachments, the fields a task asks back), sent (recipients expanded once into one row
each, their answerers notified), withdrawn or closed."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t

from jiceng.appeals.models import HandlingUnit
from jiceng.core.access import require
from jiceng.core.models import Area
from jiceng.core.org_measures import org_measure
from jiceng.core.outcomes import AREA, RATE, Period, outcome
from jiceng.core.scope import KIND_PARTY_ORG, scope_for
from jiceng.core.types import Actor
from jiceng.core.uploads import accept_pdf, is_pdf, reencode_image
from jiceng.linkage import access, admission, states
from jiceng.linkage.errors import (
    MSG_ADMISSION_UNAVAILABLE,
    MSG_ATTACHMENT_REQUIRED,
    MSG_ATTACHMENTS_FULL,
    MSG_BAD_CHOICE,
    MSG_CHOICES_REQUIRED,
    MSG_DEADLINE_PAST,
    MSG_DEADLINE_REQUIRED,
    MSG_FIELDS_FULL,
    MSG_FIELDS_REQUIRED,
    MSG_NO_RECIPIENTS,
    MSG_NOT_A_TASK,
    MSG_NOT_DRAFT,
    MSG_ORG_RULE_NOT_ALLOWED,
    MSG_OUTCOME_UNKNOWN,
    MSG_PERIOD,
    MSG_REASON_REQUIRED,
    MSG_RECIPIENT_OUTSIDE,
    MSG_RULE_INCOMPLETE,
    MSG_SENDER_DEPARTMENT,
    MSG_SENDER_LEVEL,
    LinkageErrorCode,
    conflict,
    invalid,
)
from jiceng.linkage.models import (
    ATTACHMENTS_PER_DISPATCH,
    BODY_MAX,
    CAPTION_MAX,
    CHOICES_MAX,
    DUTY_MAX,
    FIELDS_PER_TASK,
    LABEL_MAX,
    OUTCOME_KEY_MAX,
    REASON_MAX,
    TITLE_MAX,
    Dispatch,
    DispatchAttachment,
    Receipt,
    Recipient,
    Report,
    ReportField,
)
from jiceng.linkage.services._common import audit_create, audit_update, stored_actor, text
from jiceng.linkage.services.notifications import Message, notify_each
from jiceng.orgs.models import PartyOrg

Code = LinkageErrorCode


@dataclass
class DispatchFacts:
    kind: str
    title: str
    body: str = ""
    deadline: datetime.date | None = None
    period: str = ""
    targeting: str = Dispatch.Targeting.LIST
    target_level: str = Dispatch.Level.COMMUNITY
    target_areas: Sequence[Area] = field(default_factory=list)
    target_orgs: Sequence[PartyOrg] = field(default_factory=list)
    rule_outcome: str = ""
    rule_period: str = ""
    rule_comparison: str = ""
    rule_threshold: Decimal | float | str | None = None
    target_org_group: str = Dispatch.OrgGroup.ALL
    duty_reference: str | None = None


@dataclass
class FieldFacts:
    label: str
    kind: str
    outcome_key: str = ""
    choices: str = ""
    required: bool = True


def _choice(value: str, choices, name: str) -> str:
    if value not in choices.values:
        raise invalid(MSG_BAD_CHOICE, Code.BAD_CHOICE, name)
    return value


def _period(value: str, name: str, *, required: bool) -> str:
    value = text(value, field=name, max_length=16, kind="code")
    if not value:
        if required:
            raise invalid(MSG_PERIOD, Code.PERIOD, name)
        return ""
    try:
        return Period.parse(value).label
    except ValueError:
        raise invalid(MSG_PERIOD, Code.PERIOD, name) from None


def _outcome_key(value: str, name: str) -> str:
    value = text(value, field=name, max_length=OUTCOME_KEY_MAX, kind="code")
    try:
        found = outcome(value)
    except LookupError:
        raise invalid(MSG_OUTCOME_UNKNOWN, Code.OUTCOME_UNKNOWN, name) from None
    if AREA not in found.subjects:
        raise invalid(MSG_OUTCOME_UNKNOWN, Code.OUTCOME_UNKNOWN, name)
    return value


def _org_measure_key(value: str, name: str) -> str:
    value = text(value, field=name, max_length=OUTCOME_KEY_MAX, kind="code")
    try:
        org_measure(value)
    except LookupError:
        raise invalid(MSG_OUTCOME_UNKNOWN, Code.OUTCOME_UNKNOWN, name) from None
    return value


def _below(sender: Area, path: str) -> bool:
    return path.startswith(sender.path) and path != sender.path


def _today(actor: Actor, as_of: datetime.date | None) -> datetime.date:
    """The day the dispatch is made: today, or for the system recording history (the
    demo) an earlier day, so a recorded task can be past its deadline."""
    if as_of is not None and actor is not None:
        raise ValueError("only the system records a dispatch as of another day")
    return as_of or timezone.localdate()


def check_facts(sender: Area, facts: DispatchFacts, today: datetime.date) -> dict:
    """Every input checked before anything is written; the model's fields."""
    kind = _choice(facts.kind, Dispatch.Kind, "kind")
    targeting = _choice(facts.targeting, Dispatch.Targeting, "targeting")
    level = _choice(facts.target_level, Dispatch.Level, "target_level")
    if level == Dispatch.Level.STREET and sender.level != Area.Level.DISTRICT:
        raise invalid(MSG_RECIPIENT_OUTSIDE, Code.RECIPIENT_OUTSIDE, "target_level")
    values: dict[str, Any] = {
        "kind": kind,
        "title": text(facts.title, field="title", max_length=TITLE_MAX, required=True),
        "body": text(facts.body, field="text", max_length=BODY_MAX, kind="multiline"),
        "period": _period(facts.period, "period", required=False),
        "targeting": targeting,
        "target_level": level,
        "deadline": facts.deadline,
        "duty_reference": (
            text(facts.duty_reference, field="duty_reference", max_length=DUTY_MAX) or None
        ),
        "rule_outcome": "",
        "rule_period": "",
        "rule_comparison": "",
        "rule_threshold": None,
        "target_org_group": Dispatch.OrgGroup.ALL,
    }
    if facts.deadline is not None and facts.deadline < today:
        raise invalid(MSG_DEADLINE_PAST, Code.DEADLINE_PAST, "deadline")
    if kind == Dispatch.Kind.TASK and facts.deadline is None:
        raise invalid(MSG_DEADLINE_REQUIRED, Code.DEADLINE_REQUIRED, "deadline")
    if targeting == Dispatch.Targeting.LIST:
        for area in facts.target_areas:
            if not _below(sender, area.path) or area.level not in (
                Area.Level.STREET,
                Area.Level.COMMUNITY,
            ):
                raise invalid(MSG_RECIPIENT_OUTSIDE, Code.RECIPIENT_OUTSIDE, "target_areas")
        for org in facts.target_orgs:
            if not org.area.path.startswith(sender.path) or org.closed_on is not None:
                raise invalid(MSG_RECIPIENT_OUTSIDE, Code.RECIPIENT_OUTSIDE, "target_orgs")
        if not facts.target_areas and not facts.target_orgs:
            raise invalid(MSG_NO_RECIPIENTS, Code.NO_RECIPIENTS, "target_areas")
    if targeting in (Dispatch.Targeting.RULE, Dispatch.Targeting.ORG_RULE):
        if not (facts.rule_outcome and facts.rule_comparison and facts.rule_threshold not in
                (None, "")):  # fmt: skip
            raise invalid(MSG_RULE_INCOMPLETE, Code.RULE_INCOMPLETE, "rule_outcome")
        try:
            threshold = Decimal(str(facts.rule_threshold))
        except InvalidOperation:
            raise invalid(MSG_RULE_INCOMPLETE, Code.RULE_INCOMPLETE, "rule_threshold") from None
        if not threshold.is_finite() or abs(threshold) >= Decimal("1e8"):
            raise invalid(MSG_RULE_INCOMPLETE, Code.RULE_INCOMPLETE, "rule_threshold")
        by_org = targeting == Dispatch.Targeting.ORG_RULE
        values.update(
            rule_outcome=(_org_measure_key if by_org else _outcome_key)(
                facts.rule_outcome, "rule_outcome"
            ),
            rule_period=_period(facts.rule_period, "rule_period", required=True),
            rule_comparison=_choice(facts.rule_comparison, Dispatch.Comparison, "rule_comparison"),
            rule_threshold=threshold.quantize(Decimal("0.0001")),
        )
        if by_org:
            values["target_org_group"] = _choice(
                facts.target_org_group, Dispatch.OrgGroup, "target_org_group"
            )
    return values


def check_org_rule(
    actor: Actor, targeting: str, measure_key: str, department: HandlingUnit | None
) -> None:
    """An org rule reads records about party orgs (meetings, weak-org cases): only the
    district or a street sending as itself uses one, and only a sender whose roles see
    both party orgs and the measure's kind (core.scope). A department sees neither."""
    if targeting != Dispatch.Targeting.ORG_RULE:
        return
    allowed = department is None
    if allowed and actor is not None:
        scope = scope_for(actor)
        kind = org_measure(measure_key).kind
        allowed = scope.can_see_kind(KIND_PARTY_ORG) and scope.can_see_kind(kind)
    if not allowed:
        raise invalid(MSG_ORG_RULE_NOT_ALLOWED, Code.ORG_RULE_NOT_ALLOWED, "targeting")


@transaction.atomic
def dispatch_create(
    *,
    actor: Actor,
    sender_area: Area,
    facts: DispatchFacts,
    fields: Sequence[FieldFacts] = (),
    as_of: datetime.date | None = None,
    sender_department: HandlingUnit | None = None,
) -> Dispatch:
    """A draft notice or task from `sender_area`, with the fields a task asks back; with
    `sender_department`, the department serving that area sends it (its staff only)."""
    if sender_area.level not in access.SENDER_LEVELS:
        raise invalid(MSG_SENDER_LEVEL, Code.SENDER_LEVEL, "sender_area")
    if sender_department is None:
        require(actor, sender_area, access.can_send_from(actor, sender_area))
    else:
        if sender_department.area_id != sender_area.pk:
            raise invalid(MSG_SENDER_DEPARTMENT, Code.SENDER_DEPARTMENT, "sender_department")
        require(actor, sender_area, access.can_send_for(actor, sender_department))
    values = check_facts(sender_area, facts, _today(actor, as_of))
    check_org_rule(actor, values["targeting"], values["rule_outcome"], sender_department)
    checked = [check_field(values["kind"], f, i) for i, f in enumerate(fields)]
    dispatch = Dispatch.objects.create(
        sender_area=sender_area,
        sender_department=sender_department,
        created_by=stored_actor(actor),
        **values,
    )
    if values["targeting"] == Dispatch.Targeting.LIST:
        dispatch.target_areas.set(list(facts.target_areas))
        dispatch.target_orgs.set(list(facts.target_orgs))
    ReportField.objects.bulk_create(
        ReportField(dispatch=dispatch, position=i, **c) for i, c in enumerate(checked)
    )
    audit_create(
        actor,
        dispatch,
        {
            "kind": dispatch.kind,
            "title": dispatch.title,
            "targeting": dispatch.targeting,
            **(
                {"rule": dispatch.rule_outcome, "org_group": dispatch.target_org_group}
                if dispatch.targeting == Dispatch.Targeting.ORG_RULE
                else {}
            ),
            "fields": len(checked),
            "sender_department": dispatch.sender_department_id,
            "duty_reference": dispatch.duty_reference,
        },
    )
    return dispatch


def check_field(kind: str, facts: FieldFacts, index: int | None = None) -> dict:
    prefix = f"fields.{index}." if index is not None else ""
    if kind != Dispatch.Kind.TASK:
        raise invalid(MSG_NOT_A_TASK, Code.NOT_A_TASK, f"{prefix}kind")
    field_kind = _choice(facts.kind, ReportField.Kind, f"{prefix}kind")
    values = {
        "label": text(facts.label, field=f"{prefix}label", max_length=LABEL_MAX, required=True),
        "kind": field_kind,
        "outcome_key": "",
        "choices": "",
        "required": bool(facts.required),
    }
    if field_kind == ReportField.Kind.OUTCOME:
        values["outcome_key"] = _outcome_key(facts.outcome_key, f"{prefix}outcome_key")
    if field_kind == ReportField.Kind.CHOICE:
        options = text(
            facts.choices, field=f"{prefix}choices", max_length=CHOICES_MAX, kind="multiline"
        )
        lines = [line.strip() for line in options.split("\n") if line.strip()]
        if len(lines) < 2:
            raise invalid(MSG_CHOICES_REQUIRED, Code.CHOICES_REQUIRED, f"{prefix}choices")
        values["choices"] = "\n".join(lines)
    return values


def _require_draft(dispatch: Dispatch) -> None:
    if dispatch.state != Dispatch.State.DRAFT:
        raise conflict(MSG_NOT_DRAFT, Code.NOT_DRAFT, "state")


def _locked(dispatch: Dispatch) -> Dispatch:
    locked = (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("sender_area", "sender_department__area")
        .get(pk=dispatch.pk)
    )
    dispatch.state = locked.state
    return locked


@transaction.atomic
def report_field_add(*, actor: Actor, dispatch: Dispatch, facts: FieldFacts) -> ReportField:
    """One more question (or outcome) a draft task asks back."""
    access.require_manage_dispatch(actor, dispatch)
    dispatch = _locked(dispatch)
    _require_draft(dispatch)
    values = check_field(dispatch.kind, facts)
    count = dispatch.fields.count()
    if count >= FIELDS_PER_TASK:
        raise conflict(MSG_FIELDS_FULL, Code.FIELDS_FULL, "label")
    created = ReportField.objects.create(dispatch=dispatch, position=count, **values)
    audit_create(actor, created, {"dispatch": dispatch.pk, **values})
    return created


@transaction.atomic
def attachment_add(
    *, actor: Actor, dispatch: Dispatch, upload, caption: str = ""
) -> DispatchAttachment:
    """A photo or PDF sent with the dispatch, made safe by core.uploads."""
    access.require_manage_dispatch(actor, dispatch)
    dispatch = _locked(dispatch)
    _require_draft(dispatch)
    caption = text(caption, field="caption", max_length=CAPTION_MAX)
    if upload is None:
        raise invalid(MSG_ATTACHMENT_REQUIRED, Code.ATTACHMENT_REQUIRED, "file")
    if dispatch.attachments.count() >= ATTACHMENTS_PER_DISPATCH:
        raise conflict(MSG_ATTACHMENTS_FULL, Code.ATTACHMENTS_FULL, "file")
    if is_pdf(upload):
        content, kind = accept_pdf(upload, field="file"), DispatchAttachment.Kind.DOCUMENT
    else:
        content, kind = reencode_image(upload, field="file"), DispatchAttachment.Kind.PHOTO
    attachment = DispatchAttachment(
        dispatch=dispatch,
        kind=kind,
        caption=caption,
        size=content.size,
        uploaded_by=stored_actor(actor),
    )
    attachment.file.save(content.name, content, save=False)
    attachment.save()
    audit_create(actor, attachment, {"dispatch": dispatch.pk, "kind": kind, "size": content.size})
    return attachment


# ---- sending ----------------------------------------------------------------------------------


def check_admission(dispatch: Dispatch, targets: Sequence["Target"]) -> str:
    """Duty admission (职责下沉准入, SPEC §7): a department's task must cite a duty the
    district admitted for every recipient's street, or it is refused with the duties
    app's refusal (field "duty", a DutyErrorCode). A department's notice informs and asks
    nothing back, so it needs no duty (one it cites is checked all the same); a notice
    that in fact pushes work down is what a street marks as outside its list, which the
    district sees. Returns the cited duty's title ("" when none is needed)."""
    department = dispatch.sender_department
    if department is None:
        return ""
    if not dispatch.is_task and not dispatch.duty_reference:
        return ""
    check = admission.registered()
    if check is None:
        raise invalid(MSG_ADMISSION_UNAVAILABLE, Code.ADMISSION_UNAVAILABLE, "duty")
    places = [area if area is not None else org.area for area, org in targets]  # type: ignore[union-attr]
    return check.require(department=department, places=places, reference=dispatch.duty_reference)


def _check_sender_may_send(actor: Actor, dispatch: Dispatch, targets: Sequence["Target"]) -> str:
    """The one place a sender's right to send this dispatch is decided beyond its role
    (checked by access.require_manage_dispatch): a district or a street sends as
    itself; a department's task also cites an admitted duty covering its recipients
    (check_admission)."""
    if dispatch.sender_area.level not in access.SENDER_LEVELS:
        raise invalid(MSG_SENDER_LEVEL, Code.SENDER_LEVEL, "sender_area")
    check_org_rule(actor, dispatch.targeting, dispatch.rule_outcome, dispatch.sender_department)
    return check_admission(dispatch, targets)


def _compare(value: float, comparison: str, threshold: Decimal) -> bool:
    number = Decimal(str(value))
    return {
        Dispatch.Comparison.BELOW: number < threshold,
        Dispatch.Comparison.AT_MOST: number <= threshold,
        Dispatch.Comparison.ABOVE: number > threshold,
        Dispatch.Comparison.AT_LEAST: number >= threshold,
    }[Dispatch.Comparison(comparison)]


Target = tuple[Area | None, PartyOrg | None]


def _flags(dispatch: Dispatch, unit: str, figure) -> bool:
    if figure.value is None:
        return False
    value = figure.value * 100 if unit == RATE else figure.value
    return _compare(value, dispatch.rule_comparison, dispatch.rule_threshold or Decimal(0))


def org_candidates(dispatch: Dispatch):
    """The open party orgs placed below the sender's area (its own committee sits at the
    area itself and is not sent to), of the chosen group; party groups answer through
    their branch and are left out."""
    orgs = (
        PartyOrg.objects.filter(
            area__path__startswith=dispatch.sender_area.path, closed_on__isnull=True
        )
        .exclude(area_id=dispatch.sender_area_id)
        .exclude(kind=PartyOrg.Kind.GROUP)
    )
    if dispatch.target_org_group == Dispatch.OrgGroup.COMMUNITY:
        orgs = orgs.filter(domain=PartyOrg.Domain.COMMUNITY)
    elif dispatch.target_org_group == Dispatch.OrgGroup.UNIT:
        orgs = orgs.exclude(domain=PartyOrg.Domain.COMMUNITY)
    return orgs


def _orgs_flagged(dispatch: Dispatch) -> list[Target]:
    """The orgs the org rule flags: the measure answers for all candidates at once (a
    bounded number of queries, however many orgs), then one query loads those flagged."""
    measure = org_measure(dispatch.rule_outcome)
    candidates = org_candidates(dispatch)
    figures = measure.measure(candidates, Period.parse(dispatch.rule_period))
    chosen = {pk for pk, figure in figures.items() if _flags(dispatch, measure.unit, figure)}
    if not chosen:
        return []
    # Kept from the candidates themselves, so a measure answering for more orgs cannot
    # widen the recipients; filtered here rather than by an IN list of up to a city's
    # ~22,000 ids, which SQLite's limit on query parameters may refuse.
    found = candidates.select_related("area").order_by("path")
    return [(None, org) for org in found if org.pk in chosen]


def expand_recipients(dispatch: Dispatch) -> list[Target]:
    """The recipients as they are now: the list, every area of the level under the
    sender, those areas the rule flags (a rate's threshold is in percent), or the party
    orgs under the sender the org rule flags."""
    sender = dispatch.sender_area
    if dispatch.targeting == Dispatch.Targeting.ORG_RULE:
        return _orgs_flagged(dispatch)
    if dispatch.targeting == Dispatch.Targeting.LIST:
        areas = list(dispatch.target_areas.order_by("path"))
        orgs = list(dispatch.target_orgs.select_related("area").order_by("path"))
        listed: list[Target] = [(a, None) for a in areas]
        return listed + [(None, o) for o in orgs]
    candidates = list(
        Area.objects.filter(level=dispatch.target_level, path__startswith=sender.path)
        .exclude(pk=sender.pk)
        .order_by("path")
    )
    if dispatch.targeting == Dispatch.Targeting.CHILDREN:
        everyone: list[Target] = [(a, None) for a in candidates]
        return everyone
    rule = outcome(dispatch.rule_outcome)
    period = Period.parse(dispatch.rule_period)
    return [(a, None) for a in candidates if _flags(dispatch, rule.unit, rule.measure(a, period))]


def recipient_url(recipient: Recipient) -> str:
    return reverse("linkage:received", args=[recipient.pk])


@transaction.atomic
def dispatch_send(
    *, actor: Actor, dispatch: Dispatch, as_of: datetime.date | None = None
) -> Dispatch:
    """Send a draft: the recipients expanded once, a receipt (and for a task a pending
    report) each, their answerers notified."""
    access.require_manage_dispatch(actor, dispatch)
    dispatch = _locked(dispatch)
    before = states.step_dispatch(dispatch, "send")
    fields = list(dispatch.fields.all())
    if dispatch.is_task:
        if not fields:
            raise invalid(MSG_FIELDS_REQUIRED, Code.FIELDS_REQUIRED, "fields")
        if dispatch.deadline is None:
            raise invalid(MSG_DEADLINE_REQUIRED, Code.DEADLINE_REQUIRED, "deadline")
        if any(f.kind == ReportField.Kind.OUTCOME for f in fields) and not dispatch.period:
            raise invalid(MSG_PERIOD, Code.PERIOD, "period")
    today = _today(actor, as_of)
    if dispatch.deadline is not None and dispatch.deadline < today:
        raise invalid(MSG_DEADLINE_PAST, Code.DEADLINE_PAST, "deadline")
    targets = expand_recipients(dispatch)
    if not targets:
        raise invalid(MSG_NO_RECIPIENTS, Code.NO_RECIPIENTS, "targeting")
    duty = _check_sender_may_send(actor, dispatch, targets)
    recipients = Recipient.objects.bulk_create(
        Recipient(
            dispatch=dispatch,
            area=area,
            org=org,
            name=(area.name if area is not None else org.name)[:LABEL_MAX],  # type: ignore[union-attr]
        )
        for area, org in targets
    )
    Receipt.objects.bulk_create(Receipt(recipient=r) for r in recipients)
    if dispatch.is_task:
        Report.objects.bulk_create(Report(recipient=r) for r in recipients)
    now = timezone.now()
    if as_of is not None:
        now = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time(9)))
    dispatch.sent_at = now
    dispatch.save(update_fields=["state", "sent_at"])
    audit_update(
        actor,
        dispatch,
        {
            "state": {"old": before, "new": dispatch.state},
            "recipients": len(recipients),
            **({"duty": duty} if duty else {}),
        },
    )
    notify_recipients(
        recipients,
        title=_t("新%(kind)s：%(title)s")
        % {"kind": dispatch.get_kind_display(), "title": dispatch.title},
        body=_t("来自%(sender)s") % {"sender": sender_name(dispatch)}
        + (_t("，截止 %(date)s") % {"date": dispatch.deadline} if dispatch.deadline else ""),
    )
    return dispatch


def sender_name(dispatch: Dispatch) -> str:
    department = dispatch.sender_department
    return department.name if department is not None else dispatch.sender_area.name


def notify_recipients(recipients: Sequence[Recipient], *, title: str, body: str = "") -> int:
    """Each recipient's answerers, with a link to the recipient's own page."""
    from jiceng.linkage.services._common import answerers

    found = answerers(recipients)
    messages = [Message(found[r.pk], title, body, recipient_url(r)) for r in recipients]
    return notify_each([m for m in messages if m.users])


def _reason(reason: str) -> str:
    cleaned = text(reason, field="reason", max_length=REASON_MAX)
    if not cleaned:
        raise invalid(MSG_REASON_REQUIRED, Code.REASON_REQUIRED, "reason")
    return cleaned


@transaction.atomic
def dispatch_withdraw(*, actor: Actor, dispatch: Dispatch, reason: str) -> Dispatch:
    """Withdraw a draft or a sent dispatch, with the reason (told to the recipients)."""
    access.require_manage_dispatch(actor, dispatch)
    reason = _reason(reason)
    dispatch = _locked(dispatch)
    before = states.step_dispatch(dispatch, "withdraw")
    dispatch.withdraw_reason = reason
    dispatch.closed_at = timezone.now()
    dispatch.save(update_fields=["state", "withdraw_reason", "closed_at"])
    audit_update(
        actor, dispatch, {"state": {"old": before, "new": dispatch.state}, "reason": reason}
    )
    if before == Dispatch.State.SENT:
        notify_recipients(
            list(dispatch.recipients.select_related("area", "org__area")),
            title=_t("已撤回：%(title)s") % {"title": dispatch.title},
            body=reason,
        )
    return dispatch


@transaction.atomic
def dispatch_close(*, actor: Actor, dispatch: Dispatch) -> Dispatch:
    """End a sent dispatch: no more reports are taken."""
    access.require_manage_dispatch(actor, dispatch)
    dispatch = _locked(dispatch)
    before = states.step_dispatch(dispatch, "close")
    dispatch.closed_at = timezone.now()
    dispatch.save(update_fields=["state", "closed_at"])
    audit_update(actor, dispatch, {"state": {"old": before, "new": dispatch.state}})
    return dispatch
