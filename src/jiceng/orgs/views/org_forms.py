"""Pages that write party organizations: register, edit, move in the tree, close.

Each page parses its form, calls one service and redirects after success (POST →
redirect → GET). A refusal comes back on the field it names; an org out of the
viewer's scope answers 404, one in sight that the viewer may not change 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.core.pickers import has_choices
from jiceng.core.scope import KIND_PARTY_ORG
from jiceng.orgs import forms, services
from jiceng.orgs.access import get_org_for_manage, get_org_for_view, require_manage_org
from jiceng.orgs.views.common import call, form_page, require_kind


@login_required
def org_new(request):
    """Register a party organization: "增加一个，组建一个"."""
    require_kind(request.user, KIND_PARTY_ORG)
    initial = {"parent": request.GET.get("parent", "")}
    form = forms.OrgForm(request.POST or None, initial=initial, viewer=request.user)
    if not has_choices(form, "parent") and not has_choices(form, "area"):
        raise Http404
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = data["parent"]
        area = data["area"] or (parent.area if parent else None)
        if area is None:
            form.add_error("area", _("请选择所在区域"))
        else:
            org = call(
                form,
                lambda: services.org_create(
                    actor=request.user,
                    name=data["name"],
                    kind=data["kind"],
                    domain=data["domain"],
                    form=data["form"],
                    parent=parent,
                    area=area,
                    secretary_name=data["secretary_name"],
                    established_on=data["established_on"],
                ),
            )
            if org is not None:
                messages.success(request, _("党组织已登记"))
                return redirect("orgs:org_detail", pk=org.pk)
    return form_page(
        request,
        form,
        title=_("登记党组织"),
        intro=_("新组建的党组织：选择上级党组织（隶属关系）和所在区域（属地）。"),
        submit=_("登记"),
        back=reverse("orgs:org_tree"),
    )


@login_required
def org_edit(request, pk: int):
    org = get_org_for_view(request.user, pk)
    require_manage_org(request.user, org)
    initial = {
        "name": org.name,
        "domain": org.domain,
        "form": org.form,
        "secretary_name": org.secretary_name,
    }
    form = forms.OrgEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = get_org_for_manage(request.user, pk)
            updated = call(
                form,
                lambda: services.org_update(actor=request.user, org=locked, **form.cleaned_data),
            )
        if updated is not None:
            messages.success(request, _("已保存"))
            return redirect("orgs:org_detail", pk=org.pk)
    return form_page(
        request,
        form,
        title=_("修改党组织：%(name)s") % {"name": org.name},
        submit=_("保存"),
        back=reverse("orgs:org_detail", args=[org.pk]),
    )


@login_required
def org_move(request, pk: int):
    """Change an org's affiliation parent (条) and, if it moved, its place (块)."""
    org = get_org_for_view(request.user, pk)
    require_manage_org(request.user, org)
    # An org cannot go under itself or below: the service refuses it on the field.
    form = forms.OrgMoveForm(
        request.POST or None, initial={"parent": org.parent_id or ""}, viewer=request.user
    )
    if request.method == "POST" and form.is_valid():
        parent, area = form.cleaned_data["parent"], form.cleaned_data["area"]
        with transaction.atomic():
            locked = get_org_for_manage(request.user, pk)
            moved = call(
                form,
                lambda: services.org_move(actor=request.user, org=locked, parent=parent, area=area),
            )
        if moved is not None:
            messages.success(request, _("党组织已调整隶属关系"))
            return redirect("orgs:org_detail", pk=org.pk)
    return form_page(
        request,
        form,
        title=_("调整隶属关系：%(name)s") % {"name": org.name},
        intro=_("下级组织随之一起调整；原来的隶属关系记入审计日志。"),
        submit=_("调整"),
        back=reverse("orgs:org_detail", args=[org.pk]),
    )


@login_required
def org_close(request, pk: int):
    """Close (撤销) an org: the row and its history stay; units it covered become uncovered."""
    org = get_org_for_view(request.user, pk)
    require_manage_org(request.user, org)
    form = forms.OrgCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = get_org_for_manage(request.user, pk)
            closed = call(
                form,
                lambda: services.org_close(
                    actor=request.user,
                    org=locked,
                    reason=form.cleaned_data["reason"],
                    closed_on=form.cleaned_data["closed_on"],
                ),
            )
        if closed is not None:
            messages.success(request, _("党组织已撤销，历史记录保留"))
            return redirect("orgs:org_detail", pk=org.pk)
    return form_page(
        request,
        form,
        title=_("撤销党组织：%(name)s") % {"name": org.name},
        intro=_("撤销后组织记录和历史保留；它单独或联合覆盖的单位将变为未覆盖。"),
        submit=_("撤销"),
        back=reverse("orgs:org_detail", args=[org.pk]),
    )
