"""What enters the app is checked here, for the services and the schemas alike: text
within the column's length and free of control characters (refused, not silently
dropped: PostgreSQL refuses NUL outright, and a hidden character in a minute book is a
forgery risk), choices among their values, dates present and not in the future."""

import datetime
import re

from django.utils import timezone

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

# C0 controls except TAB and LF, CR handled as a line break, DEL, C1 controls, lone
# surrogates, non-characters and the bidirectional overrides that reorder shown text.
CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


def has_control(value: str) -> bool:
    return bool(CONTROL.search(value.replace("\r\n", "\n").replace("\r", "\n")))


def text(
    value, *, field: str, max_length: int, required: bool = False, multiline: bool = False
) -> str:
    """A person's words, trimmed; refused when too long or holding control characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(MSG_BAD_CHOICE, OrgLifeErrorCode.BAD_CHOICE, field)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if CONTROL.search(value):
        raise invalid(MSG_TEXT_CONTROL, OrgLifeErrorCode.TEXT_CONTROL, field)
    if multiline:
        value = "\n".join(line.rstrip() for line in value.split("\n")).strip()
    else:
        value = re.sub(r"\s+", " ", value).strip()
    if required and not value:
        raise invalid(MSG_TEXT_REQUIRED, OrgLifeErrorCode.TEXT_REQUIRED, field)
    if len(value) > max_length:
        message = str(MSG_TEXT_TOO_LONG).format(limit=max_length)
        raise invalid(message, OrgLifeErrorCode.TEXT_TOO_LONG, field)
    return value


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
