"""The audit chain becomes keyed (issue 20, docs/decisions/0010-audit-evidence.md).

The head row learns which key chained the last entry and when the last checkpoint was
claimed. Entries already on file keep their plain SHA-256 hashes: the first entry
appended after this migration is a key_change entry chained under the configured key,
which seals them. On PostgreSQL the head row also refuses DELETE, as the entries do:
with it gone, a writer would start a new chain from zero.
"""

from django.db import migrations, models

from jiceng.core.fresh_schema import on_empty_database

PG_UP = """
CREATE OR REPLACE FUNCTION core_audithead_keep() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_audithead row cannot be deleted'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_audithead_keep
    BEFORE DELETE ON core_audithead
    FOR EACH ROW EXECUTE FUNCTION core_audithead_keep();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS core_audithead_keep ON core_audithead;
DROP FUNCTION IF EXISTS core_audithead_keep();
"""


@on_empty_database
def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PG_UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_actions")]

    operations = [
        migrations.AddField(
            model_name="audithead",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
        migrations.AddField(
            model_name="audithead",
            name="checkpoint_count",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="audithead",
            name="checkpoint_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(up, down),
    ]
