"""A department's own work in this app, for `core.scope` (least privilege, as
appeals.own_work): its staff see their department's applications, the targets of those,
and the reports, assessments and requests naming their department."""

from django.db.models import Q

from jiceng.appeals.own_work import units_of


def duties_worked_by(user_id: int) -> Q:
    return Q(department__in=units_of(user_id))


def targets_worked_by(user_id: int) -> Q:
    return Q(duty__department__in=units_of(user_id))


def department_worked_by(user_id: int) -> Q:
    return Q(department__in=units_of(user_id))
