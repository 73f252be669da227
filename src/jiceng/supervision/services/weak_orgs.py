"""Weak-org detection and rectification: the rules (data), the evaluation that files
candidates, the district's decision, the rectification plan and the review that alone
takes an org off the list."""

import datetime

from django.db import transaction
from django.utils import timezone

from jiceng.core.access import get_area_for_view
from jiceng.core.inputs import check_text
from jiceng.core.models import Area
from jiceng.supervision import access, rules, states
from jiceng.supervision.errors import (
    MSG_BAD_PARAMS,
    MSG_BAD_YEAR,
    MSG_DEADLINE_PAST,
    MSG_NOT_DISTRICT,
    MSG_PLAN_INCOMPLETE,
    MSG_REASON_REQUIRED,
    MSG_STILL_HITS,
    SupervisionErrorCode,
    conflict,
    invalid,
)
from jiceng.supervision.models import REASON_MAX, TEXT_MAX, WeakOrgCase, WeakOrgEvent, WeakOrgRule
from jiceng.supervision.services._common import (
    audit_create,
    audit_update,
    rectification_for,
    stored_actor,
)

Code = SupervisionErrorCode


def ensure_rules() -> list[WeakOrgRule]:
    """The rules with their default names and parameters, for those not yet stored."""
    existing = set(WeakOrgRule.objects.values_list("code", flat=True))
    WeakOrgRule.objects.bulk_create(
        [
            WeakOrgRule(code=code, name=str(name), params=dict(params), order=order)
            for code, (_logic, name, params, order) in rules.RULES.items()
            if code not in existing
        ]
    )
    return list(WeakOrgRule.objects.all())


@transaction.atomic
def weak_org_rule_update(
    *, actor, rule: WeakOrgRule, enabled: bool, params: dict[str, float], name: str | None = None
) -> WeakOrgRule:
    """Tune a rule (the district's setting; audited). Parameters are the rule's own
    keys, each a non-negative number; unknown keys are refused."""
    access.require_configure(actor)
    defaults = rules.RULES[rule.code][2]
    clean = dict(rule.params)
    for key, value in params.items():
        if key not in defaults or isinstance(value, bool) or not 0 <= float(value) <= 1_000_000:
            raise invalid(MSG_BAD_PARAMS, Code.BAD_PARAMS, f"params.{key}")
        clean[key] = value
    before = {"enabled": rule.enabled, "params": rule.params, "name": rule.name}
    rule.enabled = enabled
    rule.params = clean
    if name is not None:
        rule.name = check_text(name, field="name", max_length=100) or rule.name
    rule.save()
    audit_update(actor, rule, {"old": before, "new": {"enabled": enabled, "params": clean}})
    return rule


def district_for(user, area_id) -> Area:
    area = get_area_for_view(user, area_id) if user is not None else Area.objects.get(pk=area_id)
    if area.level != Area.Level.DISTRICT:
        raise invalid(MSG_NOT_DISTRICT, Code.NOT_DISTRICT, "district")
    return area


