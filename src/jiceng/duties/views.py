"""The duties pages, phone-first: applications and their review, the streets' duty lists,
tasks outside the list, the assessments of field-office heads, and the requests between
streets and departments. Each form posts to a view that parses it into the API's input
schema and calls the same service; the lifecycle actions go through `actions.perform`."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from jiceng.core.access import get_area_for_view
from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.inputs import max_length_of
from jiceng.core.scope import KIND_DUTY, scope_for
from jiceng.core.view_helpers import post_data, refusals_as_messages, safe_next
from jiceng.duties import access, actions, schemas, selectors, services
from jiceng.duties.models import Duty, FieldOfficeAssessment, OutsideListReport, PowerRequest

LIST_LIMIT = 200


def _require_kind(user) -> None:
    if not scope_for(user).can_see_kind(KIND_DUTY):
        raise Http404


@dataclass
class Input:
    """One field of a page form (`duties/partials/form.html`)."""

    name: str
    label: Any
    kind: str = "text"  # text, textarea, date, number, select, checkboxes, checkbox
    value: Any = ""
    max_length: int | None = None
    required: bool = False
    choices: list[tuple[Any, Any]] = field(default_factory=list)
    help: Any = ""


def _text(model, name: str, label=None, *, column: str | None = None, **extra) -> Input:
    column = column or name
    limit = max_length_of(model, column)
    kind = extra.pop("kind", "textarea" if limit > 300 else "text")
    label = label or model._meta.get_field(column).verbose_name
    return Input(name=name, label=label, kind=kind, max_length=limit, **extra)


def _keep(inputs: list[Input], data: dict) -> list[Input]:
    """The form again with what was typed, after a refusal."""
    for item in inputs:
        if item.name in data:
            item.value = data[item.name]
    return inputs


def _area_param(request, name: str = "street"):
    value = request.GET.get(name)
    if not value:
        return None
    try:
        return get_area_for_view(request.user, value)
    except NotFound:
        raise Http404 from None


def _area(user, value):
    return get_area_for_view(user, value)


def _unit(value):
    unit = selectors.unit_named(value)
    if unit is None:
        raise NotFound()
    return unit


# ---- applications -----------------------------------------------------------------------


@login_required
def index(request):
    """Applications in sight: a department's own, or all of the district's for review."""
    _require_kind(request.user)
    state = request.GET.get("state", "")
    if state not in Duty.State.values:
        state = ""
    context = {
        "duties": selectors.duty_list(viewer=request.user, state=state or None)[:LIST_LIMIT],
        "state": state,
        "states": Duty.State.choices,
        "can_apply": selectors.department_units(viewer=request.user).exists(),
    }
    return render(request, "duties/index.html", context)


def _duty_inputs(departments, streets) -> list[Input]:
    return [
        Input(
            "department",
            _lazy("申请部门"),
            kind="select",
            required=True,
            choices=[(d.pk, d.name) for d in departments],
        ),
        _text(Duty, "title", required=True),
        _text(Duty, "description", required=True),
        _text(Duty, "legal_basis", required=True),
        _text(Duty, "expected_volume", required=True, help=_lazy("例如：每街道每年约 120 件")),
        Input(
            "target_level",
            Duty._meta.get_field("target_level").verbose_name,
            kind="select",
            choices=list(Duty.Level.choices),
        ),
        Input("staff_count", Duty._meta.get_field("staff_count").verbose_name, kind="number"),
        Input("funds_yuan", Duty._meta.get_field("funds_yuan").verbose_name, kind="number"),
        _text(Duty, "resources_note"),
        Input(
            "streets",
            _lazy("下沉街道"),
            kind="checkboxes",
            required=True,
            choices=[(s.pk, s.name) for s in streets],
        ),
        Input("submit", _lazy("同时提交区委区政府审核"), kind="checkbox", value="1"),
    ]


@login_required
def duty_new(request):
    """A department applies to push a duty down (权随事转、人随事转、费随事转)."""
    _require_kind(request.user)
    departments = list(selectors.department_units(viewer=request.user))
    streets = selectors.streets_for_departments(units=departments)
    inputs = _duty_inputs(departments, streets)
    error = None
    if request.method == "POST" and departments:
        data = post_data(request, lists=("streets",))
        try:
            payload = schemas.parse(schemas.DutyIn, data)
            with transaction.atomic():
                duty = services.duty_apply(
                    actor=request.user,
                    department=_unit(payload.department),
                    title=payload.title,
                    description=payload.description,
                    legal_basis=payload.legal_basis,
                    expected_volume=payload.expected_volume,
                    target_level=payload.target_level,
                    staff_count=payload.staff_count,
                    funds_yuan=payload.funds_yuan,
                    resources_note=payload.resources_note,
                    streets=[_area(request.user, s) for s in payload.streets],
                    submit=payload.submit,
                )
            messages.success(request, _("已保存下沉事项申请"))
            return redirect("duties:detail", duty.pk)
        except NotFound:
            raise Http404 from None
        except ApplicationError as refused:
            error = refused.message
            inputs = _keep(inputs, data)
    context = {"inputs": inputs, "error": error, "departments": departments}
    return render(request, "duties/duty_new.html", context)


@login_required
def duty_detail(request, pk: int):
    _require_kind(request.user)
    try:
        duty = access.get_duty_for_view(request.user, pk)
    except NotFound:
        raise Http404 from None
    context = {
        "duty": duty,
        "actions": [
            (a, [_text(Duty, "reason", _lazy("理由（不予准入、撤销准入时必填）"))])
            for a in actions.offered(request.user, "duties", duty)
        ],
        "lifecycle": "duties",
    }
    return render(request, "duties/duty_detail.html", context)


@login_required
def street_list(request):
    """The streets' duty lists (街道职责清单) with the people and funds of each duty."""
    _require_kind(request.user)
    street = _area_param(request)
    rows = list(selectors.street_duty_list(viewer=request.user, street=street)[:LIST_LIMIT])
    context = {
        "street": street,
        "rows": rows,
        "streets": selectors.managed_streets(viewer=request.user),
        "staff_total": sum(r.duty.staff_count for r in rows),
        "funds_total": sum(r.duty.funds_yuan for r in rows),
    }
    return render(request, "duties/street_list.html", context)


