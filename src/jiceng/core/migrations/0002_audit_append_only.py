"""The audit log is append-only in the database itself, not only by convention.

The hash chain (`jiceng audit verify`) detects an edited or deleted entry after the fact;
these triggers refuse the edit in the first place, for every client of the database.

- PostgreSQL: UPDATE and DELETE of a row are refused. TRUNCATE is a table privilege,
  not a row change: the test runner empties tables with it, and operators REVOKE it
  from the application's role (docs/operator-guide.md). An emptied log still fails
  verification against the chain's head row.
- SQLite (the embedded development database): UPDATE is refused. DELETE stays possible
  because Django's test flush empties tables with DELETE; SQLite has no session state
  to tell the two apart.

Someone who owns the tables can still drop a trigger; the chain is what catches that.
"""

from django.db import migrations

from jiceng.core.fresh_schema import on_empty_database

PG_UP = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
BEGIN
    SELECT RAISE(ABORT, 'core_auditentry is append-only (UPDATE refused)');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS core_auditentry_no_update;"


def _run(schema_editor, postgresql: str, sqlite: str) -> None:
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": postgresql, "sqlite": sqlite}.get(vendor)
    if sql:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


@on_empty_database
def up(apps, schema_editor):
    _run(schema_editor, PG_UP, SQLITE_UP)


def down(apps, schema_editor):
    _run(schema_editor, PG_DOWN, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
