"""Venues pages: the list with the service centres' floor-area check, registering a
venue, and a venue's page with its actions (edit, close, add a room, book a room, cancel
a booking)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.cobuild import access, forms, selectors, services
from jiceng.cobuild.models import Venue
from jiceng.cobuild.views._common import area_param, bound, pick, posted_form, require_kind
from jiceng.core.errors import PermissionDenied
from jiceng.core.pickers import has_choices
from jiceng.core.selectors import area_roots
from jiceng.core.view_helpers import SCOPE_ERRORS, call_on_form, refusals_as_messages


@login_required
def venues(request):
    require_kind(request.user)
    area = area_param(request)
    if area is None:
        roots = area_roots(viewer=request.user)
        shown = roots[0] if len(roots) == 1 else None
    else:
        shown = area
    by_child = shown is not None and shown.level in selectors.BY_CHILD_LEVELS
    context = {
        "area": area,
        "shown": shown,
        "by_child": (
            selectors.service_centre_floor_area_by_child(viewer=request.user, area=shown)
            if by_child
            else None
        ),
        "checks": (
            []
            if by_child
            else selectors.service_centre_floor_area(viewer=request.user, area=area)[:500]
        ),
        "venues": selectors.venue_list(viewer=request.user, area=area)[:200],
        "required": selectors.service_centre_min_floor_area(),
    }
    return render(request, "cobuild/venues.html", context)


@login_required
def venue_new(request):
    """A party–mass service centre (street or community staff) or a venue a unit opens
    to residents (the unit's org, or the territory staff)."""
    require_kind(request.user)
    form = forms.VenueForm(request.POST or None, viewer=request.user)
    if not has_choices(form, "area") and not has_choices(form, "unit"):
        raise Http404
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area, unit = data["area"], data["unit"]
        # The same write as the API's (venue_submit); the page sends no idempotency key.
        venue = call_on_form(
            form,
            lambda: services.venue_submit(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                floor_area=data["floor_area"],
                area=area,
                unit=unit,
                address=data["address"],
                opening_hours=data["opening_hours"],
            )[0],
        )
        if venue is not None:
            messages.success(request, _("阵地已登记，请添加功能室"))
            return redirect("cobuild:venue", pk=venue.pk)
    return render(
        request,
        "cobuild/form_page.html",
        {
            "form": form,
            "title": _("登记阵地"),
            "intro": _(
                "党群服务中心设在街道或社区，不属于单位；单位开放阵地选择开放单位。"
                "社区党群服务中心面积合计与标准对照。"
            ),
            "submit": _("登记阵地"),
        },
    )


class _VenuePage:
    """A venue's page and its forms; the one named `action` bound to the POST. Any action
    needs the right to manage the venue."""

    def __init__(self, request, pk: int, action: str | None = None):
        require_kind(request.user)
        self.request = request
        user = request.user
        self.venue = venue = access.get_venue_for_view(user, pk)
        self.can_manage = access.can_manage_venue(user, venue) and venue.closed_on is None
        self.rooms = list(venue.rooms.order_by("name", "id"))
        self.bookable = [r for r in self.rooms if r.is_active]
        if action and not access.can_manage_venue(user, venue):
            raise PermissionDenied()
        self.edit_form = forms.VenueEditForm(
            bound(request, action, "edit"),
            initial={"floor_area": venue.floor_area, "opening_hours": venue.opening_hours},
        )
        self.room_form = forms.RoomForm(bound(request, action, "room"))
        self.booking_form = forms.BookingForm(
            bound(request, action, "booking"), rooms=self.bookable
        )

    def done(self, result, success: str):
        if result is not None:
            messages.success(self.request, success)
            return redirect("cobuild:venue", pk=self.venue.pk)
        return self.render()

    def render(self):
        venue, user = self.venue, self.request.user
        bookings = selectors.booking_list(viewer=user, venue=venue, start=timezone.now())[:200]
        context = {
            "venue": venue,
            "rooms": self.rooms,
            "bookings": bookings,
            "can_manage": self.can_manage,
            "edit_form": self.edit_form,
            "room_form": self.room_form,
            "booking_form": self.booking_form if self.bookable else None,
            "is_centre": venue.kind == Venue.Kind.SERVICE_CENTRE,
        }
        return render(self.request, "cobuild/venue_detail.html", context)


@login_required
def venue_detail(request, pk: int):
    """A venue, its rooms and their coming bookings; booking refuses overlapping times
    and names the booking in the way."""
    action = posted_form(request)
    if action in VENUE_ACTIONS:
        return VENUE_ACTIONS[action](request, pk)
    page = _VenuePage(request, pk, action)
    if action is not None:
        raise Http404
    return page.render()


@login_required
@require_POST
def venue_edit(request, pk: int):
    page = _VenuePage(request, pk, "edit")
    form, result = page.edit_form, None
    if form.is_valid():
        result = call_on_form(
            form,
            lambda: services.venue_update(
                actor=request.user, venue=page.venue, **form.cleaned_data
            ),
        )
    return page.done(result, _("阵地信息已更新"))


@login_required
@require_POST
def venue_close(request, pk: int):
    page = _VenuePage(request, pk, "close")
    result = call_on_form(
        page.edit_form, lambda: services.venue_close(actor=request.user, venue=page.venue)
    )
    return page.done(result, _("阵地已停用"))


@login_required
@require_POST
def room_add(request, pk: int):
    page = _VenuePage(request, pk, "room")
    form, result = page.room_form, None
    if form.is_valid():
        result = call_on_form(
            form,
            lambda: services.room_add(actor=request.user, venue=page.venue, **form.cleaned_data),
            aliases={"venue": None},
        )
    return page.done(result, _("功能室已添加"))


@login_required
@require_POST
def booking_create(request, pk: int):
    page = _VenuePage(request, pk, "booking")
    form, result = page.booking_form, None
    if form.is_valid():
        data = form.cleaned_data
        room = pick(page.bookable, data.pop("room"))
        result = call_on_form(
            form, lambda: services.booking_submit(actor=request.user, room=room, **data)[0]
        )
    return page.done(result, _("已预约"))


@login_required
@require_POST
def booking_cancel(request, pk: int):
    """Cancel the posted booking ("booking" id) of one of the venue's rooms."""
    page = _VenuePage(request, pk, "cancel")
    booking = access.get_booking_for_view(request.user, request.POST.get("booking"))
    if booking.room.venue_id != page.venue.pk:
        raise Http404
    with refusals_as_messages(request, propagate=SCOPE_ERRORS):
        services.booking_cancel(actor=request.user, booking=booking)
        return page.done(booking, _("预约已取消"))
    return redirect("cobuild:venue", pk=page.venue.pk)


VENUE_ACTIONS = {
    "edit": venue_edit,
    "close": venue_close,
    "room": room_add,
    "booking": booking_create,
    "cancel": booking_cancel,
}
