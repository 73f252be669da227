"""`jiceng prepare` creates an empty database's schema from the models in one step
(core.fresh_schema, issue 21). The database it gives must be the one `migrate` gives:
each way builds a database of its own, in a process of its own, and the two are
compared table by table (columns, constraints and indexes, triggers, sequences on
PostgreSQL) and row by row (seeded categories and requirements, content types,
permissions, the migration records). Runs on the suite's database engine."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from jiceng.core import fresh_schema

ROOT = Path(__file__).resolve().parents[2]


def _build(way: str, url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "jiceng.settings"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.core.fresh_schema_probe", way],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture
def two_empty_databases(tmp_path):
    """Two empty databases on the suite's engine, as DATABASE_URLs."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        yield [f"sqlite:///{tmp_path / name}.sqlite3" for name in ("migrated", "fresh")]
        return
    import psycopg

    names = [f"jiceng_fresh_{name}_{os.getpid()}" for name in ("migrated", "fresh")]
    server = {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"],
        "password": database["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    auth = server["user"] + (f":{server['password']}" if server["password"] else "")
    yield [f"postgres://{auth}@{server['host']}:{server['port']}/{name}" for name in names]
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_schema_from_the_models_is_the_schema_migrate_makes(two_empty_databases):
    migrated = _build("migrate", two_empty_databases[0])
    fresh = _build("fresh", two_empty_databases[1])
    assert sorted(fresh["tables"]) == sorted(migrated["tables"])
    for table, shape in migrated["tables"].items():
        assert fresh["tables"][table] == shape, table
    assert fresh["triggers"] == migrated["triggers"] != []
    assert fresh.get("sequences") == migrated.get("sequences")
    for table, rows in migrated["rows"].items():
        assert fresh["rows"][table] == rows, table
    # The seeds are there: the city's appeal categories, the branch rules' frequencies.
    assert len(migrated["rows"]["appeals_category"]) > 10
    assert len(migrated["rows"]["orglife_meetingrequirement"]) == 7


def test_a_database_with_tables_is_not_empty(db):
    assert not fresh_schema.database_is_empty()


def test_prepare_on_a_database_with_tables_migrates_as_always(db, monkeypatch):
    """The test database has its tables: prepare's first step is `migrate`."""
    from jiceng.demo.management.commands import prepare

    calls = []
    monkeypatch.setattr(prepare, "call_command", lambda name, *a, **k: calls.append(name))
    monkeypatch.setattr(
        fresh_schema, "create_schema", lambda *a, **k: pytest.fail("the schema exists")
    )
    call_command("prepare", verbosity=0)
    assert calls[0] == "migrate"
