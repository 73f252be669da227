"""Field encryption (SM4-GCM) and the keyed blind index (HMAC-SM3)."""

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from jiceng.core import crypto
from jiceng.core.masking import mask_id_number, mask_name, mask_phone, redact_personal


@given(st.text(min_size=1, max_size=200))
def test_round_trip(text):
    token = crypto.encrypt(text)
    assert token.startswith(crypto.PREFIX)
    assert crypto.decrypt(token) == text


def test_numbers_never_appear_in_clear():
    for value in ("310104198506010011", "13812345678"):
        assert value not in crypto.encrypt(value)


def test_same_value_encrypts_differently_each_time():
    assert crypto.encrypt("310104198506010011") != crypto.encrypt("310104198506010011")


def test_tampered_ciphertext_is_refused():
    import base64

    token = crypto.encrypt("13812345678")
    raw = bytearray(base64.b64decode(token[len(crypto.PREFIX) :]))
    raw[14] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt(crypto.PREFIX + base64.b64encode(bytes(raw)).decode())


def test_another_key_cannot_decrypt(settings):
    token = crypto.encrypt("13812345678")
    settings.DATA_KEY = "ab" * 32
    with pytest.raises(InvalidTag):
        crypto.decrypt(token)


def test_blind_index_is_stable_and_separated_by_purpose(settings):
    a = crypto.blind_index("13812345678", purpose="member.phone")
    assert a == crypto.blind_index("13812345678", purpose="member.phone")
    assert a != crypto.blind_index("13812345678", purpose="member.id_number")
    settings.DATA_KEY = "cd" * 32
    assert a != crypto.blind_index("13812345678", purpose="member.phone")


def test_empty_values_stay_empty():
    assert (
        crypto.encrypt("") == ""
        and crypto.decrypt("") == ""
        and crypto.blind_index("", purpose="x") == ""
    )


def test_masks():
    assert mask_id_number("31010419850601001X") == "3101**********001X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("欧阳娜娜") == "欧**娜" and mask_name("李娜") == "李*"


def test_personal_numbers_in_free_text_are_masked():
    text = "请联系13812345678，身份证310104198506010011，门牌12号"
    assert redact_personal(text) == "请联系138****5678，身份证3101**********0011，门牌12号"
    assert redact_personal("订单号 123456789012") == "订单号 123456789012"


@given(st.from_regex(r"[1-6][0-9]{16}[0-9X]", fullmatch=True))
def test_a_masked_id_number_hides_the_birth_date(number):
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    assert masked[:4] == number[:4] and masked[-4:] == number[-4:]
    assert set(masked[4:-4]) == {"*"}


@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.text(st.characters(blacklist_categories=("Nd",)), max_size=20),
)
def test_no_mobile_number_survives_redaction(phone, noise):
    # Surrounding words stay; the number does not, wherever it appears.
    text = f"{noise}电话{phone}。"
    redacted = redact_personal(text)
    assert phone not in redacted and redacted.endswith("****" + phone[-4:] + "。")
