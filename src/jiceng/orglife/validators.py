"""What enters organizational life, checked once for the services, the API schemas and
the pages alike. Text goes through the project's one input policy (`core.inputs`:
length, control characters refused, bidirectional controls removed, names and codes
normalized); this module only gives each refusal the app's stable code
(`errors.OrgLifeErrorCode`), so a page's form error and the API's error body name the
same code for the same input. Choices, dates and counts are checked here too."""

import datetime

from django.utils import timezone

from jiceng.core.errors import ValidationFailed
from jiceng.core.inputs import Kind, check_text, has_control
from jiceng.orglife.errors import (
    MSG_BAD_CHOICE,
    MSG_DATE_FUTURE,
    MSG_DATE_REQUIRED,
    MSG_TEXT_CONTROL,
    MSG_TEXT_REQUIRED,
    MSG_TEXT_TOO_LONG,
    OrgLifeErrorCode,
    invalid,
)


def text(
    value,
    *,
    field: str,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
    kind: Kind | None = None,
) -> str:
    """A person's words as `core.inputs.check_text` stores them; refused with the app's
    code when too long, holding control characters, or empty where required."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(MSG_BAD_CHOICE, OrgLifeErrorCode.BAD_CHOICE, field)
    if has_control(value):
        raise invalid(MSG_TEXT_CONTROL, OrgLifeErrorCode.TEXT_CONTROL, field)
    try:
        cleaned = check_text(
            value,
            field=field,
            max_length=max_length,
            kind=kind or ("multiline" if multiline else "text"),
        )
    except ValidationFailed:
        message = str(MSG_TEXT_TOO_LONG).format(limit=max_length)
        raise invalid(message, OrgLifeErrorCode.TEXT_TOO_LONG, field) from None
    if required and not cleaned:
        raise invalid(MSG_TEXT_REQUIRED, OrgLifeErrorCode.TEXT_REQUIRED, field)
    return cleaned


def choice(value, choices, *, field: str) -> str:
    if value not in choices.values:
        raise invalid(MSG_BAD_CHOICE, OrgLifeErrorCode.BAD_CHOICE, field)
    return value


def past_date(value, *, field: str, today: datetime.date | None = None) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise invalid(MSG_DATE_REQUIRED, OrgLifeErrorCode.DATE_REQUIRED, field)
    if value > (today or timezone.localdate()):
        raise invalid(MSG_DATE_FUTURE, OrgLifeErrorCode.DATE_FUTURE, field)
    return value


def count(value, *, field: str, message, code: OrgLifeErrorCode) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000_000:
        raise invalid(message, code, field)
    return value


# ---- the same refusals inside pydantic (the API schemas) ------------------------------------


def refusal(error: dict) -> ValidationFailed:
    """The app's typed refusal for one pydantic error (`ValidationError.errors()[0]`):
    the single mapping the pages (`schemas.parse`) and the API (the schemas' own
    validator) share."""
    context = error.get("ctx") or {}
    path = [str(p) for p in error.get("loc", ()) if not isinstance(p, int)]
    if context.get("code"):
        field = ".".join([*path, context["field"]] if context.get("field") else path) or None
        return ValidationFailed(error.get("msg", ""), field=field, code=context["code"])
    field = ".".join(path) or None
    kind = error.get("type", "")
    dated = bool(field) and (field.endswith("_on") or field == "deadline")
    if kind.startswith("date") or (kind == "missing" and dated):
        return invalid(MSG_DATE_REQUIRED, OrgLifeErrorCode.DATE_REQUIRED, field)
    if kind == "missing":
        return invalid(MSG_TEXT_REQUIRED, OrgLifeErrorCode.TEXT_REQUIRED, field)
    if kind == "string_too_long":
        limit = context.get("max_length", "")
        return invalid(
            str(MSG_TEXT_TOO_LONG).format(limit=limit), OrgLifeErrorCode.TEXT_TOO_LONG, field
        )
    return invalid(MSG_BAD_CHOICE, OrgLifeErrorCode.BAD_CHOICE, field)
