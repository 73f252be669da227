import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiceng.places.normalize import chinese_number, normalize

DISTRICTS = ("浦东新区", "徐汇区", "黄浦区")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("漕溪北路８８弄３号５０２室", "漕溪北路88弄3号502室"),  # full-width digits
        ("上海市徐汇区漕河泾街道漕溪北路88弄3号", "漕溪北路88弄3号"),  # city, district, street
        ("徐汇 漕溪北路 88 弄 3 幢", "漕溪北路88弄3号"),  # spaces; 幢 → 号
        ("漕溪北路88弄3栋", "漕溪北路88弄3号"),
        ("漕溪北路88弄3号楼", "漕溪北路88弄3号"),
        ("漕溪北路八十八弄三号", "漕溪北路88弄3号"),  # Chinese numerals
        ("漕溪北路88弄3-502", "漕溪北路88弄3号502室"),  # the hotline's dash
        ("上海浦东新区张杨路100号", "张杨路100号"),
        ("浦东张杨路100号", "张杨路100号"),  # a district without 新区
        ("（复兴西路）12弄", "复兴西路12弄"),
        ("梅陇三村12号", "梅陇三村12号"),  # a numeral in a name stays
        ("", ""),
    ],
)
def test_normalize(text, expected):
    assert normalize(text, districts=DISTRICTS) == expected


@pytest.mark.parametrize(
    "text, number",
    [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("八十八", 88), ("一百零五", 105),
     ("二〇八", 208), ("两千", 2000)],
)  # fmt: skip
def test_chinese_numbers(text, number):
    assert chinese_number(text) == number


@given(st.text(max_size=300))
def test_normalize_never_fails_and_is_stable(text):
    once = normalize(text, districts=DISTRICTS)
    assert normalize(once, districts=DISTRICTS) == once or len(once) <= len(text) + 2
