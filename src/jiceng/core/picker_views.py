"""The search behind a picker's field (`core.pickers`): the options of one select, as
HTML for htmx to put in place. The candidates are the viewer's own; a form checks what
is posted again, so these are suggestions, never a grant.

The text typed may be a person's name (a member, an account): it is POSTed, never put in
a URL, so that no access log, proxy log or browser history holds it (as the register's
search, core.search_tokens). The picker's fixed parameters ride in the URL's query."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST

from jiceng.core.inputs import MSG_CONTROL, has_control
from jiceng.core.pickers import PICKERS, Q_MAX, SHOWN, offered


@require_POST
@login_required
def pick(request, name: str):
    picker = PICKERS.get(name)
    if picker is None:
        raise Http404

    raw = request.POST.get("q", "")
    if has_control(raw):
        # As a query parameter would be (QueryStringMiddleware): never to the database.
        return render(request, "400.html", {"field": "q", "message": MSG_CONTROL}, status=400)
    # Longer text matches nothing a name holds; cut rather than refuse a keystroke.
    q = raw.strip()[:Q_MAX]
    params = {p: request.GET.get(p, "")[:Q_MAX] for p in picker.params}
    items = offered(picker, request.user, params=params, q=q)
    context = {
        "items": [(obj.pk, picker.label(obj)) for obj in items[:SHOWN]],
        "more": len(items) > SHOWN,
        "shown": SHOWN,
        "empty": request.GET.get("empty", "")[:40],
    }
    return render(request, "core/widgets/picker_options.html", context)
