"""Writes to the territory tree. Every write checks access, runs in one transaction and
leaves an audit entry."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from jiceng.core import area_counts, tree_rollups
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.errors import Conflict, CoreErrorCode, ValidationFailed
from jiceng.core.inputs import max_length_of
from jiceng.core.models import Area, AuditEntry, Job, StandardAddress, area_path
from jiceng.core.types import Actor

MSG_CODE_FORMAT = _("区划代码格式不正确")
MSG_CODE_TAKEN = _("该区划代码已存在")
MSG_NAME_REQUIRED = _("请填写名称")
MSG_LEVEL_ORDER = _("下级区域的层级不正确")
MSG_CODE_PREFIX = _("区划代码应以上级区域代码开头")
MSG_MOVE_INTO_SELF = _("不能移动到自身或其下级区域之下")
MSG_MOVE_LEVEL = _("只能移动到同一层级的另一个上级区域之下")

# Code lengths per level: 12-digit statistical codes down to community, +3 digits below.
CODE_LENGTH = {
    "city": 12,
    "district": 12,
    "street": 12,
    "community": 12,
    "grid": 15,
    "building": 18,
}
# Length of the significant prefix a child must share with its parent.
PARENT_PREFIX = {"district": 2, "street": 6, "community": 9, "grid": 12, "building": 15}


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    level: str


def _validate(spec: AreaSpec, parent: Area | None) -> None:
    if not spec.name.strip():
        raise ValidationFailed(
            MSG_NAME_REQUIRED, field="name", code=CoreErrorCode.AREA_NAME_REQUIRED
        )
    if spec.level not in CODE_LENGTH:
        raise ValidationFailed(MSG_LEVEL_ORDER, field="level", code=CoreErrorCode.AREA_LEVEL_ORDER)
    if not re.fullmatch(rf"\d{{{CODE_LENGTH[spec.level]}}}", spec.code):
        raise ValidationFailed(MSG_CODE_FORMAT, field="code", code=CoreErrorCode.AREA_CODE_FORMAT)
    expected_parent_level = (
        None if spec.level == "city" else Area.LEVEL_ORDER[Area.LEVEL_ORDER.index(spec.level) - 1]
    )
    if (parent.level if parent else None) != expected_parent_level:
        raise ValidationFailed(MSG_LEVEL_ORDER, field="parent", code=CoreErrorCode.AREA_LEVEL_ORDER)
    if parent is not None:
        keep = PARENT_PREFIX[spec.level]
        if spec.code[:keep] != parent.code[:keep]:
            raise ValidationFailed(
                MSG_CODE_PREFIX, field="code", code=CoreErrorCode.AREA_CODE_PREFIX
            )


@transaction.atomic
def area_create(*, actor: Actor, parent: Area | None, code: str, name: str, level: str) -> Area:
    """Create one node under `parent` (None only for a city)."""
    spec = AreaSpec(code=code.strip(), name=name.strip(), level=level)
    if parent is not None:
        require_manage_area(actor, parent)
    elif actor is not None and not actor.is_superuser:
        raise ValidationFailed(MSG_LEVEL_ORDER, field="parent", code=CoreErrorCode.AREA_LEVEL_ORDER)
    _validate(spec, parent)
    if Area.objects.filter(code=spec.code).exists():
        raise Conflict(MSG_CODE_TAKEN, field="code", code=CoreErrorCode.AREA_CODE_TAKEN)
    area = Area.objects.create(
        code=spec.code,
        name=spec.name,
        level=spec.level,
        parent=parent,
        path=area_path(parent, spec.code),
        depth=(parent.depth + 1) if parent else 0,
    )
    area_counts.added([area])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=area,
        changes={"code": spec.code, "name": spec.name, "level": spec.level},
    )
    return area


@transaction.atomic
def area_rename(*, actor: Actor, area: Area, name: str) -> Area:
    require_manage_area(actor, area)
    name = name.strip()
    if not name:
        raise ValidationFailed(
            MSG_NAME_REQUIRED, field="name", code=CoreErrorCode.AREA_NAME_REQUIRED
        )
    old = area.name
    area.name = name
    area.save(update_fields=["name"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=area,
        changes={"name": {"old": old, "new": name}},
    )
    return area


# What other apps keep that follows from an area's ancestors (a case's street and
# community): each listener gets the area just moved, re-pathed, in the move's
# transaction (apps register in ready(), as with the other registries).
_AREA_MOVED: list[Callable[[Area], None]] = []


def on_area_moved(listener: Callable[[Area], None]) -> None:
    _AREA_MOVED.append(listener)


@transaction.atomic
def area_move(*, actor: Actor, area: Area, new_parent: Area) -> Area:
    """Move a subtree under another parent of the same level; every path below follows.

    Codes stay what they are (they are the official codes); only paths change, in one
    UPDATE for the whole subtree."""
    require_manage_area(actor, area)
    require_manage_area(actor, new_parent)
    if new_parent.path.startswith(area.path):
        raise ValidationFailed(
            MSG_MOVE_INTO_SELF, field="parent", code=CoreErrorCode.AREA_MOVE_INTO_SELF
        )
    if area.parent is None or new_parent.level != area.parent.level:
        raise ValidationFailed(MSG_MOVE_LEVEL, field="parent", code=CoreErrorCode.AREA_MOVE_LEVEL)
    old_path = area.path
    new_path = area_path(new_parent, area.code)
    # Lock the subtree rows so a concurrent move cannot interleave.
    list(Area.objects.select_for_update().filter(path__startswith=old_path).values_list("id"))
    Area.objects.filter(path__startswith=old_path).update(
        path=Concat(
            Value(new_path), Substr(F("path"), len(old_path) + 1), output_field=CharField()
        ),
        depth=F("depth") + (new_parent.depth + 1 - area.depth),
    )
    old_parent_id = area.parent_id
    Area.objects.filter(pk=area.pk).update(parent=new_parent)
    area.refresh_from_db()
    tree_rollups.area_moved(
        area_id=area.pk, old_parent_id=old_parent_id, new_parent_id=new_parent.pk
    )
    for listener in _AREA_MOVED:
        listener(area)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.MOVE,
        target=area,
        changes={
            "parent": {"old": old_parent_id, "new": new_parent.pk},
            "path": {"old": old_path, "new": new_path},
        },
    )
    return area


def area_bulk_create(
    *,
    actor: Actor,
    parent_by_code: dict[str, Area],
    specs: Iterable[tuple[str, AreaSpec]],
    batch_size: int = 2000,
    validate: bool = True,
) -> int:
    """Create many nodes at once (the demo, imports of official division lists).

    `specs` yields (parent_code, spec); parents must exist or come earlier in `specs`.
    One audit entry records the batch. Returns the number created."""
    created = 0
    with transaction.atomic():
        buffer: list[Area] = []
        checked_parents: set[int] = set()

        def flush() -> None:
            nonlocal created
            if not buffer:
                return
            Area.objects.bulk_create(buffer, batch_size=batch_size)
            # Reload by code so that later rows can hang under the ones just written.
            written = list(Area.objects.filter(code__in=[a.code for a in buffer]))
            for row in written:
                parent_by_code[row.code] = row
            area_counts.added(written)
            created += len(buffer)
            buffer.clear()

        for parent_code, spec in specs:
            parent = parent_by_code.get(parent_code)
            if parent is None:
                flush()
                parent = parent_by_code[parent_code]
            if parent.pk not in checked_parents:
                require_manage_area(actor, parent)
                checked_parents.add(parent.pk)
            if validate:
                _validate(spec, parent)
            buffer.append(
                Area(
                    code=spec.code,
                    name=spec.name,
                    level=spec.level,
                    parent=parent,
                    path=area_path(parent, spec.code),
                    depth=parent.depth + 1,
                )
            )
            if len(buffer) >= batch_size:
                flush()
        flush()
        if created:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.BULK_CREATE,
                target_type="core.area",
                target_label=f"{created} areas",
                changes={"count": created},
            )
    return created


MSG_ADDRESS_BUILDING = _("标准地址应对应到楼栋")
MSG_ADDRESS_TAKEN = _("该标准地址已对应到其他楼栋")
MSG_ADDRESS_LONG = _("标准地址不能超过200个字")


def standard_address_bulk_create(
    *, actor: Actor, rows: Iterable[tuple[Area, str]], batch_size: int = 2000
) -> int:
    """Map many standard addresses to their buildings (a street setting up its grids).
    An address already mapped to the same building is left as it is; mapped to another
    one, it is refused. One audit entry for the batch; returns the number created."""
    wanted: dict[str, Area] = {}
    checked: set[int] = set()
    with transaction.atomic():
        for building, text in rows:
            if building.pk not in checked:
                require_manage_area(actor, building)
                checked.add(building.pk)
            if building.level != Area.Level.BUILDING:
                raise ValidationFailed(
                    MSG_ADDRESS_BUILDING, field="building", code=CoreErrorCode.ADDRESS_BUILDING
                )
            if len(text) > max_length_of(StandardAddress, "text"):
                raise ValidationFailed(
                    MSG_ADDRESS_LONG, field="address", code=CoreErrorCode.ADDRESS_LONG
                )
            if wanted.get(text, building).pk != building.pk:
                raise Conflict(MSG_ADDRESS_TAKEN, field="address", code=CoreErrorCode.ADDRESS_TAKEN)
            wanted[text] = building
        texts = sorted(wanted)
        existing: dict[str, int] = {}
        for start in range(0, len(texts), 5000):
            existing.update(
                StandardAddress.objects.filter(text__in=texts[start : start + 5000]).values_list(
                    "text", "building_id"
                )
            )
        if any(existing[t] != wanted[t].pk for t in existing):
            raise Conflict(MSG_ADDRESS_TAKEN, field="address", code=CoreErrorCode.ADDRESS_TAKEN)
        new = [StandardAddress(building=b, text=t) for t, b in wanted.items() if t not in existing]
        StandardAddress.objects.bulk_create(new, batch_size=batch_size)
        if new:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.BULK_CREATE,
                target_type="core.standardaddress",
                target_label=f"{len(new)} addresses",
                changes={"count": len(new)},
            )
    return len(new)


# ---- the audit log's own export ------------------------------------------------------------

AUDIT_EXPORT_MAX_ROWS = 50_000
AUDIT_EXPORT_COLUMNS = [
    _("编号"), _("时间"), _("操作人"), _("操作"),
    _("对象类型"), _("对象编号"), _("对象"), _("变更内容"),
]  # fmt: skip


def audit_entry_display(entry: AuditEntry) -> dict:
    """An entry as the audit page and its export show it: a person's name in the target
    masked (the entry's id leads to the record for those who may open it); `changes`
    never holds personal data in clear (core.audit)."""
    import json

    from django.utils import timezone

    from jiceng.core.masking import mask_name

    label = entry.target_label
    changes = entry.changes
    if entry.target_type in PERSON_TARGETS:
        label = mask_name(label)
        changes = _mask_names(changes, mask_name)
    return {
        "id": entry.pk,
        "at": timezone.localtime(entry.at),
        "actor": entry.actor_label,
        "action": entry.action,
        "action_display": entry.get_action_display(),
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_label": label,
        "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True),
    }


# Entries about a person, whose name is masked wherever the audit page shows it.
PERSON_TARGETS = frozenset({"members.member", "accounts.user"})
NAME_KEYS = frozenset({"name", "full_name", "contact_name"})


def _mask_names(value, mask):
    if isinstance(value, dict):
        return {
            key: (_mask_all(item, mask) if key in NAME_KEYS else _mask_names(item, mask))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_mask_names(item, mask) for item in value]
    return value


def _mask_all(value, mask):
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: _mask_all(item, mask) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_all(item, mask) for item in value]
    return value


@transaction.atomic
def audit_export(*, actor: Actor, filters, progress=None) -> bytes:
    """What the audit page shows, as a workbook (masked like the page, text as text,
    the exporter, time and filters in every sheet's header and footer), itself audited.
    `progress(done, total)` is told as rows are written (the background job's)."""
    import io

    import xlsxwriter
    from django.utils import timezone

    from jiceng.core.exports import apply_watermark
    from jiceng.core.selectors import audit_entry_list

    entries = audit_entry_list(viewer=actor, filters=filters)[:AUDIT_EXPORT_MAX_ROWS]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False},
    )
    sheet = book.add_worksheet(str(_("审计日志")))
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, [str(c) for c in AUDIT_EXPORT_COLUMNS], bold)
    rows = 0
    total = entries.count() if progress is not None else None
    for rows, entry in enumerate(entries.iterator(chunk_size=2000), start=1):
        if progress is not None:
            progress(rows - 1, total)
        shown = audit_entry_display(entry)
        sheet.write_number(rows, 0, shown["id"])
        sheet.write_string(rows, 1, shown["at"].strftime("%Y-%m-%d %H:%M:%S"))
        for column, name in enumerate(
            ("actor", "action_display", "target_type", "target_id", "target_label", "changes"),
            start=2,
        ):
            sheet.write_string(rows, column, str(shown[name]))
    asked = {k: v for k, v in vars(filters).items() if v not in ("", None)}
    apply_watermark(book, [sheet], actor=actor, at=timezone.now(), purpose="", note="")
    book.close()
    if progress is not None:
        progress(rows, total)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        target_type="core.auditentry",
        target_label=str(_("审计日志")),
        changes={"export": "audit", "rows": rows, "filters": asked},
    )
    return buffer.getvalue()


# The kind core.audit_jobs registers with core.jobs.
KIND_AUDIT_EXPORT = "core.audit_export"


def audit_export_submit(*, actor: Actor, filters) -> Job:
    """Queue the audit export as a background job (a district's year of entries is
    more than a request should wait for). Whether the actor may read the log at all is
    checked now (NotFound otherwise), and again when the job runs, in their territory as
    it is then; the export's own audit entry is written by the job, as audit_export."""
    from dataclasses import asdict

    from jiceng.core.jobs import job_submit
    from jiceng.core.selectors import audit_entry_list

    audit_entry_list(viewer=actor, filters=filters)
    params = asdict(filters)
    asked = {k: v for k, v in params.items() if v not in ("", None)}
    return job_submit(actor=actor, kind=KIND_AUDIT_EXPORT, params=params, audit={"filters": asked})
