"""Every read of members' records and workflows; already scoped through core.scope.

Member rows come back with personal numbers encrypted; `member_display` is the one
place that turns them into what a screen or API may show (masked).
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core import crypto
from jiceng.core.masking import mask_id_number, mask_phone
from jiceng.core.models import Area, AuditEntry
from jiceng.core.pagination import Converted, Counted
from jiceng.core.roles import SELF_ROLES
from jiceng.core.scope import scope_for
from jiceng.core.validators import normalize_text
from jiceng.members import rollup
from jiceng.members.models import (
    DualReport,
    ExportManifestLine,
    Member,
    MemberEvent,
    MobileInflow,
    MobileOutflow,
    ServiceRecord,
    Transfer,
)
from jiceng.members.statistics import (
    TABLE_NAMES,
    Table,
    composition,
    composition_table,
    table_from_counts,
)
from jiceng.orgs.models import PartyOrg

# Inflows still unverified after this many days, and outflows past their expected
# return, show as overdue in the ledger.
INFLOW_OVERDUE_DAYS = getattr(settings, "MOBILE_INFLOW_OVERDUE_DAYS", 15)


def member_list(
    *,
    viewer,
    area: Area | None = None,
    org: PartyOrg | None = None,
    status: str | None = None,
    category: str | None = None,
    q: str | None = None,
) -> QuerySet[Member]:
    """Members in scope, optionally under an area (where their org sits) or an org subtree.

    `q` matches a name fragment, or a whole ID number or phone through the blind index,
    so a full number can be searched without being stored in clear.
    """
    members = scope_for(viewer).filter(
        Member.objects.select_related("org", "org__area", "residence_community")
    )
    if area is not None:
        members = members.filter(org__area__path__startswith=area.path)
    if org is not None:
        members = members.filter(org__path__startswith=org.path)
    if status:
        members = members.filter(status=status)
    if category:
        members = members.filter(category=category)
    if q:
        text = normalize_text(q).strip().upper()
        members = members.filter(
            Q(name__contains=text)
            | Q(id_number_index=crypto.blind_index(text, purpose="member.id_number"))
            | Q(phone_index=crypto.blind_index(text, purpose="member.phone"))
        )
    return members.order_by("org__path", "name", "id")


ID_NUMBER_SHAPE = re.compile(r"^\d{17}[\dX]$")
PHONE_SHAPE = re.compile(r"^1[3-9]\d{9}$")


def lookup_field(q: str | None) -> str | None:
    """'id_number' or 'phone' when the search text is a whole number of that kind (a
    lookup of a person, audited), None for a name fragment."""
    if not q:
        return None
    text = normalize_text(q).strip().upper()
    if ID_NUMBER_SHAPE.match(text):
        return "id_number"
    if PHONE_SHAPE.match(text.removeprefix("+86")):
        return "phone"
    return None


@dataclass(frozen=True)
class MemberDisplay:
    """What a screen shows of a member: numbers masked."""

    id_number: str
    phone: str


def member_display(member: Member) -> MemberDisplay:
    return MemberDisplay(
        id_number=mask_id_number(crypto.decrypt(member.id_number_encrypted)),
        phone=mask_phone(crypto.decrypt(member.phone_encrypted)),
    )


def member_own(*, viewer) -> Member | None:
    """The record linked to the viewer's own account (a party member looking at their
    file), or None; still read through the scope, which grants it by the owner lookup."""
    if not getattr(viewer, "is_authenticated", False):
        return None
    return (
        scope_for(viewer)
        .filter(
            Member.objects.filter(account=viewer).select_related(
                "org", "org__area", "residence_community", "work_unit"
            )
        )
        .first()
    )


def member_own_reports(*, viewer, member: Member) -> QuerySet[DualReport]:
    """The member's own dual reports (双报到) with their service and total hours."""
    return (
        scope_for(viewer)
        .filter(DualReport.objects.filter(member=member).select_related("community"))
        .annotate(total_hours=Sum("services__hours"), service_count=Count("services"))
        .order_by("-reported_on", "-id")
    )


def member_events(*, viewer, member: Member) -> QuerySet[MemberEvent]:
    return scope_for(viewer).filter(
        MemberEvent.objects.filter(member=member).select_related("actor")
    )


