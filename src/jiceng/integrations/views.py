"""Pages for a district's administrators: system tokens, subscriptions and dead letters,
and the 12345 exchange. Each write calls the service its API operation calls."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import ApplicationError
from jiceng.core.view_helpers import call_on_form, refusals_as_messages
from jiceng.integrations import access, forms, selectors, services
from jiceng.integrations.models import Delivery

LIST_LIMIT = 200


def _districts(request) -> list:
    districts = selectors.managed_districts(viewer=request.user)
    if not districts:
        raise Http404
    return districts


def _picked(items, pk):
    if pk in (None, ""):
        return None
    return next((item for item in items if item.pk == pk), None)


def _create_page(request, form_class, create, template: str, listing):
    """A page that lists what the district has and makes one more: the form, and on
    success the secret shown in this answer only (it is never stored, so never shown
    again) beside a fresh form. The area and the unit are pickers (`core.pickers`):
    what is posted is one of the viewer's candidates, or refused on its field (422)."""
    _districts(request)
    form = form_class(request.POST or None, viewer=request.user)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = call_on_form(form, lambda: create(data, data["area"], data["unit"]))
        if created is not None:
            form = form_class(viewer=request.user)
    status = 422 if form.is_bound and form.errors else 200
    context = {"form": form, "created": created, **listing()}
    return render(request, template, context, status=status)


@login_required
def tokens(request):
    def create(data, area, unit):
        return services.system_token_create(
            actor=request.user,
            name=data["name"],
            area=area,
            permissions=data["permissions"],
            unit=unit,
            expires_at=forms.TokenForm.expires_at_of(data),
            rate_per_minute=data["rate_per_minute"],
        )

    return _create_page(
        request,
        forms.TokenForm,
        create,
        "integrations/tokens.html",
        lambda: {"tokens": selectors.token_list(viewer=request.user)[:LIST_LIMIT]},
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    with refusals_as_messages(request):
        token = access.get_token(request.user, pk)
        services.system_token_revoke(actor=request.user, token=token)
        messages.success(request, _("已吊销，使用该令牌的调用立即被拒绝"))
    return redirect("integrations:tokens")


@login_required
def subscriptions(request):
    def create(data, area, unit):
        return services.subscription_create(
            actor=request.user,
            name=data["name"],
            url=data["url"],
            events=data["events"],
            area=area,
            unit=unit,
            include_personal=data["include_personal"],
        )

    def listing() -> dict:
        deliveries = selectors.delivery_list
        return {
            "subscriptions": selectors.subscription_list(viewer=request.user)[:LIST_LIMIT],
            "dead": deliveries(viewer=request.user, state=Delivery.State.DEAD)[:LIST_LIMIT],
            "pending": deliveries(viewer=request.user, state=Delivery.State.PENDING).count(),
        }

    return _create_page(
        request, forms.SubscriptionForm, create, "integrations/subscriptions.html", listing
    )


@login_required
@require_POST
def subscription_revoke(request, pk: int):
    with refusals_as_messages(request):
        subscription = access.get_subscription(request.user, pk)
        services.subscription_revoke(actor=request.user, subscription=subscription)
        messages.success(request, _("已停用订阅"))
    return redirect("integrations:subscriptions")


@login_required
@require_POST
def delivery_replay(request, pk: int):
    with refusals_as_messages(request):
        delivery = access.get_delivery(request.user, pk)
        services.delivery_replay(actor=request.user, delivery=delivery)
        messages.success(request, _("已重新排入推送队列"))
    return redirect("integrations:subscriptions")


@login_required
def hotline(request):
    districts = _districts(request)
    form = forms.HotlineImportForm(request.POST or None, request.FILES or None, districts=districts)
    report, row_errors = None, []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            report = services.hotline_import_file(
                actor=request.user,
                district=_picked(districts, data["district"]),
                data=upload.read(),
                filename=upload.name or "",
            )
        except services.HotlineRowsInvalid as error:
            row_errors = error.errors
            form.add_error(None, str(error.message))
        except ApplicationError as error:
            form.add_error("file" if error.field in (None, "file") else None, str(error.message))
    number = request.GET.get("number", "").strip()[:64]
    orders = selectors.work_order_list(viewer=request.user, number=number)[:LIST_LIMIT]
    unplaced = selectors.work_order_list(viewer=request.user, placement_pending=True).count()
    context = {
        "form": form,
        "report": report,
        "row_errors": row_errors,
        "number": number,
        "orders": orders,
        "unplaced": unplaced,
    }
    return render(request, "integrations/hotline.html", context)


@login_required
def hotline_export(request):
    _districts(request)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "json"
    with refusals_as_messages(request):
        since = services.parse_since(request.GET.get("since", "")[:40])
        content, _rows = services.hotline_export(actor=request.user, since=since, fmt=fmt)
        if fmt == "xlsx":
            response = HttpResponse(
                content,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = 'attachment; filename="12345-results.xlsx"'
        else:
            response = HttpResponse(content, content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="12345-results.json"'
        return response
    return redirect("integrations:hotline")
