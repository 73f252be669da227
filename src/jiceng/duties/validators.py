"""What enters the duties app, checked once for the services, the API schemas and the
pages alike. Text goes through the project's one input policy (`core.inputs`: control
characters refused, bidirectional controls removed, the column's length); this module
gives each refusal the app's stable code (`errors.DutyErrorCode`) and a message that
names the field in Chinese, so a page and the API say the same for the same input."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import ValidationFailed
from jiceng.core.inputs import Kind, check_text, has_control, max_length_of
from jiceng.duties.errors import (
    MSG_BAD_CHOICE,
    MSG_BAD_NUMBER,
    MSG_DATE_REQUIRED,
    MSG_TEXT_CONTROL,
    MSG_TEXT_REQUIRED,
    MSG_TEXT_TOO_LONG,
    DutyErrorCode,
    invalid,
)
from jiceng.duties.models import Duty, FieldOfficeAssessment, OutsideListReport, PowerRequest

# The Chinese name of each input that is no model column of its own, or whose column's
# name differs from the input's.
LABELS = {
    "department": _("职能部门"),
    "streets": _("下沉街道"),
    "street": _("街道"),
    "reason": _("理由"),
    "answer": _("答复意见"),
    "kind": _("类型"),
    "year": _("年度"),
    "grade": _("考核等次"),
    "target_level": _("下沉层级"),
    "staff_count": _("随事下沉人员编制"),
    "funds_yuan": _("随事下拨经费"),
    "due_on": _("答复时限"),
    "reported_on": _("报告日期"),
    "submit": _("提交审核"),
    "duty": _("依据事项"),
}
MODELS = (Duty, PowerRequest, FieldOfficeAssessment, OutsideListReport)


def label_of(field: str) -> str:
    if field in LABELS:
        return str(LABELS[field])
    for model in MODELS:
        try:
            return str(model._meta.get_field(field).verbose_name)
        except Exception:
            continue
    return field


def text(
    value,
    *,
    model: type[models.Model],
    field: str,
    required: bool = False,
    kind: Kind = "text",
    name: str | None = None,
) -> str:
    """A person's words as `core.inputs.check_text` stores them, within the column's
    limit; refused with the app's code and the field's Chinese name otherwise."""
    name = name or field
    label = str(model._meta.get_field(field).verbose_name)
    limit = max_length_of(model, field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(str(MSG_BAD_CHOICE).format(label=label), DutyErrorCode.BAD_CHOICE, name)
    if has_control(value):
        raise invalid(str(MSG_TEXT_CONTROL).format(label=label), DutyErrorCode.TEXT_CONTROL, name)
    cleaned = check_text(value, field=name, kind=kind)
    if len(cleaned) > limit:
        message = str(MSG_TEXT_TOO_LONG).format(label=label, limit=limit, length=len(cleaned))
        raise invalid(message, DutyErrorCode.TEXT_TOO_LONG, name)
    if required and not cleaned:
        raise invalid(str(MSG_TEXT_REQUIRED).format(label=label), DutyErrorCode.TEXT_REQUIRED, name)
    return cleaned


def choice(value, choices, *, field: str) -> str:
    if value not in choices.values:
        message = str(MSG_BAD_CHOICE).format(label=label_of(field))
        raise invalid(message, DutyErrorCode.BAD_CHOICE, field)
    return value


def count(value, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
        message = str(MSG_BAD_NUMBER).format(label=label_of(field))
        raise invalid(message, DutyErrorCode.BAD_NUMBER, field)
    return value


def amount(value, *, field: str) -> Decimal:
    """Yuan, at most 10 digits before the point and 2 after, not negative."""
    message = str(MSG_BAD_NUMBER).format(label=label_of(field))
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid(message, DutyErrorCode.BAD_NUMBER, field) from None
    if not number.is_finite() or number < 0 or number >= Decimal("1e10"):
        raise invalid(message, DutyErrorCode.BAD_NUMBER, field)
    return number.quantize(Decimal("0.01"))


def date(value, *, field: str) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        message = str(MSG_DATE_REQUIRED).format(label=label_of(field))
        raise invalid(message, DutyErrorCode.DATE_REQUIRED, field)
    return value


# ---- the same refusals inside pydantic (the API schemas) ------------------------------------


def refusal(error: dict) -> ValidationFailed:
    """The app's typed refusal for one pydantic error: the single mapping the pages
    (`schemas.parse`) and the API (the schemas' own validator) share."""
    context = error.get("ctx") or {}
    path = [str(p) for p in error.get("loc", ()) if not isinstance(p, int)]
    if context.get("code"):
        field = ".".join([*path, context["field"]] if context.get("field") else path) or None
        return ValidationFailed(error.get("msg", ""), field=field, code=context["code"])
    field = ".".join(path) or None
    label = label_of(path[-1]) if path else ""
    kind = error.get("type", "")
    given = error.get("input")
    if isinstance(given, str) and has_control(given):
        message = str(MSG_TEXT_CONTROL).format(label=label)
        return invalid(message, DutyErrorCode.TEXT_CONTROL, field)
    if kind == "invalid":  # core.inputs' own refusal (a decimal written too long)
        message = f"{label}：{error.get('msg', '')}"
        return invalid(message, DutyErrorCode.TEXT_TOO_LONG, field)
    if kind.startswith("date") or (kind == "missing" and field in ("due_on", "reported_on")):
        message = str(MSG_DATE_REQUIRED).format(label=label)
        return invalid(message, DutyErrorCode.DATE_REQUIRED, field)
    if kind == "missing":
        message = str(MSG_TEXT_REQUIRED).format(label=label)
        return invalid(message, DutyErrorCode.TEXT_REQUIRED, field)
    if kind.startswith(("int", "decimal", "float", "greater", "less")):
        return invalid(str(MSG_BAD_NUMBER).format(label=label), DutyErrorCode.BAD_NUMBER, field)
    if kind == "string_too_long":
        limit = context.get("max_length", "")
        given = error.get("input")
        length = len(given) if isinstance(given, str) else 0
        message = str(MSG_TEXT_TOO_LONG).format(label=label, limit=limit, length=length)
        return invalid(message, DutyErrorCode.TEXT_TOO_LONG, field)
    return invalid(str(MSG_BAD_CHOICE).format(label=label), DutyErrorCode.BAD_CHOICE, field)
