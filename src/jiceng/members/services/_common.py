"""What the member services share: the facts of one member and their checks, the
personal numbers' keys, and the checks of an org and a residence."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from jiceng.core import crypto
from jiceng.core.audit import snapshot
from jiceng.core.errors import ValidationFailed
from jiceng.core.inputs import check_model_text
from jiceng.core.masking import mask_id_number, mask_phone
from jiceng.core.models import Area
from jiceng.core.validators import (
    id_number_birth_date,
    id_number_gender,
    normalize_text,
    validate_contact_phone,
    validate_id_number,
)
from jiceng.members.errors import (
    MSG_BIRTH_MISMATCH,
    MSG_CATEGORY,
    MSG_DATE_FUTURE,
    MSG_EDUCATION,
    MSG_ETHNICITY,
    MSG_FULL_BEFORE_JOINED,
    MSG_FULL_REQUIRED,
    MSG_GENDER,
    MSG_GENDER_MISMATCH,
    MSG_JOINED,
    MSG_JOINED_AGE,
    MSG_JOINED_FUTURE,
    MSG_NAME,
    MSG_ORG_CLOSED,
    MSG_ORG_GROUP,
    MSG_PROBATIONARY_FULL_ON,
    MSG_RESIDENCE_LEVEL,
    MSG_STATUS,
)
from jiceng.members.errors import MemberErrorCode as Code
from jiceng.members.ethnicities import normalize_ethnicity
from jiceng.members.models import (
    Member,
)
from jiceng.orgs.models import PartyOrg, Unit

ID_PURPOSE = "member.id_number"
PHONE_PURPOSE = "member.phone"

# Fields kept in the audit snapshot; personal numbers appear masked only.
MEMBER_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "joined_on",
    "full_on",
    "status",
    "category",
    "org",
    "residence_community",
    "work_unit",
    "work_unit_name",
    "post",
)
MEMBER_ORG_KINDS = {"committee", "working_committee", "general_branch", "branch", "joint_branch"}
# The choices as sets: `TextChoices.values` builds a new list on every call, which a
# roster of a million rows notices.
GENDERS = frozenset(Member.Gender.values)
EDUCATIONS = frozenset(Member.Education.values)
STATUSES = frozenset(Member.Status.values)
CATEGORIES = frozenset(Member.Category.values)


@dataclass
class MemberFacts:
    """Validated facts of one member, as a form, the API or an import row gives them."""

    name: str
    id_number: str
    ethnicity: str
    education: str
    joined_on: datetime.date | None
    status: str
    category: str
    gender: str = ""
    birth_date: datetime.date | None = None
    full_on: datetime.date | None = None
    phone: str = ""
    work_unit_name: str = ""
    post: str = ""


def clean_member_facts(facts: MemberFacts, *, today: datetime.date | None = None) -> MemberFacts:
    """Validate and normalize. Raises ValidationFailed naming the first bad field.

    Gender and birth date may be left blank: the ID number gives them; when given they
    must agree with it.
    """
    today = today or timezone.localdate()
    # The input policy (core.inputs) for pages, API, imports and bulk recording alike.
    name = check_model_text(Member, "name", facts.name, kind="name")
    if not name:
        raise ValidationFailed(MSG_NAME, field="name", code=Code.NAME_REQUIRED)
    number = validate_id_number(facts.id_number, today=today)
    gender = facts.gender or id_number_gender(number)
    if gender not in GENDERS:
        raise ValidationFailed(MSG_GENDER, field="gender", code=Code.BAD_GENDER)
    if gender != id_number_gender(number):
        raise ValidationFailed(MSG_GENDER_MISMATCH, field="gender", code=Code.GENDER_MISMATCH)
    birth = facts.birth_date or id_number_birth_date(number)
    if birth != id_number_birth_date(number):
        raise ValidationFailed(MSG_BIRTH_MISMATCH, field="birth_date", code=Code.BIRTH_MISMATCH)
    ethnicity = normalize_ethnicity(facts.ethnicity)
    if ethnicity is None:
        raise ValidationFailed(MSG_ETHNICITY, field="ethnicity", code=Code.BAD_ETHNICITY)
    if facts.education not in EDUCATIONS:
        raise ValidationFailed(MSG_EDUCATION, field="education", code=Code.BAD_EDUCATION)
    if facts.status not in STATUSES:
        raise ValidationFailed(MSG_STATUS, field="status", code=Code.BAD_STATUS)
    if facts.category not in CATEGORIES:
        raise ValidationFailed(MSG_CATEGORY, field="category", code=Code.BAD_CATEGORY)
    if facts.joined_on is None:
        raise ValidationFailed(MSG_JOINED, field="joined_on", code=Code.JOINED_REQUIRED)
    if facts.joined_on > today:
        raise ValidationFailed(MSG_JOINED_FUTURE, field="joined_on", code=Code.JOINED_FUTURE)
    eighteenth = _add_years(birth, 18)
    if facts.joined_on < eighteenth:
        raise ValidationFailed(MSG_JOINED_AGE, field="joined_on", code=Code.JOINED_UNDER_18)
    if facts.status == Member.Status.FULL:
        if facts.full_on is None:
            raise ValidationFailed(MSG_FULL_REQUIRED, field="full_on", code=Code.FULL_REQUIRED)
        if facts.full_on <= facts.joined_on:
            raise ValidationFailed(
                MSG_FULL_BEFORE_JOINED, field="full_on", code=Code.FULL_BEFORE_JOINED
            )
        if facts.full_on > today:
            raise ValidationFailed(MSG_DATE_FUTURE, field="full_on", code=Code.DATE_FUTURE)
    elif facts.full_on is not None:
        raise ValidationFailed(
            MSG_PROBATIONARY_FULL_ON, field="full_on", code=Code.PROBATIONARY_FULL_ON
        )
    phone = validate_contact_phone(facts.phone) if normalize_text(facts.phone or "") else ""
    return MemberFacts(
        name=name,
        id_number=number,
        ethnicity=ethnicity,
        education=facts.education,
        joined_on=facts.joined_on,
        status=facts.status,
        category=facts.category,
        gender=gender,
        birth_date=birth,
        full_on=facts.full_on,
        phone=phone,
        work_unit_name=check_model_text(Member, "work_unit_name", facts.work_unit_name),
        post=check_model_text(Member, "post", facts.post),
    )


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def id_number_index(number: str) -> str:
    return crypto.blind_index(number, purpose=ID_PURPOSE)


def check_org(org: PartyOrg) -> None:
    if org.closed_on is not None:
        raise ValidationFailed(MSG_ORG_CLOSED, field="org", code=Code.ORG_CLOSED)
    if org.kind not in MEMBER_ORG_KINDS:
        raise ValidationFailed(MSG_ORG_GROUP, field="org", code=Code.ORG_TAKES_NO_MEMBERS)


def check_residence(area: Area | None) -> None:
    if area is not None and area.level != Area.Level.COMMUNITY:
        raise ValidationFailed(
            MSG_RESIDENCE_LEVEL, field="residence_community", code=Code.RESIDENCE_LEVEL
        )


def _member_snapshot(member: Member) -> dict:
    data = snapshot(member, MEMBER_FIELDS)
    data["id_number"] = mask_id_number(crypto.decrypt(member.id_number_encrypted))
    data["phone"] = mask_phone(crypto.decrypt(member.phone_encrypted))
    return data


def build_member(
    facts: MemberFacts,
    *,
    org: PartyOrg,
    residence_community: Area | None = None,
    work_unit: Unit | None = None,
) -> Member:
    """An unsaved Member from cleaned facts; the bulk import saves many at once."""
    return Member(
        name=facts.name,
        gender=facts.gender,
        ethnicity=facts.ethnicity,
        birth_date=facts.birth_date,
        id_number_encrypted=crypto.encrypt(facts.id_number),
        id_number_index=id_number_index(facts.id_number),
        phone_encrypted=crypto.encrypt(facts.phone) if facts.phone else "",
        phone_index=crypto.blind_index(facts.phone, purpose=PHONE_PURPOSE) if facts.phone else "",
        education=facts.education,
        joined_on=facts.joined_on,
        full_on=facts.full_on,
        status=facts.status,
        category=facts.category,
        org=org,
        residence_community=residence_community,
        work_unit=work_unit,
        work_unit_name=facts.work_unit_name or (work_unit.name if work_unit else ""),
        post=facts.post,
    )
