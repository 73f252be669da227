"""A property-based run over the whole OpenAPI document (issue 18): for every operation
the document lists, requests generated from its schema (tests/api/openapi_strategies.py)
are sent in-process, as a street's staff with a session (and its CSRF token, as a browser
sends it) and as a system token with every permission in a district. No answer may be a
server error, and every refusal has the API's one error shape {"code","message","field"}.

Each request runs in a transaction rolled back after it, with the cache emptied before
it (rate limits), so no request sees another's writes; hypothesis is derandomized (a
fixed seed, no example database), so CI draws the same requests on every run.

More examples locally (the default keeps a role's run near a minute on SQLite):

    JICENG_PROPERTY_EXAMPLES=50 .venv/bin/python -m pytest tests/api/test_property_run.py
    JICENG_PROPERTY_OPERATIONS=/api/cobuild .venv/bin/python -m pytest \
        tests/api/test_property_run.py

JICENG_PROPERTY_OPERATIONS keeps the operations whose path starts with it; with
JICENG_PROPERTY_SEED set, the run draws other examples than CI's (any integer).
"""

import json
import os
from collections import Counter
from urllib.parse import quote, unquote

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, Phase, assume, given, seed, settings

from jiceng.api import api
from jiceng.integrations.services import system_token_create
from tests.api.hostile import build_world
from tests.api.openapi_strategies import Call, Generator, calls
from tests.api.test_hostile_api import _valid as valid_requests
from tests.conftest import PERSONAL_NUMBER_IN_URL

EXAMPLES = int(os.environ.get("JICENG_PROPERTY_EXAMPLES", "5"))
ONLY = os.environ.get("JICENG_PROPERTY_OPERATIONS", "")
SEED = os.environ.get("JICENG_PROPERTY_SEED")
METHODS = ("get", "post", "put", "patch", "delete")
ERROR_KEYS = {"code", "message", "field"}

# Operations a run in-process cannot exercise, with the reason. Keep it short.
NOT_RUN: dict[tuple[str, str], str] = {}


def _operations():
    document = api.get_openapi_schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            wanted = method in METHODS and path.startswith(ONLY or "/")
            if wanted and (method, path) not in NOT_RUN:
                yield document, method, path, operation


def _row_ids(limit: int = 3000) -> list[int]:
    """Primary keys of rows that exist, in any table: generated path and body ids hit
    real objects (on PostgreSQL the sequences do not restart, so no fixed range would)."""
    found: set[int] = set()
    for model in apps.get_models():
        if isinstance(model._meta.pk, models.AutoField | models.BigAutoField):
            found.update(model._default_manager.values_list("pk", flat=True)[:200])
    return sorted(found)[:limit]


def _street_client(territory) -> Client:
    """A browser's session: signed in, with the CSRF cookie and the header that echoes it."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(territory.users["xh_s1_staff"])
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client


def _system_client(territory, world) -> Client:
    """A system's call: `Authorization: Bearer`, every permission, bound to 徐汇区 and,
    for updates, to the street's handling unit of the world."""
    unit = world.appeal.unit
    _token, raw = system_token_create(
        actor=territory.users["xh_admin"],
        name="属性测试",
        area=territory.areas["xh"],
        permissions=["read", "file", "update"],
        unit=unit,
        rate_per_minute=6000,
    )
    client = Client(raise_request_exception=False)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _send(client: Client, call: Call):
    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    cache.clear()
    with transaction.atomic():
        query = "&".join(f"{k}={v}" for k, v in _encoded(call.query))
        url = f"{call.url}?{query}" if query else call.url
        send = getattr(client, call.method)
        if call.multipart is not None:
            response = send(url, call.multipart, headers=call.headers)
        elif call.json is not None or call.method != "get":
            body = json.dumps(call.json)
            response = send(url, body, content_type="application/json", headers=call.headers)
        else:
            response = send(url, headers=call.headers)
        transaction.set_rollback(True)
    # A password change or sign-out replaces the session whose row the rollback restored.
    for key, value in cookies.items():
        client.cookies[key] = value
    return response