def transfer_list(
    *, viewer, state: str | None = None, direction: str | None = None
) -> QuerySet[Transfer]:
    """Transfers the viewer sees: both sides see one, nobody else. `direction` is
    "incoming" (to an org the viewer sees) or "outgoing"."""
    scope = scope_for(viewer)
    transfers = scope.filter(
        Transfer.objects.select_related("member", "from_org", "to_org", "from_org__area")
    )
    if state:
        transfers = transfers.filter(state=state)
    if direction in ("incoming", "outgoing"):
        side = "to_org" if direction == "incoming" else "from_org"
        visible_orgs = scope.filter(PartyOrg.objects.all()).values("pk")
        transfers = transfers.filter(**{f"{side}__in": visible_orgs})
    return transfers.order_by("-started_at", "-id")


def outflow_list(*, viewer, state: str | None = None) -> QuerySet[MobileOutflow]:
    outflows = (
        scope_for(viewer)
        .filter(MobileOutflow.objects.select_related("member", "home_org"))
        .annotate(verified_inflows=Count("inflows", filter=Q(inflows__state="verified")))
    )
    if state:
        outflows = outflows.filter(state=state)
    return outflows.order_by("-left_on", "-id")


def inflow_list(*, viewer, state: str | None = None) -> QuerySet[MobileInflow]:
    inflows = scope_for(viewer).filter(MobileInflow.objects.select_related("community"))
    if state:
        inflows = inflows.filter(state=state)
    return inflows.order_by("-registered_on", "-id")


@dataclass
class MobileLedger:
    """The dynamic ledger (动态台账) of mobile members for the viewer's scope."""

    out: int
    out_overdue: int  # past the expected return and not back
    out_unregistered: int  # away, and no destination has registered them yet
    inflow_pending: int
    inflow_overdue: int  # unverified for more than INFLOW_OVERDUE_DAYS
    inflow_rejected: int
    inflow_verified: int


def mobile_ledger(*, viewer, today: datetime.date | None = None) -> MobileLedger:
    today = today or timezone.localdate()
    outflows = scope_for(viewer).filter(MobileOutflow.objects.filter(state="out"))
    out = outflows.aggregate(
        total=Count("id", distinct=True),
        overdue=Count("id", filter=Q(expected_return_on__lt=today), distinct=True),
    )
    unregistered = outflows.exclude(inflows__state="verified").count()
    overdue_since = today - datetime.timedelta(days=INFLOW_OVERDUE_DAYS)
    inflows = scope_for(viewer).filter(MobileInflow.objects.all())
    counts = inflows.aggregate(
        pending=Count("id", filter=Q(state="pending")),
        overdue=Count("id", filter=Q(state="pending", registered_on__lt=overdue_since)),
        rejected=Count("id", filter=Q(state="rejected")),
        verified=Count("id", filter=Q(state="verified")),
    )
    return MobileLedger(
        out=out["total"],
        out_overdue=out["overdue"],
        out_unregistered=unregistered,
        inflow_pending=counts["pending"],
        inflow_overdue=counts["overdue"],
        inflow_rejected=counts["rejected"],
        inflow_verified=counts["verified"],
    )


def dual_report_list(
    *, viewer, community: Area | None = None, kind: str | None = None, open_only: bool = True
) -> QuerySet[DualReport]:
    reports = (
        scope_for(viewer)
        .filter(DualReport.objects.select_related("community", "unit_org", "member", "member__org"))
        .annotate(total_hours=Sum("services__hours"), service_count=Count("services"))
    )
    if community is not None:
        reports = reports.filter(community=community)
    if kind:
        reports = reports.filter(kind=kind)
    if open_only:
        reports = reports.filter(ended_on__isnull=True)
    return reports.order_by("-reported_on", "-id")


@dataclass
class ReportBackRow:
    member_id: int
    name: str
    community: str
    services: int
    hours: Decimal


@dataclass
class ReportBack:
    """双报告: the community service of an org's members, per member and in total."""

    org: PartyOrg
    rows: list[ReportBackRow]
    org_services: int  # service done by the org itself, as a reporting unit org
    org_hours: Decimal

    @property
    def member_hours(self) -> Decimal:
        return sum((r.hours for r in self.rows), Decimal(0))


def report_back(
    *, viewer, org: PartyOrg, since: datetime.date | None = None, until=None
) -> ReportBack:
    """Service recorded by communities for the org's members (and the org itself)."""
    scope = scope_for(viewer)
    records = scope.filter(ServiceRecord.objects.all())
    if since:
        records = records.filter(served_on__gte=since)
    if until:
        records = records.filter(served_on__lte=until)
    member_rows = (
        records.filter(report__member__org__path__startswith=org.path)
        .values("report__member_id", "report__member__name", "report__community__name")
        .annotate(services=Count("id"), hours=Sum("hours"))
        .order_by("report__member__name", "report__member_id")
    )
    own = records.filter(report__unit_org=org).aggregate(services=Count("id"), hours=Sum("hours"))
    rows = [
        ReportBackRow(
            member_id=r["report__member_id"],
            name=r["report__member__name"],
            community=r["report__community__name"],
            services=r["services"],
            hours=r["hours"] or Decimal(0),
        )
        for r in member_rows
    ]
    return ReportBack(
        org=org, rows=rows, org_services=own["services"], org_hours=own["hours"] or Decimal(0)
    )


