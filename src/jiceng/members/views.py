"""Member pages: the register (masked, with audited reveal), registration, transfers,
the mobile-member ledger, dual reporting and report-back, composition statistics."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jiceng.core.access import can_manage_area, get_area_for_view
from jiceng.core.errors import ApplicationError, NotFound, ValidationFailed
from jiceng.core.inputs import check_text, form_failure
from jiceng.core.pickers import has_choices
from jiceng.core.scope import KIND_MEMBER, scope_for
from jiceng.core.search_tokens import search_token_create, search_token_text
from jiceng.core.view_helpers import call_on_form, refusals_as_messages
from jiceng.members import access, forms, selectors, services
from jiceng.members.errors import MemberErrorCode
from jiceng.members.models import Member, MobileInflow, MobileOutflow, Transfer
from jiceng.orgs.access import get_org_for_view
from jiceng.orgs.selectors import org_list


def _require_member_kind(user) -> None:
    if not scope_for(user).can_see_kind(KIND_MEMBER):
        raise Http404


def _node(request):
    area = get_area_for_view(request.user, request.GET["area"]) if request.GET.get("area") else None
    org = get_org_for_view(request.user, request.GET["org"]) if request.GET.get("org") else None
    return area, org


SEARCH_FILTERS = ("area", "org", "status", "category")
SEARCH_MAX_LENGTH = 100


@login_required
def member_list(request):
    """The register. The filter form is sent by POST: the search text (a name, a whole
    ID number or phone) goes into the session behind a token, and the page redirects to
    a URL holding only the token and the plain filters (DESIGN: nothing personal in
    URLs). A search by a whole number is audited as a lookup of the members it finds."""
    _require_member_kind(request.user)
    if request.method == "POST":
        return _member_search(request)
    area, org = _node(request)
    q = search_token_text(request, request.GET.get("s"))
    if request.GET.get("s") and q is None:
        # A token from an ended session (or another browser): say so rather than show
        # the whole register as if it were the answer.
        messages.info(request, _("查询已过期，请重新输入查询条件"))
        params = {k: request.GET[k] for k in SEARCH_FILTERS if request.GET.get(k)}
        return redirect(f"{reverse('members:list')}?{urlencode(params)}")
    members = selectors.member_register(
        viewer=request.user,
        area=area,
        org=org,
        status=request.GET.get("status") or None,
        category=request.GET.get("category") or None,
        q=q,
    )
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    rows = [(m, selectors.member_display(m)) for m in page]
    context = {
        "page": page,
        "rows": rows,
        "area": area,
        "org": org,
        "params": request.GET,
        "q": q or "",
        "statuses": Member.Status.choices,
        "categories": Member.Category.choices,
    }
    return render(request, "members/list.html", context)


def _member_search(request):
    params = {k: request.POST[k] for k in SEARCH_FILTERS if request.POST.get(k)}
    try:
        q = check_text(request.POST.get("q"), field="q", max_length=SEARCH_MAX_LENGTH)
    except ValidationFailed as refused:
        messages.error(request, _("查询条件：%(reason)s") % {"reason": refused.message})
        return redirect(f"{reverse('members:list')}?{urlencode(params)}")
    if q:
        field = selectors.lookup_field(q)
        if field is not None:
            area, org = (
                get_area_for_view(request.user, params["area"]) if "area" in params else None,
                get_org_for_view(request.user, params["org"]) if "org" in params else None,
            )
            found = selectors.member_list(viewer=request.user, area=area, org=org, q=q)[:50]
            services.member_lookup_audit(
                actor=request.user, field=field, query=q, members=list(found)
            )
        params["s"] = search_token_create(request, q)
    return redirect(f"{reverse('members:list')}?{urlencode(params)}")


@login_required
def member_new(request):
    _require_member_kind(request.user)
    form = forms.MemberForm(request.POST or None, viewer=request.user)
    if not has_choices(form, "org"):
        raise Http404
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = data["org"]
        facts = services.MemberFacts(
            name=data["name"],
            id_number=data["id_number"],
            ethnicity=data["ethnicity"],
            education=data["education"],
            joined_on=data["joined_on"],
            status=data["status"],
            category=data["category"],
            full_on=data["full_on"],
            phone=data["phone"],
            work_unit_name=data["work_unit_name"],
            post=data["post"],
        )
        member = call_on_form(
            form,
            lambda: services.member_register(actor=request.user, org=org, facts=facts),
            propagate=(),
        )
        if member is not None:
            messages.success(request, _("已登记"))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/new.html", {"form": form})


@login_required
def member_detail(request, pk: int):
    member = access.get_member_for_view(request.user, pk)
    context = {
        "member": member,
        "shown": selectors.member_display(member),
        "can_manage": access.can_manage_member(request.user, member),
        "events": selectors.member_events(viewer=request.user, member=member),
        "memberships": member.memberships.select_related("org").order_by("started_on", "id"),
        "transfer_form": forms.TransferForm(),
        "outflow_form": forms.OutflowForm(),
        "open_outflow": member.outflows.filter(state=MobileOutflow.State.OUT).first(),
        "account_form": forms.AccountForm(),
        "revealed": request.session.pop("jiceng_revealed", None),
    }
    return render(request, "members/detail.html", context)


@login_required
def member_me(request):
    """A party member's own file: record (masked, with an audited reveal of their own
    numbers), org history, transfers, mobile records and community service hours."""
    member = selectors.member_own(viewer=request.user)
    context = {"member": member}
    if member is not None:
        context |= {
            "shown": selectors.member_display(member),
            "can_reveal": access.can_reveal_member(request.user, member),
            "memberships": member.memberships.select_related("org").order_by("started_on", "id"),
            "transfers": member.transfers.select_related("from_org", "to_org").order_by(
                "-started_at"
            ),
            "outflows": member.outflows.order_by("-left_on"),
            "reports": selectors.member_own_reports(viewer=request.user, member=member),
            "revealed": request.session.pop("jiceng_revealed", None),
            "data_access": selectors.member_data_access(viewer=request.user, member=member),
        }
    return render(request, "members/me.html", context)


@login_required
def member_data_access(request, pk: int):
    """Who revealed, exported or looked up this member's personal data: for auditors
    (and the member, who also sees it on their own page)."""
    member = access.get_member_for_data_access(request.user, pk)
    rows = selectors.member_data_access(viewer=request.user, member=member)
    return render(
        request,
        "members/data_access.html",
        {"member": member, "shown": selectors.member_display(member), "data_access": rows},
    )


@login_required
@sensitive_post_parameters("password")
@require_POST
def member_account(request, pk: int):
    """Open the member's own sign-in (the org that keeps the record)."""
    member = access.get_member_for_view(request.user, pk)
    form = forms.AccountForm(request.POST)
    with refusals_as_messages(request):
        if not form.is_valid():
            raise form_failure(form)
        user = services.member_account_open(
            actor=request.user,
            member=member,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        messages.success(request, _("已开通本人账号 %(name)s") % {"name": user.username})
    return redirect("members:detail", pk=pk)


@login_required
@require_POST
def member_reveal(request, pk: int):
    """Show the full number once, on the next page view; the service audits it. The value
    travels in the session, never in a URL."""
    member = access.get_member_for_view(request.user, pk)
    field = request.POST.get("field", "")
    with refusals_as_messages(request, not_found_is_404=False):
        value = services.member_reveal(actor=request.user, member=member, field=field)
        request.session["jiceng_revealed"] = {"field": field, "value": value}
    if access.is_own_record(request.user, member) and not access.can_manage_member(
        request.user, member
    ):
        return redirect("members:me")
    return redirect("members:detail", pk=pk)


@login_required
@require_POST
def member_transfer(request, pk: int):
    member = access.get_member_for_view(request.user, pk)
    form = forms.TransferForm(request.POST)
    with refusals_as_messages(request):
        if not form.is_valid():
            raise form_failure(form)
        to_org = access.org_named(form.cleaned_data["to_org"])
        if to_org is None:
            raise ValidationFailed(
                _("转入党组织不存在"), field="to_org", code=MemberErrorCode.TO_ORG_NOT_FOUND
            )
        services.transfer_start(
            actor=request.user, member=member, to_org=to_org, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("已发起转接，等待对方接收"))
    return redirect("members:detail", pk=pk)


@login_required
@require_POST
def member_outflow(request, pk: int):
    member = access.get_member_for_view(request.user, pk)
    form = forms.OutflowForm(request.POST)
    with refusals_as_messages(request):
        if not form.is_valid():
            raise form_failure(form)
        services.outflow_register(actor=request.user, member=member, **form.cleaned_data)
        messages.success(request, _("已登记外出"))
    return redirect("members:detail", pk=pk)


@login_required
def transfers(request):
    _require_member_kind(request.user)
    context = {
        "incoming": selectors.transfer_list(
            viewer=request.user, state=Transfer.State.PENDING, direction="incoming"
        )[:200],
        "outgoing": selectors.transfer_list(
            viewer=request.user, state=Transfer.State.PENDING, direction="outgoing"
        )[:200],
        "recent": selectors.transfer_list(viewer=request.user).exclude(
            state=Transfer.State.PENDING
        )[:50],
        "reason_form": forms.ReasonForm(),
    }
    return render(request, "members/transfers.html", context)


@login_required
@require_POST
def transfer_decide(request, pk: int, decision: str):
    with refusals_as_messages(request), transaction.atomic():
        transfer = access.get_transfer_for_view(request.user, pk)
        if decision == "accept":
            services.transfer_accept(actor=request.user, transfer=transfer)
            messages.success(request, _("已接收"))
        elif decision == "return":
            form = forms.ReasonForm(request.POST)
            if not form.is_valid():
                raise form_failure(form)
            services.transfer_return(
                actor=request.user, transfer=transfer, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("已退回"))
        elif decision == "cancel":
            services.transfer_cancel(actor=request.user, transfer=transfer)
            messages.success(request, _("已撤回"))
        else:
            raise Http404
    return redirect("members:transfers")


def _managed_communities(user):
    return selectors.managed_communities(viewer=user)


@login_required
def mobile(request):
    _require_member_kind(request.user)
    communities = _managed_communities(request.user)
    form = forms.InflowForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = next((c for c in communities if c.pk == data.pop("community")), None)

        def register():
            if community is None:
                raise NotFound(field="community")
            return services.inflow_register(actor=request.user, community=community, **data)

        inflow = call_on_form(form, register, propagate=())
        if inflow is not None:
            if inflow.state == MobileInflow.State.VERIFIED:
                messages.success(request, _("已登记并核实"))
            else:
                messages.warning(
                    request, _("已登记，待核实：%(note)s") % {"note": inflow.verify_note}
                )
            return redirect("members:mobile")
    context = {
        "ledger": selectors.mobile_ledger(viewer=request.user),
        "outflows": selectors.outflow_list(viewer=request.user, state="out")[:200],
        "inflows": selectors.inflow_list(viewer=request.user).exclude(state="closed")[:200],
        "form": form if communities else None,
    }
    return render(request, "members/mobile.html", context)


@login_required
@require_POST
def mobile_action(request, kind: str, pk: int):
    import datetime

    with refusals_as_messages(request):
        if kind == "return":
            outflow = access.get_outflow_for_view(request.user, pk)
            try:
                day = datetime.date.fromisoformat(request.POST.get("returned_on", ""))
            except ValueError:
                messages.error(request, _("请填写返回日期"))
                return redirect("members:mobile")
            services.outflow_return(actor=request.user, outflow=outflow, returned_on=day)
            messages.success(request, _("已登记返回"))
        elif kind == "verify":
            inflow = access.get_inflow_for_view(request.user, pk)
            inflow = services.inflow_verify(actor=request.user, inflow=inflow)
            messages.info(request, inflow.get_state_display())
        else:
            raise Http404
    return redirect("members:mobile")


@login_required
def dual(request):
    """The community's view: who reported here, their posts and service; and, for a unit
    org, the report-back of its members' service."""
    _require_member_kind(request.user)
    page = Paginator(selectors.dual_report_list(viewer=request.user), 50).get_page(
        request.GET.get("page")
    )
    # 双报告 is a unit org's: the orgs the viewer holds a role on, not every org in sight
    # (a district's first orgs summed every service record of the district).
    own = scope_for(request.user).managed_org_paths()
    unit_orgs = list(org_list(viewer=request.user).filter(path__in=own)[:10])
    backs = [selectors.report_back(viewer=request.user, org=o) for o in unit_orgs]
    context = {
        "page": page,
        "reports": [
            (r, r.community_id and can_manage_area(request.user, r.community)) for r in page
        ],
        "service_form": forms.ServiceForm(),
        "post_form": forms.PostForm(),
        "backs": [b for b in backs if b.rows or b.org_services],
    }
    return render(request, "members/dual.html", context)


@login_required
@require_POST
def dual_action(request, pk: int, kind: str):
    with refusals_as_messages(request):
        report = access.get_dual_report_for_view(request.user, pk)
        if kind == "service":
            form = forms.ServiceForm(request.POST)
            if not form.is_valid():
                raise form_failure(form)
            services.service_record_add(actor=request.user, report=report, **form.cleaned_data)
            messages.success(request, _("服务已记录"))
        elif kind == "post":
            form = forms.PostForm(request.POST)
            if not form.is_valid():
                raise form_failure(form)
            services.dual_report_assign_post(
                actor=request.user, report=report, service_post=form.cleaned_data["service_post"]
            )
            messages.success(request, _("岗位已安排"))
        else:
            raise Http404
    return redirect("members:dual")


@login_required
def statistics(request):
    _require_member_kind(request.user)
    area, org = _node(request)
    if area is None and org is None:
        area = selectors.first_root_area(viewer=request.user)
    tables = selectors.member_statistics(viewer=request.user, area=area, org=org)
    context = {"tables": tables, "area": area, "org": org, "total": tables[0].total}
    return render(request, "members/statistics.html", context)


# ---- Excel ---------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str):
    from urllib.parse import quote

    from django.http import HttpResponse

    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


@login_required
def import_template(request):
    from jiceng.members.exports import template_workbook

    _require_member_kind(request.user)
    return _xlsx(template_workbook(), "党员名册导入模板.xlsx")


@login_required
def member_import(request):
    """Upload a roster into an org. The file's size and type are checked here; the rows
    by a background job (core.jobs, the same one POST /api/members/imports starts), whose
    page shows the progress and then the row-by-row report. Nothing is written unless
    every row is right."""
    from jiceng.core.uploads import accept_workbook

    _require_member_kind(request.user)
    form = forms.ImportForm(request.POST or None, request.FILES or None, viewer=request.user)
    if not has_choices(form, "org"):
        raise Http404
    error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.member_import_submit(
                actor=request.user,
                org=form.cleaned_data["org"],
                data=accept_workbook(upload),
                filename=upload.name or "",
            )
        except ApplicationError as failure:
            error = str(failure.message)
        else:
            return redirect("jobs:job", job_id=job.pk)
    return render(request, "members/import.html", {"form": form, "error": error})


@login_required
def member_export(request):
    from django.utils import timezone

    from jiceng.members.exports import member_export as export

    _require_member_kind(request.user)
    area, org = _node(request)
    content, _count = export(actor=request.user, area=area, org=org)
    node = (org or area).name if (org or area) else _("全部")
    return _xlsx(content, f"党员名册-{node}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def member_export_full(request):
    """A full export (whole ID numbers and phones of the records the exporter keeps):
    asks for the purpose first, and is limited per person per day (core.exports)."""
    from django.utils import timezone

    from jiceng.core.exports import ExportPurpose, export_purpose
    from jiceng.members.exports import member_export as export

    _require_member_kind(request.user)
    source = request.POST if request.method == "POST" else request.GET
    area = get_area_for_view(request.user, source["area"]) if source.get("area") else None
    org = get_org_for_view(request.user, source["org"]) if source.get("org") else None
    error = None
    if request.method == "POST":
        try:
            # A purpose is what makes an export full: none given is refused here, where
            # the plain export would have masked.
            purpose, note = export_purpose(
                request.POST.get("purpose", ""), request.POST.get("purpose_note", "")
            )
            content, _count = export(
                actor=request.user, area=area, org=org, purpose=purpose, purpose_note=note
            )
        except ApplicationError as failure:
            error = failure
        else:
            node = (org or area).name if (org or area) else _("全部")
            return _xlsx(content, f"党员名册-完整-{node}-{timezone.localdate():%Y%m%d}.xlsx")
    context = {
        "area": area,
        "org": org,
        "purposes": ExportPurpose.choices,
        "error": error,
        "chosen": request.POST.get("purpose", ""),
        "note": request.POST.get("purpose_note", ""),
    }
    return render(
        request, "members/export_full.html", context, status=error.status if error else 200
    )


@login_required
def statistics_export(request):
    from jiceng.members.exports import statistics_export as export

    _require_member_kind(request.user)
    area, org = _node(request)
    node = (org or area).name if (org or area) else _("全部")
    return _xlsx(export(actor=request.user, area=area, org=org), f"党员构成统计-{node}.xlsx")
