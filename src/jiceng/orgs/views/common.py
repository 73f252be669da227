"""What the territory's form pages share: a service refusal goes back onto the field it
names, objects picked from a select must be among the choices offered, and the one
page template renders any of the forms."""

from django.http import Http404
from django.shortcuts import render

from jiceng.core.errors import NotFound
from jiceng.core.scope import scope_for
from jiceng.core.view_helpers import call_on_form


def require_kind(user, kind: str) -> None:
    if not scope_for(user).can_see_kind(kind):
        raise Http404


def call(form, service, aliases: dict | None = None):
    """Run one service; on a refusal, put its message on the field it names (or above
    the form) and return None. Out of scope and forbidden propagate (404 and 403)."""
    return call_on_form(form, service, aliases=aliases)


def pick(items, value):
    """The item whose id was posted; anything not offered answers 404."""
    if value in (None, ""):
        return None
    found = next((item for item in items if str(item.pk) == str(value)), None)
    if found is None:
        raise NotFound()
    return found


def form_page(request, form, *, title: str, submit: str, intro: str = "", back=None, **extra):
    """One form on a page; 422 when the form comes back with errors, so htmx and tests
    see a refusal without reading the page."""
    status = 422 if form.is_bound and form.errors else 200
    context = {"form": form, "title": title, "submit": submit, "intro": intro, "back": back}
    context.update(extra)
    return render(request, "orgs/form_page.html", context, status=status)


def end_errors(form) -> str:
    """A small form's errors as one line, for a button that has no room for fields."""
    return "；".join(
        f"{form.fields[name].label}：{e}" if name in form.fields else str(e)
        for name, errors in form.errors.items()
        for e in errors
    )