# ---- who saw a member's personal data ---------------------------------------------------------

DATA_ACCESS_ACTIONS = (
    AuditEntry.Action.REVEAL,
    AuditEntry.Action.EXPORT,
    AuditEntry.Action.LOOKUP,
)
FIELD_NAMES = {"id_number": _("身份证号"), "phone": _("手机号")}


@dataclass(frozen=True)
class DataAccess:
    """One time someone handled a member's personal data."""

    entry_id: int
    at: datetime.datetime
    actor: str  # name and account, or "system"
    action: str
    action_display: str
    purpose: str  # what for (an export's purpose), or what was seen or searched by


def member_data_access_entries(member: Member) -> QuerySet[AuditEntry]:
    """The audit entries in which `member`'s personal data was revealed, looked up or
    exported (an export's manifest names every member its file held)."""
    exported = ExportManifestLine.objects.filter(member_id=member.pk).values("entry_id")
    return AuditEntry.objects.filter(
        Q(target_type="members.member", target_id=str(member.pk), action__in=DATA_ACCESS_ACTIONS)
        | Q(pk__in=exported, action=AuditEntry.Action.EXPORT)
    )


def member_data_access(*, viewer, member: Member, limit: int = 500) -> list[DataAccess]:
    """Who revealed, exported or looked up `member`'s personal data, when and for what,
    newest first. For the member and for auditors (access.get_member_for_data_access)."""
    entries = member_data_access_entries(member).select_related("actor").order_by("-at", "-id")
    return [_data_access(entry) for entry in entries[:limit]]


def member_data_access_pages(*, viewer, member: Member) -> Converted:
    """The same, for the API's paginated list: only the page asked for is read."""
    entries = member_data_access_entries(member).select_related("actor").order_by("-at", "-id")
    return Converted(entries, _data_access)


def _data_access(entry: AuditEntry) -> DataAccess:
    from jiceng.core.exports import purpose_label

    changes = entry.changes or {}
    actor = entry.actor_label
    if entry.actor is not None and entry.actor.full_name:
        actor = f"{entry.actor.full_name}（{entry.actor_label}）"
    field = str(FIELD_NAMES.get(changes.get("field"), changes.get("field") or ""))
    if entry.action == AuditEntry.Action.EXPORT:
        purpose = purpose_label(changes.get("purpose", ""), changes.get("purpose_note", ""))
    elif entry.action == AuditEntry.Action.LOOKUP:
        purpose = str(_("按{field}查询")).format(field=field)
    else:
        purpose = str(_("查看完整{field}")).format(field=field)
    return DataAccess(entry.pk, entry.at, actor, entry.action, entry.get_action_display(), purpose)


def managed_communities(*, viewer, limit: int = 500) -> list:
    """Communities the viewer manages, for a form's choices."""
    from jiceng.core.access import can_manage_area
    from jiceng.core.models import Area

    communities = scope_for(viewer).filter(Area.objects.filter(level=Area.Level.COMMUNITY))
    return [c for c in communities.order_by("code")[:limit] if can_manage_area(viewer, c)]


def first_root_area(*, viewer):
    """The first area the viewer's roles are bound to (where a page without a chosen
    place starts), or None for an org-bound role."""
    from jiceng.core.models import Area

    roots = scope_for(viewer).area_roots()
    return Area.objects.filter(path=roots[0]).first() if roots else None


def _use_rollup(viewer, area: Area | None, org: PartyOrg | None = None):
    """The rollup's state when its rows serve this node: an area the viewer sees whole
    (as appeals.selectors._use_rollup), once the rollup is built; None otherwise (an org
    node, a partly visible area, no rollup yet): then the members are counted."""
    if area is None or org is not None:
        return None
    if not scope_for(viewer).covers_subtree(Member, area.path):
        return None
    return rollup.state()


