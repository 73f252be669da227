"""Check characters of credit codes and ID numbers, phones: property-based."""

import datetime
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.core.errors import ValidationFailed
from jiceng.core.validators import (
    ID_CHECK,
    USCC_ALPHABET,
    USCC_AUTHORITY_KINDS,
    clean_text,
    id_check_character,
    id_number_birth_date,
    id_number_gender,
    uscc_check_character,
    validate_id_number,
    validate_phone,
    validate_uscc,
)

authority = st.sampled_from(sorted(USCC_AUTHORITY_KINDS))


@st.composite
def uscc_bodies(draw) -> str:
    first = draw(authority)
    second = draw(st.sampled_from(USCC_AUTHORITY_KINDS[first]))
    region = draw(st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
    rest = draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    return first + second + region + rest


@given(uscc_bodies())
def test_every_body_with_its_check_character_is_valid(body):
    code = body + uscc_check_character(body)
    assert validate_uscc(code) == code
    # Full-width input and lower case are what people paste; both are normalized.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    assert validate_uscc(full_width) == code


@given(uscc_bodies(), st.data())
def test_any_other_check_character_is_refused(body, data):
    right = uscc_check_character(body)
    wrong = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != right]))
    with pytest.raises(ValidationFailed) as error:
        validate_uscc(body + wrong)
    assert error.value.field == "uscc" and "校验位" in str(error.value.message)


@given(uscc_bodies(), st.integers(min_value=2, max_value=16), st.data())
def test_a_single_changed_character_is_caught(body, position, data):
    code = body + uscc_check_character(body)
    replacement = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != code[position]]))
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationFailed):
        validate_uscc(changed)


@pytest.mark.parametrize(
    "value, message",
    [
        ("9131010", "18位"),
        ("91310104MA1FL0001I", "非法字符"),
        ("X1310104MA1FL00010", "登记管理部门"),
    ],
)
def test_uscc_errors_say_what_is_wrong(value, message):
    with pytest.raises(ValidationFailed) as error:
        validate_uscc(value)
    assert message in str(error.value.message)


def test_a_real_published_code():
    # 91110000802100433B: a published code (Bank of China), check character B.
    assert validate_uscc("91110000802100433B") == "91110000802100433B"


births = st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(2008, 12, 31))


@st.composite
def id_numbers(draw) -> str:
    region = draw(st.sampled_from(["110101", "310104", "440305", "650102"]))
    birth = draw(births)
    seq = draw(st.integers(min_value=0, max_value=999))
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_character(body)


@given(id_numbers())
def test_valid_id_numbers_pass_and_carry_birth_and_gender(number):
    assert validate_id_number(number) == number
    birth = id_number_birth_date(number)
    assert number[6:14] == f"{birth:%Y%m%d}"
    assert id_number_gender(number) == ("male" if int(number[16]) % 2 else "female")
    if number.endswith("X"):
        assert validate_id_number(number[:-1] + "x") == number


@given(id_numbers(), st.data())
def test_wrong_id_check_character_is_refused(number, data):
    wrong = data.draw(st.sampled_from([c for c in ID_CHECK if c != number[-1]]))
    with pytest.raises(ValidationFailed) as error:
        validate_id_number(number[:-1] + wrong)
    assert error.value.field == "id_number"


@settings(max_examples=50)
@given(st.sampled_from(["19990230", "20010431", "21000101", "18991231"]))
def test_impossible_birth_dates_are_refused(birth):
    body = f"310104{birth}001"
    with pytest.raises(ValidationFailed) as error:
        validate_id_number(body + id_check_character(body))
    assert "出生日期" in str(error.value.message)


def test_unknown_region_is_refused():
    body = "990101198506010011"[:17]
    with pytest.raises(ValidationFailed) as error:
        validate_id_number(body + id_check_character(body))
    assert "地区码" in str(error.value.message)


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mobile_numbers(phone):
    assert validate_phone(phone) == phone
    assert validate_phone("+86" + phone) == phone
    assert validate_phone(f"{phone[:3]}-{phone[3:7]}-{phone[7:]}") == phone


@pytest.mark.parametrize("phone", ["12345678901", "1381234567", "138123456789", "电话"])
def test_bad_phones(phone):
    with pytest.raises(ValidationFailed) as error:
        validate_phone(phone)
    assert error.value.field == "phone"


def test_the_standards_own_example_with_x():
    # GB 11643-1999's worked example ends in X.
    assert validate_id_number("11010519491231002x") == "11010519491231002X"
    assert id_number_gender("11010519491231002X") == "female"


@given(id_numbers(), st.integers(min_value=0, max_value=16), st.data())
def test_any_single_changed_digit_is_caught(number, position, data):
    """Mod 11-2 catches every single-digit error; the error names the field either way
    (check character, or a region or date the change made impossible)."""
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    with pytest.raises(ValidationFailed) as error:
        validate_id_number(number[:position] + digit + number[position + 1 :])
    assert error.value.field == "id_number"


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    body = f"310104{tomorrow:%Y%m%d}001"
    with pytest.raises(ValidationFailed) as error:
        validate_id_number(body + id_check_character(body))
    assert "出生日期" in str(error.value.message)


def test_fields_can_be_renamed_for_the_form_that_asks():
    with pytest.raises(ValidationFailed) as error:
        validate_uscc("123", field="unit_uscc")
    assert error.value.as_dict() == {
        "code": "uscc_length",
        "message": "统一社会信用代码应为18位",
        "field": "unit_uscc",
    }
    with pytest.raises(ValidationFailed) as error:
        validate_phone("123", field="contact_phone")
    assert error.value.field == "contact_phone" and "手机号码" in str(error.value.message)


@pytest.mark.parametrize(
    ("raw", "multiline", "expected"),
    [
        ("楼道\x00灯坏了", False, "楼道灯坏了"),  # PostgreSQL refuses NUL
        ("噪音\x07\x1b[31m扰民", False, "噪音[31m扰民"),
        ("第一行\r\n\t第二行\x0b", True, "第一行\n\t第二行"),
        ("付款\u202e人民币\u2066", False, "付款人民币"),  # bidi overrides
        ("漏水\x85\x9f", False, "漏水"),  # C1 controls
        ("  小区  门口  ", False, "小区 门口"),
        ("“中文”，标点！", False, "“中文”，标点！"),
    ],
)
def test_clean_text_drops_control_characters(raw, multiline, expected):
    assert clean_text(raw, multiline=multiline) == expected


@given(st.text())
def test_clean_text_never_keeps_a_control_character(value):
    cleaned = clean_text(value, multiline=True)
    assert all(ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs") for ch in cleaned)
