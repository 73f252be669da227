"""The configuration pages' writes (办理设置) in the JSON API: routing rules, handling
units and their handlers, categories and their deadlines. The same services as the pages
(appeals.setup_views), which check access again and write the audit row; the same forms
parse the input, so the refusals are the pages'. Out of the viewer's territory is 404."""

from ninja import Router, Schema, Status

from jiceng.appeals import schemas, selectors, services, setup_forms
from jiceng.appeals.errors import MSG_UNIT_TERRITORY, invalid
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.models import Category, HandlingUnit
from jiceng.core.access import can_manage_area, get_area_for_view
from jiceng.core.errors import NotFound
from jiceng.core.inputs import form_failure, limited_text, model_text
from jiceng.core.pagination import LimitOffsetPagination, paginate
from jiceng.core.pickers import without_pickers

router = Router(tags=["appeals setup 办理设置"])


class RuleIn(Schema):
    area: int  # a district, street, community or grid
    unit: int  # an active handling unit answering for that area
    category: int | None = None  # none: every category without a rule of its own


class RuleOut(Schema):
    id: int
    area_id: int
    area_name: str
    category_id: int | None
    unit_id: int
    unit_name: str

    @staticmethod
    def resolve_area_name(rule) -> str:
        return rule.area.name

    @staticmethod
    def resolve_unit_name(rule) -> str:
        return rule.unit.name


class HandlingUnitIn(Schema):
    name: model_text(HandlingUnit, "name")
    kind: limited_text(20, kind="code")  # community · street · department
    area: int


class HandlingUnitActiveIn(Schema):
    active: bool


class HandlingUnitOut(Schema):
    id: int
    name: str
    kind: str
    area_id: int
    is_active: bool


class HandlerIn(Schema):
    username: limited_text(150, kind="code")


class HandlerOut(Schema):
    id: int
    unit_id: int
    user_id: int
    username: str

    @staticmethod
    def resolve_username(membership) -> str:
        return membership.user.username


class CategoryFactsIn(Schema):
    name: model_text(Category, "name")
    group: model_text(Category, "group")
    description: model_text(Category, "description", kind="multiline") = ""
    response_hours: int
    resolution_amount: int
    resolution_unit: limited_text(20, kind="code")  # working_days · hours
    reopen_days: int = 7
    is_mediation: bool = False
    is_active: bool = True
    sort: int = 0


class CategoryNewIn(CategoryFactsIn):
    code: model_text(Category, "code", kind="code")


class CategorySetupOut(schemas.CategoryOut):
    id: int
    description: str
    reopen_days: int
    is_active: bool
    sort: int


def _parsed(form) -> dict:
    if not form.is_valid():
        raise form_failure(form)
    return form.cleaned_data


def _unit(request, unit_id: int) -> HandlingUnit:
    unit = selectors.configured_units(viewer=request.user).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound()
    return unit


# ---- routing rules ---------------------------------------------------------------------


@router.get("/rules", response=list[RuleOut])
@paginate(LimitOffsetPagination)
def rule_list(request):
    return selectors.routing_rules(viewer=request.user)


@router.put("/rules", response=RuleOut)
def rule_set(request, payload: RuleIn):
    """Create or replace the rule for (category, area)."""
    area = get_area_for_view(request.user, payload.area)
    unit = selectors.routable_units(viewer=request.user).filter(pk=payload.unit).first()
    if unit is None:
        raise invalid(MSG_UNIT_TERRITORY, Code.UNIT_REQUIRED, "unit")
    data = {"category": payload.category or ""}
    cleaned = _parsed(without_pickers(setup_forms.RuleForm(data)))
    category = (
        selectors.category_named(pk=cleaned["category"], active=False)
        if cleaned["category"]
        else None
    )
    return services.routing_rule_set(actor=request.user, area=area, unit=unit, category=category)


@router.delete("/rules/{int:rule_id}", response={204: None})
def rule_delete(request, rule_id: int):
    rule = selectors.routing_rules(viewer=request.user).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound()
    services.routing_rule_delete(actor=request.user, rule=rule)
    return Status(204, None)


# ---- handling units and handlers --------------------------------------------------------


@router.get("/units", response=list[HandlingUnitOut])
@paginate(LimitOffsetPagination)
def unit_list(request):
    return selectors.configured_units(viewer=request.user)


@router.post("/units", response={201: HandlingUnitOut})
def unit_create(request, payload: HandlingUnitIn):
    area = get_area_for_view(request.user, payload.area)
    data = {"name": payload.name, "kind": payload.kind}
    cleaned = _parsed(without_pickers(setup_forms.UnitForm(data)))
    unit = services.handling_unit_create(
        actor=request.user, name=cleaned["name"], kind=cleaned["kind"], area=area
    )
    return Status(201, unit)


@router.post("/units/{int:unit_id}/active", response=HandlingUnitOut)
def unit_set_active(request, unit_id: int, payload: HandlingUnitActiveIn):
    """Stop (or resume) sending cases to a unit; cases already with it stay."""
    unit = _unit(request, unit_id)
    return services.handling_unit_set_active(actor=request.user, unit=unit, active=payload.active)


@router.post("/units/{int:unit_id}/handlers", response={201: HandlerOut})
def handler_add(request, unit_id: int, payload: HandlerIn):
    """Add a handler by user name: an account holding a role inside the territory."""
    unit = _unit(request, unit_id)
    cleaned = _parsed(setup_forms.HandlerForm({"username": payload.username}))
    membership = services.handler_add_by_username(
        actor=request.user, unit=unit, username=cleaned["username"]
    )
    return Status(201, membership)


@router.delete("/handlers/{int:membership_id}", response={204: None})
def handler_remove(request, membership_id: int):
    membership = selectors.configured_membership(viewer=request.user, pk=membership_id)
    if membership is None:
        raise NotFound()
    services.handler_remove(actor=request.user, membership=membership)
    return Status(204, None)


# ---- categories and deadlines -----------------------------------------------------------


def _require_category_editor(request) -> None:
    """Who manages the city keeps the category list; anyone else gets 404, as the page."""
    root = selectors.city_root()
    if root is None or not can_manage_area(request.user, root):
        raise NotFound()


@router.post("/categories", response={201: CategorySetupOut})
def category_create(request, payload: CategoryNewIn):
    _require_category_editor(request)
    cleaned = _parsed(setup_forms.CategoryForm(payload.dict()))
    category = services.category_create(
        actor=request.user, code=cleaned["code"], facts=setup_forms.category_facts(cleaned)
    )
    return Status(201, category)


@router.patch("/categories/{int:category_id}", response=CategorySetupOut)
def category_update(request, category_id: int, payload: CategoryFactsIn):
    """New deadlines apply to cases received after the change."""
    _require_category_editor(request)
    category = selectors.category_named(pk=category_id, active=False)
    if category is None:
        raise NotFound()
    cleaned = _parsed(setup_forms.CategoryForm(payload.dict(), editing=True))
    return services.category_update(
        actor=request.user, category=category, facts=setup_forms.category_facts(cleaned)
    )
