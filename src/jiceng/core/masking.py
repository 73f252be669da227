"""How personal data shows on screen and in API output when the viewer may not see it whole."""

import re
import unicodedata


def mask_id_number(value: str) -> str:
    """3101**********123X: region prefix and last four kept."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


# A fixed-line number as stored (core.validators.validate_contact_phone).
_STORED_LANDLINE = re.compile(r"^(\d{3,4}-)?(\d{7,8})(-\d{1,6})?$")


def mask_phone(value: str) -> str:
    """138****5678; a fixed line keeps its trunk code, extension and last four digits:
    021-****1234-802."""
    if not value:
        return ""
    landline = None if re.fullmatch(r"1\d{10}", value) else _STORED_LANDLINE.match(value)
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


# Numbers as people type them into free text: full-width digits, a +86 or 0086 prefix,
# spaces, hyphens, dots or brackets between the groups ("+86 138-1234-5678",
# "(021)64871234", "310104 19850601 0012"). A candidate is a run of digits joined by at
# most three such characters; inside it, every window of consecutive digit groups is
# tried, longest first, as a mobile, a landline with its area code, or an ID number.
_DIGIT = "0-9\uff10-\uff19"
_JOIN = r"[\s\-\u2010-\u2015\uff0d.\u00b7()\uff08\uff09/]"
_CANDIDATE = re.compile(
    rf"[+\uff0b]?[(\uff08]?[{_DIGIT}](?:{_JOIN}{{0,3}}[{_DIGIT}])*[Xx\uff38\uff58]?"
)
_GROUP = re.compile(rf"[{_DIGIT}]+[Xx\uff38\uff58]?")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(0(?:10|2\d|[3-9]\d\d))([2-9]\d{6,7})")
_ID18 = re.compile(r"[1-9]\d{5}(?:18|19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]")
_ID15 = re.compile(r"[1-9]\d{5}\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}")
_MAX_GROUPS = 12
_SHORTEST, _LONGEST = 9, 18  # a landline after +86 without its 0 … an ID number


def _mask_number(digits: str) -> str | None:
    """The masked form of one number, or None when it is none of those kinds."""
    digits = unicodedata.normalize("NFKC", digits).upper()
    if _ID18.fullmatch(digits):
        return digits[:4] + "*" * 10 + digits[-4:]
    if _ID15.fullmatch(digits):
        return digits[:4] + "*" * 7 + digits[-4:]
    national = digits
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) > len(prefix) + 8:
            national = digits[len(prefix) :]
            break
    if _MOBILE.fullmatch(national):
        return national[:3] + "****" + national[-4:]
    # A landline keeps its area code's 0, or drops it after the country code.
    landline = _LANDLINE.fullmatch(national if national is digits else "0" + national)
    if landline:
        area, local = landline.groups()
        return f"{area}-" + "*" * (len(local) - 2) + local[-2:]
    return None


def _redact_candidate(match: re.Match) -> str:
    text = match.group(0)
    groups = list(_GROUP.finditer(text))
    counted = [0]  # digits before each group, so a window's count is one subtraction
    for group in groups:
        counted.append(counted[-1] + len(group.group(0)))
    out, position, first = [], 0, 0
    while first < len(groups):
        # A window spans at most _MAX_GROUPS groups, so a long run costs linear time.
        for last in range(min(len(groups), first + _MAX_GROUPS), first, -1):
            if not _SHORTEST <= counted[last] - counted[first] <= _LONGEST:
                continue
            masked = _mask_number("".join(g.group(0) for g in groups[first:last]))
            if masked is not None:
                # A prefix sign, zeros or an opening bracket belong to the number.
                start = groups[first].start() if first else 0
                out.append(text[position:start] + masked)
                position = groups[last - 1].end()
                first = last
                break
        else:
            first += 1
    out.append(text[position:])
    return "".join(out)


def redact_personal(text: str) -> str:
    """Mask mobile, landline and ID numbers typed into free text, however they are
    written, before the text leaves for the public (the Open311 feed, tracking pages,
    exports that leave the platform). Names and addresses cannot be found this way: a
    description is public only once a person has edited them out
    (appeals.services.appeal_publish_description)."""
    if not text:
        return text
    return _CANDIDATE.sub(_redact_candidate, text)
