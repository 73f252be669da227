"""Cases received and handled in the past, recorded in bulk: the history a deployment
brings over from the hotline system it replaces, and the demo's year of cases. Each case
is replayed step by step through the transition table and the live services' rules."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.appeals import rollup
from jiceng.appeals.deadlines import (
    AWAITING_REPLY,
    AWAITING_RESPONSE,
    deadlines,
    escalation_target,
)
from jiceng.appeals.errors import (
    DESCRIPTION_MAX,
    MSG_CASE_CLOSED,
    MSG_DESCRIPTION_LONG,
    MSG_NOT_MEDIATION,
    MSG_OUTCOME,
    MSG_PARTIES,
    MSG_REASON,
    MSG_RECORD_ACTION,
    MSG_RECORD_NO_SUMMONS,
    MSG_RECORD_ROW,
    MSG_RECORD_TIME,
    MSG_RECORD_UNIT,
    MSG_REOPEN_LATE,
    MSG_REOPEN_SATISFIED,
    MSG_REPLY,
    MSG_SATISFACTION,
    MSG_SUMMONS_DONE,
    MSG_SUMMONS_KIND,
    MSG_SUMMONS_NOT_REPORTED,
    MSG_SUMMONS_UNITS,
)
from jiceng.appeals.models import (
    Appeal,
    AppealEvent,
    HandlingUnit,
    Mediation,
    Summons,
    SummonsTarget,
)
from jiceng.appeals.services.cases import Intake, intake_keys, intake_texts, new_tracking_code
from jiceng.appeals.services.handling import _check_unit_for
from jiceng.appeals.states import transition_for
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.bulk import insert_rows
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.core.validators import clean_name, clean_text
from jiceng.core.workdays import add_hours, add_working_days


@dataclass
class CaseStep:
    """One past step of a case, in the terms of the live services: an action of the
    transition table (dispatch, accept, return, start, reply, rate, close, reopen) or
    summon, summons_report, summons_act, mediation."""

    action: str
    at: datetime.datetime
    unit: HandlingUnit | None = None  # dispatch; summons_report and summons_act
    units: Sequence[HandlingUnit] = ()  # summon
    note: str = ""  # reason, reply, comment, what a department did, mediation agreement
    resolved: bool | None = None  # rate
    satisfaction: str = ""  # rate
    parties: Sequence[str] = ()  # mediation
    outcome: str = ""  # mediation
    mediator: str = ""  # mediation
    actor_label: str = ""  # who did it, as the timeline shows it


@dataclass
class CaseRecord:
    """A case received at `received_at` and handled through `steps`, in order."""

    intake: Intake
    received_at: datetime.datetime
    steps: Sequence[CaseStep] = ()


RECORD_EXTRA_ACTIONS = {"summon", "summons_report", "summons_act", "mediation"}


class _CaseReplay:
    """Replays one recorded case through the transition table and the live services'
    rules, building the rows they would have written: the case, its events (with the
    deadline check's "overdue" marks and one escalation where a clock ran out before the
    next step), summons with their targets, the mediation record."""

    def __init__(self, appeal: Appeal, *, now: datetime.datetime) -> None:
        self.appeal = appeal
        self.now = now
        self.events: list[dict] = []
        self.summonses: list[tuple[Summons, list[SummonsTarget]]] = []
        self.mediation: Mediation | None = None
        self.last = appeal.received_at

    def event(self, action, at, *, from_state="", note="", public=False, data=None, label=""):
        self.events.append(
            {
                "action": action,
                "from_state": from_state,
                "to_state": self.appeal.state,
                "at": at,
                "actor_label": label or "system",
                "note": note,
                "is_public": public,
                "data": data or {},
            }
        )

    def move(self, action: str, at, *, note="", public=False, data=None, label="", **fields):
        appeal = self.appeal
        transition = transition_for(appeal, action)
        before = appeal.state
        appeal.state = transition.target
        for key, value in fields.items():
            setattr(appeal, key, value)
        self.event(action, at, from_state=before, note=note, public=public, data=data, label=label)

    def overdue_until(self, moment: datetime.datetime) -> None:
        """What `check_deadlines` would have marked before `moment`."""
        appeal = self.appeal
        for clock, due, waiting in (
            ("response", appeal.response_due_at, appeal.state in AWAITING_RESPONSE),
            ("resolution", appeal.resolution_due_at, appeal.state in AWAITING_REPLY),
        ):
            if clock == "response" and appeal.responded_at is not None:
                continue
            if not waiting or getattr(appeal, f"{clock}_overdue") or due >= moment:
                continue
            setattr(appeal, f"{clock}_overdue", True)
            data = {"clock": clock}
            if appeal.escalated_to_id is None:
                target = escalation_target(appeal)
                if target is not None:
                    appeal.escalated_to = target
                    data["escalated_to"] = target.pk
            self.event("overdue", due, from_state=appeal.state, data=data)

    def step(self, step: CaseStep) -> None:
        appeal, at, label = self.appeal, step.at, step.actor_label
        if at < self.last or at > self.now:
            raise ValidationFailed(MSG_RECORD_TIME, field="at")
        self.overdue_until(at)
        self.last = at
        action = step.action
        if action == "dispatch":
            if step.unit is None:
                raise ValidationFailed(MSG_RECORD_UNIT, field="unit")
            _check_unit_for(appeal, step.unit)
            note = step.note or str(_("已派至{unit}")).format(unit=step.unit.name)
            self.move(
                "dispatch",
                at,
                note=note,
                public=True,
                data={"unit": step.unit.pk},
                label=label,
                unit=step.unit,
                unroutable_reason="",
            )
        elif action == "accept":
            fields = {"responded_at": at} if appeal.responded_at is None else {}
            note = str(_("承办单位已签收"))
            self.move("accept", at, note=note, public=True, label=label, **fields)
        elif action == "return":
            reason = (step.note or "").strip()
            if not reason:
                raise ValidationFailed(MSG_REASON, field="reason")
            unit = appeal.unit
            self.move(
                "return",
                at,
                note=reason[:500],
                data={"unit": unit.pk if unit else None},
                label=label,
                unit=None,
                unroutable_reason=str(_("退单：{reason}")).format(reason=reason[:150]),
            )
        elif action == "start":
            self.move("start", at, note=step.note[:500], label=label)
        elif action == "reply":
            reply = clean_text(step.note, multiline=True)
            if not reply:
                raise ValidationFailed(MSG_REPLY, field="reply")
            if len(reply) > DESCRIPTION_MAX:
                raise ValidationFailed(MSG_DESCRIPTION_LONG, field="reply")
            self.move(
                "reply",
                at,
                note=reply,
                public=True,
                label=label,
                replied_at=at,
                public_reply=reply,
            )
        elif action == "rate":
            if step.satisfaction not in Appeal.Satisfaction.values:
                raise ValidationFailed(MSG_SATISFACTION, field="satisfaction")
            self.move(
                "rate",
                at,
                note=clean_text(step.note, multiline=True)[:500],
                public=True,
                resolved=bool(step.resolved),
                satisfaction=step.satisfaction,
                rated_at=at,
            )
            if step.satisfaction != Appeal.Satisfaction.UNSATISFIED:
                self.move("close", at, public=True, closed_at=at)
        elif action == "close":
            self.move("close", at, note=step.note, public=True, closed_at=at)
        elif action == "reopen":
            self.reopen(step)
        elif action == "summon":
            self.summon(step)
        elif action in ("summons_report", "summons_act"):
            self.answer(step)
        elif action == "mediation":
            self.mediate(step)
        else:
            raise ValidationFailed(MSG_RECORD_ACTION, field="action")

    def reopen(self, step: CaseStep) -> None:
        appeal, at = self.appeal, step.at
        reason = (step.note or "").strip()
        if not reason:
            raise ValidationFailed(MSG_REASON, field="reason")
        if appeal.satisfaction and appeal.satisfaction != Appeal.Satisfaction.UNSATISFIED:
            raise Conflict(MSG_REOPEN_SATISFIED, field="state")
        limit = (appeal.replied_at or appeal.received_at) + datetime.timedelta(
            days=appeal.category.reopen_days
        )
        if at > limit:
            raise Conflict(MSG_REOPEN_LATE, field="state")
        response_due, resolution_due = deadlines(appeal.category, at)
        self.move(
            "reopen",
            at,
            note=reason[:500],
            public=True,
            label=step.actor_label,
            reopen_count=appeal.reopen_count + 1,
            closed_at=None,
            unroutable_reason=str(_("重办：{reason}")).format(reason=reason[:150]),
            response_due_at=response_due,
            resolution_due_at=resolution_due,
            response_overdue=False,
            resolution_overdue=False,
        )

    def summon(self, step: CaseStep) -> None:
        appeal, at = self.appeal, step.at
        if not appeal.is_open:
            raise Conflict(MSG_CASE_CLOSED, field="state")
        reason = (step.note or "").strip()
        if not reason:
            raise ValidationFailed(MSG_REASON, field="reason")
        units = list({u.pk: u for u in step.units}.values())
        if not units:
            raise ValidationFailed(MSG_SUMMONS_UNITS, field="units")
        for unit in units:
            if unit.kind != HandlingUnit.Kind.DEPARTMENT:
                raise ValidationFailed(MSG_SUMMONS_KIND, field="units")
            _check_unit_for(appeal, unit)
        summons = Summons(
            appeal=appeal,
            street=appeal.street,
            reason=reason[:300],
            created_at=at,
            created_by=None,
        )
        targets = [
            SummonsTarget(
                summons=summons,
                unit=unit,
                report_due_at=add_hours(at, 24),
                act_due_at=add_working_days(at, 3),
            )
            for unit in units
        ]
        self.summonses.append((summons, targets))
        self.event(
            "summon",
            at,
            from_state=appeal.state,
            note=reason,
            label=step.actor_label,
            data={"summons": summons, "units": [u.pk for u in units]},
        )

    def answer(self, step: CaseStep) -> None:
        """A summoned department reports (报到) or records what it did."""
        target = next(
            (
                t
                for _summons, targets in reversed(self.summonses)
                for t in targets
                if step.unit is not None and t.unit_id == step.unit.pk
            ),
            None,
        )
        if target is None:
            raise ValidationFailed(MSG_RECORD_NO_SUMMONS, field="unit")
        if step.action == "summons_report":
            if target.reported_at is not None:
                raise Conflict(MSG_SUMMONS_DONE, field="reported_at")
            target.reported_at = step.at
            note = ""
        else:
            if target.reported_at is None:
                raise Conflict(MSG_SUMMONS_NOT_REPORTED, field="reported_at")
            note = (step.note or "").strip()
            if not note:
                raise ValidationFailed(MSG_REPLY, field="note")
            target.acted_at, target.action_note = step.at, note[:2000]
        self.event(
            step.action,
            step.at,
            from_state=self.appeal.state,
            note=note,
            label=step.actor_label,
            data={"target": target, "unit": target.unit_id},
        )

    def mediate(self, step: CaseStep) -> None:
        appeal = self.appeal
        if not appeal.category.is_mediation:
            raise ValidationFailed(MSG_NOT_MEDIATION, field="category")
        parties = [clean_name(p) for p in step.parties if clean_name(p)]
        if len(parties) < 2:
            raise ValidationFailed(MSG_PARTIES, field="parties")
        if step.outcome and step.outcome not in Mediation.Outcome.values:
            raise ValidationFailed(MSG_OUTCOME, field="outcome")
        self.mediation = Mediation(
            appeal=appeal,
            parties=parties[:10],
            outcome=step.outcome,
            agreement=(step.note or "").strip()[:2000],
            mediator=(step.mediator or "").strip()[:50],
            mediated_on=timezone.localtime(step.at).date(),
        )
        self.event(
            "mediation",
            step.at,
            from_state=appeal.state,
            label=step.actor_label,
            data={"outcome": step.outcome},
        )


def _resolve_ids(data: dict) -> dict:
    """Event data may name rows written after it was built (summons, targets)."""
    return {key: value.pk if isinstance(value, Model) else value for key, value in data.items()}


def appeal_bulk_create(*, actor, cases: Sequence[CaseRecord], batch_size: int = 2000) -> int:
    """Record many cases that were received and handled in the past, each with its steps
    and their times: the history a deployment brings over from the hotline system it
    replaces, and the demo's year of cases.

    Each case passes the checks of `appeal_intake` and each step those of its live
    service, replayed through the transition table at the step's time: deadlines come
    from the category and the time of receipt (or of reopening), and a clock that ran out
    before the step that stopped it is marked overdue and escalated once, as
    `check_deadlines` would have done at the time. Clocks still running are left to
    `check_deadlines`. The monthly counters are added in the same transaction.

    All or nothing: a bad case raises the error its service would, with the case's place
    in `cases` (from 1) in the message. A case whose (client, idempotency key) is on file
    already is skipped, so a migration can be run again. One audit entry for the call;
    contact phones are encrypted and never enter it. Returns the number of cases written.
    """
    now = timezone.now()
    keys = set()
    for number, case in enumerate(cases, start=1):
        try:
            client, key = intake_keys(case.intake)
        except ValidationFailed as error:
            message = str(MSG_RECORD_ROW).format(row=number, message=error.message)
            raise ValidationFailed(message, field=error.field) from None
        if key:
            keys.add((client, key))
    on_file: set[tuple[str, str]] = set()
    key_list = sorted(keys)
    for start in range(0, len(key_list), 500):
        chunk = key_list[start : start + 500]
        on_file.update(
            Appeal.objects.filter(
                client__in={c for c, _k in chunk}, idempotency_key__in={k for _c, k in chunk}
            ).values_list("client", "idempotency_key")
        )
    codes: set[str] = set()
    for case in cases:
        parts = [p for p in (case.intake.area.path if case.intake.area else "").split("/") if p]
        codes.update(parts[2:4])
    places = {a.code: a for a in Area.objects.filter(code__in=codes).select_related("parent")}
    checked_streets: set[int] = set()
    replays: list[_CaseReplay] = []
    for number, case in enumerate(cases, start=1):
        try:
            replay = _record_case(case, now=now, places=places, on_file=on_file)
            if replay is None:
                continue
            street = replay.appeal.street
            if actor is not None and street.pk not in checked_streets:
                require_manage_area(actor, street)
                checked_streets.add(street.pk)
            for step in case.steps:
                replay.step(step)
        except (ValidationFailed, Conflict) as error:
            message = str(MSG_RECORD_ROW).format(row=number, message=error.message)
            raise type(error)(message, field=error.field, code=error.code) from None
        replays.append(replay)
    if not replays:
        return 0
    with transaction.atomic():
        events = 0
        for start in range(0, len(replays), batch_size):
            chunk = replays[start : start + batch_size]
            Appeal.objects.bulk_create([r.appeal for r in chunk], batch_size=batch_size)
            summonses = [(s, targets) for r in chunk for s, targets in r.summonses]
            for summons, _targets in summonses:
                summons.appeal_id = summons.appeal.pk
            Summons.objects.bulk_create([s for s, _t in summonses], batch_size=batch_size)
            for summons, targets in summonses:
                for target in targets:
                    target.summons_id = summons.pk
            SummonsTarget.objects.bulk_create(
                [t for _s, targets in summonses for t in targets], batch_size=batch_size
            )
            mediations = [r.mediation for r in chunk if r.mediation is not None]
            for mediation in mediations:
                mediation.appeal_id = mediation.appeal.pk
            Mediation.objects.bulk_create(mediations, batch_size=batch_size)
            rows = [
                (
                    r.appeal.pk,
                    e["action"],
                    e["from_state"],
                    e["to_state"],
                    e["at"],
                    None,
                    e["actor_label"],
                    e["note"],
                    e["is_public"],
                    _resolve_ids(e["data"]),
                )
                for r in chunk
                for e in r.events
            ]
            insert_rows(
                AppealEvent,
                [
                    "appeal_id",
                    "action",
                    "from_state",
                    "to_state",
                    "at",
                    "actor_id",
                    "actor_label",
                    "note",
                    "is_public",
                    "data",
                ],
                rows,
            )
            events += len(rows)
        totals: rollup.Totals = {}
        for replay in replays:
            rollup.tally(totals, replay.appeal)
        rollup.add_many(totals)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.BULK_CREATE,
            target_type="appeals.appeal",
            target_label=f"{len(replays)} appeals",
            changes={"count": len(replays), "events": events},
        )
    return len(replays)


def _record_case(case: CaseRecord, *, now, places, on_file) -> "_CaseReplay | None":
    """The case as `appeal_intake` would have received it at `case.received_at`."""
    intake = case.intake
    client, key = intake_keys(intake)
    if key:
        if (client, key) in on_file:
            return None
        on_file.add((client, key))
    texts = intake_texts(intake)  # the same checks as every live intake
    category = intake.category
    if case.received_at > now:
        raise ValidationFailed(MSG_RECORD_TIME, field="received_at")
    parts = [p for p in intake.area.path.split("/") if p]
    street = places[parts[2]]
    community = intake.area if intake.area.level == Area.Level.COMMUNITY else places[parts[3]]
    response_due, resolution_due = deadlines(category, case.received_at)
    appeal = Appeal(
        tracking_code=new_tracking_code(),
        channel=intake.channel,
        category=category,
        area=intake.area,
        street=street,
        community=community,
        latitude=intake.latitude,
        longitude=intake.longitude,
        **texts,
        received_at=case.received_at,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        client=client,
        idempotency_key=key,
        created_by=None,
    )
    replay = _CaseReplay(appeal, now=now)
    replay.event("receive", case.received_at, public=True, note=str(_("诉求已受理")))
    return replay
