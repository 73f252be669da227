"""How personal data shows on screen and in API output when the viewer may not see it whole."""

import re


def mask_id_number(value: str) -> str:
    """3101**********123X: region prefix and last four kept."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


_LANDLINE = re.compile(r"^(\d{3,4}-)?(\d{7,8})(-\d{1,6})?$")


def mask_phone(value: str) -> str:
    """138****5678; a fixed line keeps its trunk code, extension and last four digits:
    021-****1234-802."""
    if not value:
        return ""
    landline = None if re.fullmatch(r"1\d{10}", value) else _LANDLINE.match(value)
    if landline:
        number = landline[2]
        return (landline[1] or "") + "*" * (len(number) - 4) + number[-4:] + (landline[3] or "")
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张*明: first and last character kept for names of three or more."""
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])")


def redact_personal(text: str) -> str:
    """Mask mobile and ID numbers that people type into free text, before the text is
    shown to the public (Open311 lists, tracking pages)."""
    if not text:
        return text
    text = _ID_IN_TEXT.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), text)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(2), text)
