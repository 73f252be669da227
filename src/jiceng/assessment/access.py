"""Who may act in the responsibility system. Reading is core.scope; these predicates
decide writes, and the `get_<noun>_for_<verb>` helpers scope, lock and refuse
uniformly: out of scope answers 404, visible but not allowed 403.

- A scheme belongs to the district's staff (and the city above).
- The assessed org's side (its report, task list, rectification items) belongs to
  whoever manages the org (orgs.access): the community's secretary, a unit org's
  secretary, and the staff above them.
- The upper level is the staff of the area above the org's own (a community org's
  street, a street committee's district): it sets upper-level tasks, names reviewers,
  concludes the review, raises problems and confirms or returns closures. The assessed
  org's own level never confirms its own closure.
- A reviewer reviews because they are named on the report, whatever their role.
"""

from jiceng.assessment.models import (
    Assessment,
    Problem,
    Rectification,
    Report,
    Reviewer,
    Scheme,
    TaskItem,
)
from jiceng.core.access import can_manage_area, require
from jiceng.core.errors import NotFound
from jiceng.core.scope import scope_for
from jiceng.orgs.access import can_manage_org


def is_upper_of(user, org) -> bool:
    """The staff of the area above the org's own, or higher (the system: None)."""
    if user is None:
        return True
    parent = org.area.parent if org.area.parent_id else None
    return parent is not None and can_manage_area(user, parent)


def can_manage_scheme(user, scheme: Scheme) -> bool:
    return can_manage_area(user, scheme.district)


def can_act_for(user, org) -> bool:
    """The assessed org's side: those who manage the org."""
    return can_manage_org(user, org)


def can_manage_assessment(user, assessment: Assessment) -> bool:
    return is_upper_of(user, assessment.org)


def can_write_report(user, report: Report) -> bool:
    return can_act_for(user, report.assessment.org)


def can_conclude_report(user, report: Report) -> bool:
    return is_upper_of(user, report.assessment.org)


def can_raise_problem(user, org) -> bool:
    return is_upper_of(user, org)


def can_act_on_rectification(user, item: Rectification) -> bool:
    if user is not None and item.owner_account_id is not None and item.owner_account_id == user.pk:
        return True
    return can_act_for(user, item.org)


def can_confirm_rectification(user, item: Rectification) -> bool:
    return is_upper_of(user, item.org)


def _locked(user, model, pk, *related):
    queryset = model.objects.select_for_update(of=("self",)).select_related(*related)
    if user is None:
        try:
            return queryset.get(pk=pk)
        except (model.DoesNotExist, ValueError, TypeError):
            raise NotFound() from None
    return scope_for(user).get(queryset, pk=pk)


def get_rectification_for(user, item_id, allowed) -> Rectification:
    item = _locked(user, Rectification, item_id, "org__area__parent", "problem")
    require(user, item, allowed(user, item))
    return item


def get_problem_for_rectification(user, problem_id) -> Problem:
    problem = _locked(user, Problem, problem_id, "org__area__parent")
    require(user, problem, can_raise_problem(user, problem.org))
    return problem


def get_report_for(user, report_id, allowed) -> Report:
    report = _locked(user, Report, report_id, "assessment__org__area__parent", "assessment")
    require(user, report, allowed(user, report))
    return report


def can_give_review(user, reviewer: Reviewer) -> bool:
    return user is not None and reviewer.account_id == user.pk


def get_reviewer_for_review(user, reviewer_id) -> Reviewer:
    """The reviewer row, for its own account only (scoped: others 404 or 403)."""
    row = _locked(user, Reviewer, reviewer_id, "report__assessment__org")
    require(user, row, can_give_review(user, row))
    return row


def get_scheme_for_manage(user, scheme_id) -> Scheme:
    scheme = _locked(user, Scheme, scheme_id, "district")
    require(user, scheme, can_manage_scheme(user, scheme))
    return scheme


def get_assessment_for(user, assessment_id, allowed) -> Assessment:
    assessment = _locked(user, Assessment, assessment_id, "org__area__parent", "scheme")
    require(user, assessment, allowed(user, assessment))
    return assessment


def get_task_for_done(user, task_id) -> TaskItem:
    task = _locked(user, TaskItem, task_id, "assessment__org__area__parent", "assessment__scheme")
    require(user, task, can_act_for(user, task.assessment.org))
    return task
