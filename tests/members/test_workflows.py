"""Transfers, mobile members and dual reporting: every path and each refusal."""

import datetime

import pytest
from django.utils import timezone

from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.outcomes import Period, outcome
from jiceng.members import selectors, services
from jiceng.members.models import Member, MobileInflow, Transfer
from tests.members.factories import facts, id_number


@pytest.fixture
def member(territory):
    return services.member_register(
        actor=territory.users["xh_c1_secretary"], org=territory.orgs["xh_c1_b1"], facts=facts()
    )


def test_transfer_across_districts_changes_org_only_on_acceptance(territory, member):
    users, orgs = territory.users, territory.orgs
    transfer = services.transfer_start(
        actor=users["xh_c1_secretary"], member=member, to_org=orgs["hp_c1_b"], reason="迁居黄浦"
    )
    member.refresh_from_db()
    assert member.org == orgs["xh_c1_b1"]
    # Both sides see the pending transfer; the member stays with the sender meanwhile.
    assert list(selectors.transfer_list(viewer=users["xh_c1_secretary"])) == [transfer]
    assert list(selectors.transfer_list(viewer=users["hp_s1_staff"], direction="incoming")) == [
        transfer
    ]
    assert not selectors.transfer_list(viewer=users["hp_s1_staff"], direction="outgoing")
    for outsider in ("xh_c3_secretary", "xh_g1_worker", "xh_resident", "nobody"):
        assert not selectors.transfer_list(viewer=users[outsider]).exists(), outsider
    # The receiver cannot see the member's record itself before acceptance.
    assert not selectors.member_list(viewer=users["hp_s1_staff"]).exists()
    # The sender may not accept on the receiver's behalf.
    with pytest.raises(PermissionDenied):
        services.transfer_accept(actor=users["xh_c1_secretary"], transfer=transfer)

    services.transfer_accept(actor=users["hp_s1_staff"], transfer=transfer)
    member.refresh_from_db()
    assert member.org == orgs["hp_c1_b"]
    assert [m.org_id for m in member.memberships.order_by("id")] == [
        orgs["xh_c1_b1"].pk,
        orgs["hp_c1_b"].pk,
    ]
    assert member.memberships.filter(ended_on__isnull=True).count() == 1
    assert selectors.member_list(viewer=users["hp_s1_staff"]).get() == member
    assert not selectors.member_list(viewer=users["xh_c1_secretary"]).exists()
    with pytest.raises(Conflict):
        services.transfer_accept(actor=users["hp_s1_staff"], transfer=transfer)


def test_transfer_returned_with_reason_keeps_the_member(territory, member):
    users, orgs = territory.users, territory.orgs
    transfer = services.transfer_start(
        actor=users["xh_c1_secretary"], member=member, to_org=orgs["hp_c1_b"], reason="迁居"
    )
    with pytest.raises(ValidationFailed) as error:
        services.transfer_return(actor=users["hp_s1_staff"], transfer=transfer, reason=" ")
    assert error.value.field == "return_reason"
    services.transfer_return(actor=users["hp_s1_staff"], transfer=transfer, reason="材料不全")
    transfer.refresh_from_db()
    member.refresh_from_db()
    assert transfer.state == Transfer.State.RETURNED and transfer.return_reason == "材料不全"
    assert member.org == orgs["xh_c1_b1"]
    # A new transfer may start once the old one is decided.
    services.transfer_start(
        actor=users["xh_c1_secretary"], member=member, to_org=orgs["hp_c1_b"], reason="补齐材料"
    )


def test_transfer_refusals(territory, member):
    users, orgs = territory.users, territory.orgs
    actor = users["xh_c1_secretary"]
    with pytest.raises(ValidationFailed) as error:
        services.transfer_start(actor=actor, member=member, to_org=orgs["xh_c1_b1"], reason="x")
    assert error.value.field == "to_org"
    with pytest.raises(ValidationFailed):
        services.transfer_start(actor=actor, member=member, to_org=orgs["hp_c1_b"], reason="")
    services.transfer_start(actor=actor, member=member, to_org=orgs["hp_c1_b"], reason="x")
    with pytest.raises(Conflict):
        services.transfer_start(actor=actor, member=member, to_org=orgs["xh_unit_org"], reason="y")
    with pytest.raises(NotFound):
        services.transfer_start(
            actor=users["hp_s1_staff"], member=member, to_org=orgs["hp_c1_b"], reason="z"
        )
    transfer = Transfer.objects.get()
    services.transfer_cancel(actor=actor, transfer=transfer)
    with pytest.raises(Conflict):
        services.transfer_return(actor=users["hp_s1_staff"], transfer=transfer, reason="迟了")


def test_mobile_member_register_on_arrival_verify_every_registration(territory, member):
    users = territory.users
    number = services.member_reveal(actor=users["xh_admin"], member=member, field="id_number")
    # Arrival registered before the home org's outflow record exists: stays pending.
    inflow = services.inflow_register(
        actor=users["hp_s1_staff"],
        community=territory.areas["hp_c1"],
        name=member.name,
        id_number=number,
        certificate_number="hd-2026-001",
        home_org_name="复兴西路社区第一党支部",
    )
    assert inflow.state == MobileInflow.State.PENDING and inflow.verify_note
    ledger = selectors.mobile_ledger(viewer=users["hp_s1_staff"])
    assert ledger.inflow_pending == 1 and ledger.inflow_verified == 0

    today = timezone.localdate()
    outflow = services.outflow_register(
        actor=users["xh_c1_secretary"],
        member=member,
        certificate_number="HD-2026-001",
        destination="黄浦区南京东路街道",
        left_on=today - datetime.timedelta(days=20),
        expected_return_on=today - datetime.timedelta(days=1),
    )
    inflow.refresh_from_db()
    member.refresh_from_db()
    assert inflow.state == MobileInflow.State.VERIFIED and inflow.outflow == outflow
    assert member.category == Member.Category.MOBILE
    home = selectors.mobile_ledger(viewer=users["xh_c1_secretary"])
    assert home.out == 1 and home.out_overdue == 1 and home.out_unregistered == 0

    services.outflow_return(actor=users["xh_c1_secretary"], outflow=outflow, returned_on=today)
    inflow.refresh_from_db()
    assert inflow.state == MobileInflow.State.CLOSED
    assert selectors.mobile_ledger(viewer=users["xh_c1_secretary"]).out == 0
    with pytest.raises(Conflict):
        services.outflow_return(actor=users["xh_c1_secretary"], outflow=outflow, returned_on=today)


