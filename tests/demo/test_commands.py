"""The commands `demo-logins` and `otp-code` on the shared street demo (the `demo`
command itself, and both on an empty database: test_commands_empty.py)."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from jiceng.demo.logins import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_totp_device, jiceng_command


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_demo_logins_prints_every_account_with_password_and_totp_note(street_demo):
    output = run("demo-logins")
    for account in DEMO_ACCOUNTS:
        assert account.username in output
    assert DEMO_PASSWORD in output
    for label in ("区委组织部管理员", "街道工作人员", "社区书记", "网格员", "居民"):
        assert label in output
    assert "湖南路街道" in output
    # The hint names the command where it really is, beside this Python (.venv/bin/jiceng
    # after make run), since it is seldom on PATH.
    assert f"{jiceng_command()} otp-code demo_district" in output
    assert jiceng_command() != "jiceng"


def test_otp_code_prints_a_code_the_device_accepts(street_demo):
    code = run("otp-code", "demo_district").strip()
    assert re.fullmatch(r"\d{6}", code)
    assert demo_totp_device("demo_district").verify_token(code)


def test_otp_code_refuses_users_without_a_demo_device(street_demo):
    with pytest.raises(CommandError, match="demo_city"):
        run("otp-code", "demo_city")
    with pytest.raises(CommandError):
        run("otp-code", "nobody-here")
