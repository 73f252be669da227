"""The audit log is a keyed hash chain with signed checkpoints outside the database: an
edit, a deletion, a cut tail or an emptied log is detected and named, also when done by
someone who owns the tables and knows the code (issue 20)."""

import itertools
import json
import re
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from jiceng.core import audit_evidence as evidence
from jiceng.core.audit import (
    GENESIS,
    audit_keys,
    audit_record,
    entry_hash,
    plain_hash,
)
from jiceng.core.audit_evidence import audit_verify
from jiceng.core.models import AuditEntry, AuditHead
from jiceng.core.services import area_create, area_rename

OTHER_KEY = "5e" * 32


def named_entry(message: str) -> int | None:
    """The entry id the command's error names, if any."""
    found = re.search(r"ID (\d+)", message)
    return int(found.group(1)) if found else None


def lift_guard() -> None:
    """Do what an owner of the tables could: take the append-only triggers away (inside
    the test's transaction, so they come back afterwards). Only then can entries be
    tampered with, and the chain must still catch it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of this transaction's inserts must run first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only"
            )
            cursor.execute("ALTER TABLE core_audithead DISABLE TRIGGER core_audithead_keep")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")


def verify_fails() -> str:
    with pytest.raises(CommandError) as error:
        call_command("audit", "verify")
    return str(error.value)


def rechain_plainly(entries: list[AuditEntry], start_prev: str) -> str:
    """What an owner who read the code could do: recompute SHA-256 over each entry and
    the one before, and write the hashes back. Returns the new last hash."""
    previous = start_prev
    for entry in entries:
        entry.prev_hash = previous
        entry.hash = plain_hash(entry, previous)
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, hash=entry.hash)
        previous = entry.hash
    return previous


@pytest.fixture
def chain(db):
    city = area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
    for name in ("沪", "上海", "上海市", "申", "申城", "上海市"):
        area_rename(actor=None, area=city, name=name)
    audit_record(actor=None, action="export", target=city, changes={"rows": 3})
    return list(AuditEntry.objects.order_by("id"))


@pytest.fixture
def checkpointed(chain):
    """The chain with a signed checkpoint of all of it, then the guard lifted."""
    evidence.checkpoint_write(actor=None)
    lift_guard()
    return list(AuditEntry.objects.order_by("id"))


# ---- the intact chain ------------------------------------------------------------------------


def test_intact_chain_passes(checkpointed, capsys):
    result = audit_verify()
    assert result.ok and result.checked == len(checkpointed) and result.checkpoints == 1
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert f"已校验 {len(checkpointed)} 条" in out and "最近检查点" in out


def test_each_entry_is_keyed_and_links_to_the_previous(chain):
    key = audit_keys()[0]
    assert chain[0].prev_hash == GENESIS
    for previous, entry in itertools.pairwise(chain):
        assert entry.prev_hash == previous.hash
    for entry in chain:
        assert entry.hash == entry_hash(entry, entry.prev_hash, key)
        assert entry.hash != plain_hash(entry, entry.prev_hash)
    assert AuditHead.objects.get().key_id == key.key_id


def test_a_checkpoint_is_signed_outside_the_database(chain):
    checkpoint = evidence.checkpoint_write(actor=None)
    assert checkpoint.count == len(chain) and checkpoint.head == chain[-1].hash
    line = json.loads(evidence.checkpoint_path().read_text().splitlines()[-1])
    assert line["count"] == len(chain) and line["head"] == chain[-1].hash and line["sig"]
    assert evidence.signing_key_path().exists() and evidence.verify_key_path().exists()
    recorded = AuditEntry.objects.order_by("-id").first()
    assert recorded.action == AuditEntry.Action.CHECKPOINT
    assert recorded.changes["count"] == len(chain)
    assert [c.signed for c in evidence.checkpoints_read()] == [True]


def test_checkpoints_follow_commits_every_n_entries(
    db, settings, django_capture_on_commit_callbacks
):
    """Written after the transaction commits: the first entry, then every N entries."""
    settings.AUDIT_CHECKPOINT_EVERY = 3
    settings.AUDIT_CHECKPOINT_MINUTES = 0
    city = None
    for n in range(7):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            if city is None:
                city = area_create(
                    actor=None, parent=None, code="310000000000", name="上海市", level="city"
                )
            else:
                area_rename(actor=None, area=city, name=f"上海{n}")
    counts = [c.count for c in evidence.checkpoints_read()]
    # The first entry, then each time three more (the checkpoint entries count too).
    assert counts[0] == 1 and len(counts) >= 3
    assert all(later - earlier >= 3 for earlier, later in itertools.pairwise(counts))
    assert audit_verify().ok


def test_a_rolled_back_append_writes_no_checkpoint(db, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
        raise RuntimeError("rolled back")
    assert evidence.checkpoints_read() == []


# ---- naive tampering -------------------------------------------------------------------------


def test_an_edited_entry_is_named(checkpointed):
    victim = checkpointed[2]
    AuditEntry.objects.filter(pk=victim.pk).update(changes={"name": "改过的"})
    result = audit_verify()
    assert not result.ok and result.first_bad_id == victim.pk and result.reason == "hash"
    message = verify_fails()
    assert named_entry(message) == victim.pk and "篡改" in message


def test_a_deleted_entry_in_the_middle_is_named(checkpointed):
    AuditEntry.objects.filter(pk=checkpointed[1].pk).delete()
    result = audit_verify()
    assert not result.ok and result.first_bad_id == checkpointed[2].pk
    assert result.reason == "prev_hash"
    message = verify_fails()
    assert named_entry(message) == checkpointed[2].pk and "删除" in message


def test_a_truncated_tail_is_detected(checkpointed):
    AuditEntry.objects.filter(pk=checkpointed[-1].pk).delete()
    result = audit_verify()
    assert not result.ok and result.reason == "head"
    assert "链尾" in verify_fails()


def test_a_tampered_service_entry_is_named_among_many(territory):
    """The territory fixture writes through the services: areas, orgs, units, accounts,
    grants. Changing who acted in one of those lines is caught at exactly that line."""
    entries = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    assert len(entries) > 40 and audit_verify().ok
    victim = entries[len(entries) // 2]
    lift_guard()
    AuditEntry.objects.filter(pk=victim).update(actor_label="someone-else")
    message = verify_fails()
    assert named_entry(message) == victim
    assert f"此前 {entries.index(victim)} 条完整" in message


def test_a_rehashed_entry_is_named(checkpointed):
    """Rewriting an entry and its own hash the way the old code hashed is caught at the
    entry itself: without the key its hash cannot be made right."""
    victim = checkpointed[1]
    victim.changes = {"name": "改过的"}
    AuditEntry.objects.filter(pk=victim.pk).update(
        changes=victim.changes, hash=plain_hash(victim, victim.prev_hash)
    )
    result = audit_verify()
    assert not result.ok and result.first_bad_id == victim.pk


def test_the_database_refuses_edits(db):
    area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
    entry = AuditEntry.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label="someone-else")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.changes = {"name": "改过的"}
        entry.save()
    if connection.vendor == "postgresql":
        # SQLite keeps DELETE for the test runner's flush (see migration 0002).
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditHead.objects.all().delete()
    entry.refresh_from_db()
    assert entry.actor_label == "system" and audit_verify().ok


# ---- what an owner of the tables could do (issue 20, item 1) ---------------------------------


def test_owner_deletes_the_last_entry_and_the_head_row(checkpointed):
    AuditEntry.objects.filter(pk=checkpointed[-1].pk).delete()
    AuditHead.objects.all().delete()
    result = audit_verify()
    assert not result.ok and result.reason in ("short", "head_missing")
    assert "检查点" in verify_fails() or "链头" in verify_fails()


def test_no_checkpoint_is_signed_over_a_moved_head(checkpointed):
    """After the log was cut and the head moved or deleted, a checkpoint (automatic or
    by command) refuses to sign that state, so it can never cover the cut."""
    AuditEntry.objects.filter(pk=checkpointed[-1].pk).delete()
    with pytest.raises(evidence.EvidenceError):
        evidence.checkpoint_write(actor=None)
    AuditHead.objects.all().delete()
    with pytest.raises(CommandError, match="拒绝签名"):
        call_command("audit", "checkpoint")
    assert len(evidence.checkpoints_read()) == 1


def test_owner_deletes_the_head_row_alone(checkpointed):
    AuditHead.objects.all().delete()
    result = audit_verify()
    assert not result.ok and result.reason == "head_missing"
    assert "链头" in verify_fails()


def test_owner_deletes_the_last_five_and_moves_the_head(checkpointed):
    # The checkpoint covers all but its own entry; cut five of those and mend the head.
    kept = checkpointed[:-6]
    AuditEntry.objects.filter(pk__gt=kept[-1].pk).delete()
    AuditHead.objects.update(last_hash=kept[-1].hash, count=len(kept))
    result = audit_verify()
    assert not result.ok and result.reason == "short"
    assert str(len(checkpointed) - 1) in result.detail
    assert "比检查点记载的短" in verify_fails()


def test_owner_empties_both_tables(checkpointed):
    AuditEntry.objects.all().delete()
    AuditHead.objects.all().delete()
    result = audit_verify()
    assert not result.ok and result.checked == 0 and result.reason == "short"
    assert "比检查点记载的短" in verify_fails()


def test_owner_edits_an_entry_and_recomputes_plain_hashes_after_it(checkpointed):
    victim = checkpointed[2]
    victim.actor_label = "someone-else"
    AuditEntry.objects.filter(pk=victim.pk).update(actor_label=victim.actor_label)
    last = rechain_plainly(checkpointed[2:], checkpointed[1].hash)
    AuditHead.objects.update(last_hash=last)
    result = audit_verify()
    assert not result.ok and result.first_bad_id == victim.pk
    assert result.reason == "plain_after_keyed"
    assert named_entry(verify_fails()) == victim.pk


def test_owner_replaces_the_whole_log_with_a_plain_chain(checkpointed):
    """A consistent, made-up log from the first entry on: every link and hash checks
    as plain SHA-256, the head row agrees, but it is not what the checkpoint signed."""
    last = rechain_plainly(checkpointed, GENESIS)
    AuditHead.objects.update(last_hash=last, key_id="")
    result = audit_verify()
    assert not result.ok and result.reason == "checkpoint"
    assert "签名检查点" in verify_fails()


def test_owner_rechains_with_a_guessed_key(checkpointed):
    """Recomputing keyed hashes needs the key: with any other key the first rewritten
    entry does not verify."""
    from jiceng.core.audit import AuditKey

    guessed = AuditKey("guess", bytes.fromhex(OTHER_KEY))
    previous = checkpointed[3].prev_hash
    for entry in checkpointed[3:]:
        entry.target_label = "x"
        entry.prev_hash, entry.hash = previous, entry_hash(entry, previous, guessed)
        AuditEntry.objects.filter(pk=entry.pk).update(
            target_label="x", prev_hash=entry.prev_hash, hash=entry.hash
        )
        previous = entry.hash
    AuditHead.objects.update(last_hash=previous)
    result = audit_verify()
    assert not result.ok and result.first_bad_id == checkpointed[3].pk and result.reason == "hash"


def test_a_checkpoint_with_a_wrong_signature_fails(checkpointed):
    path = evidence.checkpoint_path()
    record = json.loads(path.read_text())
    record["count"] -= 3  # to agree with a log cut by three
    path.write_text(json.dumps(record) + "\n")
    result = audit_verify()
    assert not result.ok and result.reason == "checkpoint_signature"
    assert "检查点签名无效" in verify_fails()


def test_a_checkpoint_signed_by_another_key_fails(checkpointed, tmp_path):
    """Someone who made their own signing key cannot write checkpoints that pass: the
    verify key the operator keeps names the real one."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519PrivateKey.generate()
    body = {"v": 1, "count": 1, "head": checkpointed[0].hash, "at": "2026-12-01T00:00:00+00:00"}
    body["key"] = evidence._fingerprint(other.public_key())
    import base64

    signature = base64.b64encode(other.sign(evidence._canonical_json(body))).decode()
    with open(evidence.checkpoint_path(), "a") as out:
        out.write(json.dumps({**body, "sig": signature}) + "\n")
    result = audit_verify()
    assert not result.ok and result.reason == "checkpoint_signature" and "line 2" in result.detail


