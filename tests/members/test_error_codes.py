"""Each members refusal carries its own stable code (MemberErrorCode), which the API
returns in its error shape: a client tells refusals apart without reading the message."""

import datetime
import json

import pytest

from jiceng.core import crypto
from jiceng.core.errors import ApplicationError
from jiceng.members import services
from jiceng.members.errors import MemberErrorCode as Code
from jiceng.members.models import Member
from tests.members.factories import facts, id_number


def _post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def refused(call) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value


def test_codes_are_distinct_and_name_their_app():
    values = [code.value for code in Code]
    assert len(values) == len(set(values))
    kept = {Code.EXPORT_NOT_READY}  # the code it had before
    assert all(code.value.startswith("member_") for code in Code if code not in kept)


@pytest.fixture
def member(territory) -> Member:
    return services.member_register(
        actor=None, org=territory.orgs["xh_c1_b1"], facts=facts(phone="13812345678")
    )


def test_registration_refusals(territory, member):
    org = territory.orgs["xh_c1_b1"]

    def register(**overrides):
        return lambda: services.member_register(actor=None, org=org, facts=facts(**overrides))

    error = refused(register(full_on=None))
    assert (error.code, error.field) == (Code.FULL_REQUIRED, "full_on")
    error = refused(register(status="probationary"))
    assert (error.code, error.field) == (Code.PROBATIONARY_FULL_ON, "full_on")
    error = refused(register(joined_on=datetime.date(2000, 1, 1)))
    assert (error.code, error.field) == (Code.JOINED_UNDER_18, "joined_on")
    error = refused(register(education="nope"))
    assert (error.code, error.field) == (Code.BAD_EDUCATION, "education")
    number = crypto.decrypt(member.id_number_encrypted)
    error = refused(register(id_number=number))
    assert (error.code, error.status) == (Code.ID_TAKEN, 409)
    error = refused(lambda: services.member_update(actor=None, member=member, gender="female"))
    assert (error.code, error.field) == (Code.FIELD_LOCKED, "gender")


def test_workflow_refusals(territory, member):
    error = refused(
        lambda: services.transfer_start(
            actor=None, member=member, to_org=territory.orgs["xh_c1_b1"], reason="搬家"
        )
    )
    assert (error.code, error.field) == (Code.TRANSFER_SAME_ORG, "to_org")
    services.transfer_start(
        actor=None, member=member, to_org=territory.orgs["hp_c1_b"], reason="搬家"
    )
    error = refused(
        lambda: services.transfer_start(
            actor=None, member=member, to_org=territory.orgs["hp_c1_b"], reason="再转"
        )
    )
    assert (error.code, error.status) == (Code.TRANSFER_PENDING, 409)
    left = datetime.date.today() - datetime.timedelta(days=10)
    outflow = services.outflow_register(
        actor=None, member=member, certificate_number="LD1", destination="苏州", left_on=left
    )
    error = refused(
        lambda: services.outflow_return(
            actor=None, outflow=outflow, returned_on=left - datetime.timedelta(days=1)
        )
    )
    assert (error.code, error.field) == (Code.RETURN_BEFORE_LEFT, "returned_on")
    error = refused(
        lambda: services.dual_report_member(
            actor=None, member=member, community=territory.areas["xh_c1"]
        )
    )  # a mobile member now, not in service
    assert (error.code, error.field) == (Code.REPORT_NOT_IN_SERVICE, "member")


def test_the_api_answers_with_the_code(client, territory, member):
    client.force_login(territory.users["xh_c1_secretary"])
    body = {
        "org": territory.orgs["xh_c1_b1"].pk,
        "name": "刘洋",
        "id_number": id_number(datetime.date(1985, 6, 1)),
        "ethnicity": "汉族",
        "education": "bachelor",
        "joined_on": "2010-07-01",
        "status": "full",
        "category": "in_service",
    }
    missing = _post(client, "/api/members", body)
    assert missing.status_code == 400
    assert missing.json()["code"] == Code.FULL_REQUIRED == "member_full_required"
    assert missing.json()["field"] == "full_on"
    same = _post(
        client,
        "/api/members/transfers",
        {"member": member.pk, "to_org": territory.orgs["xh_c1_b1"].pk, "reason": "搬家"},
    )
    assert same.status_code == 400 and same.json()["code"] == Code.TRANSFER_SAME_ORG
