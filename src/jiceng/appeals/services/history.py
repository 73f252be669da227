"""Cases received and handled in the past, recorded in bulk: the history a deployment
brings over from the hotline system it replaces, and the demo's year of cases. Each case
is replayed step by step through the lifecycle (appeals.states) and the live services'
checks, and written with a few statements per batch."""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from jiceng.appeals import events, open_rollup, rollup, states
from jiceng.appeals.deadlines import AWAITING_REPLY, AWAITING_RESPONSE, deadlines
from jiceng.appeals.errors import (
    MSG_RECORD_ACTION,
    MSG_RECORD_NO_SUMMONS,
    MSG_RECORD_ROW,
    MSG_RECORD_TIME,
    MSG_RECORD_UNIT,
    invalid,
)
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.models import Appeal, HandlingUnit, Mediation, Summons, SummonsTarget
from jiceng.appeals.services.cases import Intake, intake_keys, intake_texts, new_tracking_code
from jiceng.appeals.services.mediation import check_mediation
from jiceng.appeals.services.summons import act, check_summons, report
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.core.types import Actor
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


def _recorded_dispatch(appeal: Appeal, step: CaseStep) -> states.Move:
    if step.unit is None:
        raise invalid(MSG_RECORD_UNIT, Code.UNIT_REQUIRED, "unit")
    states.check_unit_for(appeal, step.unit)
    # Shown to the resident as an automatic dispatch is, with the step's note if any.
    note = step.note or states.dispatched_note(step.unit)
    return states.dispatch(unit=step.unit, note=note, public=True)


# Each recorded action of the transition table as the lifecycle's step (appeals.states),
# from the recorded step's inputs: the same checks and effects as the live service's.
RECORDED_MOVES: dict[str, Callable[[Appeal, CaseStep], states.Move]] = {
    "dispatch": _recorded_dispatch,
    "accept": lambda appeal, step: states.accept(appeal, at=step.at),
    "return": lambda appeal, step: states.return_(appeal, reason=step.note),
    "start": lambda appeal, step: states.start(note=step.note),
    "reply": lambda appeal, step: states.reply(reply=step.note, at=step.at),
    "rate": lambda appeal, step: states.rate(
        resolved=step.resolved, satisfaction=step.satisfaction, comment=step.note, at=step.at
    ),
    "close": lambda appeal, step: states.close(at=step.at, note=step.note),
    "reopen": lambda appeal, step: states.reopen(appeal, reason=step.note, at=step.at),
}
# The resident rates and the system closes: no name on the timeline, as live.
UNNAMED_MOVES = {"rate", "close"}


class _CaseReplay:
    """Replays one recorded case through the lifecycle (appeals.states) and the live
    services' checks, building the rows they would have written: the case, its events
    (with the deadline check's "overdue" marks and one escalation where a clock ran out
    before the next step), summons with their targets, the mediation record."""

    def __init__(self, appeal: Appeal, *, now: datetime.datetime) -> None:
        self.appeal = appeal
        self.now = now
        self.events: list[events.Event] = [events.received(appeal, at=appeal.received_at)]
        self.summonses: list[tuple[Summons, list[SummonsTarget]]] = []
        self.mediation: Mediation | None = None
        self.last = appeal.received_at

    def take(self, move: states.Move | None, at: datetime.datetime, label: str = "") -> None:
        while move is not None:
            before = states.apply(self.appeal, move)
            self.events.append(events.moved(self.appeal, move, before=before, at=at, label=label))
            move = move.then

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
            self.take(states.overdue(appeal, clock), due)

    def step(self, step: CaseStep) -> None:
        if step.at < self.last or step.at > self.now:
            raise invalid(MSG_RECORD_TIME, Code.RECORD_TIME, "at")
        self.overdue_until(step.at)
        self.last = step.at
        if step.action in RECORDED_MOVES:
            move = RECORDED_MOVES[step.action](self.appeal, step)
            label = "" if step.action in UNNAMED_MOVES else step.actor_label
            self.take(move, step.at, label)
        elif step.action == "summon":
            self.summon(step)
        elif step.action in ("summons_report", "summons_act"):
            self.answer(step)
        elif step.action == "mediation":
            self.mediate(step)
        else:
            raise invalid(MSG_RECORD_ACTION, Code.RECORD_ACTION, "action")

    def summon(self, step: CaseStep) -> None:
        appeal, at = self.appeal, step.at
        reason, units = check_summons(appeal, reason=step.note, units=step.units)
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
        self.events.append(
            events.summoned(
                appeal,
                summons=summons,
                units=[u.pk for u in units],
                reason=reason,
                at=at,
                label=step.actor_label,
            )
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
            raise invalid(MSG_RECORD_NO_SUMMONS, Code.RECORD_NO_SUMMONS, "unit")
        if step.action == "summons_report":
            report(target, at=step.at)
            note = ""
        else:
            note = act(target, note=step.note, at=step.at)
        self.events.append(
            events.summons_answered(
                self.appeal,
                action=step.action,
                target=target,
                at=step.at,
                note=note,
                label=step.actor_label,
            )
        )

    def mediate(self, step: CaseStep) -> None:
        appeal = self.appeal
        parties = check_mediation(appeal, parties=step.parties, outcome=step.outcome)
        self.mediation = Mediation(
            appeal=appeal,
            parties=parties[:10],
            outcome=step.outcome,
            agreement=(step.note or "").strip()[:2000],
            mediator=(step.mediator or "").strip()[:50],
            mediated_on=timezone.localtime(step.at).date(),
        )
        self.events.append(
            events.mediated(appeal, outcome=step.outcome, at=step.at, label=step.actor_label)
        )


def appeal_bulk_create(*, actor: Actor, cases: Sequence[CaseRecord], batch_size: int = 2000) -> int:
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
            raise ValidationFailed(message, field=error.field, code=error.code) from None
        if key:
            keys.add((client, key))
    on_file: set[tuple[str, str]] = set()
    key_list = sorted(keys)
    for start in range(0, len(key_list), 500):
        pairs = key_list[start : start + 500]
        on_file.update(
            Appeal.objects.filter(
                client__in={c for c, _k in pairs}, idempotency_key__in={k for _c, k in pairs}
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
            assert street is not None  # recorded cases name their place
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
        written = 0
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
            written += events.record_many((e for r in chunk for e in r.events), live=False)
        totals = rollup.Totals()
        for replay in replays:
            rollup.tally(totals, replay.appeal)
        rollup.add_many(totals)
        open_rollup.add_cases(replay.appeal for replay in replays)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.BULK_CREATE,
            target_type="appeals.appeal",
            target_label=f"{len(replays)} appeals",
            changes={"count": len(replays), "events": written},
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
        raise invalid(MSG_RECORD_TIME, Code.RECORD_TIME, "received_at")
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
    return _CaseReplay(appeal, now=now)
