"""The subject of a ledger, as pickers (`core.pickers`): the areas (`ledger-areas`) and
the orgs (`ledger-orgs`) the viewer may pull a ledger for. Seeing is enough: a ledger
reads, it changes nothing, so there is no right to change to check."""

from django.db.models import Q, QuerySet

from jiceng.core.area_pickers import label as area_label
from jiceng.core.pickers import Picker, register
from jiceng.ledgers.selectors import subject_areas, subject_orgs


def _areas(user, params: dict) -> QuerySet:
    return subject_areas(viewer=user)


def _search_areas(areas: QuerySet, q: str) -> QuerySet:
    return areas.filter(Q(name__icontains=q) | Q(code__startswith=q))


def _orgs(user, params: dict) -> QuerySet:
    return subject_orgs(viewer=user)


def _search_orgs(orgs: QuerySet, q: str) -> QuerySet:
    return orgs.filter(name__icontains=q)


def register_pickers() -> None:
    register(Picker(name="ledger-areas", candidates=_areas, search=_search_areas, label=area_label))
    register(Picker(name="ledger-orgs", candidates=_orgs, search=_search_orgs, label=str))
