"""The standard composition tables of party statistics (党内统计), from the data.

Each table is one aggregate query over the members in scope under a node (an area or
an org): counts by gender, ethnicity, age band, education, years of membership, status,
category and org kind. Nothing is typed in; numbers always add up to the total.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.members.ethnicities import HAN
from jiceng.members.models import Member
from jiceng.orgs.models import PartyOrg

# (label, lowest age inclusive, highest age inclusive); None is open-ended.
AGE_BANDS = (
    (_("30岁及以下"), None, 30),
    (_("31至35岁"), 31, 35),
    (_("36至40岁"), 36, 40),
    (_("41至45岁"), 41, 45),
    (_("46至50岁"), 46, 50),
    (_("51至55岁"), 51, 55),
    (_("56至60岁"), 56, 60),
    (_("61至70岁"), 61, 70),
    (_("71至80岁"), 71, 80),
    (_("81岁及以上"), 81, None),
)
# Years since joining the party.
TENURE_BANDS = (
    (_("不满5年"), None, 4),
    (_("5至10年"), 5, 10),
    (_("11至20年"), 11, 20),
    (_("21至30年"), 21, 30),
    (_("31至40年"), 31, 40),
    (_("41至50年"), 41, 50),
    (_("51年及以上"), 51, None),
)


@dataclass
class Row:
    key: str
    label: str
    count: int


@dataclass
class Table:
    name: str
    title: str
    rows: list[Row]

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rows)


def years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def band_q(field: str, low: int | None, high: int | None, today: datetime.date) -> Q:
    """Age (or tenure) in [low, high] whole years as a date range on `field`.

    Someone is at least N years old when born on or before today minus N years, and at
    most N when born after today minus N+1 years.
    """
    condition = Q()
    if low is not None:
        condition &= Q(**{f"{field}__lte": years_ago(today, low)})
    if high is not None:
        condition &= Q(**{f"{field}__gt": years_ago(today, high + 1)})
    return condition


def _banded(members, name, title, field, bands, today) -> Table:
    aggregates = {
        f"b{i}": Count("id", filter=band_q(field, low, high, today))
        for i, (_label, low, high) in enumerate(bands)
    }
    counts = members.aggregate(**aggregates)
    rows = [
        Row(key=f"b{i}", label=str(label), count=counts[f"b{i}"])
        for i, (label, _low, _high) in enumerate(bands)
    ]
    return Table(name=name, title=title, rows=rows)


def _by_choice(members, name, title, field, choices) -> Table:
    aggregates = {value: Count("id", filter=Q(**{field: value})) for value, _l in choices}
    counts = members.aggregate(**aggregates)
    rows = [Row(key=value, label=str(label), count=counts[value]) for value, label in choices]
    return Table(name=name, title=title, rows=rows)


def _builders(today: datetime.date) -> dict:
    """Each standard table by name, as a function of an already scoped queryset."""

    def ethnicity(members) -> Table:
        counts = members.aggregate(
            han=Count("id", filter=Q(ethnicity=HAN)), minority=Count("id", filter=~Q(ethnicity=HAN))
        )
        return Table(
            name="ethnicity",
            title=str(_("民族")),
            rows=[
                Row("han", str(_("汉族")), counts["han"]),
                Row("minority", str(_("少数民族")), counts["minority"]),
            ],
        )

    return {
        "gender": lambda m: _by_choice(
            m, "gender", str(_("性别")), "gender", Member.Gender.choices
        ),
        "ethnicity": ethnicity,
        "age": lambda m: _banded(m, "age", str(_("年龄")), "birth_date", AGE_BANDS, today),
        "education": lambda m: _by_choice(
            m, "education", str(_("学历")), "education", Member.Education.choices
        ),
        "tenure": lambda m: _banded(m, "tenure", str(_("党龄")), "joined_on", TENURE_BANDS, today),
        "status": lambda m: _by_choice(
            m, "status", str(_("党员状态")), "status", Member.Status.choices
        ),
        "category": lambda m: _by_choice(
            m, "category", str(_("党员类别")), "category", Member.Category.choices
        ),
        "org_kind": lambda m: _by_choice(
            m, "org_kind", str(_("所在组织类别")), "org__kind", PartyOrg.Kind.choices
        ),
    }


TABLE_NAMES = (
    "gender",
    "ethnicity",
    "age",
    "education",
    "tenure",
    "status",
    "category",
    "org_kind",
)


def composition(members: QuerySet[Member], *, today: datetime.date | None = None) -> list[Table]:
    """All standard tables for an already scoped queryset of members."""
    builders = _builders(today or timezone.localdate())
    return [builders[name](members) for name in TABLE_NAMES]


def composition_table(
    members: QuerySet[Member], name: str, *, today: datetime.date | None = None
) -> Table:
    """One standard table (a name of TABLE_NAMES): one aggregate query."""
    return _builders(today or timezone.localdate())[name](members)


def _layout(name: str) -> tuple[str, list[tuple[str, str]]]:
    """A table's title and its rows' (key, label), as the builders above make them."""
    banded = {"age": (_("年龄"), AGE_BANDS), "tenure": (_("党龄"), TENURE_BANDS)}
    if name in banded:
        title, bands = banded[name]
        return str(title), [(f"b{i}", str(label)) for i, (label, _l, _h) in enumerate(bands)]
    if name == "ethnicity":
        return str(_("民族")), [("han", str(_("汉族"))), ("minority", str(_("少数民族")))]
    titles = {
        "gender": (_("性别"), Member.Gender.choices),
        "education": (_("学历"), Member.Education.choices),
        "status": (_("党员状态"), Member.Status.choices),
        "category": (_("党员类别"), Member.Category.choices),
        "org_kind": (_("所在组织类别"), PartyOrg.Kind.choices),
    }
    title, choices = titles[name]
    return str(title), [(value, str(label)) for value, label in choices]


def table_from_counts(name: str, counts: dict[str, int]) -> Table:
    """One standard table from counts already made ({key: members}), e.g. from the
    rollup rows (members.rollup): the same title, rows and order as `composition_table`."""
    title, rows = _layout(name)
    return Table(
        name=name, title=title, rows=[Row(key, label, counts.get(key, 0)) for key, label in rows]
    )