def test_inflow_with_wrong_certificate_is_rejected(territory, member):
    users = territory.users
    number = services.member_reveal(actor=users["xh_admin"], member=member, field="id_number")
    services.outflow_register(
        actor=users["xh_c1_secretary"],
        member=member,
        certificate_number="A1",
        destination="外省",
        left_on=timezone.localdate(),
    )
    inflow = services.inflow_register(
        actor=users["hp_s1_staff"],
        community=territory.areas["hp_c1"],
        name=member.name,
        id_number=number,
        certificate_number="B2",
        home_org_name="?",
    )
    assert inflow.state == MobileInflow.State.REJECTED
    # The inflow registration belongs to the destination; the home side does not see it.
    assert not selectors.inflow_list(viewer=users["xh_c1_secretary"]).exists()
    with pytest.raises(ValidationFailed) as error:
        services.inflow_register(
            actor=users["hp_s1_staff"],
            community=territory.areas["hp_c1"],
            name="王五",
            id_number="123",
            certificate_number="C3",
            home_org_name="",
        )
    assert error.value.field == "id_number"


def test_dual_reporting_and_report_back(territory):
    users, orgs, areas = territory.users, territory.orgs, territory.areas
    worker = services.member_register(
        actor=users["xh_unit_secretary"],
        org=orgs["xh_unit_org"],
        facts=facts(name="赵敏", id_number=id_number(gender="female"), gender=""),
        residence_community=areas["xh_c3"],
    )
    report = services.dual_report_member(actor=users["xh_unit_secretary"], member=worker)
    assert report.community == areas["xh_c3"]
    with pytest.raises(Conflict):
        services.dual_report_member(actor=users["xh_unit_secretary"], member=worker)
    unit_report = services.dual_report_unit_org(
        actor=users["xh_unit_secretary"], unit_org=orgs["xh_unit_org"], community=areas["xh_c1"]
    )
    # The community of residence assigns the post and records service hours.
    c3 = users["xh_c3_secretary"]
    services.dual_report_assign_post(actor=c3, report=report, service_post="楼道环境监督岗")
    day = timezone.localdate() - datetime.timedelta(days=2)
    # The outcome counts the members reported (not the unit org) with service in the
    # period: none served yet, then one of one.
    served = outcome("members.dual_service")
    period = Period(day, timezone.localdate() + datetime.timedelta(days=1), "")
    before = served.measure(areas["xh"], period)
    assert (before.numerator, before.denominator) == (0, 1)
    services.service_record_add(
        actor=c3, report=report, task="垃圾分类值守", served_on=day, hours=2
    )
    after = served.measure(areas["xh_c3"], period)
    assert (after.numerator, after.denominator) == (1, 1)
    services.service_record_add(
        actor=c3, report=report, task="助老配餐", served_on=day, hours="1.5"
    )
    services.service_record_add(
        actor=users["xh_c1_secretary"], report=unit_report, task="社区义诊", served_on=day, hours=4
    )
    with pytest.raises(ValidationFailed) as error:
        services.service_record_add(actor=c3, report=report, task="x", served_on=day, hours=30)
    assert error.value.field == "hours"
    with pytest.raises((NotFound, PermissionDenied)):
        services.service_record_add(
            actor=users["xh_unit_secretary"], report=report, task="自报", served_on=day, hours=1
        )

    back = selectors.report_back(viewer=users["xh_unit_secretary"], org=orgs["xh_unit_org"])
    assert [(r.name, r.services, float(r.hours)) for r in back.rows] == [("赵敏", 2, 3.5)]
    assert back.org_services == 1 and float(back.org_hours) == 4.0
    # The community sees the reports made to it, not the member's whole record.
    assert selectors.dual_report_list(viewer=c3).get() == report
    assert not selectors.member_list(viewer=c3).exists()


def test_dual_page_shows_report_back_to_the_unit_org_only(client, territory):
    """双报告 is the unit org's: its secretary's page shows it; a district's page, which
    sees the same service records, lists the reports but no org's report-back."""
    test_dual_reporting_and_report_back(territory)
    heading = f"{territory.orgs['xh_unit_org'].name} · 双报告"
    client.force_login(territory.users["xh_unit_secretary"])
    page = client.get("/members/dual/").content.decode()
    assert heading in page and "赵敏" in page
    client.force_login(territory.users["xh_admin"])
    page = client.get("/members/dual/").content.decode()
    assert "双报告</h2>" not in page and "楼道环境监督岗" in page


def test_only_in_service_members_report(territory):
    users, orgs = territory.users, territory.orgs
    retired = services.member_register(
        actor=users["xh_c1_secretary"],
        org=orgs["xh_c1_b1"],
        facts=facts(category="retired"),
        residence_community=territory.areas["xh_c1"],
    )
    with pytest.raises(ValidationFailed) as error:
        services.dual_report_member(actor=users["xh_c1_secretary"], member=retired)
    assert error.value.field == "member"
