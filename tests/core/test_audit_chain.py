"""The audit log is a hash chain: any edit, deletion or truncation is detected and named."""

import itertools
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from jiceng.core.audit import audit_record, audit_verify
from jiceng.core.models import AuditEntry, AuditHead
from jiceng.core.services import area_create, area_rename


def named_entry(message: str) -> int | None:
    """The entry id the command's error names, if any."""
    found = re.search(r"ID (\d+)", message)
    return int(found.group(1)) if found else None


def lift_guard() -> None:
    """Do what an owner of the tables could: take the append-only trigger away (inside
    the test's transaction, so it comes back afterwards). Only then can entries be
    tampered with, and the chain must still catch it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of this transaction's inserts must run first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only"
            )
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")


@pytest.fixture
def chain(db):
    city = area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
    for name in ("沪", "上海", "上海市"):
        area_rename(actor=None, area=city, name=name)
    audit_record(actor=None, action="export", target=city, changes={"rows": 3})
    lift_guard()
    return list(AuditEntry.objects.order_by("id"))


def test_intact_chain_passes(chain, capsys):
    assert audit_verify().ok
    call_command("audit", "verify")
    assert f"已校验 {len(chain)} 条" in capsys.readouterr().out


def test_an_edited_entry_is_named(chain):
    victim = chain[2]
    AuditEntry.objects.filter(pk=victim.pk).update(changes={"name": "改过的"})
    result = audit_verify()
    assert not result.ok and result.first_bad_id == victim.pk and result.reason == "hash"
    with pytest.raises(CommandError) as error:
        call_command("audit", "verify")
    assert named_entry(str(error.value)) == victim.pk
    assert "篡改" in str(error.value)


def test_a_deleted_entry_in_the_middle_is_named(chain):
    AuditEntry.objects.filter(pk=chain[1].pk).delete()
    result = audit_verify()
    assert not result.ok and result.first_bad_id == chain[2].pk
    assert result.reason == "prev_hash"
    with pytest.raises(CommandError) as error:
        call_command("audit", "verify")
    assert named_entry(str(error.value)) == chain[2].pk
    assert "删除" in str(error.value)


def test_a_truncated_tail_is_detected(chain):
    AuditEntry.objects.filter(pk=chain[-1].pk).delete()
    result = audit_verify()
    assert not result.ok and result.reason == "head"
    assert AuditHead.objects.get().count == len(chain)
    with pytest.raises(CommandError) as error:
        call_command("audit", "verify")
    assert "链尾" in str(error.value) and named_entry(str(error.value)) is None


def test_each_entry_links_to_the_previous(chain):
    for previous, entry in itertools.pairwise(chain):
        assert entry.prev_hash == previous.hash


def test_a_tampered_service_entry_is_named_among_many(territory):
    """The territory fixture writes through the services: areas, orgs, units, accounts,
    grants. Changing who acted in one of those lines is caught at exactly that line."""
    entries = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    assert len(entries) > 40 and audit_verify().ok
    victim = entries[len(entries) // 2]
    lift_guard()
    AuditEntry.objects.filter(pk=victim).update(actor_label="someone-else")
    with pytest.raises(CommandError) as error:
        call_command("audit", "verify")
    assert named_entry(str(error.value)) == victim
    assert f"此前 {entries.index(victim)} 条完整" in str(error.value)


def test_a_rehashed_entry_still_breaks_the_next_link(chain):
    """Rewriting an entry AND its own hash is caught at the entry after it."""
    from jiceng.core.audit import entry_hash

    victim = chain[1]
    victim.changes = {"name": "改过的"}
    AuditEntry.objects.filter(pk=victim.pk).update(
        changes=victim.changes, hash=entry_hash(victim, victim.prev_hash)
    )
    result = audit_verify()
    assert not result.ok and result.first_bad_id == chain[2].pk


def test_verify_is_a_subcommand(db):
    with pytest.raises(CommandError):
        call_command("audit")


def test_the_database_refuses_edits(db):
    area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
    entry = AuditEntry.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label="someone-else")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.changes = {"name": "改过的"}
        entry.save()
    if connection.vendor == "postgresql":
        # SQLite keeps DELETE for the test runner's flush (see the migration).
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.actor_label == "system" and audit_verify().ok


def test_entries_appended_in_a_batch_chain_like_single_ones(db):
    """audit_record_many links each entry to the one before it, between single appends
    on either side; the chain verifies, and tampering inside a batch is named."""
    from jiceng.core.audit import AuditLine, audit_record_many

    city = area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
    batch = audit_record_many(
        [AuditLine(action="export", target=city, changes={"rows": n}) for n in range(5)]
        + [AuditLine(action="update", target_type="core.area", target_id=7, target_label="x")]
    )
    area_rename(actor=None, area=city, name="沪")
    assert audit_record_many([]) == []
    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.pk for e in entries[1:7]] == [e.pk for e in batch]
    assert entries[1].changes == {"rows": 0} and entries[6].target_id == "7"
    assert entries[1].target_type == "core.area" and entries[1].target_id == str(city.pk)
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    head = AuditHead.objects.get()
    assert head.count == len(entries) == 8 and head.last_hash == entries[-1].hash
    assert audit_verify().ok

    lift_guard()
    victim = batch[3]
    AuditEntry.objects.filter(pk=victim.pk).update(changes={"rows": 99})
    result = audit_verify()
    assert not result.ok and result.first_bad_id == victim.pk and result.reason == "hash"
