"""Appeal pages: resident intake and tracking (no login), staff intake, the handler's
queue, the case page with its actions, the street's board, rates and ranking.

Views parse input and call one service or selector; errors from services go back onto
the form field they name.
"""

import datetime
import re
import unicodedata

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiceng.appeals import access, actions, figures, forms, selectors, services
from jiceng.appeals.errors import MSG_CATEGORY, invalid
from jiceng.appeals.errors import AppealErrorCode as Code
from jiceng.appeals.locating import IntakePlace, intake_place, place_target
from jiceng.appeals.models import Appeal
from jiceng.appeals.states import allowed_actions
from jiceng.core import crypto
from jiceng.core.inputs import form_failure
from jiceng.core.masking import mask_phone, redact_personal
from jiceng.core.models import Area
from jiceng.core.pagination import CappedPaginator
from jiceng.core.pickers import get_picker, has_choices, offered
from jiceng.core.roles import Role
from jiceng.core.scope import scope_for
from jiceng.core.uploads import content_type_of
from jiceng.core.view_helpers import call_on_form, refusals_as_messages
from jiceng.places import selectors as place_selectors

# What a tracking code can be (Appeal.tracking_code); anything else is not looked up.
TRACKING_CODE = re.compile(r"[0-9A-Z]{1,16}")

PLACE_LEVELS = {"street": "district", "community": "street", "grid": "community"}


def _too_many(request):
    response = render(request, "appeals/too_many.html", status=429)
    response["Retry-After"] = str(settings.APPEAL_PUBLIC_WINDOW_SECONDS)
    return response


# ---- residents: no account needed ----------------------------------------------------------


def _area_from_form(data) -> Area | None:
    for name in ("grid", "community"):
        value = data.get(name)
        if value:
            return selectors.area_named(value)
    return None


def report(request):
    """File an appeal from a phone: category, place, text, optional photo and phone."""
    if request.method == "POST":
        if access.public_limit_reached(request, "appeal-intake"):
            return _too_many(request)
        data = request.POST.copy()
        area = _area_from_form(data)
        data["area"] = str(area.pk) if area else ""
        form = forms.PublicIntakeForm(data, request.FILES)
        if form.is_valid():
            # Every refusal goes on the form: the resident has no other page to see.
            appeal = call_on_form(
                form,
                lambda: _intake(
                    request,
                    form,
                    intake_place(
                        area=area,
                        address=form.cleaned_data["where"],
                        latitude=form.cleaned_data["latitude"],
                        longitude=form.cleaned_data["longitude"],
                    ),
                    channel=Appeal.Channel.RESIDENT,
                    actor=None,
                ),
                propagate=(),
            )
            if appeal is not None:
                messages.success(
                    request, _("已受理。请记下查询码 %(code)s") % {"code": appeal.tracking_code}
                )
                return redirect("track:code", code=appeal.tracking_code)
    else:
        form = forms.PublicIntakeForm()
    districts = selectors.districts()
    return render(request, "appeals/report.html", {"form": form, "districts": districts})


def _intake(request, form, place: Area | IntakePlace, *, channel, actor) -> Appeal:
    data = form.cleaned_data
    category = selectors.category_named(pk=data["category"])
    if category is None:
        raise invalid(MSG_CATEGORY, Code.CATEGORY_INVALID, "category")
    if isinstance(place, Area):
        place = IntakePlace(place)
    # The address typed to locate the case, then the detail ("3号楼门口"), as one text.
    where, detail = (data.get("where") or "").strip(), (data.get("address") or "").strip()
    intake = services.Intake(
        channel=channel,
        category=category,
        area=place.area,
        placement_reason=place.placement_reason,
        street_hint=place.street_hint,
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        description=data["description"],
        address=" ".join(part for part in (where, detail) if part),
        contact_name=data.get("contact_name", ""),
        contact_phone=data.get("contact_phone", ""),
        client="web",
        idempotency_key=data["idempotency_key"],
    )
    appeal, _created = services.appeal_intake(actor=actor, intake=intake, photo=data.get("photo"))
    return appeal


