"""Joint meetings pages: the list with overdue tasks and agreements, calling a meeting,
and a meeting's page with its actions (attendance and minutes, a decision as a task, a
task done)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.cobuild import access, forms, selectors, services
from jiceng.cobuild.models import MeetingTask
from jiceng.cobuild.views._common import (
    area_param,
    bound,
    pick,
    posted_form,
    posted_id,
    require_kind,
)
from jiceng.core.errors import PermissionDenied
from jiceng.core.pickers import has_choices
from jiceng.core.view_helpers import call_on_form


@login_required
def meetings(request):
    require_kind(request.user)
    area = area_param(request)
    context = {
        "meetings": selectors.meeting_list(viewer=request.user, area=area)[:100],
        "overdue": selectors.overdue_tasks(viewer=request.user, area=area)[:100],
        "agreements": selectors.agreement_list(viewer=request.user, area=area)[:100],
    }
    return render(request, "cobuild/meetings.html", context)


@login_required
def meeting_new(request):
    require_kind(request.user)
    form = forms.MeetingForm(request.POST or None, viewer=request.user)
    if not has_choices(form, "committee"):
        raise Http404
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        committee = data.pop("committee")
        meeting = call_on_form(
            form,
            lambda: services.meeting_create(actor=request.user, committee=committee, **data),
        )
        if meeting is not None:
            messages.success(request, _("会议已登记；会后在本页记录出席、纪要和议定事项"))
            return redirect("cobuild:meeting", pk=meeting.pk)
    return render(
        request,
        "cobuild/form_page.html",
        {
            "form": form,
            "title": _("召开联席会议"),
            "intro": _("街道、社区大党委的联席会议：先登记议程，会后记录出席、纪要和议定事项。"),
            "submit": _("登记会议"),
        },
    )


class _MeetingPage:
    """A meeting's page and its forms; the one named `action` bound to the POST (for
    "done", the posted task's). Any action needs the right to manage the meeting."""

    def __init__(self, request, pk: int, action: str | None = None):
        require_kind(request.user)
        self.request = request
        user = request.user
        self.meeting = meeting = access.get_meeting_for_view(user, pk)
        self.can_manage = access.can_manage_meeting(user, meeting.committee)
        self.members = members = selectors.committee_members(meeting.committee)
        held_on = meeting.held_on
        serving = [
            m
            for m in members
            if m.started_on <= held_on and (m.ended_on is None or m.ended_on >= held_on)
        ]
        self.attending = set(meeting.attendance.values_list("member_id", flat=True))
        self.attendance_form = forms.AttendanceForm(
            bound(request, action, "attendance"),
            members=serving,
            initial={"attendees": sorted(self.attending), "minutes": meeting.minutes},
        )
        self.task_form = forms.TaskForm(bound(request, action, "task"), members=members)
        self.tasks = list(selectors.task_list(viewer=user, meeting=meeting))
        self.done_forms = {
            t.pk: forms.TaskDoneForm(
                request.POST
                if action == "done" and request.POST.get("task") == str(t.pk)
                else None,
                prefix=f"t{t.pk}",
            )
            for t in self.tasks
            if t.status == MeetingTask.Status.OPEN
        }
        if action and not self.can_manage:
            raise PermissionDenied()

    def done(self, result, success: str):
        if result is not None:
            messages.success(self.request, success)
            return redirect("cobuild:meeting", pk=self.meeting.pk)
        return self.render()

    def render(self):
        today = timezone.localdate()
        context = {
            "meeting": self.meeting,
            "attendees": [m for m in self.members if m.pk in self.attending],
            "tasks": [(t, self.done_forms.get(t.pk), t.deadline < today) for t in self.tasks],
            "can_manage": self.can_manage,
            "attendance_form": self.attendance_form,
            "task_form": self.task_form,
        }
        return render(self.request, "cobuild/meeting_detail.html", context)


@login_required
def meeting_detail(request, pk: int):
    """Agenda, attendance and minutes, and the decisions become tasks with an owner and
    a deadline, each marked done when it is."""
    action = posted_form(request)
    if action in MEETING_ACTIONS:
        return MEETING_ACTIONS[action](request, pk)
    page = _MeetingPage(request, pk, action)
    if action is not None:
        raise Http404
    return page.render()


@login_required
@require_POST
def meeting_attendance(request, pk: int):
    page = _MeetingPage(request, pk, "attendance")
    form, result = page.attendance_form, None
    if form.is_valid():
        data = form.cleaned_data
        chosen = [m for m in page.members if m.pk in set(data["attendees"])]
        result = call_on_form(
            form,
            lambda: services.meeting_record(
                actor=request.user, meeting=page.meeting, attendees=chosen, minutes=data["minutes"]
            ),
        )
    return page.done(result, _("出席和纪要已保存"))


@login_required
@require_POST
def meeting_task_add(request, pk: int):
    page = _MeetingPage(request, pk, "task")
    form, result = page.task_form, None
    if form.is_valid():
        data = form.cleaned_data
        owner = pick(page.members, data["owner_member"]) if data["owner_member"] else None
        result = call_on_form(
            form,
            lambda: services.meeting_task_add(
                actor=request.user,
                meeting=page.meeting,
                decision=data["decision"],
                deadline=data["deadline"],
                owner_member=owner,
                owner_name=data["owner_name"],
            ),
        )
    return page.done(result, _("议定事项已列为任务"))


@login_required
@require_POST
def meeting_task_done(request, pk: int):
    """The posted task ("task" id) is done."""
    page = _MeetingPage(request, pk, "done")
    form, result = page.done_forms.get(posted_id(request, "task")), None
    if form is None:  # done already (a second tap): say so on the page
        pick(page.tasks, posted_id(request, "task"))
        messages.info(request, str(services.MSG_TASK_DONE))
        return redirect("cobuild:meeting", pk=page.meeting.pk)
    if form.is_valid():
        task = pick(page.tasks, posted_id(request, "task"))
        result = call_on_form(
            form,
            lambda: services.meeting_task_done(
                actor=request.user, task=task, note=form.cleaned_data["note"]
            ),
            aliases={"status": None},
        )
    return page.done(result, _("事项已办结"))


MEETING_ACTIONS = {
    "attendance": meeting_attendance,
    "task": meeting_task_add,
    "done": meeting_task_done,
}
