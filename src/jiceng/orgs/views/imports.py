"""Excel pages of the territory: import units as streets receive them (with the
template and the export in the same columns) and import grids with their buildings
and addresses. Each import checks every row and writes nothing unless all are right;
the report lists each problem by row and column."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.access import get_area_for_view
from jiceng.core.excel import MAX_FILE_BYTES, MSG_TOO_BIG
from jiceng.core.pickers import has_choices
from jiceng.core.scope import KIND_UNIT
from jiceng.core.view_helpers import call_on_form
from jiceng.orgs import forms, grid_imports, unit_imports
from jiceng.orgs.views.common import require_kind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _upload(request, *, levels, run, title, intro, template_url, kind_label):
    form = forms.UploadForm(
        request.POST or None, request.FILES or None, levels=levels, viewer=request.user
    )
    if not has_choices(form, "area"):
        raise Http404
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        area = form.cleaned_data["area"]
        if upload.size > MAX_FILE_BYTES:
            form.add_error("file", str(MSG_TOO_BIG))
        else:
            report = call_on_form(
                form,
                lambda: run(
                    actor=request.user, area=area, data=upload.read(), filename=upload.name
                ),
                propagate=(),
            )
            if report is not None:
                if report.ok and report.created:
                    messages.success(
                        request,
                        _("已导入 %(n)s 个%(what)s，%(u)s 个已在册未改动")
                        % {"n": report.created, "u": report.unchanged, "what": kind_label},
                    )
                elif report.ok:
                    messages.info(request, _("文件中的内容均已在册，没有改动"))
    status = 422 if (form.is_bound and form.errors) or (report and not report.ok) else 200
    context = {
        "form": form,
        "report": report,
        "title": title,
        "intro": intro,
        "template_url": template_url,
    }
    return render(request, "orgs/import.html", context, status=status)


@login_required
def unit_import(request):
    require_kind(request.user, KIND_UNIT)
    return _upload(
        request,
        levels=unit_imports.TARGET_LEVELS,
        run=unit_imports.unit_import,
        title=_("导入驻区单位"),
        intro=_(
            "直接上传市场监管部门推送的新设立企业名录或街道自己的单位台账（.xlsx）："
            "统一社会信用代码逐一校验，有任何一行有误则全部不导入；已登记的单位不会重复登记；"
            "新登记的单位列入“新登记未覆盖”，30天内跟进组建或联合覆盖。"
        ),
        template_url="orgs:unit_import_template",
        kind_label=_("单位"),
    )


@login_required
def unit_import_template(request):
    require_kind(request.user, KIND_UNIT)
    return xlsx_response(unit_imports.unit_template(), "驻区单位导入模板.xlsx")


@login_required
@require_POST
def unit_export(request):
    """The units (under the page's area) as Excel in the import's columns, made by a
    background job (POST /api/units/exports): its page shows the progress, then the file."""
    require_kind(request.user, KIND_UNIT)
    value = request.GET.get("area")
    area = get_area_for_view(request.user, value) if value else None
    job = unit_imports.unit_export_submit(actor=request.user, area=area)
    return redirect("jobs:job", job_id=job.pk)


@login_required
def grid_import(request):
    # Areas only: whoever manages a street or community may set up its grids.
    return _upload(
        request,
        levels=grid_imports.TARGET_LEVELS,
        run=grid_imports.grid_import,
        title=_("导入网格、楼栋和地址"),
        intro=_(
            "街道划分网格时使用：每行一个地址，写明所在社区、网格、楼栋；"
            "网格和楼栋按编号建立，已有的不会重复建立。有任何一行有误则全部不导入。"
        ),
        template_url="orgs:grid_import_template",
        kind_label=_("网格、楼栋或地址"),
    )


@login_required
def grid_import_template(request):
    return xlsx_response(grid_imports.grid_template(), "网格楼栋导入模板.xlsx")
