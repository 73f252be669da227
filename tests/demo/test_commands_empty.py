"""The `demo` command on an empty database, and `demo-logins` with no demo."""

import pytest
from django.core.management import CommandError

from jiceng.core.models import Area, AuditEntry
from jiceng.demo.generator import MSG_NOT_EMPTY
from tests.demo.test_commands import run  # the same helper


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


@pytest.mark.django_db
def test_demo_logins_on_an_empty_database_says_so():
    assert "没有演示账号" in run("demo-logins")