@require_GET
def places(request, level: str):
    """The next select of the place picker: children of the chosen area (public names)."""
    if level not in PLACE_LEVELS:
        raise Http404
    parent_id = request.GET.get(PLACE_LEVELS[level])
    parent = int(parent_id) if parent_id and parent_id.isdigit() else None
    children = selectors.place_children(parent_id=parent, level=level)
    return render(
        request, "appeals/partials/place_select.html", {"level": level, "children": children}
    )


@require_GET
def locate(request):
    """Where the typed address (or the shared position) lands, shown live under the
    report form: public area names only, the same as the place picker shows."""
    where = (request.GET.get("where") or "")[:200]
    latitude, longitude = _position(request.GET)
    result = place_selectors.landing(where=where, latitude=latitude, longitude=longitude)
    asked = bool(where.strip()) or latitude is not None
    return render(request, "appeals/partials/landing.html", {"landing": result, "asked": asked})


def _position(params) -> tuple[float | None, float | None]:
    try:
        latitude, longitude = float(params.get("latitude", "")), float(params.get("longitude", ""))
    except ValueError:
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    return latitude, longitude


def track(request):
    code = unicodedata.normalize("NFKC", request.GET.get("code") or "")
    code = re.sub(r"[\s-]+", "", code).upper()
    if code and not TRACKING_CODE.fullmatch(code):
        # Not a code this system issues: answered as a code not on file, never handed on.
        return render(request, "appeals/track_lookup.html", {"not_found": True}, status=404)
    if code:
        return redirect("track:code", code=code)
    return render(request, "appeals/track_lookup.html")


def track_code(request, code: str):
    """Status and public replies only: no contact data, no internal notes."""
    appeal = selectors.appeal_by_tracking_code(code)
    if appeal is None:
        return render(request, "appeals/track_lookup.html", {"not_found": True}, status=404)
    context = {
        "appeal": appeal,
        "events": selectors.appeal_events(appeal=appeal, public_only=True),
        "rate_form": forms.RateForm() if appeal.state == Appeal.State.REPLIED else None,
        "can_reopen": _resident_may_reopen(appeal),
        "reopen_form": forms.ReasonForm(),
    }
    return render(request, "appeals/track.html", context)


def _resident_may_reopen(appeal: Appeal) -> bool:
    if appeal.state not in (Appeal.State.RATED, Appeal.State.CLOSED):
        return False
    if appeal.satisfaction != Appeal.Satisfaction.UNSATISFIED:
        return False
    limit = (appeal.replied_at or appeal.received_at) + datetime.timedelta(
        days=appeal.category.reopen_days
    )
    return timezone.now() <= limit


@require_POST
def track_rate(request, code: str):
    if access.public_limit_reached(request, "appeal-rate"):
        return _too_many(request)
    appeal = selectors.appeal_by_tracking_code(code)
    if appeal is None:
        raise Http404
    form = forms.RateForm(request.POST)
    if form.is_valid():
        with refusals_as_messages(request, not_found_is_404=False):
            services.appeal_rate(
                appeal=appeal,
                resolved=form.cleaned_data["resolved"],
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("感谢您的评价"))
    else:
        messages.error(request, str(form_failure(form).message))
    return redirect("track:code", code=appeal.tracking_code)


@require_POST
def track_reopen(request, code: str):
    if access.public_limit_reached(request, "appeal-rate"):
        return _too_many(request)
    appeal = selectors.appeal_by_tracking_code(code)
    if appeal is None:
        raise Http404
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        with refusals_as_messages(request, not_found_is_404=False):
            services.appeal_reopen(actor=None, appeal=appeal, reason=form.cleaned_data["reason"])
            messages.success(request, _("已申请重办"))
    else:
        messages.error(request, str(form_failure(form).message))
    return redirect("track:code", code=appeal.tracking_code)


