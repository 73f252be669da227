"""The district's yearly scheme (考核方案): which outcomes, their weights (summing to
100) and scoring rules, who is assessed, and the weight of the review. Versioned: an
edit before the assessment opens makes a new version (the old one is kept, superseded);
opening freezes the version and starts the year's assessments (an assessment, an empty
report and the scheme's tasks for each assessed org); publishing makes the ranking
visible to every assessed org of the district."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from jiceng.assessment import access
from jiceng.assessment.errors import (
    MSG_BAD_CHOICE,
    MSG_DUPLICATE_OUTCOME,
    MSG_FROZEN,
    MSG_NO_GROUPS,
    MSG_NO_ITEMS,
    MSG_NOT_DISTRICT,
    MSG_NOT_OPEN,
    MSG_NOT_SCORED,
    MSG_PUBLISHED,
    MSG_REVIEW_WEIGHT,
    MSG_RULE_LINEAR,
    MSG_RULE_THRESHOLDS,
    MSG_SCHEME_EXISTS,
    MSG_UNKNOWN_OUTCOME,
    MSG_WEIGHTS,
    MSG_YEAR,
    AssessmentErrorCode,
    conflict,
    invalid,
)
from jiceng.assessment.models import (
    LABEL_MAX,
    NAME_MAX,
    AssessedGroup,
    Assessment,
    Report,
    Scheme,
    SchemeItem,
    TaskItem,
)
from jiceng.assessment.services._common import (
    audit_create,
    audit_update,
    stored_actor,
)
from jiceng.assessment.services._common import (
    checked_text as text,
)
from jiceng.core.access import can_manage_area, require
from jiceng.core.models import Area
from jiceng.core.outcomes import outcome
from jiceng.orgs.models import PartyOrg

Code = AssessmentErrorCode
MSG_TASK_FROM_ITEM = "{label}：{rule}"


@dataclass(frozen=True)
class ItemSpec:
    """One item as entered: the outcome, its weight, its rule and the rule's numbers."""

    outcome_key: str
    weight: int
    rule: str = SchemeItem.Rule.LINEAR
    floor: float | None = None
    target: float | None = None
    thresholds: list[list[float]] = field(default_factory=list)
    label: str = ""


@dataclass(frozen=True)
class SchemeFacts:
    name: str
    groups: list[str]
    review_weight: int
    items: list[ItemSpec]


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _checked_items(items: list[ItemSpec]) -> list[SchemeItem]:
    if not items:
        raise invalid(MSG_NO_ITEMS, Code.NO_ITEMS, "items")
    result, seen = [], set()
    for index, spec in enumerate(items):
        where = f"items.{index}"
        try:
            o = outcome(spec.outcome_key)
        except LookupError:
            message = str(MSG_UNKNOWN_OUTCOME).format(key=str(spec.outcome_key)[:80])
            raise invalid(message, Code.UNKNOWN_OUTCOME, f"{where}.outcome_key") from None
        if o.key in seen:
            message = str(MSG_DUPLICATE_OUTCOME).format(label=o.label)
            raise invalid(message, Code.DUPLICATE_OUTCOME, f"{where}.outcome_key")
        seen.add(o.key)
        if isinstance(spec.weight, bool) or not isinstance(spec.weight, int):
            raise invalid(str(MSG_WEIGHTS).format(total="?"), Code.WEIGHTS, f"{where}.weight")
        if spec.rule not in SchemeItem.Rule.values:
            raise invalid(MSG_BAD_CHOICE, Code.BAD_CHOICE, f"{where}.rule")
        thresholds: list[list[float]] = []
        if spec.rule == SchemeItem.Rule.LINEAR:
            if not (_number(spec.floor) and _number(spec.target)) or spec.floor == spec.target:
                raise invalid(MSG_RULE_LINEAR, Code.RULE, f"{where}.target")
        else:
            steps = spec.thresholds or []
            ok = bool(steps) and len(steps) <= 10
            for step in steps:
                if not (
                    isinstance(step, list | tuple)
                    and len(step) == 2
                    and _number(step[0])
                    and _number(step[1])
                    and 0 <= step[1] <= 1
                ):
                    ok = False
                    break
                thresholds.append([float(step[0]), float(step[1])])
            if not ok:
                raise invalid(MSG_RULE_THRESHOLDS, Code.RULE, f"{where}.thresholds")
        label = text(spec.label, field=f"{where}.label", max_length=LABEL_MAX) or str(o.label)
        result.append(
            SchemeItem(
                outcome_key=o.key,
                label=label[:LABEL_MAX],
                weight=spec.weight,
                rule=spec.rule,
                floor=spec.floor if spec.rule == SchemeItem.Rule.LINEAR else None,
                target=spec.target if spec.rule == SchemeItem.Rule.LINEAR else None,
                thresholds=thresholds,
                order=index,
            )
        )
    if any(not 1 <= i.weight <= 100 for i in result) or sum(i.weight for i in result) != 100:
        total = sum(i.weight for i in result)
        raise invalid(str(MSG_WEIGHTS).format(total=total), Code.WEIGHTS, "items")
    return result


