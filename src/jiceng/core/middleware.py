"""Pages answer a typed application error the way the API does: not found (or out of
scope, the same thing) is a 404 page, a refused action a 403 page."""

from django.http import Http404
from django.views import defaults

from jiceng.core.errors import NotFound, PermissionDenied


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

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
