from django import template

from jiceng.core.access import can_manage_area
from jiceng.core.scope import KIND_ORGLIFE, scope_for
from jiceng.orglife.models import Issue

register = template.Library()


@register.inclusion_tag("orglife/partials/appeal_issue.html", takes_context=True)
def appeal_issue(context, appeal) -> dict:
    """On an appeal's page: the deliberation issue it became, or the button to convert a
    common matter into one (for those who manage the community)."""
    user = context["request"].user
    scope = scope_for(user)
    if not scope.can_see_kind(KIND_ORGLIFE):
        return {}
    issue = Issue.objects.filter(appeal=appeal).select_related("topic").first()
    if issue is not None:
        return {"issue": issue if scope.contains(issue) else None, "converted": True}
    if appeal.community_id and can_manage_area(user, appeal.community):
        return {"appeal": appeal, "can_convert": True}
    return {}
