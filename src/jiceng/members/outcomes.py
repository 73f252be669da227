"""The members app's outcomes.

- Mobile members verified (流入党员核实率): of the inflows registered in the period at
  communities under the area, the share checked against the home org (verified).
- New members developed (发展党员数): members admitted (joined_on) in the period, in
  the org and the orgs below it, or in the orgs located under the area.
- Dual-reporting service (在职党员报到服务率): of the in-service members reported to
  communities under the area during the period, the share who recorded service in it.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Area
from jiceng.core.outcomes import COUNT, RATE, Figure, Outcome, Period, register_outcome
from jiceng.members.models import DualReport, Member, MobileInflow, ServiceRecord


def mobile_verified(area: Area, period: Period) -> Figure:
    totals = MobileInflow.objects.filter(
        community__path__startswith=area.path,
        registered_on__gte=period.start,
        registered_on__lt=period.end,
    ).aggregate(total=Count("id"), verified=Count("id", filter=Q(verified_at__isnull=False)))
    url = reverse("members:mobile") + f"?area={area.pk}"
    return Figure.rate(totals["verified"], totals["total"], url)


def _joined(members, period: Period):
    return members.filter(joined_on__gte=period.start, joined_on__lt=period.end)


def new_members_area(area: Area, period: Period) -> Figure:
    n = _joined(Member.objects.filter(org__area__path__startswith=area.path), period).count()
    return Figure.count(n, reverse("members:list") + f"?area={area.pk}")


def new_members_org(org, period: Period) -> Figure:
    n = _joined(Member.objects.filter(org__path__startswith=org.path), period).count()
    return Figure.count(n, reverse("members:list") + f"?org={org.pk}")


def dual_service(area: Area, period: Period) -> Figure:
    served = ServiceRecord.objects.filter(
        report=OuterRef("pk"), served_on__gte=period.start, served_on__lt=period.end
    )
    totals = (
        DualReport.objects.filter(
            kind=DualReport.Kind.MEMBER,
            community__path__startswith=area.path,
            reported_on__lt=period.end,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
        # The annotation is named apart from the aggregate: on PostgreSQL one name for
        # both made the aggregate's filter read a column the subquery no longer has.
        .annotate(was_served=Exists(served))
        .aggregate(total=Count("id"), served=Count("id", filter=Q(was_served=True)))
    )
    url = reverse("members:dual") + f"?area={area.pk}"
    return Figure.rate(totals["served"], totals["total"], url)


def register() -> None:
    register_outcome(
        Outcome(
            key="members.mobile_verified",
            label=_("流入党员核实率"),
            app="members",
            unit=RATE,
            sources=(MobileInflow._meta.db_table, "core_area"),
            for_area=mobile_verified,
            description=_("期内登记的流入党员中已与流出地核实的比例"),
            order=40,
        )
    )
    register_outcome(
        Outcome(
            key="members.new_members",
            label=_("发展党员数"),
            app="members",
            unit=COUNT,
            sources=(Member._meta.db_table, "orgs_partyorg", "core_area"),
            for_area=new_members_area,
            for_org=new_members_org,
            description=_("期内入党的党员人数（本组织及下级组织）"),
            order=41,
        )
    )
    register_outcome(
        Outcome(
            key="members.dual_service",
            label=_("在职党员报到服务率"),
            app="members",
            unit=RATE,
            sources=(DualReport._meta.db_table, ServiceRecord._meta.db_table, "core_area"),
            for_area=dual_service,
            description=_("期内在社区报到的在职党员中，期内有服务记录的比例"),
            order=42,
        )
    )
