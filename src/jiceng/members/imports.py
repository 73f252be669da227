"""Importing a roster: validate every row, report row by row, commit all or nothing.

The rules are those of a single registration (`services.clean_member_facts`), so a row
passes the import exactly when the same person would pass the form. Uploading the same
file again changes nothing: people already registered in the org are counted as
unchanged; someone registered in another org is an error that points to a transfer.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from jiceng.core.audit import audit_record
from jiceng.core.errors import ValidationFailed
from jiceng.core.models import Area, AuditEntry
from jiceng.members import access, excel, services
from jiceng.members.models import Member
from jiceng.members.services._common import check_org
from jiceng.orgs.models import PartyOrg

BATCH = 2000
MSG_DUPLICATE_IN_FILE = _("与第 {row} 行的身份证号重复")
MSG_OTHER_ORG = _("该身份证号已在其他组织登记，请走组织关系转接")
MSG_BAD_DATE = _("日期无法识别，请写成 2010-07-01 的形式")
MSG_BAD_CHOICE = _("无法识别“{value}”")
MSG_RESIDENCE = _("本街道没有名为“{value}”的社区")
MSG_RACE = _("导入期间有人登记了文件中的党员，请重新上传")
MAX_REPORTED_ERRORS = 1000


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    sha256: str = ""
    # Signature and note lines under the table, skipped: (row, text).
    notes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# Which column to name when a service rule fails on a field.
FIELD_COLUMN = {
    "name": "name",
    "id_number": "id_number",
    "gender": "gender",
    "birth_date": "birth_date",
    "ethnicity": "ethnicity",
    "education": "education",
    "status": "status",
    "category": "category",
    "joined_on": "joined_on",
    "full_on": "full_on",
    "phone": "phone",
}


def _column_label(roster: excel.Roster, field_name: str) -> str:
    index = roster.columns.get(field_name)
    if index is not None and index < len(roster.headers) and roster.headers[index]:
        return roster.headers[index]
    return excel.LABELS.get(field_name, field_name)


def _cell(roster: excel.Roster, cells: list, field_name: str):
    index = roster.columns.get(field_name)
    return cells[index] if index is not None and index < len(cells) else None


def _row_facts(roster, cells) -> tuple[services.MemberFacts | None, str, str]:
    """Facts of one row; or (None, field, message) for a cell that cannot be read."""
    dates = {}
    for name in ("birth_date", "joined_on", "full_on"):
        try:
            dates[name] = excel.parse_date(_cell(roster, cells, name))
        except (ValueError, OverflowError):
            return None, name, str(MSG_BAD_DATE)
    chosen = {}
    for name, mapping, default in (
        ("gender", excel.GENDER, ""),
        ("status", excel.STATUS, ""),
        ("category", excel.CATEGORY, "retired"),
        ("education", excel.EDUCATION, ""),
    ):
        value = excel.choice(mapping, _cell(roster, cells, name), default=default)
        if value.startswith("?"):
            return None, name, str(MSG_BAD_CHOICE).format(value=value[1:])
        chosen[name] = value
    status = chosen["status"] or ("full" if dates["full_on"] else "probationary")
    facts = services.MemberFacts(
        name=excel.cell_text(_cell(roster, cells, "name")),
        id_number=excel.cell_text(_cell(roster, cells, "id_number")),
        ethnicity=excel.cell_text(_cell(roster, cells, "ethnicity")) or "汉族",
        education=chosen["education"],
        joined_on=dates["joined_on"],
        status=status,
        category=chosen["category"],
        gender=chosen["gender"],
        birth_date=dates["birth_date"],
        full_on=dates["full_on"],
        phone=excel.cell_text(_cell(roster, cells, "phone")),
        work_unit_name=excel.cell_text(_cell(roster, cells, "work_unit_name")),
        post=excel.cell_text(_cell(roster, cells, "post")),
    )
    return facts, "", ""


def _street_communities(org: PartyOrg) -> dict[str, Area]:
    parts = org.area.path.split("/")
    street_path = "/".join(parts[:3]) + "/" if len(parts) > 3 else org.area.path
    return {
        a.name: a
        for a in Area.objects.filter(level=Area.Level.COMMUNITY, path__startswith=street_path)
    }


def member_import(
    *,
    actor,
    org: PartyOrg,
    data: bytes,
    filename: str = "",
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportReport:
    """Validate the whole file; write it only if every row is right. `progress(done,
    total)` hears of each row checked (the background job's progress), then of the end."""
    access.require_manage_org_members(actor, org)
    check_org(org)
    report = ImportReport(sha256=hashlib.sha256(data).hexdigest())
    roster = excel.read_roster(data)
    report.rows = len(roster.rows)
    report.notes = roster.notes
    communities = _street_communities(org) if "residence" in roster.columns else {}
    cleaned: list[tuple[int, services.MemberFacts, Area | None]] = []
    seen: dict[str, int] = {}

    def fail(row: int, field_name: str, message: str) -> None:
        if len(report.errors) < MAX_REPORTED_ERRORS:
            report.errors.append(RowError(row, _column_label(roster, field_name), message))

    for checked, (row_number, cells) in enumerate(roster.rows):
        if progress is not None:
            progress(checked, report.rows)
        facts, bad_field, message = _row_facts(roster, cells)
        if facts is None:
            fail(row_number, bad_field, message)
            continue
        try:
            facts = services.clean_member_facts(facts)
        except ValidationFailed as error:
            fail(row_number, FIELD_COLUMN.get(error.field or "", "name"), str(error.message))
            continue
        if facts.id_number in seen:
            fail(
                row_number,
                "id_number",
                str(MSG_DUPLICATE_IN_FILE).format(row=seen[facts.id_number]),
            )
            continue
        seen[facts.id_number] = row_number
        residence = None
        residence_name = excel.cell_text(_cell(roster, cells, "residence"))
        if residence_name:
            residence = communities.get(residence_name)
            if residence is None:
                fail(row_number, "residence", str(MSG_RESIDENCE).format(value=residence_name))
                continue
        cleaned.append((row_number, facts, residence))

    # People already registered: in this org they are unchanged; elsewhere an error.
    indexes = {services.id_number_index(f.id_number): (row, f) for row, f, _r in cleaned}
    existing: dict[str, int] = {}
    keys = list(indexes)
    for start in range(0, len(keys), 5000):
        existing.update(
            Member.objects.filter(id_number_index__in=keys[start : start + 5000]).values_list(
                "id_number_index", "org_id"
            )
        )
    to_create = []
    for row_number, facts, residence in cleaned:
        org_id = existing.get(services.id_number_index(facts.id_number))
        if org_id is None:
            to_create.append((facts, residence))
        elif org_id == org.pk:
            report.unchanged += 1
        else:
            fail(row_number, "id_number", str(MSG_OTHER_ORG))
    report.errors.sort(key=lambda e: e.row)
    if report.errors or not to_create:
        return _checked(report, progress)
    try:
        report.created = _commit(actor=actor, org=org, rows=to_create, report=report, name=filename)
    except IntegrityError:
        # Someone registered one of these people while the file was being checked.
        report.errors.append(RowError(0, excel.LABELS["id_number"], str(MSG_RACE)))
    return _checked(report, progress)


def _checked(report: ImportReport, progress) -> ImportReport:
    if progress is not None:
        progress(report.rows, report.rows)
    return report


@transaction.atomic
def _commit(*, actor, org, rows, report: ImportReport, name: str) -> int:
    """Write every row through the bulk registration, then one audit entry for the file."""
    created = services.member_bulk_register(
        actor=actor,
        org=org,
        rows=rows,
        note=str(_("Excel 导入")),
        data={"org": org.pk, "import": report.sha256[:16]},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.BULK_CREATE,
        target=org,
        changes={
            "import": "members",
            "file": name[:100],
            "sha256": report.sha256,
            "rows": report.rows,
            "created": created,
            "unchanged": report.unchanged,
        },
    )
    return created
