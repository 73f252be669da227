"""`jiceng prepare` (what `make run` does before serving) and the path its hints print."""

import os
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from jiceng.core.models import Area
from jiceng.demo.logins import DEMO_PASSWORD, jiceng_command
from jiceng.demo.management.commands.prepare import stale_catalogues
from tests.demo.test_commands import run  # the same helper


def test_jiceng_command_is_the_script_beside_this_python():
    command = Path(jiceng_command())
    assert command.name == "jiceng"
    assert command.resolve() == (Path(sys.executable).parent / "jiceng").resolve()
    assert os.access(command, os.X_OK)


def test_stale_catalogues_are_the_po_files_newer_than_their_mo(tmp_path):
    messages = tmp_path / "en" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po, mo = messages / "django.po", messages / "django.mo"
    po.write_text("")
    with override_settings(LOCALE_PATHS=[tmp_path]):
        assert stale_catalogues() == [po]  # no .mo yet
        mo.write_text("")
        os.utime(po, (1_000_000, 1_000_000))
        assert stale_catalogues() == []
        os.utime(mo, (900_000, 900_000))
        assert stale_catalogues() == [po]


@pytest.mark.django_db
@pytest.mark.slow
def test_prepare_loads_the_demo_once_and_prints_the_logins():
    output = run("prepare")
    assert Area.objects.filter(name="湖南路街道").exists()
    assert DEMO_PASSWORD in output
    assert f"{jiceng_command()} otp-code demo_district" in output
    assert "migrate" in output and "demo" in output
    count = Area.objects.count()
    output = run("prepare")
    assert "跳过" in output
    assert Area.objects.count() == count


def test_prepare_leaves_the_system_checks_to_the_server():
    """They import every URL and view; `make run`'s server runs them right after."""
    from jiceng.demo.management.commands.prepare import Command

    assert Command.requires_system_checks == []
    assert Command().requires_system_checks == []


@pytest.mark.slow
def test_prepare_serve_answers_the_first_page_from_one_process(tmp_path):
    """`make run` is `jiceng prepare --serve`: the database prepared, then the login page
    served by the same process, with no auto-reloader child (issue 21)."""
    import signal
    import socket
    import subprocess
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["JICENG_VAR_DIR"] = str(tmp_path)
    server = subprocess.Popen(
        [jiceng_command(), "prepare", "--serve", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        status, deadline = None, time.monotonic() + 240
        while status is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as answer:
                    status = answer.status
            except OSError:
                time.sleep(0.2)
        assert status == 200
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        assert children == []  # no reloader: the process that prepared is the server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert DEMO_PASSWORD in output
    assert (tmp_path / "jiceng.sqlite3").exists()
    # An empty database: the schema came from the models in one step (core.fresh_schema).
    assert "已从模型建表" in output and "改为逐个执行迁移" not in output
