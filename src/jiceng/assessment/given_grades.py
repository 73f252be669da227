"""Grades an area gives others that the responsibility system shows beside its own:
today the street's yearly assessment of department field-office heads (人事考核权, one
of the street's five powers), which the duties app records. The app holding the records
registers a provider from its AppConfig.ready(); assessment reads it when it builds the
district's yearly results and drafts a street committee secretary's report (述职), and
never imports that app's models (STYLE 6 and 13).

A provider answers `rows(viewer, area, year)`: the grades given in `year` by the
streets at or under `area`, as `viewer` may see them (the holding app's scope decides;
`viewer=None` is the system, which sees all), in a bounded number of queries."""

from collections.abc import Callable
from dataclasses import dataclass

from jiceng.core.models import Area


@dataclass(frozen=True)
class GivenGrade:
    giver: str  # the street that gave the grade
    subject: str  # what was graded: the field office
    person: str  # whose work: the office's head
    department: str
    grade: str  # the grade as shown (好 / 较好 / 一般 / 差)
    comment: str
    url: str  # the record


@dataclass(frozen=True)
class GivenGrades:
    key: str
    label: str  # the section's title
    rows: Callable[[object, Area, int], list[GivenGrade]]
    order: int = 100


_PROVIDERS: dict[str, GivenGrades] = {}


def register_given_grades(provider: GivenGrades) -> None:
    _PROVIDERS[provider.key] = provider


def providers() -> list[GivenGrades]:
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.key))


@dataclass(frozen=True)
class Section:
    label: str
    rows: list[GivenGrade]


def sections(viewer, area: Area, year: int) -> list[Section]:
    """Each registered provider's grades for `area` and `year` as `viewer` sees them."""
    return [Section(str(p.label), p.rows(viewer, area, year)) for p in providers()]
