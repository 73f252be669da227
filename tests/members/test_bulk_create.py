"""`member_bulk_create`: many people in many orgs, with the rules of one registration."""

import datetime

import pytest

from jiceng.core import crypto
from jiceng.core.errors import Conflict, NotFound, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.members import selectors, services
from jiceng.members.models import Member, MemberEvent, Membership
from jiceng.members.services import MemberRow, member_bulk_create
from tests.members.factories import facts, id_number


def rows(t, count=3, **overrides):
    """`count` people in xh_c1's branch and the unit org, living in xh_c1."""
    orgs = [t.orgs["xh_c1_b1"], t.orgs["xh_unit_org"]]
    return [
        MemberRow(
            facts=facts(**overrides),
            org=orgs[n % 2],
            residence_community=t.areas["xh_c1"],
            work_unit=t.units["xh_own"] if n % 2 else None,
        )
        for n in range(count)
    ]


def nothing_written(before: tuple[int, int, int, int]) -> bool:
    return before == snapshot()


def snapshot() -> tuple[int, int, int, int]:
    return (
        Member.objects.count(),
        Membership.objects.count(),
        MemberEvent.objects.count(),
        AuditEntry.objects.count(),
    )


def test_writes_members_memberships_events_and_one_audit_entry(territory):
    t = territory
    batch = rows(t, 4)
    audit_before = AuditEntry.objects.count()
    assert member_bulk_create(actor=t.users["xh_s1_staff"], rows=batch, note="导入") == 4
    assert AuditEntry.objects.count() == audit_before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "bulk_create" and entry.target_type == "members.member"
    assert entry.actor == t.users["xh_s1_staff"]
    assert entry.changes["count"] == 4 and entry.changes["orgs"] == 2
    text = str(entry.changes)
    for row in batch:
        assert row.facts.id_number not in text
        member = Member.objects.get(id_number_index=services.id_number_index(row.facts.id_number))
        assert member.org == row.org and member.residence_community == t.areas["xh_c1"]
        assert row.facts.id_number not in member.id_number_encrypted
        assert crypto.decrypt(member.id_number_encrypted) == row.facts.id_number
        assert crypto.decrypt(member.phone_encrypted) == "13812345678"
        assert member.gender == "male" and member.birth_date == datetime.date(1985, 6, 1)
        assert Membership.objects.get(member=member, ended_on__isnull=True).org == row.org
        event = member.events.get()
        assert event.kind == "registered" and event.data["org"] == row.org.pk
        assert event.actor == t.users["xh_s1_staff"] and event.note == "导入"
    unit_member = Member.objects.get(
        id_number_index=services.id_number_index(batch[1].facts.id_number)
    )
    assert unit_member.work_unit == t.units["xh_own"]
    assert unit_member.work_unit_name == t.units["xh_own"].name
    # The blind index finds a full number, as after a single registration.
    found = selectors.member_list(viewer=t.users["xh_s1_staff"], q=batch[0].facts.id_number)
    assert found.get().name == "张伟"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "310104198506010011"}, "id_number"),  # wrong check character
        ({"gender": "female"}, "gender"),  # the number says male
        ({"joined_on": datetime.date(2001, 1, 1)}, "joined_on"),  # aged 15
        ({"status": "full", "full_on": None}, "full_on"),
        ({"ethnicity": "火星族"}, "ethnicity"),
        ({"phone": "12345"}, "phone"),
    ],
)
def test_a_bad_row_is_refused_with_its_number_and_nothing_is_written(territory, overrides, field):
    batch = rows(territory, 3)
    batch[1] = MemberRow(facts=facts(**overrides), org=territory.orgs["xh_c1_b1"])
    before = snapshot()
    with pytest.raises(ValidationFailed) as error:
        member_bulk_create(actor=None, rows=batch)
    assert error.value.field == field
    assert str(error.value.message).startswith("第 2 行：")
    assert nothing_written(before)


def test_one_person_twice_or_already_registered_is_refused(territory):
    t = territory
    number = id_number()
    twice = [*rows(t, 2), MemberRow(facts=facts(id_number=number), org=t.orgs["xh_c1_b1"])]
    twice.append(MemberRow(facts=facts(id_number=number), org=t.orgs["xh_unit_org"]))
    before = snapshot()
    with pytest.raises(Conflict) as error:
        member_bulk_create(actor=None, rows=twice)
    assert str(error.value.message) == "第 4 行：与第 3 行的身份证号重复"
    assert nothing_written(before)

    services.member_register(actor=None, org=t.orgs["xh_c1_b1"], facts=facts(id_number=number))
    again = [*rows(t, 2), MemberRow(facts=facts(id_number=number), org=t.orgs["xh_unit_org"])]
    before = snapshot()
    with pytest.raises(Conflict) as error:
        member_bulk_create(actor=None, rows=again)
    assert str(error.value.message) == f"第 3 行：{services.MSG_ID_TAKEN}"
    assert nothing_written(before)


def test_orgs_and_residences_are_checked(territory):
    t = territory
    before = snapshot()
    group = [*rows(t, 1), MemberRow(facts=facts(), org=t.orgs["xh_unit_group"])]
    with pytest.raises(ValidationFailed) as error:
        member_bulk_create(actor=None, rows=group)
    assert error.value.field == "org"
    grid_home = [
        *rows(t, 1),
        MemberRow(facts=facts(), org=t.orgs["xh_c1_b1"], residence_community=t.areas["xh_g1"]),
    ]
    with pytest.raises(ValidationFailed) as error:
        member_bulk_create(actor=None, rows=grid_home)
    assert error.value.field == "residence_community"
    assert nothing_written(before)


def test_only_orgs_the_actor_manages(territory):
    t = territory
    other = [*rows(t, 2), MemberRow(facts=facts(), org=t.orgs["hp_c1_b"])]
    before = snapshot()
    with pytest.raises(NotFound):  # another district's org is not even visible
        member_bulk_create(actor=t.users["xh_s1_staff"], rows=other)
    above = [MemberRow(facts=facts(), org=t.orgs["xh_s1_wc"])]
    with pytest.raises(NotFound):  # above the community: as for a single registration
        member_bulk_create(actor=t.users["xh_c1_secretary"], rows=above)
    with pytest.raises(NotFound):
        services.member_register(
            actor=t.users["xh_c1_secretary"], org=t.orgs["xh_s1_wc"], facts=facts()
        )
    assert nothing_written(before)
    assert member_bulk_create(actor=t.users["xh_c1_secretary"], rows=rows(t, 2)[:1]) == 1


def test_nothing_to_do_writes_nothing(territory):
    before = snapshot()
    assert member_bulk_create(actor=None, rows=[]) == 0
    assert nothing_written(before)
