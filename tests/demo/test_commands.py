"""The three commands: `demo`, `demo-logins`, `otp-code`."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from jiceng.core.models import Area, AuditEntry
from jiceng.demo.generator import MSG_NOT_EMPTY
from jiceng.demo.logins import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_totp_device


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_command_builds_then_refuses_then_if_empty_does_nothing():
    output = run("demo", "--scale", "street", "--seed", "3", "--quiet")
    assert "演示数据已生成" in output
    assert Area.objects.filter(code="310104004000", name="湖南路街道").exists()
    before = (Area.objects.count(), AuditEntry.objects.count())
    with pytest.raises(CommandError) as error:
        run("demo", "--scale", "street", "--quiet")
    assert str(error.value) == str(MSG_NOT_EMPTY)
    output = run("demo", "--scale", "district", "--if-empty", "--quiet")
    assert "跳过" in output
    assert (Area.objects.count(), AuditEntry.objects.count()) == before


def test_demo_logins_prints_every_account_with_password_and_totp_note(street_demo):
    output = run("demo-logins")
    for account in DEMO_ACCOUNTS:
        assert account.username in output
    assert DEMO_PASSWORD in output
    for label in ("区委组织部管理员", "街道工作人员", "社区书记", "网格员", "居民"):
        assert label in output
    assert "湖南路街道" in output
    assert "jiceng otp-code demo_district" in output


@pytest.mark.django_db
def test_demo_logins_on_an_empty_database_says_so():
    assert "没有演示账号" in run("demo-logins")


def test_otp_code_prints_a_code_the_device_accepts(street_demo):
    code = run("otp-code", "demo_district").strip()
    assert re.fullmatch(r"\d{6}", code)
    assert demo_totp_device("demo_district").verify_token(code)


def test_otp_code_refuses_users_without_a_demo_device(street_demo):
    with pytest.raises(CommandError, match="demo_city"):
        run("otp-code", "demo_city")
    with pytest.raises(CommandError):
        run("otp-code", "nobody-here")
