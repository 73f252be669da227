"""Configuration pages (办理设置): who handles what, without the superuser admin.

Territory staff set routing rules and handling units (with their handlers) inside the
territory they manage, and can check which unit a case would go to; who manages the
city keeps the category list and its deadlines. Every change goes through the services,
which check access again and write the audit row.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.appeals import selectors, services, setup_forms
from jiceng.appeals.models import HandlingUnit
from jiceng.appeals.routing import route
from jiceng.core.access import can_manage_area
from jiceng.core.inputs import form_failure
from jiceng.core.models import Area
from jiceng.core.view_helpers import call_on_form, refusals_as_messages


def _roots(request) -> list[Area]:
    """The areas the viewer manages; the areas and units the forms choose among are
    pickers under them (`appeals.pickers`)."""
    roots = selectors.managed_roots(request.user)
    if not roots:
        raise Http404
    return roots


def _can_edit_categories(user) -> bool:
    root = selectors.city_root()
    return root is not None and can_manage_area(user, root)


# ---- routing rules ------------------------------------------------------------------------


@login_required
def rules(request):
    """The rules of the viewer's territory, a form to set one, and a check of where a
    case of a given category and place would go."""
    _roots(request)
    user = request.user
    form = setup_forms.RuleForm(request.POST or None, prefix="rule", viewer=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        category = (
            selectors.category_named(pk=data["category"], active=False)
            if data["category"]
            else None
        )

        def set_rule():
            return services.routing_rule_set(
                actor=user, area=data["area"], unit=data["unit"], category=category
            )

        if call_on_form(form, set_rule, propagate=()) is not None:
            messages.success(request, _("已保存派单规则"))
            return redirect("appeals:setup_rules")
    preview_form = setup_forms.PreviewForm(
        request.GET if "preview-area" in request.GET else None, prefix="preview", viewer=user
    )
    preview = None
    if preview_form.is_bound and preview_form.is_valid():
        area = preview_form.cleaned_data["area"]
        category = selectors.category_named(pk=preview_form.cleaned_data["category"])
        if area is not None and category is not None:
            preview = {"area": area, "category": category, "rule": route(category, area)}
    context = {
        # A city holds thousands of rules: a page of them, each with its delete button.
        "rules": Paginator(selectors.routing_rules(viewer=request.user), 100).get_page(
            request.GET.get("page")
        ),
        "form": form,
        "preview_form": preview_form,
        "preview": preview,
    }
    return render(request, "appeals/setup_rules.html", context)


@login_required
@require_POST
def rule_delete(request, pk: int):
    rule = selectors.routing_rules(viewer=request.user).filter(pk=pk).first()
    if rule is None:
        raise Http404
    with refusals_as_messages(request, not_found_is_404=False):
        services.routing_rule_delete(actor=request.user, rule=rule)
        messages.success(request, _("已删除派单规则"))
    return redirect("appeals:setup_rules")


# ---- handling units and handlers --------------------------------------------------------------


@login_required
def units(request):
    _roots(request)
    form = setup_forms.UnitForm(request.POST or None, prefix="unit", viewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create_unit():
            return services.handling_unit_create(
                actor=request.user, name=data["name"], kind=data["kind"], area=data["area"]
            )

        if call_on_form(form, create_unit, propagate=()) is not None:
            messages.success(request, _("已新增承办单位"))
            return redirect("appeals:setup_units")
    context = {
        "units": selectors.configured_units(viewer=request.user)[:500],
        "form": form,
        "handler_form": setup_forms.HandlerForm(),
    }
    return render(request, "appeals/setup_units.html", context)


def _unit(request, pk: int) -> HandlingUnit:
    unit = selectors.configured_units(viewer=request.user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


@login_required
@require_POST
def unit_active(request, pk: int):
    unit = _unit(request, pk)
    active = request.POST.get("active") == "1"
    with refusals_as_messages(request, not_found_is_404=False):
        services.handling_unit_set_active(actor=request.user, unit=unit, active=active)
        messages.success(request, _("已启用") if active else _("已停用，不再接收新派单"))
    return redirect("appeals:setup_units")


@login_required
@require_POST
def handler_add(request, pk: int):
    unit = _unit(request, pk)
    form = setup_forms.HandlerForm(request.POST)
    with refusals_as_messages(request, not_found_is_404=False):
        if not form.is_valid():
            raise form_failure(form)
        username = form.cleaned_data["username"]
        membership = services.handler_add_by_username(
            actor=request.user, unit=unit, username=username
        )
        messages.success(
            request,
            _("已将 %(user)s 加入 %(unit)s")
            % {"user": membership.user.username, "unit": unit.name},
        )
    return redirect("appeals:setup_units")


@login_required
@require_POST
def handler_remove(request, pk: int):
    membership = selectors.configured_membership(viewer=request.user, pk=pk)
    if membership is None:
        raise Http404
    with refusals_as_messages(request, not_found_is_404=False):
        services.handler_remove(actor=request.user, membership=membership)
        messages.success(request, _("已移出承办人员"))
    return redirect("appeals:setup_units")


# ---- categories and deadlines -----------------------------------------------------------------


@login_required
def categories(request):
    _roots(request)
    context = {
        "categories": selectors.all_categories(),
        "can_edit": _can_edit_categories(request.user),
    }
    return render(request, "appeals/setup_categories.html", context)


@login_required
def category_edit(request, pk: int | None = None):
    _roots(request)
    if not _can_edit_categories(request.user):
        raise Http404
    category = None
    if pk is not None:
        category = selectors.category_named(pk=pk, active=False)
        if category is None:
            raise Http404
    initial = None
    if category is not None:
        initial = {
            field: getattr(category, field)
            for field in (
                "name",
                "group",
                "description",
                "response_hours",
                "resolution_amount",
                "resolution_unit",
                "reopen_days",
                "is_mediation",
                "is_active",
                "sort",
            )
        }
    form = setup_forms.CategoryForm(
        request.POST or None, initial=initial, editing=category is not None
    )
    if request.method == "POST" and form.is_valid():
        facts = setup_forms.category_facts(form.cleaned_data)

        def save():
            if category is None:
                code = form.cleaned_data["code"]
                return services.category_create(actor=request.user, code=code, facts=facts)
            return services.category_update(actor=request.user, category=category, facts=facts)

        if call_on_form(form, save, propagate=()) is not None:
            messages.success(request, _("已保存诉求类别；新时限自保存后受理的诉求起适用"))
            return redirect("appeals:setup_categories")
    return render(request, "appeals/setup_category.html", {"form": form, "category": category})
