"""Pages answer a typed application error the way the API does: not found (or out of
scope, the same thing) is a 404 page, a refused action a 403 page. And the API answers
a method its path does not take (django-ninja's plain-text 405) in its one error shape."""

import json

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults

from jiceng.core.errors import NotFound, PermissionDenied


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return _method_not_allowed(request.method, response)
        return response

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return None  # the API's own handlers give the JSON error shape
        if isinstance(exception, NotFound):
            return defaults.page_not_found(request, Http404())
        if isinstance(exception, PermissionDenied):
            return defaults.permission_denied(request, exception)
        return None


class TrustedProxyMiddleware:
    """Forwarding headers count only when a trusted proxy sent the request.

    Django believes SECURE_PROXY_SSL_HEADER from whoever sends it; a client that reaches
    an app server directly could claim HTTPS and be served over plain HTTP with secure
    cookies. So the headers are dropped unless the peer is one of JICENG_TRUSTED_PROXIES
    (core.clientip reads X-Forwarded-For the same way)."""

    HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from jiceng.core.clientip import is_trusted_proxy

        if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            for header in self.HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


def _method_not_allowed(method: str, plain: HttpResponse) -> HttpResponse:
    """The API's error shape for a method the path does not take, with its Allow header."""
    body = {
        "code": "method_not_allowed",
        "message": _("该地址不支持 %(method)s 请求，可用：%(allowed)s")
        % {"method": method, "allowed": plain.get("Allow", "")},
        "field": None,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=405,
        content_type="application/json; charset=utf-8",
    )
    if "Allow" in plain:
        response["Allow"] = plain["Allow"]
    return response
