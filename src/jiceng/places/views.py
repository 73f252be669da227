"""The registry pages: browse and search the standard addresses the viewer sees,
register one, correct one, add and remove its aliases, import a street's sheet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.access import can_manage_area
from jiceng.core.scope import scope_for
from jiceng.core.view_helpers import call_on_form, refusals_as_messages
from jiceng.orgs.views.imports import _upload, xlsx_response
from jiceng.places import forms, imports, selectors, services
from jiceng.places.errors import MSG_BUILDING_LEVEL, PlaceErrorCode, invalid

PAGE_SIZE = 30


@login_required
def registry(request):
    """Search, and register a new address (the form below the list)."""
    search = forms.SearchForm(request.GET or None)
    q = search.cleaned_data.get("q", "") if search.is_valid() else ""
    form = forms.AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        address = call_on_form(
            form,
            lambda: services.address_create(
                actor=request.user,
                building=_building(request, data["building"]),
                text=data["text"],
                compound=data["compound"],
                latitude=data["latitude"],
                longitude=data["longitude"],
            ),
        )
        if address is not None:
            messages.success(request, _("已登记 %(text)s") % {"text": address.text})
            return redirect("places:address", pk=address.pk)
    addresses = selectors.address_list(viewer=request.user, q=q)
    page = Paginator(addresses, PAGE_SIZE).get_page(request.GET.get("page"))
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "places/registry.html",
        {
            "search": search,
            "q": q,
            "page": page,
            "form": form,
            "can_add": scope_for(request.user).manages_territory,
        },
        status=status,
    )


def _building(request, code: str):
    building = selectors.building_named(viewer=request.user, code=code)
    if building is None:
        raise invalid(MSG_BUILDING_LEVEL, PlaceErrorCode.BUILDING_LEVEL, "building")
    return building


@login_required
def address(request, pk: int):
    """One address: correct it, and its aliases."""
    item = selectors.address_get(viewer=request.user, address_id=pk)
    form = forms.AddressForm(request.POST or None, initial=_initial(item))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = call_on_form(
            form,
            lambda: services.address_update(
                actor=request.user,
                address=item,
                building=_building(request, data["building"]),
                text=data["text"],
                compound=data["compound"],
                latitude=data["latitude"],
                longitude=data["longitude"],
            ),
        )
        if saved is not None:
            messages.success(request, _("已保存"))
            return redirect("places:address", pk=item.pk)
    aliases = selectors.alias_list(viewer=request.user, address=item)
    status = 422 if form.is_bound and form.errors else 200
    context = {
        "address": item,
        "form": form,
        "alias_form": forms.AliasForm(),
        "aliases": aliases,
        # Only those who manage the building are offered the forms (others get 403).
        "can_edit": can_manage_area(request.user, item.building),
    }
    return render(request, "places/address.html", context, status=status)


@login_required
@require_POST
def alias_add(request, pk: int):
    """Add an alias; a refusal goes back onto the address page's alias form."""
    item = selectors.address_get(viewer=request.user, address_id=pk)
    form = forms.AliasForm(request.POST)
    if form.is_valid():
        alias = call_on_form(
            form,
            lambda: services.alias_create(
                actor=request.user, text=form.cleaned_data["text"], address=item
            ),
        )
        if alias is not None:
            messages.success(request, _("已添加别名"))
            return redirect("places:address", pk=item.pk)
    context = {
        "address": item,
        "form": forms.AddressForm(initial=_initial(item)),
        "alias_form": form,
        "aliases": selectors.alias_list(viewer=request.user, address=item),
        "can_edit": True,
    }
    return render(request, "places/address.html", context, status=422)


def _initial(item) -> dict:
    return {
        "building": item.building.code,
        "text": item.text,
        "compound": item.compound,
        "latitude": item.latitude,
        "longitude": item.longitude,
    }


@login_required
@require_POST
def alias_delete(request, pk: int):
    alias = selectors.alias_get(viewer=request.user, alias_id=pk)
    back = alias.address_id
    with refusals_as_messages(request):
        services.alias_delete(actor=request.user, alias=alias)
        messages.success(request, _("已删除别名"))
    return redirect("places:address", pk=back) if back else redirect("places:registry")


@login_required
def address_import(request):
    return _upload(
        request,
        levels=imports.TARGET_LEVELS,
        run=imports.address_import,
        title=_("导入标准地址"),
        intro=_(
            "每行一个标准地址，写明楼栋编码，可附小区、经纬度（WGS-84）和别名；"
            "已登记的地址不会重复登记。有任何一行有误则全部不导入。"
        ),
        template_url="places:import_template",
        kind_label=_("地址、别名"),
    )


@login_required
def import_template(request):
    return xlsx_response(imports.address_template(), "标准地址导入模板.xlsx")
