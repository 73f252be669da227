"""Registering and correcting members: validation, encryption, masking, audited reveal."""

import datetime

import pytest

from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.members import selectors, services
from jiceng.members.models import Member, MemberEvent, Membership
from tests.members.factories import facts, id_number


def register(t, org_key="xh_c1_b1", actor_key="xh_c1_secretary", **overrides):
    return services.member_register(
        actor=t.users[actor_key], org=t.orgs[org_key], facts=facts(**overrides)
    )


def test_register_encrypts_indexes_and_audits_masked(territory):
    number = id_number(datetime.date(1990, 3, 9), gender="female")
    member = register(territory, id_number=number, gender="", birth_date=None, name="李 娜")
    member.refresh_from_db()
    assert member.name == "李娜"
    assert member.gender == "female" and member.birth_date == datetime.date(1990, 3, 9)
    assert number not in member.id_number_encrypted
    assert "13812345678" not in member.phone_encrypted
    assert Membership.objects.get(member=member, ended_on__isnull=True).org == member.org
    assert member.events.filter(kind=MemberEvent.Kind.REGISTERED).count() == 1
    entry = AuditEntry.objects.filter(
        target_type="members.member", target_id=str(member.pk), action="create"
    ).get()
    text = str(entry.changes)
    assert number not in text and "13812345678" not in text
    assert number[:4] + "**********" + number[-4:] in text
    shown = selectors.member_display(member)
    assert shown.id_number == number[:4] + "*" * 10 + number[-4:]
    assert shown.phone == "138****5678"


def test_full_width_id_number_is_normalized(territory):
    number = id_number()
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    member = register(territory, id_number=full_width)
    assert (
        selectors.member_list(viewer=territory.users["xh_c1_secretary"], q=number).get() == member
    )


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": " "}, "name"),
        ({"id_number": "310104198506010010"}, "id_number"),
        ({"gender": "female"}, "gender"),
        ({"birth_date": datetime.date(1985, 6, 2)}, "birth_date"),
        ({"ethnicity": "火星族"}, "ethnicity"),
        ({"education": "phd"}, "education"),
        ({"status": "candidate"}, "status"),
        ({"category": "x"}, "category"),
        ({"joined_on": None}, "joined_on"),
        ({"joined_on": datetime.date(2000, 1, 1)}, "joined_on"),  # aged 14
        ({"full_on": None}, "full_on"),
        ({"full_on": datetime.date(2009, 1, 1)}, "full_on"),
        ({"status": "probationary"}, "full_on"),
        ({"phone": "1381234567"}, "phone"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(territory, overrides, field):
    before = (Member.objects.count(), AuditEntry.objects.count(), Membership.objects.count())
    with pytest.raises(ValidationFailed) as error:
        register(territory, **overrides)
    assert error.value.field == field
    assert str(error.value.message)
    after = (Member.objects.count(), AuditEntry.objects.count(), Membership.objects.count())
    assert after == before


def test_same_person_twice_is_refused(territory):
    number = id_number()
    register(territory, id_number=number)
    with pytest.raises(Conflict) as error:
        register(territory, id_number=number, org_key="xh_unit_org")
    assert error.value.field == "id_number"
    assert Member.objects.count() == 1


def test_member_cannot_sit_in_a_group(territory):
    with pytest.raises(ValidationFailed) as error:
        register(territory, org_key="xh_unit_group", actor_key="xh_admin")
    assert error.value.field == "org"


def test_registering_outside_scope_is_not_found(territory):
    with pytest.raises(NotFound):
        register(territory, org_key="hp_c1_b", actor_key="xh_admin")


def test_reveal_is_for_keepers_and_audited(territory):
    number = id_number()
    member = register(territory, id_number=number)
    secretary = territory.users["xh_c1_secretary"]
    assert services.member_reveal(actor=secretary, member=member, field="id_number") == number
    entry = AuditEntry.objects.filter(action="reveal").get()
    assert entry.actor == secretary and entry.changes == {"field": "id_number"}
    with pytest.raises(NotFound):
        services.member_reveal(actor=territory.users["hp_admin"], member=member, field="phone")
    with pytest.raises((NotFound, PermissionDenied)):
        services.member_reveal(actor=territory.users["xh_g1_worker"], member=member, field="phone")
    assert AuditEntry.objects.filter(action="reveal").count() == 1


def test_update_keeps_identity_fixed_and_audits_changes(territory):
    member = register(territory)
    actor = territory.users["xh_c1_secretary"]
    services.member_update(actor=actor, member=member, post="楼组长", phone="13900001111")
    member.refresh_from_db()
    assert member.post == "楼组长"
    assert selectors.member_display(member).phone == "139****1111"
    entry = AuditEntry.objects.filter(
        action="update", target_type="members.member", target_id=str(member.pk)
    ).get()
    assert set(entry.changes) == {"post", "phone"}
    assert "13900001111" not in str(entry.changes)
    with pytest.raises(ValidationFailed) as error:
        services.member_update(actor=actor, member=member, org=territory.orgs["xh_unit_org"])
    assert error.value.field == "org"


def test_community_secretary_sees_only_their_community(territory):
    register(territory)  # in xh_c1 (grid xh_g1)
    register(territory, org_key="hp_c1_b", actor_key="hp_s1_staff")
    users = territory.users
    assert selectors.member_list(viewer=users["xh_c1_secretary"]).count() == 1
    assert selectors.member_list(viewer=users["xh_c3_secretary"]).count() == 0
    assert selectors.member_list(viewer=users["hp_s1_staff"]).count() == 1
    assert selectors.member_list(viewer=users["city_admin"]).count() == 2
    for key in ("xh_g1_worker", "xh_resident", "xh_member", "nobody"):
        assert selectors.member_list(viewer=users[key]).count() == 0, key


def test_search_by_name_fragment_whole_id_number_or_whole_phone(territory):
    number = id_number()
    member = register(territory, id_number=number, name="欧阳明", phone="13912345678")
    viewer = territory.users["xh_c1_secretary"]
    for q in ("欧阳", number, number.lower(), "139 1234 5678"):
        assert list(selectors.member_list(viewer=viewer, q=q)) == [member], q
    for q in ("1391234567", number[:-1], "13912345679"):  # parts of numbers find nobody
        assert not selectors.member_list(viewer=viewer, q=q).exists(), q