def _encoded(query):
    # A lone surrogate travels as the bytes a client could send (invalid UTF-8).
    return [(_quote(k), _quote(v)) for k, v in query]


def _quote(text: str) -> str:
    return quote(text, safe="", errors="surrogatepass")


def _problem(response) -> str | None:
    """What is wrong with an answer, or None."""
    status = response.status_code
    if status >= 500:
        return f"{status} server error"
    if status < 400:
        return None
    if not response.get("Content-Type", "").startswith("application/json"):
        return f"{status} not JSON: {response.content[:120]!r}"
    body = response.json()
    if not isinstance(body, dict) or not body.keys() >= ERROR_KEYS:
        return f"{status} not the error shape: {response.content[:200]!r}"
    if not (isinstance(body["code"], str) and body["code"] and isinstance(body["message"], str)):
        return f"{status} code or message missing: {body}"
    if body["field"] is not None and not isinstance(body["field"], str):
        return f"{status} field is not a name: {body}"
    return None


def _probe(client: Client, strategy, label: str, failures: list[str], answers: Counter) -> None:
    """Send `strategy`'s examples for one operation; add what is wrong to `failures` and
    each answer's status and code to `answers`."""

    @settings(
        max_examples=EXAMPLES,
        derandomize=SEED is None,
        database=None,
        deadline=None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def probe(call: Call) -> None:
        # The suite refuses personal numbers in URLs (an access log would keep them).
        assume(not PERSONAL_NUMBER_IN_URL.search(unquote(call.url)))
        assume(not any(PERSONAL_NUMBER_IN_URL.search(v) for _k, v in call.query))
        response = _send(client, call)
        if problem := _problem(response):
            failures.append(f"{label}: {problem}\n    {call.describe()}")
        refused = 400 <= response.status_code < 500 and not problem
        code = response.json()["code"] if refused else None
        answers[(call.method, response.status_code, code)] += 1

    if SEED is not None:
        probe = seed(int(SEED))(probe)
    probe()


def _run(client: Client, world) -> tuple[list[str], Counter]:
    known = valid_requests(world)
    generator = Generator(api.get_openapi_schema(), _row_ids())
    failures: list[str] = []
    answers: Counter = Counter()
    for _document, method, path, operation in _operations():
        strategy = calls(generator, method, path, operation, known.get((method, path)))
        _probe(client, strategy, f"{method.upper()} {path}", failures, answers)
    # Shown with `pytest -s`: how far the requests got (method, status, error code).
    for key, count in sorted(answers.items(), key=lambda item: -item[1]):
        print(*key, count)
    return failures, answers


def _count(answers: Counter, reads: bool) -> int:
    """How many reads (or writes) succeeded."""
    return sum(
        n
        for (method, status, _c), n in answers.items()
        if (method == "get") == reads and status < 300
    )


@pytest.mark.slow
def test_street_staff_session_meets_no_server_error(territory):
    world = build_world(territory)
    failures, answers = _run(_street_client(territory), world)
    sent = sum(answers.values())
    assert sent >= len(list(_operations()))
    assert not failures, f"{len(failures)} of {sent}:\n" + "\n".join(failures)
    # The session's CSRF token is accepted, and writes reach their services.
    assert not any(code == "csrf_failed" for (_m, _s, code) in answers)
    assert _count(answers, reads=False) > 20


@pytest.mark.slow
def test_system_token_meets_no_server_error(territory):
    world = build_world(territory)
    failures, answers = _run(_system_client(territory, world), world)
    sent = sum(answers.values())
    assert sent >= len(list(_operations()))
    assert not failures, f"{len(failures)} of {sent}:\n" + "\n".join(failures)
    # The token is accepted (only the session's own password change answers 401): its
    # reads answer, and the cases it may file are filed.
    assert _count(answers, reads=True) > 20
    assert _count(answers, reads=False) > 0