def member_register(
    *,
    viewer,
    area: Area | None = None,
    org: PartyOrg | None = None,
    status: str | None = None,
    category: str | None = None,
    q: str | None = None,
):
    """`member_list` for the register's pages (page and API), its total read from the
    composition rollup where that counts the same members (no search, an area or the
    viewer's one territory seen whole, at most one of status and category): counting two
    million members for the page count took 230 ms at the city. Otherwise the queryset."""
    members = member_list(viewer=viewer, area=area, org=org, status=status, category=category, q=q)
    path = area.path if area is not None else _territory(viewer)
    if q or path is None or org is not None or (status and category):
        return members
    if not scope_for(viewer).covers_subtree(Member, path) or rollup.state() is None:
        return members

    def total() -> int:
        key = "status" if status else "category"
        counts = rollup.counts_at(path, [key])[key]
        return counts.get(status or category, 0) if (status or category) else sum(counts.values())

    return Counted(members, total)


def _territory(viewer) -> str | None:
    """The path of the viewer's one area when it is everything the viewer sees of
    members: a single grant placed in the territory only (no org line, no own record)."""
    scope = scope_for(viewer)
    if scope.everything or len(scope.grants) != 1 or scope.roles & SELF_ROLES:
        return None
    grant = scope.grants[0]
    return None if grant.org_path else grant.area_path


def member_statistics(
    *, viewer, area: Area | None = None, org: PartyOrg | None = None, names=TABLE_NAMES
) -> list[Table]:
    """The standard composition tables (members.statistics) of the members in scope under
    an area or an org: from the rollup rows where they serve, else counted. The age and
    tenure tables come from the rows only while their bands are today's (members.rollup)."""
    state = _use_rollup(viewer, area, org)
    if state is None:
        members = member_list(viewer=viewer, area=area, org=org)
        if tuple(names) == TABLE_NAMES:
            return composition(members)
        return [composition_table(members, name) for name in names]
    today = timezone.localdate()
    dated = [n for n in names if n in rollup.DATED and state.bands_on != today]
    counts = rollup.counts_under(area, [n for n in names if n not in dated])
    tables = {name: table_from_counts(name, found) for name, found in counts.items()}
    if dated:
        members = member_list(viewer=viewer, area=area)
        tables |= {name: composition_table(members, name) for name in dated}
    return [tables[name] for name in names]


def member_count(*, viewer, area: Area, category: str | None = None) -> int:
    """Members in scope under an area (of one category): from the rollup where it serves."""
    if _use_rollup(viewer, area) is not None:
        return rollup.total_under(area, category=category)
    members = member_list(viewer=viewer, area=area)
    return members.filter(category=category).count() if category else members.count()


def member_count_by_child(*, viewer, area: Area, length: int) -> dict[str, int]:
    """Members per child of `area` ({child code: count}), one grouped query."""
    if _use_rollup(viewer, area) is not None:
        return rollup.total_by_child(area, length)
    from jiceng.dashboard.selectors import group_by_child

    return group_by_child(member_list(viewer=viewer, area=area), "org__area__path", area, length)


def member_composition(*, viewer, area: Area, name: str) -> dict:
    """One standard composition table (members.statistics.TABLE_NAMES) of the members in
    scope under an area, for the dashboard's charts: {"name", "title", "total", "rows":
    [{"key", "label", "count"}]}."""
    return member_compositions(viewer=viewer, area=area, names=(name,))[name]


def member_compositions(*, viewer, area: Area, names) -> dict[str, dict]:
    """Several composition tables, as `member_composition` gives each, from one read of
    the rollup: a page of charts reads its four tables at once (at the city, one table
    alone took 180 ms, four together 280 ms)."""
    return {
        table.name: {
            "name": table.name,
            "title": table.title,
            "total": table.total,
            "rows": [{"key": r.key, "label": r.label, "count": r.count} for r in table.rows],
        }
        for table in member_statistics(viewer=viewer, area=area, names=tuple(names))
    }


def member_development(*, orgs, since: datetime.date) -> dict[int, tuple[int, int]]:
    """{org id: (members now, members who joined on or after `since`)} for each org
    given, counting the members of its whole subtree. One grouped query."""
    from jiceng.orgs.models import PartyOrg

    if not orgs:
        return {}
    condition = Q(pk__in=[])
    for org in orgs:
        condition |= Q(path__startswith=org.path)
    rows = (
        Member.objects.filter(org__in=PartyOrg.objects.filter(condition))
        .values("org__path")
        .annotate(total=Count("id"), recent=Count("id", filter=Q(joined_on__gte=since)))
        .order_by()
    )
    result = {org.pk: (0, 0) for org in orgs}
    for row in rows:
        for org in orgs:
            if row["org__path"].startswith(org.path):
                total, recent = result[org.pk]
                result[org.pk] = (total + row["total"], recent + row["recent"])
    return result