# ---- the street's records ---------------------------------------------------------------


def _street_inputs(streets) -> Input:
    choices = [(s.pk, s.name) for s in streets]
    return Input("street", _lazy("街道"), kind="select", required=True, choices=choices)


def _department_input(departments, *, required: bool = True, label=None) -> Input:
    choices = [(d.pk, d.name) for d in departments]
    if not required:
        choices = [("", _lazy("（区委区政府）")), *choices]
    return Input(
        "department", label or _lazy("职能部门"), kind="select", required=required, choices=choices
    )


@login_required
def outside_list(request):
    """Tasks the streets marked as outside their duty list; a street reports one here."""
    _require_kind(request.user)
    streets = selectors.managed_streets(viewer=request.user)
    departments = list(selectors.departments_serving(viewer=request.user)) if streets else []
    inputs = [
        _street_inputs(streets),
        _department_input(departments, label=_lazy("派任务的部门")),
        _text(OutsideListReport, "task_reference"),
        _text(OutsideListReport, "description", required=True),
        Input("reported_on", _lazy("报告日期"), kind="date", value=timezone.localdate()),
    ]
    error = None
    if request.method == "POST" and streets:
        data = post_data(request)
        try:
            payload = schemas.parse(schemas.OutsideListIn, data)
            services.outside_list_report(
                actor=request.user,
                street=_area(request.user, payload.street),
                department=_unit(payload.department),
                description=payload.description,
                task_reference=payload.task_reference,
                reported_on=payload.reported_on,
            )
            messages.success(request, _("已报告清单外事项，区委区政府可见"))
            return redirect("duties:outside")
        except NotFound:
            raise Http404 from None
        except ApplicationError as refused:
            error = refused.message
            inputs = _keep(inputs, data)
    context = {
        "reports": selectors.outside_list_reports(viewer=request.user)[:LIST_LIMIT],
        "inputs": inputs if streets and departments else [],
        "error": error,
    }
    return render(request, "duties/outside_list.html", context)


@login_required
def assessments(request):
    """人事考核权: the street's yearly assessment of field-office heads."""
    _require_kind(request.user)
    streets = selectors.managed_streets(viewer=request.user)
    departments = list(selectors.departments_serving(viewer=request.user)) if streets else []
    year = timezone.localdate().year
    inputs = [
        _street_inputs(streets),
        _department_input(departments),
        _text(FieldOfficeAssessment, "office_name", required=True),
        _text(FieldOfficeAssessment, "head_name", required=True),
        Input("year", _lazy("年度"), kind="number", value=year, required=True),
        Input(
            "grade",
            _lazy("考核等次"),
            kind="select",
            required=True,
            choices=list(FieldOfficeAssessment.Grade.choices),
        ),
        _text(FieldOfficeAssessment, "comment"),
    ]
    error = None
    if request.method == "POST" and streets:
        data = post_data(request)
        try:
            payload = schemas.parse(schemas.AssessmentIn, data)
            services.assessment_record(
                actor=request.user,
                street=_area(request.user, payload.street),
                department=_unit(payload.department),
                office_name=payload.office_name,
                head_name=payload.head_name,
                year=payload.year,
                grade=payload.grade,
                comment=payload.comment,
            )
            messages.success(request, _("已记录考核"))
            return redirect("duties:assessments")
        except NotFound:
            raise Http404 from None
        except ApplicationError as refused:
            error = refused.message
            inputs = _keep(inputs, data)
    try:
        shown_year = int(request.GET.get("year") or year)
    except ValueError:
        shown_year = year
    context = {
        "rows": selectors.assessment_list(viewer=request.user, year=shown_year)[:LIST_LIMIT],
        "year": shown_year,
        "inputs": inputs if streets and departments else [],
        "error": error,
    }
    return render(request, "duties/assessments.html", context)


