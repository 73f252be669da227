"""Organizational life's outcome: 三会一课 compliance, the share of the required
meetings due in the period that were held (orglife.compliance: only calendar periods
wholly inside the period and already over count as due; an org founded or closed
inside one is not due for it).

For an org: its own meetings. For an area: every org located under it that some
requirement applies to, from their meetings in the period (two queries)."""

import datetime
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Area
from jiceng.core.outcomes import RATE, Figure, Outcome, Period, register_outcome
from jiceng.orglife import compliance, rollup
from jiceng.orglife.models import Meeting, MeetingRequirement
from jiceng.orgs.models import PartyOrg


def _last_day(period: Period) -> datetime.date:
    return period.end - datetime.timedelta(days=1)


def _figure(orgs, facts, requirements, period: Period, url: str) -> Figure:
    due = met = 0
    today = timezone.localdate()
    for org in orgs:
        result = compliance.compute(
            org,
            requirements,
            facts.get(org.pk, ()),
            start=period.start,
            end=_last_day(period),
            today=today,
        )
        due += result.due
        met += result.due - result.missing
    return Figure.rate(met, due, url)


def _facts(meetings) -> dict[int, list[compliance.MeetingFact]]:
    facts: dict[int, list[compliance.MeetingFact]] = defaultdict(list)
    for org_id, kind, held_on in meetings.values_list("org_id", "kind", "held_on"):
        facts[org_id].append(compliance.MeetingFact(kind=kind, held_on=held_on))
    return facts


def for_org(org, period: Period) -> Figure:
    requirements = list(MeetingRequirement.objects.all())
    meetings = Meeting.objects.filter(org=org, held_on__gte=period.start, held_on__lt=period.end)
    url = reverse("orglife:org_compliance", args=[org.pk]) + f"?year={period.start.year}"
    return _figure([org], _facts(meetings), requirements, period, url)


def for_area(area: Area, period: Period) -> Figure:
    requirements = list(MeetingRequirement.objects.all())
    kinds = rollup.applicable_kinds(requirements)
    orgs = PartyOrg.objects.filter(area__path__startswith=area.path, kind__in=kinds).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=period.start)
    )
    meetings = Meeting.objects.filter(
        org__area__path__startswith=area.path,
        held_on__gte=period.start,
        held_on__lt=period.end,
    )
    url = reverse("orglife:compliance") + f"?area={area.pk}&year={period.start.year}"
    return _figure(list(orgs), _facts(meetings), requirements, period, url)


def register() -> None:
    register_outcome(
        Outcome(
            key="orglife.compliance",
            label=_("“三会一课”达标率"),
            app="orglife",
            unit=RATE,
            sources=(
                Meeting._meta.db_table,
                MeetingRequirement._meta.db_table,
                "orgs_partyorg",
                "core_area",
            ),
            for_area=for_area,
            for_org=for_org,
            description=_("期内应召开的组织生活（按支部工作条例频次）中已按要求召开的比例"),
            order=20,
        )
    )
