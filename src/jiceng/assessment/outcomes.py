"""The assessment app's outcome: rectification items closed on time. Of the items whose
deadline fell in the period (and has passed, or that are already closed), the share
closed (销号 confirmed) on or before the deadline."""

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.assessment.models import Rectification
from jiceng.core.models import Area
from jiceng.core.outcomes import RATE, Figure, Outcome, Period, register_outcome


def _rate(items, period: Period, url: str) -> Figure:
    today = timezone.localdate()
    items = items.filter(deadline__gte=period.start, deadline__lt=period.end).filter(
        Q(deadline__lt=today) | Q(state=Rectification.State.CLOSED)
    )
    totals = items.aggregate(
        due=Count("id"),
        on_time=Count(
            "id",
            filter=Q(state=Rectification.State.CLOSED, closed_at__date__lte=F("deadline")),
        ),
    )
    return Figure.rate(totals["on_time"], totals["due"], url)


def _url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("assessment:rectifications") + f"?{query}"


def for_org(org, period: Period) -> Figure:
    items = Rectification.objects.filter(org=org)
    return _rate(items, period, _url(org=org.pk, year=period.start.year))


def for_area(area: Area, period: Period) -> Figure:
    items = Rectification.objects.filter(org__area__path__startswith=area.path)
    return _rate(items, period, _url(area=area.pk, year=period.start.year))


def register() -> None:
    register_outcome(
        Outcome(
            key="assessment.rectification_on_time",
            label=_("整改按期销号率"),
            app="assessment",
            unit=RATE,
            sources=(Rectification._meta.db_table, "orgs_partyorg", "core_area"),
            for_area=for_area,
            for_org=for_org,
            description=_("期内到期（或已销号）的整改事项中，在整改时限内销号的比例"),
            order=90,
        )
    )
