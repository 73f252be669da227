"""The unit register's export as a background job (core.jobs): the same workbook the
units page and GET /api/units/export give (unit_imports.unit_export, in the import's
columns), for the person who submitted it, in their scope as it is when the job runs.
Registered in OrgsConfig.ready()."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.access import get_area_for_view
from jiceng.core.errors import NotFound
from jiceng.core.jobs import XLSX, JobKind, JobResult, register_job_kind
from jiceng.core.scope import KIND_UNIT, scope_for
from jiceng.orgs import unit_imports


def unit_export_work(*, actor, params: dict, data, progress) -> JobResult:
    if not scope_for(actor).can_see_kind(KIND_UNIT):
        raise NotFound()
    area = get_area_for_view(actor, params["area"]) if params.get("area") else None
    content, count = unit_imports.unit_export(actor=actor, area=area, progress=progress)
    name = area.name if area is not None else str(_("全部"))
    filename = f"驻区单位-{name}-{timezone.localdate():%Y%m%d}.xlsx"
    return JobResult(content, filename, XLSX, {"units": count})


def register() -> None:
    register_job_kind(JobKind(unit_imports.KIND_UNIT_EXPORT, _("导出驻区单位"), unit_export_work))
