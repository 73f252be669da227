"""The categories (诉求类别) and their deadlines: city-wide configuration."""

import re
from dataclasses import dataclass

from django.db import transaction

from jiceng.appeals.errors import (
    MSG_CATEGORY,
    MSG_CATEGORY_CODE,
    MSG_CATEGORY_CODE_TAKEN,
    MSG_CATEGORY_GROUP,
    MSG_CATEGORY_NAME,
    MSG_REOPEN_DAYS,
    MSG_RESOLUTION_AMOUNT,
    MSG_RESOLUTION_BEFORE_RESPONSE,
    MSG_RESOLUTION_UNIT,
    MSG_RESPONSE_HOURS,
    conflict,
    invalid,
)
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.models import Category
from jiceng.core.access import require_manage_area
from jiceng.core.audit import audit_record
from jiceng.core.models import Area, AuditEntry
from jiceng.core.types import Actor
from jiceng.core.validators import clean_text


@dataclass
class CategoryFacts:
    name: str
    group: str
    response_hours: int
    resolution_amount: int
    resolution_unit: str
    reopen_days: int = 7
    description: str = ""
    is_mediation: bool = False
    is_active: bool = True
    sort: int = 0


def _require_city(actor: Actor) -> None:
    """Categories and their deadlines hold for the whole city: only who manages the city
    (the root area) may change them."""
    root = Area.objects.filter(parent__isnull=True).order_by("id").first()
    if root is None:
        raise invalid(MSG_CATEGORY, Code.NO_CITY, "category")
    require_manage_area(actor, root)


def check_category(facts: CategoryFacts) -> dict:
    """The category's fields as stored, or ValidationFailed naming the field: what every
    way of editing a category (the setup pages, the admin) checks before it writes."""
    name = clean_text(facts.name)
    if not name or len(name) > 50:
        raise invalid(MSG_CATEGORY_NAME, Code.CATEGORY_NAME, "name")
    group = clean_text(facts.group)
    if not group or len(group) > 30:
        raise invalid(MSG_CATEGORY_GROUP, Code.CATEGORY_GROUP, "group")
    if not (isinstance(facts.response_hours, int) and 1 <= facts.response_hours <= 720):
        raise invalid(MSG_RESPONSE_HOURS, Code.RESPONSE_HOURS, "response_hours")
    if not (isinstance(facts.resolution_amount, int) and 1 <= facts.resolution_amount <= 365):
        raise invalid(MSG_RESOLUTION_AMOUNT, Code.RESOLUTION_AMOUNT, "resolution_amount")
    if facts.resolution_unit not in Category.DeadlineUnit.values:
        raise invalid(MSG_RESOLUTION_UNIT, Code.RESOLUTION_UNIT, "resolution_unit")
    if (
        facts.resolution_unit == Category.DeadlineUnit.HOURS
        and facts.resolution_amount < facts.response_hours
    ):
        raise invalid(
            MSG_RESOLUTION_BEFORE_RESPONSE, Code.RESOLUTION_BEFORE_RESPONSE, "resolution_amount"
        )
    if not (isinstance(facts.reopen_days, int) and 0 <= facts.reopen_days <= 90):
        raise invalid(MSG_REOPEN_DAYS, Code.REOPEN_DAYS, "reopen_days")
    return {
        "name": name,
        "group": group,
        "description": clean_text(facts.description)[:200],
        "response_hours": facts.response_hours,
        "resolution_amount": facts.resolution_amount,
        "resolution_unit": facts.resolution_unit,
        "reopen_days": facts.reopen_days,
        "is_mediation": bool(facts.is_mediation),
        "is_active": bool(facts.is_active),
        "sort": max(0, min(int(facts.sort or 0), 32767)),
    }


@transaction.atomic
def category_create(*, actor: Actor, code: str, facts: CategoryFacts) -> Category:
    """A new category. Its code is also its Open311 service_code, so it never changes."""
    _require_city(actor)
    code = (code or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{1,39}", code):
        raise invalid(MSG_CATEGORY_CODE, Code.CATEGORY_CODE, "code")
    if Category.objects.filter(code=code).exists():
        raise conflict(MSG_CATEGORY_CODE_TAKEN, Code.CATEGORY_CODE_TAKEN, "code")
    category = Category.objects.create(code=code, **check_category(facts))
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=category, changes={"code": code}
    )
    return category


@transaction.atomic
def category_update(*, actor: Actor, category: Category, facts: CategoryFacts) -> Category:
    """New deadlines apply to cases received from now on; running cases keep theirs."""
    _require_city(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    values = check_category(facts)
    changes = {
        key: {"old": getattr(category, key), "new": value}
        for key, value in values.items()
        if getattr(category, key) != value
    }
    if changes:
        for key, value in values.items():
            setattr(category, key, value)
        category.save(update_fields=list(values))
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, target=category, changes=changes)
    return category