# ---- requests between streets and departments -------------------------------------------


def _request_inputs(user, streets, departments, own_departments) -> list[Input]:
    kinds = []
    if own_departments:
        kinds.append((PowerRequest.Kind.CONSENT.value, PowerRequest.Kind.CONSENT.label))
    if streets:
        kinds += [(k, label) for k, label in PowerRequest.Kind.choices if k != "consent"]
    all_streets = {s.pk: s for s in streets}
    for street in selectors.streets_for_departments(units=own_departments):
        all_streets.setdefault(street.pk, street)
    units = {d.pk: d for d in departments}
    for unit in own_departments:
        units.setdefault(unit.pk, unit)
    return [
        Input("kind", _lazy("类型"), kind="select", required=True, choices=kinds),
        _street_inputs(sorted(all_streets.values(), key=lambda s: s.code)),
        _department_input(list(units.values()), required=False),
        _text(PowerRequest, "subject", required=True),
        _text(PowerRequest, "body", required=True),
        Input(
            "due_on",
            _lazy("答复时限"),
            kind="date",
            required=True,
            value=timezone.localdate() + datetime.timedelta(days=10),
        ),
    ]


@login_required
def requests(request):
    """Consent requests (征得同意), proposals (规划参与、重大事项建议) and coordination
    requests (综合管理), with their deadlines; overdue ones marked."""
    _require_kind(request.user)
    streets = selectors.managed_streets(viewer=request.user)
    own = list(selectors.department_units(viewer=request.user))
    departments = list(selectors.departments_serving(viewer=request.user)) if streets else []
    may_raise = bool(streets or own)
    inputs = _request_inputs(request.user, streets, departments, own) if may_raise else []
    error = None
    if request.method == "POST" and may_raise:
        data = post_data(request)
        try:
            payload = schemas.parse(schemas.PowerRequestIn, data)
            created = services.power_request_create(
                actor=request.user,
                kind=payload.kind,
                street=_area(request.user, payload.street),
                department=_unit(payload.department) if payload.department else None,
                subject=payload.subject,
                body=payload.body,
                due_on=payload.due_on,
            )
            messages.success(request, _("已提出，等待答复"))
            return redirect("duties:request", created.pk)
        except NotFound:
            raise Http404 from None
        except ApplicationError as refused:
            error = refused.message
            inputs = _keep(inputs, data)
    overdue = request.GET.get("overdue") == "1"
    context = {
        "rows": selectors.power_request_list(viewer=request.user, overdue=overdue)[:LIST_LIMIT],
        "overdue": overdue,
        "today": timezone.localdate(),
        "inputs": inputs,
        "error": error,
    }
    return render(request, "duties/requests.html", context)


@login_required
def request_detail(request, pk: int):
    _require_kind(request.user)
    try:
        obj = access.get_request_for_view(request.user, pk)
    except NotFound:
        raise Http404 from None
    answers = list(PowerRequest.Answer.choices)
    if obj.asked_of_street:
        answers = [(k, v) for k, v in answers if k != PowerRequest.Answer.PARTLY]
    forms = {
        "answer": [
            Input("answer", _lazy("答复意见"), kind="select", required=True, choices=answers),
            _text(PowerRequest, "reason", _lazy("答复理由"), column="answer_reason"),
        ],
        "withdraw": [],
    }
    context = {
        "obj": obj,
        "overdue": obj.state == PowerRequest.State.OPEN and obj.due_on < timezone.localdate(),
        "actions": [(a, forms[a.name]) for a in actions.offered(request.user, "requests", obj)],
        "lifecycle": "requests",
    }
    return render(request, "duties/request_detail.html", context)


@login_required
@require_POST
def act(request, lifecycle: str, pk: int, name: str):
    """Every lifecycle action a page offers, dispatched from the action tables."""
    _require_kind(request.user)
    data = post_data(request)
    back = safe_next(request, data.pop("next", ""), "/duties/")
    with refusals_as_messages(request), transaction.atomic():
        actions.perform(request.user, lifecycle, pk, name, data)
        label = actions.LIFECYCLES[lifecycle].actions[name].label
        messages.success(request, str(label))
    return redirect(back)
