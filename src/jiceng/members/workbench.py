"""The members app's to-dos on the workbench (dashboard.workbench): transfers to accept,
mobile members' inflow registrations to verify, dual reports awaiting a service post.

Each is work for whoever may do it: the receiving org's keepers accept a transfer
(members.access.can_decide_transfer), the community's staff verify an inflow and assign
a reporting member's post."""

import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import KIND_MEMBER, Scope
from jiceng.dashboard.workbench import (
    OPEN,
    Todo,
    TodoSource,
    few_or_many,
    items_from,
    register_source,
    urgency_of,
)
from jiceng.members.models import DualReport, MobileInflow, Transfer
from jiceng.members.selectors import (
    INFLOW_OVERDUE_DAYS,
    dual_report_list,
    inflow_list,
    transfer_list,
)


def _under(paths: list[str], lookup: str) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def managed_orgs_q(scope: Scope, org_lookup: str) -> Q:
    """Orgs the viewer keeps (orgs.access.can_manage_org): located in the territory the
    viewer manages, or below the org a unit org secretary manages."""
    if scope.everything:
        return Q()
    return _under(scope.managed_area_paths(), f"{org_lookup}__area__path") | _under(
        scope.managed_org_paths(), f"{org_lookup}__path"
    )


def managed_communities_q(scope: Scope, lookup: str) -> Q:
    if scope.everything:
        return Q()
    return _under(scope.managed_area_paths(), f"{lookup}__path")


def _manages(scope: Scope) -> bool:
    return scope.everything or bool(scope.managed_area_paths() or scope.managed_org_paths())


def transfers_to_accept(*, viewer, scope: Scope) -> QuerySet[Transfer]:
    """Pending transfers into an org the viewer keeps, the oldest first."""
    return (
        transfer_list(viewer=viewer, state=Transfer.State.PENDING)
        .filter(managed_orgs_q(scope, "to_org"))
        .order_by("started_at", "id")
    )


def _transfer_items(viewer, scope: Scope, now) -> list[Todo]:
    if not _manages(scope):
        return []
    transfers = transfers_to_accept(viewer=viewer, scope=scope)
    url = reverse("members:transfers")

    def one(transfer: Transfer) -> Todo:
        return Todo(
            source="members_transfers",
            title=gettext("组织关系转入：{name}（自{org}）").format(
                name=transfer.member.name, org=transfer.from_org.name
            ),
            action=gettext("接收或退回"),
            url=url,
            urgency=OPEN,
        )

    def many() -> list[Todo]:
        return [
            Todo(
                source="members_transfers",
                title=gettext("待接收的组织关系转入"),
                action=gettext("接收或退回"),
                url=url,
                urgency=OPEN,
                count=transfers.count(),
                is_group=True,
            )
        ]

    return items_from(few_or_many(transfers), one, many)


def inflows_to_verify(*, viewer, scope: Scope) -> QuerySet[MobileInflow]:
    """Inflow registrations still unchecked in the communities the viewer manages."""
    return inflow_list(viewer=viewer, state=MobileInflow.State.PENDING).filter(
        managed_communities_q(scope, "community")
    )


def _inflow_items(viewer, scope: Scope, now) -> list[Todo]:
    if not (scope.everything or scope.managed_area_paths()):
        return []
    row = (
        inflows_to_verify(viewer=viewer, scope=scope)
        .order_by()
        .aggregate(n=Count("id"), first=Min("registered_on"))
    )
    if not row["n"]:
        return []
    # 凡登必核: checked within INFLOW_OVERDUE_DAYS of registration (members.selectors).
    due = row["first"] + datetime.timedelta(days=INFLOW_OVERDUE_DAYS)
    return [
        Todo(
            source="members_inflows",
            title=gettext("待核实的流入党员登记"),
            action=gettext("与流出地党组织核实"),
            url=reverse("members:mobile"),
            urgency=urgency_of(due, now),
            due=due,
            count=row["n"],
            is_group=True,
        )
    ]


def reports_awaiting_post(*, viewer, scope: Scope) -> QuerySet[DualReport]:
    """Open dual reports to the viewer's communities that have no service post yet."""
    return dual_report_list(viewer=viewer).filter(
        managed_communities_q(scope, "community"), service_post=""
    )


def _dual_items(viewer, scope: Scope, now) -> list[Todo]:
    if not (scope.everything or scope.managed_area_paths()):
        return []
    # The plain rows, without the list's service totals.
    reports = DualReport.objects.filter(
        pk__in=reports_awaiting_post(viewer=viewer, scope=scope).values("pk")
    )
    count = reports.count()
    if not count:
        return []
    return [
        Todo(
            source="members_dual",
            title=gettext("报到后尚未认领岗位的双报到"),
            action=gettext("安排服务岗位"),
            url=reverse("members:dual"),
            urgency=OPEN,
            count=count,
            is_group=True,
        )
    ]


def register() -> None:
    for key, label, items, order in (
        ("members_transfers", _("组织关系转接"), _transfer_items, 20),
        ("members_inflows", _("流动党员"), _inflow_items, 21),
        ("members_dual", _("双报到"), _dual_items, 22),
    ):
        source = TodoSource(key=key, label=label, kind=KIND_MEMBER, items=items, order=order)
        register_source(source)
