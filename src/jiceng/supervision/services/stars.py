"""Star ratings (星级支部): the criteria the deployment configures, each met criterion
one star, computed per community org and year with the figure behind each, and
confirmed yearly by the district."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.inputs import check_text
from jiceng.core.models import Area
from jiceng.core.outcomes import RATE, format_figure, outcome, outcomes
from jiceng.supervision import access, rules
from jiceng.supervision.errors import (
    MSG_ALREADY_CONFIRMED,
    MSG_BAD_CRITERION,
    SupervisionErrorCode,
    conflict,
    invalid,
)
from jiceng.supervision.models import StarCriterion, StarRating
from jiceng.supervision.services._common import audit_create, audit_update, stored_actor
from jiceng.supervision.services.weak_orgs import check_year, ensure_rules, evaluation_context

Code = SupervisionErrorCode
MAX_STARS = 5

# The deployment's starting criteria: four appeal outcomes and a rule that must not hit.
DEFAULT_CRITERIA = (
    (_("群众满意率不低于90%"), "appeals.satisfaction_rate", Decimal("0.9"), ""),
    (_("问题解决率不低于85%"), "appeals.resolution_rate", Decimal("0.85"), ""),
    (_("诉求响应率不低于95%"), "appeals.response_rate", Decimal("0.95"), ""),
    (_("按时办结率不低于90%"), "appeals.on_time_rate", Decimal("0.9"), ""),
    (_("组织生活达到规定频次"), "", None, "orglife_below"),
)


def ensure_criteria() -> list[StarCriterion]:
    if not StarCriterion.objects.exists():
        StarCriterion.objects.bulk_create(
            [
                StarCriterion(
                    name=str(name), outcome_key=key, threshold=threshold, rule_code=rule, order=i
                )
                for i, (name, key, threshold, rule) in enumerate(DEFAULT_CRITERIA)
            ]
        )
    return list(StarCriterion.objects.filter(enabled=True))


def _check_criterion(name: str, outcome_key: str, threshold, rule_code: str) -> str:
    name = check_text(name, field="name", max_length=100)
    if not name:
        raise invalid(MSG_BAD_CRITERION, Code.BAD_CRITERION, "name")
    by_outcome = bool(outcome_key)
    if by_outcome == bool(rule_code) or (by_outcome and threshold is None):
        raise invalid(MSG_BAD_CRITERION, Code.BAD_CRITERION, "outcome_key")
    if by_outcome:
        try:
            outcome(outcome_key)
        except LookupError:
            raise invalid(MSG_BAD_CRITERION, Code.BAD_CRITERION, "outcome_key") from None
    if rule_code and rule_code not in rules.RULES:
        raise invalid(MSG_BAD_CRITERION, Code.BAD_CRITERION, "rule_code")
    return name


@transaction.atomic
def star_criterion_save(
    *,
    actor,
    criterion: StarCriterion | None,
    name: str,
    outcome_key: str = "",
    threshold: Decimal | None = None,
    rule_code: str = "",
    enabled: bool = True,
    order: int = 100,
) -> StarCriterion:
    """Add or change a criterion (the deployment's setting; audited)."""
    access.require_configure(actor)
    name = _check_criterion(name, outcome_key, threshold, rule_code)
    values = {
        "name": name,
        "outcome_key": outcome_key,
        "threshold": threshold if outcome_key else None,
        "rule_code": rule_code,
        "enabled": enabled,
        "order": order,
    }
    if criterion is None:
        criterion = StarCriterion.objects.create(**values)
        audit_create(actor, criterion, {k: str(v) for k, v in values.items()})
        return criterion
    for key, value in values.items():
        setattr(criterion, key, value)
    criterion.save()
    audit_update(actor, criterion, {k: str(v) for k, v in values.items()})
    return criterion


def _met(criterion: StarCriterion, figure) -> bool:
    if figure.value is None or criterion.threshold is None:
        return False
    threshold = float(criterion.threshold)
    if outcome(criterion.outcome_key).higher_is_better:
        return figure.value >= threshold
    return figure.value <= threshold


def _threshold_text(criterion: StarCriterion) -> str:
    o = outcome(criterion.outcome_key)
    value = float(criterion.threshold or 0)
    return f"{value:.0%}" if o.unit == RATE else f"{value:g}"


@transaction.atomic
def star_compute(
    *,
    actor,
    district: Area,
    year: int,
    today: datetime.date | None = None,
    within: Area | None = None,
) -> int:
    """Compute each community org's stars for the year with the evidence of every
    criterion. A rating the district confirmed is not changed."""
    access.require_decide(actor, district)
    check_year(year, today)
    criteria = ensure_criteria()
    ctx = evaluation_context(district, year, today, within)
    rule_codes = {c.rule_code for c in criteria if c.rule_code}
    hit_rules = [r for r in ensure_rules() if r.code in rule_codes]
    hits = rules.evaluate(ctx, hit_rules) if hit_rules else {}
    existing = {r.org_id: r for r in StarRating.objects.filter(district=district, year=year)}
    now = timezone.now()
    known = {o.key for o in outcomes()}
    count = 0
    for org in ctx.orgs:
        rating = existing.get(org.pk)
        if rating is not None and rating.confirmed_at is not None:
            continue
        evidence = []
        for criterion in criteria:
            if criterion.outcome_key:
                if criterion.outcome_key not in known:
                    continue
                figure = ctx.figure(criterion.outcome_key, org.area)
                evidence.append(
                    {
                        "criterion": criterion.pk,
                        "name": criterion.name,
                        "value": format_figure(outcome(criterion.outcome_key), figure),
                        "threshold": _threshold_text(criterion),
                        "met": _met(criterion, figure),
                        "url": figure.url,
                    }
                )
            else:
                hit = next(
                    (h for h in hits.get(org.pk, []) if h["rule"] == criterion.rule_code), None
                )
                evidence.append(
                    {
                        "criterion": criterion.pk,
                        "name": criterion.name,
                        "value": hit["value"] if hit else str(_("未命中")),
                        "threshold": str(_("不得命中")),
                        "met": hit is None,
                        "url": hit["url"] if hit else "",
                    }
                )
        stars = min(MAX_STARS, sum(1 for e in evidence if e["met"]))
        if rating is None:
            rating = StarRating.objects.create(
                org=org, district=district, year=year, stars=stars, evidence=evidence,
                computed_at=now,
            )  # fmt: skip
            audit_create(actor, rating, {"stars": stars, "year": year})
        else:
            rating.stars, rating.evidence, rating.computed_at = stars, evidence, now
            rating.save(update_fields=["stars", "evidence", "computed_at"])
            audit_update(actor, rating, {"stars": stars})
        count += 1
    return count


@transaction.atomic
def star_confirm(*, actor, rating: StarRating) -> StarRating:
    """The district confirms the year's rating; it is then fixed and shown to the
    community."""
    rating = access.locked(actor, StarRating, rating.pk, "org", "org__area")
    access.require(actor, rating, access.can_decide_rating(actor, rating))
    if rating.confirmed_at is not None:
        raise conflict(MSG_ALREADY_CONFIRMED, Code.ALREADY_CONFIRMED, "state")
    rating.confirmed_at = timezone.now()
    rating.confirmed_by = stored_actor(actor)
    rating.save(update_fields=["confirmed_at", "confirmed_by"])
    audit_update(actor, rating, {"confirmed": True, "stars": rating.stars})
    return rating
