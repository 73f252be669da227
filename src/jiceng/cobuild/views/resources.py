"""Resources pages: a provider's offer, and a resource's page with its two actions (edit,
withdraw)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.cobuild import access, forms, selectors, services
from jiceng.cobuild.views._common import bound, posted_form, provider_name, require_kind
from jiceng.core.pickers import has_choices
from jiceng.core.view_helpers import call_on_form


@login_required
def resource_new(request):
    """A unit's party org, or an in-service member through their dual report, offers a
    venue, skilled volunteers, funds, a service or materials."""
    require_kind(request.user)
    form = forms.ResourceForm(request.POST or None, viewer=request.user)
    # Who speaks for no org and records no member's offer has nothing to do here.
    if not (has_choices(form, "org") or has_choices(form, "dual_report")):
        raise Http404
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org, report = data["org"], data["dual_report"]
        # No area chosen: an org's own place (a member's is the community, the service's).
        area = data["area"] or (org.area if org is not None else None)
        facts = services.ResourceFacts(
            title=data["title"],
            kind=data["kind"],
            category=data["category"],
            available_from=data["available_from"],
            available_until=data["available_until"],
            capacity=data["capacity"],
            area=area,
            description=data["description"],
        )
        resource = call_on_form(
            form,
            lambda: services.resource_offer(
                actor=request.user, facts=facts, org=org, dual_report=report
            ),
            aliases={"offered_by_org": "org", "dual_report": "dual_report"},
        )
        if resource is not None:
            messages.success(request, _("资源已登记，进入资源清单参与供需匹配"))
            return redirect("cobuild:resource", pk=resource.pk)
    return render(
        request,
        "cobuild/form_page.html",
        {
            "form": form,
            "title": _("提供资源"),
            "intro": _(
                "驻区单位党组织和报到的在职党员提供的场地、专业志愿者、资金、服务、物资。"
                "容量是可同时承接的需求项数。"
            ),
            "submit": _("登记资源"),
        },
        # A refusal answers 422 (as the orgs pages' forms do): seen without reading the page.
        status=422 if form.is_bound and form.errors else 200,
    )


class _ResourcePage:
    """A resource's page and its forms; the one named `action` bound to the POST."""

    def __init__(self, request, pk: int, action: str | None = None):
        require_kind(request.user)
        self.request = request
        self.resource = resource = access.get_resource_for_view(request.user, pk)
        self.can_manage = access.can_manage_resource(request.user, resource) and resource.is_active
        initial = {
            "title": resource.title,
            "capacity": resource.capacity,
            "available_from": resource.available_from,
            "available_until": resource.available_until,
            "description": resource.description,
        }
        self.edit_form = forms.ResourceEditForm(bound(request, action, "edit"), initial=initial)
        self.withdraw_form = forms.ReasonForm(bound(request, action, "withdraw"))

    def render(self):
        resource, user = self.resource, self.request.user
        projects = (
            selectors.project_list(viewer=user).filter(resource_links__resource=resource).distinct()
        )
        context = {
            "resource": resource,
            "provider": provider_name(resource),
            "used": services.resource_used_capacity(resource),
            "projects": projects,
            "can_manage": self.can_manage,
            "edit_form": self.edit_form,
            "withdraw_form": self.withdraw_form,
        }
        return render(self.request, "cobuild/resource_detail.html", context)


@login_required
def resource_detail(request, pk: int):
    """A resource, the projects it serves, and its provider's edit and withdraw forms."""
    action = RESOURCE_ACTIONS.get(posted_form(request))
    if action is not None:
        return action(request, pk)
    return _ResourcePage(request, pk).render()


@login_required
@require_POST
def resource_edit(request, pk: int):
    page = _ResourcePage(request, pk, "edit")
    form = page.edit_form
    if page.can_manage and form.is_valid():
        data = form.cleaned_data
        done = call_on_form(
            form,
            lambda: services.resource_update(actor=request.user, resource=page.resource, **data),
        )
        if done is not None:
            messages.success(request, _("资源已更新"))
            return redirect("cobuild:resource", pk=page.resource.pk)
    return page.render()


@login_required
@require_POST
def resource_withdraw(request, pk: int):
    page = _ResourcePage(request, pk, "withdraw")
    form = page.withdraw_form
    if page.can_manage and form.is_valid():
        done = call_on_form(
            form,
            lambda: services.resource_withdraw(
                actor=request.user, resource=page.resource, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, _("资源已撤回，进行中的项目不受影响"))
            return redirect("cobuild:resource", pk=page.resource.pk)
    return page.render()


RESOURCE_ACTIONS = {"edit": resource_edit, "withdraw": resource_withdraw}
