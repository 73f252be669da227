"""Whether the database keeps the audit tables append-only for the role in use."""

import os
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class GrantCheck:
    name: str
    ok: bool | None  # None: not applicable on this database
    detail: str


AUDIT_TABLES = ("core_auditentry", "core_audithead")
# What the application's role may and may not do to the audit tables.
MUST_NOT = {
    "core_auditentry": ("UPDATE", "DELETE", "TRUNCATE"),
    "core_audithead": ("DELETE", "TRUNCATE"),
}
MUST = {
    "core_auditentry": ("SELECT", "INSERT"),
    "core_audithead": ("SELECT", "INSERT", "UPDATE"),
}


def grants_report() -> list[GrantCheck]:
    """Whether the database, as the role this process connects with, keeps the audit
    tables append-only: the privileges the operator guide prescribes, the triggers, and
    that the role neither owns the tables nor is a superuser (either may switch the
    triggers off)."""
    if connection.vendor != "postgresql":
        return _grants_sqlite()
    checks = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        user, superuser = cursor.fetchone()
        checks.append(GrantCheck(f"role {user} is not a superuser", not superuser, ""))
        for table in AUDIT_TABLES:
            cursor.execute(
                "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass", [table]
            )
            owner = cursor.fetchone()[0]
            checks.append(
                GrantCheck(f"{table}: not owned by {user}", owner != user, f"owner {owner}")
            )
            for privilege in MUST_NOT[table]:
                cursor.execute("SELECT has_table_privilege(%s, %s)", [table, privilege])
                held = cursor.fetchone()[0]
                checks.append(GrantCheck(f"{table}: no {privilege}", not held, ""))
            for privilege in MUST[table]:
                cursor.execute("SELECT has_table_privilege(%s, %s)", [table, privilege])
                held = cursor.fetchone()[0]
                checks.append(GrantCheck(f"{table}: {privilege} (needed)", held, ""))
        for table, trigger in (
            ("core_auditentry", "core_auditentry_append_only"),
            ("core_audithead", "core_audithead_keep"),
        ):
            cursor.execute(
                "SELECT tgenabled FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
                [trigger, table],
            )
            row = cursor.fetchone()
            enabled = row is not None and row[0] in ("O", "A")
            checks.append(
                GrantCheck(f"trigger {trigger} enabled", enabled, "" if row else "missing")
            )
    return checks


def _grants_sqlite() -> list[GrantCheck]:
    checks = [
        GrantCheck(
            "SQLite: no roles or grants",
            None,
            "whoever can write the database file can change it; checkpoints and keyed "
            "hashes are what detect it",
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            ["core_auditentry_no_update"],
        )
        checks.append(
            GrantCheck("trigger core_auditentry_no_update present", bool(cursor.fetchone()), "")
        )
    name = connection.settings_dict.get("NAME")
    if name and os.path.exists(str(name)):
        mode = os.stat(name).st_mode & 0o777
        checks.append(
            GrantCheck(
                "database file not writable by group or others",
                not mode & 0o022,
                f"{mode:o}",
            )
        )
    return checks
