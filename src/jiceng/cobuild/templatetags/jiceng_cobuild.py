"""Co-building pieces shown on other apps' pages: on an appeal, the need it became or
the button that converts it (for the staff who may)."""

from django import template
from django.utils.translation import gettext_lazy as _

from jiceng.cobuild.models import Need
from jiceng.core.access import can_manage_area
from jiceng.core.scope import KIND_COBUILD, scope_for

register = template.Library()


@register.inclusion_tag("cobuild/partials/appeal_need.html", takes_context=True)
def appeal_need(context, appeal) -> dict:
    user = context["request"].user
    scope = scope_for(user)
    if not scope.can_see_kind(KIND_COBUILD):
        return {}
    need = Need.objects.filter(appeal=appeal).first()
    if need is not None:
        return {"need": need if scope.contains(need) else None, "converted": True}
    if appeal.community_id and can_manage_area(user, appeal.community):
        return {"appeal": appeal, "can_convert": True}
    return {}


@register.filter
def project_action(action: str) -> str:
    """A project event's action in words."""
    from jiceng.cobuild.states import TRANSITIONS

    labels = {"propose": _("立项"), "update": _("修改方案"), "add_resource": _("增加资源")}
    if action in TRANSITIONS:
        return str(TRANSITIONS[action].label)
    return str(labels.get(action, action))


@register.simple_tag(takes_context=True)
def cobuild_can(context) -> dict:
    """Which of the co-building forms the viewer may use at all, to show only the links
    that lead somewhere: territory staff record needs, agreements, meetings and venues;
    a unit org's secretary offers resources and opens the unit's venues."""
    request = context.get("request")
    scope = scope_for(getattr(request, "user", None))
    staff = scope.manages_territory
    unit = bool(scope.managed_org_paths())
    return {"staff": staff, "offer": staff or unit}
