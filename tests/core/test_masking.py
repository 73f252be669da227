"""Numbers typed into free text are masked however they are written (issue 22): each row
is one writing style seen in residents' descriptions, with what the public sees."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiceng.core.masking import redact_personal

STYLES = [
    # mobiles
    ("电话13812345678", "电话138****5678"),
    ("+8613812345678", "138****5678"),
    ("8613812345678", "138****5678"),
    ("+86 138 1234 5678", "138****5678"),
    ("+86-138-1234-5678", "138****5678"),
    ("0086 13812345678", "138****5678"),
    ("＋８６ １３８ １２３４ ５６７８", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("138.1234.5678", "138****5678"),
    ("138  1234  5678", "138****5678"),
    ("１３８１２３４５６７８", "138****5678"),
    ("138－1234－5678", "138****5678"),
    ("(+86)13812345678", "(138****5678"),
    ("tel:13812345678", "tel:138****5678"),
    ("手机号是13812345678，白天打", "手机号是138****5678，白天打"),
    ("3号楼502室 13812345678", "3号楼502室 138****5678"),
    ("13812345678和13987654321", "138****5678和139****4321"),
    ("13812345678 13987654321", "138****5678 139****4321"),
    # landlines
    ("021-64871234", "021-******34"),
    ("(021)64871234", "021-******34"),
    ("（021）64871234", "021-******34"),
    ("021 6487 1234", "021-******34"),
    ("02164871234", "021-******34"),
    ("0571 8888 1234", "0571-******34"),
    ("0571-88881234", "0571-******34"),
    ("010-6552 1234", "010-******34"),
    ("+86 21 6487 1234", "021-******34"),
    ("座机０２１－６４８７１２３４转8", "座机021-******34转8"),
    # ID numbers
    ("310104198506010012", "3101**********0012"),
    ("31010419850601001X", "3101**********001X"),
    ("31010419850601001x", "3101**********001X"),
    ("310104 19850601 0012", "3101**********0012"),
    ("310104-19850601-0012", "3101**********0012"),
    ("3101 0419 8506 0100 12", "3101**********0012"),
    ("ID310104198506010012", "ID3101**********0012"),
    ("身份证号310104198506010012", "身份证号3101**********0012"),
    ("sfz31010419850601001X住3楼", "sfz3101**********001X住3楼"),
    ("３１０１０４１９８５０６０１００１２", "3101**********0012"),
    ("310104850601001", "3101*******1001"),
    ("老身份证 310104 850601 001", "老身份证 3101*******1001"),
]

LEFT_ALONE = [
    "2026-03-01 10:30 路灯不亮",
    "3号楼502室漏水",
    "统一社会信用代码91310104MA1FL0001X",
    "垃圾桶满溢已有3天，约20个",
    "查询码 ABCD2345EFGH",
    "138****5678",
    "3101**********0012",
    "021-******34",
]


def test_at_least_thirty_writing_styles():
    assert len(STYLES) >= 30


@pytest.mark.parametrize("text, shown", STYLES)
def test_each_writing_style_is_masked(text, shown):
    assert redact_personal(text) == shown


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_other_numbers_and_masked_text_are_left_alone(text):
    assert redact_personal(text) == text


@given(st.text(alphabet="0123456789 -+()X号楼室电话", max_size=60))
def test_masking_is_idempotent(text):
    once = redact_personal(text)
    assert redact_personal(once) == once


WORDS = st.text(alphabet="张王住在小区号楼室联系，。：请速处理ab", max_size=20)


@given(st.sampled_from(STYLES), WORDS, WORDS)
def test_each_style_is_masked_among_other_words(style, before, after):
    text, shown = style
    assert redact_personal(f"{before} {text} {after}") == f"{before} {shown} {after}"
