"""The inbox: every signed-in user's notifications, newest first, with mark read (and
follow the link) and mark all read; and the user's own delivery preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.errors import ApplicationError, NotFound
from jiceng.linkage import schemas, selectors, senders, services
from jiceng.linkage.models import Channel
from jiceng.linkage.views._common import form_data, refusal_message

PAGE = 50


@login_required
def notifications(request):
    unread = request.GET.get("unread") == "1"
    rows = list(selectors.notification_list(viewer=request.user, unread=unread)[:PAGE])
    return render(
        request, "linkage/notifications.html", {"notifications": rows, "unread_only": unread}
    )


@login_required
@require_POST
def notification_read(request, pk: int):
    try:
        found = selectors.notification_get(viewer=request.user, notification_id=pk)
    except NotFound:
        raise Http404 from None
    services.notification_read(actor=request.user, notification=found)
    return redirect(found.link or "linkage:notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_read_all(actor=request.user)
    messages.success(request, _("已全部标为已读（%(n)d 条）") % {"n": count})
    return redirect("linkage:notifications")


@login_required
def preferences(request):
    active = senders.active_channels()
    error = ""
    if request.method == "POST":
        data = form_data(request)
        data["enabled"] = request.POST.get("enabled") == "1"
        try:
            payload = schemas.parse(schemas.PreferenceIn, data)
            services.delivery_preference_set(
                actor=request.user,
                channel=payload.channel,
                address=payload.address,
                enabled=payload.enabled,
            )
        except ApplicationError as refused:
            error = refusal_message(refused)
        else:
            messages.success(request, _("已保存"))
            return redirect("linkage:preferences")
    return render(
        request,
        "linkage/preferences.html",
        {
            "channels": [(c, label) for c, label in Channel.choices if c in active],
            "error": error,
        },
        status=400 if error else 200,
    )
