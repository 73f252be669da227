"""Supervision's org measures (core.org_measures), by which an upper level sends to the
orgs flagged weak and lax: a candidate of the rules awaiting the district's decision,
and an org confirmed weak and not yet cleared (confirmed or rectifying). A flag holds
when the org has such a case for a year the period touches; one query for any number
of orgs."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.org_measures import FLAG, OrgMeasure, flag, register_org_measure
from jiceng.core.outcomes import Figure, Period
from jiceng.core.scope import KIND_SUPERVISION
from jiceng.supervision.models import WeakOrgCase

S = WeakOrgCase.State
CANDIDATE = (S.CANDIDATE,)
CONFIRMED_OPEN = (S.CONFIRMED, S.RECTIFYING)


def _years(period: Period) -> list[int]:
    last = period.end - datetime.timedelta(days=1)
    return list(range(period.start.year, last.year + 1))


def flagged(states: tuple[str, ...]):
    def measure(orgs, period: Period) -> dict[int, Figure]:
        cases = WeakOrgCase.objects.filter(
            org_id__in=orgs.values("pk"), year__in=_years(period), state__in=states
        )
        hit = dict(cases.order_by("year").values_list("org_id", "pk"))
        return {
            org_id: flag(True, reverse("supervision:weak_org", args=[hit[org_id]]))
            if org_id in hit
            else flag(False)
            for org_id in orgs.values_list("pk", flat=True)
        }

    return measure


def register() -> None:
    for key, label, states, order in (
        ("supervision.weak_candidate", _("软弱涣散待研判（是=1，否=0）"), CANDIDATE, 70),
        ("supervision.weak_confirmed", _("软弱涣散已认定未销号（是=1，否=0）"), CONFIRMED_OPEN, 71),
    ):
        register_org_measure(
            OrgMeasure(
                key=key,
                label=label,
                app="supervision",
                unit=FLAG,
                kind=KIND_SUPERVISION,
                sources=(WeakOrgCase._meta.db_table, "orgs_partyorg"),
                measure=flagged(states),
                description=_("期内所涉年度有此状态研判记录的组织记为 1，其余为 0"),
                order=order,
            )
        )
