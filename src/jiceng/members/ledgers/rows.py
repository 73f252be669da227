"""The rows of the members app's ledgers: each reads the app's scoped selectors in a
fixed number of queries; ID numbers and phones are masked."""

import datetime

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from jiceng.core import crypto
from jiceng.core.ledgers import Subject
from jiceng.core.masking import mask_id_number, mask_phone
from jiceng.core.scope import scope_for
from jiceng.members.models import (
    DualReport,
    Member,
    MemberEvent,
    MobileInflow,
    MobileOutflow,
    ServiceRecord,
    Transfer,
)
from jiceng.members.selectors import (
    dual_report_list,
    inflow_list,
    member_list,
    outflow_list,
    transfer_list,
)
from jiceng.members.services.appraisal import APPRAISAL_GRADES
from jiceng.members.statistics import composition

APP = "members"
MEMBER_PLACE = {"area": "org__area", "org": "org"}
GENDER = dict(Member.Gender.choices)
STATUS = dict(Member.Status.choices)
CATEGORY = dict(Member.Category.choices)
EDUCATION = dict(Member.Education.choices)


def _members(viewer, subject: Subject):
    return subject.narrow(member_list(viewer=viewer), **MEMBER_PLACE)


def member_register(viewer, subject: Subject):
    for m in _members(viewer, subject).iterator(chunk_size=2000):
        yield (
            m.name,
            m.get_gender_display(),
            m.ethnicity,
            m.birth_date,
            mask_id_number(crypto.decrypt(m.id_number_encrypted)),
            mask_phone(crypto.decrypt(m.phone_encrypted)),
            m.get_education_display(),
            m.joined_on,
            m.full_on,
            m.get_status_display(),
            m.get_category_display(),
            m.org.name,
            m.work_unit_name,
            m.post,
            m.residence_community.name if m.residence_community_id else "",
        )


def probationary_members(viewer, subject: Subject):
    rows = (
        _members(viewer, subject)
        .filter(status=Member.Status.PROBATIONARY)
        .values_list("name", "gender", "education", "org__name", "joined_on")
    )
    for name, gender, education, org, joined in rows:
        due = _add_year(joined)
        yield (name, GENDER[gender], EDUCATION[education], org, joined, due)


def _add_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def members_by_org(viewer, subject: Subject):
    rows = (
        _members(viewer, subject)
        .values("org__name", "org__area__name", "org__path")
        .annotate(
            total=Count("id"),
            full=Count("id", filter=Q(status=Member.Status.FULL)),
            probationary=Count("id", filter=Q(status=Member.Status.PROBATIONARY)),
            female=Count("id", filter=Q(gender=Member.Gender.FEMALE)),
            in_service=Count("id", filter=Q(category=Member.Category.IN_SERVICE)),
            retired=Count("id", filter=Q(category=Member.Category.RETIRED)),
            mobile=Count("id", filter=Q(category=Member.Category.MOBILE)),
        )
        .order_by("org__path")
    )
    for r in rows:
        yield (
            r["org__name"],
            r["org__area__name"],
            r["total"],
            r["full"],
            r["probationary"],
            r["female"],
            r["in_service"],
            r["retired"],
            r["mobile"],
        )


def members_by_residence(viewer, subject: Subject):
    rows = (
        _members(viewer, subject)
        .exclude(residence_community=None)
        .values("residence_community__name", "residence_community__code")
        .annotate(
            total=Count("id"),
            retired=Count("id", filter=Q(category=Member.Category.RETIRED)),
            in_service=Count("id", filter=Q(category=Member.Category.IN_SERVICE)),
        )
        .order_by("residence_community__code")
    )
    for r in rows:
        yield (
            r["residence_community__name"],
            r["residence_community__code"],
            r["total"],
            r["in_service"],
            r["retired"],
        )


def _dated_members(viewer, subject: Subject, field: str):
    rows = (
        _members(viewer, subject)
        .filter(**subject.period.dates(field))
        .values_list("name", "gender", "education", "org__name", "joined_on", "full_on", "status")
        .order_by(field, "id")
    )
    for name, gender, education, org, joined, full, status in rows:
        yield (name, GENDER[gender], EDUCATION[education], org, joined, full, STATUS[status])


def members_joined(viewer, subject: Subject):
    return _dated_members(viewer, subject, "joined_on")


def members_made_full(viewer, subject: Subject):
    return _dated_members(viewer, subject, "full_on")


def member_composition(viewer, subject: Subject):
    for table in composition(_members(viewer, subject)):
        for row in table.rows:
            yield (str(table.title), str(row.label), row.count)
        yield (str(table.title), str(_("合计")), table.total)


def members_by_category(category: str):
    def rows(viewer, subject: Subject):
        found = (
            _members(viewer, subject)
            .filter(category=category)
            .values_list("name", "gender", "birth_date", "org__name", "work_unit_name", "post")
        )
        for name, gender, birth, org, unit, post in found:
            yield (name, GENDER[gender], birth, org, unit, post)

    return rows


TRANSFER_STATE = dict(Transfer.State.choices)


def _transfers(viewer, subject: Subject, side: str):
    transfers = subject.narrow(transfer_list(viewer=viewer), area=f"{side}__area", org=side).filter(
        **subject.period.times("started_at")
    )
    rows = transfers.values_list(
        "member__name",
        "from_org__name",
        "to_org__name",
        "reason",
        "started_at",
        "state",
        "decided_at",
        "return_reason",
    )
    for name, source, target, reason, started, state, decided, returned in rows:
        yield (name, source, target, reason, started, TRANSFER_STATE[state], decided, returned)


