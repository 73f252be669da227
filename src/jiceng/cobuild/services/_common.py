"""What the co-building services share: the checks of people's words, numbers,
dates and choices (each refusal names its field), and the community of an area."""

import datetime
from decimal import Decimal, InvalidOperation

from jiceng.cobuild.errors import (
    MSG_COMMUNITY,
    MSG_DATE_REQUIRED,
    MSG_TEXT_LONG,
    MSG_WINDOW_LONG,
    MSG_WINDOW_ORDER,
)
from jiceng.cobuild.errors import CobuildErrorCode as Code
from jiceng.core.errors import ValidationFailed
from jiceng.core.inputs import MSG_CONTROL, has_control
from jiceng.core.models import Area
from jiceng.core.validators import clean_text

TEXT_MAX = 2000
MAX_WINDOW_DAYS = 3 * 366


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _text(value, *, field: str, max_length: int, required=None) -> str:
    """People's words, trimmed and without control characters (clean_text). `required`
    is the message for an empty value (code TEXT_REQUIRED; the field says which)."""
    if not (isinstance(value, str) or value is None):
        raise ValidationFailed(MSG_TEXT_LONG, field=field, code=Code.TEXT_TOO_LONG)
    if value and has_control(value):  # the input policy (core.inputs)
        raise ValidationFailed(MSG_CONTROL, field=field, code=Code.TEXT_CONTROL_CHARACTERS)
    text = clean_text(value, multiline=True)
    if required is not None and not text:
        raise ValidationFailed(required, field=field, code=Code.TEXT_REQUIRED)
    if len(text) > max_length:
        raise ValidationFailed(MSG_TEXT_LONG, field=field, code=Code.TEXT_TOO_LONG)
    return text


def _integer(value, *, field: str, low: int, high: int, message, code: Code) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(message, field=field, code=code)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(message, field=field, code=code) from None
    if number != value and str(number) != str(value).strip():
        raise ValidationFailed(message, field=field, code=code)
    if not low <= number <= high:
        raise ValidationFailed(message, field=field, code=code)
    return number


def _decimal(
    value,
    *,
    field: str,
    message,
    code: Code,
    minimum=Decimal("0"),
    strict=False,
) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(message, field=field, code=code) from None
    if not number.is_finite() or number >= Decimal("10000000000"):
        raise ValidationFailed(message, field=field, code=code)
    if number < minimum or (strict and number <= minimum):
        raise ValidationFailed(message, field=field, code=code)
    return number


def _window(start, end, *, start_field: str, end_field: str) -> None:
    if not isinstance(start, datetime.date):
        raise ValidationFailed(MSG_DATE_REQUIRED, field=start_field, code=Code.DATE_REQUIRED)
    if not isinstance(end, datetime.date):
        raise ValidationFailed(MSG_DATE_REQUIRED, field=end_field, code=Code.DATE_REQUIRED)
    if end < start:
        raise ValidationFailed(MSG_WINDOW_ORDER, field=end_field, code=Code.ENDS_BEFORE_START)
    if (end - start).days > MAX_WINDOW_DAYS:
        raise ValidationFailed(MSG_WINDOW_LONG, field=end_field, code=Code.WINDOW_TOO_LONG)


def _choice(value, choices, *, field: str, message, code: Code) -> str:
    if value not in choices.values:
        raise ValidationFailed(message, field=field, code=code)
    return value


def community_of(area: Area) -> Area:
    """The community an area lies in (itself, or the ancestor of a grid or building)."""
    if area.level == Area.Level.COMMUNITY:
        return area
    codes = area.ancestor_codes()
    if len(codes) < 4:
        raise ValidationFailed(MSG_COMMUNITY, field="community", code=Code.COMMUNITY_REQUIRED)
    return Area.objects.get(code=codes[3])
