"""What the co-building pages share: the kind check, ids posted back, and the detail
pages' older way of posting. The areas, units and committees a form chooses among are
pickers (`core.pickers`, `cobuild.pickers`).

A detail page's forms each post to their own action view (one URL per action). The
detail page's own URL still takes the posts it took before, naming the form in a hidden
"form" field, and hands each to its action view: `posted_form` reads that name.
"""

from django.http import Http404

from jiceng.cobuild import selectors, services
from jiceng.cobuild.models import Need, Resource
from jiceng.core.access import get_area_for_view
from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.scope import KIND_COBUILD, scope_for


def require_kind(user) -> None:
    if not scope_for(user).can_see_kind(KIND_COBUILD):
        raise Http404


def area_param(request):
    value = request.GET.get("area")
    return get_area_for_view(request.user, value) if value else None


def posted_form(request) -> str | None:
    """The form a POST to a detail page names (its hidden "form" field), or None."""
    return request.POST.get("form") if request.method == "POST" else None


def bound(request, action: str | None, name: str):
    """The POST for the form called `name` when it is the one posted, else None."""
    return request.POST if action == name else None


def posted_id(request, name: str) -> int:
    """A hidden id posted back (which commitment, which task); 0, which names nothing,
    for anything that is not a number, so a tampered field is a 404, never a 500."""
    value = request.POST.get(name) or ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0


def pick(items, pk):
    found = next((item for item in items if item.pk == pk), None)
    if found is None:
        raise NotFound()
    return found


def resource_choices(user, need: Need) -> list[tuple[int, str]]:
    """Active resources the viewer sees that satisfy the matching rules for the need."""
    candidates = selectors.resource_list(viewer=user, category=need.category).filter(
        available_until__gte=need.window_start, available_from__lte=need.window_end
    )[:200]
    choices = []
    for resource in candidates:
        try:
            services.check_pair(need, resource)
        except ApplicationError:
            continue
        if resource.used >= resource.capacity:
            continue
        choices.append((resource.pk, f"{resource.title}（{provider_name(resource)}）"))
    return choices


def provider_name(resource: Resource) -> str:
    if resource.offered_by_org_id:
        return resource.offered_by_org.name
    return resource.dual_report.member.name
