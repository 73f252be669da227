"""Needs and resources: recording, conversion of an appeal, validation and access."""

import pytest

from jiceng.appeals import services as appeal_services
from jiceng.appeals.models import AppealEvent, Category
from jiceng.cobuild import selectors, services
from jiceng.cobuild.models import Need, Resource
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.members import services as member_services
from tests.cobuild.conftest import days
from tests.members.factories import facts as member_facts


def audits(obj) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            target_type=obj._meta.label_lower, target_id=str(obj.pk)
        ).values_list("action", flat=True)
    )


def test_staff_record_a_need_with_an_audit_entry(world):
    need = world.need(place="复兴西路12弄", beneficiaries=8, contact_name="王阿姨")
    assert need.status == Need.Status.OPEN and need.source == Need.Source.STAFF
    assert need.community == world.t.areas["xh_c1"]
    assert need.beneficiaries == 8
    assert audits(need) == ["create"]
    listed = selectors.need_list(viewer=world.t.users["xh_s1_staff"])
    assert list(listed) == [need]


def test_resident_files_a_need_without_an_account_or_in_their_own_community(world):
    t = world.t
    anonymous = services.need_create(
        actor=None,
        source=Need.Source.RESIDENT,
        facts=services.NeedFacts(
            title="楼道灯坏了想请志愿者帮忙",
            category="volunteers",
            community=t.areas["xh_c1"],
            window_start=days(0),
            window_end=days(3),
        ),
    )
    assert anonymous.source == "resident" and anonymous.created_by is None
    own = services.need_create(
        actor=t.users["xh_resident"],
        source=Need.Source.RESIDENT,
        facts=services.NeedFacts(
            title="需要法律咨询",
            category="legal",
            community=t.areas["xh_c1"],
            window_start=days(0),
            window_end=days(3),
        ),
    )
    assert own.created_by == t.users["xh_resident"]
    # Not in another community, and never as staff.
    with pytest.raises(NotFound):
        services.need_create(
            actor=t.users["xh_resident"],
            source=Need.Source.RESIDENT,
            facts=services.NeedFacts(
                title="x",
                category="legal",
                community=t.areas["hp_c1"],
                window_start=days(0),
                window_end=days(1),
            ),
        )
    with pytest.raises(PermissionDenied):
        world.need(actor="xh_resident")


@pytest.mark.parametrize(
    "field, overrides",
    [
        ("title", {"title": "  "}),
        ("category", {"category": "cooking"}),
        ("community", {"community": "xh_s1"}),
        ("window_end", {"start": 5, "end": 4}),
        ("beneficiaries", {"beneficiaries": 0}),
        ("beneficiaries", {"beneficiaries": "很多"}),
        ("description", {"description": "长" * 2001}),
    ],
)
def test_bad_need_names_the_field_and_writes_nothing(world, field, overrides):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as error:
        world.need(**overrides)
    assert error.value.field == field
    assert Need.objects.count() == 0 and AuditEntry.objects.count() == before


def test_need_access_out_of_scope_is_not_found(world):
    t = world.t
    with pytest.raises(NotFound):
        world.need(actor="hp_s1_staff")
    with pytest.raises(NotFound):
        world.need(actor="xh_c3_secretary")
    with pytest.raises(NotFound):
        world.need(actor="xh_unit_secretary")
    need = world.need()
    with pytest.raises(NotFound):
        services.need_close(actor=t.users["hp_s1_staff"], need=need, reason="重复")
    services.need_close(actor=t.users["xh_s1_staff"], need=need, reason="已由物业解决")
    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED and need.closed_reason == "已由物业解决"
    with pytest.raises(Conflict):
        services.need_close(actor=t.users["xh_s1_staff"], need=need, reason="再次")
    assert audits(need) == ["close", "create"]


def _appeal(t, code: str):
    from jiceng.appeals.services import Intake

    return appeal_services.appeal_intake(
        actor=None,
        intake=Intake(
            channel="resident",
            category=Category.objects.get(code=code),
            area=t.areas["xh_g1"],
            description="楼里两位独居老人希望有人帮忙送餐",
            address="复兴西路12弄3号",
            contact_name="李先生",
        ),
    )[0]


def test_appeal_converted_to_need_keeps_its_history(world):
    t = world.t
    appeal = _appeal(t, "elderly-service")
    need = services.need_from_appeal(actor=t.users["xh_c1_secretary"], appeal=appeal)
    assert need.source == Need.Source.APPEAL and need.appeal == appeal
    assert need.category == "elderly_care"
    assert need.community == t.areas["xh_c1"]
    assert need.place == "复兴西路12弄3号" and need.description == appeal.description
    assert need.contact_name == "李先生"
    history = selectors.need_history(viewer=t.users["xh_c1_secretary"], need=need)
    assert [e.action for e in history] == ["receive", "to_need"]
    event = AppealEvent.objects.get(appeal=appeal, action="to_need")
    assert event.is_public and event.data == {"need": need.pk}
    appeal.refresh_from_db()
    assert appeal.state == "received"  # the appeals workflow still owns the case
    with pytest.raises(Conflict) as error:
        services.need_from_appeal(actor=t.users["xh_c1_secretary"], appeal=appeal)
    assert error.value.field == "appeal"