def check_year(year: int, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= today.year:
        raise invalid(MSG_BAD_YEAR, Code.BAD_YEAR, "year")
    return year


def evaluation_context(
    district: Area, year: int, today: datetime.date | None = None, within: Area | None = None
) -> rules.Context:
    """One evaluation of `year` as of `today` (the year's last day for a past year), over
    the district's community orgs, or those `within` a part of it (a street)."""
    from jiceng.orgs.selectors import community_top_orgs

    today = today or timezone.localdate()
    as_of = min(today, datetime.date(year, 12, 31))
    if within is None or not within.path.startswith(district.path):
        within = district
    return rules.Context(
        district=district, year=year, today=as_of, orgs=community_top_orgs(area=within)
    )


def _event(case: WeakOrgCase, action: str, before: str, actor, note: str = "") -> None:
    WeakOrgEvent.objects.create(
        case=case,
        action=action,
        from_state=before,
        to_state=case.state,
        note=note[:REASON_MAX],
        at=timezone.now(),
        actor=stored_actor(actor),
    )


@transaction.atomic
def weak_org_evaluate(
    *,
    actor,
    district: Area,
    year: int,
    today: datetime.date | None = None,
    within: Area | None = None,
    codes: list[str] | None = None,
) -> dict[str, int]:
    """Run the enabled rules (or those of `codes`) over the district's community orgs
    (or those `within` a street of it) for `year`: each org a rule hits becomes a
    candidate (once a year) with the hits as its evidence; an open candidate's evidence
    is brought up to date. Decided cases are left as they are."""
    access.require_decide(actor, district)
    check_year(year, today)
    ctx = evaluation_context(district, year, today, within)
    chosen = [r for r in ensure_rules() if codes is None or r.code in codes]
    found = rules.evaluate(ctx, chosen)
    now = timezone.now()
    existing = {c.org_id: c for c in WeakOrgCase.objects.filter(district=district, year=year)}
    created = updated = 0
    for org_id, hits in found.items():
        case = existing.get(org_id)
        if case is None:
            case = WeakOrgCase.objects.create(
                org_id=org_id, district=district, year=year, hits=hits, evaluated_at=now
            )
            _event(case, "flag", "", actor, "、".join(h["name"] for h in hits))
            audit_create(actor, case, {"year": year, "rules": [h["rule"] for h in hits]})
            created += 1
        elif case.state == WeakOrgCase.State.CANDIDATE and case.hits != hits:
            case.hits, case.evaluated_at = hits, now
            case.save(update_fields=["hits", "evaluated_at"])
            audit_update(actor, case, {"rules": [h["rule"] for h in hits]})
            updated += 1
    return {"orgs": len(ctx.orgs), "hit": len(found), "created": created, "updated": updated}


def _reason(value: str, field: str = "reason") -> str:
    reason = check_text(value, field=field, max_length=REASON_MAX)
    if not reason:
        raise invalid(MSG_REASON_REQUIRED, Code.REASON_REQUIRED, field)
    return reason


def _step(actor, case: WeakOrgCase, action: str, note: str, **fields) -> WeakOrgCase:
    before = case.state
    case.state = states.transition_for(case, action).target
    for name, value in fields.items():
        setattr(case, name, value)
    case.save()
    _event(case, action, before, actor, note)
    audit_update(
        actor, case, {"state": {"old": before, "new": case.state}, "action": action, "note": note}
    )
    return case


@transaction.atomic
def weak_org_decide(*, actor, case: WeakOrgCase, action: str, reason: str) -> WeakOrgCase:
    """The district confirms a candidate as weak and lax, or dismisses it, with a reason."""
    case = access.locked(actor, WeakOrgCase, case.pk, "org", "org__area")
    access.require(actor, case, access.can_decide_case(actor, case))
    states.transition_for(case, action)
    reason = _reason(reason)
    return _step(actor, case, action, reason, decision_reason=reason, decided_at=timezone.now())


@transaction.atomic
def weak_org_plan(
    *, actor, case: WeakOrgCase, leader: str, measures: str, deadline: datetime.date | None
) -> WeakOrgCase:
    """A confirmed org's rectification plan: the leader answering for it, the measures
    and the deadline; one rectification item in the assessment app's list when present."""
    case = access.locked(actor, WeakOrgCase, case.pk, "org", "org__area")
    access.require(actor, case, access.can_plan_case(actor, case))
    states.transition_for(case, "plan")
    leader = check_text(leader, field="leader", max_length=50, kind="name")
    measures = check_text(measures, field="measures", max_length=TEXT_MAX, kind="multiline")
    if not leader or not measures or deadline is None:
        field = "leader" if not leader else "measures" if not measures else "deadline"
        raise invalid(MSG_PLAN_INCOMPLETE, Code.PLAN_INCOMPLETE, field)
    if deadline < timezone.localdate():
        raise invalid(MSG_DEADLINE_PAST, Code.DEADLINE_PAST, "deadline")
    rectification_for(
        actor=actor,
        org=case.org,
        source="weak_org",
        source_ref=f"supervision.weakorgcase:{case.pk}",
        year=case.year,
        text="；".join(f"{h['name']}：{h['value']}" for h in case.hits) or "软弱涣散党组织整顿",
        owner=leader,
        measures=measures,
        deadline=deadline,
    )
    return _step(actor, case, "plan", leader, leader=leader, measures=measures, deadline=deadline)


def rules_hitting(case: WeakOrgCase, today: datetime.date | None = None) -> list[dict]:
    """The enabled rules that still hit the case's org, evaluated now (as of the case's
    year's end for a past year)."""
    ctx = evaluation_context(case.district, case.year, today)
    return rules.evaluate(ctx, ensure_rules(), only={case.org_id}).get(case.org_id, [])


@transaction.atomic
def weak_org_review(
    *, actor, case: WeakOrgCase, override_reason: str = "", today: datetime.date | None = None
) -> WeakOrgCase:
    """The review (验收): the rules are evaluated again for the org; the case is cleared
    when none hits. While one still hits, the review is refused unless the district
    overrides with a reason (recorded with the hits it overrode)."""
    case = access.locked(actor, WeakOrgCase, case.pk, "org", "org__area", "district")
    access.require(actor, case, access.can_decide_case(actor, case))
    states.transition_for(case, "review")
    override = check_text(override_reason, field="override_reason", max_length=REASON_MAX)
    still = rules_hitting(case, today)
    if still and not override:
        names = "、".join(h["name"] for h in still)
        raise conflict(str(MSG_STILL_HITS).format(rules=names), Code.STILL_HITS, "override_reason")
    note = override or "规则复核未命中"
    return _step(
        actor,
        case,
        "review",
        note,
        reviewed_at=timezone.now(),
        review_hits=still,
        override_reason=override if still else "",
    )