# ---- staff ---------------------------------------------------------------------------------


@login_required
def intake(request):
    """Hotline operators and grid workers on patrol: a few taps, then the next case."""
    roles = scope_for(request.user).roles
    default_channel = Appeal.Channel.GRID if Role.GRID_WORKER in roles else Appeal.Channel.HOTLINE
    if request.method == "POST":
        form = forms.StaffIntakeForm(request.POST, request.FILES, viewer=request.user)
        if not has_choices(form, "area"):
            raise Http404
        if form.is_valid():
            area = form.cleaned_data["area"]

            def file_case() -> Appeal:
                return _intake(
                    request, form, area, channel=form.cleaned_data["channel"], actor=request.user
                )

            appeal = call_on_form(form, file_case, propagate=())
            if appeal is not None:
                messages.success(
                    request, _("已受理，查询码 %(code)s") % {"code": appeal.tracking_code}
                )
                return redirect("appeals:detail", pk=appeal.pk)
    else:
        form = forms.StaffIntakeForm(initial={"channel": default_channel}, viewer=request.user)
        # A grid worker files in his (first) grid; one place to file is chosen already.
        first = offered(get_picker("filing-places"), request.user, params={}, limit=1)
        if not first:
            raise Http404
        if len(first) == 1 or Role.GRID_WORKER in roles:
            form.initial["area"] = first[0].pk
    return render(request, "appeals/intake.html", {"form": form})


LIST_PAGE = 50  # cases per page of the list


@login_required
def appeal_list(request):
    params = request.GET
    area = None
    if params.get("area"):
        from jiceng.core.access import get_area_for_view

        area = get_area_for_view(request.user, params["area"])
    appeals = selectors.appeal_list(
        viewer=request.user,
        area=area,
        state=params.get("state") or None,
        category=params.get("category") or None,
        overdue=params.get("overdue") == "1",
        q=(params.get("q") or "")[:200] or None,
    )
    unit = params.get("unit", "")
    if unit.isdecimal() and len(unit) < 12:  # a handling unit's queue (待办 → 全部)
        appeals = appeals.filter(unit_id=int(unit))
    page = CappedPaginator(appeals, LIST_PAGE).get_page(params.get("page"))
    context = {
        "page": page,
        "area": area,
        "states": Appeal.State.choices,
        "categories": selectors.active_categories(),
        "params": params,
    }
    template = "appeals/partials/list_rows.html" if request.htmx else "appeals/list.html"
    return render(request, template, context)


def _detail_context(request, appeal: Appeal) -> dict:
    user = request.user
    actions = set(allowed_actions(appeal))
    can_handle = access.can_handle(user, appeal)
    can_dispatch = access.can_dispatch(user, appeal)
    context = {
        "appeal": appeal,
        "events": selectors.appeal_events(appeal=appeal),
        "references": selectors.appeal_references(appeal=appeal),
        "phone": mask_phone(crypto.decrypt(appeal.contact_phone_encrypted)),
        "can_accept": can_handle and "accept" in actions,
        "can_start": can_handle and "start" in actions,
        "can_reply": can_handle and "reply" in actions,
        "can_return": can_handle and "return" in actions,
        # A case from the fast intake is routed by `process-intake` first.
        "can_dispatch": can_dispatch and "dispatch" in actions and not appeal.routing_pending,
        "can_summon": can_dispatch and appeal.is_open,
        "can_mediate": can_handle and appeal.category.is_mediation,
        "reply_form": forms.ReplyForm(),
        "reason_form": forms.ReasonForm(),
        "summons": appeal.summonses.prefetch_related("targets__unit").all(),
        "my_targets": [
            t
            for s in appeal.summonses.all()
            for t in s.targets.select_related("unit")
            if access.is_handler(user, t.unit)
        ],
        "note_form": forms.NoteForm(),
        "can_publish": access.can_publish_description(user, appeal),
    }
    if context["can_publish"]:
        # A suggestion to edit: the masking's numbers already out, names and places not.
        suggestion = appeal.public_description or redact_personal(appeal.description)
        context["publish_form"] = forms.PublishForm(initial={"public_description": suggestion})
    if context["can_dispatch"]:
        context["dispatch_form"] = forms.DispatchForm(appeal=appeal)
        context["duplicates"] = selectors.similar_open_appeals(appeal)
    if context["can_summon"]:
        context["summons_form"] = forms.SummonsForm(appeal=appeal)
    if context["can_mediate"]:
        mediation = getattr(appeal, "mediation", None)
        initial = {}
        if mediation:
            initial = {
                "parties": "\n".join(mediation.parties),
                "outcome": mediation.outcome,
                "agreement": mediation.agreement,
                "mediator": mediation.mediator,
                "mediated_on": mediation.mediated_on,
            }
        context["mediation_form"] = forms.MediationForm(initial=initial)
    return context


