"""Generated credit codes are valid by construction, for every unit kind and seed."""

import random

from hypothesis import given
from hypothesis import strategies as st

from jiceng.core.validators import validate_uscc
from jiceng.demo.uscc import PREFIX_BY_UNIT_KIND, org_code_check_character, uscc_generate


def test_org_code_check_character_matches_a_published_code():
    # 91330100716105852F: organization code 71610585-2 inside a real, published USCC.
    assert org_code_check_character("71610585") == "2"
    assert validate_uscc("91330100716105852F") == "91330100716105852F"


@given(seed=st.integers(), kind=st.sampled_from(sorted(PREFIX_BY_UNIT_KIND)))
def test_generated_codes_validate_and_carry_kind_and_region(seed, kind):
    code = uscc_generate(random.Random(seed), unit_kind=kind, region="310104000000")
    assert validate_uscc(code) == code
    assert code.startswith(PREFIX_BY_UNIT_KIND[kind] + "310104")
    assert code[16] == org_code_check_character(code[8:16])


def test_same_generator_state_gives_same_code():
    first = uscc_generate(random.Random(3), unit_kind="private_enterprise", region="310104")
    again = uscc_generate(random.Random(3), unit_kind="private_enterprise", region="310104")
    assert first == again