# ---- keys ---------------------------------------------------------------------------------------


def test_a_key_change_is_an_entry_and_old_entries_verify_with_the_old_key(chain, settings):
    old = settings.AUDIT_KEY
    settings.AUDIT_KEY = OTHER_KEY
    settings.AUDIT_PREVIOUS_KEYS = [old]
    city = chain[0]
    audit_record(actor=None, action="export", target_type="core.area", target_id=city.target_id)
    latest = list(AuditEntry.objects.order_by("-id")[:2])
    change = latest[1]
    assert change.action == AuditEntry.Action.KEY_CHANGE
    assert change.changes["key_id"] == audit_keys()[0].key_id
    assert change.changes["previous_key_id"] == audit_keys()[1].key_id
    assert change.changes["count"] == len(chain)
    assert audit_verify().ok
    # Without the old key the old entries cannot be checked, and verify says so.
    settings.AUDIT_PREVIOUS_KEYS = []
    result = audit_verify()
    assert not result.ok and result.reason == "key_unknown" and result.first_bad_id == chain[0].pk


def test_keys_from_a_key_file(db, settings, tmp_path):
    path = tmp_path / "audit.keys"
    path.write_text(f"# current first\n{OTHER_KEY}\n{settings.AUDIT_KEY}\n")
    settings.AUDIT_KEY = ""
    settings.AUDIT_KEY_FILE = str(path)
    keys = audit_keys()
    assert len(keys) == 2 and keys[0].secret == bytes.fromhex(OTHER_KEY)
    area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
    entry = AuditEntry.objects.get()
    assert entry.hash == entry_hash(entry, GENESIS, keys[0]) and audit_verify().ok