def _checked(facts: SchemeFacts) -> tuple[str, list[str], int, list[SchemeItem]]:
    name = text(facts.name, field="name", max_length=NAME_MAX, required=True)
    groups = list(dict.fromkeys(facts.groups or []))
    if not groups:
        raise invalid(MSG_NO_GROUPS, Code.NO_GROUPS, "groups")
    if any(g not in AssessedGroup.values for g in groups):
        raise invalid(MSG_BAD_CHOICE, Code.BAD_CHOICE, "groups")
    rw = facts.review_weight
    if isinstance(rw, bool) or not isinstance(rw, int) or not 0 <= rw <= 100:
        raise invalid(MSG_REVIEW_WEIGHT, Code.REVIEW_WEIGHT, "review_weight")
    return name, groups, rw, _checked_items(facts.items)


def _save(scheme: Scheme, items: list[SchemeItem]) -> None:
    for item in items:
        item.scheme = scheme
    SchemeItem.objects.bulk_create(items)


def _item_changes(items: list[SchemeItem]) -> list[dict]:
    return [
        {
            "outcome": i.outcome_key,
            "weight": i.weight,
            "rule": i.rule,
            "floor": i.floor,
            "target": i.target,
            "thresholds": i.thresholds,
        }
        for i in items
    ]


@transaction.atomic
def scheme_create(*, actor, district: Area, year: int, facts: SchemeFacts) -> Scheme:
    """A district's scheme for `year`, version 1, in draft."""
    if district.level != Area.Level.DISTRICT:
        raise invalid(MSG_NOT_DISTRICT, Code.NOT_DISTRICT, "district")
    require(actor, district, can_manage_area(actor, district))
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise invalid(MSG_YEAR, Code.YEAR, "year")
    name, groups, rw, items = _checked(facts)
    current = Scheme.objects.filter(district=district, year=year).exclude(
        state=Scheme.State.SUPERSEDED
    )
    if current.exists():
        raise conflict(MSG_SCHEME_EXISTS, Code.SCHEME_EXISTS, "year")
    scheme = Scheme.objects.create(
        district=district,
        year=year,
        name=name,
        groups=",".join(groups),
        review_weight=rw,
        created_by=stored_actor(actor),
    )
    _save(scheme, items)
    audit_create(
        actor,
        scheme,
        {"year": year, "groups": groups, "review_weight": rw, "items": _item_changes(items)},
    )
    return scheme


@transaction.atomic
def scheme_update(*, actor, scheme: Scheme, facts: SchemeFacts) -> Scheme:
    """A new version of a draft scheme; the edited one is kept, superseded. A scheme
    whose assessment has opened is frozen: refused."""
    locked = access.get_scheme_for_manage(actor, scheme.pk)
    if locked.is_frozen:
        raise conflict(MSG_FROZEN, Code.FROZEN, "scheme")
    name, groups, rw, items = _checked(facts)
    locked.state = Scheme.State.SUPERSEDED
    locked.save(update_fields=["state"])
    new = Scheme.objects.create(
        district=locked.district,
        year=locked.year,
        version=locked.version + 1,
        name=name,
        groups=",".join(groups),
        review_weight=rw,
        created_by=stored_actor(actor),
    )
    _save(new, items)
    audit_update(actor, locked, {"state": {"old": "draft", "new": "superseded"}, "by": new.pk})
    audit_create(
        actor,
        new,
        {
            "year": new.year,
            "version": new.version,
            "groups": groups,
            "review_weight": rw,
            "items": _item_changes(items),
        },
    )
    return new