def transfers_out(viewer, subject: Subject):
    return _transfers(viewer, subject, "from_org")


def transfers_in(viewer, subject: Subject):
    return _transfers(viewer, subject, "to_org")


def transfers_pending(viewer, subject: Subject):
    rows = (
        subject.narrow(
            transfer_list(viewer=viewer, state=Transfer.State.PENDING),
            area=("from_org__area", "to_org__area"),
            org=("from_org", "to_org"),
        )
        .order_by("started_at", "id")
        .values_list("member__name", "from_org__name", "to_org__name", "reason", "started_at")
    )
    yield from rows


OUTFLOW_STATE = dict(MobileOutflow.State.choices)


def mobile_outflows(viewer, subject: Subject):
    rows = subject.narrow(
        outflow_list(viewer=viewer), area="home_org__area", org="home_org"
    ).filter(**subject.period.dates("left_on"))
    for o in rows:
        yield (
            o.member.name,
            o.home_org.name,
            o.certificate_number,
            o.destination,
            o.reason,
            o.left_on,
            o.expected_return_on,
            o.returned_on,
            OUTFLOW_STATE[o.state],
            _("已核实") if o.verified_inflows else _("未核实"),
        )


def mobile_away(viewer, subject: Subject):
    """Members away now: where, since when, and whether the destination verified them."""
    rows = subject.narrow(
        outflow_list(viewer=viewer, state=MobileOutflow.State.OUT),
        area="home_org__area",
        org="home_org",
    )
    for o in rows:
        yield (
            o.member.name,
            o.home_org.name,
            o.destination,
            o.left_on,
            o.expected_return_on,
            _("已核实") if o.verified_inflows else _("未核实"),
        )


INFLOW_STATE = dict(MobileInflow.State.choices)


def mobile_inflows(viewer, subject: Subject):
    rows = (
        subject.narrow(inflow_list(viewer=viewer), area="community")
        .filter(**subject.period.dates("registered_on"))
        .values_list(
            "name",
            "id_number_encrypted",
            "community__name",
            "certificate_number",
            "home_org_name",
            "registered_on",
            "state",
            "verify_note",
        )
    )
    for name, number, community, certificate, home, registered, state, note in rows:
        yield (
            name,
            mask_id_number(crypto.decrypt(number)),
            community,
            certificate,
            home,
            registered,
            INFLOW_STATE[state],
            note,
        )


def _reports(viewer, subject: Subject, kind: str):
    return subject.narrow(
        dual_report_list(viewer=viewer, kind=kind),
        area=("community", "unit_org__area", "member__org__area"),
        org=("unit_org", "member__org"),
    )


def dual_report_units(viewer, subject: Subject):
    for r in _reports(viewer, subject, DualReport.Kind.UNIT_ORG):
        yield (
            r.unit_org.name,
            r.community.name,
            r.reported_on,
            r.service_post,
            r.service_count,
            r.total_hours or 0,
        )


def dual_report_members(viewer, subject: Subject):
    for r in _reports(viewer, subject, DualReport.Kind.MEMBER):
        yield (
            r.member.name,
            r.member.org.name,
            r.community.name,
            r.reported_on,
            r.service_post,
            r.service_count,
            r.total_hours or 0,
        )


def _services(viewer, subject: Subject):
    records = scope_for(viewer).filter(ServiceRecord.objects.all())
    return subject.narrow(
        records,
        area=("report__community", "report__unit_org__area", "report__member__org__area"),
        org=("report__unit_org", "report__member__org"),
    ).filter(**subject.period.dates("served_on"))


def service_records(viewer, subject: Subject):
    rows = (
        _services(viewer, subject)
        .order_by("served_on", "id")
        .values_list(
            "served_on",
            "report__kind",
            "report__member__name",
            "report__unit_org__name",
            "report__community__name",
            "task",
            "hours",
        )
    )
    kinds = dict(DualReport.Kind.choices)
    for served, kind, member, unit_org, community, task, hours in rows:
        yield (served, kinds[kind], member or unit_org, community, task, hours)


def service_by_org(viewer, subject: Subject):
    """双报告: each org's members' service in the communities where they reported."""
    rows = (
        _services(viewer, subject)
        .filter(report__kind=DualReport.Kind.MEMBER)
        .values("report__member__org__name", "report__member__org__path")
        .annotate(
            members=Count("report__member", distinct=True),
            services=Count("id"),
            hours=Sum("hours"),
        )
        .order_by("report__member__org__path")
    )
    for r in rows:
        yield (r["report__member__org__name"], r["members"], r["services"], r["hours"] or 0)


def _events(viewer, subject: Subject):
    events = scope_for(viewer).filter(MemberEvent.objects.all())
    return subject.narrow(events, area="member__org__area", org="member__org").filter(
        **subject.period.times("at")
    )


def member_appraisals(viewer, subject: Subject):
    rows = (
        _events(viewer, subject)
        .filter(kind=MemberEvent.Kind.APPRAISED)
        .order_by("member__org__path", "member__name", "id")
        .values_list("member__name", "member__org__name", "data", "at")
    )
    for name, org, data, at in rows:
        data = data or {}
        grade = APPRAISAL_GRADES.get(data.get("grade", ""), data.get("grade", ""))
        yield (name, org, data.get("year"), grade, at)


def member_record_changes(viewer, subject: Subject):
    kinds = dict(MemberEvent.Kind.choices)
    rows = (
        _events(viewer, subject)
        .order_by("at", "id")
        .values_list("at", "member__name", "member__org__name", "kind", "note")
    )
    for at, name, org, kind, note in rows:
        yield (at, name, org, kinds.get(kind, kind), note)
