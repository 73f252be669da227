"""An empty database gets its schema from the models in one step (issue 21).

`migrate` on an empty database replays every operation of every migration (about 300
for this project and its libraries). Django keeps a model state as it goes, and each
`CreateModel` re-renders every model related to the new one, recursively, so the time
grows with the square of the number of models: about 7 s of the 20 s a new user waits
for `make run`'s first page, on the 2-core machine, of which less than a tenth is the
database's own work.

On a database with no tables, `create_schema` instead creates each model's table from
the models as they are now (as `migrate --run-syncdb` does for apps without
migrations), runs the migration steps that put something into an empty database (the
ones marked with `on_empty_database`: seeded rows, triggers), records every migration
as applied and sends Django's migrate signals (content types, permissions), all in one
transaction. A database that already has tables is migrated as always.

The schema and rows it gives must be those `migrate` gives: tests/core/test_fresh_schema.py
builds a database both ways, on SQLite and PostgreSQL, and compares the tables, columns,
indexes, constraints, triggers and every row. A new migration that puts rows or
triggers into an empty database must mark its step, or that test fails and says which
table differs. Migrations that change data already stored (a backfill, a clean-up) have
nothing to do in an empty database and are not marked.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations.special import RunPython, RunSQL
from django.db.migrations.recorder import MigrationRecorder

logger = logging.getLogger(__name__)

MARK = "on_empty_database"


def on_empty_database(step: Callable) -> Callable:
    """Mark a migration's RunPython function as needed in an empty database too: it
    seeds rows or creates triggers, rather than changing rows already stored."""
    setattr(step, MARK, True)
    return step


def database_is_empty(alias: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _marked_steps(plan) -> list[tuple[Any, Callable]]:
    steps = []
    for migration, _backwards in plan:
        for operation in migration.operations:
            if isinstance(operation, RunPython) and getattr(operation.code, MARK, False):
                steps.append((migration, operation.code))
            elif isinstance(operation, RunSQL):
                # No migration here uses RunSQL; one that did would need the same
                # marking, which this module does not offer yet: refuse to guess.
                raise NotImplementedError(f"{migration.app_label}.{migration.name}: RunSQL")
    return steps


def _through_keys_as_migrate_makes_them(editor, model) -> None:
    """The table Django makes for a many-to-many field has a key of the project's
    DEFAULT_AUTO_FIELD when a migration creates it (the migration's model state knows no
    app's own default), but of the app's default when made from the model: `auth`'s
    group permissions get an integer key from the model and a bigint one from migrate.
    Make it as migrate does."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    default = import_string(settings.DEFAULT_AUTO_FIELD)
    for field in model._meta.local_many_to_many:
        through = field.remote_field.through
        if not through._meta.auto_created:
            continue
        old = through._meta.pk
        if type(old) is default:
            continue
        new = default(verbose_name="ID", primary_key=True, auto_created=True, serialize=False)
        new.set_attributes_from_name(old.name)
        new.model = through
        editor.alter_field(through, old, new)


def create_schema(alias: str = DEFAULT_DB_ALIAS, *, verbosity: int = 1, stdout=None) -> int:
    """Create the whole schema of an empty database from the models; return the number
    of migrations recorded as applied. The caller checked `database_is_empty`."""
    from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal

    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    steps = _marked_steps(plan)
    models = [
        model
        for model in global_apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.can_migrate(connection)
        and model._meta.app_label in executor.loader.migrated_apps
    ]
    unmigrated = {
        model._meta.label
        for model in global_apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.app_label not in executor.loader.migrated_apps
    }
    if unmigrated:
        # Every app here has migrations; one without would need `--run-syncdb`.
        raise NotImplementedError(f"models without migrations: {sorted(unmigrated)}")
    emit_pre_migrate_signal(verbosity, False, alias, stdout=stdout, apps=global_apps, plan=plan)
    # One transaction (the schema editor's): all of it or nothing, on SQLite and
    # PostgreSQL alike. Foreign keys are created after every table (deferred SQL).
    with connection.schema_editor() as editor:
        for model in models:
            editor.create_model(model)
            _through_keys_as_migrate_makes_them(editor, model)
        for _migration, step in steps:
            step(global_apps, editor)
        recorder = MigrationRecorder(connection)
        recorder.ensure_schema()
        for migration, _backwards in plan:
            recorder.record_applied(migration.app_label, migration.name)
            for replaced_app, replaced_name in migration.replaces:
                recorder.record_applied(replaced_app, replaced_name)
    emit_post_migrate_signal(verbosity, False, alias, stdout=stdout, apps=global_apps, plan=plan)
    logger.info("schema created from the models: %d migrations recorded", len(plan))
    return len(plan)
