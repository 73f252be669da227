"""Yearly rankings other apps publish, registered from their AppConfig.ready() like the
outcomes and the ledgers, so a reader (supervision's weak-org rules) never imports the
publishing app's models (STYLE 6 and 13).

A ranking is read for an area and a year: its function returns the entries of the orgs
under that area, in order, or nothing when the year has no published ranking there. An
entry carries what a reader needs to compare an org with its peers — the group it is
ranked in and the area it sits under — and the page that shows the ranking, as the
evidence of any conclusion drawn from it. Like an outcome, a ranking concerns its
subjects, not a viewer: who may *see* the page behind `url` is decided there."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jiceng.core.models import Area


@dataclass(frozen=True)
class Entry:
    org: int  # the ranked party org
    area: int  # the org's area
    parent: int | None  # the area that area sits under: orgs of one parent are peers
    group: str  # what the org is ranked among (the scheme's assessed group)
    rank: int  # 1 is first; equal scores share a rank (1, 2, 2, 4)
    score: Decimal
    total: int  # how many are ranked in the group
    url: str  # the page showing the ranking


@dataclass(frozen=True)
class Ranking:
    name: str
    label: Any
    # (area, year) → the entries under the area, best first; [] when none is published.
    entries: Callable[[Area, int], list[Entry]]


_RANKINGS: dict[str, Ranking] = {}


def register_ranking(name: str, label: Any, fn: Callable[[Area, int], list[Entry]]) -> None:
    _RANKINGS[name] = Ranking(name, label, fn)


def ranking(name: str) -> Ranking | None:
    """The ranking registered as `name`; None when its app is not installed."""
    return _RANKINGS.get(name)
