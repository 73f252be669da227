"""A project's page and its actions: claim, start and complete (the providing org),
evaluate and plan (the community)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.cobuild import access, forms, selectors, services
from jiceng.cobuild.states import TRANSITIONS, allowed_actions
from jiceng.cobuild.views._common import bound, posted_form, require_kind
from jiceng.core.view_helpers import call_on_form

STEP_SERVICES = {
    "claim": services.project_claim,
    "start": services.project_start,
    "complete": services.project_complete,
}


class _ProjectPage:
    """A project's page and the forms of the steps this viewer may take now; the one
    named `action` bound to the POST."""

    def __init__(self, request, pk: int, action: str | None = None):
        require_kind(request.user)
        self.request = request
        self.project = project = access.get_project_for_view(request.user, pk)
        user = request.user
        allowed = set(allowed_actions(project))
        can_carry = access.can_carry_out_project(user, project)
        can_steer = access.can_steer_project(user, project)
        self.steps = [
            (name, TRANSITIONS[name].label, forms.ProjectStepForm(bound(request, action, name)))
            for name in STEP_SERVICES
            if name in allowed and can_carry
        ]
        self.evaluate_form = None
        if "evaluate" in allowed and can_steer:
            self.evaluate_form = forms.ProjectEvaluateForm(bound(request, action, "evaluate"))
        self.plan_form = None
        if project.is_active and can_steer:
            self.plan_form = forms.ProjectPlanForm(
                bound(request, action, "plan"),
                initial={"title": project.title, "plan": project.plan, "budget": project.budget},
            )

    def render(self):
        project, user = self.project, self.request.user
        context = {
            "project": project,
            "events": selectors.project_events(viewer=user, project=project),
            "resources": project.resources.all(),
            "steps": self.steps,
            "evaluate_form": self.evaluate_form,
            "plan_form": self.plan_form,
        }
        return render(self.request, "cobuild/project.html", context)


@login_required
def project_detail(request, pk: int):
    """A project's record and, for who may take them, the next step of its life."""
    action = posted_form(request)
    if action in STEP_SERVICES:
        return project_step(request, pk, step=action)
    if action in PROJECT_ACTIONS:
        return PROJECT_ACTIONS[action](request, pk)
    page = _ProjectPage(request, pk)
    if action is not None:
        raise Http404
    return page.render()


@login_required
@require_POST
def project_step(request, pk: int, step: str):
    """Claim, start or complete: the step's form, or, when it is not a step this viewer
    may take now, one made for the service to say why."""
    if step not in STEP_SERVICES:
        raise Http404
    page = _ProjectPage(request, pk, step)
    form = next((f for name, _label, f in page.steps if name == step), None)
    if form is None:
        form = forms.ProjectStepForm(request.POST)
        page.steps.append((step, TRANSITIONS[step].label, form))
    if form.is_valid():
        done = call_on_form(
            form,
            lambda: STEP_SERVICES[step](
                actor=request.user, project=page.project, note=form.cleaned_data["note"]
            ),
            aliases={"state": None},
        )
        if done is not None:
            messages.success(request, _("已%(step)s") % {"step": TRANSITIONS[step].label})
            return redirect("cobuild:project", pk=page.project.pk)
    return page.render()


@login_required
@require_POST
def project_evaluate(request, pk: int):
    page = _ProjectPage(request, pk, "evaluate")
    form = page.evaluate_form = page.evaluate_form or forms.ProjectEvaluateForm(request.POST)
    if form.is_valid():
        done = call_on_form(
            form,
            lambda: services.project_evaluate(
                actor=request.user,
                project=page.project,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            ),
            aliases={"state": None},
        )
        if done is not None:
            messages.success(request, _("评价已记录，需求已关闭"))
            return redirect("cobuild:project", pk=page.project.pk)
    return page.render()


@login_required
@require_POST
def project_plan(request, pk: int):
    page = _ProjectPage(request, pk, "plan")
    form = page.plan_form = page.plan_form or forms.ProjectPlanForm(request.POST)
    if form.is_valid():
        done = call_on_form(
            form,
            lambda: services.project_update_plan(
                actor=request.user, project=page.project, **form.cleaned_data
            ),
            aliases={"state": None},
        )
        if done is not None:
            messages.success(request, _("项目方案已更新"))
            return redirect("cobuild:project", pk=page.project.pk)
    return page.render()


PROJECT_ACTIONS = {"evaluate": project_evaluate, "plan": project_plan}