# Which orgs each group assesses under a district (the top org of each place).
COMMUNITY_KINDS = (
    PartyOrg.Kind.COMMITTEE,
    PartyOrg.Kind.GENERAL_BRANCH,
    PartyOrg.Kind.BRANCH,
)
UNIT_KINDS = (*COMMUNITY_KINDS, PartyOrg.Kind.JOINT_BRANCH)


def assessed_orgs(district: Area, group: str):
    orgs = PartyOrg.objects.filter(
        area__path__startswith=district.path, closed_on__isnull=True
    ).select_related("area")
    community = PartyOrg.Domain.COMMUNITY
    if group == AssessedGroup.STREET:
        return orgs.filter(
            area__level=Area.Level.STREET,
            domain=community,
            kind__in=(PartyOrg.Kind.WORKING_COMMITTEE, PartyOrg.Kind.COMMITTEE),
        )
    if group == AssessedGroup.COMMUNITY:
        return orgs.filter(
            area__level=Area.Level.COMMUNITY, domain=community, kind__in=COMMUNITY_KINDS
        ).exclude(parent__area=F("area"))
    return (
        orgs.filter(kind__in=UNIT_KINDS)
        .exclude(domain=community)
        .filter(Q(parent__isnull=True) | Q(parent__domain=community))
    )


def rule_words(item: SchemeItem) -> str:
    if item.rule == SchemeItem.Rule.LINEAR:
        return f"{item.floor:g} → {item.target:g}"
    return "；".join(f"≥{v:g}: {s:.0%}" for v, s in item.thresholds)


@transaction.atomic
def scheme_open(*, actor, scheme: Scheme, deadline: datetime.date | None = None) -> Scheme:
    """Open the year's assessment: the scheme is frozen, and each assessed org gets its
    assessment, an empty report and a task per scheme item (due by `deadline`, the
    year's end unless said)."""
    locked = access.get_scheme_for_manage(actor, scheme.pk)
    if locked.is_frozen:
        raise conflict(MSG_FROZEN, Code.FROZEN, "scheme")
    deadline = deadline or datetime.date(locked.year, 12, 31)
    locked.state = Scheme.State.OPEN
    locked.opened_at = timezone.now()
    locked.save(update_fields=["state", "opened_at"])
    items = list(locked.items.all())
    assessments = [
        Assessment(scheme=locked, org=org, group=group, year=locked.year)
        for group in locked.group_list()
        for org in assessed_orgs(locked.district, group)
    ]
    Assessment.objects.bulk_create(assessments)
    created = list(Assessment.objects.filter(scheme=locked).only("id"))
    Report.objects.bulk_create([Report(assessment=a) for a in created])
    TaskItem.objects.bulk_create(
        [
            TaskItem(
                assessment=a,
                source=TaskItem.Source.SCHEME,
                scheme_item=item,
                text=MSG_TASK_FROM_ITEM.format(label=item.label, rule=rule_words(item))[:500],
                deadline=deadline,
                created_by=stored_actor(actor),
            )
            for a in created
            for item in items
        ],
        batch_size=1000,
    )
    audit_update(
        actor,
        locked,
        {"state": {"old": "draft", "new": "open"}, "assessments": len(created)},
    )
    return locked


@transaction.atomic
def scheme_publish(*, actor, scheme: Scheme) -> Scheme:
    """Publish the year's results and ranking: every assessment must be scored (its
    review concluded). The reports become published."""
    from jiceng.assessment import states
    from jiceng.assessment.services.assessments import rank

    locked = access.get_scheme_for_manage(actor, scheme.pk)
    if locked.state != Scheme.State.OPEN:
        raise conflict(MSG_NOT_OPEN, Code.NOT_OPEN, "scheme")
    if locked.is_published:
        raise conflict(MSG_PUBLISHED, Code.PUBLISHED, "scheme")
    if locked.assessments.filter(score__isnull=True).exists():
        raise conflict(MSG_NOT_SCORED, Code.NOT_SCORED, "scheme")
    rank(locked)
    now = timezone.now()
    reports = list(Report.objects.select_for_update().filter(assessment__scheme=locked))
    for report in reports:
        states.report_step(report, "publish")
        report.published_at = now
    Report.objects.bulk_update(reports, ["state", "published_at"])
    locked.published_at = now
    locked.save(update_fields=["published_at"])
    audit_update(actor, locked, {"published": True, "reports": len(reports)})
    return locked
