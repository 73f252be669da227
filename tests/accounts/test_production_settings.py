"""Production behind a TLS-terminating proxy (security review, item 5), observed in a
separate process started with production settings, as an operator would start it: the
README says production sends HSTS and refuses weak keys; these tests check that it does."""

import json
import os
import secrets
import subprocess
import sys

import pytest

PROBE = r"""
import json
import django
django.setup()
from django.test import Client
client = Client()
out = {}
for name, extra in {
    "proxy_https": {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_PROTO": "https"},
    "stranger_https": {"REMOTE_ADDR": "198.51.100.9", "HTTP_X_FORWARDED_PROTO": "https"},
}.items():
    response = client.get("/accounts/login/", HTTP_HOST="jiceng.example.gov.cn", **extra)
    out[name] = {
        "status": response.status_code,
        "hsts": response.get("Strict-Transport-Security"),
        "location": response.get("Location"),
        "secure_cookie": bool(
            response.cookies.get("csrftoken") and response.cookies["csrftoken"]["secure"]
        ),
    }
print(json.dumps(out))
"""


def _environment(tmp_path, **overrides) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JICENG_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "jiceng.settings",
            "JICENG_PRODUCTION": "1",
            "JICENG_SECRET_KEY": secrets.token_urlsafe(50),
            "JICENG_DATA_KEY": secrets.token_hex(32),
            "JICENG_AUDIT_KEY": secrets.token_hex(32),
            "JICENG_ALLOWED_HOSTS": "jiceng.example.gov.cn",
            "JICENG_TRUSTED_PROXIES": "10.0.0.0/24",
            "JICENG_VAR_DIR": str(tmp_path),
        }
    )
    env.update(overrides)
    return env


def _run(args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _run(
        ["-m", "jiceng", "check", "--deploy", "--fail-level", "WARNING"], _environment(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hsts_is_sent_behind_the_proxy_and_only_the_proxy_is_believed(tmp_path):
    result = _run(["-c", PROBE], _environment(tmp_path))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    proxied = seen["proxy_https"]
    assert proxied["status"] == 200
    assert proxied["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert proxied["secure_cookie"]
    # The same header from anyone but the proxy is not believed: plain HTTP, redirected.
    stranger = seen["stranger_https"]
    assert stranger["status"] == 301
    assert stranger["location"].startswith("https://")


@pytest.mark.parametrize(
    "key,message",
    [
        ("short-key", "at least 50"),
        ("a" * 60, "at least 50"),  # long but not random: fewer than 5 distinct characters
    ],
)
def test_a_weak_secret_key_stops_production_at_start(tmp_path, key, message):
    result = _run(["-m", "jiceng", "check"], _environment(tmp_path, JICENG_SECRET_KEY=key))
    assert result.returncode != 0
    assert message in result.stderr


def test_the_development_keys_stop_production_at_start(tmp_path):
    env = _environment(tmp_path)
    del env["JICENG_DATA_KEY"]
    result = _run(["-m", "jiceng", "check"], env)
    assert result.returncode != 0 and "must be set in production" in result.stderr


def test_a_malformed_proxy_setting_stops_the_start(tmp_path):
    env = _environment(tmp_path, JICENG_TRUSTED_PROXIES="10.0.0.0/24,proxy.local")
    result = _run(["-m", "jiceng", "check"], env)
    assert result.returncode != 0 and "JICENG_TRUSTED_PROXIES" in result.stderr


def test_plain_http_is_redirected_in_production(tmp_path):
    probe = PROBE.replace('"HTTP_X_FORWARDED_PROTO": "https"', '"HTTP_X_FORWARDED_PROTO": "http"')
    result = _run(["-c", probe], _environment(tmp_path))
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["proxy_https"]["status"] == 301
    assert seen["proxy_https"]["location"].startswith("https://jiceng.example.gov.cn/")
