"""Validators for the identifiers staff type: credit codes, ID numbers, phone numbers.

Each `validate_*` normalizes its input (full-width to half-width, spaces, case) and
returns the normalized value, or raises ValidationFailed naming the field.
"""

import datetime
import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import CoreErrorCode, ValidationFailed

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: registration authority; second: kind of organization under it.
USCC_AUTHORITY_KINDS = {
    "1": "1239",  # organization establishment (机构编制)
    "2": "19",  # foreign affairs
    "3": "123459",  # judicial administration
    "4": "19",  # culture
    "5": "1239",  # civil affairs (社会组织)
    "6": "129",  # tourism
    "7": "129",  # religion
    "8": "19",  # trade unions
    "9": "123",  # market regulation (企业, 个体工商户, 农民专业合作社)
    "A": "19",  # central military commission reform
    "N": "1239",  # agriculture
    "Y": "1",  # others
}

MSG_USCC_LENGTH = _("统一社会信用代码应为18位")
MSG_USCC_CHARS = _("统一社会信用代码含有非法字符（不使用 I、O、S、V、Z）")
MSG_USCC_AUTHORITY = _("统一社会信用代码的登记管理部门代码或机构类别代码无效")
MSG_USCC_CHECK = _("统一社会信用代码校验位错误，请核对")

# GB 11643-1999: 17 digits and a check character.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
    "83",
    "91",
}
MSG_ID_LENGTH = _("身份证号应为18位")
MSG_ID_CHARS = _("身份证号前17位应为数字，最后一位为数字或X")
MSG_ID_REGION = _("身份证号的地区码无效")
MSG_ID_BIRTH = _("身份证号中的出生日期无效")
MSG_ID_CHECK = _("身份证号校验位错误，请核对")

MSG_PHONE = _("手机号码应为11位，以1开头")
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
MSG_CONTACT_PHONE = _(
    "联系电话应为11位手机号码，或固定电话（如 021-64871234、64871234、021-64871234-802）"
)
# Chinese fixed-line numbers: an optional trunk code (010 and 02x have three digits,
# the others four), a subscriber number of 7 or 8 digits not starting with 0 or 1, and
# an optional extension as written on business cards ("-802", "转802", "ext802", "#802").
LANDLINE_RE = re.compile(
    r"^(?:\(?(?P<area>0(?:10|2\d|[3-9]\d{2}))\)?-?)?(?P<number>[2-9]\d{6,7})"
    r"(?:(?:-|转|EXT\.?|X|#)(?P<extension>\d{1,6}))?$"
)


def normalize_text(value: str) -> str:
    """Full-width to half-width (NFKC), strip every kind of space, upper-case."""
    value = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"\s+", "", value).upper()


# Characters no text field keeps: C0/C1 controls other than tab and newline (PostgreSQL
# refuses NUL outright, XML 1.0 cannot carry the rest), surrogates and non-characters,
# and the bidirectional overrides that make a pasted text display other than it reads.
_UNWANTED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """People's words as they wrote them: no case change and no width folding (Chinese
    punctuation stays Chinese), only control characters dropped, surrounding space
    trimmed and, on one-line fields, runs of space collapsed. Codes and numbers use
    `normalize_text` instead."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    value = _UNWANTED.sub("", value)
    if multiline:
        lines = [line.rstrip() for line in value.split("\n")]
        return "\n".join(lines).strip()
    return re.sub(r"\s+", " ", value).strip()


def clean_name(value: str | None) -> str:
    """A person's name: spaces inside a Chinese name are typing noise ("李 娜" → "李娜");
    full-width letters of a transliterated name are folded to half-width."""
    value = unicodedata.normalize("NFKC", value or "")
    if re.fullmatch(r"[\u3400-\u9fff\s·•]+", value):
        return re.sub(r"\s+", "", value)
    return re.sub(r"\s+", " ", value).strip()


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str, *, field: str = "uscc") -> str:
    code = normalize_text(value)
    if len(code) != 18:
        raise ValidationFailed(MSG_USCC_LENGTH, field=field, code=CoreErrorCode.USCC_LENGTH)
    if any(c not in USCC_ALPHABET for c in code):
        raise ValidationFailed(MSG_USCC_CHARS, field=field, code=CoreErrorCode.USCC_CHARS)
    kinds = USCC_AUTHORITY_KINDS.get(code[0])
    if kinds is None or code[1] not in kinds:
        raise ValidationFailed(MSG_USCC_AUTHORITY, field=field, code=CoreErrorCode.USCC_AUTHORITY)
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationFailed(MSG_USCC_CHECK, field=field, code=CoreErrorCode.USCC_CHECK)
    return code


def id_check_character(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def validate_id_number(
    value: str, *, field: str = "id_number", today: datetime.date | None = None
) -> str:
    number = normalize_text(value)
    if len(number) != 18:
        raise ValidationFailed(MSG_ID_LENGTH, field=field, code=CoreErrorCode.ID_NUMBER_LENGTH)
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationFailed(MSG_ID_CHARS, field=field, code=CoreErrorCode.ID_NUMBER_CHARS)
    if number[:2] not in ID_PROVINCES:
        raise ValidationFailed(MSG_ID_REGION, field=field, code=CoreErrorCode.ID_NUMBER_REGION)
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationFailed(
            MSG_ID_BIRTH, field=field, code=CoreErrorCode.ID_NUMBER_BIRTH
        ) from None
    if birth.year < 1900 or birth > (today or timezone.localdate()):
        raise ValidationFailed(MSG_ID_BIRTH, field=field, code=CoreErrorCode.ID_NUMBER_BIRTH)
    if id_check_character(number[:17]) != number[17]:
        raise ValidationFailed(MSG_ID_CHECK, field=field, code=CoreErrorCode.ID_NUMBER_CHECK)
    return number


def id_number_birth_date(number: str) -> datetime.date:
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_number_gender(number: str) -> str:
    """'male' or 'female' from the 17th digit (odd is male)."""
    return "male" if int(number[16]) % 2 else "female"


def validate_phone(value: str, *, field: str = "phone") -> str:
    phone = normalize_text(value).removeprefix("+86").replace("-", "")
    if not PHONE_RE.match(phone):
        raise ValidationFailed(MSG_PHONE, field=field, code=CoreErrorCode.MOBILE_PHONE)
    return phone


def validate_contact_phone(value: str, *, field: str = "phone") -> str:
    """A contact phone as people give it: a mobile number, or a fixed-line number with or
    without its trunk code and extension. Returned as 13812345678, 021-64871234,
    64871234 or 021-64871234-802."""
    text = normalize_text(value)
    mobile = text.removeprefix("+86").removeprefix("0086").replace("-", "")
    if PHONE_RE.match(mobile):
        return mobile
    match = LANDLINE_RE.match(text)
    if not match:
        raise ValidationFailed(MSG_CONTACT_PHONE, field=field, code=CoreErrorCode.CONTACT_PHONE)
    parts = [match["area"], match["number"], match["extension"]]
    return "-".join(part for part in parts if part)