@login_required
def detail(request, pk: int):
    appeal = access.get_appeal_for_view(request.user, pk)
    return render(request, "appeals/detail.html", _detail_context(request, appeal))


@login_required
@require_GET
def photo(request, pk: int):
    """The case's photo, only to those who may see the case (core.scope decides): the
    stored file was re-encoded on upload (core.uploads); it goes out with its own
    content type, nosniff, and a name made of the tracking code, never the upload's."""
    appeal = access.get_appeal_for_view(request.user, pk)
    if not appeal.photo:
        raise Http404
    name = appeal.photo.name
    extension = name.rsplit(".", 1)[-1].lower()
    response = FileResponse(appeal.photo.open("rb"), content_type=content_type_of(name))
    response["Content-Disposition"] = f'inline; filename="{appeal.tracking_code}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def act(request, pk: int, action: str):
    """One action on a case, named in the URL; refusals come back as a message."""
    if action not in actions.CASE_ACTIONS:
        raise Http404
    user = request.user
    with refusals_as_messages(request), transaction.atomic():
        appeal = access.get_appeal_for_action(user, pk)
        messages.success(request, actions.perform(user, appeal, action, request.POST))
    return redirect("appeals:detail", pk=pk)


@login_required
@require_POST
def summons_answer(request, target_id: int, step: str):
    target = selectors.summons_target(target_id)
    if target is None:
        raise Http404
    if step not in ("report", "act"):
        raise Http404
    with refusals_as_messages(request):
        if step == "report":
            services.summons_report(actor=request.user, target=target)
            messages.success(request, _("已报到"))
        else:
            form = forms.NoteForm(request.POST)
            if not form.is_valid():
                raise form_failure(form)
            services.summons_act(actor=request.user, target=target, note=form.cleaned_data["note"])
            messages.success(request, _("处置情况已记录"))
    return redirect("appeals:queue")


QUEUE_SHOWN = 20


@login_required
def queue(request):
    """The handler's queue: per unit the user works for, oldest deadline first."""
    units = selectors.handler_units(request.user, limit=50)
    # Deadline first, so the top of each unit's queue is what needs doing; the rest is
    # one link away (the case list of that unit), not rendered by the hundred here.
    queues = selectors.handler_queues(viewer=request.user, units=units, first=QUEUE_SHOWN + 1)
    rows = [
        (unit, queues[unit.pk][:QUEUE_SHOWN], len(queues[unit.pk]) > QUEUE_SHOWN) for unit in units
    ]
    targets = selectors.open_summons_targets(units=units)
    return render(request, "appeals/queue.html", {"rows": rows, "targets": targets})


def _streets_for(user):
    return selectors.streets_in_sight(viewer=user)


