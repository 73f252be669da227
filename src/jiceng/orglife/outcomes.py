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
from jiceng.core.org_measures import OrgMeasure, register_org_measure
from jiceng.core.outcomes import RATE, Figure, Outcome, Period, register_outcome
from jiceng.core.scope import KIND_ORGLIFE
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


def for_orgs(orgs, period: Period) -> dict[int, Figure]:
    """Every org of `orgs` (a PartyOrg queryset) some requirement applies to, each as
    `for_org` would give it, in three queries whatever their number: the requirements,
    the orgs, and their meetings in the period (the orgs as a subquery)."""
    requirements = list(MeetingRequirement.objects.all())
    kinds = rollup.applicable_kinds(requirements)
    found = list(orgs.filter(kind__in=kinds).only("id", "kind", "established_on", "closed_on"))
    meetings = Meeting.objects.filter(
        org_id__in=orgs.filter(kind__in=kinds).values("pk"),
        held_on__gte=period.start,
        held_on__lt=period.end,
    )
    facts = _facts(meetings)
    result = {}
    for org in found:
        url = reverse("orglife:org_compliance", args=[org.pk]) + f"?year={period.start.year}"
        figure = _figure([org], facts, requirements, period, url)
        if figure.value is not None:
            result[org.pk] = figure
    return result


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
    # The same formula for picking orgs to send to (linkage's org rules), in bulk.
    register_org_measure(
        OrgMeasure(
            key="orglife.compliance",
            label=_("“三会一课”达标率"),
            app="orglife",
            unit=RATE,
            kind=KIND_ORGLIFE,
            sources=(Meeting._meta.db_table, MeetingRequirement._meta.db_table, "orgs_partyorg"),
            measure=for_orgs,
            description=_(
                "期内应召开的组织生活中已按要求召开的比例；期内无应召开会议的组织不参与比较"
            ),
            order=20,
        )
    )
