"""How a page answers a service's refusal, in one place for every app.

A page that shows a form puts the refusal back on the field it names (or above the form)
and renders the form again: `call_on_form`. A page that answers a button with a redirect
says it in a message: `refusals_as_messages`. Out of scope (NotFound) is the 404 page and
a refused action (PermissionDenied) the 403 page, unless a page chooses otherwise.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.contrib import messages
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from jiceng.core.errors import ApplicationError, NotFound, PermissionDenied
from jiceng.core.inputs import has_control

T = TypeVar("T")

# Errors that answer with their own page (404, 403) rather than on the form.
SCOPE_ERRORS: tuple[type[ApplicationError], ...] = (NotFound, PermissionDenied)


def refusal_on_form(form, error: ApplicationError, aliases: dict | None = None) -> None:
    """Put a refusal on the form field it names (renamed through `aliases` when the form
    calls it otherwise; None for above the form), or above the form."""
    field = (aliases or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, str(error.message))


def call_on_form(
    form,
    service: Callable[[], T],
    *,
    aliases: dict | None = None,
    propagate: tuple[type[ApplicationError], ...] = SCOPE_ERRORS,
) -> T | None:
    """Run one service; on a refusal, put it on the form and return None. The errors in
    `propagate` (by default out of scope and forbidden) go on to their own pages."""
    try:
        return service()
    except propagate:
        raise
    except ApplicationError as error:
        refusal_on_form(form, error, aliases)
        return None


@contextmanager
def refusals_as_messages(
    request,
    *,
    not_found_is_404: bool = True,
    propagate: tuple[type[ApplicationError], ...] = (),
) -> Iterator[None]:
    """Within the block, a refusal becomes an error message on the next page and the
    rest of the block is skipped. NotFound is the 404 page unless `not_found_is_404` is
    False (then it is a message too); the errors in `propagate` go on to their own pages."""
    try:
        yield
    except propagate:
        raise
    except NotFound as error:
        if not_found_is_404:
            raise Http404 from None
        messages.error(request, str(error.message))
    except ApplicationError as error:
        messages.error(request, str(error.message))


def post_data(request, *, lists: tuple[str, ...] = ()) -> dict:
    """The POST as a dict for an input schema: empty optional values left out, the
    fields named in `lists` kept as lists (checkboxes, repeated inputs)."""
    data: dict = {}
    for key in request.POST:
        if key == "csrfmiddlewaretoken":
            continue
        if key in lists:
            data[key] = [v for v in request.POST.getlist(key) if v.strip()]
            continue
        value = request.POST.get(key, "")
        if value != "":
            data[key] = value
    return data


def safe_next(request, value: str, fallback: str) -> str:
    """Where to go back after a posted action: a path on this site, as typed, or
    `fallback`. Anything else (a view name, a control character a header cannot carry,
    another host) would make the redirect itself fail or leave the site."""
    if (
        not value
        or not value.startswith("/")
        or has_control(value)
        or not url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return fallback
    return value
