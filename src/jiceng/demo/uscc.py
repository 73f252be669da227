"""Generated unified social credit codes (GB 32100) that pass `core.validators`.

Layout: registration authority and organization kind (2), the registering region (6,
here the district's code), the organization code (9, GB 11714 with its own check
character) and the GB 32100 check character computed by `core.validators`, so every
generated code is valid by construction and the validator stays the single authority.
"""

import random

from jiceng.core.validators import USCC_ALPHABET, uscc_check_character

# Authority and kind (first two characters) by unit kind.
PREFIX_BY_UNIT_KIND = {
    "agency": "11",  # 机构编制 · 机关
    "public_institution": "12",  # 机构编制 · 事业单位
    "state_enterprise": "91",  # 市场监管 · 企业
    "private_enterprise": "91",
    "social_organization": "52",  # 民政 · 民办非企业单位
    "other": "92",  # 市场监管 · 个体工商户
}
# GB 11714-1997: weights of the 8 body characters of an organization code.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Characters allowed in the body: the USCC alphabet, so the whole code stays valid.
BODY_LETTERS = USCC_ALPHABET[10:]


def org_code_check_character(body: str) -> str:
    """GB 11714 check character of an 8-character organization code body."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _org_code_body(rng: random.Random, prefix: str) -> str:
    # Enterprises registered after 2015 carry codes such as MA1FL2X7; older ones and
    # public bodies carry eight digits.
    if prefix in ("91", "92") and rng.random() < 0.6:
        return "MA1" + "".join(rng.choice(USCC_ALPHABET) for _ in range(5))
    return "".join(rng.choice("0123456789") for _ in range(8))


def uscc_generate(rng: random.Random, *, unit_kind: str, region: str) -> str:
    """A valid 18-character code for a unit of `unit_kind` registered in `region`."""
    prefix = PREFIX_BY_UNIT_KIND[unit_kind]
    body = _org_code_body(rng, prefix)
    first17 = prefix + region[:6] + body + org_code_check_character(body)
    return first17 + uscc_check_character(first17)
