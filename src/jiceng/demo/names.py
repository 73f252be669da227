"""Plausible Chinese names for generated people, units and places.

Everything is drawn from the `random.Random` the caller passes, so the same seed gives
the same names; nothing here reads the clock or the global random state. The lists are
ordinary words, not real people or real companies.
"""

import itertools
import random
import re

# Common surnames, roughly by frequency (the first ones are drawn more often).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS = tuple(max(1, 40 - i) for i in range(len(SURNAMES)))
# The same draw as weights=SURNAME_WEIGHTS, without summing them up on every call.
SURNAME_CUM_WEIGHTS = tuple(itertools.accumulate(SURNAME_WEIGHTS))
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩凯健俊帆毅峰建国志文彬晨宇博翔栋亮振海"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英华慧颖婷雪琳洁萍红燕倩蓉佳怡欣悦晴雯岚蕾莉菁琴瑜"
GIVEN_ANY = "一子嘉思天明晓佳俊文雨若安宏永春秋云立新丹月心"

# Trade names (字号) for companies: two characters from these.
TRADE_CHARS = "华鑫盛达瑞丰和信诚泰宏源康恒祥嘉安联合创佳美新金汇通远博智星云海天成润旭德兴启辰"
# Private-enterprise line of business and the suffix of the registered name.
INDUSTRIES = (
    "信息科技",
    "网络科技",
    "文化传播",
    "餐饮管理",
    "建筑装饰工程",
    "物业管理",
    "企业管理咨询",
    "贸易",
    "医疗器械",
    "生物科技",
    "教育科技",
    "设计",
    "广告",
    "物流",
    "人力资源",
    "电子商务",
    "环保科技",
    "健康管理",
)
STATE_ENTERPRISE_STEMS = ("实业", "城市建设投资", "地产", "公交", "供水", "燃气", "商业投资")
SOCIAL_ORG_PATTERNS = (
    "{place}社区公益服务社",
    "{place}睦邻互助社",
    "{place}社会工作服务中心",
    "{place}养老服务中心",
    "{place}青少年服务中心",
    "{place}文化体育促进会",
    "{place}社区基金会",
)
PUBLIC_INSTITUTION_PATTERNS = (
    "{district}{place}小学",
    "{district}{place}幼儿园",
    "{district}{place}社区卫生服务中心",
    "{district}{place}社区事务受理服务中心",
    "{district}{place}社区文化活动中心",
    "{district}图书馆{place}分馆",
)
AGENCY_PATTERNS = (
    "上海市公安局{district_short}分局{street}派出所",
    "{district}市场监督管理局{street}市场监督管理所",
    "{district}司法局{street}司法所",
    "{district}税务局{street}税务所",
)
OTHER_PATTERNS = (
    "{place}{trade}便利店",
    "{place}{trade}餐饮店",
    "{place}{trade}理发店",
    "{trade}洗衣店",
)

POSITIONS = {
    "agency": ("所长", "党支部书记", "副所长"),
    "public_institution": ("校长", "院长", "主任", "党支部书记"),
    "state_enterprise": ("党委书记", "总经理", "副总经理"),
    "private_enterprise": ("总经理", "董事长", "党支部书记", "人事行政总监"),
    "social_organization": ("理事长", "主任", "秘书长"),
    "other": ("负责人", "店长"),
}
CHINESE_NUMERALS = "零一二三四五六七八九十"

# Suffixes stripped from an official committee name to get the place it is named after.
COMMUNITY_SUFFIXES = ("社区居委会", "居委会", "村委会", "虚拟社区", "虚拟生活区")


def person_name(rng: random.Random, gender: str | None = None) -> str:
    """A full name: one weighted surname and one or two given-name characters."""
    surname = rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]
    gender = gender or rng.choice(("male", "female"))
    pool = GIVEN_MALE if gender == "male" else GIVEN_FEMALE
    if rng.random() < 0.25:
        return surname + rng.choice(pool)
    return surname + rng.choice(pool + GIVEN_ANY) + rng.choice(pool)


def community_place(name: str) -> str:
    """The place a committee is named after: 武康居委会 → 武康, 胜利村委会 → 胜利村."""
    for suffix in COMMUNITY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def is_village(name: str) -> bool:
    return name.endswith("村委会")


def street_place(name: str) -> str:
    """湖南路街道 → 湖南路, 华泾镇 → 华泾; other names (zones, farms) stay whole."""
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


# Endings of residential-area names that a road would not carry: 古华第一, 田林一村,
# 上海新村, 康健花园.
ESTATE_SUFFIX = re.compile(r"(第?[一二三四五六七八九十\d]+(村|街坊|小区)?|新村|小区|花园|苑)$")


def road_name(place: str) -> str:
    """A road named after the place, as most Shanghai residents' committees are."""
    if place.endswith(("路", "街", "弄", "浜", "里")):
        return place
    return (ESTATE_SUFFIX.sub("", place) or place) + "路"


def unit_address(rng: random.Random, *, district: str, street: str, community: str) -> str:
    place = community_place(community)
    if is_village(community):
        # Village addresses name the town: 上海市奉贤区庄行镇马路村3组12号.
        return f"上海市{district}{street}{place}{rng.randint(1, 12)}组{rng.randint(1, 199)}号"
    return f"上海市{district}{road_name(place)}{rng.randint(1, 1200)}号"


def company_name(rng: random.Random, *, place: str) -> str:
    trade = "".join(rng.sample(TRADE_CHARS, 2))
    if rng.random() < 0.3:
        return f"上海{place}{trade}{rng.choice(INDUSTRIES)}有限公司"
    return f"上海{trade}{rng.choice(INDUSTRIES)}有限公司"


def unit_name(rng: random.Random, *, kind: str, district: str, street: str, community: str) -> str:
    """A registered name that fits the unit kind and where it sits."""
    place = community_place(community)
    district_short = district.removesuffix("区").removesuffix("新")
    if kind == "private_enterprise":
        return company_name(rng, place=place)
    if kind == "state_enterprise":
        stem = rng.choice(STATE_ENTERPRISE_STEMS)
        return f"上海{district_short}{stem}（集团）有限公司{place}分公司"
    if kind == "social_organization":
        return f"{district}" + rng.choice(SOCIAL_ORG_PATTERNS).format(place=place)
    if kind == "public_institution":
        return f"上海市{rng.choice(PUBLIC_INSTITUTION_PATTERNS)}".format(
            district=district, place=place
        )
    if kind == "agency":
        pattern = rng.choice(AGENCY_PATTERNS)
        return pattern.format(
            district=f"上海市{district}" if not pattern.startswith("上海") else district,
            district_short=district_short,
            street=street_place(street),
        )
    trade = "".join(rng.sample(TRADE_CHARS, 2))
    return rng.choice(OTHER_PATTERNS).format(place=place, trade=trade)


def position(rng: random.Random, kind: str) -> str:
    return rng.choice(POSITIONS[kind])


def ordinal(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二 (up to 99), for names such as 第三网格."""
    if number < 10:
        return CHINESE_NUMERALS[number]
    tens, ones = divmod(number, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens]
    return head + "十" + (CHINESE_NUMERALS[ones] if ones else "")