@login_required
def street_board(request):
    """The street's queue (to dispatch) and its summons board."""
    streets = list(_streets_for(request.user)[:300])
    if not streets:
        raise Http404
    chosen = next((s for s in streets if str(s.pk) == request.GET.get("street")), streets[0])
    context = {
        "streets": streets,
        "street": chosen,
        "waiting": selectors.street_queue(viewer=request.user, street=chosen)[:200],
        "board": selectors.summons_board(viewer=request.user, street=chosen)[:200],
        "now": timezone.now(),
    }
    return render(request, "appeals/street.html", context)


def _month(value: str | None) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        datetime.date(year, month, 1)
        return year, month
    except ValueError:
        first = today.replace(day=1) - datetime.timedelta(days=1)
        return first.year, first.month


@login_required
def rates(request):
    """The month's three rates for a node, and the ranking of its children."""
    from jiceng.core.access import get_area_for_view
    from jiceng.core.selectors import area_roots

    roots = area_roots(viewer=request.user)
    if request.GET.get("area"):
        area = get_area_for_view(request.user, request.GET["area"])
    elif roots:
        area = roots[0]
    else:
        raise Http404
    year, month = _month(request.GET.get("month"))
    context = {
        "area": area,
        "year": year,
        "month": month,
        "month_value": f"{year}-{month:02d}",
        "rates": figures.rates(viewer=request.user, area=area, year=year, month=month),
        "ranking": (
            figures.ranking(viewer=request.user, parent=area, year=year, month=month)
            if area.level in (Area.Level.CITY, Area.Level.DISTRICT, Area.Level.STREET)
            else []
        ),
        "rate_names": [
            ("response", _("响应率")),
            ("resolution", _("解决率")),
            ("satisfaction", _("满意率")),
            ("on_time", _("按时办结率")),
        ],
    }
    return render(request, "appeals/rates.html", context)


@login_required
def rate_cases(request):
    """The cases behind one number of the rates page."""
    from jiceng.core.access import get_area_for_view

    area = get_area_for_view(request.user, request.GET.get("area"))
    year, month = _month(request.GET.get("month"))
    rate = request.GET.get("rate")
    part = request.GET.get("part", "denominator")
    if rate not in figures.RATE_CONDITIONS or part not in ("numerator", "denominator", "missed"):
        raise Http404
    cases = figures.rate_cases(
        viewer=request.user, area=area, year=year, month=month, rate=rate, part=part
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "appeals/rate_cases.html",
        {
            "page": page,
            "area": area,
            "rate": rate,
            "part": part,
            "month_value": f"{year}-{month:02d}",
        },
    )


# ---- the placement queue (待定位) -----------------------------------------------------------


@login_required
def placement(request):
    """Cases the address or position placed no deeper than a district: each placed in
    one action (a community from the list, or a standard address typed), the caller's
    words remembered as an alias of the place."""
    if request.method == "POST":
        form = forms.PlaceForm(request.POST)
        appeal_id = request.POST.get("appeal", "")
        if form.is_valid() and appeal_id.isdigit():
            data = form.cleaned_data
            with refusals_as_messages(request), transaction.atomic():
                area = place_target(viewer=request.user, area_id=data["area"], where=data["where"])
                appeal = services.appeal_place(
                    actor=request.user,
                    appeal_id=int(appeal_id),
                    area=area,
                    remember=data["remember"],
                )
                messages.success(
                    request,
                    _("%(code)s 已定位到 %(area)s")
                    % {"code": appeal.tracking_code, "area": appeal.area.name},
                )
            return redirect("appeals:placement")
        # Each refused field named with its label (an over-long or controlled address).
        messages.error(
            request,
            form_failure(form).message if form.errors else _("请选择社区或输入标准地址"),
        )
        return redirect("appeals:placement")
    page = Paginator(selectors.placement_queue(viewer=request.user), 20).get_page(
        request.GET.get("page")
    )
    cases = list(page.object_list)
    choices = selectors.placement_choices(viewer=request.user, appeals=cases)
    rows = [(appeal, choices.get(appeal.pk, [])) for appeal in cases]
    return render(request, "appeals/placement.html", {"page": page, "rows": rows})
