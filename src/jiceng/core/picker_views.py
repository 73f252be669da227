"""The search behind a picker's field (`core.pickers`): the options of one select, as
HTML for htmx to put in place. The candidates are the viewer's own; a form checks what
is posted again, so these are suggestions, never a grant."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiceng.core.pickers import PICKERS, Q_MAX, SHOWN, offered


@require_GET
@login_required
def pick(request, name: str):
    picker = PICKERS.get(name)
    if picker is None:
        raise Http404
    # Longer text matches nothing a name holds; cut rather than refuse a keystroke.
    q = request.GET.get("q", "").strip()[:Q_MAX]
    params = {p: request.GET.get(p, "")[:Q_MAX] for p in picker.params}
    items = offered(picker, request.user, params=params, q=q)
    context = {
        "items": [(obj.pk, picker.label(obj)) for obj in items[:SHOWN]],
        "more": len(items) > SHOWN,
        "shown": SHOWN,
        "empty": request.GET.get("empty", "")[:40],
    }
    return render(request, "core/widgets/picker_options.html", context)
