"""Meeting pages (phone-first): the list, recording and correcting a meeting with the
register as the attendance list, one meeting with its history and tasks, compliance for a
street or district with drill-down to each org, and the year's ledger as Excel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.models import Area
from jiceng.core.pickers import has_choices
from jiceng.core.selectors import area_children
from jiceng.members.services import APPRAISAL_GRADES
from jiceng.orglife import access, actions, downloads, exports, forms, selectors, services
from jiceng.orglife.compliance import year_range
from jiceng.orglife.models import Attendance, Meeting, MeetingKind
from jiceng.orglife.views._common import action_inputs, area_param, form_data, require_kind
from jiceng.orgs.access import get_org_for_view


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    if not 1921 <= year <= 2200:
        raise Http404
    return year


def _org(request, value):
    try:
        return get_org_for_view(request.user, value)
    except NotFound:
        raise Http404 from None


@login_required
def meeting_list(request):
    require_kind(request.user)
    area = area_param(request)
    org = _org(request, request.GET["org"]) if request.GET.get("org") else None
    year = _year(request)
    kind = request.GET.get("kind") or None
    context = {
        "area": area,
        "org": org,
        "year": year,
        "kind": kind,
        "kinds": MeetingKind.choices,
        "meetings": selectors.meeting_list(
            viewer=request.user, area=area, org=org, year=year, kind=kind
        )[:200],
        "tasks": selectors.task_list(viewer=request.user, area=area, status="open")[:50],
    }
    return render(request, "orglife/meetings.html", context)


def _meeting_form(request, *, org, meeting=None):
    """Record (meeting None) or correct a meeting; the register of the org (as of the
    meeting's day, or today) is the attendance list."""
    day = meeting.held_on if meeting else timezone.localdate()
    register = selectors.register_on(org, day)
    marks = {a.member_id: a for a in meeting.attendance.all()} if meeting else {}
    error = None
    names = (
        "kind",
        "held_on",
        "topic",
        "place",
        "presider",
        "lecturer",
        "minutes",
        "decisions",
        "venue",
    )
    if request.method == "POST":
        values = {n: request.POST.get(n, "") for n in names}
    elif meeting is not None:
        values = {n: getattr(meeting, n) or "" for n in names if n != "venue"}
        values["held_on"] = meeting.held_on.isoformat()
        values["venue"] = meeting.venue_id or ""
    else:
        values = dict.fromkeys(names, "")
    if request.method == "POST":
        data = form_data(request)
        data["org"] = org.pk
        data["attendance"] = [
            {
                "member": m.pk,
                "status": request.POST.get(f"status_{m.pk}", "absent"),
                "reason": request.POST.get(f"reason_{m.pk}", ""),
            }
            for m in register
            if request.POST.get(f"status_{m.pk}", "absent") != "absent"
        ]
        try:
            with transaction.atomic():
                if meeting is None:
                    meeting = actions.perform(request.user, "meetings", None, "record", data)
                    # Photos or files chosen with the record, each the "attach" action.
                    for upload in request.FILES.getlist("file"):
                        actions.perform(
                            request.user, "meetings", meeting.pk, "attach", {}, upload=upload
                        )
                    messages.success(request, _("已登记"))
                else:
                    actions.perform(request.user, "meetings", meeting.pk, "update", data)
                    messages.success(request, _("已修改，原记录已保留"))
            return redirect("orglife:meeting", meeting.pk)
        except NotFound:
            raise Http404 from None
        except ApplicationError as failure:
            error = failure
    context = {
        "org": org,
        "meeting": meeting,
        "kinds": [
            (k, label) for k, label in MeetingKind.choices if org.kind in services.KINDS_FOR_ORG[k]
        ],
        "statuses": Attendance.Status.choices,
        "venues": selectors.venues_near(viewer=request.user, org=org),
        "register": [(m, marks.get(m.pk)) for m in register],
        "values": values,
        "error": error,
        "today": timezone.localdate(),
    }
    return render(request, "orglife/meeting_form.html", context)


@login_required
def meeting_new(request):
    """First which org (a GET form with the org's picker, `meeting-orgs`), then the
    meeting with the org's register. An org that is not one the viewer may record for
    is refused on the picker's field."""
    require_kind(request.user)
    chosen = "org" in request.GET
    pick = forms.MeetingOrgForm(request.GET if chosen else None, viewer=request.user)
    if not chosen or not pick.is_valid():
        return render(
            request,
            "orglife/pick_org.html",
            {"form": pick, "any": has_choices(pick, "org")},
            status=422 if chosen else 200,
        )
    return _meeting_form(request, org=pick.cleaned_data["org"])


def _meeting(request, pk) -> Meeting:
    try:
        return selectors.meeting_get(viewer=request.user, meeting_id=pk)
    except NotFound:
        raise Http404 from None


@login_required
def meeting_edit(request, pk: int):
    require_kind(request.user)
    meeting = _meeting(request, pk)
    if not access.can_manage_meeting(request.user, meeting):
        raise Http404
    return _meeting_form(request, org=meeting.org, meeting=meeting)


@login_required
def meeting_detail(request, pk: int):
    require_kind(request.user)
    meeting = _meeting(request, pk)
    owners = [("", "—")] + [(a.member_id, a.member.name) for a in meeting.attendance.all()]
    context = {
        "meeting": meeting,
        "can_manage": access.can_manage_meeting(request.user, meeting),
        "actions": [
            (a, action_inputs(a, {"owner_member": owners}))
            for a in actions.offered(request.user, "meetings", meeting)
            if a.name not in ("update", "appraise")
        ],
        "can_appraise": any(
            a.name == "appraise" for a in actions.offered(request.user, "meetings", meeting)
        ),
        "grades": list(APPRAISAL_GRADES.items()),
        "tasks": [
            (t, [(a, action_inputs(a)) for a in actions.offered(request.user, "tasks", t)])
            for t in meeting.tasks.all()
        ],
        "attachments": [
            (f, [(a, action_inputs(a)) for a in actions.offered(request.user, "attachments", f)])
            for f in meeting.attachments.all()
        ],
    }
    return render(request, "orglife/meeting_detail.html", context)


@login_required
def attachment(request, pk: int):
    """A meeting's photo or PDF, only to those who may see the meeting."""
    require_kind(request.user)
    try:
        found = selectors.attachment_get(viewer=request.user, attachment_id=pk)
    except NotFound:
        raise Http404 from None
    return downloads.attachment_response(found)


@login_required
def compliance(request):
    """How many orgs under the area are behind, and each org's line (drill-down)."""
    require_kind(request.user)
    area = area_param(request)
    if area is None:
        area = selectors.compliance_home(viewer=request.user)
    year = _year(request)
    only_behind = request.GET.get("behind") == "1"
    counts, children, rows, listed = None, [], [], False
    if area is not None:
        # Read from the yearly rollup rows (orglife.rollup): a district or a city is as
        # fast as a street. Child areas first; each org of a street (or below) listed,
        # or above it only those behind when asked.
        counts = selectors.compliance_counts(viewer=request.user, area=area, year=year)
        children = [
            (child, *counts.children.get(child.code, [0, 0]))
            for child in area_children(viewer=request.user, area=area)
        ]
        listed = area.level not in ORG_LIST_ABOVE or only_behind
        if listed:
            rows = selectors.area_compliance(
                viewer=request.user, area=area, year=year, only_behind=only_behind
            )[:ORG_LIST_MAX]
    context = {
        "area": area,
        "year": year,
        "counts": counts,
        "children": [c for c in children if c[1]],
        "rows": rows,
        "listed": listed,
        "only_behind": only_behind,
    }
    return render(request, "orglife/compliance.html", context)


# Above a street the page lists child areas, and orgs only when narrowed to those behind.
ORG_LIST_ABOVE = (Area.Level.CITY, Area.Level.DISTRICT)
ORG_LIST_MAX = 1000


@login_required
def org_compliance(request, org_id: int):
    require_kind(request.user)
    org = _org(request, org_id)
    year = _year(request)
    start, end = year_range(year)
    result = selectors.org_compliance(viewer=request.user, org=org, start=start, end=end)
    context = {
        "org": org,
        "year": year,
        "result": result,
        "meetings": selectors.meeting_list(viewer=request.user, org=org, year=year)[:300],
    }
    return render(request, "orglife/org_compliance.html", context)


@login_required
def ledger(request, org_id: int, year: int):
    require_kind(request.user)
    org = _org(request, org_id)
    if not 1921 <= year <= 2200:
        raise Http404
    content, filename = exports.ledger_xlsx(viewer=request.user, org=org, year=year)
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


EXPORTS = ("compliance", "topics", "problems", "visits")


@login_required
def export(request, name: str):
    """A list as Excel, scoped like its page; the compliance sheet needs an area."""
    require_kind(request.user)
    if name not in EXPORTS:
        raise Http404
    area = area_param(request)
    if name == "compliance" and area is None:
        raise Http404
    content, filename = exports.list_xlsx(
        viewer=request.user, name=name, area=area, year=_year(request)
    )
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response
