"""Who may act on duties and the street's powers. Reading is core.scope; these
predicates decide writes, and the `get_<noun>_for_<verb>` getters scope, lock and
refuse uniformly: out of scope answers 404, visible but not allowed 403.

- A duty application belongs to its department: the handlers of that handling unit
  (appeals.HandlerMembership) draft, submit and withdraw it.
- Reviewing (admit, refuse, revoke) belongs to those who manage the district: its
  organization department (district administrators) and the city above.
- A street's own records (tasks outside its list, assessments of field-office heads,
  its proposals and coordination requests) belong to those who manage the street.
- Consent is asked by the department's handlers and answered by the street; a proposal
  or coordination request is answered by the department's handlers, or by the
  district's managers when addressed to the district itself.
"""

from jiceng.appeals.access import is_handler
from jiceng.appeals.models import HandlingUnit
from jiceng.core.access import can_manage_area, require
from jiceng.core.models import Area
from jiceng.core.scope import scope_for
from jiceng.duties.models import Duty, PowerRequest


def is_department(unit: HandlingUnit | None) -> bool:
    return unit is not None and unit.kind == HandlingUnit.Kind.DEPARTMENT


def can_apply(user, department: HandlingUnit) -> bool:
    return is_department(department) and is_handler(user, department)


def can_manage_duty(user, duty: Duty) -> bool:
    """Submit, withdraw: the department's own staff."""
    return is_handler(user, duty.department) if user is not None else True


def can_review_duty(user, duty: Duty) -> bool:
    """Admit, refuse, revoke: the district's organization department (and above)."""
    return can_manage_area(user, duty.district)


DUTY_ACTION_CHECKS = {
    "submit": can_manage_duty,
    "withdraw": can_manage_duty,
    "admit": can_review_duty,
    "refuse": can_review_duty,
    "revoke": can_review_duty,
}


def can_act_on_duty(user, duty: Duty, action: str) -> bool:
    return DUTY_ACTION_CHECKS[action](user, duty)


def can_act_for_street(user, street: Area) -> bool:
    return street.level == Area.Level.STREET and can_manage_area(user, street)


def can_raise_request(user, kind: str, street: Area, department: HandlingUnit | None) -> bool:
    if kind == PowerRequest.Kind.CONSENT:
        return is_department(department) and is_handler(user, department)
    return can_act_for_street(user, street)


def can_answer_request(user, request: PowerRequest) -> bool:
    if request.asked_of_street:
        return can_manage_area(user, request.street)
    if request.department_id is None:
        return can_manage_area(user, request.district)
    return is_handler(user, request.department)


def can_withdraw_request(user, request: PowerRequest) -> bool:
    """The side that asked."""
    if request.asked_of_street:
        return is_handler(user, request.department)
    return can_manage_area(user, request.street)


REQUEST_ACTION_CHECKS = {"answer": can_answer_request, "withdraw": can_withdraw_request}


def can_act_on_request(user, request: PowerRequest, action: str) -> bool:
    return REQUEST_ACTION_CHECKS[action](user, request)


def get_duty_for_view(user, duty_id) -> Duty:
    return scope_for(user).get(
        Duty.objects.select_related("department", "district").prefetch_related("targets__street"),
        pk=duty_id,
    )


def get_duty_for_action(user, duty_id, action: str) -> Duty:
    """Visible (404 otherwise), allowed (403 otherwise), and locked for the transaction."""
    duty = scope_for(user).get(
        Duty.objects.select_for_update(of=("self",)).select_related("department", "district"),
        pk=duty_id,
    )
    require(user, duty, can_act_on_duty(user, duty, action))
    return duty


def get_request_for_view(user, request_id) -> PowerRequest:
    return scope_for(user).get(
        PowerRequest.objects.select_related("street", "district", "department"), pk=request_id
    )


def get_request_for_action(user, request_id, action: str) -> PowerRequest:
    request = scope_for(user).get(
        PowerRequest.objects.select_for_update(of=("self",)).select_related(
            "street", "district", "department"
        ),
        pk=request_id,
    )
    require(user, request, can_act_on_request(user, request, action))
    return request