def test_appeal_without_a_matching_need_category_asks_for_one(world):
    t = world.t
    appeal = _appeal(t, "parking")
    with pytest.raises(ValidationFailed) as error:
        services.need_from_appeal(actor=t.users["xh_c1_secretary"], appeal=appeal)
    assert error.value.field == "category"
    assert not Need.objects.exists()
    assert not AppealEvent.objects.filter(action="to_need").exists()
    need = services.need_from_appeal(
        actor=t.users["xh_c1_secretary"], appeal=appeal, category="venue"
    )
    assert need.category == "venue"
    with pytest.raises(NotFound):
        services.need_from_appeal(
            actor=t.users["hp_s1_staff"], appeal=_appeal(t, "elderly-service")
        )


def test_unit_org_offers_a_resource_and_sees_it(world):
    t = world.t
    resource = world.resource(actor="xh_unit_secretary", capacity=3)
    assert resource.offered_by_org == t.orgs["xh_unit_org"] and resource.is_active
    assert audits(resource) == ["create"]
    mine = selectors.resource_list(viewer=t.users["xh_unit_secretary"])
    assert [(r, r.used) for r in mine] == [(resource, 0)]
    assert list(selectors.resource_list(viewer=t.users["xh_c1_secretary"])) == [resource]
    assert not selectors.resource_list(viewer=t.users["hp_s1_staff"]).exists()
    # Another org's secretary (or nobody) may not offer in this org's name.
    with pytest.raises(NotFound):
        world.resource(org="hp_c1_b", actor="xh_unit_secretary")
    services.resource_withdraw(actor=t.users["xh_unit_secretary"], resource=resource)
    resource.refresh_from_db()
    assert not resource.is_active
    with pytest.raises(Conflict):
        services.resource_withdraw(actor=t.users["xh_unit_secretary"], resource=resource)


def test_in_service_member_offers_through_their_dual_report(world):
    t = world.t
    member = member_services.member_register(
        actor=None, org=t.orgs["xh_unit_org"], facts=member_facts(name="周律师")
    )
    report = member_services.dual_report_member(
        actor=None, member=member, community=t.areas["xh_c3"]
    )
    resource = services.resource_offer(
        actor=t.users["xh_c3_secretary"],
        dual_report=report,
        facts=services.ResourceFacts(
            title="每月一次免费法律咨询",
            kind="skilled_volunteers",
            category="legal",
            available_from=days(0),
            available_until=days(90),
            capacity=2,
        ),
    )
    assert resource.area == t.areas["xh_c3"]  # where the member reported
    assert resource.dual_report == report and resource.offered_by_org is None
    # The member's org sees the resource up its affiliation line.
    assert list(selectors.resource_list(viewer=t.users["xh_unit_secretary"])) == [resource]


@pytest.mark.parametrize(
    "field, overrides",
    [
        ("title", {"title": ""}),
        ("kind", {"kind": "love"}),
        ("category", {"category": "x"}),
        ("available_until", {"start": 10, "end": 2}),
        ("available_until", {"start": 0, "end": 2000}),
        ("capacity", {"capacity": 0}),
        ("capacity", {"capacity": 2.5}),
        ("area", {"area": "city"}),
    ],
)
def test_bad_resource_names_the_field_and_writes_nothing(world, field, overrides):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as error:
        world.resource(**overrides)
    assert error.value.field == field
    assert not Resource.objects.exists() and AuditEntry.objects.count() == before


def test_resource_needs_exactly_one_provider(world):
    facts = services.ResourceFacts(
        title="场地",
        kind="venue",
        category="venue",
        available_from=days(0),
        available_until=days(1),
        area=world.t.areas["xh_c1"],
    )
    with pytest.raises(ValidationFailed) as error:
        services.resource_offer(actor=None, facts=facts)
    assert error.value.field == "offered_by_org"


def test_only_a_members_open_dual_report_offers(world):
    t = world.t
    unit_report = member_services.dual_report_unit_org(
        actor=None, unit_org=t.orgs["xh_unit_org"], community=t.areas["xh_c1"]
    )
    facts = services.ResourceFacts(
        title="场地",
        kind="venue",
        category="venue",
        available_from=days(0),
        available_until=days(1),
    )
    with pytest.raises(ValidationFailed) as error:
        services.resource_offer(actor=None, facts=facts, dual_report=unit_report)
    assert error.value.field == "dual_report"
    member = member_services.member_register(
        actor=None, org=t.orgs["xh_unit_org"], facts=member_facts(name="陈医生")
    )
    report = member_services.dual_report_member(
        actor=None, member=member, community=t.areas["xh_c1"]
    )
    member_services.dual_report_end(actor=None, report=report)
    with pytest.raises(ValidationFailed) as error:
        services.resource_offer(actor=None, facts=facts, dual_report=report)
    assert error.value.field == "dual_report"
    assert not Resource.objects.exists()
