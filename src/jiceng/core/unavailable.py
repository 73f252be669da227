"""When the database does not answer, say so: 503 with Retry-After, in the caller's shape.

A client that gets a 500 HTML page cannot tell a bug from an outage; a 503 with
Retry-After tells it to come back (an Open311 client or the 12345 exchange retries with
the same key and nothing doubles). Django turns any exception raised in a view or a
middleware into a call of the 500 handler; this handler looks at that exception and,
for a database that is down or unreachable, answers 503 in the shape of the caller's
interface instead: the API's error shape under /api/, the shape an app registered for
its prefix (Open311 registers its own), a plain page elsewhere. Nothing here touches the
database, and the page is rendered without context processors (they would query it).
"""

import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from pydantic import ValidationError as PydanticValidationError

MSG_UNAVAILABLE = "服务暂时不可用，请稍后重试"
MSG_SERVER_ERROR = "服务器内部错误，已记录，请稍后重试或联系管理员"

_RENDERERS: dict[str, Callable[[HttpRequest, int, str], HttpResponse]] = {}


def register_unavailable_renderer(
    prefix: str, renderer: Callable[[HttpRequest, int, str], HttpResponse]
) -> None:
    """`renderer(request, status, message)` answers for paths under `prefix`. Called
    from an app's ready()."""
    _RENDERERS[prefix] = renderer


_OUTAGE_NAMES = (f"{OperationalError.__name__}:", f"{InterfaceError.__name__}:")


def is_outage(exc: BaseException | None) -> bool:
    """The database is down or unreachable: the driver's error, or the same error
    met while the API serialized a lazy queryset (pydantic then reports it only as the
    text of a get_attribute_error, with no exception chained)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        if isinstance(exc, PydanticValidationError):
            return any(
                e.get("type") == "get_attribute_error"
                and str((e.get("ctx") or {}).get("error", "")).startswith(_OUTAGE_NAMES)
                for e in exc.errors()
            )
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def unavailable_response(request: HttpRequest) -> HttpResponse:
    message = _(MSG_UNAVAILABLE)
    path = request.path
    renderer = next(
        (r for prefix, r in sorted(_RENDERERS.items(), reverse=True) if path.startswith(prefix)),
        None,
    )
    if renderer is not None:
        response = renderer(request, 503, message)
    elif path.startswith("/api/"):
        response = JsonResponse(
            {"code": "unavailable", "message": message, "field": None}, status=503
        )
    else:
        body = loader.get_template("503.html").render({"message": message})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(settings.JICENG_RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """handler500: 503 for an outage; for anything else the API's error shape under
    /api/ (a client parses one shape whatever happened), the plain 500 page elsewhere."""
    if is_outage(sys.exc_info()[1]):
        return unavailable_response(request)
    if request.path.startswith("/api/"):
        body = {"code": "server_error", "message": _(MSG_SERVER_ERROR), "field": None}
        return JsonResponse(body, status=500)
    return defaults.server_error(request, *args, **kwargs)
