"""Pages that write resident units: register, edit, move, and attach to the unit's own
org or a joint org. Same pattern as the org pages: one service per page, refusals on
their field, 404 out of scope, 403 in sight but not the viewer's to change."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.core.pickers import has_choices
from jiceng.core.scope import KIND_UNIT
from jiceng.orgs import forms, services
from jiceng.orgs.access import get_unit_for_manage, get_unit_for_view, require_manage_unit
from jiceng.orgs.views.common import call, form_page, require_kind


@login_required
def unit_new(request):
    """Register a unit new to the territory; it shows as new and uncovered for the
    follow-up period until an org reaches it."""
    require_kind(request.user, KIND_UNIT)
    form = forms.UnitForm(
        request.POST or None, initial={"area": request.GET.get("area", "")}, viewer=request.user
    )
    if not has_choices(form, "area"):
        raise Http404
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = data["area"]
        unit = call(
            form,
            lambda: services.unit_create(
                actor=request.user,
                name=data["name"],
                uscc=data["uscc"],
                kind=data["kind"],
                area=area,
                address=data["address"],
                employees=data["employees"],
                formal_members=data["formal_members"],
            ),
        )
        if unit is not None:
            messages.success(request, _("单位已登记，将列入“新登记未覆盖”跟进"))
            return redirect("orgs:unit_detail", pk=unit.pk)
    return form_page(
        request,
        form,
        title=_("登记驻区单位"),
        intro=_("统一社会信用代码按国家标准（GB 32100）校验；同一代码只能登记一次。"),
        submit=_("登记"),
        back=reverse("orgs:unit_list"),
    )


@login_required
def unit_edit(request, pk: int):
    unit = get_unit_for_view(request.user, pk)
    require_manage_unit(request.user, unit)
    initial = {
        "name": unit.name,
        "kind": unit.kind,
        "address": unit.address,
        "employees": unit.employees,
        "formal_members": unit.formal_members,
    }
    form = forms.UnitEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = get_unit_for_manage(request.user, pk)
            updated = call(
                form,
                lambda: services.unit_update(actor=request.user, unit=locked, **form.cleaned_data),
            )
        if updated is not None:
            messages.success(request, _("已保存"))
            return redirect("orgs:unit_detail", pk=unit.pk)
    return form_page(
        request,
        form,
        title=_("修改单位：%(name)s") % {"name": unit.name},
        submit=_("保存"),
        back=reverse("orgs:unit_detail", args=[unit.pk]),
    )


@login_required
def unit_move(request, pk: int):
    unit = get_unit_for_view(request.user, pk)
    require_manage_unit(request.user, unit)
    form = forms.UnitMoveForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        area = form.cleaned_data["area"]
        with transaction.atomic():
            locked = get_unit_for_manage(request.user, pk)
            moved = call(
                form, lambda: services.unit_move(actor=request.user, unit=locked, area=area)
            )
        if moved is not None:
            messages.success(request, _("单位所在区域已变更"))
            return redirect("orgs:unit_detail", pk=unit.pk)
    return form_page(
        request,
        form,
        title=_("单位迁移：%(name)s") % {"name": unit.name},
        intro=_("单位搬到辖区内另一处时使用；原所在区域记入审计日志。"),
        submit=_("迁移"),
        back=reverse("orgs:unit_detail", args=[unit.pk]),
    )


@login_required
def unit_coverage(request, pk: int):
    """Attach the unit to its own org, or to a joint org that covers it, or to neither."""
    unit = get_unit_for_view(request.user, pk)
    require_manage_unit(request.user, unit)
    form = forms.UnitCoverageForm(
        request.POST or None,
        initial={"own_org": unit.own_org_id or "", "covering_org": unit.covering_org_id or ""},
        viewer=request.user,
    )
    if request.method == "POST" and form.is_valid():
        own, covering = form.cleaned_data["own_org"], form.cleaned_data["covering_org"]
        with transaction.atomic():
            locked = get_unit_for_manage(request.user, pk)
            updated = call(
                form,
                lambda: services.unit_set_coverage(
                    actor=request.user, unit=locked, own_org=own, covering_org=covering
                ),
            )
        if updated is not None:
            messages.success(request, _("覆盖情况已更新"))
            return redirect("orgs:unit_detail", pk=unit.pk)
    return form_page(
        request,
        form,
        title=_("党组织覆盖：%(name)s") % {"name": unit.name},
        intro=_(
            "单位有本单位党组织的，选择本单位党组织；由联合党支部覆盖的，选择联合党组织；"
            "两者只能选一个，都不选即为未覆盖。"
        ),
        submit=_("保存"),
        back=reverse("orgs:unit_detail", args=[unit.pk]),
    )
