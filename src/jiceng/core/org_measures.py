"""Org measures: the figures by which an upper level picks party orgs to send a notice
or a task to ("the branches whose 三会一课 compliance was below 80 % last year", "the
orgs flagged weak and lax"). linkage reads them when it expands a dispatch targeted by
an org rule; it never imports the apps' models (STYLE 6 and 13).

Each app registers its own from its AppConfig.ready(). A measure is a bulk function
`measure(orgs, period) -> {org_id: Figure}` over a queryset of the orgs app's PartyOrg
(core does not type it): it answers for every org in one go, in a number of queries
that does not grow with the number of orgs (a district holds ~3,300 orgs, a city
~22,000), and leaves out an org it has nothing to say about (no meeting was due).

Results only, as core.outcomes: a measure names the tables it reads (`sources`) and may
read none that records activity on the platform (tests/core/test_org_measures.py runs
each one and checks the queries it sends). `kind` is the core.scope kind of the records
the measure reads: a sender targets by it only if its roles see that kind."""

from collections.abc import Callable
from dataclasses import dataclass

from jiceng.core.outcomes import COUNT, RATE, Figure, Period, is_activity_table

# A yes/no mark (a case open against the org): 1 when it holds, 0 when not.
FLAG = "flag"


@dataclass(frozen=True)
class OrgMeasure:
    key: str  # "<app>.<name>", stable: a dispatch stores it
    label: str
    app: str
    unit: str  # RATE, COUNT or FLAG
    kind: str  # the core.scope kind of the records read
    sources: tuple[str, ...]  # the database tables the measure reads
    measure: Callable[[object, Period], dict[int, Figure]]
    description: str = ""
    order: int = 100


_MEASURES: dict[str, OrgMeasure] = {}


def register_org_measure(measure: OrgMeasure) -> None:
    if measure.unit not in (RATE, COUNT, FLAG):
        raise ValueError(f"{measure.key}: unknown unit {measure.unit!r}")
    if read := [table for table in measure.sources if is_activity_table(table)]:
        raise ValueError(f"{measure.key}: reads platform activity {sorted(read)}")
    _MEASURES[measure.key] = measure


def org_measures() -> list[OrgMeasure]:
    return sorted(_MEASURES.values(), key=lambda m: (m.order, m.key))


def org_measure(key: str) -> OrgMeasure:
    try:
        return _MEASURES[key]
    except KeyError:
        raise LookupError(key) from None


def flag(holds: bool, url: str = "") -> Figure:
    return Figure.count(1 if holds else 0, url)
