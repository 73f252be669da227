"""Every write of supervision, split by aggregate and re-exported here: weak orgs (rules,
evaluation, decision, plan, review), stars (criteria, computation, confirmation),
checks (inspections and talks). Keyword-only, the acting user first (None for the
system), access checked, one transaction, an audit entry (and an event row for each
step of a weak-org case)."""

from jiceng.supervision.services.checks import (
    inspection_plan,
    inspection_record,
    talk_follow_up,
    talk_record,
)
from jiceng.supervision.services.stars import (
    ensure_criteria,
    star_compute,
    star_confirm,
    star_criterion_save,
)
from jiceng.supervision.services.weak_orgs import (
    check_year,
    district_for,
    ensure_rules,
    rules_hitting,
    weak_org_decide,
    weak_org_evaluate,
    weak_org_plan,
    weak_org_review,
    weak_org_rule_update,
)

__all__ = [
    "check_year",
    "district_for",
    "ensure_criteria",
    "ensure_rules",
    "inspection_plan",
    "inspection_record",
    "rules_hitting",
    "star_compute",
    "star_confirm",
    "star_criterion_save",
    "talk_follow_up",
    "talk_record",
    "weak_org_decide",
    "weak_org_evaluate",
    "weak_org_plan",
    "weak_org_review",
    "weak_org_rule_update",
]
