"""Address text as the matcher compares it: one spelling for the many a caller types.

NFKC first (full-width digits, letters and brackets become ASCII), then whitespace and
punctuation out, Chinese numerals before 号/弄/室/栋/幢/楼/层/单元/支弄 as digits, the
building forms (3栋, 3幢, 3号楼, 3座) as 3号, "88弄3-502" as 88弄3号502室, and the
prefixes callers put before the road (中国, 上海市, a district, a street or town) cut
off. The registry's own texts go through the same function, so both sides agree.
"""

import functools
import re
import unicodedata

# What stands between the parts of an address and carries no meaning for the match.
NOISE = re.compile(r"[\s,，。.、;；:：'\"“”‘’()（）\[\]【】<>《》#＃/\\|_~`!！?？*＊]+")
DIGITS = "零〇一二两三四五六七八九"
CHINESE_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+")
UNITS = ("号", "弄", "室", "栋", "幢", "楼", "层", "单元", "支弄", "座", "号楼")
# 3栋 / 3幢 / 3号楼 / 3座 all mean the building numbered 3 in the lane or compound.
BUILDING_FORMS = re.compile(r"(\d+)(?:号楼|栋|幢|座)")
ROOM_DASH = re.compile(r"(\d+)[-－—](\d+)(室)?$")
CITY_PREFIX = re.compile(r"^(?:中华人民共和国|中国)?(?:上海市|上海)?(?:市辖区)?")
STREET_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,8}?(?:街道|镇)(?=[\u4e00-\u9fff\d])")


def chinese_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 八十八 → 88, 一百零五 → 105, 二〇八 → 208 (digit by digit)."""
    if not text:
        return None
    if all(c in DIGITS for c in text):  # read digit by digit: 二〇八 → 208
        return int("".join(str(_digit(c)) for c in text))
    section, current = 0, 0
    for char in text:
        if char in DIGITS:
            current = _digit(char)
        elif char == "十":
            section += (current or 1) * 10
            current = 0
        elif char == "百":
            section += (current or 1) * 100
            current = 0
        elif char == "千":
            section += (current or 1) * 1000
            current = 0
        else:
            return None
    return section + current


DIGIT_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                "七": 7, "八": 8, "九": 9}  # fmt: skip


def _digit(char: str) -> int:
    return DIGIT_VALUES[char]


_NUMERAL_BEFORE_UNIT = re.compile(
    r"([零〇一二两三四五六七八九十百千]+)(?=" + "|".join(sorted(UNITS, key=len, reverse=True)) + ")"
)


def _numerals(text: str) -> str:
    def replace(match: re.Match) -> str:
        number = chinese_number(match.group(1))
        return match.group(1) if number is None else str(number)

    return _NUMERAL_BEFORE_UNIT.sub(replace, text)


def normalize(text: str, *, districts: tuple[str, ...] = ()) -> str:
    """The comparable form of an address (see the module docstring). `districts` are
    the names to cut off the front (with or without 区/新区)."""
    value = unicodedata.normalize("NFKC", text or "")
    value = NOISE.sub("", value)
    value = CITY_PREFIX.sub("", value, count=1)
    for name in districts:
        short = re.sub(r"(新区|区)$", "", name)
        for form in (name, short + "区", short):
            if len(form) >= 2 and value.startswith(form):
                value = value[len(form) :]
                break
        else:
            continue
        break
    value = STREET_PREFIX.sub("", value, count=1)
    value = _numerals(value)
    value = BUILDING_FORMS.sub(r"\1号", value)
    value = ROOM_DASH.sub(r"\1号\2室", value)
    value = value.replace("号号", "号")
    return value.upper()


@functools.lru_cache(maxsize=4096)
def district_named(text: str, districts: tuple[str, ...]) -> str | None:
    """The district the text names at its front (after the city), if any."""
    value = CITY_PREFIX.sub("", NOISE.sub("", unicodedata.normalize("NFKC", text or "")), count=1)
    for name in districts:
        short = re.sub(r"(新区|区)$", "", name)
        if len(short) >= 2 and value.startswith(short):
            return name
    return None


# Where a registered address may be cut to give a coarser place: after the road, the
# lane, the house number or a compound's name.
CUT_AFTER = re.compile(r"(?:路|街|道|巷|弄|号|村|苑|园|小区|公寓|大厦|坊|里|邨|城|庭|居|府)")


def cut_points(text: str) -> list[int]:
    """Lengths at which `text` (normalized) ends a meaningful part, shortest first, not
    counting the whole text; a cut never falls between two digits."""
    points = []
    for match in CUT_AFTER.finditer(text):
        end = match.end()
        if end < len(text):
            points.append(end)
    return points