def test_a_short_key_is_refused(db, settings):
    settings.AUDIT_KEY = "abcd"
    with pytest.raises(ValueError, match="64 hex"):
        audit_keys()


@pytest.mark.parametrize(
    ("variables", "refused"),
    [
        ({}, True),
        ({"JICENG_AUDIT_KEY": OTHER_KEY}, False),
    ],
)
def test_production_refuses_the_development_audit_key(variables, refused, tmp_path):
    import os

    env = {
        **os.environ,
        "JICENG_PRODUCTION": "1",
        "JICENG_SECRET_KEY": "k3y-Q7z!" * 7,
        "JICENG_DATA_KEY": "ab" * 32,
        "JICENG_VAR_DIR": str(tmp_path),
        **variables,
    }
    if not variables:
        env.pop("JICENG_AUDIT_KEY", None)
        env.pop("JICENG_AUDIT_KEY_FILE", None)
    run = subprocess.run(
        [sys.executable, "-c", "import jiceng.settings"], env=env, capture_output=True, text=True
    )
    assert (run.returncode != 0) is refused
    if refused:
        assert "JICENG_AUDIT_KEY" in run.stderr


def test_production_never_makes_a_signing_key_on_its_own(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(evidence.EvidenceError, match="keygen"):
        evidence.checkpoint_write(actor=None)
    settings.PRODUCTION = False
    call_command("audit", "keygen")
    settings.PRODUCTION = True
    assert evidence.checkpoint_write(actor=None).count == 0
    with pytest.raises(CommandError, match="已存在"):
        call_command("audit", "keygen")


# ---- entries chained before keys (docs/decisions/0010) -----------------------------------------


@pytest.fixture
def legacy_chain(db):
    """A log as main wrote it before issue 20: plain SHA-256, no key on the head."""
    city = area_create(actor=None, parent=None, code="310000000000", name="上海市", level="city")
    area_rename(actor=None, area=city, name="沪")
    lift_guard()
    entries = list(AuditEntry.objects.order_by("id"))
    last = rechain_plainly(entries, GENESIS)
    AuditHead.objects.update(last_hash=last, key_id="")
    return city, entries


def test_a_legacy_chain_is_sealed_by_a_key_change_entry(legacy_chain):
    city, legacy = legacy_chain
    assert audit_verify().ok and audit_verify().legacy == len(legacy)
    area_rename(actor=None, area=city, name="上海市")
    entries = list(AuditEntry.objects.order_by("id"))
    seal = entries[len(legacy)]
    assert seal.action == AuditEntry.Action.KEY_CHANGE
    assert seal.changes["previous_key_id"] == "sha256" and seal.prev_hash == legacy[-1].hash
    assert audit_verify().ok


def test_rewriting_a_sealed_legacy_chain_is_caught_at_the_seal(legacy_chain):
    city, legacy = legacy_chain
    area_rename(actor=None, area=city, name="上海市")
    legacy[0].target_label = "改过的"
    AuditEntry.objects.filter(pk=legacy[0].pk).update(target_label="改过的")
    rechain_plainly(legacy, GENESIS)
    seal = AuditEntry.objects.filter(action=AuditEntry.Action.KEY_CHANGE).get()
    result = audit_verify()
    assert not result.ok and result.first_bad_id == seal.pk and result.reason == "prev_hash"


# ---- archive ------------------------------------------------------------------------------------


def test_archive_moves_old_entries_to_a_signed_segment(checkpointed, capsys):
    cut = checkpointed[4]
    archived = evidence.audit_archive(actor=None, before=cut.at)
    assert archived.first == 1 and 1 <= archived.count <= 4
    assert not AuditEntry.objects.filter(pk__lte=checkpointed[archived.count - 1].pk).exists()
    last = AuditEntry.objects.order_by("-id").first()
    assert last.action == AuditEntry.Action.ARCHIVE and last.changes["count"] == archived.count
    result = audit_verify()
    assert result.ok and result.segments == 1 and result.checked == len(checkpointed) + 1
    call_command("audit", "verify")
    assert "归档段 1 个" in capsys.readouterr().out


def test_a_changed_segment_fails(checkpointed):
    archived = evidence.audit_archive(actor=None, before=checkpointed[4].at)
    lines = archived.path.read_text().splitlines()
    lines[0] = lines[0].replace('"actor_label":"system"', '"actor_label":"someone"')
    archived.path.write_text("\n".join(lines) + "\n")
    result = audit_verify()
    assert not result.ok and result.reason == "segment"
    assert "归档段" in verify_fails()


def test_a_missing_segment_fails(checkpointed):
    archived = evidence.audit_archive(actor=None, before=checkpointed[4].at)
    archived.path.unlink()
    result = audit_verify()
    assert not result.ok and result.reason == "segment_missing"
    assert "链首" in verify_fails()


def test_archive_needs_entries_before_the_date(chain):
    with pytest.raises(evidence.EvidenceError):
        evidence.audit_archive(actor=None, before=chain[0].at)
    with pytest.raises(CommandError):
        call_command("audit", "archive", "--before", "2000-01-01")


# ---- grants -------------------------------------------------------------------------------------


def test_grants_report_on_this_database(db, capsys):
    checks = evidence.grants_report()
    if connection.vendor == "postgresql":
        # The test runner connects as the tables' owner, a superuser: not in force.
        failed = {c.name for c in checks if c.ok is False}
        assert any("superuser" in name for name in failed)
        assert any("not owned by" in name for name in failed)
        assert any("no DELETE" in name for name in failed)
        with pytest.raises(CommandError):
            call_command("audit", "grants")
        assert "FAIL" in capsys.readouterr().out
    else:
        assert any(c.ok is None for c in checks)
        assert any("no_update" in c.name and c.ok for c in checks)


def test_grants_in_force_for_an_application_role(db, capsys):
    if connection.vendor != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's")
    import os

    role = f"jiceng_evidence_app_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT SELECT, INSERT ON core_auditentry TO {role}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE ON core_audithead TO {role}")
        cursor.execute(f"SET ROLE {role}")
    try:
        checks = evidence.grants_report()
        call_command("audit", "grants")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert "FAIL" not in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT DELETE ON core_auditentry TO {role}")
        cursor.execute(f"SET ROLE {role}")
    try:
        checks = evidence.grants_report()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert [c.name for c in checks if c.ok is False] == ["core_auditentry: no DELETE"]


# ---- batches ------------------------------------------------------------------------------------


def test_verify_is_a_subcommand(db):
    with pytest.raises(CommandError):
        call_command("audit")


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
